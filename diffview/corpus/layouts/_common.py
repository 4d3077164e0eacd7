"""What every layout shares: the statement builder (stable ids, per-kind ordinals), footnote
attachment, and the answering office named in a document's preamble.

Kept apart from the layouts so that adding a layout touches no other layout's module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import regex

from diffview.model import Document, Statement
from diffview.text.normalize import TIMEOUT, normalize_lines
from diffview.text.scan import Footnote, Scan, scan_source

Lines = list[tuple[int, str]]  # (1-based source line, raw text)

_ANSWERER = regex.compile(
    r"(?:Bij brief van .{0,40}? heeft de|voorgelegd aan de)\s+(minister|staatssecretaris)\s+"
    r"(van|voor)\s+([\p{L} ]+?)\s+(?:de vragen|over)\b"
)


# Running headers and footers of Kamerstuk, Handelingen and ministry PDFs that normalize.py
# does not know (it keeps the seeds' rules): document ids, ISSN lines, print place and year.
_FURNITURE = regex.compile(
    r"^\s*(?:kst-\d{5,6}-\d{1,5}(?:-\w+)?|ah-tk-\d{8}-\d{1,5}|ISSN\s+\d{4}\s*-\s*\d{4}"
    r"|'s-Gravenhage\s+\d{4}|Uw\s+kenmerk\b.*"
    r"|Tweede\s+Kamer,\s+vergaderjaar\s+\d{4}\s*[–-]\s*\d{4},\s+Aanhangsel\s+\d+(?:\s+\d+)?)\s*$"
)


def _is_furniture(line: str) -> bool:
    return line.strip()[:1] in "kaIU'T" and bool(_FURNITURE.match(line, timeout=TIMEOUT))


_COLUMN_GAP = regex.compile(r"\S {12,}\S")


def _left_column(line: str) -> str:
    """A layout-mode PDF line holding the letterhead's right column beside the text
    (`Geachte voorzitter,            Ons kenmerk`): the text part only."""
    m = _COLUMN_GAP.search(line, timeout=TIMEOUT)
    return line[: m.start() + 1] if m else line


def left_columns(lines: Sequence[str]) -> list[str]:
    """`lines` without a layout-mode PDF's right column (see `scan_document`)."""
    return [_left_column(line) if "    " in line else line for line in lines]


def scan_document(text: str, protect: frozenset[int] = frozenset()) -> Scan:
    """`scan_source` for the newer layouts: the PDF furniture above marked as such, and the
    right column of a layout-mode PDF page (a line starting 12+ spaces in, or the part of a
    line after a 12+ space gap) left out of the text. Line numbers do not change."""
    scan = scan_source(text, protect)
    lines = tuple(_left_column(line) if "    " in line else line for line in scan.lines)
    kinds = tuple(
        "furniture"
        if kind == "text" and (_is_furniture(line) or line.startswith(" " * 12))
        else kind
        for line, kind in zip(lines, scan.kinds, strict=True)
    )
    if kinds == scan.kinds and lines == scan.lines:
        return scan
    return replace(scan, lines=lines, kinds=kinds)


def line_matches(
    pattern: regex.Pattern[str], text: str, heads: Sequence[str]
) -> list[regex.Match[str]]:
    """`list(pattern.finditer(text))` for a MULTILINE `pattern` of the shape `^\\s*HEAD...`,
    every match of which holds one of the literal `heads` right after the whitespace.

    A search tries the pattern at every character of the text (a third of a debate's
    detection); here only where a head occurs: each such place is matched from the first
    line start before it that only whitespace separates it from, as a search reaching that
    line start would be, and skipped when it lies inside the previous match. Exact for
    heads that start with a character that is not whitespace: `\\s*` then stops right before
    the head, from whichever line start it is tried (one that fails from the first fails from
    all of them).
    """
    places = sorted({i for head in heads for i in _occurrences(text, head)})
    found: list[regex.Match[str]] = []
    pos = 0
    for i in places:
        if i < pos:
            continue
        space = _SPACE_RUN.match(text, pos, i, timeout=TIMEOUT)
        start = space.start() if space else i
        if start and text[start - 1] != "\n":  # not a line start: the first inside the run
            newline = text.find("\n", start, i)
            if newline < 0:
                continue
            start = newline + 1
        m = pattern.match(text, start, timeout=TIMEOUT)
        if m is not None:
            found.append(m)
            pos = m.end()
    return found


_SPACE_RUN = regex.compile(r"(?r)\s*")  # the whitespace (as the patterns' `\s`) ending at a place


def _occurrences(text: str, literal: str) -> list[int]:
    places, i = [], text.find(literal)
    while i >= 0:
        places.append(i)
        i = text.find(literal, i + 1)
    return places


@dataclass
class Builder:
    """Collects statements of one document with per-kind ordinals and stable ids."""

    doc: Document
    scan: Scan
    statements: list[Statement] = field(default_factory=list)
    ordinals: dict[str, int] = field(default_factory=dict)

    def add(
        self,
        kind: str,
        lines: Lines,
        speaker: str,
        party: str | None,
        role: str,
        section: str = "",
        answers: tuple[str, ...] = (),
    ) -> Statement | None:
        norm = normalize_lines(lines)
        if not norm.text:
            return None
        ordinal = self.ordinals.get(kind, 0) + 1
        self.ordinals[kind] = ordinal
        digest = hashlib.sha1(norm.text.encode("utf-8")).hexdigest()[:8]
        stmt = Statement(
            id=f"{self.doc.id}-{kind[0]}{ordinal:03d}-{digest}",
            doc=self.doc.id,
            source=self.doc.source,
            date=self.doc.date,
            kind=kind,
            speaker=speaker,
            party=party,
            role=role,
            text=norm.text,
            lines=(lines[0][0], lines[-1][0]),
            line_map=norm.line_map,
            answers=answers,
            section=section,
        )
        self.statements.append(stmt)
        return stmt

    def finish(self) -> list[Statement]:
        return attach_footnotes(self.statements, self.scan.footnotes)


@lru_cache(maxsize=256)
def _citation(number: int) -> regex.Pattern[str]:
    """The marker of footnote `number` glued to a word or after punctuation, compiled once
    (not through `regex`'s own cache, which a corpus with many footnotes keeps evicting)."""
    return regex.compile(
        rf"(?:(?<=[\p{{L}}\p{{Pe}}'\"%?])|(?<=[.,;:](?:\s)?)){number}(?!\d)(?![.,]\d)"
    )


def _cites(text: str, number: int) -> bool:
    if str(number) not in text:  # the pattern matches the number's digits literally
        return False
    return bool(_citation(number).search(text, timeout=TIMEOUT))


def attach_footnotes(statements: list[Statement], footnotes: Sequence[Footnote]) -> list[Statement]:
    """Give each footnote to the statement citing it: the last one before its block whose
    text carries the marker, else the statement whose span holds the block."""
    notes: dict[int, list[str]] = {}
    for note in footnotes:
        before = [i for i, s in enumerate(statements) if s.lines[0] <= note.lines[0]]
        citing = [i for i in before if _cites(statements[i].text, note.number)]
        holding = [i for i in before if statements[i].lines[1] >= note.lines[0]]
        target = citing[-1] if citing else holding[-1] if holding else None
        if target is not None:
            notes.setdefault(target, []).append(f"{note.number} {note.text}")
    return [
        replace(s, footnotes=tuple(notes[i])) if i in notes else s for i, s in enumerate(statements)
    ]


def answerer(text: str) -> str | None:
    """ "Minister van Justitie en Veiligheid" from a preamble naming who answers."""
    m = _ANSWERER.search(text, timeout=TIMEOUT)
    if not m:
        return None
    return f"{m.group(1).capitalize()} {m.group(2)} {m.group(3)}"


# --------------------------------------------------------------------------- signatories

_OFFICE_LINE = regex.compile(
    r"^\s*(?:De\s+|de\s+)?(?P<office>(?:Minister|minister|Staatssecretaris|staatssecretaris)"
    r"(?:-[Pp]resident)?)(?:\s+(?P<prep>van|voor)\s+(?P<dept>[\p{L}\- ,]+?))?\s*,\s*$"
)
_NAME_LINE = regex.compile(
    r"^\s*(?:(?:mr|dr|drs|ir|prof|ing)\.\s*)*"
    r"(?P<name>(?:\p{Lu}\.(?:\s?\p{Lu}\.)*\s*|\p{Lu}\p{Ll}+\s+)?"
    r"(?:(?:van|der|den|de|ter|ten|in|'t|het|la|le|du|el)\s+)*\p{Lu}[\p{L}'\-]+"
    r"(?:[\- ]\p{Lu}[\p{L}'\-]+){0,3})\s*$"
)
_INITIALS = regex.compile(r"^(?:\p{Lu}\.\s?)+")


@dataclass(frozen=True)
class Signatory:
    """Who signs a letter: `Minister Van Oosten`, office `Minister van Justitie en Veiligheid`."""

    speaker: str
    office: str
    line: int  # 0-based index of the office line
    end: int  # 0-based index of the name line


def person(office_word: str, name: str) -> str:
    """`Minister` + `D.M. van Oosten` → `Minister Van Oosten`, the form debate turns use, so
    one minister is one speaker across a letter, its answers and a debate."""
    surname = _INITIALS.sub("", name.strip()).strip()
    first, _, rest = surname.partition(" ")
    if first and first[0].islower() and rest:  # "van Oosten" (no first name): "Van Oosten"
        surname = first[0].upper() + first[1:] + " " + rest
    elif first and rest and first[0].isupper() and rest[:1].islower():  # "Dilan van Oosten"
        surname = rest[0].upper() + rest[1:]
    return f"{office_word.capitalize()} {surname}".strip()


def signatories(lines: Sequence[str], start: int = 0) -> list[Signatory]:
    """Office lines (`De Minister van Justitie en Veiligheid,`, possibly run over two lines)
    followed within a few lines by a name: the signatures of a ministry letter."""
    found: list[Signatory] = []
    i = start
    while i < len(lines):
        s = lines[i].strip()
        joined, used = s, 1
        if not s.endswith(",") and i + 1 < len(lines) and len(s) < 80:
            joined, used = f"{s} {lines[i + 1].strip()}", 2
        for text, width in ((s, 1), (joined, used)):
            m = _OFFICE_LINE.match(text, timeout=TIMEOUT) if text[:1] in "DdMmSs" else None
            if m is None:
                continue
            named = _name_after(lines, i + width)
            if named is not None:
                name, name_line = named
                office_word = m.group("office")
                office = office_word.capitalize()
                if m.group("dept"):
                    office += f" {m.group('prep')} {' '.join(m.group('dept').split())}"
                found.append(Signatory(person(office_word, name), office, i, name_line))
                i += width - 1
                break
        i += 1
    return found


def _name_after(lines: Sequence[str], start: int) -> tuple[str, int] | None:
    seen = 0
    for k in range(start, min(start + 16, len(lines))):  # room for a signature image
        s = lines[k].strip()
        if not s:
            continue
        seen += 1
        m = _NAME_LINE.match(s, timeout=TIMEOUT)
        if m and len(s) <= 60:
            return m.group("name"), k
        if seen >= 2:
            return None
    return None
