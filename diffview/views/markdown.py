"""Markdown that document text cannot break, and the standalone HTML page.

Document text is untrusted: every character that could start markup is escaped, redlines use
`~~`/`**` only where CommonMark's flanking rules let them close, and the HTML page renders
with raw HTML disabled (markdown-it-py), so nothing in a document becomes a tag or a link.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from diffview.sanitize import sanitize, sanitize_line

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


_ESCAPE = frozenset("\\`*_[]<>#|~&")
_DELIMS = {-1: "~~", 1: "**"}
_WS = re.compile(r"\s+")


# --------------------------------------------------------------------------- escaping


def _escape_chars(text: str) -> str:
    return "".join("\\" + ch if ch in _ESCAPE else ch for ch in text)


def _flatten(text: str) -> str:
    """Sanitised, every whitespace run (newlines too) one space: text never starts a block."""
    return _WS.sub(" ", sanitize(text))


def escape_md(text: str) -> str:
    """Markdown-literal form of untrusted text, on one line, trimmed."""
    return _escape_chars(_flatten(text).strip())


def _is_punct(ch: str) -> bool:
    """CommonMark's notion of punctuation (Unicode P* and S* classes, ASCII punctuation)."""
    return unicodedata.category(ch).startswith(("P", "S"))


def _is_space(ch: str | None) -> bool:
    return ch is None or ch.isspace() or unicodedata.category(ch) == "Zs"


def _split_ws(text: str) -> tuple[str, str, str]:
    core = text.strip()
    if not core:
        return text, "", ""
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return lead, core, trail


def _piece_list(ops: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """Escaped pieces: (0, text) literal, (±1, core) to be wrapped in a delimiter.

    Whitespace goes outside the delimiters (an opener followed by a space never opens);
    adjacent runs of the same kind merge (so `**a** **b**` becomes `**a b**`).
    """
    merged: list[tuple[int, str]] = []
    for op, chunk in ops:
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + chunk)
        else:
            merged.append((op, chunk))
    pieces: list[tuple[int, str]] = []
    for op, chunk in merged:
        lead, core, trail = _split_ws(_flatten(chunk))
        if op == 0 or not core:
            pieces.append((0, lead + _escape_chars(core) + trail))
            continue
        if lead:
            pieces.append((0, lead))
        elif pieces and pieces[-1][0] == -op:
            pieces.append((0, " "))  # `~~old~~ **new**` reads better than `~~old~~**new**`
        pieces.append((op, _escape_chars(core)))
        if trail:
            pieces.append((0, trail))
    return pieces


def _neighbour_chars(pieces: list[tuple[int, str]], i: int) -> tuple[str | None, str | None]:
    """The source characters just before and after piece i (None at the edges)."""
    before = None
    for op, text in reversed(pieces[:i]):
        if text:
            before = _DELIMS[op][-1] if op else text[-1]
            break
    after = None
    for op, text in pieces[i + 1 :]:
        if text:
            after = _DELIMS[op][0] if op else text[0]
            break
    return before, after


def redline_md(ops: Sequence[tuple[int, str]]) -> str:
    """Markdown redline of word ops (-1 delete, 0 equal, 1 insert), safe and flanking-proof.

    The delimiter rules: an opener is left-flanking unless the first wrapped character is
    punctuation and the character before the opener is a letter/digit; a closer is
    right-flanking unless the last wrapped character is punctuation and a letter/digit
    follows. In those two cases we add a space outside the delimiter.
    """
    pieces = _piece_list(ops)
    out: list[str] = []
    for i, (op, text) in enumerate(pieces):
        if not op:
            out.append(text)
            continue
        before, after = _neighbour_chars(pieces, i)
        delim = _DELIMS[op]
        if _is_punct(text[0]) and not (_is_space(before) or _is_punct(before or " ")):
            out.append(" ")
        out.append(f"{delim}{text}{delim}")
        if _is_punct(text[-1]) and not (_is_space(after) or _is_punct(after or " ")):
            out.append(" ")
    return "".join(out).strip()


# --------------------------------------------------------------------------- HTML

_CSS = """
body { font: 16px/1.5 Georgia, "Times New Roman", serif; max-width: 52rem; margin: 2rem auto;
       padding: 0 1rem; color: #1a1a1a; background: #fff; }
h1, h2, h3 { font-family: system-ui, sans-serif; line-height: 1.25; }
h3 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .9em; }
th, td { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; vertical-align: top; }
s, del { color: #a40000; background: #fde8e8; text-decoration: line-through; }
strong, ins { color: #0a6b1f; background: #e6f6e9; text-decoration: none; }
li { margin: .5rem 0; }
code { font-size: .9em; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  h3 { break-after: avoid; }
  li, tr { break-inside: avoid; }
  s, del { color: #000; background: none; }
  strong, ins { color: #000; background: none; text-decoration: underline; }
}
""".strip()


def _markdown_it() -> MarkdownIt:
    from markdown_it import MarkdownIt  # 89 ms to import: only when HTML is asked for

    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def _page_head(title: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="nl">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(sanitize_line(title))}</title>\n"
        f"<style>\n{_CSS}\n</style>\n</head>\n<body>\n"
    )


_PAGE_TAIL = "</body>\n</html>\n"


def markdown_to_html(md: str, title: str) -> str:
    """A standalone HTML page (raw HTML in the markdown is disabled, not passed through)."""
    body: str = _markdown_it().render(md)
    return _page_head(title) + body + _PAGE_TAIL


def html_chunks(chunks: Iterable[str], title: str) -> Iterator[str]:
    """`markdown_to_html` of the joined `changelog_chunks`, rendered chunk by chunk: each
    chunk is whole blocks and a blank line separates it from the next (a test checks that the
    page is byte for byte the one rendered at once)."""
    engine = _markdown_it()
    yield _page_head(title)
    for chunk in chunks:
        yield engine.render(chunk)
    yield _PAGE_TAIL
