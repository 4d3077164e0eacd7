"""Git trees held in memory and updated in place, one commit after another.

Why: the old planner built every commit's tree from a flat map of all files, so each
commit re-hashed every blob and tree of the store (quadratic in documents). Here a
directory keeps its serialised entries sorted as git sorts them; setting a file replaces
one row, and only the directories on its path are hashed again (`sha`).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Callable

FILE_MODE = b"100644"
DIR_MODE = b"40000"


def object_id(kind: str, data: bytes) -> str:
    """The git object id of `data` as an object of `kind` (blob, tree, commit, tag)."""
    h = hashlib.sha1(f"{kind} {len(data)}\0".encode())
    h.update(data)
    return h.hexdigest()


class Tree:
    """One directory: rows (`mode name\\0sha`) in git order, subdirectories by name."""

    __slots__ = ("_dirty", "_keys", "_rows", "_sha", "dirs")

    def __init__(self) -> None:
        self._keys: list[bytes] = []  # name, `name/` for a directory: git's sort key
        self._rows: list[bytes] = []
        self.dirs: dict[str, Tree] = {}
        self._dirty: set[str] = set()
        self._sha: str | None = None

    @classmethod
    def parse(cls, sha: str, load: Callable[[str], bytes]) -> Tree:
        """The tree `sha` as stored (`load` returns a tree object's bytes), subtrees too."""
        tree = cls()
        data = load(sha)
        pos = 0
        while pos < len(data):
            space = data.index(b" ", pos)
            nul = data.index(b"\0", space)
            mode, name = data[pos:space], data[space + 1 : nul]
            end = nul + 21
            if mode == DIR_MODE:
                tree.dirs[name.decode()] = cls.parse(data[nul + 1 : end].hex(), load)
                name += b"/"
            tree._keys.append(name)
            tree._rows.append(data[pos:end])
            pos = end
        tree._sha = sha
        return tree

    def set(self, path: str, blob: str) -> None:
        """Point `path` (a/b/c) at the blob `blob`, creating directories on the way."""
        head, _, rest = path.partition("/")
        self._sha = None
        if rest:
            sub = self.dirs.get(head)
            if sub is None:
                sub = self.dirs[head] = Tree()
                self._put(head.encode() + b"/", b"")
            sub.set(rest, blob)
            self._dirty.add(head)
            return
        self._put(head.encode(), FILE_MODE + b" " + head.encode() + b"\0" + bytes.fromhex(blob))

    def delete(self, path: str) -> None:
        """Take the file `path` out; a directory left empty goes too (git has no empty
        trees). A path that is not there is no error."""
        head, _, rest = path.partition("/")
        if rest:
            sub = self.dirs.get(head)
            if sub is None:
                return
            sub.delete(rest)
            self._sha = None
            if sub._keys:
                self._dirty.add(head)
            else:
                del self.dirs[head]
                self._dirty.discard(head)
                self._drop(head.encode() + b"/")
            return
        self._sha = None
        self._drop(head.encode())

    def _drop(self, key: bytes) -> None:
        i = bisect_left(self._keys, key)
        if i < len(self._keys) and self._keys[i] == key:
            del self._keys[i], self._rows[i]

    def _put(self, key: bytes, row: bytes) -> None:
        i = bisect_left(self._keys, key)
        if i < len(self._keys) and self._keys[i] == key:
            self._rows[i] = row
        else:
            self._keys.insert(i, key)
            self._rows.insert(i, row)

    def sha(self) -> str:
        """This directory's tree id, re-hashing only what changed since the last call."""
        if self._sha is None:
            for name in self._dirty:
                sub = self.dirs[name]
                row = DIR_MODE + b" " + name.encode() + b"\0" + bytes.fromhex(sub.sha())
                self._put(name.encode() + b"/", row)
            self._dirty.clear()
            self._sha = object_id("tree", b"".join(self._rows))
        return self._sha
