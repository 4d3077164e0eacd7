"""The build: read the corpus under the store lock, then write the store.

The one place where the corpus stages meet the store: the store's writer is handed plain
data and never calls back into parsing.
"""

from __future__ import annotations

from pathlib import Path

from diffview.corpus.load import load_corpus
from diffview.journal import recover
from diffview.store.lock import store_lock
from diffview.store.paths import default_store_path
from diffview.store.write import BuildReport, Progress, say, write_store


def build_store(
    versions_dir: Path,
    store_path: Path | None = None,
    progress: Progress | None = None,
    *,
    locked: bool = False,
) -> BuildReport:
    """Parse `versions_dir` (manifest + sources) and bring the store up to date, all under
    the store lock; `locked=True` when the caller already holds it (ingest)."""
    if not locked:
        # The corpus is read under the lock: a plan made from versions/ as it was before a
        # concurrent ingest finished would rewrite the store without that document.
        path = Path(store_path or default_store_path()).expanduser().absolute()
        with store_lock(path):
            recover(versions_dir, path)  # an ingest that died: finish or undo it first
            return build_store(versions_dir, path, progress, locked=True)
    versions_dir = Path(versions_dir)
    say(progress, f"parsing {versions_dir}")
    corpus = load_corpus(versions_dir)
    return write_store(
        corpus.documents,
        corpus.statements,
        store_path,
        corpus.sources,
        corpus.labels,
        progress=progress,
        locked=True,
    )


__all__ = ["build_store"]
