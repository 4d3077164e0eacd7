"""Dutch-aware sentence splitting, each sentence cited back to its source lines.

Why a hand-written splitter: parliamentary Dutch is dense with abbreviations (`o.a.`, `nr.`,
`d.d.`, `jl.`, `m.b.t.`), Kamerstuk references (`Kamerstuk 26 643, nr. 885`), numbered lists
(`1.`, `a)`), initials (`J.J. van Dijk`) and quotations. A generic "period + space" rule cuts
those into fragments, and every fragment would then show up as a spurious change in a diff.

The rule, in order:
  * a paragraph break (blank line) always ends a sentence; a bullet (`•`, `▪`, the PDF's
    private-use bullet) always starts one; so does a heading line glued to the next line
    (`_heading_cuts`);
  * otherwise a sentence ends at `.`, `!`, `?` or `…` (with any closing quotes/brackets that
    follow) when whitespace follows and the next word does not start with a lower-case letter;
  * ... unless the word before the period is a known abbreviation, an initial (`J.`, `J.J.`), or
    a list marker at the start of the sentence (`1.`, `a.`), or the terminator sits inside a
    bracket or a quotation (protected spans, at most `_MAX_PROTECTED` characters long, so one
    stray quote cannot swallow a page).
  * abbreviations that often *end* a sentence (`c.s.`, `jl.`, `enz.`, `etc.`) end it only when
    the next word starts with an upper-case letter.

Dots inside tokens (`1.000`, `e.g.`, `2021/1232`) never qualify because no whitespace follows.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from functools import lru_cache

import regex

from diffview.errors import regex_timeout
from diffview.model import Sentence, Statement
from diffview.sanitize import sanitize
from diffview.text.normalize import is_heading_line


def word_list(text: str) -> list[str]:
    """Words of a whitespace-separated list: keeps long word lists readable in the source."""
    return text.split()


# Never end a sentence after these (lower-case, with their dots).
ABBREVIATIONS: frozenset[str] = frozenset(
    word_list("""
    a.d. a.g.v. aanv. afb. afd. al. alg. art. artt. b.v. bijv. bijvoorbeeld. blz. bv. ca. cf.
    d.d. d.i. d.m.v. d.w.z. dhr. dr. drs. e.d. e.g. excl. fig. h.i. i.c. i.e. i.h.a. i.h.b.
    i.o.m. i.p.v. i.s.m. i.t.t. i.v.m. ir. incl. ing. j.l. jr. kamerstuk. lid. m.a.w. m.b.t.
    m.b.v. m.i. m.n. m.u.v. mevr. mr. mw. n.a.v. n.v.t. nl. no. nr. nrs. o.a. o.b.v. o.i.
    o.l.v. p. p.m. pag. par. prof. r.o. resp. sr. st. t.a.v. t.b.v. t.g.v. t.o.v. t.w. t.z.t.
    vgl. vs. z.g. z.s.m. zgn. zg. jan. feb. febr. mrt. apr. jun. jul. aug. sep. sept. okt.
    nov. dec. min. stb. stcrt. trb. pb. vz. ds. lt. gen. sr.
    """)
)
# End a sentence after these only before an upper-case word ("motie Kathmann c.s. Voor ...").
TERMINAL_ABBREVIATIONS: frozenset[str] = frozenset(
    word_list("c.s. jl. enz. etc. e.a. e.v. a.s. e.d.")
)

BULLETS = "•▪◦●\uf0b7"
_MAX_PROTECTED = 400  # longest quotation/bracket that blocks sentence ends inside it

# A terminator may carry a footnote number, glued to it ("gedeeld.1 De ...") or standing
# alone after it before a capital ("gecommuniceerd. 2 In het ..."): PDF extraction flattens
# the superscript. Two digits at most, so "1.000" never qualifies. (Dutch style writes a
# number that opens a sentence in words, so a digit there is almost always a footnote.)
#
# Linear time on a run of terminators (`.....a`): a match starts only at the run's first
# character (the look-behind) and takes the run and its closing quotes possessively (`++`,
# `*+`), so a run that is not followed by whitespace costs one failed attempt, not one per
# character times the run's length. Giving back a terminator or a quote can never succeed
# (the next character would be a terminator or quote, not whitespace or a footnote digit),
# so the sentences found are the same as with plain `+`.
_TERMINATOR = regex.compile(
    r"(?<![.!?…])[.!?…]++[\"'”’»)\]]*+"
    r"(?:(?<=[\p{L})\]\"'”’»][.!?…]+)\d{1,2}|[ ]\d{1,2}(?=[ ]\p{Lu}))?(?=\s|$)"
)
# Every match of these two starts with one of few characters: tried only where one occurs
# (`_matches`), where the pattern's own scan tried every character (8% of a build's parse).
_TERMINATOR_FIRSTS = ".!?…"
_PARAGRAPH = regex.compile(r"\n[^\S\n]*\n\s*")
_BULLET = regex.compile(rf"[{BULLETS}]|<U\+F0B7>")
_BULLET_MARKS = (*BULLETS, "<U+F0B7>")
# The word that ends at a period: searched backwards from it (a forward search for
# `[...]+$` would try every start in its window), the longest run ending at the period.
_WORD_BEFORE = regex.compile(r"(?r)[\p{L}\p{N}.]+")
_PROTECTED = regex.compile(
    rf"""\([^()\n]{{0,{_MAX_PROTECTED}}}\)
       |\[[^\[\]\n]{{0,{_MAX_PROTECTED}}}\]
       |"[^"\n]{{1,{_MAX_PROTECTED}}}"
       |“[^“”\n]{{1,{_MAX_PROTECTED}}}[”“]
       |„[^„”\n]{{1,{_MAX_PROTECTED}}}[”“]
       |‘[^‘’\n]{{1,{_MAX_PROTECTED}}}’(?!\p{{L}})
       |«[^«»\n]{{1,{_MAX_PROTECTED}}}»
       |(?<![\p{{L}}\p{{N}}])'(?=\p{{L}})[^'\n]{{1,{_MAX_PROTECTED}}}(?<=[\p{{L}}\p{{P}}])'(?![\p{{L}}])""",
    regex.VERBOSE,
)
_INITIALS = regex.compile(r"(?:\p{Lu}\.)+")
_LIST_MARKER = regex.compile(r"(?:\p{N}{1,3}|\p{L})\.")
_NON_SPACE = regex.compile(r"\S")


def _timeout(text: str) -> float:
    """Regex time budget: generous, but bounded, for untrusted text of any size."""
    return 5.0 + len(text) / 200_000


# The characters every match of `_PROTECTED` starts with (a quote or bracket is rare: a
# scan for them beats the pattern's own scan of every character threefold).
_OPENERS = "([\"“„‘«'"


def _places(text: str, chars: str) -> list[int]:
    """Offsets of every occurrence of any of `chars` in `text`, in order."""
    places = []
    for c in chars:
        i = text.find(c)
        while i >= 0:
            places.append(i)
            i = text.find(c, i + 1)
    places.sort()
    return places


def _matches(pattern: regex.Pattern[str], text: str, firsts: str) -> Iterator[regex.Match[str]]:
    """`pattern.finditer(text)`, for a pattern whose every match starts with one of the
    characters `firsts`: tried only where one occurs (found by `str.find`, many times faster
    than the pattern's own scan of every character), so the same matches. A look-behind
    still sees the text before where a match is tried."""
    timeout = _timeout(text)
    end = 0
    for i in _places(text, firsts):
        if i < end:  # inside the last match: a scan resumes at its end
            continue
        m = pattern.match(text, i, timeout=timeout)
        if m is not None:
            end = m.end()
            yield m


def _protected_spans(text: str) -> tuple[list[int], list[int]]:
    """Start and end offsets of bracketed and quoted spans, for bisect look-ups."""
    starts: list[int] = []
    ends: list[int] = []
    for m in _matches(_PROTECTED, text, _OPENERS):
        starts.append(m.start())
        ends.append(m.end())
    return starts, ends


def _inside(pos: int, starts: list[int], ends: list[int]) -> bool:
    i = bisect_right(starts, pos) - 1
    return i >= 0 and starts[i] < pos < ends[i]


def _next_char(text: str, pos: int) -> str:
    """First non-space character at or after `pos` ('' at the end of the text)."""
    c = text[pos : pos + 1]
    if c == " ":  # the usual: one space, then the next word
        c = text[pos + 1 : pos + 2]
    if c.isalnum():  # a letter or digit is no space by any definition: no regex call
        return c
    m = _NON_SPACE.search(text, pos)
    return m.group() if m else ""


def _is_boundary(
    text: str, first: int, end: int, sentence_start: int, protected: tuple[list[int], list[int]]
) -> bool:
    """Decide whether the terminator at text[first:end] really ends a sentence (see module
    docstring)."""
    nxt = _next_char(text, end)
    if nxt == "":
        return True
    if nxt.islower():
        return False
    if _inside(end, *protected):
        return False
    if text[first] != ".":
        return True  # ! ? … end a sentence before anything but a lower-case word
    before = _WORD_BEFORE.search(text, max(sentence_start, first - 40), first + 1)
    if before is None:
        return True
    word = before.group()
    lowered = word.lower()
    if lowered in ABBREVIATIONS:
        return False
    if lowered in TERMINAL_ABBREVIATIONS:
        return nxt.isupper()
    if len(word) <= 8 and _INITIALS.fullmatch(word):
        return False
    prefix = text[sentence_start : before.start()]
    return not (_LIST_MARKER.fullmatch(word) and not prefix.strip(BULLETS + " \t\n"))


def _heading_cuts(text: str) -> list[int]:
    """Starts and ends of heading lines glued to the text that follows ("Staat van
    Schengen\nDe leden ..."; `normalize.normalize_lines` keeps such a line break): a line
    after a sentence end, that `normalize.is_heading_line` calls a heading (a section number
    before it allowed), followed by a line that starts with a capital."""
    lines = text.split("\n")
    widest = max((len(line.strip()) for line in lines), default=0)
    ends: list[int] = []
    offset, after_end = 0, True
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        stripped = line.strip()
        offset += len(line) + 1
        if not stripped:
            after_end = True
            continue
        heading = (
            after_end and following.lstrip()[:1].isupper() and is_heading_line(stripped, widest)
        )
        if heading:  # its start too: "b) Subsidiariteit" opens on no capital
            ends += [offset - 1 - len(line) + (len(line) - len(line.lstrip())), offset - 1]
        after_end = heading or stripped.endswith((".", "!", "?", "…", ":"))
    return ends


def _cut_points(text: str) -> list[int]:
    """Offsets where a new sentence starts (unsorted duplicates allowed)."""
    cuts = [m.end() for m in _matches(_PARAGRAPH, text, "\n")]
    if any(b in text for b in _BULLET_MARKS):  # a text without bullets needs no scan
        cuts += [m.start() for m in _BULLET.finditer(text, timeout=_timeout(text))]
    if "\n" in text:
        cuts += _heading_cuts(text)
    cuts.sort()
    protected = _protected_spans(text)
    points: list[int] = []
    start = 0
    hard = iter(cuts + [len(text) + 1])
    next_hard = next(hard)
    for m in _matches(_TERMINATOR, text, _TERMINATOR_FIRSTS):
        first, end = m.span()
        while next_hard <= first:
            points.append(next_hard)
            start = next_hard
            next_hard = next(hard)
        if _is_boundary(text, first, end, start, protected):
            points.append(end)
            start = end
    points.extend(cuts)
    return points


# Spans a store recorded for a statement's text when it was built (`sentences/<id>.jsonl`):
# the same cut, read instead of recomputed. Keyed by the text itself, bounded.
_KNOWN_SPANS: dict[str, tuple[tuple[int, int], ...]] = {}
_MAX_KNOWN = 65_536


def remember_spans(text: str, spans: tuple[tuple[int, int], ...]) -> None:
    """Let `split_sentences(text)` answer `spans`, which a build computed from this very
    text (a span outside the text is ignored: the store is untrusted)."""
    if spans and spans[-1][1] > len(text):
        return
    if len(_KNOWN_SPANS) >= _MAX_KNOWN:
        _KNOWN_SPANS.clear()
    _KNOWN_SPANS[text] = spans


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans `(start, end)` of the sentences of `text`, whitespace trimmed.

    Spans are in text order, do not overlap, and never cover only whitespace.
    """
    known = _KNOWN_SPANS.get(text)
    if known is not None:
        return list(known)
    spans: list[tuple[int, int]] = []
    prev = 0
    for cut in sorted(set(_cut_points(text))) + [len(text)]:
        start, end = prev, min(cut, len(text))
        prev = max(prev, end)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append((start, end))
    return spans


def clean_sentence(text: str) -> str:
    """Display form of a sentence: sanitised, whitespace runs (line breaks) as one space.

    `sanitize` only touches non-printable characters, so printable text skips the regex.
    """
    if not text.replace("\n", " ").replace("\t", " ").isprintable():
        text = sanitize(text)
    return " ".join(text.split())


def sentences_of(statements: Sequence[Statement]) -> list[Sentence]:
    """Cut every statement into sentences, numbered across the whole sequence.

    `lines` is `Statement.span_of(start, end)`, so each sentence cites its exact source
    lines even when a statement spans pages.
    """
    out: list[Sentence] = []
    for stmt in statements:
        try:
            spans = split_sentences(stmt.text)
        except TimeoutError:
            raise regex_timeout(stmt.source, f"sentences of {stmt.id}", stmt.lines[0]) from None
        for start, end in spans:
            text = clean_sentence(stmt.text[start:end])
            if not text:
                continue
            out.append(
                Sentence(
                    text=text,
                    doc=stmt.doc,
                    source=stmt.source,
                    statement_id=stmt.id,
                    lines=stmt.span_of(start, end),
                    index=len(out),
                )
            )
    return out


@lru_cache(maxsize=8192)
def statement_sentences(stmt: Statement) -> tuple[Sentence, ...]:
    """`sentences_of([stmt])`, kept: a compare cuts a round's statements for its claims and
    again for the topic's sides, and splitting is most of that work."""
    return tuple(sentences_of([stmt]))
