"""Undo an ingest: `diffview remove ID` takes a document out of the store with a new commit
on top, and records the removal in the manifest, so a rebuild makes the same history.

Nothing is destroyed: the document's commit stays in the history (`doc-<id>` still points
at it) and its source stays in versions/, its manifest entry marked `removed = <moment>`.
That entry is what a full build from versions/ needs to make the same commit ids as the
remove did (the document's commit, then its removal's); it also keeps the id taken, so a
later ingest never reuses it and a citation `005:12-14` names one text forever.

The removal's moment is the store's last commit's plus one second: the removal is the
newest commit (an append, never a rebuild), its time comes from the manifest and not from
the clock (the same remove on the same corpus gives the same commit), and a document
ingested later with a later date goes on top of it.

All or nothing as ingest: every check first, then a journal and the new manifest, then the
store's ref update as the one commit point; a run killed anywhere is finished or undone
by the next writer (`journal.recover`), under the same store lock as build and ingest.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from diffview.corpus.manifest import (
    Manifest,
    check_id,
    manifest_path,
    read_manifest,
    write_candidate,
)
from diffview.errors import InputError
from diffview.journal import apply_entry, recover, write_entry
from diffview.model import Removal
from diffview.pipeline import build_store, check_nothing_dropped
from diffview.store.lock import store_lock
from diffview.store.paths import default_store_path
from diffview.store.plan import event_key, ordered_events


def remove(doc_id: str, versions_dir: Path, store_path: Path | None = None) -> Removal:
    """Take document `doc_id` out of the store and mark it removed in the manifest;
    return the removal. Refused (one line naming the manifest, nothing touched): an
    unknown or already removed id, a document another one answers, the last document."""
    versions_dir = Path(versions_dir)
    store_path = Path(store_path or default_store_path())
    with store_lock(store_path):
        recover(versions_dir, store_path)
        manifest = read_manifest(versions_dir)
        removal = _removal(doc_id, versions_dir, manifest)
        check_nothing_dropped(store_path, versions_dir, manifest)  # as build would refuse
        _commit(versions_dir, store_path, removal, manifest)
    return removal


def _removal(doc_id: str, versions_dir: Path, manifest: Manifest) -> Removal:
    """The removal of `doc_id`, checked against the manifest."""
    path = manifest_path(versions_dir)
    try:
        check_id(doc_id)
    except ValueError as exc:
        raise InputError(path, str(exc)) from None
    live = {d.id: d for d in manifest.documents}
    if doc_id not in live:
        if any(r.doc.id == doc_id for r in manifest.removed):
            raise InputError(path, f"document {doc_id} is removed already")
        ids = ", ".join(sorted(live, key=lambda i: (len(i), i)))
        raise InputError(path, f"no document {doc_id}; the corpus has {ids}")
    answering = [d.id for d in manifest.documents if d.answers == doc_id]
    if answering:
        which = ", ".join(answering)
        raise InputError(path, f"document {doc_id} is answered by {which}; remove {which} first")
    if len(live) == 1:
        raise InputError(path, f"document {doc_id} is the only one; nothing would be left")
    last = ordered_events(manifest.every_document, manifest.removed)[-1]
    return Removal(
        live[doc_id], datetime.fromtimestamp(event_key(last)[0], UTC) + timedelta(seconds=1)
    )


def _commit(versions_dir: Path, store_path: Path, removal: Removal, now: Manifest) -> None:
    """Journal, new manifest, store: the store's ref update is the one commit point, and
    a run killed at any instruction is finished or undone by the next writer."""
    manifest = manifest_path(versions_dir)
    documents = tuple(d for d in now.documents if d.id != removal.doc.id)
    staged = write_candidate(versions_dir, Manifest(documents, (*now.removed, removal), now.labels))
    try:
        write_entry(versions_dir, "remove", removal.doc.id, removal.doc.source, staged)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    # force: checked under this lock that the store drops nothing but this document
    build = partial(build_store, versions_dir, store_path, locked=True, force=True)
    apply_entry(versions_dir, store_path, [(staged, manifest)], build)


__all__ = ["remove"]
