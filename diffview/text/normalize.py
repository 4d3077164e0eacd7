"""Normalise PDF-extracted text while keeping a map back to the source lines.

The seeds are text extractions of published PDFs: words are hyphenated at line ends, page
numbers, ministry letter headers and footnote blocks sit in the middle of sentences, bullets
are private-use glyphs and the same Kamerstuk is written `32 317` or `32317`. Every later
stage (sentences, alignment, diff) must see one spelling of the text, yet every sentence must
still be cited to its exact source lines, so each transformation here keeps a line map.

Two levels:
- `scan.scan_source` classifies every raw line (text, blank, page furniture, footnote) and
  collects footnotes apart, so that parse.py can attach them to the statement citing them
  (`scan.normalize_text` normalises a whole source from its text lines);
- `normalize_lines`, here, joins a run of raw text lines into flowing text with its line map.

`canonical_term` gives a comparison key under which spelling variants of one term are
equal (`end-to-end encryptie` = `end-to-endencryptie`), for the diff engine and search.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import regex

from diffview.sanitize import sanitize

TIMEOUT = 5  # seconds; every regex call on document text is bounded

# Private-use bullet glyphs of Symbol/Wingdings fonts (U+F0B7 is the one in the seeds) and
# the usual geometric bullets all become one bullet.
_BULLET_CHARS = "\uf0b7\uf0a7\uf0a8\uf0d8\uf0fc\uf076\uf06e\u25cf\u25aa\u2023\u2043"
_INVISIBLE_CHARS = "\u00ad\u200b\ufeff"  # soft hyphen, zero-width space, BOM
_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u00b4`"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"
_CHAR_MAP = str.maketrans(
    {
        **dict.fromkeys(_BULLET_CHARS, "•"),
        **dict.fromkeys(_INVISIBLE_CHARS, ""),
        **dict.fromkeys(_SINGLE_QUOTES, "'"),
        **dict.fromkeys(_DOUBLE_QUOTES, '"'),
    }
)
_MAPPED = re.compile("[" + re.escape("".join(map(chr, _CHAR_MAP))) + "]")

# "32 317" inside a Kamerstuk reference → "32317": a 2-digit and a 3-digit group, either
# after the word Kamerstuk(ken) or followed by what follows a dossier number (", nr.",
# "-02", "/34 843", " VI").
_KAMERSTUK_AFTER = regex.compile(
    r"(?<![\d.,]\s?)\b(\d{2})\s(\d{3})\b(?!\s?\d)"
    r"(?=[,;]?\s*(?:nr\b|Nr\b|nrs\b)|-\d|/\s?\d|\s+[IVX]{1,4}\b|\)|,\s*\d{4}\b)"
)
_KAMERSTUK_BEFORE = regex.compile(
    r"(?<=Kamerstuk(?:ken)?(?:\s+II)?(?:,?\s+\d{4}[-/–]\d{2,4},?)?\s)(\d{2})\s(\d{3})\b(?!\s?\d)"
)

# Line-break hyphenation: prefixes that keep their hyphen before a lowercase word.
_KEEP_PREFIXES = frozenset({"vals", "client", "niet", "ex", "oud", "anti", "non", "pre"})
_COORDINATORS = frozenset({"en", "of", "tot", "als", "dan", "noch"})  # "brief- en ..."
_VOWELS = frozenset("aeiou")


@dataclass(frozen=True)
class Normalized:
    """Normalised text and (offset in text, 1-based source line), offsets ascending."""

    text: str
    line_map: tuple[tuple[int, int], ...]

    def line_at(self, offset: int) -> int:
        """Source line of the character at `offset`."""
        line = self.line_map[0][1] if self.line_map else 0
        for start, n in self.line_map:
            if start > offset:
                break
            line = n
        return line


# ---------------------------------------------------------------------------- tokens


def clean_line(raw: str) -> str:
    """One source line with bullets, invisible chars, quotes and whitespace unified."""
    # Every character the map changes is non-ASCII, and NFC leaves ASCII as it is.
    # `translate` with a mapping costs a dict look-up per character: only lines holding one
    # of its characters (found by one C-speed scan) are translated.
    s = raw
    if not raw.isascii():
        s = unicodedata.normalize("NFC", raw.translate(_CHAR_MAP) if _MAPPED.search(raw) else raw)
    if not s.isprintable():  # fast path: most lines hold no control or odd space at all
        s = sanitize(s)
    return " ".join(s.split())  # every Unicode space (NBSP, thin space, tab) → one space


def classify_hyphen(before: str, after: str) -> str:
    """How to join `before-` at a line end with the next line's first word `after`.

    Returns "join" (line-break hyphenation: drop the hyphen, `onderhandelingspo-` +
    `sitie`), "keep" (a real hyphen: `CSAM-` + `verordening`, `end-to-end-` + `encryptie`,
    `vals-` + `positieve`) or "space" (a hyphen standing for an omitted word part:
    `Identiteits-` + `en`). PDF extraction loses the difference, so we decide by shape:
    capitals, digits or an inner hyphen/slash before the break, a capital or digit after
    it, a known prefix, or a vowel clash (`informatie-uitwisseling`) mean a real hyphen.
    """
    word = before.lstrip("(\"'[")
    if not word or not after:
        return "keep"
    if after.lower() in _COORDINATORS:
        return "space"
    if any(ch.isupper() or ch.isdigit() or ch in "-/.:_" for ch in word) or len(word) == 1:
        return "keep"
    if after[0].isupper() or after[0].isdigit() or not after[0].isalpha():
        return "keep"
    if word.lower() in _KEEP_PREFIXES:
        return "keep"
    if word[-1].lower() in _VOWELS and after[0].lower() in _VOWELS:
        return "keep"
    return "join"


def _sub_mapped(
    pattern: regex.Pattern[str], repl: str, text: str, line_map: list[tuple[int, int]]
) -> tuple[str, list[tuple[int, int]]]:
    """`pattern.sub(repl, text)` that also moves the line-map offsets."""
    edits = [(m.start(), m.end(), m.expand(repl)) for m in pattern.finditer(text, timeout=TIMEOUT)]
    if not edits:
        return text, line_map
    out: list[str] = []
    last = 0
    for start, end, rep in edits:
        out.append(text[last:start])
        out.append(rep)
        last = end
    out.append(text[last:])

    def moved(offset: int) -> int:
        shift = 0
        for start, end, rep in edits:
            if offset >= end:
                shift += len(rep) - (end - start)
            elif offset > start:
                return start + shift + min(offset - start, len(rep))
            else:
                break
        return offset + shift

    new_map: list[tuple[int, int]] = []
    for offset, line in line_map:
        new = moved(offset)
        if new_map and new_map[-1][0] >= new:
            new_map[-1] = (new_map[-1][0], line)
        else:
            new_map.append((new, line))
    return "".join(out), new_map


# Both reference patterns need `\d{2}\s\d{3}`. Unicode `\d` scans slowly (and a regex time
# budget slows any scan), so the test is on ASCII digits, fixed-width and so linear without
# a budget; it is exact for a text whose every digit is ASCII, and the others take the full
# path.
_ASCII_GROUPS = regex.compile(r"[0-9]{2}\s[0-9]{3}")
_NON_ASCII = regex.compile(r"[^\x00-\x7f]")


def _may_hold_refs(text: str) -> bool:
    if _ASCII_GROUPS.search(text):
        return True
    return not text.isascii() and any(c.isdigit() for c in _NON_ASCII.findall(text))


def _unify_refs(text: str, line_map: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    if not _may_hold_refs(text):
        return text, line_map
    text, line_map = _sub_mapped(_KAMERSTUK_BEFORE, r"\1\2", text, line_map)
    return _sub_mapped(_KAMERSTUK_AFTER, r"\1\2", text, line_map)


# ---------------------------------------------------------------------------- public


_ENDS_SENTENCE = regex.compile(r"[.!?:;…][\"')\]]*\d{0,2}$")
_HEADING_MAX_WORDS = 12
_HEADING_MAX_SHARE = 0.7  # of the widest line: a wrapped line runs the full width
# "3. Encryptie", "2.1 Detectiebevel", "b) Subsidiariteit": a section number before the
# capital (a numbered sentence still ends with a sentence mark, a wrapped one runs wide).
_SECTION_NUMBER = re.compile(r"(?:\d{1,2}(?:\.\d{1,2})*\.?|[a-z]\))\s+")
_NOT_HEADING_END = tuple(".!?…:;,-–—(\"'“”’")


def _is_heading(line: str, following: str, widest: int) -> bool:
    return following[:1].isupper() and is_heading_line(line, widest)


def _after_number(line: str) -> str:
    """The line after its section number, if it opens on one (most lines do not: a cheap
    digit-or-letter-paren test first, as this runs on every line of a document)."""
    if not (line[:1].isdigit() or line[1:2] == ")"):
        return line
    number = _SECTION_NUMBER.match(line)
    return line[number.end() :] if number else line


def is_heading_line(stripped: str, widest: int) -> bool:
    """A line that reads as a heading: capitalised, at most twelve words, no sentence mark at
    its end, and short against the widest line of its block. PDF text wraps a paragraph at
    the full width, so a short line inside a paragraph is its last one, which ends with a
    sentence mark; a short unmarked line is a heading."""
    return (
        _after_number(stripped)[:1].isupper()
        and not stripped.endswith(_NOT_HEADING_END)
        and len(stripped) <= _HEADING_MAX_SHARE * widest
        and len(stripped.split()) <= _HEADING_MAX_WORDS
    )


# How a line's last word ends, told from its last character where that settles it: a
# sentence mark ends a sentence (`_ENDS_SENTENCE` matches with no closer and no digits), an
# ASCII character that is no mark, closer or digit cannot (every match ends on one of
# those); any other end is searched.
_MARKS = frozenset(".!?:;…")
_NOT_ENDING = frozenset(chr(c) for c in range(128)) - frozenset(".!?:;\"')]0123456789")


def _ends_sentence(word: str) -> bool:
    last = word[-1:]
    if last in _MARKS:
        return True
    if last in _NOT_ENDING:
        return False
    return bool(_ENDS_SENTENCE.search(word))


def normalize_lines(lines: Sequence[tuple[int, str]]) -> Normalized:
    """Join raw source lines (line number, raw text) into one flowing normalised text.

    Parts are collected in a list with a running length (not `text +=`), so a long
    paragraph costs linear time. Runs on every line of every statement: an ASCII printable
    line is cleaned inline (`clean_line` only collapses its spaces), and whether the line
    before ends a sentence is told from its last character where that settles it.
    """
    parts: list[str] = []
    length = 0
    line_map: list[tuple[int, int]] = []
    previous = 0
    gap = False
    cleaned = [
        " ".join(raw.split()) if raw.isascii() and raw.isprintable() else clean_line(raw)
        for _, raw in lines
    ]
    widest = max(map(len, cleaned), default=0)
    starts_sentence = True  # the previous line began after a sentence end
    last = ""  # the previous non-empty cleaned line, as it was appended
    for i, (number, _) in enumerate(lines):
        s = cleaned[i]
        gap = gap or (previous > 0 and number > previous + 1)
        previous = number
        if not s:
            gap = bool(parts)
            continue
        if parts:
            # `last` is a whole line: its last word ends where it ends, and the sentence-end
            # pattern holds no space, so testing the line's end is testing the word's.
            ended = _ends_sentence(last)
            # Skipped lines (blank, page furniture, footnotes) after a finished sentence are a
            # paragraph break; inside a sentence they are a page break: join as usual. A
            # heading keeps its line breaks, so the splitter ends it there.
            after_heading = starts_sentence and _is_heading(last, s, widest)
            before_heading = ended and i + 1 < len(lines) and _is_heading(s, cleaned[i + 1], widest)
            glue = "\n\n" if gap and ended else "\n" if after_heading or before_heading else " "
            starts_sentence = ended or after_heading
            gap = False
            if last[-1] == "-":
                last_word = last.rsplit(" ", 1)[-1]
                if last_word.strip("-–"):
                    how = classify_hyphen(last_word[:-1], s.split(" ", 1)[0])
                    if how == "join":
                        parts[-1], glue = parts[-1][:-1], ""
                        length -= 1
                    elif how == "keep":
                        glue = ""
            parts.append(glue)
            length += len(glue)
        line_map.append((length, number))
        parts.append(s)
        length += len(s)
        last = s
    text, line_map = _unify_refs("".join(parts), line_map)
    return Normalized(text, tuple(line_map))


def normalize_inline(s: str) -> str:
    """A short string (title, query, sentence) under the same token rules as statements."""
    if len(s) <= 2000:  # names, headings and preambles are asked again and again
        return _normalize_short(s)
    return _normalize_inline(s)


def _normalize_inline(s: str) -> str:
    return normalize_lines([(1, part) for part in s.splitlines() or [""]]).text


_normalize_short = lru_cache(maxsize=2048)(_normalize_inline)  # pure, and at most ~8 MB


_COMPOUND_JOINERS = regex.compile(r"[\s\-‐‑–]+")


def canonical_term(s: str) -> str:
    """Comparison key under which spelling variants of a term are equal.

    `end-to-end encryptie`, `end-to-endencryptie` and `end-to-end-encryptie` give the same
    key, so do `Kamerstuk 32 317`/`Kamerstuk 32317`, curly/straight/« » quotes, case and
    diacritics (`privéberichten`/`priveberichten`). The key is for equality tests (diff
    engine: "is this only a spelling change?", search), not for display: it drops all
    spaces and hyphens, so compare keys of whole phrases, never of single tokens against
    phrases.
    """
    norm = normalize_inline(s).casefold().replace("'", '"')  # « », ‘ ’, “ ” alike
    decomposed = unicodedata.normalize("NFD", norm)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _COMPOUND_JOINERS.sub("", stripped, timeout=TIMEOUT)


def same_term(a: str, b: str) -> bool:
    """True when `a` and `b` are spelling variants of one another (see `canonical_term`)."""
    return canonical_term(a) == canonical_term(b)
