"""The store lock: one writer at a time, and nothing for a killed writer to leave behind.

The lock is a file beside the store (`<store>.lock`), not inside it, because a rebuild swaps
the store directory. What excludes is an `fcntl.flock` on that file, held by the open file
of the live writer: the kernel releases it when the process ends, however it ends, so the
lock of a writer killed with SIGKILL is simply free for the next one (journal.recover then
finishes or undoes what that writer left). The file also records pid, host and time, for
the message a waiting run gives when a live writer keeps the lock past the wait.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from diffview.errors import StoreError

LOCK_WAIT_SECONDS = 30.0
_POLL_SECONDS = 0.05


def lock_path(store_path: Path) -> Path:
    """The lock lives beside the store (the store directory itself gets swapped); beside the
    real directory when the path is a symlink, so both names share one lock."""
    store_path = Path(os.path.abspath(Path(store_path).expanduser()))
    if store_path.is_symlink():
        store_path = Path(os.path.realpath(store_path))
    if not store_path.name:
        raise StoreError(
            f"{store_path}: cannot be a store; name a directory of its own, e.g. "
            f"--store {store_path / 'store'}"
        )
    return store_path.with_name(store_path.name + ".lock")


@contextmanager
def store_lock(store_path: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[Path]:
    """Hold `<store>.lock` for the block. Wait up to `wait` seconds for a live holder, then
    refuse in one line naming it; a lock file left by a dead run is taken over at once."""
    path = lock_path(store_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = _acquire(path, deadline=time.monotonic() + wait)
    try:
        yield path
    finally:
        # Unlinked while still held: a run that opened this file meanwhile finds, once it
        # gets the flock, that the path no longer names its file, and starts over (`_held`).
        with suppress(FileNotFoundError):
            path.unlink()
        os.close(fd)


def _acquire(path: Path, deadline: float) -> int:
    """Open the lock file and flock it; poll while a live holder has it."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            _waiting(path)
            if time.monotonic() > deadline:
                msg = f"store is locked ({_describe_lock(path)}); try again later"
                raise StoreError(msg) from None
            time.sleep(_POLL_SECONDS)
            continue
        except BaseException:
            os.close(fd)
            raise
        if not _held(fd, path):
            os.close(fd)  # the holder we waited for removed the file: lock the new one
            continue
        _record_holder(fd)
        return fd


def _held(fd: int, path: Path) -> bool:
    """Is the file we locked still the one at `path` (not unlinked by its last holder)?"""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


def _record_holder(fd: int) -> None:
    """Say who holds the lock, for the message of a run that waits in vain."""
    info = {"pid": os.getpid(), "host": socket.gethostname(), "time": _now_iso()}
    data = (json.dumps(info) + "\n").encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


def _waiting(path: Path) -> None:
    """Called each time a run finds the lock held by a live writer (a hook for tests that
    force an interleaving: the other run is now waiting)."""


def _now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _read_lock(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None


def _describe_lock(path: Path) -> str:
    info = _read_lock(path) or {}
    pid, host, since = (info.get(k, "?") for k in ("pid", "host", "time"))
    return f"lock file {path}, pid {pid} on {host} since {since}"
