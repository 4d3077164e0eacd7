"""The build: read the corpus under the store lock, then write the store; and the way back,
a store's corpus written out as a versions/ directory.

The one place where the corpus stages meet the store: the store's writer is handed plain
data and never calls back into parsing. The store is the parse cache: a document whose
source (sha256), manifest entry and round label match the stored one, under the same rules
digest, keeps its stored statements; if the stored documents are the first ones of the
new date order, only the rest is parsed and committed on top of the head (an ingest costs
one document whatever the corpus size); otherwise the store is rebuilt, parsing only what
the cache lacks.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path

from diffview.collector import collector_paused
from diffview.corpus.claims import claims_digest
from diffview.corpus.load import parse_documents, rules_digest
from diffview.corpus.manifest import (
    Manifest,
    check_source_name,
    manifest_path,
    read_manifest,
    removal_stamp,
    render_manifest,
)
from diffview.corpus.topicnames import BUNDLED_RULES
from diffview.errors import DiffviewError, InputError, StoreError
from diffview.journal import recover
from diffview.model import Document, Removal, Statement
from diffview.store.corpusfiles import CorpusFiles
from diffview.store.files import remember_claims
from diffview.store.git import is_store
from diffview.store.head import (
    HeadState,
    older_format_documents,
    read_head,
    record_parsed_with,
    same_document,
    same_event,
)
from diffview.store.lock import store_lock
from diffview.store.paths import default_store_path, real_store_path
from diffview.store.plan import Event, ordered_events, render_for
from diffview.store.read import Store
from diffview.store.write import (
    BuildReport,
    Parsed,
    Parsing,
    Progress,
    append_documents,
    say,
    unchanged,
    write_store,
)


def build_store(
    versions_dir: Path,
    store_path: Path | None = None,
    progress: Progress | None = None,
    *,
    locked: bool = False,
    force: bool = False,
    worktree: bool | None = None,
) -> BuildReport:
    """Parse `versions_dir` (manifest + sources) and bring the store up to date, all under
    the store lock; `locked=True` when the caller already holds it (ingest). `worktree`:
    see `write_store`.

    A build makes the store hold exactly the corpus, so a document the store has and the
    corpus lacks (a teammate's ingest pulled into the store, a store of another corpus)
    would be dropped: that is refused unless `force`."""
    path = Path(store_path or default_store_path()).expanduser().absolute()
    if not locked:
        # The corpus is read under the lock: a plan made from versions/ as it was before a
        # concurrent ingest finished would rewrite the store without that document.
        with store_lock(path), collector_paused():
            recover(versions_dir, path)  # an ingest that died: finish or undo it first
            return build_store(
                versions_dir, path, progress, locked=True, force=force, worktree=worktree
            )
    versions_dir = Path(versions_dir)
    say(progress, f"reading {versions_dir}")
    manifest = read_manifest(versions_dir)
    documents, labels, every = list(manifest.documents), manifest.labels, manifest.every_document
    if not force:
        check_nothing_dropped(path, versions_dir, manifest)
    store_dir = real_store_path(path)
    sources = CorpusFiles(versions_dir, every, store_dir)
    events = ordered_events(every, manifest.removed)
    rules = rules_digest()
    head = read_head(path)
    try:
        if head is not None and head.current and worktree is None and head.tagged():
            stored = len(head.events())
            kept = _stored_prefix(head, events, sources, labels, rules)
            if kept == stored == len(events):
                sources.record(store_dir)
                return unchanged(head, progress)
            if kept == stored:
                return _append(versions_dir, head, events[kept:], sources, labels, rules, progress)
        cached = _cached(head, every, sources, labels, rules)
    finally:
        # Closed before the parse: its forked workers would hold the git reader's pipe
        # open, and closing the reader (which waits for git to see the end) would hang.
        if head is not None:
            head.close()
    todo = [d for d in every if d.id not in cached]
    parsing = _parse(versions_dir, todo, sources, labels, progress)
    statements = [s for d in every for s in cached.get(d.id, [])]
    report = write_store(
        documents,
        statements,
        path,
        sources,
        labels,
        progress=progress,
        locked=True,
        worktree=worktree,
        removals=manifest.removed,
        parsing=parsing,
    )
    _recorded(report, rules, sources)
    return report


def _append(
    versions_dir: Path,
    head: HeadState,
    new: Sequence[Event],
    sources: CorpusFiles,
    labels: dict[str, str],
    rules: str,
    progress: Progress | None,
) -> BuildReport:
    """The events after the stored history, on top of the head: only new documents are
    parsed (a removal needs none)."""
    docs = [e for e in new if isinstance(e, Document)]
    removals = [e for e in new if isinstance(e, Removal)]
    parsing = _parse(versions_dir, docs, sources, labels, progress)
    report = append_documents(
        head, docs, [], sources, labels, progress=progress, removals=removals, parsing=parsing
    )
    _recorded(report, rules, sources)
    return report


def _recorded(report: BuildReport, rules: str, sources: CorpusFiles) -> None:
    """After a write, beside the objects: the parser's digest and the sources' stats."""
    store = real_store_path(report.store_path)
    record_parsed_with(store, rules, claims_digest(BUNDLED_RULES))
    sources.record(store)


# --- the parse cache: what the store already holds --------------------------------------------


def _stored_prefix(
    head: HeadState,
    events: list[Event],
    sources: CorpusFiles,
    labels: dict[str, str],
    rules: str,
) -> int:
    """How many of the stored commits (documents and removals) open the new order
    unchanged."""
    if head.rules != rules:
        return 0
    kept = 0
    for stored, event in zip(head.events(), events, strict=False):
        doc = event.doc if isinstance(event, Removal) else event
        if not same_event(stored, event, sources.sha256(doc.source), labels):
            break
        kept += 1
    return kept


def _cached(
    head: HeadState | None,
    documents: list[Document],
    sources: CorpusFiles,
    labels: dict[str, str],
    rules: str,
) -> dict[str, list[Statement]]:
    """Stored statements still valid for these documents, by document id."""
    if head is None or head.rules != rules:
        return {}
    stored = {s.doc.id: s for s in head.docs}
    out: dict[str, list[Statement]] = {}
    for doc in documents:
        s = stored.get(doc.id)
        if s is not None and same_document(s, doc, sources.sha256(doc.source), labels):
            out[doc.id] = head.statements_of(doc.id)
            claims = head.claims_file(doc.id)  # the same parser's: kept, not read again
            if claims is not None:
                remember_claims(out[doc.id], claims)
    return out


def _parse(
    versions_dir: Path,
    documents: list[Document],
    sources: CorpusFiles,
    labels: dict[str, str],
    progress: Progress | None,
) -> Parsing:
    """Parse documents the store has no statements for (on both cores when they are many),
    rendering their store files where they were parsed (`render_for` is pure), as a stream
    the writer plans and writes from while the rest is parsed: what is left serial is
    planning and git. The bytes parsed must be the ones hashed."""
    if documents:
        say(progress, f"parsing {len(documents)} documents")
    results = parse_documents(versions_dir, documents, then=partial(render_for, labels))

    def checked() -> Iterator[Parsed]:
        for doc, (data, stmts, files) in zip(documents, results, strict=True):
            if data != sources[doc.source]:
                raise InputError(versions_dir / doc.source, "changed while it was being read")
            yield doc, stmts, files

    return Parsing(frozenset(d.id for d in documents), checked())


# --- a store and a corpus that disagree --------------------------------------------------------


def check_nothing_dropped(
    store_path: Path, versions_dir: Path, corpus: Manifest | Sequence[Document]
) -> None:
    """Refuse (StoreError, one line with the fixes) when the store at `store_path` holds a
    document `corpus` (the manifest of `versions_dir`, or its documents) lacks, or a
    removal it lacks: writing the store from that corpus would drop it (or bring a removed
    document back). Documents and removals only the corpus has are fine: a build adds them."""
    manifest = corpus if isinstance(corpus, Manifest) else Manifest(tuple(corpus))
    stored = _stored_documents(store_path)
    if stored is None:
        return
    message = _dropping(stored[0], manifest.every_document, store_path, versions_dir)
    if not message:
        message = _unremoving(stored[1], store_path, manifest, versions_dir)
    if message:
        raise StoreError(message)


def _unremoving(
    stored: Sequence[Removal], store_path: Path, manifest: Manifest, versions_dir: Path
) -> str | None:
    """The refusal for a removal the store's history holds and the corpus lacks."""
    have = {(r.doc.id, r.at) for r in manifest.removed}
    lost = [r for r in stored if (r.doc.id, r.at) not in have]
    if not lost:
        return None
    return (
        f"{store_path}: its history removes {_list([r.doc for r in lost])} "
        f"(diffview remove, {removal_stamp(lost[0].at)}), which {versions_dir} does not "
        f"record; a build would bring it back; {_fixes(store_path, versions_dir)}"
    )


def corpus_mismatch(
    stored: Sequence[Document],
    store_path: Path,
    versions_dir: Path,
    removals: Sequence[Removal] = (),
) -> str | None:
    """What is wrong between an open store's documents (and the removals of its history)
    and `versions_dir`, in one line with the command that fixes it; None when they agree.
    For a reader (the app) that opens a store with a corpus beside it: a store lagging the
    corpus is said too, and a removal pulled into the store that the corpus lacks."""
    try:
        manifest = read_manifest(versions_dir)
    except DiffviewError as exc:
        return str(exc)
    dropping = _dropping(stored, manifest.every_document, store_path, versions_dir)
    dropping = dropping or _unremoving(removals, store_path, manifest, versions_dir)
    if dropping:
        return dropping
    have = {(d.id, d.source) for d in stored}
    unbuilt = [d for d in manifest.documents if (d.id, d.source) not in have]
    unremoved = [r.doc for r in manifest.removed if (r.doc.id, r.doc.source) in have]
    news = [f"also has {_list(unbuilt)}"] if unbuilt else []
    news += [f"removes {_list(unremoved)}"] if unremoved else []
    if not news:
        return None
    return (
        f"{store_path}: older than {versions_dir}, which {' and '.join(news)}; "
        f"bring it up to date: diffview build --versions {versions_dir} --store {store_path}"
    )


def _stored_documents(store_path: Path) -> tuple[list[Document], list[Removal]] | None:
    """The documents at the store's HEAD and the removals of its history; None when there
    is no store there to lose (no directory, or a directory that is not a store, which
    `write_store` refuses itself)."""
    real = real_store_path(store_path)
    if not real.exists() or not is_store(real):
        return None
    older = older_format_documents(real)  # a build rebuilds it in the current format
    if older is not None:
        return older
    try:
        with Store.open(store_path) as store:
            return store.documents(), store.removals()
    except StoreError as exc:
        raise StoreError(
            f"{exc}; cannot tell what a rebuild would drop (rebuild anyway: diffview build "
            f"--force --store {store_path})"
        ) from None


def _dropping(
    stored: Sequence[Document],
    documents: Sequence[Document],
    store_path: Path,
    versions_dir: Path,
) -> str | None:
    """The refusal for stored documents the corpus lacks (by id and source file), or None."""
    keep = {(d.id, d.source) for d in documents}
    lost = [d for d in stored if (d.id, d.source) not in keep]
    if not lost:
        return None
    fixes = _fixes(store_path, versions_dir)
    if len(lost) == len(stored):
        return (
            f"{store_path}: built from another corpus than {versions_dir} (none of its "
            f"{len(stored)} documents is there); {fixes}"
        )
    ids = {d.id for d in documents}
    replaced = [d for d in lost if d.id in ids]
    also = f" ({_list(replaced)} with another source there)" if replaced else ""
    return (
        f"{store_path}: built from another corpus than {versions_dir}: it holds "
        f"{_list(lost)}, which {versions_dir} lacks{also} and a build would drop; {fixes}"
    )


def _fixes(store_path: Path, versions_dir: Path) -> str:
    return (
        f"write the store's corpus out with `diffview export-corpus DIR --store {store_path}` "
        f"and use --versions DIR, or drop them: diffview build --force --versions "
        f"{versions_dir} --store {store_path}"
    )


def _list(docs: Sequence[Document], most: int = 5) -> str:
    """`005 and 006`, `005, 006, 007 and 4 more`: documents by id, a line stays a line."""
    ids = [d.id for d in docs]
    if len(ids) > most:
        return f"{', '.join(ids[:most])} and {len(ids) - most} more"
    return ids[0] if len(ids) == 1 else f"{', '.join(ids[:-1])} and {ids[-1]}"


# --- the way back: a store's corpus ------------------------------------------------------------


def export_corpus(store_path: Path | None, dest: Path) -> list[Document]:
    """Write the store's corpus into `dest`, a new (or empty) directory: `manifest.toml` with
    every document's entry and the round labels, and each source byte for byte, so that
    `build_store(dest, ...)` gives the same commits. Returns the documents written.

    Written into a temp directory beside `dest`, checked by reading it back as a corpus,
    then renamed into place: `dest` is whole or absent, never half written. A non-empty
    `dest` is refused: merging into a corpus someone edits is for `ingest`, one document
    at a time, each with its own checks.
    """
    dest = Path(os.path.realpath(Path(dest).expanduser()))  # a link: its target gets the files
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise StoreError(f"{dest}: exists and is not an empty directory; name a new one")
    with Store.open(store_path) as store:
        documents = store.documents()
        removed = store.removals()
        labels = {v.round: v.label for v in store.versions()}
        labels |= {r.doc.round: store.round_label(r.doc.round) for r in removed}
        sources = {d.source: store.source_bytes(d.id) for d in documents}
        sources |= {r.doc.source: store.removed_source_bytes(r) for r in removed}
        head = store.head
    dest.parent.mkdir(parents=True, exist_ok=True)
    _drop_dead_exports(dest)
    tmp = dest.with_name(f".{dest.name}.export-{os.getpid()}-{secrets.token_hex(6)}")
    tmp.mkdir(0o777)  # the umask applies, as to any directory the user makes (mkdtemp: 0700)
    try:
        _write_corpus(tmp, Manifest(tuple(documents), tuple(removed), labels), sources, head)
        os.replace(tmp, dest)  # over an empty directory too; a non-empty one: OSError
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return documents


def _drop_dead_exports(dest: Path) -> None:
    """Remove what a killed `export-corpus` into `dest` left (`.DIR.export-PID-*`): its
    process is gone. A live export's directory (another process writing DIR) is kept."""
    for tmp in dest.parent.glob(f".{dest.name}.export-*"):
        pid = tmp.name.removeprefix(f".{dest.name}.export-").split("-", 1)[0]
        if tmp.is_symlink() or not tmp.is_dir() or not pid.isdigit() or _alive(int(pid)):
            continue
        shutil.rmtree(tmp, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _write_corpus(where: Path, corpus: Manifest, sources: Mapping[str, bytes], head: str) -> None:
    """The files of a versions/ directory (removed documents too, with their removal, so
    the same history builds from it); a store whose manifest would not load back as the
    same corpus (a hand-edited or hostile store) is refused."""
    for doc in corpus.every_document:
        try:
            name = check_source_name(doc.source)
        except ValueError as exc:
            raise StoreError(f"the store's document {doc.id}: {exc}") from None
        (where / name).write_bytes(sources[doc.source])
    header = f"# diffview manifest: written by `diffview export-corpus` from a store at {head}."
    text = render_manifest(corpus.documents, corpus.labels, header, corpus.removed)
    manifest_path(where).write_text(text, encoding="utf-8")
    try:
        back = read_manifest(where)
    except DiffviewError as exc:
        raise StoreError(f"the store's manifest does not make a corpus: {exc}") from None
    if (set(back.documents), set(back.removed)) != (set(corpus.documents), set(corpus.removed)):
        raise StoreError("the store's manifest does not round-trip as a corpus")
    if {r: back.labels.get(r) for r in corpus.labels} != corpus.labels:
        raise StoreError("the store's round labels do not round-trip as a corpus")


__all__ = ["build_store", "check_nothing_dropped", "corpus_mismatch", "export_corpus"]
