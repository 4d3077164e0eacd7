"""The store as its branch head holds it, for writers: what is stored, and a planner that
goes on from there (an append plans only its new commits; `plan.py` gives the same ids).

Reads only the index (`index.json`, `index/<round>.json`) and the trees, plus, when asked,
the statements of one round or one document: never every statement of the store.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from diffview.corpus.manifest import doc_order, doc_tag, parse_removed, round_label, round_tag
from diffview.errors import StoreError
from diffview.model import Document, Removal, Statement
from diffview.store.files import STORE_FORMAT, document_from_dict, statement_from_dict
from diffview.store.git import peeled_tags, read_refs, store_format
from diffview.store.objects import ObjectReader, first_parent_history, first_parents, tree_of
from diffview.store.paths import (
    CLAIMS_WITH,
    keep_beside_objects,
    read_beside_objects,
    real_store_path,
    tag_ref,
)
from diffview.store.plan import BRANCH, Planner, RoundState, event_key
from diffview.store.tree import Tree


@dataclass(frozen=True)
class StoredDoc:
    doc: Document
    source_sha256: str
    label: str


@dataclass(frozen=True)
class StoredRemoval:
    """A removal the store's history holds: the document's entry as stored, and when."""

    stored: StoredDoc
    at: datetime

    @property
    def removal(self) -> Removal:
        return Removal(self.stored.doc, self.at)


StoredEvent = StoredDoc | StoredRemoval


@dataclass
class HeadState:
    """A store's head: its refs, rules digest, rounds, topics and documents (date order),
    and the removals its history holds (their documents are not in `docs`). `format` is
    the store's: one of an older format can serve its statements as a parse cache, but
    a writer never goes on from it (`current`)."""

    path: Path
    reader: ObjectReader
    refs: dict[str, str]
    head: str
    rules: str
    labels: dict[str, str]
    format: int = STORE_FORMAT
    topics: list[str] = field(default_factory=list)
    docs: list[StoredDoc] = field(default_factory=list)
    removed: list[StoredRemoval] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return self.format == STORE_FORMAT

    def events(self) -> list[StoredEvent]:
        """Every commit of the stored history, in the store's order (`plan.event_key`):
        each document's (removed ones too), each removal's."""
        adds: list[StoredEvent] = [*self.docs, *(r.stored for r in self.removed)]
        return sorted([*adds, *self.removed], key=_stored_key)

    def close(self) -> None:
        self.reader.close()

    def __enter__(self) -> HeadState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def json_at(self, path: str) -> Any:
        data = self.reader.blob(f"{self.head}:{path}")
        if data is None:
            raise StoreError(f"{self.path}: {path} missing at {self.head[:12]}")
        return json.loads(data)

    def statements_file(self, doc_id: str) -> dict[str, Any]:
        """`statements/<id>.json` at the head: its cache keys and statements."""
        return dict(self.json_at(f"statements/{doc_id}.json"))

    def statements_of(self, doc_id: str) -> list[Statement]:
        return [statement_from_dict(s) for s in self.statements_file(doc_id)["statements"]]

    def claims_file(self, doc_id: str) -> bytes | None:
        """`claims/<id>.jsonl` at the head; None for a store written before them."""
        return self.reader.blob(f"{self.head}:claims/{doc_id}.jsonl")

    def commits(self) -> list[tuple[str, str]]:
        """(doc id, commit) of every stored document, oldest first, through its tag (all
        tags peeled by one `for-each-ref`)."""
        peeled = peeled_tags(self.path)
        out = []
        for s in self.docs:
            commit = peeled.get(tag_ref(doc_tag(s.doc.id)))
            if commit is None:
                raise StoreError(f"{self.path}: tag doc-{s.doc.id} missing")
            out.append((s.doc.id, commit))
        return out

    def tagged(self) -> bool:
        """Is every stored document's tag on its commit of the branch, and every round's
        on a commit whose first parent is its last document's? The branch's history is
        the truth, as for the readers (`Store._commits`): `git pull` brings commits, not
        the tags of commits off the branch (a round's), and never moves a tag it has. A
        build then writes them."""
        events = self.events()
        history = first_parent_history(self.reader, self.head, len(events))
        if history is None:
            return False
        peeled = peeled_tags(self.path)
        last: dict[str, str] = {}  # round -> its last document's commit
        for event, commit in zip(events, history, strict=True):
            if isinstance(event, StoredDoc):
                if peeled.get(tag_ref(doc_tag(event.doc.id))) != commit:
                    return False
                last[event.doc.round] = commit
        rounds = [peeled.get(tag_ref(round_tag(r)), "") for r in last]
        if "" in rounds:
            return False
        return first_parents(self.reader, rounds) == list(last.values())

    def planner(self, labels: dict[str, str]) -> Planner:
        """A planner that goes on from the head, as if it had planned the stored commits."""
        if not self.current:
            raise StoreError(f"{self.path}: store format {self.format}, rebuild it")
        tree = Tree.parse(tree_of(self.reader, self.head), self._tree_bytes)
        return Planner(
            labels,
            tree=tree,
            base=self.head,
            rounds=self.labels,
            topics=self.topics,
            load_round=self._round_state,
        )

    def _tree_bytes(self, sha: str) -> bytes:
        got = self.reader.get(sha)
        if got is None or got[0] != "tree":
            raise StoreError(f"{self.path}: tree {sha} missing")
        return got[1]

    def _round_state(self, round_: str, label: str) -> RoundState | None:
        """A round's state from its index and its documents' statements."""
        if round_ not in self.labels:
            return None
        state = RoundState(round_, label)
        index = self.json_at(f"index/{round_}.json")
        for entry in index["documents"]:
            doc = document_from_dict(entry)
            state.add(doc, entry, self.statements_of(doc.id))
        state.removed = list(index.get("removed", []))
        return state


def _stored_key(event: StoredEvent) -> tuple[int, int, int, str]:
    return event_key(event.removal if isinstance(event, StoredRemoval) else event.doc)


PARSED_WITH = "diffview-parsed-with"  # in .git: the rules digest of the stored statements
_DIGEST = re.compile(r"[0-9a-f]{64}")


def parsed_with(store_path: Path) -> str:
    """The parser's rules digest the stored statements were parsed under, or "" (a clone,
    a lost file): kept beside the objects and never committed, so a diffview whose parser
    gives the same statements leaves every commit id as it was (a clone re-parses once)."""
    return read_beside_objects(store_path / ".git" / PARSED_WITH, _DIGEST)


def record_parsed_with(store_path: Path, digest: str, claims: str) -> None:
    """After a write: every stored statement now comes from the parser with `digest`, and
    every `claims/<id>.jsonl` from the claim reader with digest `claims` (which a reader
    checks without importing the parser)."""
    keep_beside_objects(store_path / ".git" / PARSED_WITH, (digest + "\n").encode("ascii"))
    keep_beside_objects(store_path / ".git" / CLAIMS_WITH, (claims + "\n").encode("ascii"))


# Formats whose `index/`, `statements/` and `claims/` read as the current one's.
READABLE_FORMATS = (2, STORE_FORMAT)


def read_head(store_path: Path) -> HeadState | None:
    """The head of the store at `store_path`; None if there is none (no store, an empty
    one, or one of a format older than `READABLE_FORMATS`, which a build rebuilds)."""
    path = real_store_path(store_path)
    fmt = store_format(path) if path.exists() else None
    if fmt not in READABLE_FORMATS:
        return None
    refs = read_refs(path)
    head = refs.get(BRANCH)
    if head is None:
        return None
    reader = ObjectReader(path / ".git")
    try:
        state = _read_index(path, reader, refs, head)
        state.format = fmt
    except BaseException:
        reader.close()
        raise
    return state


def _read_index(path: Path, reader: ObjectReader, refs: dict[str, str], head: str) -> HeadState:
    state = HeadState(path, reader, refs, head, "", {})
    index = state.json_at("index.json")
    state.rules = parsed_with(path)
    state.labels = {str(k): str(v) for k, v in index.get("rounds", {}).items()}
    state.topics = [str(t) for t in index.get("topics", [])]
    docs = []
    for round_, label in state.labels.items():
        index = state.json_at(f"index/{round_}.json")
        for entry in index["documents"]:
            docs.append(StoredDoc(document_from_dict(entry), str(entry["source_sha256"]), label))
        for entry in index.get("removed", []):
            stored = StoredDoc(document_from_dict(entry), str(entry["source_sha256"]), label)
            state.removed.append(StoredRemoval(stored, parse_removed(entry["removed"])))
    state.docs = sorted(docs, key=lambda s: doc_order(s.doc))
    state.removed.sort(key=_stored_key)
    return state


def older_format_documents(store_path: Path) -> tuple[list[Document], list[Removal]] | None:
    """The documents and removals of a store of an older format, so that a build can tell
    what rebuilding it in the current format would drop; None if it is not one."""
    path = real_store_path(store_path)
    fmt = store_format(path) if path.exists() else None
    if fmt is None or fmt >= STORE_FORMAT:
        return None
    if fmt in READABLE_FORMATS:
        head = read_head(path)
        if head is None:  # no branch: nothing to drop
            return [], []
        with head:
            return [s.doc for s in head.docs], [r.removal for r in head.removed]
    if BRANCH not in read_refs(path):
        return [], []
    with ObjectReader(path / ".git") as reader:
        data = reader.blob(f"{BRANCH}:manifest.json")
    if data is None:
        return [], []
    return [document_from_dict(d) for d in json.loads(data).get("documents", [])], []


def same_event(
    stored: StoredEvent, event: Document | Removal, sha256: str, labels: dict[str, str]
) -> bool:
    """Would `event` give the stored commit's files (its document's, or its removal's)?"""
    if isinstance(stored, StoredRemoval) != isinstance(event, Removal):
        return False
    if isinstance(stored, StoredRemoval) and isinstance(event, Removal):
        return stored.at == event.at and same_document(stored.stored, event.doc, sha256, labels)
    assert isinstance(stored, StoredDoc) and isinstance(event, Document)
    return same_document(stored, event, sha256, labels)


def same_document(stored: StoredDoc, doc: Document, sha256: str, labels: dict[str, str]) -> bool:
    """Would `doc` with these source bytes and labels give the stored commit's files?"""
    return (
        stored.doc == doc
        and stored.source_sha256 == sha256
        and stored.label == round_label(doc.round, labels)
    )
