"""Add a new source document: validate everything, then versions/ and the store, or nothing.

Order matters: every check (readable, decodable, parseable, metadata valid, not a duplicate)
runs before anything is written. Writing then stages temp files and a journal, renames them
into versions/, and extends the store, whose ref update is the one commit point. On an
error versions/ is restored from the journal at once; after a crash or kill -9, `recover`
(run by the next build or ingest, under the lock) completes or undoes the ingest according
to the store, so versions/ and the store always end up agreeing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

from diffview.corpus.extract import Loaded, load_document
from diffview.corpus.manifest import (
    KAMERSTUK_RE,
    Manifest,
    check_answers,
    check_day,
    check_id,
    check_kamerstukken,
    check_kind,
    check_round,
    check_round_near,
    check_title,
    manifest_path,
    parse_user_date,
    read_manifest,
    write_manifest_candidate,
    write_temp_beside,
)
from diffview.corpus.metadata import text_facts, with_metadata
from diffview.corpus.sources import load_source
from diffview.errors import InputError, LayoutError, regex_timeout
from diffview.journal import apply_entry, recover, write_entry
from diffview.model import DOC_KINDS, Document, Statement
from diffview.pipeline import build_store, check_nothing_dropped
from diffview.store.lock import store_lock
from diffview.store.paths import default_store_path

_KIND_HINTS = (  # first match in the first 60 lines wins
    (re.compile(r"verslag van een commissiedebat", re.I), "debate-report"),
    (re.compile(r"lijst van vragen en antwoorden", re.I), "questions-and-answers"),
    (re.compile(r"\bBNC-fiche\b|^\s*Fiche(?: \d{1,2})?\s*:", re.I | re.M), "fiche"),
    (re.compile(r"schriftelijk overleg", re.I), "written-consultation"),
    (
        re.compile(
            r"antwoord(?:en)? op (?:de )?(?:kamer)?vragen (?:van )?(?:het lid|de leden)"
            r"|\bkamervragen\b|vragen van (?:het lid|de leden)|aanhangsel van de handelingen",
            re.I,
        ),
        "kamervragen",
    ),
    (re.compile(r"beantwoording|antwoorden op", re.I), "answers"),
    (
        re.compile(r"^\s*Kamerbrief\b|geannoteerde agenda|^\s*Geachte voorzitter", re.I | re.M),
        "letter",
    ),
)
# The layout, where it settles the kind (a written consultation may hold answers or not).
_LAYOUT_KINDS = {
    "kamervragen": "kamervragen",
    "fiche": "fiche",
    "letter": "letter",
    "debate": "debate-report",
    "numbered-qa": "questions-and-answers",
}


def ingest(
    file: Path,
    versions_dir: Path,
    store_path: Path | None = None,
    date: str | None = None,  # None: the date the text states
    title: str | None = None,
    kind: str | None = None,
    doc_id: str | None = None,
    round: str | None = None,  # noqa: A002 - the manifest's field name
    answers: str | None = None,
    short_title: str | None = None,
    kamerstukken: Sequence[str] | None = None,
) -> Document:
    """Add `file` to `versions_dir` and the store; return its manifest entry.

    `kamerstukken` defaults to the number the document's head states (`32317  JBZ-Raad`,
    `Nr. 904` below it), so the manifest says what the text says.

    Titles are one line of text: newlines and control characters (terminal escapes) are
    refused, not repaired, because a title is user-supplied metadata the user can fix. A
    title like `--upload-pack=x` or `../x` is just text: it never becomes a path or a git
    argument. The file is stored as `<id>_<sha256[:16]>.txt`, never under its own name.
    """
    file = Path(file)
    versions_dir = Path(versions_dir)
    store_path = Path(store_path or default_store_path())
    loaded = load_document(file)
    data, text = loaded.data, loaded.text
    with store_lock(store_path):
        recover(versions_dir, store_path)
        manifest = read_manifest(versions_dir)
        doc = _new_document(
            file,
            versions_dir,
            loaded,
            manifest,
            date,
            title,
            kind,
            doc_id,
            round,
            answers,
            short_title,
            kamerstukken,
        )
        if (versions_dir / doc.source).exists():
            raise InputError(versions_dir / doc.source, "already exists; not overwriting it")
        statements = _parse(file, doc, text)
        facts = text_facts(text, statements, doc.kind)
        doc = replace(doc, minister=facts.minister, member=facts.member)
        check_nothing_dropped(store_path, versions_dir, manifest)  # as build would refuse
        _commit(versions_dir, store_path, doc, data, manifest)
    return doc


def _new_document(
    file: Path,
    versions_dir: Path,
    loaded: Loaded,
    manifest: Manifest,
    date: str | None,
    title: str | None,
    kind: str | None,
    doc_id: str | None,
    round_: str | None,
    answers: str | None,
    short_title: str | None,
    kamerstukken: Sequence[str] | None = None,
) -> Document:
    """Validate every piece of metadata; errors name the file being ingested. What the user
    passes wins over what the text says about itself (`diffview.corpus.metadata`).
    A removed document's id is never used again (citations stay unambiguous); its text
    may come back, under a new id."""
    data, text = loaded.data, loaded.text
    docs, every = list(manifest.documents), manifest.every_document
    _refuse_duplicate(file, text, versions_dir, docs)
    if loaded.original_sha256 is not None:  # the same PDF or XML file a second time
        for d in docs:
            if d.original_sha256 == loaded.original_sha256:
                raise InputError(file, f"same {loaded.original} as document {d.id}; not added")
    facts = with_metadata(text_facts(text), loaded.metadata)
    if date is None:
        if facts.date is None:
            raise InputError(
                file, "no date in the text (ontvangen, Vastgesteld, Datum ...); pass --date"
            )
        date = facts.date.isoformat()
    try:
        day, precision = parse_user_date(date or "")
    except ValueError:
        raise InputError(file, f"date must be YYYY-MM-DD or YYYY-MM, got {date!r}") from None
    try:
        check_day(day)
        new_id = check_id(doc_id) if doc_id else _next_id(every)
        if any(d.id == new_id for d in every):
            gone = new_id not in {d.id for d in docs}
            raise ValueError(f"id {new_id!r} is already used{' (removed)' if gone else ''}")
        the_title = check_title(title if title is not None else _guess_title(text))
        the_short = check_title(short_title or _shorten(the_title), "short_title")
        the_kind = check_kind(kind) if kind else _guess_kind(text)
        the_round = check_round_near(check_round(round_), day) if round_ else day.isoformat()[:7]
        the_answers = check_answers(answers)
        the_numbers = (
            check_kamerstukken(list(kamerstukken))
            if kamerstukken
            else tuple(k for k in facts.kamerstukken if KAMERSTUK_RE.match(k))
        )
        if the_answers is not None and all(d.id != the_answers for d in docs):
            known = any(d.id == the_answers for d in every)
            what = "a removed" if known else "unknown"
            raise ValueError(f"answers refers to {what} document {the_answers!r}")
    except ValueError as exc:
        raise InputError(file, str(exc)) from None
    digest = hashlib.sha256(data).hexdigest()
    return Document(
        id=new_id,
        source=f"{new_id}_{digest[:16]}.txt",
        title=the_title,
        short_title=the_short,
        kind=the_kind,
        date=day,
        date_precision=precision,
        round=the_round,
        kamerstukken=the_numbers,
        answers=the_answers,
        numbers=facts.numbers,
        text_dates=facts.date_strings(),
        original=loaded.original,
        original_sha256=loaded.original_sha256,
    )


def _refuse_duplicate(file: Path, text: str, versions_dir: Path, docs: list[Document]) -> None:
    """The same text as a source we already have (line ends aside: a CRLF copy is the same
    document): refuse, it would count every statement twice. Only sources whose size allows
    the same text are read (a corpus of a thousand is not read whole for one ingest)."""
    possible = _sizes_of_same_text(text)
    for d in docs:
        path = versions_dir / d.source
        try:
            size = path.stat().st_size
        except OSError:
            size = None  # load_source says what is wrong with it
        if size is not None and not any(lo <= size <= hi for lo, hi in possible):
            continue
        if load_source(path)[1] == text:
            raise InputError(file, f"same content as document {d.id} ({d.source}); not added")


def _sizes_of_same_text(text: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """The byte sizes a source decoding to `text` can have (`sources.decode_source`): UTF-8
    with or without BOM, UTF-16 with or without BOM, each line end LF, CR or CRLF."""
    lines = text.count("\n")
    utf8 = len(text.encode("utf-8"))
    utf16 = len(text.encode("utf-16-le"))
    return (utf8, utf8 + lines + 3), (utf16, utf16 + 2 * lines + 2)


def guess_kamerstukken(text: str) -> tuple[str, ...]:
    """The Kamerstuk the document states as its own (`metadata.text_facts`: its head, `kst-`
    id, open-data header or running footer), not the many it cites."""
    return tuple(k for k in text_facts(text).kamerstukken if KAMERSTUK_RE.match(k))


def _next_id(docs: list[Document]) -> str:
    """The next number: 000..999 zero-padded, then 1000, 1001, ... (no ceiling)."""
    highest = max((int(d.id) for d in docs), default=-1)
    return f"{highest + 1:03d}"


_TITLES = (  # what a document calls itself, before its first line
    re.compile(r"^\s*(Kamerbrief (?:over|inzake|met) .{8,150}?)\s*$", re.M),
    # a letter's header block: "Betreft Stand van zaken ..." (the address above it is not
    # its title: every letter to the Kamer opens on "Aan de Voorzitter van de Tweede Kamer")
    re.compile(r"^\s*(?:Onderwerp|Betreft)\b:?[ \t]+(\S.{6,150}?)\s*$", re.M),
    re.compile(r"^\s*(Fiche(?: \d{1,2})?\s*:\s*.{8,150}?)\s*$", re.M),
)
_KAMERSTUK_TITLE = re.compile(
    r"^\s*Nr\.\s*\d{1,5}\s+((?:VERSLAG|BRIEF|LIJST)\b[^a-z\n]{4,150})$", re.M
)
_QUESTIONS_ABOUT = re.compile(
    r"[Vv]ragen van (?:het lid|de leden) .{2,200}? over (.{8,150}?)\s*\(ingezonden", re.S
)


def _guess_title(text: str) -> str:
    head = "\n".join(text.splitlines()[:60])
    about = _QUESTIONS_ABOUT.search(head)
    if about:
        return ("Antwoorden Kamervragen over " + " ".join(about.group(1).split()))[:160]
    for pattern in _TITLES:
        m = pattern.search(head)
        if m:
            return " ".join(m.group(1).split())[:160]
    report = _KAMERSTUK_TITLE.search(head)
    if report:  # "Nr. 1002 VERSLAG VAN EEN COMMISSIEDEBAT": "Verslag van een commissiedebat"
        return " ".join(report.group(1).split()).capitalize()[:160]
    for line in text.splitlines():
        line = " ".join(line.split())
        if len(line) >= 8 and any(c.isalpha() for c in line):
            return line[:160]
    raise ValueError("cannot derive a title from the text; pass one")


def _shorten(title: str, limit: int = 48) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _guess_kind(text: str) -> str:
    """The kind the layout implies, else the first hint in the head of the text."""
    from diffview.corpus.layouts import choose

    layout: str
    try:
        layout = choose(text).name
    except LayoutError:
        layout = ""
    if layout in _LAYOUT_KINDS:
        return _LAYOUT_KINDS[layout]
    head = "\n".join(text.splitlines()[:60])
    for pattern, kind in _KIND_HINTS:
        if pattern.search(head):
            return kind
    raise ValueError(f"cannot tell the document kind; pass one of {', '.join(DOC_KINDS)}")


def _parse(file: Path, doc: Document, text: str) -> list[Statement]:
    """Parse the new document before anything is written; a problem is reported against
    the user's file."""
    from diffview.corpus.load import parse_text

    try:
        return parse_text(doc, text)
    except InputError as exc:
        raise type(exc)(file, exc.message, exc.line) from None
    except TimeoutError:
        raise regex_timeout(file, "parsing") from None


def _commit(
    versions_dir: Path,
    store_path: Path,
    doc: Document,
    data: bytes,
    manifest_now: Manifest,
) -> None:
    """Stage everything aside, write a journal, rename into versions/, extend the store.

    The store's ref update (or directory swap) is the one commit point: a run killed at
    any instruction leaves the journal, and the next writer (`recover`, under the lock)
    finishes versions/ if the store has the document and restores it if not.
    """
    manifest = manifest_path(versions_dir)
    target = versions_dir / doc.source
    staged: list[Path] = []
    try:
        staged.append(write_temp_beside(target, data))
        staged.append(write_manifest_candidate(versions_dir, doc, current=manifest_now))
        write_entry(
            versions_dir, "add", doc.id, doc.source, staged[1], staged_source=staged[0].name
        )
    except BaseException:
        for tmp in staged:
            tmp.unlink(missing_ok=True)
        raise
    # force: ingest checked under this lock that the store drops nothing (`ingest`)
    build = partial(build_store, versions_dir, store_path, locked=True, force=True)
    apply_entry(versions_dir, store_path, [(staged[0], target), (staged[1], manifest)], build)


__all__ = ["ingest"]
