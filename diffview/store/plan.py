"""The store's objects planned in memory: blobs, trees, commits and tags, byte for byte.

Pure: the same documents give the same object ids, so "nothing changed" is a comparison of
refs and the history is reproducible.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from diffview.corpus.manifest import doc_tag, round_label, round_tag
from diffview.errors import StoreError
from diffview.model import Document, Statement, Version
from diffview.store.files import (
    GITATTRIBUTES,
    commit_message,
    document_markdown,
    manifest_json,
    readme_markdown,
    round_tag_message,
    statements_json,
    topic_markdown,
)
from diffview.store.paths import tag_ref

BRANCH = "refs/heads/main"
AUTHOR = b"diffview <diffview@localhost>"
TOPIC_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}\Z")
DOC_ID_RE = re.compile(r"\d{3}\Z")
SOURCE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}\Z")


# --- planning the objects --------------------------------------------------------------------


def object_id(kind: str, data: bytes) -> tuple[str, bytes]:
    header = f"{kind} {len(data)}\0".encode()
    return hashlib.sha1(header + data).hexdigest(), data


def _tree_bytes(entries: Mapping[str, tuple[bytes, str]]) -> bytes:
    """Git tree entries sorted as git sorts them (directories as `name/`)."""

    def key(name: str) -> bytes:
        mode, _ = entries[name]
        return name.encode() + (b"/" if mode == b"40000" else b"")

    return b"".join(
        entries[n][0] + b" " + n.encode() + b"\0" + bytes.fromhex(entries[n][1])
        for n in sorted(entries, key=key)
    )


def timestamp(d: date) -> int:
    return int(datetime(d.year, d.month, d.day, 12, tzinfo=UTC).timestamp())


@dataclass
class Plan:
    """Everything a build would write: objects, refs and the final tree's files."""

    objects: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # sha -> (type, data)
    commits: list[tuple[str, str]] = field(default_factory=list)  # (doc id, commit sha)
    refs: dict[str, str] = field(default_factory=dict)  # full ref name -> object sha

    def add(self, kind: str, data: bytes) -> str:
        sha, data = object_id(kind, data)
        self.objects[sha] = (kind, data)
        return sha

    def add_tree(self, files: Mapping[str, bytes]) -> str:
        """Write blobs and nested trees for a flat {path: bytes} map; return the root tree."""
        root: dict[str, Any] = {}
        for path, data in files.items():
            parts = path.split("/")
            node = root
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = data
        return self._tree(root)

    def _tree(self, node: Mapping[str, Any]) -> str:
        entries: dict[str, tuple[bytes, str]] = {}
        for name, child in node.items():
            if isinstance(child, dict):
                entries[name] = (b"40000", self._tree(child))
            else:
                entries[name] = (b"100644", self.add("blob", child))
        return self.add("tree", _tree_bytes(entries))


def _person(ts: int) -> bytes:
    return AUTHOR + f" {ts} +0000".encode()


def _commit_bytes(tree: str, parent: str | None, ts: int, message: str) -> bytes:
    lines = [f"tree {tree}".encode()]
    if parent:
        lines.append(f"parent {parent}".encode())
    lines += [b"author " + _person(ts), b"committer " + _person(ts)]
    return b"\n".join(lines) + b"\n\n" + message.encode("utf-8")


def _tag_bytes(target: str, name: str, ts: int, message: str) -> bytes:
    head = f"object {target}\ntype commit\ntag {name}\n".encode()
    return head + b"tagger " + _person(ts) + b"\n\n" + message.encode("utf-8")


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
    for s in statements:
        if s.doc not in ids:
            raise StoreError(f"statement {s.id!r} belongs to unknown document {s.doc!r}")
        for t in s.topic_names:
            if not TOPIC_RE.match(t):
                raise StoreError(f"statement {s.id!r}: unsafe topic name {t!r}")


def plan_store(
    documents: Iterable[Document],
    statements: Iterable[Statement],
    sources: Mapping[str, bytes],
    labels: Mapping[str, str] | None = None,
) -> Plan:
    """All objects and refs of the store for these documents, computed in memory."""
    docs = sorted(documents, key=lambda d: (d.date, d.id))
    stmts = list(statements)
    validate_inputs(docs, stmts)
    labels = dict(labels or {})
    by_doc: dict[str, list[Statement]] = {d.id: [] for d in docs}
    for s in stmts:
        by_doc[s.doc].append(s)
    plan = Plan()
    files: dict[str, bytes] = {}  # the worktree, growing by one document per commit
    topics_seen: set[str] = set()
    parent: str | None = None
    for i, doc in enumerate(docs):
        so_far = docs[: i + 1]
        version = _current_round(so_far, labels)
        files.update(_document_files(doc, by_doc[doc.id], version, sources))
        topics_seen.update(t for s in by_doc[doc.id] for t in s.topic_names)
        for topic in sorted(topics_seen):
            selected = _cabinet_on(topic, version, by_doc)
            files[f"topics/{topic}.md"] = topic_markdown(topic, version, selected)
        files["manifest.json"] = manifest_json(so_far, labels)
        files["README.md"] = readme_markdown(so_far)
        files[".gitattributes"] = GITATTRIBUTES
        parent = _plan_commit(plan, files, doc, by_doc[doc.id], version, parent)
    if parent:
        plan.refs[BRANCH] = parent
    return plan


def _document_files(
    doc: Document, statements: list[Statement], version: Version, sources: Mapping[str, bytes]
) -> dict[str, bytes]:
    """The files a document adds: its source byte for byte, its statements as md and JSON."""
    if doc.source not in sources:
        raise StoreError(f"document {doc.id}: source bytes for {doc.source!r} missing")
    return {
        f"sources/{doc.source}": sources[doc.source],
        f"documents/{doc.id}.md": document_markdown(doc, statements, version.label),
        f"statements/{doc.id}.json": statements_json(doc, statements),
    }


def _plan_commit(
    plan: Plan,
    files: Mapping[str, bytes],
    doc: Document,
    statements: list[Statement],
    version: Version,
    parent: str | None,
) -> str:
    """Commit the worktree as of `doc`, tag it `doc-<id>`, move the round's tag onto it."""
    tree = plan.add_tree(files)
    ts = timestamp(doc.date)
    message = commit_message(doc, statements, version.label)
    commit = plan.add("commit", _commit_bytes(tree, parent, ts, message))
    plan.commits.append((doc.id, commit))
    _plan_tag(plan, doc_tag(doc.id), commit, ts, message)
    _plan_tag(plan, round_tag(doc.round), commit, ts, round_tag_message(doc, version.label))
    return commit


def _plan_tag(plan: Plan, name: str, target: str, ts: int, message: str) -> None:
    """An annotated tag; when a round's tag moves on, its earlier object would only dangle."""
    ref = tag_ref(name)
    superseded = plan.refs.get(ref)
    if superseded:
        del plan.objects[superseded]
    plan.refs[ref] = plan.add("tag", _tag_bytes(target, name, ts, message))


def _current_round(so_far: list[Document], labels: Mapping[str, str]) -> Version:
    last = so_far[-1]
    docs = tuple(d for d in so_far if d.round == last.round)
    return Version(last.round, round_label(last.round, dict(labels)), docs, round_tag(last.round))


def _cabinet_on(
    topic: str, version: Version, by_doc: Mapping[str, list[Statement]]
) -> list[Statement]:
    return [
        s
        for d in version.docs
        for s in by_doc[d.id]
        if s.role == "cabinet" and topic in s.topic_names
    ]
