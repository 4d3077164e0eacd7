"""The git-backed store: one commit per document, tags per document and round, a reading API.

Why git: every position the cabinet took is a commit whose date is the document's date, so
plain `git log`, `git show` and `git diff round-2023-10 round-2024-10 -- topics/x.md` answer
"what changed" without diffview. Why it is built the way it is:

* **Determinism.** All objects (blobs, trees, commits, annotated tags) are serialised here
  byte for byte with a fixed author/tagger and the document's date at noon UTC, so the same
  sources always give the same commit ids, and "nothing changed" is a comparison of refs.
* **Speed.** Objects are planned (hashed) in memory, so "unchanged" costs no write, then
  stored as loose objects through gitdb, GitPython's object database; no index, no `git
  commit`, no hooks. Two `git` processes per build remain: `git init` and one atomic
  `update-ref --stdin` transaction (GitPython has no compare-and-swap). The work tree and
  index are written in Python (worktree.py).
* **Readable diffs.** The markdown files hold one sentence per line, and `.gitattributes`
  selects git's markdown diff driver, so `git diff`/`git log -p` show changed sentences
  under the heading of their statement.
* **Safety.** A rebuild writes a new repository beside the old one and swaps directories;
  appending a document writes objects and moves refs in one compare-and-swap transaction.
  Both hold a lock file, and build reads versions/ only under it. The store's own config is
  untrusted: no work-tree command runs on it (no filter, `core.worktree` or fsmonitor can
  apply), and every git process gets no system/global config, no caller GIT_* variables and
  `-c` overrides for every program hook. Ref names are validated; document text never
  reaches a git command line.

What the files and messages say is `storefiles.py`; the lock is `lock.py`. This module plans
the objects, writes them and moves the refs, and reads the store back.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from io import BytesIO
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from diffview.errors import StoreError
from diffview.lock import store_lock
from diffview.manifest import doc_tag, round_label, round_tag, rounds
from diffview.model import Document, Statement, Version
from diffview.storefiles import (
    GITATTRIBUTES,
    STORE_FORMAT,
    commit_message,
    document_from_dict,
    document_markdown,
    manifest_json,
    readme_markdown,
    round_tag_message,
    statement_from_dict,
    statements_json,
    topic_markdown,
)

BRANCH = "refs/heads/main"
AUTHOR = b"diffview <diffview@localhost>"
MARKER_KEY = ("diffview", "store")
# Every git invocation (only `init` and `update-ref` remain): no system or global config
# (environment, see `_git_env`), and command-line config, which beats the store's own
# `.git/config`, for every key that could name a program or another directory. Those two
# commands read none of them today; the overrides keep it so if git changes. No reflogs
# either: their timestamps would make a rolled-back store differ from the original.
GIT_SAFE_OPTS = tuple(
    arg
    for kv in (
        "core.hooksPath=/dev/null",
        "core.fsmonitor=false",
        "core.pager=cat",
        "core.sshCommand=false",
        "core.askPass=",
        "core.editor=false",
        "core.logAllRefUpdates=false",
        "credential.helper=",
        "diff.external=",
        "gpg.program=false",
        "gc.auto=0",
        "maintenance.auto=false",
    )
    for arg in ("-c", kv)
)
TOPIC_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}\Z")
DOC_ID_RE = re.compile(r"\d{3}\Z")
SOURCE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}\Z")

Progress = Callable[[str], None]


# --- paths -----------------------------------------------------------------------------------


def default_store_path() -> Path:
    """$DIFFVIEW_STORE, else $XDG_DATA_HOME/diffview/store, else ~/.local/share/diffview/store."""
    explicit = os.environ.get("DIFFVIEW_STORE")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg and Path(xdg).is_absolute() else None
    if base is None:
        base = Path.home() / ".local" / "share"
    return base / "diffview" / "store"


# --- ref names -------------------------------------------------------------------------------

_REF_BAD = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//")


def check_ref_name(name: str) -> str:
    """Validate a full ref name by `git check-ref-format` rules (plus: ASCII only, no leading
    dash), so that nothing we pass to git can be read as an option or a revision range."""
    parts = name.split("/")
    ok = (
        name.startswith("refs/")
        and name.isascii()
        and not _REF_BAD.search(name)
        and not name.endswith((".", "/", ".lock"))
        and name != "@"
        and all(p and not p.startswith((".", "-")) and not p.endswith(".lock") for p in parts)
    )
    if not ok:
        raise StoreError(f"refusing unsafe git ref name {name!r}")
    return name


def tag_ref(tag: str) -> str:
    return check_ref_name(f"refs/tags/{tag}")


# --- planning the objects --------------------------------------------------------------------


def _obj(kind: str, data: bytes) -> tuple[str, bytes]:
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


def _timestamp(d: date) -> int:
    return int(datetime(d.year, d.month, d.day, 12, tzinfo=UTC).timestamp())


@dataclass
class Plan:
    """Everything a build would write: objects, refs and the final tree's files."""

    objects: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # sha -> (type, data)
    commits: list[tuple[str, str]] = field(default_factory=list)  # (doc id, commit sha)
    refs: dict[str, str] = field(default_factory=dict)  # full ref name -> object sha

    def add(self, kind: str, data: bytes) -> str:
        sha, data = _obj(kind, data)
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


def _validate_inputs(documents: list[Document], statements: list[Statement]) -> None:
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
    _validate_inputs(docs, stmts)
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
    ts = _timestamp(doc.date)
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


# --- git plumbing ----------------------------------------------------------------------------


def _git_env() -> dict[str, str]:
    """The caller's environment without any GIT_* variable (a caller inside a git hook has
    GIT_DIR, GIT_CONFIG_PARAMETERS, ...), without system and global config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return env | _GIT_FIXED_ENV


_GIT_FIXED_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_ATTR_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "GIT_OPTIONAL_LOCKS": "0",
    "LC_ALL": "C",
}


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run git with constant arguments only (callers never pass document-derived strings;
    ref names arrive on stdin after `check_ref_name`), on the store's own git directory."""
    git_dir = ["--git-dir", str(repo / ".git")] if args[0] != "init" else []
    cmd = ["git", *GIT_SAFE_OPTS, *git_dir, *args]
    proc = subprocess.run(
        cmd, input=stdin, capture_output=True, env=_git_env(), check=False, cwd=repo.parent
    )
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise StoreError(f"git {args[0]} failed in {repo}: {err[-1] if err else 'no message'}")
    return proc.stdout


def _refuse_redirecting_env() -> None:
    """GitPython, like git, honours $GIT_OBJECT_DIRECTORY and $GIT_COMMON_DIR (set inside
    some git hooks): a store write must never land in another repository's database."""
    for var in ("GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR"):
        if os.environ.get(var):
            raise StoreError(f"refusing to write the store while ${var} is set; unset it")


def _open_repo(path: Path) -> Any:
    """The store's repository, for writing, through GitPython (see `_safe_repo`)."""
    _refuse_redirecting_env()
    _refuse_symlinks(Path(path) / ".git")
    return _safe_repo(path)


def _refuse_symlinks(git_dir: Path) -> None:
    """Objects and refs are written by path: a symlink planted in `.git`, `objects/` or
    `refs/` would send those writes outside the store."""
    if git_dir.is_symlink():
        raise StoreError(f"{git_dir} is a symlink; refusing to write through it")
    for sub in ("objects", "refs"):
        top = git_dir / sub
        if top.is_symlink():
            raise StoreError(f"{top} is a symlink; refusing to write through it")
        for root, dirs, _ in os.walk(top):
            for d in dirs:
                if Path(root, d).is_symlink():
                    raise StoreError(f"{Path(root, d)} is a symlink; refusing to write through it")


def _safe_repo(path: Path) -> Any:
    """A GitPython `Repo` whose git processes (`cat-file` reading objects) get the same
    sanitized environment and `-c` overrides as `_git`: the caller's GIT_* variables
    blanked, no system or global config."""
    from git import Repo

    repo = Repo(path)
    mine = ("GIT_DIR", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY")  # refused or pinned
    blank = {k: "" for k in os.environ if k.startswith("GIT_") and k not in mine}
    pinned = {"GIT_WORK_TREE": str(path), "GIT_INDEX_FILE": str(Path(path, ".git", "index"))}
    repo.git.update_environment(**(blank | pinned | _GIT_FIXED_ENV))
    repo.git.set_persistent_git_options(c=list(GIT_SAFE_OPTS[1::2]))
    return repo


def _init_repo(path: Path) -> Any:
    """A fresh non-bare repository, no templates (no sample hooks), hooks disabled, marked."""
    _refuse_redirecting_env()
    git_dir = path / ".git"
    path.mkdir(parents=True)
    # An empty template installs no sample hooks; `_git` drops $GIT_DIR / $GIT_WORK_TREE
    # (set when the caller runs inside a git hook) and any global init.templateDir.
    branch = BRANCH.removeprefix("refs/heads/")
    _git(path, "init", "--quiet", "--template=", f"--initial-branch={branch}", str(path))
    repo = _open_repo(path)
    with repo.config_writer("repository") as cfg:
        cfg.set_value("core", "hooksPath", "/dev/null")
        cfg.set_value("core", "fsmonitor", "false")
        cfg.set_value("core", "logAllRefUpdates", "false")
        cfg.set_value("gc", "auto", "0")
        cfg.set_value(MARKER_KEY[0], MARKER_KEY[1], "1")
        cfg.set_value(MARKER_KEY[0], "format", str(STORE_FORMAT))
    (git_dir / "description").write_text("diffview store (generated; do not edit)\n")
    return repo


def _write_objects(repo: Any, objects: Mapping[str, tuple[str, bytes]]) -> list[Path]:
    """Store the planned objects the repository lacks, as loose objects (zlib, temp file +
    rename, read-only, as git does) through gitdb, GitPython's object database; return the
    new files. Not `repo.odb.store`: in GitPython 3.2 that runs one `git hash-object`
    process per object (0.35 s for the 86 objects of the bundled corpus; gitdb: 0.03 s)."""
    from gitdb import LooseObjectDB
    from gitdb.base import IStream

    loose = LooseObjectDB(repo.odb.root_path())
    packed = any(Path(loose.root_path(), "pack").glob("*.idx"))  # a user ran `git gc`
    written: list[Path] = []
    for sha, (kind, data) in objects.items():
        binsha = bytes.fromhex(sha)
        if loose.has_object(binsha) or (packed and _in_pack(repo.odb, binsha)):
            continue
        stored = loose.store(IStream(kind, len(data), BytesIO(data))).binsha
        if stored != binsha:
            raise StoreError(f"git stored {kind} {stored.hex()} where {sha} was planned")
        written.append(Path(loose.db_path(loose.object_path(sha))))
    return written


def _in_pack(odb: Any, binsha: bytes) -> bool:
    """Packed objects are invisible to the loose `has_object`: ask git (`cat-file`)."""
    try:
        odb.info(binsha)
    except ValueError:  # GitPython: "SHA could not be resolved"
        return False
    return True


def _read_refs(repo_path: Path) -> dict[str, str]:
    """All refs (loose and packed) of the store, unpeeled (tags give the tag object)."""
    with _open_repo(repo_path) as repo:
        return {ref.path: ref.dereference_recursive(repo, ref.path) for ref in repo.references}


def _update_refs(repo_path: Path, new: Mapping[str, str], old: Mapping[str, str]) -> None:
    """One atomic transaction: each ref moves only if it still has the value we read."""
    zero = "0" * 40
    buf = [b"start\0"]
    for name in sorted(set(new) | set(old)):
        check_ref_name(name)
        if name not in new:
            buf.append(f"delete {name}\0{old[name]}\0".encode())
        elif name in old:
            buf.append(f"update {name}\0{new[name]}\0{old[name]}\0".encode())
        else:
            buf.append(f"update {name}\0{new[name]}\0{zero}\0".encode())
    buf.append(b"prepare\0commit\0")
    try:
        _git(repo_path, "update-ref", "--stdin", "-z", stdin=b"".join(buf))
    except StoreError as exc:
        raise StoreError(f"the store changed under us (ref update refused): {exc}") from None


def _checkout(repo_path: Path) -> None:
    """Make the worktree and index match the branch (the store is generated: local edits
    go), in Python from the object database: `git read-tree -u` would honour filters and
    `core.worktree` from the store's own config (see worktree.py)."""
    from diffview.worktree import commit_tree_files, write_worktree

    with _open_repo(repo_path) as repo:
        head = _read_refs(repo_path).get(BRANCH)
        if head is None:
            raise StoreError(f"{repo_path}: no {BRANCH}")
        files = commit_tree_files(repo.odb, head)
    write_worktree(repo_path, files)


def _is_store(path: Path) -> bool:
    """A git repository whose own config marks it `diffview.store = 1` (read by GitPython;
    only the repository's file, so a user's global config cannot make any repo look like
    one)."""
    from git.config import GitConfigParser

    cfg = path / ".git" / "config"
    if not cfg.is_file():
        return False
    reader = GitConfigParser(str(cfg), read_only=True)
    try:
        return str(reader.get_value(MARKER_KEY[0], MARKER_KEY[1], "")) == "1"
    except Exception:  # noqa: BLE001 - a broken config is simply not our store
        return False


# --- building --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildReport:
    """What a build did: 'created', 'rebuilt', 'appended' or 'unchanged'."""

    store_path: Path
    action: str
    head: str
    commits: tuple[tuple[str, str], ...]  # (doc id, commit sha), oldest first
    objects_written: int
    seconds: float

    @property
    def changed(self) -> bool:
        return self.action != "unchanged"


def build_store(
    versions_dir: Path,
    store_path: Path | None = None,
    progress: Progress | None = None,
    *,
    locked: bool = False,
) -> BuildReport:
    """Parse `versions_dir` (manifest + sources) and bring the store up to date, all under
    the store lock; `locked=True` when the caller already holds it (ingest)."""
    if not locked:
        # The corpus is read under the lock: a plan made from versions/ as it was before a
        # concurrent ingest finished would rewrite the store without that document.
        from diffview.ingest import recover

        path = Path(store_path or default_store_path()).expanduser().absolute()
        with store_lock(path):
            recover(versions_dir, path)  # an ingest that died: finish or undo it first
            return build_store(versions_dir, path, progress, locked=True)
    from diffview.corpus import load_corpus

    versions_dir = Path(versions_dir)
    _say(progress, f"parsing {versions_dir}")
    corpus = load_corpus(versions_dir)
    return write_store(
        corpus.documents,
        corpus.statements,
        store_path,
        corpus.sources,
        corpus.labels,
        progress=progress,
        locked=True,
    )


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


def write_store(
    documents: Iterable[Document],
    statements: Iterable[Statement],
    store_path: Path | None,
    sources: Mapping[str, bytes],
    labels: Mapping[str, str] | None = None,
    *,
    progress: Progress | None = None,
    locked: bool = False,
) -> BuildReport:
    """Make the store hold exactly these documents; `locked=True` if the caller holds the lock."""
    started = time.perf_counter()
    store_path = Path(store_path or default_store_path()).expanduser().absolute()
    plan = plan_store(documents, statements, sources, labels)
    if not plan.commits:
        raise StoreError("nothing to store: the manifest lists no documents")
    if locked:
        action, written = _apply(plan, store_path, progress)
    else:
        with store_lock(store_path):
            action, written = _apply(plan, store_path, progress)
    seconds = time.perf_counter() - started
    _say(progress, f"{action}: {len(plan.commits)} documents, HEAD {plan.refs[BRANCH][:12]}")
    return BuildReport(store_path, action, plan.refs[BRANCH], tuple(plan.commits), written, seconds)


def _apply(plan: Plan, store_path: Path, progress: Progress | None) -> tuple[str, int]:
    store_path = real_store_path(store_path)
    for dead in _leftovers(store_path):
        shutil.rmtree(dead, ignore_errors=True)
    if not store_path.exists():
        return "created", _build_fresh(plan, store_path, None, progress)
    if not _is_store(store_path):
        raise StoreError(f"{store_path} exists and is not a diffview store; refusing to touch it")
    old = _read_refs(store_path)
    if old == plan.refs:
        return "unchanged", 0
    old_head = old.get(BRANCH)
    shas = [sha for _, sha in plan.commits]
    appendable = old_head in shas and all(plan.refs.get(name) is not None for name in old)
    if appendable:
        _say(progress, "appending to the existing history")
        return "appended", _append(plan, store_path, old)
    return "rebuilt", _build_fresh(plan, store_path, old, progress)


def _append(plan: Plan, store_path: Path, old: Mapping[str, str]) -> int:
    """Write objects, move refs by compare-and-swap, update the worktree; on failure undo
    all three (refs back by a reverse CAS, the worktree reset, the new loose objects removed),
    so that a caller rolling back its own changes (ingest) finds the store as it was."""
    with _open_repo(store_path) as repo:
        written = _write_objects(repo, plan.objects)
    moved = False
    try:
        _update_refs(store_path, plan.refs, old)
        moved = True
        _checkout(store_path)
    except BaseException:
        if moved:
            with suppress(StoreError):
                _update_refs(store_path, old, plan.refs)
                _checkout(store_path)
        for path in written:
            with suppress(OSError):
                path.unlink()
        raise
    return len(written)


def _build_fresh(
    plan: Plan, store_path: Path, old: Mapping[str, str] | None, progress: Progress | None
) -> int:
    """Build in a temp dir beside the store, then swap directories (old store kept on error)."""
    parent = store_path.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{store_path.name}.build-", dir=parent))
    tmp.rmdir()
    try:
        _say(progress, f"writing {len(plan.objects)} objects")
        with _init_repo(tmp) as repo:
            written = len(_write_objects(repo, plan.objects))
        _update_refs(tmp, plan.refs, {})
        _checkout(tmp)
        if old is not None and _read_refs(store_path) != old:
            raise StoreError(f"{store_path} changed while we were building; try again")
        _swap(tmp, store_path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return written


def _swap(new: Path, store_path: Path) -> None:
    """Put the new store at `store_path`: one atomic exchange of the two directories where
    the system has it (Linux `renameat2`), so a reader never finds the path missing; else
    two renames."""
    if not store_path.exists():
        os.rename(new, store_path)
        return
    if _exchange(new, store_path):
        shutil.rmtree(new, ignore_errors=True)  # now the old store
        return
    trash = Path(tempfile.mkdtemp(prefix=f".{store_path.name}.old-", dir=store_path.parent))
    trash.rmdir()
    os.rename(store_path, trash)
    try:
        os.rename(new, store_path)
    except BaseException:
        os.rename(trash, store_path)
        raise
    shutil.rmtree(trash, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (`renameat2(RENAME_EXCHANGE)`); False if unsupported."""
    import ctypes
    import errno

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _leftovers(store_path: Path) -> list[Path]:
    """Temp directories of builds that died (kill -9) beside the store; only a lock holder
    creates them, so under the lock any that exist are dead and can go."""
    parent, name = store_path.parent, store_path.name
    if not parent.is_dir():
        return []
    return [
        p
        for pattern in (f".{name}.build-*", f".{name}.old-*")
        for p in parent.glob(pattern)
        if p.is_dir() and not p.is_symlink()
    ]


def real_store_path(store_path: Path) -> Path:
    """The directory a store path names: through a symlink, its target, so a rebuild swaps
    the target and the link keeps pointing at the current store."""
    path = Path(store_path).expanduser().absolute()
    return Path(os.path.realpath(path)) if path.is_symlink() else path


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicLogEntry:
    """One version of a topic for `diffview log TOPIC`: how many cabinet statements, where."""

    version: Version
    commit: str
    date: date
    statements: int
    per_doc: tuple[tuple[str, int], ...]


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
    repo = _safe_repo(path)
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
        if not _is_store(path):
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
        from diffview.sources import decode_source

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


__all__ = [
    "BuildReport",
    "Store",
    "StoreError",
    "TopicLogEntry",
    "build_store",
    "default_store_path",
    "write_store",
]
