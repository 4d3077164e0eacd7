"""What each raw line of a source is: text, blank, page furniture (running headers, page
numbers, URLs, letter headers) or a footnote; the text lines grouped into paragraphs; and
a whole source normalised from them (`normalize_text`).

PDF extraction interleaves all of these with the flowing text; `normalize.py` joins only the
text lines, so a footnote or a page header never lands inside a cited sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex

from diffview.text.normalize import TIMEOUT, Normalized, normalize_lines

_URL_LINE = regex.compile(r"^(?:https?://|www\.)\S*$")
_FILE_LINE = regex.compile(r"^file://\S*$")
_PAGE_NUMBER = regex.compile(r"^\d{1,3}$")
_FOOTNOTE_START = regex.compile(r"^(\d{1,3})(?:[ \t\u00a0]+(\S.*?))?\s*$")
# Ministry letter headers and Kamerstuk running headers/footers.
_HEADER = regex.compile(
    r"^(?:Datum\s+\d{1,2}\s+\p{Ll}+\s+\d{4}"
    r"|(?:Onze|Uw)\s+referentie\b.*"
    r"|Ons\s+kenmerk\b.*"
    r"|Pagina\s+\d+\s+van\s+\d+"
    r"|Tweede\s+Kamer,\s+vergaderjaar\s+\d{4}\s*[–-]\s*\d{4},\s+[\d ]+,\s+nr\.\s*\d+(?:\s+\d+)?)$"
)


@dataclass(frozen=True)
class Footnote:
    """A footnote kept apart from the flowing text: its number, text and source lines."""

    number: int
    text: str
    lines: tuple[int, int]


@dataclass(frozen=True)
class Scan:
    """Every raw line of a source with its kind: "text", "blank", "furniture" or "footnote"."""

    lines: tuple[str, ...]  # lines[0] is source line 1
    kinds: tuple[str, ...]
    footnotes: tuple[Footnote, ...]

    def text_lines(self, first: int = 1, last: int | None = None) -> list[tuple[int, str]]:
        """(line number, raw text) of the text lines in [first, last]."""
        last = len(self.lines) if last is None else last
        return [
            (n, self.lines[n - 1])
            for n in range(max(first, 1), min(last, len(self.lines)) + 1)
            if self.kinds[n - 1] == "text"
        ]


# ---------------------------------------------------------------------------- scanning


@lru_cache(maxsize=256)
def _references(n: int) -> regex.Pattern[str]:
    """A footnote marker `n` glued to a word or after punctuation: `Brussel1.`, `af. 2`."""
    return regex.compile(
        rf"(?:(?<=[\p{{L}}\p{{Pe}}'\"’”%?])|(?<=[.,;:)](?:\s)?)){n}(?!\d)(?![.,]\d)"
    )


class _Scanner:
    """Line classifier state: the open footnote and the text seen since the last one."""

    def __init__(self, lines: list[str], protect: frozenset[int]) -> None:
        self.lines = lines
        self.protect = protect
        self.kinds = ["text"] * len(lines)
        self.footnotes: list[Footnote] = []
        self.current: tuple[int, int, list[str]] | None = None  # number, first line, parts
        self.expected = 1
        self.recent: list[str] = []  # text lines since the last footnote block

    def blankish(self, index: int) -> bool:
        return index < 0 or index >= len(self.lines) or not self.lines[index].strip()

    def close(self, last_line: int) -> None:
        if self.current is not None:
            number, first, parts = self.current
            text = normalize_lines([(first, p) for p in parts]).text
            self.footnotes.append(Footnote(number, text, (first, last_line)))
            self.current = None
            self.recent = []

    def starts_footnote(self, index: int, raw: str) -> bool:
        m = _FOOTNOTE_START.match(raw, timeout=TIMEOUT)
        if not m or index + 1 in self.protect:
            return False
        n = int(m.group(1))
        if self.current is not None:
            return n == self.current[0] + 1
        window = " ".join(self.recent[-200:])
        cited = bool(_references(n).search(window, timeout=TIMEOUT))
        if n == self.expected:
            return cited or (n > 1 and self.blankish(index - 1))
        return n == 1 and cited  # numbering restarts in a second part of a document

    def classify(self, index: int) -> str:
        # Runs on every line of every source: each test is guarded by a cheap one on the
        # line's first character, and the open footnote is closed only when there is one.
        raw = self.lines[index].rstrip("\r")
        s = raw.strip()
        line = index + 1
        if line in self.protect:
            self.close(line - 1)
            return "text"
        if not s:
            self.close(line - 1)
            return "blank"
        first = s[0]
        if first == "f" and s.startswith("file://") and _FILE_LINE.match(s, timeout=TIMEOUT):
            return "furniture"
        indented = raw[:1].isspace()
        if (
            first in "hw"
            and s.startswith(("http", "www."))
            and _URL_LINE.match(s, timeout=TIMEOUT)
            and (self.current is None or indented)
        ):
            return "furniture"
        if raw[:1].isdigit() and self.starts_footnote(index, raw):
            self.close(line - 1)
            m = _FOOTNOTE_START.match(raw, timeout=TIMEOUT)
            assert m is not None  # starts_footnote matched the same pattern
            self.current = (int(m.group(1)), line, [m.group(2) or ""])
            self.expected = self.current[0] + 1
            return "footnote"
        if self.current is not None:
            if not indented:
                self.current[2].append(s)
                return "footnote"
            self.close(line - 1)
        if (
            s.isdigit()
            and _PAGE_NUMBER.match(s)
            and self.blankish(index - 1)
            and self.blankish(index + 1)
        ):
            return "furniture"
        if first in "DOUPT" and _HEADER.match(s, timeout=TIMEOUT):
            return "furniture"
        self.recent.append(s)
        return "text"


def scan_source(raw: str, protect: frozenset[int] = frozenset()) -> Scan:
    """Classify every line of `raw`; `protect` lists lines that are text whatever they look like.

    A footnote block starts with the next expected footnote number at the left margin, cited
    in the text before it (or after a blank line once footnotes have begun); it runs until a
    blank line or an indented line (the PDF's next page). Page numbers are lone numbers
    between blank lines. parse.py protects the lines it knows are question numbers.
    """
    lines = raw.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    scanner = _Scanner(lines, protect)
    classify, kinds = scanner.classify, scanner.kinds
    for i in range(len(lines)):
        kinds[i] = classify(i)
    scanner.close(len(lines))
    return Scan(tuple(lines), tuple(scanner.kinds), tuple(scanner.footnotes))


_PARAGRAPH_OPENER = regex.compile(r"^(?:De|Deze) leden\b")  # a new question paragraph
# may end in a footnote marker; searched backwards from the end, where a match must end
# (a forward search tries every character of a paragraph-long line)
_SENTENCE_END = regex.compile(r"(?r)[.?!:;]['\")]*\s?\d{0,3}$")


def paragraphs(scan: Scan) -> list[list[tuple[int, str]]]:
    """Text lines grouped into paragraphs.

    A gap of blank lines ends a paragraph after a sentence end, or after a short unpunctuated
    block (a heading) when the gap holds only blank lines: page breaks in these extractions
    fall mid-sentence, with page numbers and footnotes in the gap, and must not cut there.
    """
    result: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    prev_line = 0
    for n, raw in scan.text_lines():
        if current:
            gap = scan.kinds[prev_line : n - 1]
            if "blank" in gap:  # only a gap with a blank line can end a paragraph
                ended = bool(_SENTENCE_END.search(current[-1][1].rstrip(), timeout=TIMEOUT))
                pure = "furniture" not in gap and "footnote" not in gap
                heading_like = len(current) <= 2 and raw.strip()[:1].isupper()
                heading_like = heading_like or bool(_PARAGRAPH_OPENER.match(raw.strip()))
                if ended or (pure and heading_like):
                    result.append(current)
                    current = []
        current.append((n, raw))
        prev_line = n
    if current:
        result.append(current)
    return result


def normalize_text(raw: str) -> Normalized:
    """A whole source file: furniture and footnotes dropped, paragraphs kept ("\\n\\n")."""
    parts: list[str] = []
    length = 0
    line_map: list[tuple[int, int]] = []
    for para in paragraphs(scan_source(raw)):
        norm = normalize_lines(para)
        if not norm.text:
            continue
        if parts:
            parts.append("\n\n")
            length += 2
        line_map.extend((off + length, n) for off, n in norm.line_map)
        parts.append(norm.text)
        length += len(norm.text)
    return Normalized("".join(parts), tuple(line_map))
