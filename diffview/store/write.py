"""Writing a store: append by compare-and-swap of refs, or build aside and swap directories."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from diffview.corpus.manifest import doc_order
from diffview.errors import StoreError
from diffview.model import Document, Statement
from diffview.store.fastimport import QUARANTINE, write_plan
from diffview.store.files import STORE_FORMAT
from diffview.store.git import (
    checkout,
    init_repo,
    read_refs,
    refuse_redirecting_env,
    refuse_symlinks,
    store_format,
    update_refs,
)
from diffview.store.head import HeadState
from diffview.store.lock import store_lock
from diffview.store.paths import default_store_path, real_store_path
from diffview.store.plan import BRANCH, Plan, plan_docs, plan_store
from diffview.store.worktree import set_full_worktree, wants_full_worktree

Progress = Callable[[str], None]

# --- building --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildReport:
    """What a build did: 'created', 'rebuilt', 'appended' or 'unchanged'; `objects_written`
    counts the objects of the pack it added."""

    store_path: Path
    action: str
    head: str
    commits: tuple[tuple[str, str], ...]  # (doc id, commit sha), oldest first
    objects_written: int
    seconds: float

    @property
    def changed(self) -> bool:
        return self.action != "unchanged"


def say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


def write_store(
    documents: Iterable[Document],
    statements: Iterable[Statement],
    store_path: Path | None,
    sources: Mapping[str, bytes],
    labels: Mapping[str, str] | None = None,
    *,
    progress: Progress | None = None,
    locked: bool = False,
    rules: str = "",
    worktree: bool | None = None,
) -> BuildReport:
    """Make the store hold exactly these documents; `locked=True` if the caller holds the
    lock. `worktree`: check out every file (True), only the small ones (False), or as the
    store had it (None)."""
    started = time.perf_counter()
    store_path = Path(store_path or default_store_path()).expanduser().absolute()
    plan = plan_store(documents, statements, sources, labels, rules)
    if not plan.commits:
        raise StoreError("nothing to store: the manifest lists no documents")
    if locked:
        action, written = _apply(plan, store_path, progress, worktree)
    else:
        with store_lock(store_path):
            action, written = _apply(plan, store_path, progress, worktree)
    return _report(store_path, action, plan, [(c.doc, c.sha) for c in plan.commits], written,
                   started, progress)  # fmt: skip


def append_documents(
    head: HeadState,
    documents: Iterable[Document],
    statements: Iterable[Statement],
    sources: Mapping[str, bytes],
    labels: Mapping[str, str],
    *,
    rules: str = "",
    progress: Progress | None = None,
) -> BuildReport:
    """Add documents that all come after the stored ones (date order) on top of the head:
    only their commits are planned and written; the caller holds the lock."""
    started = time.perf_counter()
    docs = sorted(documents, key=doc_order)
    plan = plan_docs(head.planner(dict(labels), rules), docs, statements, sources)
    say(progress, "appending to the existing history")
    written = _append(plan, head.path, head.refs, {**head.refs, **plan.refs})
    commits = head.commits() + [(c.doc, c.sha) for c in plan.commits]
    return _report(head.path, "appended", plan, commits, written, started, progress)


def unchanged(head: HeadState, progress: Progress | None = None) -> BuildReport:
    """The report of a build that found the store already holding these documents."""
    started = time.perf_counter()
    plan = Plan(base=head.head)
    return _report(head.path, "unchanged", plan, head.commits(), 0, started, progress)


def _report(
    path: Path,
    action: str,
    plan: Plan,
    commits: list[tuple[str, str]],
    written: int,
    started: float,
    progress: Progress | None,
) -> BuildReport:
    head = plan.head or ""
    say(progress, f"{action}: {len(commits)} documents, HEAD {head[:12]}")
    seconds = time.perf_counter() - started
    return BuildReport(path, action, head, tuple(commits), written, seconds)


def _apply(
    plan: Plan, store_path: Path, progress: Progress | None, worktree: bool | None
) -> tuple[str, int]:
    store_path = real_store_path(store_path)
    for dead in _leftovers(store_path):
        shutil.rmtree(dead, ignore_errors=True)
    if not store_path.exists():
        return "created", _build_fresh(plan, store_path, None, progress, bool(worktree))
    fmt = store_format(store_path)
    if fmt is None:
        raise StoreError(f"{store_path} exists and is not a diffview store; refusing to touch it")
    refuse_redirecting_env()
    refuse_symlinks(store_path / ".git")
    full = wants_full_worktree(store_path) if worktree is None else worktree
    old = read_refs(store_path)
    current = fmt == STORE_FORMAT and full == wants_full_worktree(store_path)
    if current and old == plan.refs:
        return "unchanged", 0
    shas = [c.sha for c in plan.commits]
    old_head = old.get(BRANCH)
    if current and old_head in shas and all(name in plan.refs for name in old):
        say(progress, "appending to the existing history")
        k = shas.index(old_head) + 1
        rest = Plan(plan.commits[k:], plan.tags, base=old_head)
        return "appended", _append(rest, store_path, old, plan.refs)
    return "rebuilt", _build_fresh(plan, store_path, old, progress, full)


def _append(plan: Plan, store_path: Path, old: Mapping[str, str], new: Mapping[str, str]) -> int:
    """Write objects (one pack), move refs by compare-and-swap, update the work tree; on
    failure undo all three (refs back by a reverse CAS, the work tree reset, the new pack
    removed), so that a caller rolling back its own changes (ingest) finds the store as
    it was."""
    written, count = write_plan(store_path, plan, old)
    moved = False
    try:
        update_refs(store_path, new, old)
        moved = True
        checkout(store_path)
    except BaseException:
        if moved:
            with suppress(StoreError):
                update_refs(store_path, old, new)
                checkout(store_path)
        for path in written:
            with suppress(OSError):
                path.unlink()
        raise
    return count


def _build_fresh(
    plan: Plan,
    store_path: Path,
    old: Mapping[str, str] | None,
    progress: Progress | None,
    full_worktree: bool,
) -> int:
    """Build in a temp dir beside the store, then swap directories (old store kept on error)."""
    parent = store_path.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{store_path.name}.build-", dir=parent))
    tmp.rmdir()
    try:
        say(progress, f"writing {len(plan.commits)} commits")
        init_repo(tmp).close()
        set_full_worktree(tmp, full_worktree)
        _, written = write_plan(tmp, plan, {})
        update_refs(tmp, plan.refs, {})
        checkout(tmp)
        if old is not None and read_refs(store_path) != old:
            raise StoreError(f"{store_path} changed while we were building; try again")
        _swap(tmp, store_path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return written


def _swap(new: Path, store_path: Path) -> None:
    """Put the new store at `store_path`: one atomic exchange of the two directories where
    the system has it (Linux `renameat2`), so a reader never finds the path missing; else
    two renames."""
    if not store_path.exists():
        os.rename(new, store_path)
        return
    if _exchange(new, store_path):
        shutil.rmtree(new, ignore_errors=True)  # now the old store
        return
    trash = Path(tempfile.mkdtemp(prefix=f".{store_path.name}.old-", dir=store_path.parent))
    trash.rmdir()
    os.rename(store_path, trash)
    try:
        os.rename(new, store_path)
    except BaseException:
        os.rename(trash, store_path)
        raise
    shutil.rmtree(trash, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (`renameat2(RENAME_EXCHANGE)`); False if unsupported."""
    import ctypes
    import errno

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _leftovers(store_path: Path) -> list[Path]:
    """Temp directories of builds that died (kill -9) beside the store; only a lock holder
    creates them, so under the lock any that exist are dead and can go."""
    parent, name = store_path.parent, store_path.name
    if not parent.is_dir():
        return []
    beside = [(parent, f".{name}.build-*"), (parent, f".{name}.old-*")]
    inside = [(store_path / ".git", f"{QUARANTINE}*")]  # a fast-import that died
    return [
        p
        for where, pattern in beside + inside
        if where.is_dir() and not where.is_symlink()
        for p in where.glob(pattern)
        if p.is_dir() and not p.is_symlink()
    ]
