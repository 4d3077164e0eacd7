"""The corpus's source files as a build sees them: read on demand, hashed through a stat cache.

A build compares every source with the stored one (its sha256) to find what changed; reading
and hashing a thousand sources (77 MB) for an ingest of one was a fifth of the ingest. As git
does with its index, a file whose size, mtime and inode are those recorded at the last write
keeps its recorded sha256 unread. The cache lives beside the objects (`.git/`), is never
committed, and a file it does not vouch for is read and hashed as before.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from diffview.corpus.sources import read_bytes
from diffview.model import Document
from diffview.store.paths import keep_beside_objects

STATS_FILE = "diffview-source-stats.json"
_SHA256 = re.compile(r"[0-9a-f]{64}")
Stat = tuple[int, int, int]  # size, mtime_ns, inode


def _stat(path: Path) -> Stat | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


class CorpusFiles(Mapping[str, bytes]):
    """Source name → bytes (read when first asked for), and `sha256(name)`."""

    def __init__(self, versions_dir: Path, documents: Sequence[Document], store: Path) -> None:
        self.versions_dir = versions_dir
        self._names = [d.source for d in documents]
        self._known = set(self._names)
        self._bytes: dict[str, bytes] = {}
        self._hashes: dict[str, str] = {}
        self._stats: dict[str, Stat] = {}
        self._recorded = _load(store, versions_dir)

    def __getitem__(self, name: str) -> bytes:
        if name not in self._known:
            raise KeyError(name)
        if name not in self._bytes:
            self._read(name)
        return self._bytes[name]

    def _read(self, name: str) -> None:
        """Read and hash a source; its stat is kept only if the file did not change meanwhile."""
        path = self.versions_dir / name
        before = _stat(path)
        self._bytes[name] = data = read_bytes(path)
        self._hashes[name] = hashlib.sha256(data).hexdigest()
        if before is not None and before == _stat(path):
            self._stats[name] = before

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._known

    def sha256(self, name: str) -> str:
        """The source's sha256: the recorded one while the file's stat is unchanged."""
        if name in self._hashes:
            return self._hashes[name]
        recorded = self._recorded.get(name)
        now = _stat(self.versions_dir / name)
        if recorded is not None and now is not None and recorded[0] == now:
            self._hashes[name], self._stats[name] = recorded[1], now
            return recorded[1]
        self._read(name)
        return self._hashes[name]

    def record(self, store: Path) -> None:
        """After a write: what the files were, for the next build (atomic; best effort)."""
        entries = {n: [*self._stats[n], self._hashes[n]] for n in self._names if n in self._stats}
        data = {"versions": str(self.versions_dir.resolve()), "files": entries}
        encoded = json.dumps(data, sort_keys=True).encode("utf-8")
        keep_beside_objects(store / ".git" / STATS_FILE, encoded)


def _load(store: Path, versions_dir: Path) -> dict[str, tuple[Stat, str]]:
    """The recorded stats of this versions/ directory; anything malformed is ignored."""
    try:
        data = json.loads((store / ".git" / STATS_FILE).read_text(encoding="utf-8"))
        if data.get("versions") != str(versions_dir.resolve()):
            return {}
        out: dict[str, tuple[Stat, str]] = {}
        for name, (size, mtime, ino, sha) in data["files"].items():
            ints = all(type(x) is int for x in (size, mtime, ino))
            if isinstance(name, str) and ints and isinstance(sha, str) and _SHA256.fullmatch(sha):
                out[name] = ((size, mtime, ino), sha)
        return out
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        return {}


__all__ = ["CorpusFiles"]
