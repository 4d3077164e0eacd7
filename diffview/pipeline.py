"""The build: read the corpus under the store lock, then write the store.

The one place where the corpus stages meet the store: the store's writer is handed plain
data and never calls back into parsing. The store is the parse cache: a document whose
source (sha256), manifest entry and round label match the stored one, under the same rules
digest, keeps its stored statements; if the stored documents are the first ones of the
new date order, only the rest is parsed and committed on top of the head (an ingest costs
one document whatever the corpus size); otherwise the store is rebuilt, parsing only what
the cache lacks.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from diffview.corpus.load import parse_document, rules_digest
from diffview.corpus.manifest import load_manifest_with_rounds
from diffview.corpus.sources import read_bytes
from diffview.journal import recover
from diffview.model import Document, Statement
from diffview.store.head import HeadState, read_head, same_document
from diffview.store.lock import store_lock
from diffview.store.paths import default_store_path
from diffview.store.write import (
    BuildReport,
    Progress,
    append_documents,
    say,
    unchanged,
    write_store,
)


def build_store(
    versions_dir: Path,
    store_path: Path | None = None,
    progress: Progress | None = None,
    *,
    locked: bool = False,
    worktree: bool | None = None,
) -> BuildReport:
    """Parse `versions_dir` (manifest + sources) and bring the store up to date, all under
    the store lock; `locked=True` when the caller already holds it (ingest). `worktree`:
    see `write_store`."""
    path = Path(store_path or default_store_path()).expanduser().absolute()
    if not locked:
        # The corpus is read under the lock: a plan made from versions/ as it was before a
        # concurrent ingest finished would rewrite the store without that document.
        with store_lock(path):
            recover(versions_dir, path)  # an ingest that died: finish or undo it first
            return build_store(versions_dir, path, progress, locked=True, worktree=worktree)
    versions_dir = Path(versions_dir)
    say(progress, f"reading {versions_dir}")
    documents, labels = load_manifest_with_rounds(versions_dir)
    sources = {d.source: read_bytes(versions_dir / d.source) for d in documents}
    rules = rules_digest()
    head = read_head(path)
    try:
        if head is not None and worktree is None:
            kept = _stored_prefix(head, documents, sources, labels, rules)
            if kept == len(head.docs) == len(documents):
                return unchanged(head, progress)
            if kept == len(head.docs):
                new = documents[kept:]
                stmts = _parse(versions_dir, new, sources, progress)
                return append_documents(
                    head, new, stmts, sources, labels, rules=rules, progress=progress
                )
        cached = _cached(head, documents, sources, labels, rules)
        todo = [d for d in documents if d.id not in cached]
        parsed = _parse(versions_dir, todo, sources, progress)
        statements = [s for d in documents for s in cached.get(d.id, [])] + parsed
    finally:
        if head is not None:
            head.close()
    return write_store(
        documents,
        statements,
        path,
        sources,
        labels,
        progress=progress,
        locked=True,
        rules=rules,
        worktree=worktree,
    )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _stored_prefix(
    head: HeadState,
    documents: list[Document],
    sources: dict[str, bytes],
    labels: dict[str, str],
    rules: str,
) -> int:
    """How many of the stored documents open the new date order unchanged."""
    if head.rules != rules:
        return 0
    kept = 0
    for stored, doc in zip(head.docs, documents, strict=False):
        if not same_document(stored, doc, _sha256(sources[doc.source]), labels):
            break
        kept += 1
    return kept


def _cached(
    head: HeadState | None,
    documents: list[Document],
    sources: dict[str, bytes],
    labels: dict[str, str],
    rules: str,
) -> dict[str, list[Statement]]:
    """Stored statements still valid for these documents, by document id."""
    if head is None or head.rules != rules:
        return {}
    stored = {s.doc.id: s for s in head.docs}
    out: dict[str, list[Statement]] = {}
    for doc in documents:
        s = stored.get(doc.id)
        if s is not None and same_document(s, doc, _sha256(sources[doc.source]), labels):
            out[doc.id] = head.statements_of(doc.id)
    return out


def _parse(
    versions_dir: Path,
    documents: list[Document],
    sources: dict[str, bytes],
    progress: Progress | None,
) -> list[Statement]:
    """Parse documents the store has no statements for; the bytes parsed are the ones
    stored (read once)."""
    if documents:
        say(progress, f"parsing {len(documents)} documents")
    out: list[Statement] = []
    for doc in documents:
        data, stmts = parse_document(versions_dir, doc)
        if data != sources[doc.source]:
            raise ValueError(f"{versions_dir / doc.source} changed while being read")
        out.extend(stmts)
    return out


__all__ = ["build_store"]
