"""The written-consultation parser shared by the `antwoord-line` and `antwoord-inline`
layouts: fractie headings, question paragraphs, a marker, the cabinet's answer.

A questions-only verslag has the same layout without any marker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import regex

from diffview.corpus.layouts._common import Builder, Lines, answerer, line_matches
from diffview.model import Document, Statement
from diffview.text.normalize import TIMEOUT, clean_line, normalize_inline, normalize_lines
from diffview.text.scan import Scan, paragraphs

_M = regex.MULTILINE
INLINE_MARKER = regex.compile(r"^\s*Antwoord\s*:\s*", _M)
LINE_MARKER = regex.compile(r"^\s*Antwoord\s*$", _M)
FRACTIE = regex.compile(
    r"^\s*Vragen en opmerkingen van (?:de )?leden van (?:de )?(.+?)(?:-?fractie)?\s*$", _M
)
_PART = regex.compile(
    r"^(?:I{1,3}V?\s+(?:Vragen|Reactie)\b.*|\d{5}\s+\S.*|Verslag van een schriftelijk overleg"
    r"|Inhoudsopgave)$"
)
_SENTENCE_END = regex.compile(r"[.?!;:,]['\")]*\s?\d{0,3}$")
_QUESTION_END = regex.compile(r"\?['\")]*$")
_LEDEN_START = regex.compile(
    r"^(?:(?:Ook|Voorts|Verder|Tot slot|Daarnaast|Bovendien|Tevens)\s+(?:\p{Ll}+\s+)?)?"
    r"(?:[Dd]e|[Dd]eze|[Vv]oornoemde)\s+(?:leden|fractie)\b"
)
_ASKING_VERBS = (
    r"(?:zien|vragen|lezen|merken|constateren|menen|vinden|achten|hechten|willen|roepen"
    r"|verzoeken|benadrukken|waarschuwen|erkennen|stellen|begrijpen|hebben|zijn|delen)"
)
_LEDEN_ASK = regex.compile(
    r"\b(?:leden van de [\p{L}\- ]{1,40}?(?:-fractie|fractie|Groep(?: \p{Lu}\p{L}+){1,2})"
    r"|fractie-\p{Lu}+|De \p{Lu}{2,} verzoekt|(?:^|[.?!]\s)Deze leden)\s+" + _ASKING_VERBS + r"\b"
)
_ASKS = regex.compile(r"\?|\bvra(?:gen|agt|ag)\b|\bverzoek")
_LEDEN = regex.compile(r"\bleden\b")


@dataclass(frozen=True)
class Counts:
    """The markers a written consultation is recognised by."""

    inline: int
    own_line: int
    fracties: int


@lru_cache(maxsize=4)  # both written layouts' `detect` count the same text
def counts(text: str) -> Counts:
    # The markers open on the word `Antwoord`, the headings on their first words:
    # `line_matches` tries the patterns only there, not at every character as a search does.
    answers = ("Antwoord",)
    return Counts(
        len(line_matches(INLINE_MARKER, text, answers)),
        len(line_matches(LINE_MARKER, text, answers)),
        len(line_matches(FRACTIE, text, ("Vragen en opmerkingen van ",))),
    )


@dataclass
class _Block:
    """A paragraph of text lines with what it is: marker, heading, fractie, part or text."""

    lines: Lines
    kind: str  # "marker" | "fractie" | "heading" | "part" | "text"

    @property
    def text(self) -> str:
        return normalize_lines(self.lines).text


@lru_cache(maxsize=4096)  # a line is asked up to three times; pure in its arguments
def _line_kind(s: str, inline: bool) -> str:
    # Each pattern starts with a fixed word after optional spaces (`str.isspace` covers the
    # pattern's `\s`), so a line not starting with that word is not matched at all.
    head = s.lstrip()
    if head.startswith("Antwoord") and (
        inline and INLINE_MARKER.match(s, timeout=TIMEOUT) or LINE_MARKER.match(s)
    ):
        return "marker"
    if head.startswith("Vragen en opmerkingen van ") and FRACTIE.match(s, timeout=TIMEOUT):
        return "fractie"
    part = s.strip()
    if (part[:1] in "IV" or part[:1].isdigit()) and _PART.match(part, timeout=TIMEOUT):
        return "part"
    return "text"


def _split_paragraph(para: Lines, inline: bool) -> list[_Block]:
    """Cut a paragraph where a marker, a fractie heading or a part heading starts, where a
    new page starts with `De leden ...`, and after a heading line run into the text."""
    blocks: list[_Block] = []
    current: Lines = []
    for n, raw in para:
        s = raw.strip()
        kind = _line_kind(s, inline)
        page_start = raw[:1].isspace() and _LEDEN_START.match(s, timeout=TIMEOUT)
        if current and (
            kind != "text"
            or (page_start and _SENTENCE_END.search(current[-1][1].rstrip()))
            or _after_marker(current, inline)
        ):
            blocks.append(_Block(current, _line_kind(current[0][1].strip(), inline)))
            current = []
        current.append((n, raw))
    if current:
        blocks.append(_Block(current, _line_kind(current[0][1].strip(), inline)))
    result: list[_Block] = []
    for block in blocks:
        result.extend(_split_heading(block))
    return result


def _after_marker(current: Lines, inline: bool) -> bool:
    """A marker alone on its line (`Antwoord`, `Antwoord:`), a fractie heading or a part
    heading is a block of its own."""
    if len(current) != 1:
        return False
    raw = current[0][1]
    if _line_kind(raw.strip(), inline) in ("fractie", "part"):
        return True
    return bool(LINE_MARKER.match(raw)) or (
        bool(INLINE_MARKER.match(raw)) and not INLINE_MARKER.sub("", raw).strip()
    )


def _is_heading(lines: Lines) -> bool:
    text = " ".join(raw.strip() for _, raw in lines)
    return (
        len(lines) <= 2
        and text[:1].isupper()
        and len(text.split()) <= 20
        and not _SENTENCE_END.search(text, timeout=TIMEOUT)
        and not _LEDEN_START.match(text, timeout=TIMEOUT)
    )


def _split_heading(block: _Block) -> list[_Block]:
    """Split `Heading\\nDe leden van ...` (no blank line between) into heading and text."""
    if block.kind != "text":
        return [block]
    if _is_heading(block.lines):
        return [_Block(block.lines, "heading")]
    for k in (1, 2):
        if len(block.lines) > k and _LEDEN_START.match(block.lines[k][1].strip()):
            head = block.lines[:k]
            if _is_heading(head):
                return [_Block(head, "heading"), _Block(block.lines[k:], "text")]
    return [block]


def _written_blocks(scan: Scan, inline: bool) -> list[_Block]:
    blocks: list[_Block] = []
    for para in paragraphs(scan):
        blocks.extend(_split_paragraph(para, inline))
    merged: list[_Block] = []
    for block in blocks:  # "... uiteen te zetten:" + the bullet list that follows
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.kind == "text"
            and block.kind == "text"
            and prev.lines[-1][1].rstrip().endswith(":")
        ):
            merged[-1] = _Block(prev.lines + block.lines, "text")
        else:
            merged.append(block)
    return merged


# One of these occurs in every text `_is_question` accepts: `?` for a question mark, `leden`,
# `fractie` and `verzoekt` for the three `leden` patterns (all case-sensitive).
_QUESTION_LITERALS = ("?", "leden", "fractie", "verzoekt")


def _may_be_question(lines: Lines) -> bool:
    """False when the normalised text of `lines` cannot pass `_is_question`, told without
    normalising them: an answer paragraph is normalised again as part of its answer, so
    normalising it once more only to learn it asks nothing doubled its cost.

    Exact: normalising joins the cleaned lines with spaces or newlines, or with nothing where
    it drops a line-end hyphen, and changes only spaces between digits besides, so a literal
    without spaces or hyphens in the normalised text is in the cleaned lines joined with
    spaces and hyphens taken out. An ASCII printable line cleans to itself but for its
    spaces; any other is cleaned (`clean_line` may drop invisible characters)."""
    probe = "".join(
        raw if raw.isascii() and raw.isprintable() else clean_line(raw) for _, raw in lines
    )
    probe = "".join(probe.split()).replace("-", "")
    return any(literal in probe for literal in _QUESTION_LITERALS)


def _is_question(text: str) -> bool:
    """Does a paragraph following an answer open the next question(s)?"""
    return bool(
        _LEDEN_START.match(text, timeout=TIMEOUT)
        or _QUESTION_END.search(text, timeout=TIMEOUT)
        or _LEDEN_ASK.search(text, timeout=TIMEOUT)
        or ("?" in text and _LEDEN.search(text, timeout=TIMEOUT))
    )


@dataclass
class _WrittenState:
    fractie: str | None = None
    section: str = ""
    answerer: str | None = None
    pending: list[Statement] = field(default_factory=list)  # questions awaiting an answer
    answer: Lines | None = None  # lines of the answer being collected


def parse_written(doc: Document, scan: Scan, inline: bool) -> list[Statement]:
    build = Builder(doc, scan)
    st = _WrittenState()

    def close_answer() -> None:
        if st.answer:
            answered = _answered(st.pending)
            speaker = st.answerer or "kabinet"
            build.add("answer", st.answer, speaker, st.answerer, "cabinet", st.section, answered)
            st.pending = []
        st.answer = None

    for block in _written_blocks(scan, inline):
        if block.kind == "fractie":
            close_answer()
            m = FRACTIE.match(block.lines[0][1].strip(), timeout=TIMEOUT)
            assert m is not None  # the block is a fractie block because this matched
            st.fractie, st.section, st.pending = _fractie_name(m.group(1)), "", []
        elif block.kind == "part":
            close_answer()
            st.fractie, st.pending = None, []
        elif st.fractie is None:
            st.answerer = answerer(block.text) or st.answerer
        elif block.kind == "heading":
            close_answer()
            st.section, st.pending = normalize_inline(block.text), []
        elif block.kind == "marker":
            close_answer()
            st.answer = _marker_rest(block.lines)
        elif st.answer is not None and not (
            st.answer and _may_be_question(block.lines) and _is_question(block.text)
        ):
            st.answer.extend(block.lines)
        else:
            close_answer()
            q = build.add("question", block.lines, st.fractie, st.fractie, "parliament", st.section)
            if q is not None:
                st.pending.append(q)
    close_answer()
    return build.finish()


def _fractie_name(raw: str) -> str:
    name = normalize_inline(raw)
    return name[:-1] if name.endswith("-") else name


def _marker_rest(lines: Lines) -> Lines:
    """The answer's own lines: without a marker line, or with `Antwoord:` cut off inline."""
    n, raw = lines[0]
    rest = INLINE_MARKER.sub("", raw, count=1) if INLINE_MARKER.match(raw) else ""
    head = [(n, rest)] if rest.strip() else []
    return head + lines[1:]


def _answered(pending: list[Statement]) -> tuple[str, ...]:
    """The question paragraph right before an answer, plus the ones before it that also ask
    (a lead-in like "De antwoorden ... zijn volstrekt onvoldoende" before the question)."""
    if not pending:
        return ()
    chosen = [pending[-1]]
    for q in reversed(pending[:-1]):
        if not _ASKS.search(q.text, timeout=TIMEOUT):
            break
        chosen.append(q)
    return tuple(q.id for q in reversed(chosen))
