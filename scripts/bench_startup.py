"""Cold start of the TUI to first paint, with the store present.

Each run starts a fresh interpreter that opens the app headless and exits as soon as the
main screen is on screen (`first paint`) or, with --until-diff, once the first comparison
is shown. Reports wall time per run and the median; target: first paint < 1.5 s.

    .venv/bin/python scripts/bench_startup.py [--store PATH] [--runs 5] [--until-diff]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import sys
from pathlib import Path
from tui.app import DiffviewApp
from tui.screens.main import MainScreen

until_diff = sys.argv[2] == "1"

class Bench(DiffviewApp):
    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(0.005, self._check)

    def _check(self) -> None:
        main = self.main_screen
        if main is None or not isinstance(self.screen, MainScreen):
            return
        if until_diff and main.comparison is None:
            return
        self.call_after_refresh(self.exit, 0)

Bench(store_path=Path(sys.argv[1])).run(headless=True, size=(120, 35))
"""


def ensure_store(path: Path | None) -> Path:
    if path is not None and path.exists():
        return path
    from diffview.pipeline import build_store

    target = path or Path(tempfile.mkdtemp(prefix="diffview-bench-")) / "store"
    build_store(ROOT / "versions", target)
    return target


def one_run(store: Path, until_diff: bool) -> float:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # any value, "0" too, stops .pyc writing
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", CHILD, str(store), "1" if until_diff else "0"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="store to open (default: build a temp one)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--until-diff", action="store_true", help="wait for the first diff")
    args = parser.parse_args()
    store = ensure_store(args.store)
    one_run(store, args.until_diff)  # warm the OS file cache and .pyc files
    times = [one_run(store, args.until_diff) for _ in range(args.runs)]
    what = "first diff" if args.until_diff else "first paint"
    for i, t in enumerate(times, 1):
        print(f"run {i}: {t:.3f} s")
    median = statistics.median(times)
    print(f"cold start to {what}: median {median:.3f} s over {len(times)} runs (target < 1.5 s)")
    return 0 if median < 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
