"""The journal of an ingest or a remove: what a killed one leaves, and how the next writer
finishes or undoes it (under the store lock), so versions/ and the store always agree.

An entry says which document (`op`: "add", the default of older journals, or "remove"),
and holds the manifest before and after; the store decides which one stands: an add
happened if the store has the document, a remove if it no longer has it."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from pathlib import Path

from diffview.corpus.manifest import check_source_name, manifest_path, write_temp_beside
from diffview.errors import StoreError
from diffview.store.fastimport import drop_dead_pack
from diffview.store.git import checkout
from diffview.store.paths import default_store_path, real_store_path
from diffview.store.read import Store

JOURNAL_NAME = ".ingest-journal.json"


def journal_path(versions_dir: Path) -> Path:
    return Path(versions_dir) / JOURNAL_NAME


def write_durably(path: Path, data: bytes) -> None:
    """Write a file by temp + fsync + rename + directory fsync (it must survive a crash)."""
    tmp = write_temp_beside(path, data)  # fsyncs the data
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_entry(
    versions_dir: Path, op: str, doc: str, source: str, new_manifest: Path, **extra: str
) -> None:
    """The journal of one ingest or remove, durably, before anything in versions/ moves:
    which document, and the manifest before and after (`recover` picks one)."""
    old_manifest = manifest_path(versions_dir).read_bytes()
    entry = {
        "op": op,
        "doc": doc,
        "source": source,
        **extra,
        "old_manifest": base64.b64encode(old_manifest).decode("ascii"),
        "new_manifest": base64.b64encode(new_manifest.read_bytes()).decode("ascii"),
    }
    write_durably(journal_path(versions_dir), json.dumps(entry).encode())


def apply_entry(
    versions_dir: Path,
    store_path: Path,
    moves: list[tuple[Path, Path]],
    write_store: Callable[[], object],
) -> None:
    """Move the staged files into versions/, then write the store (its ref update is the
    one commit point); any failure or kill before the journal is gone is finished or undone
    by `recover`, now or by the next writer."""
    try:
        for staged, target in moves:
            os.replace(staged, target)
        write_store()
    except BaseException:
        recover(versions_dir, store_path)
        raise
    journal_path(versions_dir).unlink()


def _store_has(store_path: Path, doc_id: str, source: str) -> bool:
    """Did the store commit the document (its refs moved, or its swap happened)?"""
    if not real_store_path(store_path).exists():
        return False
    try:
        with Store.open(store_path) as store:
            return any((d.id, d.source) == (doc_id, source) for d in store.documents())
    except StoreError:
        return False


def recover(versions_dir: Path, store_path: Path | None = None) -> str | None:
    """Finish or undo an ingest that died (kill -9) and remove its leftovers; the caller
    holds the store lock. Returns 'completed', 'rolled back' or None (nothing to do)."""
    versions_dir = Path(versions_dir)
    store_path = Path(store_path or default_store_path())
    journal = journal_path(versions_dir)
    outcome: str | None = None
    store_dir = real_store_path(store_path)
    if (store_dir / ".git").is_dir():
        drop_dead_pack(store_dir)  # first: no later write may lean on its objects
    if journal.exists():
        try:
            entry = json.loads(journal.read_bytes())
            op, doc_id, source = str(entry.get("op", "add")), str(entry["doc"]), entry["source"]
            old, new = (base64.b64decode(entry[k]) for k in ("old_manifest", "new_manifest"))
            staged = versions_dir / Path(str(entry.get("staged_source", ""))).name
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StoreError(f"{journal}: unreadable journal ({exc})") from None
        try:
            target = versions_dir / check_source_name(str(source))
        except ValueError as exc:
            raise StoreError(f"{journal}: {exc}") from None
        has = _store_has(store_path, doc_id, str(source))
        if has == (op != "remove"):  # the store moved: finish versions/
            if op != "remove" and not target.exists():
                os.replace(staged, target)
            write_durably(manifest_path(versions_dir), new)
            if store_dir.exists():
                checkout(store_dir)  # the work tree may lag the refs
            outcome = "completed"
        else:
            write_durably(manifest_path(versions_dir), old)
            if op != "remove":
                target.unlink(missing_ok=True)  # a remove keeps the source either way
            outcome = "rolled back"
        journal.unlink()
    for leftover in _leftovers(versions_dir):
        leftover.unlink(missing_ok=True)
    return outcome


def _leftovers(versions_dir: Path) -> list[Path]:
    """Temp files only an ingest (under the lock) creates: any found under the lock are dead."""
    patterns = (
        f".{manifest_path(versions_dir).name}.*.tmp",
        f".{manifest_path(versions_dir).name}.bak-*",
        f".{JOURNAL_NAME}.*.tmp",
        ".[0-9][0-9][0-9]*_*.txt.*.tmp",
    )
    return [p for pattern in patterns for p in versions_dir.glob(pattern) if p.is_file()]


__all__ = [
    "JOURNAL_NAME",
    "apply_entry",
    "journal_path",
    "recover",
    "write_durably",
    "write_entry",
]
