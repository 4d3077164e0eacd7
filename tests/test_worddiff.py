"""Word diff: whole-word ops, variant spellings equal, both sides rebuildable."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from diff_match_patch import diff_match_patch
from hypothesis import given, settings
from hypothesis import strategies as st

from diffview.diff import worddiff
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


# The fast paths of `tokenize` and `squash` (stdlib `re` on ASCII and Latin text, the stress
# pass tried only beside a stressed letter) must give what the full Unicode patterns give.
ODD = (
    "aZé09 -‐'’.,/\t\n\x0b\x1c\u00a0\u2009\u3000–—\"`“ÉÈáóò\u0301\u0308\u034f\u0483ßﬁ€\ue000\u2063"
)


def _squash_by_the_patterns(text: str) -> str:
    """`squash` as its docstring defines it: every pass of the full Unicode patterns."""
    folded = worddiff._DIGIT_GAP.sub(worddiff._KEPT_GAP, text.casefold())
    if folded.isascii():
        folded = folded.replace('"', "'").replace("`", "'").replace("-", "")
        return "".join(folded.split())
    folded = worddiff._STRESSED.sub(
        lambda m: m.group().translate(worddiff._PROTECT), folded.translate(worddiff._QUOTES)
    )
    folded = worddiff._SQUASH_DROP.sub("", unicodedata.normalize("NFD", folded))
    return unicodedata.normalize("NFC", folded.translate(worddiff._UNPROTECT))


@settings(max_examples=2000, deadline=None)
@given(st.text(st.sampled_from(ODD), max_size=16) | st.text(max_size=16))
def test_squash_is_what_the_full_patterns_give(text: str) -> None:
    assert squash(text) == _squash_by_the_patterns(text)
    assert squash(f"Het één {text} privé.") == _squash_by_the_patterns(f"Het één {text} privé.")


@settings(max_examples=2000, deadline=None)
@given(st.text(st.sampled_from("aZ09 -'.,/<U+0AF>\t\n\x0b\x1c_!"), max_size=24))
def test_ascii_tokens_are_the_unicode_patterns_tokens(text: str) -> None:
    assert tokenize(text) == worddiff._TOKEN.findall(text)


def test_ops_do_not_depend_on_the_machines_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """A loaded machine makes every clock reading late; the ops must not change (a deadline
    on the clock once made the same compare give other rows under load)."""
    engine = sys.modules[diff_match_patch.__module__]  # the module, not its class

    left = " ".join(f"woord{i % 97} detectiebevel{i % 13}" for i in range(150))
    right = " ".join(f"woord{i % 89} detectiebevel{i % 11}" for i in range(150))
    calm = word_diff(left, right)
    clock = iter(range(0, 10**9, 3600))  # an hour passes between any two readings
    monkeypatch.setattr(engine.time, "time", lambda: float(next(clock)))
    assert word_diff(left, right) == calm
    assert rebuild(calm, "right") == right
    long_left, long_right = left * 2, right * 2  # past EXACT_TOKENS: the other engine, as steady
    assert len(tokenize(long_left + long_right)) > worddiff.EXACT_TOKENS
    assert word_diff(long_left, long_right) == word_diff(long_left, long_right)
