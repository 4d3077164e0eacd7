"""Reading a store: a typed, snapshot-consistent view that the views use."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from diffview.corpus.manifest import (
    doc_order,
    doc_tag,
    id_order,
    parse_removed,
    removal_stamp,
    round_label,
    rounds,
)
from diffview.errors import StoreError
from diffview.model import Document, Removal, Statement, TopicLogEntry, Version
from diffview.store.files import (
    STORE_FORMAT,
    SentenceRecord,
    document_from_dict,
    sentences_from_json,
    statement_from_dict,
)
from diffview.store.git import OLDER_FORMAT, read_refs, store_format
from diffview.store.objects import ObjectReader, first_parent_history
from diffview.store.paths import (
    BRANCH,
    CLAIMS_WITH,
    TOPIC_RE,
    default_store_path,
    keep_beside_objects,
    read_beside_objects,
    tag_ref,
)
from diffview.store.plan import ordered_events
from diffview.text.stems import StemCounts

# --- reading ---------------------------------------------------------------------------------


def _why(exc: BaseException) -> str:
    """One line for an unexpected error (git messages can span lines)."""
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


def _open_snapshot(path: Path) -> tuple[ObjectReader, dict[str, str]]:
    """An object reader and the refs as of now, checked to hold an index at the branch."""
    refs = read_refs(path)
    reader = ObjectReader(path / ".git")
    try:
        if BRANCH not in refs or reader.blob(f"{refs[BRANCH]}:index.json") is None:
            raise StoreError(f"no index.json at {BRANCH}")
    except BaseException:
        reader.close()
        raise
    return reader, refs


# Per-snapshot caches of `Store`, dropped when a reader moves on to a rebuilt store.
_SNAPSHOT_CACHES = (
    "head",
    "_index",
    "_rounds",
    "_documents",
    "_removals",
    "_commits",
    "_topics",
    "_topic_counts",
)
_CACHED_DOCUMENTS = 256  # statements of this many documents stay parsed (a round is ~12)
_P = ParamSpec("_P")
_R = TypeVar("_R")


_CACHE_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{0,200}\.json")
_CLAIMS_DIGEST = re.compile(r"[0-9a-f]{16}")
# The derived cache's size bound: a comparison is tens of KB, a round's claims or IDF a few
# hundred KB at 1,000 documents, so this keeps thousands of compared pairs.
CACHE_BOUND = 64 * 1024 * 1024


def _cache_entries(directory: Path) -> list[tuple[int, str, int]]:
    """(mtime ns, name, size) of the cache's own entries: only names `cache_put` writes, so
    temp files of a put under way and anything else placed there are never counted or removed."""
    entries = []
    try:
        with os.scandir(directory) as it:
            for entry in it:
                if not _CACHE_NAME.fullmatch(entry.name):
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue  # removed by another process meanwhile
                entries.append((st.st_mtime_ns, entry.name, st.st_size))
    except OSError:
        return []
    return entries


def evict_cache(directory: Path, bound: int, keep: str = "") -> None:
    """Remove the least recently used entries (oldest mtime first, ties by name, so the
    choice is deterministic) until the rest fit in `bound` bytes; `keep`, the entry just
    written, stays. Safe against a racing process: an entry it removed first is skipped, and
    a reader holding one open still reads it whole (only a later read misses and recomputes)."""
    entries = _cache_entries(directory)
    total = sum(size for _, _, size in entries)
    for _, name, size in sorted(entries):
        if total <= bound:
            return
        if name == keep:
            continue
        try:
            (directory / name).unlink(missing_ok=True)
        except OSError:
            return  # read-only store: nothing can be evicted, nothing was written either
        total -= size


class _Vanished(StoreError):
    """An object read failed: the store may have been rebuilt under the reader."""


def _retrying(method: Callable[Concatenate[Store, _P], _R]) -> Callable[Concatenate[Store, _P], _R]:
    """A public reading method runs on one snapshot; if a read fails because the store was
    rebuilt meanwhile, it runs once more, whole, on the new one (never half and half)."""

    def wrapper(self: Store, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
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

    functools.update_wrapper(wrapper, method)
    return wrapper


class Store:
    """Read-only view of a diffview store. The views use only these methods.

    A snapshot: refs are resolved once at open and every read goes by object id, so a
    writer moving refs does not change what an open store says. A rebuild swaps the whole
    directory; the reader's `git cat-file` keeps the packs it has open, so it usually goes on
    answering from its snapshot (the app compares heads to reload). If an object of the old
    history has vanished, the read re-opens the store once and the reader goes on with the
    new snapshot (it never mixes the two in one cache); any other read failure is a one-line
    `StoreError`.
    """

    def __init__(
        self, path: Path, reader: ObjectReader, refs: Mapping[str, str] | None = None
    ) -> None:
        self.path = path
        self._reader = reader
        self._refs = dict(refs) if refs is not None else read_refs(path)
        self._stmts: OrderedDict[str, list[Statement]] = OrderedDict()  # by document, LRU
        self._records: OrderedDict[str, SentenceRecord | None] = OrderedDict()  # the same
        self._lines: dict[str, list[str]] = {}  # decoded source lines per document id
        self._depth = 0  # nesting of public reading methods (see `_retrying`)
        self.cache_bound = CACHE_BOUND  # bytes of derived cache kept (see `evict_cache`)

    def commit_of(self, version: Version) -> str:
        """The commit of a version's last document: what is derived from it is keyed by it.
        A removal takes documents out of earlier versions without moving their tags, so in
        a store with removals the key also names them (derived data is computed again)."""
        commit = self._commit_at(version)
        if not self._removals:
            return commit
        stamps = "\n".join(f"{r.doc.id} {removal_stamp(r.at)}" for r in self._removals)
        return f"{commit}-r{hashlib.sha1(stamps.encode()).hexdigest()[:12]}"

    def _cache_dir(self) -> Path:
        return self.path / ".git" / "diffview-cache"

    def _cache_file(self, name: str) -> Path:
        if not _CACHE_NAME.fullmatch(name):
            raise ValueError(f"bad cache name {name!r}")
        return self._cache_dir() / name

    def cache_get(self, name: str) -> bytes | None:
        """Derived data written by `cache_put` (None when absent or unreadable): never part of
        a commit, so the history and its commit ids do not depend on it. A hit is touched
        (its mtime is what eviction orders by), best effort: a read-only store still reads."""
        path = self._cache_file(name)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)
        return data

    def cache_put(self, name: str, data: bytes) -> None:
        """Keep derived data beside the objects (atomic; a read-only store just skips it),
        then evict the least recently used entries past `cache_bound`."""
        keep_beside_objects(self._cache_file(name), data)
        evict_cache(self._cache_dir(), self.cache_bound, keep=name)

    @classmethod
    def open(cls, path: Path | None = None) -> Store:
        """Open the store at `path` (default: `default_store_path()`); refuse anything else."""
        path = Path(path or default_store_path()).expanduser().absolute()
        if not path.exists():
            raise StoreError(f"no store at {path}; run `diffview build` first")
        if not path.is_dir():
            raise StoreError(f"{path} is not a diffview store (not a directory)")
        fmt = store_format(path)
        if fmt is None:
            raise StoreError(
                f"{path} is not a diffview store (no index.json marker at its branch, "
                "no diffview.store=1 in its config)"
            )
        if fmt != STORE_FORMAT:
            raise StoreError(f"{path}: {OLDER_FORMAT.format(fmt)}")
        try:
            reader, refs = _open_snapshot(path)
        except Exception as exc:  # noqa: BLE001 - git errors, damaged objects
            raise StoreError(f"{path} is not a readable diffview store: {_why(exc)}") from None
        return cls(path, reader, refs)

    def close(self) -> None:
        self._reader.close()

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
        except Exception as exc:  # noqa: BLE001 - a vanished pack or ref raises many unrelated types
            raise _Vanished(f"{self.path}: cannot read {what}: {_why(exc)}") from None

    def _reopen(self) -> bool:
        """Move on to the store now at `self.path` if its refs differ from the snapshot's."""
        try:
            reader, refs = _open_snapshot(self.path)
        except Exception:  # noqa: BLE001 - not (yet) a readable store: keep the error we had
            return False
        if refs == self._refs:
            reader.close()
            return False
        self._reader.close()
        self._reader, self._refs = reader, refs
        self._stmts.clear()
        self._records.clear()
        self._lines.clear()
        for name in _SNAPSHOT_CACHES:
            self.__dict__.pop(name, None)
        return True

    # objects, by id: a commit's files through `<commit>:<path>` (resolved by git in C)
    def _commit_sha(self, rev: str) -> str:
        sha = self._refs.get(rev)
        if sha is None:
            raise StoreError(f"{rev!r} not found in the store {self.path}")
        commit = self._read(rev, lambda: self._reader.peel(sha))
        if commit is None:
            raise _Vanished(f"{self.path}: cannot read {rev}: object {sha} missing")
        return str(commit)

    def _blob(self, commit: str, path: str) -> bytes | None:
        """A file at a commit; None if the commit lacks it, `_Vanished` if the commit is gone."""
        data: bytes | None = self._read(
            f"{path} at {commit[:12]}", lambda: self._reader.blob(f"{commit}:{path}")
        )
        if data is None and self._read(commit, lambda: self._reader.get(commit)) is None:
            raise _Vanished(f"{self.path}: cannot read {path} at {commit[:12]}: commit missing")
        return data

    def _blobs(self, commit: str, paths: list[str]) -> list[bytes | None]:
        """`_blob` of many files, asked for at once (one round trip to git per batch)."""
        names = [f"{commit}:{p}" for p in paths]
        found: list[bytes | None] = self._read(
            f"{len(paths)} files at {commit[:12]}", lambda: self._reader.blobs(names)
        )
        if None in found and self._read(commit, lambda: self._reader.get(commit)) is None:
            raise _Vanished(f"{self.path}: cannot read files at {commit[:12]}: commit missing")
        return found

    def _json(self, path: str) -> Any:
        data = self._blob(self.head, path)
        if data is None:
            raise StoreError(f"{self.path}: {path} missing at HEAD")
        return json.loads(data)

    @cached_property
    def head(self) -> str:
        return self._commit_sha(BRANCH)

    @cached_property
    def _index(self) -> dict[str, Any]:
        return dict(self._json("index.json"))

    @cached_property
    def _rounds(self) -> dict[str, dict[str, Any]]:
        """`index/<round>.json` of every round: documents and cabinet counts per topic."""
        names = list(self._index.get("rounds", {}))
        found = self._blobs(self.head, [f"index/{r}.json" for r in names])
        out = {}
        for r, data in zip(names, found, strict=True):
            if data is None:
                raise StoreError(f"{self.path}: index/{r}.json missing at HEAD")
            out[r] = dict(json.loads(data))
        return out

    @cached_property
    def _documents(self) -> tuple[Document, ...]:
        """An open store is a snapshot of HEAD: its documents are read once, in the order
        of the history (date, then id)."""
        docs = [document_from_dict(d) for r in self._rounds.values() for d in r["documents"]]
        return tuple(sorted(docs, key=doc_order))

    @_retrying
    def documents(self) -> list[Document]:
        return list(self._documents)

    @cached_property
    def _removals(self) -> tuple[Removal, ...]:
        gone = [
            Removal(document_from_dict(d), parse_removed(d["removed"]))
            for r in self._rounds.values()
            for d in r.get("removed", [])
        ]
        return tuple(sorted(gone, key=lambda r: (r.at, *id_order(r.doc.id))))

    @_retrying
    def removals(self) -> list[Removal]:
        """The documents `diffview remove` took out (still in the history), in order."""
        return list(self._removals)

    @_retrying
    def removed_source_bytes(self, removal: Removal) -> bytes:
        """A removed document's source, from its own commit (`doc-<id>`)."""
        doc = removal.doc
        data = self._blob(self._commit_of_document(doc.id), f"sources/{doc.source}")
        if data is None:
            raise StoreError(f"{self.path}: sources/{doc.source} missing at doc-{doc.id}")
        return data

    def round_label(self, round_: str) -> str:
        """A round's label as the store's index has it."""
        return round_label(round_, self._labels())

    def _labels(self) -> dict[str, str]:
        return dict(self._index.get("rounds", {}))

    def _document(self, doc_id: str) -> Document:
        for d in self._documents:
            if d.id == doc_id:
                return d
        ids = ", ".join(d.id for d in self._documents)
        raise StoreError(f"unknown document {doc_id!r}; the store has {ids}")

    def _statements_of(self, doc_id: str) -> list[Statement]:
        """One document's statements: its file is written once, so HEAD's is every
        commit's; a bounded number of documents stays parsed."""
        cached = self._stmts.get(doc_id)
        if cached is not None:
            self._stmts.move_to_end(doc_id)
            return cached
        self._load([doc_id])
        return self._stmts[doc_id]

    def _load(self, doc_ids: list[str]) -> None:
        """Parse the statements of the documents not parsed yet, their files (and sentence
        records) asked for at once; each statement's recorded sentence spans are noted, so
        that its sentences are read, not split again."""
        todo = [d for d in dict.fromkeys(doc_ids) if d not in self._stmts]
        if not todo:
            return
        from diffview.text.sentences import remember_spans  # not for a kept comparison

        self._records_of(todo)
        found = self._blobs(self.head, [f"statements/{d}.json" for d in todo])
        for doc_id, raw in zip(todo, found, strict=True):
            if raw is None:
                raise StoreError(f"{self.path}: statements/{doc_id}.json missing")
            stmts = [statement_from_dict(s) for s in json.loads(raw)["statements"]]
            self._stmts[doc_id] = stmts
            record = self._records.get(doc_id)
            if record is not None:
                for s in stmts:
                    spans = record.spans(s.id)
                    if spans is not None:
                        remember_spans(s.text, spans)
        while len(self._stmts) > _CACHED_DOCUMENTS:
            self._stmts.popitem(last=False)

    @_retrying
    def claim_records(self, version: Version) -> list[bytes | None]:
        """`claims/<id>.jsonl` of each of the version's documents, read at its commit (a
        document removed later still has them there); None for a store written before them."""
        commit = self._commit_at(version)
        return self._blobs(commit, [f"claims/{d.id}.jsonl" for d in version.docs])

    def claims_written_with(self) -> str:
        """The claim reader's digest the store's `claims/` were written with, or "" (a clone,
        a store written before them, a lost file): kept beside the objects, like the
        parser's (`head.parsed_with`), so that a reader trusts them only from its own code."""
        return read_beside_objects(self.path / ".git" / CLAIMS_WITH, _CLAIMS_DIGEST)

    def _records_of(self, doc_ids: list[str]) -> list[SentenceRecord | None]:
        """`sentences/<id>.jsonl` of each document (written once: HEAD's is every commit's),
        the missing ones asked for at once; None for a store written before them, or a
        file that does not parse."""
        todo = [d for d in dict.fromkeys(doc_ids) if d not in self._records]
        found = self._blobs(self.head, [f"sentences/{d}.jsonl" for d in todo]) if todo else []
        for doc_id, raw in zip(todo, found, strict=True):
            self._records[doc_id] = None if raw is None else sentences_from_json(raw)
        out = [self._records[d] for d in doc_ids]
        while len(self._records) > _CACHED_DOCUMENTS:
            self._records.popitem(last=False)
        return out

    @_retrying
    def stem_counts(self, doc_ids: Sequence[str]) -> list[StemCounts | None]:
        """Each document's cabinet sentences counted per stem (`sentences/<id>.jsonl`); None
        for a store written before them, or a bad file."""
        for doc_id in doc_ids:
            self._document(doc_id)
        return [None if r is None else r.stems for r in self._records_of(list(doc_ids))]

    @_retrying
    def statements(
        self, doc: str | None = None, at: str | Version | None = None
    ) -> list[Statement]:
        """Statements at HEAD (or at a version/tag/spec), optionally of one document. A
        document of a version is read with the version's other documents, in one batch:
        who asks for one (a round's claims) asks for the others next."""
        docs = list(self._documents)
        if at is not None:
            version = self.resolve_version(at)
            last = version.docs[-1].id
            docs = docs[: [d.id for d in docs].index(last) + 1]
        if doc is not None:
            self._document(doc)
            if not any(d.id == doc for d in docs):
                return []
            siblings = [d.id for d in version.docs] if at is not None else []
            if doc in siblings and doc not in self._stmts:
                self._load(siblings)
            return list(self._statements_of(doc))
        return [s for d in docs for s in self._statements_of(d.id)]

    def _commit_at(self, at: str | Version) -> str:
        """A version's commit on the branch: its last document's."""
        version = at if isinstance(at, Version) else self.resolve_version(at)
        return self._commit_of_document(version.docs[-1].id)

    def _commit_of_document(self, doc_id: str) -> str:
        commit = self._commits.get(doc_id)
        return commit if commit is not None else self._commit_sha(tag_ref(doc_tag(doc_id)))

    @cached_property
    def _commits(self) -> dict[str, str]:
        """Each document's commit, from the branch's own history (one commit per event, in
        the store's order): tags are not trusted for it. A round's tag marks a commit off
        the branch that `git pull` does not bring and that moves when a document joins
        the round; a pull brings new `doc-` tags only with tag-following, and never moves
        one a rewritten history replaced. Empty when the history is not one commit per
        event (then the `doc-` tags answer)."""
        gone = self._removals
        events = ordered_events([*self._documents, *(r.doc for r in gone)], gone)
        history = self._read(
            "the branch's history",
            lambda: first_parent_history(self._reader, self.head, len(events)),
        )
        if history is None:
            return {}
        return {e.id: c for e, c in zip(events, history, strict=True) if isinstance(e, Document)}

    @_retrying
    def topics(self) -> list[str]:
        return list(self._topics)

    @cached_property
    def _topics(self) -> tuple[str, ...]:
        """Every topic a statement at HEAD's history carries, as `index.json` lists them:
        not read from the statements."""
        names = self._index.get("topics", [])
        return tuple(sorted({n for n in names if isinstance(n, str) and TOPIC_RE.match(n)}))

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
        counts = self._topic_counts.get(topic, {})
        self._load([d.id for d in v.docs if counts.get(d.id)])
        return [
            s
            for d in v.docs
            if counts.get(d.id)  # the index says which documents speak on it
            for s in self._statements_of(d.id)
            if s.role == "cabinet" and topic in s.topic_names
        ]

    @_retrying
    def statement(self, statement_id: str) -> Statement:
        """A statement by id: ids start with their document's (`002-q001-...`), so one
        document is read, not the store."""
        prefix = statement_id.split("-", 1)[0]
        known = {d.id for d in self._documents}
        docs = [prefix] if prefix in known else [d.id for d in self._documents]
        for doc_id in docs:
            for s in self._statements_of(doc_id):
                if s.id == statement_id:
                    return s
        raise StoreError(f"unknown statement {statement_id!r}")

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
        """From the rounds' indexes: no statement is read."""
        counts: dict[str, dict[str, int]] = {}
        for r in self._rounds.values():
            for topic, per in r.get("topics", {}).items():
                counts.setdefault(topic, {}).update(per)
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
                    self._commit_at(v),
                    v.docs[-1].date,
                    sum(n for _, n in per),
                    per,
                )
            )
        return out


__all__ = ["Store", "StoreError", "TopicLogEntry"]
