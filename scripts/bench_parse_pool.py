"""The parse stage on synthetic corpora, serial against the process pool (not a test).

    .venv/bin/python scripts/bench_parse_pool.py [--sizes 2,4,8,16,100] [--runs 3] [--seed 13]

Each corpus copies the five bundled documents in turn under new ids and dates (one a day
from 2020-01-01), every copy with a few words changed (seeded), into a temporary versions/
with its manifest. For each size it times `load_corpus(workers=1)` (in process) and
`load_corpus(workers=N)` (the pool, N = available cores, pool start included), checks they
give the same corpus, and prints the medians and the speed-up.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from diffview.corpus import load as corpus_module
from diffview.corpus.load import BUNDLED_VERSIONS, available_cores, load_corpus
from diffview.corpus.manifest import load_manifest_with_rounds
from diffview.store.files import statements_json


def make_corpus(root: Path, n: int, seed: int) -> Path:
    rng = random.Random(seed)
    documents, _labels = load_manifest_with_rounds(BUNDLED_VERSIONS)
    versions = root / f"versions-{n}"
    versions.mkdir()
    entries, rounds = [], {}
    for k in range(n):
        template = documents[k % len(documents)]
        text = (BUNDLED_VERSIONS / template.source).read_text(encoding="utf-8")
        words = text.split(" ")
        for _ in range(5):  # a few words changed, so no two copies are the same text
            i = rng.randrange(len(words))
            if words[i].isalpha() and words[i].islower():
                words[i] = words[i][::-1]
        day = date(2020, 1, 1) + timedelta(days=k)
        doc_id = f"{k:03d}"
        source = f"{doc_id}_{rng.getrandbits(64):016x}.txt"
        (versions / source).write_text(" ".join(words), encoding="utf-8")
        rounds[day.strftime("%Y-%m")] = day.strftime("%b %Y")
        entries.append(
            f'[[document]]\nid = "{doc_id}"\nsource = "{source}"\n'
            f'title = "{template.title}"\nshort_title = "{template.short_title} {doc_id}"\n'
            f'kind = "{template.kind}"\ndate = "{day.isoformat()}"\ndate_precision = "day"\n'
            f'round = "{day.strftime("%Y-%m")}"\n'
        )
    head = "[rounds]\n" + "".join(f'"{r}" = "{label}"\n' for r, label in rounds.items())
    (versions / "manifest.toml").write_text(head + "\n" + "\n".join(entries), encoding="utf-8")
    return versions


def cold() -> None:
    """Forget what earlier runs memoised (per-text topic analyses, line and name caches), so
    that every run parses from scratch, as a new process would."""
    from diffview.corpus import labels
    from diffview.corpus.layouts import _written
    from diffview.text import normalize

    labels._ANALYSES.clear()
    labels._analyses_held = 0
    normalize._normalize_short.cache_clear()
    _written._line_kind.cache_clear()
    _written.counts.cache_clear()


def cpu() -> float:
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(versions: Path, workers: int) -> tuple[float, float, str]:
    """Wall time and CPU time (this process and its reaped workers) of one cold parse, and
    a digest of the corpus (the corpus itself is dropped: a big heap slows forked workers)."""
    cold()
    started, used = time.perf_counter(), cpu()
    result = load_corpus(versions, workers=workers)
    wall, spent = time.perf_counter() - started, cpu() - used
    digest = hashlib.sha256()
    for doc in result.documents:
        digest.update(result.sources[doc.source])
        digest.update(statements_json(doc, result.of(doc.id)))
    return wall, spent, digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2,4,8,16,100")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--threaded", action="store_true", help="as in a threaded process: the fork server"
    )
    parser.add_argument(
        "--no-memo",
        action="store_true",
        help="turn off the per-text topic memo (copies share text)",
    )
    args = parser.parse_args()
    if args.no_memo:
        from diffview.corpus import labels

        labels._ANALYSES_CHARS = 0
    cores = available_cores()
    corpus_module.POOL_MIN_DOCUMENTS = 2  # measure the pool at every size
    corpus_module.POOL_MIN_DOCUMENTS_UNFORKED = 2
    if args.threaded:
        corpus_module._one_thread = lambda: False
    load_corpus()  # warm this process: imports, compiled rules
    method = corpus_module._pool_context().get_start_method()
    print(
        f"{cores} cores; serial = in process, pool = {cores} workers by {method} (start included)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in [int(x) for x in args.sizes.split(",")]:
            versions = make_corpus(Path(tmp), n, args.seed)
            serial, pooled, serial_cpu, pooled_cpu = [], [], [], []
            for _ in range(args.runs):
                t, c, a = timed(versions, 1)
                serial.append(t)
                serial_cpu.append(c)
                t, c, b = timed(versions, cores)
                pooled.append(t)
                pooled_cpu.append(c)
                assert a == b, "the pool changed the corpus"
            s, p = statistics.median(serial), statistics.median(pooled)
            sc, pc = statistics.median(serial_cpu), statistics.median(pooled_cpu)
            print(
                f"{n:>5} documents: serial {s:6.2f} s wall {sc:6.2f} s CPU   "
                f"pool {p:6.2f} s wall {pc:6.2f} s CPU   speed-up {s / p:4.2f}x   "
                f"load {os.getloadavg()[0]:.1f}"
            )


if __name__ == "__main__":
    main()
