"""Profile the parse stage: parse the bundled documents N times under cProfile (not a test).

    .venv/bin/python scripts/profile_parse.py [N] [--no-profile] [--store] [--warm]
    .venv/bin/python scripts/profile_parse.py --versions DIR [--limit K] [--no-profile]

Prints the median per-document parse time (each of the five bundled documents × N), then the
cProfile top functions by cumulative and by own time. Every parse starts cold (memoised
topic analyses and line caches forgotten, as in a new process) unless `--warm`. `--store`
also times the store-plan renderers (`statements_json`, `document_markdown`,
`topic_markdown`) per document.

`--versions DIR` instead measures what a build's parse worker does for each of the first K
documents (default 200) of that corpus, in manifest order in one process, as a worker does
(its memos warm): `parse_source`, then `render_for` (the store files); the medians of each,
CPU time, and the profile of both.
"""

from __future__ import annotations

import cProfile
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from diffview.corpus.load import BUNDLED_VERSIONS, parse_source, parse_text
from diffview.corpus.manifest import load_manifest_with_rounds
from diffview.corpus.sources import load_source
from diffview.model import Document


def main() -> None:
    if "--versions" in sys.argv:
        worker_costs(Path(sys.argv[sys.argv.index("--versions") + 1]))
        return
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
        from diffview.corpus.layouts import debate, numbered_qa

        debate._own_line_turns.cache_clear()
        numbered_qa._starts_of.cache_clear()
    except AttributeError:
        pass
    try:  # the memos by sentence
        from diffview.corpus import claims
        from diffview.text import stems

        claims._READINGS.clear()
        claims._NAMED.clear()
        stems._SENTENCE_TERMS.clear()
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


def worker_costs(versions: Path) -> None:
    """Parse and render the first K documents of `versions` as one build worker would."""
    from diffview.store.plan import render_for

    limit = int(sys.argv[sys.argv.index("--limit") + 1]) if "--limit" in sys.argv else 200
    documents, labels = load_manifest_with_rounds(versions)
    documents = documents[:limit]
    render = partial(render_for, labels)
    parse_text(documents[0], load_source(versions / documents[0].source)[1])  # warm: imports
    cold()
    parsed, rendered = [], []
    profiler = cProfile.Profile()
    for doc in documents:
        if "--no-profile" not in sys.argv:
            profiler.enable()
        c0 = time.process_time()
        data, statements = parse_source(versions, doc)
        c1 = time.process_time()
        render(doc, data, statements)
        c2 = time.process_time()
        profiler.disable()
        parsed.append(c1 - c0)
        rendered.append(c2 - c1)
    both = [a + b for a, b in zip(parsed, rendered, strict=True)]
    print(
        f"{len(documents)} documents of {versions}, ms CPU per document (median): "
        f"parse {statistics.median(parsed) * 1000:.1f}, render "
        f"{statistics.median(rendered) * 1000:.1f}, both {statistics.median(both) * 1000:.1f};"
        f" total {sum(both):.2f} s"
    )
    if "--no-profile" not in sys.argv:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(50)
        stats.sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
