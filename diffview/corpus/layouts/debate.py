"""`debate`: a verbatim report of speaker turns (`Mevrouw X (Partij):`, `De heer X (P):`,
`Minister Van Oosten:`, `De voorzitter:`), each header alone on its line.

Two turns are enough: an excerpt or the report of one agenda item is short, and a header
line of this exact shape does not occur in the other layouts.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import regex

from diffview.corpus.layouts import Detection, Layout
from diffview.corpus.layouts._common import Builder, Lines, line_matches
from diffview.model import Document, Statement
from diffview.text.normalize import TIMEOUT, normalize_inline
from diffview.text.scan import scan_source

_M = regex.MULTILINE
TURN = regex.compile(
    r"^\s*(?:(?P<title>De heer|Mevrouw)\s+(?P<name>\p{Lu}[\p{L}'\- ]*?)\s*\((?P<party>[^()]+)\)"
    r"|(?P<chair>De voorzitter)"
    r"|(?P<office>Minister|Staatssecretaris)\s+(?P<minister>\p{Lu}[\p{L}'\- ]*?))\s*:\s*$",
    _M,
)
# The same headers with the turn's first words on their line: how a report reads when
# copied from a web page. Used only when a text has fewer than two own-line headers, so the
# seed reports (every header on its own line) read exactly as before.
INLINE_TURN = regex.compile(
    r"^\s*(?:(?P<title>De heer|Mevrouw)\s+(?P<name>\p{Lu}[\p{L}'\- ]*?)\s*\((?P<party>[^()]+)\)"
    r"|(?P<chair>De voorzitter)"
    r"|(?P<office>Minister|Staatssecretaris)\s+"
    r"(?P<minister>\p{Lu}[\p{L}'\-]*(?: \p{L}[\p{L}'\-]*){0,3}?))"
    r"\s*:\s+(?P<rest>\p{Lu}.*)$",
    _M,
)
# What every header holds right after its leading whitespace (`line_matches`).
_HEADS = ("De heer", "Mevrouw", "De voorzitter", "Minister", "Staatssecretaris")
_CLOSING = regex.compile(r"^Sluiting\s+\d{1,2}[.:]\d{2}\s+uur\.?$")
_MINISTER_OFFICE = regex.compile(
    r"(?:de heer|mevrouw)\s+([\p{L}'\- ]+?),\s+(minister|staatssecretaris)\s+(van|voor)\s+"
    r"([\p{L} ]+?)[,.]"
)


@lru_cache(maxsize=2)  # `detect` and `split` count the same text
def _own_line_turns(text: str) -> int:
    return len(line_matches(TURN, text, _HEADS))


def detect(text: str) -> Detection:
    n = _own_line_turns(text)
    if n < 2:
        n = max(n, len(line_matches(INLINE_TURN, text, _HEADS)))
    if n >= 2:
        return Detection(1.5, (f"{n} speaker turns",))
    if n == 1:
        return Detection(
            0.4, ("1 speaker turn",), "only one speaker turn (`Naam (Partij):` alone on its line)"
        )
    return Detection(0.0)


def split(doc: Document, lines: Sequence[str]) -> list[Statement]:
    text = "\n".join(lines)
    scan = scan_source(text)
    inline = _own_line_turns(text) < 2
    build = Builder(doc, scan)
    preamble: list[str] = []
    turn: tuple[regex.Match[str], Lines] | None = None

    def close() -> None:
        if turn is not None and turn[1]:
            speaker, party, role = _speaker(turn[0], " ".join(preamble))
            build.add("turn", turn[1], speaker, party, role)

    for n, raw in scan.text_lines():
        s = raw.strip()
        # A header starts `De heer`, `Mevrouw`, `De voorzitter`, `Minister` or
        # `Staatssecretaris`, the closing line `Sluiting`: other lines are not matched.
        head = s[:1] in "DMS"
        m = TURN.match(s, timeout=TIMEOUT) if head else None
        m_inline = INLINE_TURN.match(s, timeout=TIMEOUT) if head and inline and not m else None
        if m:
            close()
            turn = (m, [])
        elif m_inline:
            close()
            turn = (m_inline, [(n, m_inline.group("rest"))])
        elif head and _CLOSING.match(s, timeout=TIMEOUT):
            close()
            turn = None
        elif turn is None:
            preamble.append(s)
        else:
            turn[1].append((n, raw))
    close()
    return build.finish()


@lru_cache(maxsize=8)  # one preamble for every minister's turn of a report
def _offices(preamble: str) -> tuple[tuple[str, str], ...]:
    """(name casefolded, office) of each minister the preamble introduces, in order."""
    return tuple(
        (om.group(1).casefold(), f"{om.group(2).capitalize()} {om.group(3)} {om.group(4)}")
        for om in _MINISTER_OFFICE.finditer(normalize_inline(preamble), timeout=TIMEOUT)
    )


def _speaker(m: regex.Match[str], preamble: str) -> tuple[str, str | None, str]:
    """(speaker, party or office, role) of a turn header."""
    if m.group("chair"):
        return "De voorzitter", None, "chair"
    if m.group("office"):
        name = normalize_inline(m.group("minister"))
        office = m.group("office")
        for who, named in _offices(preamble):
            if who == name.casefold():
                office = named
        return f"{m.group('office')} {name}", office, "cabinet"
    return normalize_inline(m.group("name")), normalize_inline(m.group("party")), "parliament"


LAYOUT = Layout("debate", "a debate report", detect, split, top=1.5)
