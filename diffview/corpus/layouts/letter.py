"""`letter`: a Kamerbrief, a minister's or state secretary's letter to the Kamer.

    Aan de Voorzitter van de Tweede Kamer der Staten-Generaal   (the addressee)
    Geachte voorzitter,                                          (ministry layout)
    ... paragraphs and headings ...
    De Minister van Justitie en Veiligheid,                      (the signatory)
    D.M. van Oosten

The same letter reaches us as the ministry's PDF, as a Kamerstuk ("BRIEF VAN DE MINISTER
...", "Den Haag, 21 november 2025", no salutation) and as the Kamer's open-data web page (a
navigation header and "Nummer: 2024D39915, datum: ..." above the letter). All of its text
is the cabinet's: every paragraph and heading is a statement of role `cabinet`, spoken by
the first signatory (the others sign "mede namens"); an annex after the signature (a
geannoteerde agenda) is part of it. Without a signatory we cannot say who speaks, so the
letter is refused.
"""

from __future__ import annotations

from collections.abc import Sequence

import regex

from diffview.corpus.layouts import Detection, Layout
from diffview.corpus.layouts._common import (
    Builder,
    Lines,
    Signatory,
    left_columns,
    scan_document,
    signatories,
)
from diffview.model import Document, Statement
from diffview.text.normalize import TIMEOUT, normalize_inline
from diffview.text.scan import paragraphs, scan_source

_ADDRESSEE = regex.compile(
    r"^\s*Aan de (?:[Vv]oorzitter|[Vv]oorzitster) van de (?:Tweede|Eerste) Kamer\b"
)
_SALUTATION = regex.compile(r"^\s*Geachte (?:[Vv]oorzitter|[Vv]oorzitster|heer|mevrouw)\b.*,\s*$")
_LETTER_OF = regex.compile(
    r"\bBRIEF VAN DE (?:MINISTER|STAATSSECRETARIS)|^\s*Kamerbrief\b", regex.MULTILINE
)
_PLACE_DATE = regex.compile(r"^\s*(?:Den Haag|'s-Gravenhage),?\s+\d{1,2}\s+\p{Ll}+\s+\d{4}\s*$")
_SUBJECT = regex.compile(r"^\s*Onderwerp\s+\S")
_HEADING_END = regex.compile(r"[.;:,?!]['\")]*$")
_GREETING = regex.compile(r"^\s*(?:Hoogachtend|Met vriendelijke groet(?:en)?),?\s*$")


def detect(text: str) -> Detection:
    lines = left_columns(text.split("\n"))
    head = lines[:400]
    signs = []
    if any(_ADDRESSEE.match(s, timeout=TIMEOUT) for s in head if "Aan de " in s):
        signs.append("addressed to the Voorzitter")
    if any(_SALUTATION.match(s, timeout=TIMEOUT) for s in head if "Geachte " in s):
        signs.append("`Geachte voorzitter,`")
    if _LETTER_OF.search("\n".join(head), timeout=TIMEOUT):
        signs.append("`BRIEF VAN DE MINISTER`")
    if not signs:
        return Detection(0.0)
    signed = signatories(lines)
    if not signed:
        return Detection(
            0.9,
            tuple(signs),
            "no signatory closes it (`De Minister van ...,` and a name)",
        )
    return Detection(0.9, (*signs, f"signed by {signed[0].speaker}"))


def body_start(lines: Sequence[str], end: int) -> int:
    """0-based index of the letter's first body line: after the salutation, else after the
    place and date line, else after the addressee block or the subject line."""
    salutation = place = addressee = subject = None
    for i in range(min(end, len(lines))):
        s = lines[i]
        if salutation is None and _SALUTATION.match(s, timeout=TIMEOUT):
            salutation = i
        elif place is None and _PLACE_DATE.match(s, timeout=TIMEOUT):
            place = i
        elif addressee is None and _ADDRESSEE.match(s, timeout=TIMEOUT):
            addressee = i
        elif subject is None and _SUBJECT.match(s, timeout=TIMEOUT):
            subject = i
    if salutation is not None:
        return salutation + 1
    if place is not None:
        return place + 1
    start = max(i for i in (addressee, subject, -1) if i is not None)
    k = start + 1
    while start >= 0 and k < end and lines[k].strip():  # the rest of the address block
        k += 1
    return k


def _is_heading(para: Lines) -> bool:
    text = " ".join(raw.strip() for _, raw in para)
    return (
        len(para) <= 2
        and len(text.split()) <= 14
        and text[:1].isupper()
        and not _HEADING_END.search(text, timeout=TIMEOUT)
    )


def _glued_heading(para: Lines) -> int:
    """How many of a paragraph's first lines are a heading typed without a blank line after
    it ("Detectiebevel" over "Het kabinet is ..."): 1 when the first line reads as a heading,
    is much shorter than the paragraph's widest line (a wrapped sentence fills its line) and
    the next line opens a sentence; else 0."""
    if len(para) < 2:
        return 0
    first, second = para[0][1].strip(), para[1][1].strip()
    widest = max(len(raw.strip()) for _, raw in para)
    opens = second[:1].isupper() or second[:1].isdigit()
    short = widest >= 40 and len(first) <= 0.6 * widest
    return 1 if short and opens and _is_heading(para[:1]) else 0


def split_body(
    doc: Document, lines: Sequence[str], signatory: Signatory, spans: Sequence[tuple[int, int]]
) -> list[Statement]:
    """Each paragraph inside the 0-based line spans [start, end) a cabinet statement;
    headings name the section of the paragraphs under them."""
    scan = scan_document("\n".join(lines))
    build = Builder(doc, scan)
    section = ""
    for para in paragraphs(scan):
        para = [(n, raw) for n, raw in para if any(a < n <= b for a, b in spans)]
        para = [(n, raw) for n, raw in para if not _GREETING.match(raw, timeout=TIMEOUT)]
        if not para:
            continue
        glued = _glued_heading(para)
        heading, para = (para, []) if _is_heading(para) else (para[:glued], para[glued:])
        if heading:
            section = normalize_inline(" ".join(raw for _, raw in heading))
            build.add("heading", heading, signatory.speaker, signatory.office, "cabinet", section)
        if para:
            build.add("paragraph", para, signatory.speaker, signatory.office, "cabinet", section)
    return build.finish()


def _annex(lines: Sequence[str], start: int) -> bool:
    """Is there an annex after the signature (a geannoteerde agenda, a list of answers)
    rather than a page footer, a list of enclosures or a web page's navigation? At least
    three paragraphs of 15 words or more."""
    scan = scan_source("\n".join(lines))
    long = [
        p
        for p in paragraphs(scan)
        if p[0][0] > start and len(" ".join(r for _, r in p).split()) >= 15
    ]
    return len(long) >= 3


def split(doc: Document, raw_lines: Sequence[str]) -> list[Statement]:
    lines = left_columns(raw_lines)
    signed = signatories(lines)
    if not signed:
        return []
    end = signed[0].line
    spans = [(body_start(lines, end), end)]
    after = signed[-1].end + 1
    if _annex(lines, after):
        spans.append((after, len(lines)))
    return split_body(doc, lines, signed[0], spans)


LAYOUT = Layout("letter", "a Kamerbrief", detect, split, top=0.9)
