"""Benchmark: `diffview positions TOPIC` in process on the bundled store (floor: 150 ms).

Builds the bundled store in a temporary directory and times `topic_positions`, medians of 5:
first (the store's claim cache removed: every statement of the rounds read and read again
for positions), cold (a store just opened, its claim cache on disk) and warm (per topic,
the open store's caches filled).
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from diffview.corpus.load import BUNDLED_VERSIONS
from diffview.corpus.topics import load_rules
from diffview.pipeline import build_store
from diffview.positions.table import round_claims, topic_positions
from diffview.store.read import Store

TOPICS = ("detection-order", "encryption", "derogation")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store"
        build_store(BUNDLED_VERSIONS, path)
        load_rules()
        first: list[float] = []
        cold: list[float] = []
        warm: list[float] = []
        for _ in range(5):
            shutil.rmtree(path / ".git" / "diffview-cache", ignore_errors=True)
            round_claims.cache_clear()
            with Store.open(path) as store:
                t0 = time.perf_counter()
                topic_positions(store, TOPICS[0])
                first.append(time.perf_counter() - t0)
            round_claims.cache_clear()
            with Store.open(path) as store:
                t0 = time.perf_counter()
                topic_positions(store, TOPICS[0])
                cold.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                for topic in TOPICS:
                    topic_positions(store, topic)
                warm.append((time.perf_counter() - t0) / len(TOPICS))
        print(f"positions, first (no claim cache):   {statistics.median(first) * 1000:.0f} ms")
        print(f"positions, cold (store just opened): {statistics.median(cold) * 1000:.0f} ms")
        print(f"positions, warm (per topic):         {statistics.median(warm) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
