"""Statements (questions, answers, debate turns, letter paragraphs) from one source document.

The layouts live in `diffview.corpus.layouts`, one module each, recognised from the text itself
(never from the manifest or the file name). A document no layout recognises raises
`LayoutError` naming the file and the nearest layout: a wrong layout would silently produce
garbage statements, and everything downstream cites them.
"""

from __future__ import annotations

from diffview.corpus.layouts import LAYOUTS, choose
from diffview.errors import LayoutError
from diffview.model import Document, Statement

__all__ = ["LAYOUTS", "detect_layout", "parse_document"]


def detect_layout(raw_text: str, source: str = "<text>") -> str:
    """The layout of `raw_text`, one of LAYOUTS; `LayoutError` naming `source` if none fits."""
    return choose(raw_text, source).name


def parse_document(doc: Document, raw_text: str) -> list[Statement]:
    """Every statement of `doc` (topics left empty), in document order."""
    layout = choose(raw_text, doc.source)
    statements = layout.split(doc, raw_text.split("\n"))
    if not statements:
        raise LayoutError(doc.source, f"no statements found in a {layout.name} layout")
    return statements
