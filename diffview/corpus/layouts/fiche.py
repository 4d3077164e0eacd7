"""`fiche`: a BNC-fiche, the cabinet's first assessment of a new Commission proposal.

    Fiche 1: Verordening ter voorkoming en bestrijding van seksueel kindermisbruik
    1. Algemene gegevens / a) Titel voorstel / ...
    2. Essentie voorstel
    3. Nederlandse positie ten aanzien van het voorstel
    4. Beoordeling bevoegdheid, subsidiariteit en proportionaliteit  ...

Recognised by its fixed numbered section titles (at least three of them), not by the word
"fiche", which written consultations mention too. The covering letter of the Minister van
Buitenlandse Zaken often comes first; its signatory speaks for the whole fiche. Every
paragraph and (sub)heading is the cabinet's.
"""

from __future__ import annotations

from collections.abc import Sequence

import regex

from diffview.corpus.layouts import Detection, Layout
from diffview.corpus.layouts._common import Builder, Lines, scan_document, signatories
from diffview.corpus.layouts.letter import body_start
from diffview.model import Document, Statement
from diffview.text.normalize import TIMEOUT, normalize_inline
from diffview.text.scan import paragraphs

SECTION = regex.compile(
    r"^\s*(?P<n>\d{1,2})\.?\s+(?P<title>Algemene gegevens|Essentie (?:van het )?voorstel"
    r"|Nederlandse (?:positie|beoordeling)\b.*|Beoordeling (?:bevoegdheid|subsidiariteit)\b.*"
    r"|(?:Financiële|Juridische) gevolgen\b.*|Gevolgen voor regel(?:geving|druk)\b.*"
    r"|Implicaties\b.*|Implementatie\b.*|Overige\b.*|Regeldruk\b.*)\s*$"
)
_SUBSECTION = regex.compile(r"^\s*[a-n]\)\s+\p{Lu}.{0,90}(?<![.;:,])$")
_TITLE = regex.compile(r"^\s*(?:BNC-)?[Ff]iche(?:\s+\d{1,2})?\s*:\s*\S")


def detect(text: str) -> Detection:
    titles = {
        m.group("title").split()[0]
        for line in text.split("\n")
        if line.lstrip()[:1].isdigit()
        for m in [SECTION.match(line, timeout=TIMEOUT)]
        if m
    }
    if len(titles) >= 3:
        return Detection(1.8, (f"{len(titles)} numbered fiche sections",))
    if titles:
        return Detection(
            0.6,
            (f"{len(titles)} fiche sections",),
            f"only {len(titles)} of the numbered fiche sections (`1. Algemene gegevens`, "
            "`2. Essentie voorstel`, ...) were found",
        )
    return Detection(0.0)


def split(doc: Document, raw_lines: Sequence[str]) -> list[Statement]:
    lines = list(raw_lines)
    first = next(
        (i for i, s in enumerate(lines) if _TITLE.match(s) or SECTION.match(s)), len(lines)
    )
    signed = signatories(lines)
    speaker, office = (signed[0].speaker, signed[0].office) if signed else ("kabinet", None)
    letter_end = signed[0].line if signed and signed[0].line < first else None
    start = body_start(lines, letter_end) if letter_end is not None else first
    skip = {k for s in signed for k in range(s.line, s.end + 1)}
    scan = scan_document("\n".join(lines))
    build = Builder(doc, scan)
    section = ""
    for para in paragraphs(scan):
        run: Lines = []
        for n, raw in para:
            if n <= start or n - 1 in skip:
                continue
            heading = bool(
                _TITLE.match(raw) or SECTION.match(raw) or _SUBSECTION.match(raw, timeout=TIMEOUT)
            )
            if heading:
                if run:
                    build.add("paragraph", run, speaker, office, "cabinet", section)
                    run = []
                title = normalize_inline(raw)
                if not _SUBSECTION.match(raw):
                    section = title
                build.add("heading", [(n, raw)], speaker, office, "cabinet", section)
            else:
                run.append((n, raw))
        if run:
            build.add("paragraph", run, speaker, office, "cabinet", section)
    return build.finish()


LAYOUT = Layout("fiche", "a BNC-fiche", detect, split, top=1.8)
