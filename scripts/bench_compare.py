"""Benchmark the comparison engine (not a test: run it by hand, numbers go in reviews).

    .venv/bin/python scripts/bench_compare.py [--quick] [--repeat N]

Cases:
  * seed passages: a topic-sized pair cut from the seeds (detection order, Oct 2023 → Oct 2024);
  * compare_versions end to end on a freshly built store, when `diffview.store.read` exists;
  * synthetic: Dutch-like text sampled from the seeds' own vocabulary (Zipf-shaped, so the
    inverted index sees realistic stem frequencies), sentence lengths 6..34 words:
      - 100 KB vs a copy with 1% of the words replaced,
      - 100 KB vs an unrelated 100 KB (worst case for candidate search),
      - 1 MB vs a 1%-changed copy,
      - a size sweep 25..400 KB (1% changed) with time / (n log n) to show the growth,
      - 5 MB vs itself with one word changed (checked: exactly one non-unchanged unit).
Each case reports best-of-N wall time and the peak traced memory of one extra run.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import TypeVar, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from synthetic_text import mutate, seed_vocabulary, synthetic  # noqa: E402

from diffview.diff.compare import compare_sentences, compare_texts  # noqa: E402
from diffview.model import Statement  # noqa: E402
from diffview.text.sentences import sentences_of  # noqa: E402
from diffview.views.render import summary_line as comparison_summary  # noqa: E402

VERSIONS = ROOT / "versions"
KB = 1024
T = TypeVar("T")


def measure(fn: Callable[[], T], repeat: int) -> tuple[float, float, T]:
    """Best wall time of `repeat` runs (s) and peak traced memory of one more run (MB)."""
    result: T | None
    best, result = math.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 1e6, cast(T, result)  # None only for repeat < 1


def report(name: str, seconds: float, peak_mb: float, extra: str = "") -> None:
    print(f"{name:<44} {seconds * 1000:9.1f} ms  {peak_mb:8.2f} MB  {extra}", flush=True)


def seed_statement(prefix: str, first: int, last: int) -> Statement:
    """Lines first..last of a seed as one statement (hyphenation joined, lines mapped)."""
    path = next(VERSIONS.glob(f"{prefix}_*.txt"))
    lines = path.read_text(encoding="utf-8").splitlines()[first - 1 : last]
    text, line_map = "", []
    for n, line in enumerate(lines, first):
        line = line.strip()
        if not line:
            continue
        if text.endswith("-") and line[:1].islower():
            text = text[:-1]
        elif text:
            text += " "
        line_map.append((len(text), n))
        text += line
    return Statement(
        id=f"{prefix}-{first}",
        doc=prefix,
        source=path.name,
        date=date(2000, 1, 1),
        kind="answer",
        speaker="kabinet",
        party=None,
        role="cabinet",
        text=text,
        lines=(first, last),
        line_map=tuple(line_map),
    )


def bench_seeds(repeat: int) -> None:
    a = sentences_of([seed_statement("002", 113, 128), seed_statement("002", 318, 324)])
    b = sentences_of([seed_statement("003", 135, 151), seed_statement("001", 1033, 1049)])
    t, m, c = measure(lambda: compare_sentences(a, b, topic="detection-order"), repeat)
    report(f"seed passages ({len(a)}+{len(b)} sentences)", t, m, comparison_summary(c))
    raw = [f.read_text(encoding="utf-8") for f in sorted(VERSIONS.glob("*.txt"))]
    t, m, c = measure(lambda: compare_texts(raw[2], raw[3], "002", "003"), repeat)
    report("seed files 002 vs 003 (whole, compare_texts)", t, m, comparison_summary(c))
    t, m, c = measure(lambda: compare_texts(raw[0], raw[2], "000", "002"), repeat)
    report("seed files 000 vs 002 (whole, compare_texts)", t, m, comparison_summary(c))


def bench_store(repeat: int) -> None:
    try:
        from diffview.pipeline import build_store
        from diffview.positions.table import compare_with_evidence as compare_versions
        from diffview.store.read import Store
    except ImportError as exc:
        print(f"store: skipped ({exc})")
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store"
        try:
            build_store(VERSIONS, path)
            store = Store.open(path)
        except Exception as exc:  # noqa: BLE001 - report, do not crash the benchmark
            print(f"store: could not build ({type(exc).__name__}: {exc})")
            return
        for topic in ("detection-order", "encryption", "derogation"):
            try:
                t, m, c = measure(partial(compare_versions, store, topic), repeat)
            except Exception as exc:  # noqa: BLE001
                print(f"compare_versions {topic}: failed ({type(exc).__name__}: {exc})")
                continue
            report(f"compare_versions {topic} (end to end)", t, m, comparison_summary(c))


def bench_synthetic(repeat: int, quick: bool) -> None:
    vocab = seed_vocabulary()
    a = synthetic(100 * KB, 1, vocab)
    b = mutate(a, 0.01, 2, vocab)
    t, m, c = measure(lambda: compare_texts(a, b), repeat)
    report("100 KB vs 1% words changed", t, m, comparison_summary(c))
    other = synthetic(100 * KB, 3, vocab)
    t, m, c = measure(lambda: compare_texts(a, other), repeat)
    report("100 KB vs unrelated 100 KB", t, m, comparison_summary(c))
    if not quick:
        big = synthetic(1024 * KB, 4, vocab)
        big2 = mutate(big, 0.01, 5, vocab)
        t, m, c = measure(lambda: compare_texts(big, big2), max(1, repeat // 2))
        report("1 MB vs 1% words changed", t, m, comparison_summary(c))
    print("size sweep (1% changed): time / (n log2 n) should stay flat")
    for size in (25, 50, 100, 200, 400):
        x = synthetic(size * KB, 10 + size, vocab)
        y = mutate(x, 0.01, 20 + size, vocab)
        t, m, c = measure(partial(compare_texts, x, y), repeat)
        n = sum(len(u.right) or len(u.left) for u in c.units)
        per = t / (n * math.log2(n)) * 1e6
        report(f"  {size:>3} KB ({n} sentences)", t, m, f"{per:.2f} µs per n·log2 n")
    if not quick:
        huge = synthetic(5 * 1024 * KB, 99, vocab)
        pos = huge.index(" ", len(huge) // 2)
        huge2 = huge[:pos] + " veranderd" + huge[pos:]
        t, m, c = measure(lambda: compare_texts(huge, huge2), 1)
        changed = [u for u in c.units if u.change != "unchanged"]
        ok = len(changed) == 1 and changed[0].change == "reworded"
        report(
            "5 MB vs itself, one word inserted",
            t,
            m,
            f"{'correct' if ok else 'WRONG'}: " + comparison_summary(c),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (best is kept)")
    parser.add_argument("--quick", action="store_true", help="skip the 1 MB and 5 MB cases")
    args = parser.parse_args()
    print(f"{'case':<44} {'best':>12}  {'peak mem':>11}")
    bench_seeds(args.repeat)
    bench_store(args.repeat)
    bench_synthetic(args.repeat, args.quick)


if __name__ == "__main__":
    main()
