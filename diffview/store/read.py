"""Reading a store: a typed, snapshot-consistent view that the views use."""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from diffview.corpus.manifest import doc_tag, rounds
from diffview.errors import StoreError
from diffview.model import Document, Statement, TopicLogEntry, Version
from diffview.store.files import (
    document_from_dict,
    statement_from_dict,
)
from diffview.store.git import is_store, safe_repo
from diffview.store.paths import default_store_path, tag_ref
from diffview.store.plan import BRANCH

# --- reading ---------------------------------------------------------------------------------


def _why(exc: BaseException) -> str:
    """One line for an unexpected library error (GitPython messages can span lines)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def _as_of_document(versions: list[Version], doc_id: str) -> Version | None:
    """The round containing `doc_id`, cut after it (tagged `doc-<id>` unless it is the last)."""
    for v in versions:
        for i, d in enumerate(v.docs):
            if d.id == doc_id:
                tag = v.tag if i == len(v.docs) - 1 else doc_tag(d.id)
                return Version(v.round, f"{v.label} (as of {d.id})", v.docs[: i + 1], tag)
    return None


def _snapshot_refs(repo: Any) -> dict[str, str]:
    """Every ref of an open repository, resolved once (pure Python: loose and packed refs)."""
    return {ref.path: ref.dereference_recursive(repo, ref.path) for ref in repo.references}


def _open_snapshot(path: Path) -> tuple[Any, dict[str, str]]:
    """A repository and its refs as of now, checked to hold a manifest at the branch."""
    repo = safe_repo(path)
    try:
        refs = _snapshot_refs(repo)
        head = repo.commit(refs[BRANCH])
        (head.tree / "manifest.json").data_stream.read()
    except BaseException:
        repo.close()
        raise
    return repo, refs


# Per-snapshot caches of `Store`, dropped when a reader moves on to a rebuilt store.
_SNAPSHOT_CACHES = ("head", "_manifest", "_documents", "_topics", "_by_id", "_topic_counts")
_P = ParamSpec("_P")
_R = TypeVar("_R")


_CACHE_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{0,200}\.json")


class _Vanished(StoreError):
    """An object read failed: the store may have been rebuilt under the reader."""


def _retrying(method: Callable[Concatenate[Store, _P], _R]) -> Callable[Concatenate[Store, _P], _R]:
    """A public reading method runs on one snapshot; if a read fails because the store was
    rebuilt meanwhile, it runs once more, whole, on the new one (never half and half)."""

    @functools.wraps(method)
    def wrapper(self: Store, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        if self._depth:  # called from another public method: the outer call retries
            return method(self, *args, **kwargs)
        self._depth += 1
        try:
            try:
                return method(self, *args, **kwargs)
            except _Vanished as exc:
                if not self._reopen():
                    raise StoreError(str(exc)) from None
            try:
                return method(self, *args, **kwargs)
            except _Vanished as exc:
                raise StoreError(str(exc)) from None
        finally:
            self._depth -= 1

    return wrapper


class Store:
    """Read-only view of a diffview store. The views use only these methods.

    A snapshot: refs are resolved once at open and every read goes by object id, so a
    writer moving refs does not change what an open store says. A rebuild swaps the whole
    directory, and objects of the old history may vanish under a reader: a read that fails
    then re-opens the store once, and the reader goes on with the new snapshot (it never
    mixes the two in one cache); any other read failure is a one-line `StoreError`.
    """

    def __init__(self, path: Path, repo: Any, refs: Mapping[str, str] | None = None) -> None:
        self.path = path
        self._repo = repo
        self._refs = dict(refs) if refs is not None else _snapshot_refs(repo)
        self._blobs: dict[tuple[str, str], bytes | None] = {}
        self._stmts: dict[str, list[Statement]] = {}
        self._lines: dict[str, list[str]] = {}  # decoded source lines per document id
        self._depth = 0  # nesting of public reading methods (see `_retrying`)

    def commit_of(self, version: Version) -> str:
        """The commit a version's tag points at: what is derived from it can be keyed by it."""
        return self._commit_sha(self._rev_of(version))

    def _cache_file(self, name: str) -> Path:
        if not _CACHE_NAME.fullmatch(name):
            raise ValueError(f"bad cache name {name!r}")
        return self.path / ".git" / "diffview-cache" / name

    def cache_get(self, name: str) -> bytes | None:
        """Derived data written by `cache_put` (None when absent or unreadable): never part of
        a commit, so the history and its commit ids do not depend on it."""
        try:
            return self._cache_file(name).read_bytes()
        except OSError:
            return None

    def cache_put(self, name: str, data: bytes) -> None:
        """Keep derived data beside the objects (atomic; a read-only store just skips it)."""
        target = self._cache_file(name)
        try:
            target.parent.mkdir(exist_ok=True)
            temp = target.with_name(f".{name}.{os.getpid()}.tmp")
            temp.write_bytes(data)
            os.replace(temp, target)
        except OSError:
            return

    @classmethod
    def open(cls, path: Path | None = None) -> Store:
        """Open the store at `path` (default: `default_store_path()`); refuse anything else."""
        path = Path(path or default_store_path()).expanduser().absolute()
        if not path.exists():
            raise StoreError(f"no store at {path}; run `diffview build` first")
        if not path.is_dir():
            raise StoreError(f"{path} is not a diffview store (not a directory)")
        if not is_store(path):
            raise StoreError(f"{path} is not a diffview store (no diffview.store=1 in its config)")
        try:
            repo, refs = _open_snapshot(path)
        except Exception as exc:  # noqa: BLE001 - GitPython/gitdb raise many unrelated types
            raise StoreError(f"{path} is not a readable diffview store: {_why(exc)}") from None
        return cls(path, repo, refs)

    def close(self) -> None:
        self._repo.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self, what: str, read: Callable[[], Any]) -> Any:
        """Run an object read; a library error becomes `_Vanished` (see `_retrying`)."""
        try:
            return read()
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - GitPython/gitdb raise many unrelated types
            raise _Vanished(f"{self.path}: cannot read {what}: {_why(exc)}") from None

    def _reopen(self) -> bool:
        """Move on to the store now at `self.path` if its refs differ from the snapshot's."""
        try:
            repo, refs = _open_snapshot(self.path)
        except Exception:  # noqa: BLE001 - not (yet) a readable store: keep the error we had
            return False
        if refs == self._refs:
            repo.close()
            return False
        self._repo.close()
        self._repo, self._refs = repo, refs
        self._blobs.clear()
        self._stmts.clear()
        self._lines.clear()
        for name in _SNAPSHOT_CACHES:
            self.__dict__.pop(name, None)
        return True

    # blobs, cached per (commit, path)
    def _commit_sha(self, rev: str) -> str:
        def peel() -> str:
            sha = self._refs.get(rev)
            if sha is None:
                raise StoreError(f"{rev!r} not found in the store {self.path}")
            return str(self._repo.commit(sha).hexsha)

        return str(self._read(rev, peel))

    def _blob(self, commit: str, path: str) -> bytes | None:
        key = (commit, path)
        if key not in self._blobs:

            def read() -> bytes | None:
                try:
                    return bytes((self._repo.commit(commit).tree / path).data_stream.read())
                except KeyError:  # no such path in that commit
                    return None

            self._blobs[key] = self._read(f"{path} at {commit[:12]}", read)
        return self._blobs[key]

    @cached_property
    def head(self) -> str:
        return self._commit_sha(BRANCH)

    @cached_property
    def _manifest(self) -> dict[str, Any]:
        data = self._blob(self.head, "manifest.json")
        if data is None:
            raise StoreError(f"{self.path}: manifest.json missing at HEAD")
        return json.loads(data)

    @cached_property
    def _documents(self) -> tuple[Document, ...]:
        """An open store is a snapshot of HEAD: its documents are read once."""
        return tuple(document_from_dict(d) for d in self._manifest["documents"])

    @_retrying
    def documents(self) -> list[Document]:
        return list(self._documents)

    def _labels(self) -> dict[str, str]:
        return dict(self._manifest.get("rounds", {}))

    def _document(self, doc_id: str) -> Document:
        for d in self._documents:
            if d.id == doc_id:
                return d
        ids = ", ".join(d.id for d in self._documents)
        raise StoreError(f"unknown document {doc_id!r}; the store has {ids}")

    @_retrying
    def statements(
        self, doc: str | None = None, at: str | Version | None = None
    ) -> list[Statement]:
        """Statements at HEAD (or at a version/tag/spec), optionally of one document."""
        commit = self.head if at is None else self._commit_sha(self._rev_of(at))
        if commit not in self._stmts:
            self._stmts[commit] = self._load_statements(commit)
        stmts = self._stmts[commit]
        if doc is not None:
            self._document(doc)
            return [s for s in stmts if s.doc == doc]
        return list(stmts)

    def _load_statements(self, commit: str) -> list[Statement]:
        data = self._blob(commit, "manifest.json")
        docs = json.loads(data)["documents"] if data else []
        out: list[Statement] = []
        for d in docs:
            raw = self._blob(commit, f"statements/{d['id']}.json")
            if raw is None:
                raise StoreError(f"{self.path}: statements/{d['id']}.json missing")
            out.extend(statement_from_dict(s) for s in json.loads(raw)["statements"])
        return out

    def _rev_of(self, at: str | Version) -> str:
        if isinstance(at, Version):
            return tag_ref(at.tag)
        return tag_ref(self.resolve_version(at).tag)

    @_retrying
    def topics(self) -> list[str]:
        return list(self._topics)

    @cached_property
    def _topics(self) -> tuple[str, ...]:
        """Every topic at HEAD, computed once (compare, the CLI and the app all ask)."""
        return tuple(sorted({t for s in self.statements() for t in s.topic_names}))

    @_retrying
    def versions(self, topic: str | None = None) -> list[Version]:
        """Rounds oldest first. With `topic`: only rounds where the cabinet spoke on it."""
        all_rounds = rounds(self.documents(), self._labels())
        if topic is None:
            return all_rounds
        counts = self.topic_counts().get(topic, {})
        return [v for v in all_rounds if any(counts.get(d.id) for d in v.docs)]

    @_retrying
    def resolve_version(self, spec: str | Version) -> Version:
        """A round (`2024-10`, `round-2024-10`), a year (`2024`: its last round), a document
        (`003`, `doc-003`: its round as of that document), or `latest`/`HEAD`."""
        if isinstance(spec, Version):
            return spec
        spec = spec.strip()
        versions = rounds(self.documents(), self._labels())
        if spec in ("latest", "HEAD", "head") and versions:
            return versions[-1]
        name = spec.removeprefix("round-")
        for v in versions:
            if v.round == name:
                return v
        as_of = _as_of_document(versions, spec.removeprefix("doc-"))
        if as_of is not None:
            return as_of
        # A year names its last round; any other partial name is a typo, not a guess.
        in_year = [v for v in versions if len(spec) == 4 and spec.isdigit() and v.round[:4] == spec]
        if in_year:
            return in_year[-1]
        valid = [v.round for v in versions] + [f"doc-{d.id}" for d in self.documents()]
        raise StoreError(f"unknown version {spec!r}; valid: {', '.join(valid)}, latest")

    @_retrying
    def topic_statements(self, topic: str, version: str | Version) -> list[Statement]:
        """Cabinet statements carrying `topic` in the version's documents, in document order."""
        v = self.resolve_version(version)
        stmts = self.statements(at=v)
        by_doc: dict[str, list[Statement]] = {}
        for s in stmts:
            if s.role == "cabinet" and topic in s.topic_names:
                by_doc.setdefault(s.doc, []).append(s)
        return [s for d in v.docs for s in by_doc.get(d.id, [])]

    @_retrying
    def statement(self, statement_id: str) -> Statement:
        found = self._by_id.get(statement_id)
        if found is None:
            raise StoreError(f"unknown statement {statement_id!r}")
        return found

    @cached_property
    def _by_id(self) -> dict[str, Statement]:
        """Statements at HEAD by id: provenance looks up every answered question."""
        return {s.id: s for s in self.statements()}

    @_retrying
    def source_lines(self, doc_id: str, first: int, last: int) -> list[str]:
        """Source lines `first..last` (1-based, inclusive) of a document, as stored."""
        from diffview.corpus.sources import decode_source

        if doc_id not in self._lines:
            doc = self._document(doc_id)
            data = self._blob(self.head, f"sources/{doc.source}")
            if data is None:
                raise StoreError(f"{self.path}: sources/{doc.source} missing")
            self._lines[doc_id] = decode_source(doc.source, data).split("\n")
        lines = self._lines[doc_id]
        first = max(first, 1)
        return lines[first - 1 : max(last, first - 1)]

    @_retrying
    def source_bytes(self, doc_id: str) -> bytes:
        """A document's source at HEAD, byte for byte: what `export-corpus` writes back out."""
        doc = self._document(doc_id)
        data = self._blob(self.head, f"sources/{doc.source}")
        if data is None:
            raise StoreError(f"{self.path}: sources/{doc.source} missing")
        return data

    @_retrying
    def topic_counts(self) -> dict[str, dict[str, int]]:
        """Per topic, the number of cabinet statements per document id."""
        return {topic: dict(per) for topic, per in self._topic_counts.items()}

    @cached_property
    def _topic_counts(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for s in self.statements():
            if s.role != "cabinet":
                continue
            for t in s.topic_names:
                per = counts.setdefault(t, {})
                per[s.doc] = per.get(s.doc, 0) + 1
        return dict(sorted(counts.items()))

    @_retrying
    def topic_log(self, topic: str) -> list[TopicLogEntry]:
        """The versions of a topic, newest first, with cabinet statement counts per document."""
        counts = self.topic_counts().get(topic, {})
        out = []
        for v in reversed(rounds(self.documents(), self._labels())):
            per = tuple((d.id, counts.get(d.id, 0)) for d in v.docs)
            out.append(
                TopicLogEntry(
                    v,
                    self._commit_sha(tag_ref(v.tag)),
                    v.docs[-1].date,
                    sum(n for _, n in per),
                    per,
                )
            )
        return out


__all__ = ["Store", "StoreError", "TopicLogEntry"]
