"""The store's work tree and index, written in Python from the object database.

By default only the small files are checked out (`CHECKED_OUT`); every other path is in
the index marked skip-worktree, so `git status` is clean and `git log`, `git show`,
`git diff <rev> <rev>` work as in any repository (a full checkout of a 1,000-document
store was 287 MB, rewritten at each ingest). `diffview build --worktree` checks out all
files (`.git/diffview-worktree` remembers it).

Why not `git read-tree -u` / `git checkout`: those honour the store's own `.git/config` and
attributes, so a hostile store could make them run a program (`filter.<x>.smudge`,
`.clean`, `.process`, `core.fsmonitor`) or write somewhere else (`core.worktree`). Here the
files of a commit's tree are listed by `git ls-tree` and read by `git cat-file` (both
sanitized), written under the store directory only (every directory opened relative to its
parent with `O_NOFOLLOW`, so a symlink planted in the store cannot redirect a write), and
a version-2 index is written so that `git status` is clean. Nothing in the store's
configuration is read.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from diffview.errors import StoreError

_FILE_MODES = {b"100644": 0o100644, b"100755": 0o100755}
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


CHECKED_OUT = frozenset({"README.md", ".gitattributes", "index.json"})
_FULL_MARK = "diffview-worktree"


def wants_full_worktree(repo: Path) -> bool:
    return (repo / ".git" / _FULL_MARK).is_file()


def set_full_worktree(repo: Path, full: bool) -> None:
    mark = repo / ".git" / _FULL_MARK
    if full:
        mark.write_text("full\n")
    else:
        mark.unlink(missing_ok=True)


def checkout_head(repo: Path) -> None:
    """Make the work tree and index match the branch (the store is generated: local edits
    go): the tree listed by `git ls-tree`, the checked-out blobs read by `cat-file`, both
    run sanitized; `git read-tree -u` would honour filters and `core.worktree` from the
    store's own config."""
    from diffview.store.git import run_git
    from diffview.store.objects import ObjectReader
    from diffview.store.plan import BRANCH

    listing = run_git(repo, "ls-tree", "-r", "-z", "--full-tree", BRANCH)
    tree: dict[str, tuple[int, str]] = {}
    for row in listing.split(b"\0"):
        if not row:
            continue
        meta, name = row.split(b"\t", 1)
        raw_mode, kind, raw_sha = meta.split(b" ")
        path = name.decode("utf-8", "surrogateescape")
        for part in path.split("/"):
            _check_name(part)
        if kind != b"blob" or raw_mode not in _FILE_MODES:
            raise StoreError(f"store tree entry {path!r} has unsupported mode {raw_mode!r}")
        tree[path] = (_FILE_MODES[raw_mode], raw_sha.decode("ascii"))
    full = wants_full_worktree(repo)
    files: dict[str, tuple[int, str, bytes]] = {}
    with ObjectReader(repo / ".git") as reader:
        for path, (mode, sha) in tree.items():
            if full or path in CHECKED_OUT:
                data = reader.blob(sha)
                if data is None:
                    raise StoreError(f"{repo}: blob {sha} of {path} missing")
                files[path] = (mode, sha, data)
    skipped = {p: v for p, v in tree.items() if p not in files}
    write_worktree(repo, files, skipped)


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
    """Paths a version 2/3 index lists as checked out (what the last checkout wrote,
    skip-worktree entries aside); empty if absent
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
            extended = version == 3 and flags & _EXTENDED
            skip = extended and data[pos + 62] << 8 & _SKIP_WORKTREE
            start = pos + 62 + (2 if extended else 0)
            end = data.index(b"\0", start)
            if not skip:  # never checked out: nothing to remove
                paths.add(data[start:end].decode("utf-8", "surrogateescape"))
            pos += ((end - pos) // 8 + 1) * 8  # path, then 1-8 NULs to a multiple of 8
    except (ValueError, struct.error):
        return paths
    return paths


_EXTENDED = 0x4000
_SKIP_WORKTREE = 0x4000


def _stat_fields(st: os.stat_result | None) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(ctime, mtime in s and ns, dev, ino), (uid, gid, size) as the index keeps them;
    zeros for an entry that is not checked out."""
    if st is None:
        return (0,) * 6, (0,) * 3
    ns = 10**9
    times: tuple[int, ...] = (int(st.st_ctime), st.st_ctime_ns % ns)
    times += (int(st.st_mtime), st.st_mtime_ns % ns, st.st_dev, st.st_ino)
    owner = (st.st_uid, st.st_gid, st.st_size)
    return tuple(x & 0xFFFFFFFF for x in times), tuple(x & 0xFFFFFFFF for x in owner)


def _index_bytes(entries: Mapping[str, tuple[int, str, os.stat_result | None]]) -> bytes:
    """An index for `entries` {path: (mode, sha, stat)}, sorted as git sorts; an entry
    without a stat is skip-worktree (version 3: the flag is an extended one)."""
    version = 3 if any(st is None for _, _, st in entries.values()) else 2
    body = [b"DIRC", struct.pack(">II", version, len(entries))]
    for path in sorted(entries, key=lambda p: p.encode("utf-8", "surrogateescape")):
        mode, sha, stat = entries[path]
        name = path.encode("utf-8", "surrogateescape")
        flags = min(len(name), 0xFFF) | (_EXTENDED if stat is None else 0)
        times, owner = _stat_fields(stat)
        fixed = struct.pack(">IIIIIIIIII20sH", *times, mode, *owner, bytes.fromhex(sha), flags)
        if stat is None:
            fixed += struct.pack(">H", _SKIP_WORKTREE)
        entry = fixed + name
        body.append(entry + b"\0" * (8 - len(entry) % 8))
    data = b"".join(body)
    return data + hashlib.sha1(data).digest()


def write_worktree(
    root: Path,
    files: Mapping[str, tuple[int, str, bytes]],
    skipped: Mapping[str, tuple[int, str]] | None = None,
) -> None:
    """Make the files under `root` and `root/.git/index` match `files` exactly: write what
    differs, remove what the previous index had checked out and `files` lacks; `skipped`
    paths are in the index only, skip-worktree."""
    git_dir = root / ".git"
    if git_dir.is_symlink() or not git_dir.is_dir():
        raise StoreError(f"{root}: .git is not a directory of the store")
    index = git_dir / "index"
    stale = read_index_paths(index) - set(files)
    entries: dict[str, tuple[int, str, os.stat_result | None]] = {
        path: (mode, sha, None) for path, (mode, sha) in (skipped or {}).items()
    }
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
