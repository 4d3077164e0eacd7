"""Reading objects: one long-lived `git cat-file --batch`, no GitPython.

Why: a reader asks for a few hundred blobs; one process answers them all, resolving
`<commit>:<path>` in C (no tree walk from the root per blob in Python), from loose objects
and packs alike. It runs with the sanitized environment and `-c` overrides of `git.py`;
`cat-file --batch` runs no filter or textconv unless asked to.
"""

from __future__ import annotations

import hashlib
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from diffview.errors import StoreError
from diffview.store.git import git_argv, git_env

# Requests written at once: their lines (< 200 bytes each) stay well inside a pipe's buffer,
# so git's answers can fill its own while the requests are still being written.
_BATCH = 128


class ObjectReader:
    """`get(name)` -> (type, bytes) or None when the object does not exist."""

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                git_argv(self.git_dir, "cat-file", "--batch"),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=git_env(),
                cwd=self.git_dir.parent,
            )
        return self._proc

    def get(self, name: str) -> tuple[str, bytes] | None:
        """An object by id or `<rev>:<path>`; names are ids and paths we made, never text."""
        return self.get_many([name])[0]

    def get_many(self, names: Sequence[str]) -> list[tuple[str, bytes] | None]:
        """Objects by name, asked for in batches written at once: one round trip per batch,
        not per object (a store's 84 round indexes cost 2.5 ms each one by one on a busy
        machine, waiting for git to be scheduled; git itself answers them in 40 ms)."""
        for name in names:
            if "\n" in name or not name or name.startswith("-"):
                raise StoreError(f"refusing object name {name!r}")
        found: list[tuple[str, bytes] | None] = []
        for i in range(0, len(names), _BATCH):
            batch = names[i : i + _BATCH]
            with self._lock:
                found += self._ask(batch)
        return found

    def _ask(self, names: Sequence[str]) -> list[tuple[str, bytes] | None]:
        proc = self._start()
        out: IO[bytes] = proc.stdout  # type: ignore[assignment]
        try:
            proc.stdin.write(b"".join(n.encode() + b"\n" for n in names))  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
        except (BrokenPipeError, OSError):
            raise StoreError(f"git cat-file failed in {self.git_dir}") from None
        return [self._answer(out) for _ in names]

    def _answer(self, out: IO[bytes]) -> tuple[str, bytes] | None:
        try:
            header = out.readline()
        except OSError:
            header = b""
        parts = header.split()
        if len(parts) != 3:
            if header.endswith(b" missing\n") or header.endswith(b" ambiguous\n"):
                return None
            raise StoreError(f"git cat-file failed in {self.git_dir}")
        data = out.read(int(parts[2]))
        out.read(1)
        return parts[1].decode("ascii"), data

    def blob(self, name: str) -> bytes | None:
        got = self.get(name)
        return got[1] if got is not None else None

    def blobs(self, names: Sequence[str]) -> list[bytes | None]:
        return [got[1] if got is not None else None for got in self.get_many(names)]

    def peel(self, sha: str) -> str | None:
        """The commit a tag (or a commit) id names; None if missing."""
        got = self.get(sha)
        while got is not None and got[0] == "tag":
            got_sha = got[1].split(b"\n", 1)[0].removeprefix(b"object ").decode("ascii")
            sha, got = got_sha, self.get(got_sha)
        return sha if got is not None and got[0] == "commit" else None

    def close(self) -> None:
        with self._lock:
            proc, self._proc = self._proc, None
        if proc is not None:
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
            proc.wait()

    def __enter__(self) -> ObjectReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def tree_of(reader: ObjectReader, commit: str) -> str:
    got = reader.get(commit)
    if got is None or got[0] != "commit" or not got[1].startswith(b"tree "):
        raise StoreError(f"{reader.git_dir}: commit {commit} missing")
    return got[1][5:45].decode("ascii")


def first_parents(reader: ObjectReader, commits: Sequence[str]) -> list[str | None]:
    """Each commit's first parent (None: a root commit, or not a commit), read at once."""
    out: list[str | None] = []
    for got in reader.get_many(commits):
        lines = got[1].split(b"\n", 2) if got is not None and got[0] == "commit" else []
        parent = lines[1] if len(lines) > 1 else b""
        out.append(parent[7:47].decode("ascii") if parent.startswith(b"parent ") else None)
    return out


def first_parent_history(reader: ObjectReader, head: str, length: int) -> list[str] | None:
    """The commits of `head`'s first-parent history, oldest first, if it is `length` long
    (else None), read in one batch (`<head>~k`, walked by git) by this reader: inside its
    snapshot, which a store swapped underneath keeps (a new `git rev-list` would not)."""
    found = reader.get_many([f"{head}~{k}" for k in range(length + 1)])
    if length == 0 or found[-1] is not None:
        return None
    shas = []
    for got in found[:-1]:
        if got is None or got[0] != "commit":
            return None
        shas.append(hashlib.sha1(b"commit %d\0" % len(got[1]) + got[1]).hexdigest())
    return shas[::-1] if shas[0] == head else None
