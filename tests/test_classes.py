"""Honest change classes: punctuation and footnote markers are not a rewording."""

from __future__ import annotations

import pytest

from diffview.diff.compare import compare_sentences
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


BASE = [
    "Het kabinet steunt het voorstel voor een detectiebevel op bekend materiaal.",
    "Nieuw materiaal en grooming vallen buiten het detectiebevel.",
    "De Commissie moet een nieuw voorstel doen over de reikwijdte.",
    "Client-side scanning is de enige manier om end-to-end encryptie te behouden.",
    "Het EU-centrum ontvangt de meldingen van de aanbieders.",
]


def _edit(i: int, text: str) -> list[str]:
    return [text if k == i else t for k, t in enumerate(BASE)]


# One operation per row (the kinds of the synthetic set): what the row holding the
# edited sentence must say (class, a stance kind it must carry or "").
OPERATIONS = [
    ("unchanged", BASE, "unchanged", ""),
    (
        "reworded",
        _edit(2, "De Commissie moet een nieuw voorstel indienen over de reikwijdte."),
        "reworded",
        "",
    ),
    (
        "negation inserted",
        _edit(0, BASE[0].replace("steunt", "steunt niet")),
        "reworded",
        "negation",
    ),
    ("modality changed", _edit(2, BASE[2].replace("moet", "kan")), "reworded", "modality"),
    ("moved", [BASE[1], BASE[2], BASE[3], BASE[4], BASE[0]], "moved", ""),
    ("added", [*BASE, "Een geheel nieuwe zin over de tijdelijke derogatie en vis."], "added", ""),
    ("removed", BASE[:4], "removed", ""),
    ("punctuation", _edit(4, BASE[4].replace(" de meldingen", ", de meldingen")), "unchanged", ""),
]


@pytest.mark.parametrize(("name", "right", "change", "flag"), OPERATIONS)
def test_one_operation_one_honest_row(name: str, right: list[str], change: str, flag: str) -> None:
    c = compare_sentences(
        [_s(t, i, "A") for i, t in enumerate(BASE)], [_s(t, i, "A") for i, t in enumerate(right)]
    )
    odd = [u for u in c.units if u.change != "unchanged" or u.note]
    if change == "unchanged":
        assert all(u.change == "unchanged" for u in c.units)
        return
    assert len(odd) == 1, [(u.change, u.score) for u in c.units]
    (unit,) = odd
    assert unit.change == change
    if flag:
        assert any(f.kind == flag for f in unit.stance)
    if name == "negation inserted":
        assert unit.score <= 0.75
