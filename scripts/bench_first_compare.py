"""What a new user waits for: a fresh `diffview build` of the bundled corpus, then the first
`diffview compare TOPIC FROM TO` of each topic's adjacent pair of rounds, each in a copy of
that freshly built store (so every compare is the first of its pair, as for a new user).
Whole processes; medians of N, CPU (user+system of the child, steadier than wall on a
shared machine) and wall.

    python scripts/bench_first_compare.py [N] [--format json|inline] [--exe PATH/diffview]

`--exe` runs another checkout's `diffview` (its bundled corpus), for a before/after in one run.
The children run with Python's bytecode cache on, as every install has it: with
PYTHONDONTWRITEBYTECODE set in the caller's environment each process would compile its ~26
modules afresh (~75 ms of a 0.2 s compare).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _run(argv: list[str]) -> tuple[float, float, bytes]:
    """Wall and CPU seconds of one process, and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run(argv, capture_output=True, check=False, env=env).stdout
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, out


def _pairs(exe: str, store: Path) -> list[tuple[str, str, str]]:
    """Every topic's adjacent pairs of versions, as `diffview log` lists them."""
    topics = json.loads(_run([exe, "topics", "--store", str(store), "--format", "json"])[2])
    out = []
    for entry in topics["topics"]:
        log = [exe, "log", entry["topic"], "--store", str(store), "--format", "json"]
        rounds = [e["round"] for e in reversed(json.loads(_run(log)[2]))]
        out += [(entry["topic"], a, b) for a, b in zip(rounds, rounds[1:], strict=False)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="?", type=int, default=10)
    parser.add_argument("--format", default="json")
    parser.add_argument("--exe", default=str(Path(sys.executable).with_name("diffview")))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fresh, copy = Path(tmp, "fresh"), Path(tmp, "copy")
        builds = []
        for _ in range(max(3, args.runs // 3)):
            shutil.rmtree(fresh, ignore_errors=True)
            builds.append(_run([args.exe, "build", "--store", str(fresh)])[:2])
        print(
            f"build            wall {statistics.median(b[0] for b in builds):.3f} s  "
            f"cpu {statistics.median(b[1] for b in builds):.3f} s  (medians of {len(builds)})"
        )
        medians = []
        for topic, a, b in _pairs(args.exe, fresh):
            times = []
            for _ in range(args.runs):
                shutil.rmtree(copy, ignore_errors=True)
                shutil.copytree(fresh, copy, symlinks=True)
                argv = [args.exe, "compare", topic, a, b, "--store", str(copy)]
                times.append(_run([*argv, "--format", args.format])[:2])
            wall = statistics.median(t[0] for t in times)
            cpu = statistics.median(t[1] for t in times)
            medians.append(cpu)
            print(f"{topic:16} {a} → {b}  wall {wall:.3f} s  cpu {cpu:.3f} s")
        print(f"first compares: cpu medians {min(medians):.3f}–{max(medians):.3f} s")


if __name__ == "__main__":
    main()
