"""Statements (questions, answers, debate turns) from one source document.

Four layouts occur in the parliamentary documents we follow, recognised from the text
itself (never from the manifest or the file name):

- "antwoord-line": fractie headings, question paragraphs, a line `Antwoord`, the answer
  (a questions-only verslag has the same layout without any `Antwoord`);
- "antwoord-inline": the same with the answer starting `Antwoord:` on its own line;
- "numbered-qa": `N Question text?` immediately followed by the answer, no marker;
- "debate": a verbatim report of speaker turns `Mevrouw X (Partij):`, `De voorzitter:`.

A document no rule recognises raises `LayoutError` naming the file: a wrong layout would
silently produce garbage statements, and everything downstream cites them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import regex

from diffview.errors import LayoutError
from diffview.model import Document, Statement
from diffview.normalize import (
    TIMEOUT,
    Footnote,
    Scan,
    normalize_inline,
    normalize_lines,
    paragraphs,
    scan_source,
)

LAYOUTS = ("antwoord-line", "antwoord-inline", "numbered-qa", "debate")

Lines = list[tuple[int, str]]  # (1-based source line, raw text)

_M = regex.MULTILINE
_INLINE_MARKER = regex.compile(r"^\s*Antwoord\s*:\s*", _M)
_LINE_MARKER = regex.compile(r"^\s*Antwoord\s*$", _M)
_FRACTIE = regex.compile(
    r"^\s*Vragen en opmerkingen van (?:de )?leden van (?:de )?(.+?)(?:-?fractie)?\s*$", _M
)
_TURN = regex.compile(
    r"^\s*(?:(?P<title>De heer|Mevrouw)\s+(?P<name>\p{Lu}[\p{L}'\- ]*?)\s*\((?P<party>[^()]+)\)"
    r"|(?P<chair>De voorzitter)"
    r"|(?P<office>Minister|Staatssecretaris)\s+(?P<minister>\p{Lu}[\p{L}'\- ]*?))\s*:\s*$",
    _M,
)
_NUMBERED = regex.compile(r"^\s*(\d{1,3})(?:\s+(\S.*?))?\s*$")
_PART = regex.compile(
    r"^(?:I{1,3}V?\s+(?:Vragen|Reactie)\b.*|\d{5}\s+\S.*|Verslag van een schriftelijk overleg"
    r"|Inhoudsopgave)$"
)
_CLOSING = regex.compile(r"^Sluiting\s+\d{1,2}[.:]\d{2}\s+uur\.?$")
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
_CONTINUED_QUESTION = regex.compile(r"^(?:Zo (?:ja|nee|niet)|En |Of )")
_ANSWERER = regex.compile(
    r"(?:Bij brief van .{0,40}? heeft de|voorgelegd aan de)\s+(minister|staatssecretaris)\s+"
    r"(van|voor)\s+([\p{L} ]+?)\s+(?:de vragen|over)\b"
)
_MINISTER_OFFICE = regex.compile(
    r"(?:de heer|mevrouw)\s+([\p{L}'\- ]+?),\s+(minister|staatssecretaris)\s+(van|voor)\s+"
    r"([\p{L} ]+?)[,.]"
)
_COMMITTEE = regex.compile(r"De (vaste commissie voor [\p{L} ]+?) heeft")


# ---------------------------------------------------------------------------- layout


def _numbered_starts(lines: Sequence[str]) -> list[int]:
    """0-based indexes of question lines numbered 1, 2, 3, ... in order."""
    starts: list[int] = []
    expected = 1
    for i, line in enumerate(lines):
        m = _NUMBERED.match(line, timeout=TIMEOUT)
        if not m or int(m.group(1)) != expected or line[:1].isspace():
            continue
        head = m.group(2) or next((s.strip() for s in lines[i + 1 : i + 4] if s.strip()), "")
        if head[:1].isupper() and _question_end(lines, i) is not None:
            starts.append(i)
            expected += 1
    return starts


def _question_end(lines: Sequence[str], start: int, limit: int = 14) -> int | None:
    """Index of the line ending the question that starts at `start`.

    The question ends at the first line ending in `?`, unless the next lines continue it
    (`Zo ja, ...?`, as in question 9 of the 2024 list): then at that continuation's `?`.
    """
    texts = [(i, lines[i].strip()) for i in range(start, min(start + limit, len(lines)))]
    texts = [(i, s) for i, s in texts if s]
    for k, (i, s) in enumerate(texts):
        if _QUESTION_END.search(s, timeout=TIMEOUT):
            rest = texts[k + 1 : k + 3]
            if rest and _CONTINUED_QUESTION.match(rest[0][1], timeout=TIMEOUT):
                for j, t in rest:
                    if _QUESTION_END.search(t, timeout=TIMEOUT):
                        return j
            return i
    return None


def detect_layout(raw_text: str, source: str = "<text>") -> str:
    """The layout of `raw_text`, one of LAYOUTS; `LayoutError` naming `source` if none fits."""
    if not raw_text.strip():
        raise LayoutError(source, "no known layout: the document is empty")
    inline = len(_INLINE_MARKER.findall(raw_text, timeout=TIMEOUT))
    own_line = len(_LINE_MARKER.findall(raw_text, timeout=TIMEOUT))
    fracties = len(_FRACTIE.findall(raw_text, timeout=TIMEOUT))
    turns = len(_TURN.findall(raw_text, timeout=TIMEOUT))
    if inline > own_line and fracties:
        return "antwoord-inline"
    if fracties:
        return "antwoord-line"
    if turns >= 3:
        return "debate"
    if len(_numbered_starts(raw_text.split("\n"))) >= 3:
        return "numbered-qa"
    raise LayoutError(
        source,
        "no known layout: no fractie headings, no speaker turns, no numbered questions",
    )


# ---------------------------------------------------------------------------- builder


@dataclass
class _Builder:
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
        return _attach_footnotes(self.statements, self.scan.footnotes)


def _cites(text: str, number: int) -> bool:
    pattern = rf"(?:(?<=[\p{{L}}\p{{Pe}}'\"%])|(?<=[.,;:](?:\s)?)){number}(?!\d)(?![.,]\d)"
    return bool(regex.search(pattern, text, timeout=TIMEOUT))


def _attach_footnotes(
    statements: list[Statement], footnotes: Sequence[Footnote]
) -> list[Statement]:
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


# ---------------------------------------------------------------------------- written Q&A


@dataclass
class _Block:
    """A paragraph of text lines with what it is: marker, heading, fractie, part or text."""

    lines: Lines
    kind: str  # "marker" | "fractie" | "heading" | "part" | "text"

    @property
    def text(self) -> str:
        return normalize_lines(self.lines).text


def _line_kind(s: str, inline: bool) -> str:
    if inline and _INLINE_MARKER.match(s, timeout=TIMEOUT) or _LINE_MARKER.match(s):
        return "marker"
    if _FRACTIE.match(s, timeout=TIMEOUT):
        return "fractie"
    if _PART.match(s.strip(), timeout=TIMEOUT):
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
        prev_ended = bool(current) and bool(_SENTENCE_END.search(current[-1][1].rstrip()))
        if current and (
            kind != "text" or (page_start and prev_ended) or _after_marker(current, inline)
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
    return bool(_LINE_MARKER.match(raw)) or (
        bool(_INLINE_MARKER.match(raw)) and not _INLINE_MARKER.sub("", raw).strip()
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


def _is_question(text: str) -> bool:
    """Does a paragraph following an answer open the next question(s)?"""
    return bool(
        _LEDEN_START.match(text, timeout=TIMEOUT)
        or _QUESTION_END.search(text, timeout=TIMEOUT)
        or _LEDEN_ASK.search(text, timeout=TIMEOUT)
        or ("?" in text and regex.search(r"\bleden\b", text, timeout=TIMEOUT))
    )


def _answerer(text: str) -> str | None:
    m = _ANSWERER.search(text, timeout=TIMEOUT)
    if not m:
        return None
    return f"{m.group(1).capitalize()} {m.group(2)} {m.group(3)}"


@dataclass
class _WrittenState:
    fractie: str | None = None
    section: str = ""
    answerer: str | None = None
    pending: list[Statement] = field(default_factory=list)  # questions awaiting an answer
    answer: Lines | None = None  # lines of the answer being collected


def _parse_written(doc: Document, scan: Scan, inline: bool) -> list[Statement]:
    build = _Builder(doc, scan)
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
            m = _FRACTIE.match(block.lines[0][1].strip(), timeout=TIMEOUT)
            assert m is not None  # the block is a fractie block because this matched
            st.fractie, st.section, st.pending = _fractie_name(m.group(1)), "", []
        elif block.kind == "part":
            close_answer()
            st.fractie, st.pending = None, []
        elif st.fractie is None:
            st.answerer = _answerer(block.text) or st.answerer
        elif block.kind == "heading":
            close_answer()
            st.section, st.pending = normalize_inline(block.text), []
        elif block.kind == "marker":
            close_answer()
            st.answer = _marker_rest(block.lines)
        elif st.answer is not None and not (st.answer and _is_question(block.text)):
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
    rest = _INLINE_MARKER.sub("", raw, count=1) if _INLINE_MARKER.match(raw) else ""
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


# ---------------------------------------------------------------------------- numbered Q&A


def _parse_numbered(doc: Document, raw: str) -> list[Statement]:
    lines = raw.split("\n")
    starts = _numbered_starts(lines)
    scan = scan_source(raw, protect=frozenset(i + 1 for i in starts))
    build = _Builder(doc, scan)
    head = " ".join(s.strip() for s in lines[: starts[0]]) if starts else ""
    committee = _COMMITTEE.search(head, timeout=TIMEOUT)
    asker = committee.group(1) if committee else "commissie"
    office = _answerer(normalize_inline(head))
    bounds = [*starts, len(lines)]
    for k, start in enumerate(starts):
        end = _question_end(lines, start)
        assert end is not None  # _numbered_starts only keeps questions with an end
        q_lines = scan.text_lines(start + 1, end + 1)
        n, first = q_lines[0]
        q_lines[0] = (n, _NUMBERED.sub(lambda m: m.group(2) or "", first, count=1))
        q = build.add("question", q_lines, asker, None, "parliament")
        a_lines = scan.text_lines(end + 2, bounds[k + 1])
        if a_lines:
            answered = (q.id,) if q is not None else ()
            build.add("answer", a_lines, office or "kabinet", office, "cabinet", "", answered)
    return build.finish()


# ---------------------------------------------------------------------------- debate


def _parse_debate(doc: Document, scan: Scan) -> list[Statement]:
    build = _Builder(doc, scan)
    preamble: list[str] = []
    turn: tuple[regex.Match[str], Lines] | None = None

    def close() -> None:
        if turn is not None and turn[1]:
            speaker, party, role = _speaker(turn[0], " ".join(preamble))
            build.add("turn", turn[1], speaker, party, role)

    for n, raw in scan.text_lines():
        s = raw.strip()
        m = _TURN.match(s, timeout=TIMEOUT)
        if m:
            close()
            turn = (m, [])
        elif _CLOSING.match(s, timeout=TIMEOUT):
            close()
            turn = None
        elif turn is None:
            preamble.append(s)
        else:
            turn[1].append((n, raw))
    close()
    return build.finish()


def _speaker(m: regex.Match[str], preamble: str) -> tuple[str, str | None, str]:
    """(speaker, party or office, role) of a turn header."""
    if m.group("chair"):
        return "De voorzitter", None, "chair"
    if m.group("office"):
        name = normalize_inline(m.group("minister"))
        office = m.group("office")
        for om in _MINISTER_OFFICE.finditer(normalize_inline(preamble), timeout=TIMEOUT):
            if om.group(1).casefold() == name.casefold():
                office = f"{om.group(2).capitalize()} {om.group(3)} {om.group(4)}"
        return f"{m.group('office')} {name}", office, "cabinet"
    return normalize_inline(m.group("name")), normalize_inline(m.group("party")), "parliament"


# ---------------------------------------------------------------------------- entry


def parse_document(doc: Document, raw_text: str) -> list[Statement]:
    """Every statement of `doc` (topics left empty), in document order."""
    layout = detect_layout(raw_text, doc.source)
    parsers: dict[str, Callable[[], list[Statement]]] = {
        "antwoord-line": lambda: _parse_written(doc, scan_source(raw_text), inline=False),
        "antwoord-inline": lambda: _parse_written(doc, scan_source(raw_text), inline=True),
        "numbered-qa": lambda: _parse_numbered(doc, raw_text),
        "debate": lambda: _parse_debate(doc, scan_source(raw_text)),
    }
    statements = parsers[layout]()
    if not statements:
        raise LayoutError(doc.source, f"no statements found in a {layout} layout")
    return statements
