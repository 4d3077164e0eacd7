"""Two revisions of a text cut into sentences paragraph by paragraph, each distinct
paragraph once: the first level of a file diff (`compare.compare_texts`).

A revision keeps most paragraphs byte for byte. Cutting both whole texts into sentences
(normalising, splitting, citing) was a third of a 1 MB comparison, and half of it was
spent on paragraphs the other side has too. Here each side is scanned as a whole (line
kinds, footnotes and paragraphs depend on the whole text, and cost little), and each
paragraph's sentences are made once per distinct paragraph: a paragraph of B whose raw lines
equal one of A (or an earlier one of B) gets that one's sentences, its citations shifted by
the distance between the two. Only the changed paragraphs are normalised and split again.

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
from collections.abc import Sequence
from dataclasses import dataclass

from diffview.errors import regex_timeout
from diffview.model import Sentence
from diffview.text.normalize import normalize_lines
from diffview.text.scan import paragraphs, scan_source
from diffview.text.sentences import clean_sentence, split_sentences

# A paragraph's raw lines, numbered from its first line (0): two paragraphs with the same
# key normalise to the same text with the same line map, shifted.
ParagraphKey = tuple[tuple[int, str], ...]
# A sentence of a paragraph: its display text and first and last line, from the first (0).
Cut = tuple[str, int, int]


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


class Cutter:
    """The paragraphs and sentences made so far, shared by both sides of a comparison:
    `side(raw, name)` for each."""

    def __init__(self) -> None:
        self.normalised: dict[ParagraphKey, _Paragraph | None] = {}
        self.cut: dict[tuple[ParagraphKey, int], tuple[Cut, ...]] = {}

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

    def sentences(self, key: ParagraphKey, para: _Paragraph, widest: int) -> tuple[Cut, ...]:
        """The paragraph's sentences as `split_sentences` cuts them in a text whose widest
        line is `widest` (only a paragraph with a line break reads it)."""
        width = widest if "\n" in para.text else -1
        found = self.cut.get((key, width))
        if found is None:
            found = self.cut[(key, width)] = _cut(para, width)
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
        out: list[Sentence] = []
        statement = f"{name}-all"
        for key, first, norm in found:
            try:
                cuts = self.sentences(key, norm, widest)
            except TimeoutError:  # as `sentences_of` names it, at the paragraph's line
                raise regex_timeout(name, f"sentences of {statement}", first) from None
            for text, a, b in cuts:
                lines = (first + a, first + b)
                out.append(Sentence(text, name, name, statement, lines, len(out)))
        return out


def _cut(para: _Paragraph, width: int) -> tuple[Cut, ...]:
    text = para.text
    if width < 0:
        spans = split_sentences(text)
    else:  # a line of the side's width after a paragraph break: the widest the splitter sees
        spans = [s for s in split_sentences(f"{text}\n\n{'x' * width}") if s[0] < len(text)]
    out: list[Cut] = []
    offsets, lines = para.offsets, para.lines
    for start, end in spans:
        sentence = clean_sentence(text[start:end])
        if sentence:
            first = lines[max(bisect_right(offsets, start) - 1, 0)]
            last = lines[max(bisect_right(offsets, max(start, end - 1)) - 1, 0)]
            out.append((sentence, first, last))
    return tuple(out)


def sentence_sides(
    text_a: str, name_a: str, text_b: str, name_b: str
) -> tuple[list[Sentence], list[Sentence]]:
    """The sentences of two raw texts, cited `name:line` as `sentences_of` cites them in a
    whole text read as one statement (`compare._text_statement`); a paragraph the two
    share is normalised and split once. TimeoutError as the normaliser raises it; the
    splitter's is an InputError naming the text and the paragraph's line."""
    cutter = Cutter()
    return cutter.side(text_a, name_a), cutter.side(text_b, name_b)
