"""`antwoord-inline`: a written consultation whose answers start `Antwoord:` on their line.

Preferred over `antwoord-line` as soon as inline markers outnumber own-line ones: a
document with one `Antwoord:` read as the own-line layout would turn its answer into a
question.
"""

from __future__ import annotations

from collections.abc import Sequence

from diffview.corpus.layouts import Detection, Layout
from diffview.corpus.layouts._written import counts, parse_written
from diffview.model import Document, Statement
from diffview.text.scan import scan_source


def detect(text: str) -> Detection:
    c = counts(text)
    if c.fracties and c.inline > c.own_line:
        return Detection(3.0, (f"{c.fracties} fractie headings", f"{c.inline} `Antwoord:` lines"))
    if c.inline and not c.fracties:
        return Detection(
            0.5,
            (f"{c.inline} `Antwoord:` lines",),
            "no fractie heading (`Vragen en opmerkingen van de leden van de X-fractie`) "
            "says who asks",
        )
    return Detection(0.0)


def split(doc: Document, lines: Sequence[str]) -> list[Statement]:
    return parse_written(doc, scan_source("\n".join(lines)), inline=True)


LAYOUT = Layout("antwoord-inline", "a written consultation", detect, split, top=3.0)
