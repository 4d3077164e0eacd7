"""Honest change classes: punctuation and footnote markers are not a rewording."""

from __future__ import annotations

import pytest

from diffview.compare import compare_sentences
from diffview.model import Comparison, Sentence
from diffview.present import change_label


def _s(text: str, i: int, doc: str) -> Sentence:
    return Sentence(text, doc, f"{doc}.txt", f"{doc}-s", (i + 1, i + 1), i)


def _one(left: str, right: str, across: bool = False) -> tuple[str, str, float, Comparison]:
    c = compare_sentences([_s(left, 0, "A")], [_s(right, 0, "B")], across=across)
    (unit,) = c.units
    return unit.change, unit.note, unit.score, c


@pytest.mark.parametrize("across", [False, True])
@pytest.mark.parametrize(
    ("left", "right", "note"),
    [
        (
            "Nederland steunt dit, mits de waarborgen blijven.",
            "Nederland steunt dit; mits de waarborgen blijven.",
            "punctuation only",
        ),
        ("Het voorstel ligt nu in Brussel.", "Het voorstel ligt nu in Brussel", "punctuation only"),
        (
            "Het voorstel ligt nu in Brussel1.",
            "Het voorstel ligt nu in Brussel.",
            "footnote marker only",
        ),
        (
            "In lijn met de motie c.s.19 steunt het niet.",
            "In lijn met de motie c.s. steunt het niet.",
            "footnote marker only",
        ),
    ],
)
def test_marks_only_are_unchanged_with_a_note(
    left: str, right: str, note: str, across: bool
) -> None:
    change, got, score, c = _one(left, right, across)
    assert (change, got, score) == ("unchanged", note, 1.0)
    assert change_label(c.units[0], c) == f"unchanged ({note})"


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Het kabinet steunt dit voorstel.", "Het kabinet steunt dit nieuwe voorstel."),
        ("Dit is Kamerstuk 32317 nr. 904.", "Dit is Kamerstuk 32317 nr. 905."),  # not a marker
        ("Op 12 oktober besloten.", "Op 13 oktober besloten."),
    ],
)
def test_real_differences_stay_edits(left: str, right: str) -> None:
    change, note, score, _ = _one(left, right)
    assert change != "unchanged" and note == "" and score < 1.0
