"""Benchmark `diffview build` and `diffview changelog` on the bundled corpus (not a test).

    .venv/bin/python scripts/bench_build.py [--runs 5]

Each run is a fresh `diffview` process, as a user would start it, so imports count too:
  * build: a new store from versions/ (target < 2 s);
  * rebuild: the same command again, which must find nothing to do;
  * changelog: markdown + HTML for the three topics (target < 2 s).
Reports the best and the median wall time of each.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIFFVIEW = [sys.executable, "-m", "diffview"]


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(DIFFVIEW + args, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def report(name: str, times: list[float]) -> None:
    print(f"{name:<10} best {min(times):.2f} s   median {statistics.median(times):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        build, rebuild, changelog = [], [], []
        for _ in range(runs):
            shutil.rmtree(store, ignore_errors=True)
            build.append(timed(["build", "--store", str(store)]))
            rebuild.append(timed(["build", "--store", str(store)]))
            changelog.append(
                timed(
                    [
                        "changelog",
                        "--store",
                        str(store),
                        "-o",
                        f"{tmp}/c.md",
                        "--html",
                        f"{tmp}/c.html",
                    ]
                )
            )
    report("build", build)
    report("rebuild", rebuild)
    report("changelog", changelog)


if __name__ == "__main__":
    main()
