"""Writing a store: append by compare-and-swap of refs, or build aside and swap directories."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from diffview.corpus.manifest import doc_order, doc_tag, round_tag
from diffview.errors import StoreError
from diffview.model import Document, Removal, Statement
from diffview.store.fastimport import FastImport, clear_pending, drop_dead_pack
from diffview.store.files import STORE_FORMAT
from diffview.store.git import (
    checkout,
    init_repo,
    ours,
    read_refs,
    refuse_redirecting_env,
    refuse_symlinks,
    run_git,
    store_format,
    update_refs,
)
from diffview.store.head import HeadState
from diffview.store.lock import store_lock
from diffview.store.paths import default_store_path, real_store_path, tag_ref
from diffview.store.plan import (
    BRANCH,
    Event,
    Plan,
    PlannedCommit,
    Planner,
    Rendered,
    by_document,
    ordered_events,
    plan_event,
    round_ends,
    validate_inputs,
    validate_statements,
)
from diffview.store.swap import leftovers, swap
from diffview.store.worktree import set_full_worktree, wants_full_worktree

Progress = Callable[[str], None]

# --- building --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildReport:
    """What a build did: 'created', 'rebuilt', 'appended' or 'unchanged'; `objects_written`
    counts the objects of the pack it added."""

    store_path: Path
    action: str
    head: str
    commits: tuple[tuple[str, str], ...]  # (doc id, commit sha), oldest first
    objects_written: int
    seconds: float

    @property
    def changed(self) -> bool:
        return self.action != "unchanged"


def say(progress: Progress | None, message: str) -> None:
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
    worktree: bool | None = None,
    removals: Iterable[Removal] = (),
    parsing: Parsing | None = None,
) -> BuildReport:
    """Make the store hold exactly these documents, after the history of `removals`
    (whose documents' commits come first, then their removals' commits, in the store's
    order); `statements` include the removed documents'. `locked=True` if the caller
    holds the lock. `worktree`: check out every file (True), only the small ones (False),
    or as the store had it (None). `parsing`: some of `documents` still being parsed, their
    statements taken as planning reaches them."""
    started = time.perf_counter()
    store_path = Path(store_path or default_store_path()).expanduser().absolute()
    gone = list(removals)
    if not documents:
        raise StoreError("nothing to store: the manifest lists no documents")
    every = [*documents, *(r.doc for r in gone)]
    job = _Job(
        sorted(every, key=doc_order),
        list(statements),
        sources,
        labels or {},
        gone,
        parsing or Parsing(frozenset(), ()),
    )
    if locked:
        action, written, plan = _apply(job, store_path, progress, worktree)
    else:
        with store_lock(store_path):
            action, written, plan = _apply(job, store_path, progress, worktree)
    return _report(store_path, action, plan, _kept(plan.commits), written, started, progress)


def _kept(commits: Sequence[PlannedCommit | _Stored]) -> list[tuple[str, str]]:
    """(doc id, commit) of the documents still in the store after these commits."""
    gone = {c.doc for c in commits if c.removes}
    return [(c.doc, c.sha) for c in commits if not c.removes and c.doc not in gone]


# A document parsed while the store is written: its statements and its files rendered
# where it was parsed (`plan.render_for`; None: rendered when planned).
Parsed = tuple[Document, list[Statement], Rendered | None]


@dataclass(frozen=True)
class Parsing:
    """Documents still being parsed while the store is written (`ids`), their results
    coming in any order: streamed, so that git compresses the first commits while the
    parse workers are still at the last ones. Each is checked as it comes, before its
    commit is planned; an error of the parse is the build's (nothing is visible yet)."""

    ids: frozenset[str]
    results: Iterable[Parsed]


@dataclass
class _Job:
    """What a build writes, checked before anything is touched: `docs` every document
    whose commit it plans, `removals` the removals' commits; the statements `parsing`
    brings are checked as they come, before their commit is planned (not frozen: it
    takes them in as planning reaches them)."""

    docs: list[Document]
    statements: list[Statement]
    sources: Mapping[str, bytes]
    labels: Mapping[str, str]
    removals: list[Removal] = field(default_factory=list)
    parsing: Parsing = Parsing(frozenset(), ())
    by_doc: dict[str, list[Statement]] = field(default_factory=dict)
    pending: set[str] = field(default_factory=set)
    results: Iterator[Parsed] = field(default_factory=lambda: iter(()))
    # handed out once by `take`: planned, a document's files are written and let go
    rendered: dict[str, Rendered] = field(default_factory=dict)

    def __post_init__(self) -> None:
        validate_inputs(self.docs, self.statements)
        for doc in [*self.docs, *(r.doc for r in self.removals)]:
            if doc.source not in self.sources:
                raise StoreError(f"document {doc.id}: source bytes for {doc.source!r} missing")
        self.by_doc.update(by_document(self.docs, self.statements))
        unknown = self.parsing.ids - {d.id for d in self.docs}
        if unknown:
            raise StoreError(f"parsed documents the store does not hold: {sorted(unknown)}")
        self.pending.update(self.parsing.ids)
        self.results = iter(self.parsing.results)

    @property
    def events(self) -> list[Event]:
        return ordered_events(self.docs, self.removals)

    def take(self, event: Event) -> Rendered | None:
        """Make sure `event`'s statements are in `by_doc` (waiting for the parse that
        brings them, if it is still being parsed); return its pre-rendered files, if any."""
        if isinstance(event, Removal):
            return None
        while event.id in self.pending:
            self._next()
        return self.rendered.pop(event.id, None)

    def drain(self) -> None:
        """Take what is still being parsed (its errors are the build's)."""
        while self.pending:
            self._next()
        if next(self.results, None) is not None:
            raise StoreError("the parse brought more documents than it was given")

    def _next(self) -> None:
        parsed = next(self.results, None)
        if parsed is None:
            raise StoreError(f"the parse brought no statements for {sorted(self.pending)}")
        doc, statements, files = parsed
        if doc.id not in self.pending or any(s.doc != doc.id for s in statements):
            raise StoreError(f"statements parsed for document {doc.id!r} do not belong to it")
        validate_statements(self.pending, statements)
        self.pending.discard(doc.id)
        self.by_doc[doc.id] = statements
        if files is not None:
            self.rendered[doc.id] = files

    def ref_names(self) -> set[str]:
        rounds = {tag_ref(round_tag(d.round)) for d in self.docs}
        return {BRANCH, *rounds, *(tag_ref(doc_tag(d.id)) for d in self.docs)}


def append_documents(
    head: HeadState,
    documents: Iterable[Document],
    statements: Iterable[Statement],
    sources: Mapping[str, bytes],
    labels: Mapping[str, str],
    *,
    progress: Progress | None = None,
    removals: Iterable[Removal] = (),
    parsing: Parsing | None = None,
) -> BuildReport:
    """Add documents and removals that all come after the stored history (the store's
    order) on top of the head: only their commits are planned and written; the caller
    holds the lock. `parsing`: as for `write_store`."""
    started = time.perf_counter()
    gone = list(removals)
    job = _Job(
        sorted(documents, key=doc_order),
        list(statements),
        sources,
        labels,
        gone,
        parsing or Parsing(frozenset(), ()),
    )
    refuse_redirecting_env()
    refuse_symlinks(head.path / ".git")
    say(progress, "appending to the existing history")
    planner = head.planner(dict(labels))
    writer = FastImport(head.path, head.refs)
    events = job.events
    closes = round_ends(events)
    try:
        for event in events:
            files = job.take(event)
            for commit in plan_event(planner, event, job.by_doc, sources, files, closes):
                writer.commit(commit)
        job.drain()
    except BaseException:
        writer.abort()
        raise
    plan = planner.plan
    old = ours(head.refs)
    written = _append(writer, plan, head.path, old, {**old, **plan.refs})
    commits = _kept([*_Stored.of(head.commits()), *plan.commits])
    return _report(head.path, "appended", plan, commits, written, started, progress)


@dataclass(frozen=True)
class _Stored:
    """A stored document's commit, as `_kept` reads a planned one."""

    doc: str
    sha: str
    removes: bool = False

    @classmethod
    def of(cls, commits: Iterable[tuple[str, str]]) -> list[_Stored]:
        return [cls(doc, sha) for doc, sha in commits]


def unchanged(head: HeadState, progress: Progress | None = None) -> BuildReport:
    """The report of a build that found the store already holding these documents."""
    started = time.perf_counter()
    plan = Plan(base=head.head)
    return _report(head.path, "unchanged", plan, head.commits(), 0, started, progress)


def _report(
    path: Path,
    action: str,
    plan: Plan,
    commits: list[tuple[str, str]],
    written: int,
    started: float,
    progress: Progress | None,
) -> BuildReport:
    head = plan.head or ""
    say(progress, f"{action}: {len(commits)} documents, HEAD {head[:12]}")
    seconds = time.perf_counter() - started
    return BuildReport(path, action, head, tuple(commits), written, seconds)


def _history(store_path: Path, head: str | None) -> list[str]:
    """The commits of the stored branch, oldest first."""
    if head is None:
        return []
    out = run_git(store_path, "rev-list", "--reverse", "--first-parent", head)
    return out.decode("ascii").split()


def _apply(
    job: _Job, store_path: Path, progress: Progress | None, worktree: bool | None
) -> tuple[str, int, Plan]:
    """Plan the documents one by one, streaming commits to git as soon as it is clear
    where they go: while they equal the stored history nothing is written; the first that
    differs starts an append (it follows the stored head) or a rebuild beside the store
    (which borrows the packs of the common history, so only what differs is written)."""
    store_path = real_store_path(store_path)
    for dead in leftovers(store_path):
        shutil.rmtree(dead, ignore_errors=True)
    fresh = not store_path.exists()
    if not fresh and (store_path / ".git").is_dir():
        drop_dead_pack(store_path)
    fmt = None if fresh else store_format(store_path)
    if not fresh and fmt is None:
        raise StoreError(f"{store_path} exists and is not a diffview store; refusing to touch it")
    if not fresh:
        refuse_redirecting_env()
        refuse_symlinks(store_path / ".git")
    full = bool(worktree) if fresh or worktree is not None else wants_full_worktree(store_path)
    old = {} if fresh else ours(read_refs(store_path))
    current = fmt == STORE_FORMAT and full == wants_full_worktree(store_path)
    history = _history(store_path, old.get(BRANCH)) if current else []
    build = _Build(job, store_path, old, history, full, progress)
    try:
        return build.run(appendable=current and set(old) <= job.ref_names())
    except BaseException:
        build.abort()
        raise


class _Build:
    """One build's planner and, once its mode is known, its writer."""

    def __init__(
        self,
        job: _Job,
        store_path: Path,
        old: Mapping[str, str],
        history: list[str],
        full: bool,
        progress: Progress | None,
    ) -> None:
        self.job, self.store_path, self.old, self.history = job, store_path, old, history
        self.full, self.progress = full, progress
        self.planner = Planner(job.labels)
        self.writer: FastImport | None = None
        self.tmp: Path | None = None  # the new repository of a rebuild
        # rounds' commits planned on the stored history but not stored (their tag differs)
        self.held: list[PlannedCommit] = []

    def run(self, appendable: bool) -> tuple[str, int, Plan]:
        job = self.job
        events = job.events
        closes = round_ends(events)
        for i, event in enumerate(events):
            files = job.take(event)
            commit, *rounds = plan_event(
                self.planner, event, job.by_doc, job.sources, files, closes
            )
            if self.writer is None:
                if i < len(self.history) and commit.sha == self.history[i]:
                    # the stored history so far: nothing to write but a round's commit
                    # the store lacks
                    self.held += [] if not rounds or self._stored_round(event) else rounds
                    continue
                self._start(i, appendable)
            self._write([commit, *rounds])
        job.drain()
        plan = self.planner.plan
        if self.writer is None:
            if len(self.history) == len(events) and dict(self.old) == plan.refs:
                return "unchanged", 0, plan
            self._start(len(events), appendable)
            self._write([])
        assert self.writer is not None
        if self.tmp is None:
            new = plan.refs
            return "appended", _append(self.writer, plan, self.store_path, self.old, new), plan
        action = "rebuilt" if self.store_path.exists() else "created"
        return action, self._finish(plan), plan

    def _stored_round(self, event: Event) -> bool:
        """Is the round commit just planned for `event` the one the store's tag marks?"""
        round_ = event.doc.round if isinstance(event, Removal) else event.round
        ref = tag_ref(round_tag(round_))
        return self.old.get(ref) == self.planner.plan.tags[ref].sha

    def _write(self, commits: list[PlannedCommit]) -> None:
        assert self.writer is not None
        for c in [*self.held, *commits]:
            self.writer.commit(c)
        self.held = []

    def _start(self, common: int, appendable: bool) -> None:
        """The first `common` planned commits are the stored ones: go on from there."""
        if common == len(self.history) and appendable and self.history:
            say(self.progress, "appending to the existing history")
            self.writer = FastImport(self.store_path, self.old)
            return
        parent = self.store_path.parent
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{self.store_path.name}.build-", dir=parent))
        tmp.rmdir()
        self.tmp = tmp
        init_repo(tmp, keep_config_of=self.store_path if self.store_path.exists() else None)
        set_full_worktree(tmp, self.full)
        if common:
            _borrow_packs(self.store_path, tmp)
        say(self.progress, f"writing {len(self.job.events) - common} commits")
        self.writer = FastImport(tmp, {})

    def _finish(self, plan: Plan) -> int:
        """Complete the new repository beside the store and exchange the two."""
        assert self.writer is not None and self.tmp is not None
        _, written = self.writer.finish(plan)
        update_refs(self.tmp, plan.refs, {})
        if any(self.tmp.joinpath(".git", "objects", "pack").glob("borrowed-*")):
            _repack(self.tmp)
        checkout(self.tmp)
        if self.old and ours(read_refs(self.store_path)) != self.old:
            raise StoreError(f"{self.store_path} changed while we were building; try again")
        swap(self.tmp, self.store_path)
        self.tmp = None
        return written

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.abort()
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)


def _borrow_packs(store_path: Path, tmp: Path) -> None:
    """Give a rebuild the stored packs (hard links: no copy), so the commits it shares
    with the stored history need not be written again."""
    src, dest = store_path / ".git" / "objects" / "pack", tmp / ".git" / "objects" / "pack"
    for idx in sorted(src.glob("pack-*.idx")):
        for f in (idx.with_suffix(".pack"), idx):
            target = dest / f"borrowed-{f.name}"
            try:
                os.link(f, target)
            except OSError:
                shutil.copyfile(f, target)


def _repack(repo: Path) -> None:
    """One pack of the reachable objects: the borrowed packs also hold the replaced
    history. `git repack -a -d` reuses their compressed objects (no new deltas)."""
    run_git(repo, "repack", "-a", "-d", "-q")


def _append(
    writer: FastImport, plan: Plan, store_path: Path, old: Mapping[str, str], new: Mapping[str, str]
) -> int:
    """Write objects (one pack), move refs by compare-and-swap, update the work tree; on
    failure undo all three (refs back by a reverse CAS, the work tree reset, the new pack
    removed), so that a caller rolling back its own changes (ingest) finds the store as
    it was."""
    written, count = writer.finish(plan, (old, new))
    moved = False
    try:
        update_refs(store_path, new, old)
        clear_pending(store_path)
        moved = True
        checkout(store_path)
    except BaseException:
        if moved:
            with suppress(StoreError):
                update_refs(store_path, old, new)
                checkout(store_path)
        for path in written:
            with suppress(OSError):
                path.unlink()
        clear_pending(store_path)
        raise
    _tidy_packs(store_path)
    return count


def _tidy_packs(store_path: Path) -> None:
    """Each append writes a pack of its own: roll the small ones together so that a
    thousand ingests do not leave a thousand packs for every object lookup to search
    (`--geometric=2`: each pack left at least twice the size of the next smaller, so a
    store keeps O(log n) packs, and the large one is not rewritten: ~30 ms). After the
    refs moved: the write is done, so a failure here costs nothing but packs."""
    if len(list((store_path / ".git" / "objects" / "pack").glob("pack-*.pack"))) > 1:
        with suppress(StoreError):
            run_git(store_path, "repack", "-d", "-q", "--geometric=2")
