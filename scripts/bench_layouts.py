"""Whole-process time of `diffview compare TOPIC` per layout on a store: medians of N runs,
wall and CPU (the children's user+system time, steadier than wall on a shared machine).

    python scripts/bench_layouts.py STORE [TOPIC] [N]
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _one(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def main(args: list[str]) -> None:
    store = args[0]
    topic = args[1] if len(args) > 1 else "detection-order"
    runs = int(args[2]) if len(args) > 2 else 10
    exe = str(Path(sys.executable).with_name("diffview"))
    for fmt in ("json", "inline", "side-by-side"):
        argv = [exe, "compare", topic, "--store", store, "--format", fmt]
        _one(argv)  # the first run may write the kept comparison
        times = [_one(argv) for _ in range(runs)]
        wall = statistics.median(t[0] for t in times)
        cpu = statistics.median(t[1] for t in times)
        print(f"{fmt:13} wall {wall:.3f} s  cpu {cpu:.3f} s  (medians of {runs})")


if __name__ == "__main__":
    main(sys.argv[1:])
