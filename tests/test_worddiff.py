"""Word diff: whole-word ops, variant spellings equal, both sides rebuildable."""

from __future__ import annotations

import pytest

from diffview.diff.worddiff import changed_fraction, rebuild, squash, tokenize, word_diff
from diffview.model import WordOp


def test_tokenize_round_trip_and_units() -> None:
    text = "De end-to-end encryptie (1.000 keer), zo'n 26643."
    toks = tokenize(text)
    assert "".join(toks) == text
    assert "end-to-end" in toks and "1.000" in toks and "zo'n" in toks and "26643" in toks


def test_whole_word_change() -> None:
    ops = word_diff("Het kabinet steunt het voorstel.", "Het kabinet steunt het voorstel niet.")
    assert ops == (
        WordOp(0, "Het kabinet steunt het voorstel"),
        WordOp(1, " niet"),
        WordOp(0, "."),
    )


def test_word_replaced_not_characters() -> None:
    ops = word_diff("Nederland kan instemmen.", "Nederland zal instemmen.")
    assert WordOp(-1, "kan") in ops and WordOp(1, "zal") in ops


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("geen end-to-end encryptie breken", "geen end-to-endencryptie breken"),
        ("geen end-to-end-encryptie breken", "geen end-to-end encryptie breken"),
        ("zie Kamerstuk 32 317, nr. 904", "zie Kamerstuk 32317, nr. 904"),
        ("de ‘motie’ van Raan", "de 'motie' van Raan"),
        ("de “motie” van Raan", 'de "motie" van Raan'),
        ("De Minister antwoordt", "De minister antwoordt"),
        ("privéberichten lezen", "priveberichten lezen"),
    ],
)
def test_spelling_variants_are_equal(left: str, right: str) -> None:
    ops = word_diff(left, right)
    assert all(op.op == 0 for op in ops)
    assert rebuild(ops, "right") == right
    assert squash(rebuild(ops, "left")) == squash(left)


@pytest.mark.parametrize(
    ("left", "right", "deleted"),
    [
        ("Het kabinet steunt één detectiebevel.", "Het kabinet steunt een detectiebevel.", "één"),
        ("Nederland stemt vóór het voorstel.", "Nederland stemt voor het voorstel.", "vóór"),
        ("de Raad van 1 2 oktober", "de Raad van 12 oktober", "1 2"),
    ],
)
def test_folding_keeps_real_differences(left: str, right: str, deleted: str) -> None:
    """Stress accents on short words (één = one, vóór = in favour) and two numbers apart are
    meaning, not spelling: the word diff shows them."""
    ops = word_diff(left, right)
    assert squash(left) != squash(right)
    assert deleted in "".join(op.text for op in ops if op.op == -1)
    assert rebuild(ops, "left") == left and rebuild(ops, "right") == right


def test_real_change_next_to_variant_stays_a_change() -> None:
    ops = word_diff("end-to-end encryptie blijft", "end-to-endencryptie verdwijnt")
    assert any(op.op == -1 and "blijft" in op.text for op in ops)
    assert rebuild(ops, "right") == "end-to-endencryptie verdwijnt"


def test_exact_rebuild_without_variants() -> None:
    left = "Het kabinet heeft daarom besloten om zich te onthouden van stemming."
    right = "Het kabinet heeft besloten de algemene oriëntatie niet te steunen."
    ops = word_diff(left, right)
    assert rebuild(ops, "left") == left and rebuild(ops, "right") == right


def test_empty_sides() -> None:
    assert word_diff("", "") == ()
    assert word_diff("", "Nieuw.") == (WordOp(1, "Nieuw."),)
    assert word_diff("Oud.", "") == (WordOp(-1, "Oud."),)


def test_changed_fraction() -> None:
    assert changed_fraction(word_diff("a b c d", "a b c d")) == 0.0
    assert changed_fraction(word_diff("een twee", "drie vier")) == 1.0
    assert 0 < changed_fraction(word_diff("een twee drie vier", "een twee drie vijf")) < 0.5


def test_squash_agrees_with_normalize_canonical_term() -> None:
    from diffview.text import normalize

    pairs = [
        ("end-to-end encryptie", "end-to-endencryptie"),
        ("end-to-end-encryptie", "End-to-end encryptie"),
        ("Kamerstuk 32 317", "Kamerstuk 32317"),
        ("privéberichten", "priveberichten"),
    ]
    for a, b in pairs:
        assert normalize.canonical_term(a) == normalize.canonical_term(b)
        assert squash(a) == squash(b)
