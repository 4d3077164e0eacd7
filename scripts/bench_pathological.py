"""Size sweeps on hostile input (not a test: run by hand, numbers go in reviews).

    .venv/bin/python scripts/bench_pathological.py [split|compare ...]

split:   sentence splitting of runs of terminators and other repetitive punctuation;
compare: `compare_texts` of N identical lines against a copy with one line changed.
Each row: the case, N, wall time, and a result figure that must stay bounded (sentences, or
the change classes reported), so a speed-up that changes the answer shows.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

SPLIT_CASES: dict[str, Callable[[int], str]] = {
    "N dots + letter": lambda n: "Zin" + "." * n + "a",
    "N '?!' + letter": lambda n: "Wat" + "?!" * n + "x",
    "N dots + space": lambda n: "Zin" + "." * n + " Volgende zin.",
    "'Ja. ' x N": lambda n: "Ja. " * n,
    "'J. ' x N": lambda n: "J. " * n + "Dijk",
    "quote run": lambda n: "Zin." + '"' * n + "x",
}


def sweep_split(sizes: list[int]) -> None:
    from diffview.text.sentences import split_sentences

    for name, make in SPLIT_CASES.items():
        for n in sizes:
            text = make(n)
            t = time.perf_counter()
            spans = split_sentences(text)
            dt = time.perf_counter() - t
            print(f"split  {name:18} N={n:>8}  {dt:8.3f} s  {len(spans)} sentences")


def sweep_compare(sizes: list[int]) -> None:
    from diffview.diff.compare import compare_texts

    for n in sizes:
        lines = ["Het kabinet steunt het voorstel niet."] * n
        changed = list(lines)
        changed[n // 2] = "Het kabinet steunt het voorstel wel."
        t = time.perf_counter()
        c = compare_texts("\n\n".join(lines), "\n\n".join(changed))
        dt = time.perf_counter() - t
        counts = {k: v for k, v in c.class_counts.items() if v and k != "unchanged"}
        print(f"compare identical lines, one changed  N={n:>7}  {dt:8.3f} s  {counts}")
    for n in sizes:
        lines = ["Zin een over het detectiebevel.", "Zin twee over encryptie."] * (n // 2)
        changed = list(lines)
        changed[n // 2] = "Een heel andere zin over vis."
        del changed[n // 3]
        t = time.perf_counter()
        c = compare_texts("\n\n".join(lines), "\n\n".join(changed))
        dt = time.perf_counter() - t
        counts = {k: v for k, v in c.class_counts.items() if v and k != "unchanged"}
        print(f"compare A/B alternating, 1 del + 1 new N={n:>7}  {dt:8.3f} s  {counts}")


def main(argv: list[str]) -> None:
    what = argv or ["split", "compare"]
    if "split" in what:
        sweep_split([500, 1_000, 2_000, 8_000, 32_000, 128_000])
    if "compare" in what:
        sweep_compare([1_000, 2_000, 8_000, 32_000, 100_000])


if __name__ == "__main__":
    main(sys.argv[1:])
