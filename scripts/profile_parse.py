"""Profile the parse stage: parse the bundled documents N times under cProfile (not a test).

    .venv/bin/python scripts/profile_parse.py [N] [--no-profile] [--store] [--warm]

Prints the median per-document parse time (each of the five bundled documents × N), then the
cProfile top functions by cumulative and by own time. Every parse starts cold (memoised
topic analyses and line caches forgotten, as in a new process) unless `--warm`. `--store`
also times the store-plan renderers (`statements_json`, `document_markdown`,
`topic_markdown`) per document.
"""

from __future__ import annotations

import cProfile
import pstats
import statistics
import sys
import time
from collections.abc import Callable

from diffview.corpus.load import BUNDLED_VERSIONS, parse_text
from diffview.corpus.manifest import load_manifest_with_rounds
from diffview.corpus.sources import load_source
from diffview.model import Document


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 5
    documents, _labels = load_manifest_with_rounds(BUNDLED_VERSIONS)
    texts = [(doc, load_source(BUNDLED_VERSIONS / doc.source)[1]) for doc in documents]
    parse_text(*texts[0])  # warm: imports, rules, compiled patterns
    times: dict[str, list[float]] = {doc.id: [] for doc, _ in texts}
    cpu: dict[str, list[float]] = {doc.id: [] for doc, _ in texts}
    profiler = cProfile.Profile()
    for _ in range(n):
        for doc, text in texts:
            if "--warm" not in sys.argv:
                cold()
            if "--no-profile" not in sys.argv:
                profiler.enable()
            t0, c0 = time.perf_counter(), time.process_time()
            parse_text(doc, text)
            times[doc.id].append(time.perf_counter() - t0)
            cpu[doc.id].append(time.process_time() - c0)
            profiler.disable()
    every = [t for ts in times.values() for t in ts]
    every_cpu = [t for ts in cpu.values() for t in ts]
    for doc, text in texts:
        wall, used = statistics.median(times[doc.id]) * 1000, statistics.median(cpu[doc.id]) * 1000
        print(f"{doc.id} {len(text):>7} chars  median {wall:7.1f} ms wall, {used:7.1f} ms CPU")
    print(
        f"median per document over {len(every)} parses: {statistics.median(every) * 1000:.1f} ms"
        f" wall, {statistics.median(every_cpu) * 1000:.1f} ms CPU"
    )
    if "--store" in sys.argv:
        store_costs(texts)
    if "--no-profile" not in sys.argv:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(25)


def cold() -> None:
    """Forget what earlier parses memoised (absent in an older checkout: nothing to do)."""
    from diffview.corpus import labels
    from diffview.text import normalize

    try:
        from diffview.corpus.layouts import _written

        labels._ANALYSES.clear()
        labels._analyses_held = 0
        normalize._normalize_short.cache_clear()
        _written._line_kind.cache_clear()
        _written.counts.cache_clear()
    except AttributeError:
        pass


def store_costs(texts: list[tuple[Document, str]]) -> None:
    from diffview.store import files as storefiles

    def best(fn: Callable[[], object]) -> float:
        ts = []
        for _ in range(7):
            t0 = time.process_time()
            fn()
            ts.append(time.process_time() - t0)
        return min(ts) * 1000

    print("store-plan renderers, ms CPU per document (least of 7):")
    for doc, text in texts:
        st = parse_text(doc, text)
        j = best(lambda: storefiles.statements_json(doc, st))  # noqa: B023 - called at once
        m = best(lambda: storefiles.document_markdown(doc, st, doc.round))  # noqa: B023
        print(f"  {doc.id}: statements_json {j:.1f}, document_markdown {m:.1f}")


if __name__ == "__main__":
    main()
