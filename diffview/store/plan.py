"""The store's objects planned in memory: blobs, trees, commits and tags, byte for byte.

Pure: the same documents give the same object ids, so "nothing changed" is a comparison of
refs and the history is reproducible. A `Planner` adds one document (one commit) at a time
on top of a tree it keeps in memory (`tree.py`), writing only the files that commit
changes: the document's own files and its round's index. The last document of a round gets
a second commit on top, off the branch, which its round tag marks: the round's topic files,
written once per round (rewritten by every commit, they were half the bytes of a large
store's history). It starts empty (a full build) or from a stored commit (`head.py`: an
append plans only the new commits), and both give the same ids.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from diffview.corpus.manifest import (
    doc_order,
    doc_tag,
    id_order,
    removal_stamp,
    round_label,
    round_tag,
)
from diffview.errors import StoreError
from diffview.model import Document, Removal, Statement
from diffview.store.files import (
    GITATTRIBUTES,
    claims_file,
    commit_message,
    document_markdown,
    document_to_dict,
    index_json,
    readme_markdown,
    removal_message,
    round_commit_message,
    round_index_json,
    round_tag_message,
    sentences_json,
    statements_json,
    topic_block,
    topic_markdown,
)
from diffview.store.paths import BRANCH as BRANCH  # re-exported: the writers name it here
from diffview.store.paths import TOPIC_RE, tag_ref
from diffview.store.tree import Tree, object_id

AUTHOR = b"diffview <diffview@localhost>"
# At least three digits, zero-padded below 1000 only: 000..999, then 1000, 1001, ...
DOC_ID_RE = re.compile(r"(?:\d{3}|[1-9]\d{3,8})\Z")
SOURCE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}\Z")


def timestamp(d: date) -> int:
    return int(datetime(d.year, d.month, d.day, 12, tzinfo=UTC).timestamp())


def person(ts: int) -> bytes:
    """The author, committer and tagger line's value (fast-import is given the same)."""
    return AUTHOR + f" {ts} +0000".encode()


def _commit_bytes(tree: str, parent: str | None, ts: int, message: str) -> bytes:
    lines = [f"tree {tree}".encode()]
    if parent:
        lines.append(f"parent {parent}".encode())
    lines += [b"author " + person(ts), b"committer " + person(ts)]
    return b"\n".join(lines) + b"\n\n" + message.encode("utf-8")


def _tag_bytes(target: str, name: str, ts: int, message: str) -> bytes:
    head = f"object {target}\ntype commit\ntag {name}\n".encode()
    return head + b"tagger " + person(ts) + b"\n\n" + message.encode("utf-8")


@dataclass(frozen=True)
class PlannedCommit:
    """One document's commit (or its removal's, or its round's): the files it writes on
    top of its parent's tree, and those it deletes. A round's commit is off the branch:
    its round tag reaches it, the next document's commit does not."""

    doc: str
    sha: str
    parent: str | None
    ts: int
    message: str
    files: tuple[tuple[str, bytes], ...]
    deleted: tuple[str, ...] = ()

    @property
    def removes(self) -> bool:
        return bool(self.deleted)


# --- events: a document's commit, or its removal's -------------------------------------------

Event = Document | Removal


def event_key(event: Event) -> tuple[int, int, int, str]:
    """The store's order: by time (a document at noon of its date, a removal at its
    recorded moment, always later than its document's), then documents before removals,
    then by id, numerically."""
    if isinstance(event, Removal):
        return (int(event.at.timestamp()), 1, *id_order(event.doc.id))
    return (timestamp(event.date), 0, *id_order(event.id))


def ordered_events(documents: Iterable[Document], removals: Iterable[Removal]) -> list[Event]:
    """Every commit of the store, oldest first: `documents` are all that were ever added
    (removed ones too: their commits stay in the history)."""
    return sorted([*documents, *removals], key=event_key)


def round_ends(events: Iterable[Event]) -> frozenset[str]:
    """The ids of the documents that are the last of their round among `events` (in the
    store's order): each gets its round's commit. An append's events all come after the
    stored ones, so its last document of a round is the round's last."""
    last = {e.round: e.id for e in events if isinstance(e, Document)}
    return frozenset(last.values())


@dataclass(frozen=True)
class PlannedTag:
    name: str  # doc-003, round-2024-10
    target: str
    ts: int
    message: str
    sha: str


@dataclass
class Plan:
    """The commits to write (oldest first) and where every ref ends up."""

    commits: list[PlannedCommit] = field(default_factory=list)
    tags: dict[str, PlannedTag] = field(default_factory=dict)  # full ref -> tag
    base: str | None = None  # the commit the first planned one goes on (an append)

    @property
    def head(self) -> str | None:
        return self.commits[-1].sha if self.commits else self.base

    @property
    def refs(self) -> dict[str, str]:
        out = {ref: tag.sha for ref, tag in self.tags.items()}
        if self.head:
            out[BRANCH] = self.head
        return out


# --- rounds ----------------------------------------------------------------------------------


@dataclass
class RoundState:
    """What the commits of one round have said so far: its index, and its topic files'
    statement blocks."""

    round: str
    label: str
    entries: list[dict[str, Any]] = field(default_factory=list)
    topic_docs: dict[str, list[Document]] = field(default_factory=dict)
    topic_blocks: dict[str, list[str]] = field(default_factory=dict)
    block_docs: dict[str, list[str]] = field(default_factory=dict)  # each block's document
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    removed: list[dict[str, Any]] = field(default_factory=list)  # entries, removal order

    def add(
        self,
        doc: Document,
        entry: dict[str, Any],
        statements: Iterable[Statement],
        blocks: tuple[str | None, ...] = (),
    ) -> None:
        """Record a document: its entry, and each cabinet statement's block per topic
        (`blocks`: rendered already, aligned with `statements`)."""
        self.entries.append(entry)
        for i, s in enumerate(statements):
            if s.role != "cabinet":
                continue
            block = blocks[i] if i < len(blocks) else None
            for t in s.topic_names:
                block = block or topic_block(s, doc)  # rendered once per statement
                docs = self.topic_docs.setdefault(t, [])
                if not docs or docs[-1].id != doc.id:
                    docs.append(doc)
                self.topic_blocks.setdefault(t, []).append(block)
                self.block_docs.setdefault(t, []).append(doc.id)
                per = self.counts.setdefault(t, {})
                per[doc.id] = per.get(doc.id, 0) + 1

    def remove(self, doc_id: str, entry: dict[str, Any]) -> None:
        """Take a document out (its entry goes to `removed`) and its statements' blocks."""
        self.entries = [e for e in self.entries if e["id"] != doc_id]
        self.removed.append(entry)
        spoke = {t for t, owners in self.block_docs.items() if doc_id in owners}
        for t in spoke:
            keep = [i for i, owner in enumerate(self.block_docs[t]) if owner != doc_id]
            self.topic_blocks[t] = [self.topic_blocks[t][i] for i in keep]
            self.block_docs[t] = [self.block_docs[t][i] for i in keep]
            self.topic_docs[t] = [d for d in self.topic_docs[t] if d.id != doc_id]
            self.counts[t].pop(doc_id, None)
            if not self.counts[t]:
                del self.counts[t]

    def topic_file(self, topic: str) -> bytes:
        docs = self.topic_docs.get(topic, [])
        blocks = self.topic_blocks.get(topic, [])
        return topic_markdown(topic, self.round, self.label, docs, blocks, len(blocks))

    def index_file(self) -> bytes:
        return round_index_json(self.round, self.label, self.entries, self.counts, self.removed)


RoundLoader = Callable[[str, str], RoundState | None]


@dataclass(frozen=True)
class Rendered:
    """A document's own files and its statements' topic blocks: pure functions of the
    document, so they can be rendered in parallel (the parse workers, see `pipeline.py`)
    before the commits are planned in order. `sha256` and `label` say what they were
    rendered for: the planner renders again if its own differ."""

    document: bytes
    statements: bytes
    sentences: bytes
    claims: bytes
    blocks: tuple[str | None, ...]  # aligned with the statements; None: in no topic file
    sha256: str = ""
    label: str = ""


def render(doc: Document, statements: list[Statement], sha256: str, label: str) -> Rendered:
    blocks = tuple(
        topic_block(s, doc) if s.role == "cabinet" and s.topics else None for s in statements
    )
    return Rendered(
        document_markdown(doc, statements, label),
        statements_json(doc, statements, sha256),
        sentences_json(statements),
        claims_file(statements),
        blocks,
        sha256,
        label,
    )


def render_for(
    labels: dict[str, str], doc: Document, source: bytes, statements: list[Statement]
) -> Rendered:
    """`render` as the planner would call it for this source under these round labels;
    top-level (with `functools.partial` over `labels`, picklable) for a parse worker."""
    sha256 = hashlib.sha256(source).hexdigest()
    return render(doc, statements, sha256, round_label(doc.round, labels))


class Planner:
    """Plans one commit per document, in the order given, on a tree kept in memory."""

    def __init__(
        self,
        labels: Mapping[str, str],
        *,
        tree: Tree | None = None,
        base: str | None = None,
        rounds: Mapping[str, str] | None = None,
        topics: Iterable[str] = (),
        load_round: RoundLoader | None = None,
    ) -> None:
        self.labels = dict(labels)
        self.tree = tree or Tree()
        self.plan = Plan(base=base)
        self.rounds = dict(rounds or {})  # round -> label, as in index.json
        self.topics = set(topics)  # every topic a statement so far carries, as in index.json
        self._states: dict[str, RoundState] = {}
        self._load_round = load_round

    def _round(self, round_: str, label: str) -> RoundState:
        state = self._states.get(round_)
        if state is None and self._load_round is not None:
            state = self._load_round(round_, label)
        if state is None:
            state = RoundState(round_, label)
        self._states[round_] = state
        return state

    def add(
        self,
        doc: Document,
        statements: list[Statement],
        source: bytes,
        rendered: Rendered | None = None,
    ) -> PlannedCommit:
        """Plan `doc`'s commit and its tags; return the commit."""
        label = round_label(doc.round, self.labels)
        sha256 = hashlib.sha256(source).hexdigest()
        if rendered is None or (rendered.sha256, rendered.label) != (sha256, label):
            rendered = render(doc, statements, sha256, label)
        files: dict[str, bytes] = {}
        if self.plan.head is None:
            files["README.md"] = readme_markdown()
            files[".gitattributes"] = GITATTRIBUTES
        spoken = {t for s in statements for t in s.topic_names}
        if self.rounds.get(doc.round) != label or not spoken <= self.topics:
            self.rounds[doc.round] = label
            self.topics |= spoken
            files["index.json"] = index_json(self.rounds, self.topics)
        files[f"sources/{doc.source}"] = source
        files[f"documents/{doc.id}.md"] = rendered.document
        files[f"statements/{doc.id}.json"] = rendered.statements
        files[f"sentences/{doc.id}.jsonl"] = rendered.sentences
        files[f"claims/{doc.id}.jsonl"] = rendered.claims
        state = self._round(doc.round, label)
        entry = {**document_to_dict(doc), "source_sha256": sha256}
        state.add(doc, entry, statements, rendered.blocks)
        files[f"index/{doc.round}.json"] = state.index_file()
        return self._commit(doc, statements, label, files)

    def close_round(self, doc: Document) -> PlannedCommit:
        """Plan the commit of `doc`'s round on top of `doc`'s (the round's last document):
        the branch's tree plus one file per topic so far (a topic the round is silent on
        says so), and move the round tag to it. The branch goes on without these files."""
        label = round_label(doc.round, self.labels)
        state = self._round(doc.round, label)
        files = {f"topics/{t}.md": state.topic_file(t) for t in sorted(self.topics)}
        for path, data in files.items():
            self.tree.set(path, object_id("blob", data))
        tree = self.tree.sha()
        for path in files:
            self.tree.delete(path)
        parent = self.plan.head
        assert parent is not None, "a round's commit goes on its last document's"
        ts = timestamp(doc.date)
        message = round_commit_message(doc, label, self.topics)
        sha = object_id("commit", _commit_bytes(tree, parent, ts, message))
        commit = PlannedCommit(doc.id, sha, parent, ts, message, tuple(files.items()))
        self._tag(round_tag(doc.round), sha, ts, round_tag_message(doc, label))
        return commit

    def remove(self, removal: Removal, sha256: str) -> PlannedCommit:
        """Plan the commit that takes `removal.doc` out: its files go, its round's index
        lists it under `removed`. No tag moves: `doc-<id>` and the round tags keep marking
        the history (the document is still in the commits before this one)."""
        doc = removal.doc
        label = round_label(doc.round, self.labels)
        state = self._round(doc.round, label)
        if all(e["id"] != doc.id for e in state.entries):
            raise StoreError(f"cannot remove document {doc.id}: the store does not hold it")
        entry = {**document_to_dict(doc), "source_sha256": sha256}
        state.remove(doc.id, {**entry, "removed": removal_stamp(removal.at)})
        files = {f"index/{doc.round}.json": state.index_file()}
        deleted = (
            f"sources/{doc.source}",
            f"documents/{doc.id}.md",
            f"statements/{doc.id}.json",
            f"claims/{doc.id}.jsonl",
        )
        for path in deleted:
            self.tree.delete(path)
        for path, data in files.items():
            self.tree.set(path, object_id("blob", data))
        ts = int(removal.at.timestamp())
        message = removal_message(doc, label, removal_stamp(removal.at))
        parent = self.plan.head
        sha = object_id("commit", _commit_bytes(self.tree.sha(), parent, ts, message))
        commit = PlannedCommit(doc.id, sha, parent, ts, message, tuple(files.items()), deleted)
        self.plan.commits.append(replace(commit, files=()))
        return commit

    def _commit(
        self, doc: Document, statements: list[Statement], label: str, files: dict[str, bytes]
    ) -> PlannedCommit:
        for path, data in files.items():
            self.tree.set(path, object_id("blob", data))
        ts = timestamp(doc.date)
        message = commit_message(doc, statements, label)
        parent = self.plan.head
        sha = object_id("commit", _commit_bytes(self.tree.sha(), parent, ts, message))
        commit = PlannedCommit(doc.id, sha, parent, ts, message, tuple(files.items()))
        self.plan.commits.append(replace(commit, files=()))  # written as it is planned
        self._tag(doc_tag(doc.id), sha, ts, message)
        return commit

    def _tag(self, name: str, target: str, ts: int, message: str) -> None:
        """An annotated tag; a round's tag moving on replaces the earlier plan of it."""
        sha = object_id("tag", _tag_bytes(target, name, ts, message))
        self.plan.tags[tag_ref(name)] = PlannedTag(name, target, ts, message, sha)


# --- whole stores ----------------------------------------------------------------------------


def validate_inputs(documents: list[Document], statements: list[Statement]) -> None:
    """Everything that becomes a path or a ref name must be safe before we plan anything."""
    ids = set()
    for doc in documents:
        if not DOC_ID_RE.match(doc.id) or doc.id in ids:
            raise StoreError(f"invalid or duplicate document id {doc.id!r}")
        if not SOURCE_RE.match(doc.source) or ".." in doc.source:
            raise StoreError(f"document {doc.id}: unsafe source name {doc.source!r}")
        ids.add(doc.id)
        tag_ref(doc_tag(doc.id))
        tag_ref(round_tag(doc.round))
    validate_statements(ids, statements)


def validate_statements(ids: set[str], statements: Iterable[Statement]) -> None:
    """Each statement belongs to one of `ids` and names only safe topics."""
    for s in statements:
        if s.doc not in ids:
            raise StoreError(f"statement {s.id!r} belongs to unknown document {s.doc!r}")
        for t in s.topic_names:
            if not TOPIC_RE.match(t):
                raise StoreError(f"statement {s.id!r}: unsafe topic name {t!r}")


def by_document(
    docs: list[Document], statements: Iterable[Statement]
) -> dict[str, list[Statement]]:
    out: dict[str, list[Statement]] = {d.id: [] for d in docs}
    for s in statements:
        out[s.doc].append(s)
    return out


def plan_event(
    planner: Planner,
    event: Event,
    by_doc: Mapping[str, list[Statement]],
    sources: Mapping[str, bytes],
    rendered: Rendered | None = None,
    closes: frozenset[str] = frozenset(),
) -> list[PlannedCommit]:
    """Plan one event's commits: a document's (with its files `rendered` already, if they
    were), then its round's if it is in `closes` (`round_ends`); or its removal's."""
    if isinstance(event, Removal):
        sha256 = hashlib.sha256(sources[event.doc.source]).hexdigest()
        return [planner.remove(event, sha256)]
    commit = planner.add(event, by_doc[event.id], sources[event.source], rendered)
    return [commit, planner.close_round(event)] if event.id in closes else [commit]


def plan_docs(
    planner: Planner,
    docs: list[Document],
    statements: Iterable[Statement],
    sources: Mapping[str, bytes],
    removals: Iterable[Removal] = (),
) -> Plan:
    """Add `docs` and `removals` (in the store's order) to `planner`; return its plan."""
    stmts = list(statements)
    validate_inputs(docs, stmts)
    by_doc = by_document(docs, stmts)
    for doc in docs:
        if doc.source not in sources:
            raise StoreError(f"document {doc.id}: source bytes for {doc.source!r} missing")
    events = ordered_events(docs, removals)
    closes = round_ends(events)
    for event in events:
        plan_event(planner, event, by_doc, sources, closes=closes)
    return planner.plan


def plan_store(
    documents: Iterable[Document],
    statements: Iterable[Statement],
    sources: Mapping[str, bytes],
    labels: Mapping[str, str] | None = None,
    removals: Iterable[Removal] = (),
) -> Plan:
    """All objects and refs of the store for these documents (every one ever added) and
    removals, computed in memory."""
    docs = sorted(documents, key=doc_order)
    return plan_docs(Planner(labels or {}), docs, statements, sources, removals)
