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

from diffview.errors import StoreError
from diffview.model import Document, Statement
from diffview.store.git import (
    checkout,
    init_repo,
    is_store,
    open_repo,
    read_refs,
    update_refs,
    write_objects,
)
from diffview.store.lock import store_lock
from diffview.store.paths import default_store_path, real_store_path
from diffview.store.plan import BRANCH, Plan, plan_store

Progress = Callable[[str], None]

# --- building --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildReport:
    """What a build did: 'created', 'rebuilt', 'appended' or 'unchanged'."""

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
) -> BuildReport:
    """Make the store hold exactly these documents; `locked=True` if the caller holds the lock."""
    started = time.perf_counter()
    store_path = Path(store_path or default_store_path()).expanduser().absolute()
    plan = plan_store(documents, statements, sources, labels)
    if not plan.commits:
        raise StoreError("nothing to store: the manifest lists no documents")
    if locked:
        action, written = _apply(plan, store_path, progress)
    else:
        with store_lock(store_path):
            action, written = _apply(plan, store_path, progress)
    seconds = time.perf_counter() - started
    say(progress, f"{action}: {len(plan.commits)} documents, HEAD {plan.refs[BRANCH][:12]}")
    return BuildReport(store_path, action, plan.refs[BRANCH], tuple(plan.commits), written, seconds)


def _apply(plan: Plan, store_path: Path, progress: Progress | None) -> tuple[str, int]:
    store_path = real_store_path(store_path)
    for dead in _leftovers(store_path):
        shutil.rmtree(dead, ignore_errors=True)
    if not store_path.exists():
        return "created", _build_fresh(plan, store_path, None, progress)
    if not is_store(store_path):
        raise StoreError(f"{store_path} exists and is not a diffview store; refusing to touch it")
    old = read_refs(store_path)
    if old == plan.refs:
        return "unchanged", 0
    old_head = old.get(BRANCH)
    shas = [sha for _, sha in plan.commits]
    appendable = old_head in shas and all(plan.refs.get(name) is not None for name in old)
    if appendable:
        say(progress, "appending to the existing history")
        return "appended", _append(plan, store_path, old)
    return "rebuilt", _build_fresh(plan, store_path, old, progress)


def _append(plan: Plan, store_path: Path, old: Mapping[str, str]) -> int:
    """Write objects, move refs by compare-and-swap, update the worktree; on failure undo
    all three (refs back by a reverse CAS, the worktree reset, the new loose objects removed),
    so that a caller rolling back its own changes (ingest) finds the store as it was."""
    with open_repo(store_path) as repo:
        written = write_objects(repo, plan.objects)
    moved = False
    try:
        update_refs(store_path, plan.refs, old)
        moved = True
        checkout(store_path)
    except BaseException:
        if moved:
            with suppress(StoreError):
                update_refs(store_path, old, plan.refs)
                checkout(store_path)
        for path in written:
            with suppress(OSError):
                path.unlink()
        raise
    return len(written)


def _build_fresh(
    plan: Plan, store_path: Path, old: Mapping[str, str] | None, progress: Progress | None
) -> int:
    """Build in a temp dir beside the store, then swap directories (old store kept on error)."""
    parent = store_path.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{store_path.name}.build-", dir=parent))
    tmp.rmdir()
    try:
        say(progress, f"writing {len(plan.objects)} objects")
        with init_repo(tmp) as repo:
            written = len(write_objects(repo, plan.objects))
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
    return [
        p
        for pattern in (f".{name}.build-*", f".{name}.old-*")
        for p in parent.glob(pattern)
        if p.is_dir() and not p.is_symlink()
    ]
