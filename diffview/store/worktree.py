"""The store's work tree and index, written in Python from the object database.

Why not `git read-tree -u` / `git checkout`: those honour the store's own `.git/config` and
attributes, so a hostile store could make them run a program (`filter.<x>.smudge`,
`.clean`, `.process`, `core.fsmonitor`) or write somewhere else (`core.worktree`). Here the
files of a commit's tree are read through gitdb, written under the store directory only
(every directory opened relative to its parent with `O_NOFOLLOW`, so a symlink planted in
the store cannot redirect a write), and a version-2 index is written so that `git status`
is clean. Nothing in the store's configuration is read.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from diffview.errors import StoreError

_FILE_MODES = {b"100644": 0o100644, b"100755": 0o100755}
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


def commit_tree_files(odb: Any, commit: str) -> dict[str, tuple[int, str, bytes]]:
    """{path: (mode, blob sha, bytes)} of a commit's tree, read through gitdb."""
    data = odb.stream(bytes.fromhex(commit)).read()
    first = data.split(b"\n", 1)[0]
    if not first.startswith(b"tree "):
        raise StoreError(f"commit {commit} has no tree")
    out: dict[str, tuple[int, str, bytes]] = {}
    _walk(odb, first[5:].decode("ascii"), "", out)
    return out


def _walk(odb: Any, tree: str, prefix: str, out: dict[str, tuple[int, str, bytes]]) -> None:
    data = odb.stream(bytes.fromhex(tree)).read()
    pos = 0
    while pos < len(data):
        space = data.index(b" ", pos)
        nul = data.index(b"\0", space)
        mode, name = data[pos:space], data[space + 1 : nul].decode("utf-8", "surrogateescape")
        sha = data[nul + 1 : nul + 21].hex()
        pos = nul + 21
        _check_name(name)
        path = prefix + name
        if mode == b"40000":
            _walk(odb, sha, path + "/", out)
        elif mode in _FILE_MODES:
            out[path] = (_FILE_MODES[mode], sha, odb.stream(bytes.fromhex(sha)).read())
        else:  # symlinks and submodules never come from diffview: refuse, do not follow
            raise StoreError(f"store tree entry {path!r} has unsupported mode {mode.decode()}")


def _check_name(name: str) -> None:
    if name in ("", ".", "..") or "/" in name or "\0" in name or name.lower() == ".git":
        raise StoreError(f"refusing unsafe path {name!r} in the store's tree")


@contextmanager
def _dir_fd(root: Path) -> Iterator[int]:
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        yield fd
    finally:
        os.close(fd)


def _open_dir(parent: int, name: str, create: bool) -> int | None:
    """Open `name` under `parent` without following a symlink; a symlink or file in the way
    is removed when creating (the store is generated), left alone otherwise."""
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent)
    except FileNotFoundError:
        if not create:
            return None
    except (NotADirectoryError, OSError):
        if not create:
            return None
        os.unlink(name, dir_fd=parent)  # a symlink or a file where a directory belongs
    os.mkdir(name, 0o755, dir_fd=parent)
    return os.open(name, _DIR_FLAGS, dir_fd=parent)


def _write_file(root: int, path: str, mode: int, data: bytes) -> os.stat_result:
    """Write `data` at `path` (relative to `root`) by temp file + rename, never through a
    symlink; unchanged files are left as they are."""
    *dirs, name = path.split("/")
    fd = os.dup(root)
    try:
        for part in dirs:
            sub = _open_dir(fd, part, create=True)
            os.close(fd)
            fd = sub  # type: ignore[assignment]
        with suppress(OSError):
            cur = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=fd)
            try:
                st = os.fstat(cur)
                same = st.st_size == len(data) and os.read(cur, len(data) + 1) == data
            finally:
                os.close(cur)
            if same and (st.st_mode & 0o777) == (mode & 0o777):
                return st
        tmp = f".{name}.tmp-{os.getpid()}"
        with suppress(FileNotFoundError):
            os.unlink(tmp, dir_fd=fd)
        out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644, dir_fd=fd)
        try:
            with os.fdopen(os.dup(out), "wb") as fh:
                fh.write(data)
            os.fchmod(out, mode & 0o777)
        finally:
            os.close(out)
        os.replace(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)
        return os.stat(name, dir_fd=fd, follow_symlinks=False)
    finally:
        os.close(fd)


def _remove_file(root: int, path: str) -> None:
    """Remove a file that is no longer tracked, and its directories once empty."""
    *dirs, name = path.split("/")
    fds = [os.dup(root)]
    try:
        for part in dirs:
            sub = _open_dir(fds[-1], part, create=False)
            if sub is None:
                return
            fds.append(sub)
        with suppress(FileNotFoundError, IsADirectoryError, PermissionError):
            os.unlink(name, dir_fd=fds[-1])
        for parent, part in zip(reversed(fds[:-1]), reversed(dirs), strict=True):
            with suppress(OSError):
                os.rmdir(part, dir_fd=parent)
    finally:
        for fd in fds:
            os.close(fd)


def read_index_paths(index: Path) -> set[str]:
    """Paths listed in a version 2/3 index (what the last checkout wrote); empty if absent
    or unreadable (nothing is then removed, which is the safe side)."""
    try:
        data = index.read_bytes()
    except OSError:
        return set()
    if len(data) < 12 or data[:4] != b"DIRC":
        return set()
    version, count = struct.unpack(">II", data[4:12])
    if version not in (2, 3):
        return set()
    paths: set[str] = set()
    pos = 12
    try:
        for _ in range(count):
            (flags,) = struct.unpack(">H", data[pos + 60 : pos + 62])
            start = pos + 62 + (2 if version == 3 and flags & 0x4000 else 0)
            end = data.index(b"\0", start)
            paths.add(data[start:end].decode("utf-8", "surrogateescape"))
            pos += ((end - pos) // 8 + 1) * 8  # path, then 1-8 NULs to a multiple of 8
    except (ValueError, struct.error):
        return paths
    return paths


def _index_bytes(entries: Mapping[str, tuple[int, str, os.stat_result]]) -> bytes:
    """A version-2 index for `entries` {path: (mode, sha, stat)}, sorted as git sorts."""
    body = [b"DIRC", struct.pack(">II", 2, len(entries))]
    for path in sorted(entries, key=lambda p: p.encode("utf-8", "surrogateescape")):
        mode, sha, st = entries[path]
        name = path.encode("utf-8", "surrogateescape")
        fixed = struct.pack(
            ">IIIIIIIIII20sH",
            int(st.st_ctime) & 0xFFFFFFFF,
            st.st_ctime_ns % 1_000_000_000,
            int(st.st_mtime) & 0xFFFFFFFF,
            st.st_mtime_ns % 1_000_000_000,
            st.st_dev & 0xFFFFFFFF,
            st.st_ino & 0xFFFFFFFF,
            mode,
            st.st_uid & 0xFFFFFFFF,
            st.st_gid & 0xFFFFFFFF,
            st.st_size & 0xFFFFFFFF,
            bytes.fromhex(sha),
            min(len(name), 0xFFF),
        )
        entry = fixed + name
        body.append(entry + b"\0" * (8 - len(entry) % 8))
    data = b"".join(body)
    return data + hashlib.sha1(data).digest()


def write_worktree(root: Path, files: Mapping[str, tuple[int, str, bytes]]) -> None:
    """Make the files under `root` and `root/.git/index` match `files` exactly: write what
    differs, remove what the previous index tracked and `files` lacks."""
    git_dir = root / ".git"
    if git_dir.is_symlink() or not git_dir.is_dir():
        raise StoreError(f"{root}: .git is not a directory of the store")
    index = git_dir / "index"
    stale = read_index_paths(index) - set(files)
    entries: dict[str, tuple[int, str, os.stat_result]] = {}
    with _dir_fd(root) as fd:
        for path in sorted(stale):
            if not any(_bad(p) for p in path.split("/")):
                _remove_file(fd, path)
        for path, (mode, sha, data) in files.items():
            entries[path] = (mode, sha, _write_file(fd, path, mode, data))
    tmp = git_dir / f"index.tmp-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    with open(tmp, "xb") as fh:
        fh.write(_index_bytes(entries))
    os.replace(tmp, index)


def _bad(name: str) -> bool:
    return name in ("", ".", "..") or name.lower() == ".git"
