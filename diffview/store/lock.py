"""The store lock: one writer at a time, and a loud refusal of a lock left by a dead run.

The lock is a file beside the store (`<store>.lock`), not inside it, because a rebuild swaps
the store directory. It records pid, host and time so that a waiting run can tell a live
holder (wait) from a stale one (refuse, and say how to remove it).
"""

from __future__ import annotations

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


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def store_lock(store_path: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[Path]:
    """Hold `<store>.lock` (O_EXCL). Wait for a live holder; refuse a stale lock loudly.

    A stale lock (its process is gone) is never deleted silently: the previous run may have
    died half-way, and the user should know; the message says how to remove it.
    """
    path = lock_path(store_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _acquire(path, deadline=time.monotonic() + wait)
    try:
        yield path
    finally:
        with suppress(FileNotFoundError):
            path.unlink()


def _acquire(path: Path, deadline: float) -> None:
    """Create the lock file, saying who holds it; poll while a live holder has it."""
    info = {"pid": os.getpid(), "host": socket.gethostname(), "time": _now_iso()}
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            _check_stale(path)
            if time.monotonic() > deadline:
                msg = f"store is locked ({_describe_lock(path)}); try again later"
                raise StoreError(msg) from None
            time.sleep(0.05)
            continue
        with os.fdopen(fd, "w") as fh:
            fh.write(json.dumps(info) + "\n")
        return


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


def _check_stale(path: Path) -> None:
    info = _read_lock(path)
    if info is None:
        try:
            age = time.time() - path.stat().st_mtime
        except FileNotFoundError:
            return
        if age < 10:  # being written right now
            return
        stale = True
    else:
        same_host = info.get("host") == socket.gethostname()
        pid = info.get("pid")
        stale = same_host and isinstance(pid, int) and not _pid_alive(pid)
    if stale:
        raise StoreError(
            f"stale lock: {_describe_lock(path)} is not running; if no other diffview is "
            f"using the store, remove the lock with: rm {path}"
        )
