"""`antwoord-line`: fractie headings, question paragraphs, a line `Antwoord`, the answer.

A questions-only verslag (no `Antwoord` at all) has the same layout.
"""

from __future__ import annotations

from collections.abc import Sequence

from diffview.corpus.layouts import Detection, Layout
from diffview.corpus.layouts._written import counts, parse_written
from diffview.model import Document, Statement
from diffview.text.scan import scan_source


def detect(text: str) -> Detection:
    c = counts(text)
    if c.fracties:
        return Detection(2.0, (f"{c.fracties} fractie headings", f"{c.own_line} `Antwoord` lines"))
    if c.own_line:
        return Detection(
            0.5,
            (f"{c.own_line} `Antwoord` lines",),
            "no fractie heading (`Vragen en opmerkingen van de leden van de X-fractie`) "
            "says who asks",
        )
    return Detection(0.0)


def split(doc: Document, lines: Sequence[str]) -> list[Statement]:
    return parse_written(doc, scan_source("\n".join(lines)), inline=False)


LAYOUT = Layout("antwoord-line", "a written consultation", detect, split, top=2.0)
