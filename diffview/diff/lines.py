"""Two revisions of a text cut into sentences paragraph by paragraph, each distinct
paragraph once: the first level of a file diff (`compare.compare_texts`).

A revision keeps most paragraphs byte for byte. Cutting both whole texts into sentences
(normalising, splitting, citing) was a third of a 1 MB comparison, and half of it was
spent on paragraphs the other side has too. Here each side is scanned as a whole (line
kinds, footnotes and paragraphs depend on the whole text, and cost little), and each
paragraph's sentences are made once per distinct paragraph: a paragraph of B whose raw lines
equal one of A (or an earlier one of B) gets that one's sentences, its citations shifted by
the distance between the two. Only the changed paragraphs are normalised again, and each is
split only around its change, against the paragraph of A it stands in place of
(`_windowed`: the sentences before and after the change are A's).

The sentences are exactly `sentences_of` of the whole normalised text (tests/test_lines.py
checks it on generated revisions), because:
  * `normalize_text` normalises each paragraph on its own (`normalize_lines`), which looks
    only at its lines and at differences between their numbers, so a paragraph's text does
    not depend on where it stands;
  * the splitter always cuts at a paragraph break, and protected spans (quotes, brackets)
    never cross a line break, so no sentence and no decision crosses a paragraph; the one
    thing it reads from the whole text is the widest line, against which a line glued to
    the next (kept as "\\n" in a paragraph) may be a heading. A paragraph holding such a
    line is therefore split with the side's widest line beside it, and shared only with a
    paragraph split against the same width.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from diffview.diff.order import in_order_pairs
from diffview.diff.worddiff import common_prefix
from diffview.errors import regex_timeout
from diffview.model import Sentence
from diffview.text.normalize import normalize_lines
from diffview.text.scan import paragraphs, scan_source
from diffview.text.sentences import BULLETS, clean_sentence, split_sentences

# A paragraph's raw lines, numbered from its first line (0): two paragraphs with the same
# key normalise to the same text with the same line map, shifted.
ParagraphKey = tuple[tuple[int, str], ...]
# A sentence of a paragraph: its display text and first and last line, from the first (0).
Cut = tuple[str, int, int]
# A sentence's span in a revised paragraph, and its index in the old one (-1: not there).
Span = tuple[int, int, int]


@dataclass(frozen=True)
class _Paragraph:
    """A normalised paragraph: its text, its line map numbered from its first line (0)."""

    text: str
    offsets: tuple[int, ...]
    lines: tuple[int, ...]
    widest: int  # longest line of the text, stripped, as the splitter measures it


def _widest(text: str) -> int:
    if "\n" not in text:
        return len(text.strip())
    return max(len(line.strip()) for line in text.split("\n"))


@dataclass(frozen=True)
class _Split:
    """A paragraph's sentences: their spans in its text, their display texts ("" where
    `clean_sentence` leaves nothing: not a sentence) and lines, from its first line (0)."""

    spans: tuple[tuple[int, int], ...]
    texts: tuple[str, ...]
    lines: tuple[tuple[int, int], ...]

    def cuts(self) -> Iterator[Cut]:
        for text, (a, b) in zip(self.texts, self.lines, strict=True):
            if text:
                yield text, a, b


# One side's paragraphs as found: key, first source line, normalised text, sentences.
_Found = tuple[ParagraphKey, int, _Paragraph, _Split]


class Cutter:
    """The paragraphs and sentences made so far, shared by both sides of a comparison:
    `side(raw, name)` for each; the second side's changed paragraphs are split only
    around their changes (`_windowed`), against the paragraph of the first they replace."""

    def __init__(self) -> None:
        self.normalised: dict[ParagraphKey, _Paragraph | None] = {}
        self.cut: dict[tuple[ParagraphKey, int], _Split] = {}
        self.previous: list[_Found] = []

    def paragraph(self, key: ParagraphKey, para: Sequence[tuple[int, str]]) -> _Paragraph | None:
        """`normalize_lines(para)` as a `_Paragraph`, None when it is empty."""
        if key in self.normalised:
            return self.normalised[key]
        norm = normalize_lines(para)
        first = para[0][0]
        found = None
        if norm.text:
            found = _Paragraph(
                norm.text,
                tuple(o for o, _ in norm.line_map),
                tuple(n - first for _, n in norm.line_map),
                _widest(norm.text),
            )
        self.normalised[key] = found
        return found

    def sentences(
        self, key: ParagraphKey, para: _Paragraph, widest: int, like: _Found | None = None
    ) -> _Split:
        """The paragraph's sentences as `split_sentences` cuts them in a text whose widest
        line is `widest` (only a paragraph with a line break reads it); `like`: a paragraph
        of the other side it is a revision of, whose sentences it mostly shares."""
        width = widest if "\n" in para.text else -1
        found = self.cut.get((key, width))
        if found is None:
            spans = _windowed(like[2].text, like[3].spans, para.text) if like else None
            if spans is None or like is None:
                found = _split(para, [(a, b, -1) for a, b in _spans(para.text, width)])
            else:
                found = _split(para, spans, like[3].texts)
            self.cut[(key, width)] = found
        return found

    def side(self, raw: str, name: str) -> list[Sentence]:
        """The sentences of one raw text, cited `name:line`."""
        found: list[tuple[ParagraphKey, int, _Paragraph]] = []
        for para in paragraphs(scan_source(raw)):
            first = para[0][0]
            key = tuple((n - first, line) for n, line in para)
            norm = self.paragraph(key, para)
            if norm is not None:
                found.append((key, first, norm))
        widest = max((norm.widest for _, _, norm in found), default=0)
        templates = _templates(self.previous, [norm.text for _, _, norm in found])
        out: list[Sentence] = []
        statement = f"{name}-all"
        done: list[_Found] = []
        for (key, first, norm), like in zip(found, templates, strict=True):
            try:
                split = self.sentences(key, norm, widest, like)
            except TimeoutError:  # as `sentences_of` names it, at the paragraph's line
                raise regex_timeout(name, f"sentences of {statement}", first) from None
            done.append((key, first, norm, split))
            for text, a, b in split.cuts():
                lines = (first + a, first + b)
                out.append(Sentence(text, name, name, statement, lines, len(out)))
        self.previous = done
        return out


def _templates(previous: Sequence[_Found], texts: Sequence[str]) -> list[_Found | None]:
    """For each paragraph (by its text) the paragraph of `previous` it stands in place of:
    between two paragraphs both sides hold in order, the k-th changed one of one side
    and the k-th (or last) of the other. Only speed depends on the choice."""
    out: list[_Found | None] = [None] * len(texts)
    if not previous:
        return out
    pairs = in_order_pairs([p[2].text for p in previous], list(texts))
    bounds = [(-1, -1), *pairs, (len(previous), len(texts))]
    for (i0, j0), (i1, j1) in zip(bounds, bounds[1:], strict=False):
        if i1 - i0 > 1:
            for j in range(j0 + 1, j1):
                out[j] = previous[min(i0 + 1 + (j - j0 - 1), i1 - 1)]
    return out


def _spans(text: str, width: int) -> list[tuple[int, int]]:
    """`split_sentences(text)` as the splitter cuts the text inside a whole text whose
    widest line is `width` (-1: the text has no line break, the width is not read)."""
    if width < 0:
        return split_sentences(text)
    # a line of the side's width after a paragraph break: the widest the splitter sees
    return [s for s in split_sentences(f"{text}\n\n{'x' * width}") if s[0] < len(text)]


def _split(para: _Paragraph, spans: Sequence[Span], known: Sequence[str] = ()) -> _Split:
    """The sentences at `spans`, cited; a span from an old paragraph (its index there, else
    -1) has the text of that one's sentence there (`known`): the same characters."""
    text, offsets, lines = para.text, para.offsets, para.lines
    if len(offsets) == 1:  # a paragraph of one source line (or joined onto one)
        cited = [(lines[0], lines[0])] * len(spans)
    else:
        cited = []
        for start, end, _ in spans:
            first = lines[max(bisect_right(offsets, start) - 1, 0)]
            last = lines[max(bisect_right(offsets, max(start, end - 1)) - 1, 0)]
            cited.append((first, last))
    texts = tuple(known[i] if i >= 0 else clean_sentence(text[a:b]) for a, b, i in spans)
    return _Split(tuple((a, b) for a, b, _ in spans), texts, tuple(cited))


# -- a revised paragraph split around its change -------------------------------------------

# How far the splitter reads from a place, to decide about it. A protected span (a quote or
# bracket, sentences.py) runs at most `_MAX_PROTECTED` characters between its marks, so an
# attempt at one of `_OPENERS` reads at most that plus its marks and one look-ahead; a
# terminator and its footnote digits are decided on a few characters around them.
_MAX_PROTECTED = 400  # sentences._MAX_PROTECTED (tests/test_lines.py checks it)
_OPENERS = "([\"“„‘«'"
_REACH = _MAX_PROTECTED + 8
_NEAR = 16


def _windowed(old: str, old_spans: Sequence[tuple[int, int]], new: str) -> list[Span] | None:
    """`split_sentences(new)` (each span with the index of the same sentence in `old`, or
    -1), from the spans of `old` (a paragraph `new` revises) and a
    split of only the stretch of `new` around its change; None where that is not sure to
    be the same (a line break, a bullet; then `new` is split whole).

    The splitter goes left to right, and each of its decisions reads a bounded stretch
    around its place (`_REACH` after a quote or bracket opening, `_NEAR` else) plus where
    the current sentence began. So the sentences of the shared head that end before any
    read can reach the change are `old`'s, up to a sentence start `w`; from `w` the
    stretch is split as a text of its own; and once that split starts a sentence at a
    sentence start `c` of `old` inside the shared tail (no quote or bracket opening within
    `_REACH` before it, the sentence end before it shared too), every later decision reads
    what `old`'s did there, in the same state: the rest are `old`'s sentences, shifted.
    """
    if "\n" in old or "\n" in new:
        return None  # a line may be a heading, against the side's widest line
    if old == new:
        return [(a, b, i) for i, (a, b) in enumerate(old_spans)]
    if _has_bullet(old) or _has_bullet(new):
        return None  # a bullet cuts wherever it stands, inside a quotation too
    shared = common_prefix(old, new)
    tail = min(common_prefix(old[::-1], new[::-1]), len(old) - shared, len(new) - shared)
    shift = len(new) - len(old)
    starts = [a for a, _ in old_spans]
    reach = max(shared - _REACH, 0)
    opened = [q for q in (old.find(o, reach, shared) for o in _OPENERS) if q >= 0]
    limit = min([shared - _NEAR, *opened])  # no read before the window reaches the change
    k = bisect_right(starts, limit) - 1
    if k <= 0 or old[old_spans[k - 1][1] : starts[k]].strip(" \t\n"):
        k = 0  # from the paragraph's start (the list-marker rule strips only these spaces)
    w = starts[k] if k else 0
    head = [(a, b, i) for i, (a, b) in enumerate(old_spans[:k])]
    m = k + 1
    while m < len(old_spans) and old_spans[m - 1][1] - _NEAR < len(old) - tail:
        m += 1
    while m < len(old_spans) and _opens_before(new, starts[m] + shift):
        m += 1
    if m < len(old_spans):
        c = starts[m] + shift
        got = [(a + w, b + w, -1) for a, b in split_sentences(new[w : c + _NEAR])]
        if any(a == c for a, _, _ in got):
            return (
                head
                + [s for s in got if s[0] < c]
                + [(a + shift, b + shift, i) for i, (a, b) in enumerate(old_spans[m:], m)]
            )
    return head + [(a + w, b + w, -1) for a, b in split_sentences(new[w:])]


def _opens_before(text: str, c: int) -> bool:
    """A quote or bracket opens within `_REACH` before `c`."""
    lo = max(c - _REACH, 0)
    return any(text.find(o, lo, c) >= 0 for o in _OPENERS)


def _has_bullet(text: str) -> bool:
    return any(b in text for b in (*BULLETS, "<U+F0B7>"))
