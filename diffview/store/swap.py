"""Putting a new store in place of the old one: an atomic exchange of directories, and the
leftovers of builds that died."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from diffview.store.fastimport import QUARANTINE


def swap(new: Path, store_path: Path) -> None:
    """Put the new store at `store_path`: one atomic exchange of the two directories where
    the system has it (Linux `renameat2`), so a reader never finds the path missing; else
    two renames."""
    if not store_path.exists():
        os.rename(new, store_path)
        return
    if exchange(new, store_path):
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


def exchange(a: Path, b: Path) -> bool:
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


def leftovers(store_path: Path) -> list[Path]:
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
