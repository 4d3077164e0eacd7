"""Stance flags, table by table: negation, niet/geen, antonyms, modality, the legal remedy."""

from __future__ import annotations

import pytest
import regex
import snowballstemmer

from diffview.corpus.load import BUNDLED_VERSIONS
from diffview.diff.compare import compare_sentences
from diffview.diff.stance import stance_flags, stance_of_one_side
from diffview.model import Sentence


def kinds(left: str, right: str) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    return {f.kind: (f.removed, f.added) for f in stance_flags(left, right)}


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (
            "Ik kan niet oordelen over de capaciteit.",
            "Over de capaciteit kan ik geen oordeel geven.",
        ),
        ("Nederland steunt dit niet.", "Nederland geeft hier geen steun aan."),
        ("Er is geen meerderheid.", "Er is niet een meerderheid."),
    ],
)
def test_niet_for_geen_is_no_flip(left: str, right: str) -> None:
    assert "negation" not in kinds(left, right)


@pytest.mark.parametrize(
    ("left", "right", "removed", "added"),
    [
        (
            "De technologie is onvoldoende betrouwbaar.",
            "De technologie is voldoende betrouwbaar.",
            ("onvoldoende",),
            ("voldoende",),
        ),
        (
            "JenV had een positieve grondhouding.",
            "JenV had een negatieve grondhouding.",
            ("positieve",),
            ("negatieve",),
        ),
        (
            "Het kabinet onderkent de risico's.",
            "Het kabinet ontkent de risico's.",
            ("onderkent",),
            ("ontkent",),
        ),
        ("Dit is aanvaardbaar.", "Dit is onaanvaardbaar.", ("aanvaardbaar",), ("onaanvaardbaar",)),
        ("Dat is wenselijk.", "Dat is onwenselijk.", ("wenselijk",), ("onwenselijk",)),
        ("Wij zijn voorstander.", "Wij zijn tegenstander.", ("voorstander",), ("tegenstander",)),
    ],
)
def test_antonyms_flag_a_reversal(
    left: str, right: str, removed: tuple[str, ...], added: tuple[str, ...]
) -> None:
    assert kinds(left, right)["negation"] == (removed, added)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Nederland kan instemmen.", "Nederland kan stemmen."),  # in- on a verb is no prefix
        ("Wij gaan daar onder meer op in.", "Wij gaan daar der meer op in."),
        ("Het kabinet steunt dit.", "Het kabinet steunen dit."),
    ],
)
def test_no_false_reversal(left: str, right: str) -> None:
    assert "negation" not in kinds(left, right)


@pytest.mark.parametrize(
    ("left", "right", "flagged"),
    [
        ("Het centrum dient aanvullend te zijn.", "Het centrum moet aanvullend zijn.", False),
        ("Nederland kan instemmen.", "Nederland kunnen instemmen.", False),
        ("Een mogelijke verlenging biedt ruimte.", "Een verlenging biedt ruimte.", False),
        ("Dit is noodzakelijk.", "Dit is wenselijk.", False),
        ("Nederland kan dit steunen.", "Nederland zal dit steunen.", True),
        ("De Commissie moet een voorstel doen.", "De Commissie mag een voorstel doen.", True),
    ],
)
def test_modality_is_about_verbs(left: str, right: str, flagged: bool) -> None:
    assert ("modality" in kinds(left, right)) is flagged


def test_the_legal_remedy_is_not_a_position() -> None:
    text = "Gebruikers hebben het recht om hier bezwaar tegen te maken."
    assert stance_of_one_side(text, "right") == ()
    assert stance_of_one_side("Het kabinet heeft bezwaar tegen het voorstel.", "right")


def _s(text: str, i: int, doc: str) -> Sentence:
    return Sentence(text, doc, f"{doc}.txt", f"{doc}-s", (i + 1, i + 1), i)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Het kabinet steunt het voorstel niet.", "Het kabinet steunt het voorstel."),
        ("Het kabinet steunt het voorstel.", "Het kabinet steunt het voorstel geenszins."),
        ("De technologie is voldoende betrouwbaar.", "De technologie is onvoldoende betrouwbaar."),
    ],
)
def test_a_deleted_or_inserted_negation_is_never_reworded_one(left: str, right: str) -> None:
    c = compare_sentences([_s(left, 0, "A")], [_s(right, 0, "B")])
    (unit,) = c.units
    assert unit.left and unit.right and unit.change != "unchanged"
    assert unit.score < 1.0
    assert any(f.kind == "negation" for f in unit.stance)


def test_the_c_stemmer_gives_the_pure_python_stems() -> None:
    """PyStemmer (C) is what snowballstemmer hands out when it is installed; it must stem
    every word of the bundled corpus as snowballstemmer's own Python code does, or the
    alignments (and the stores built from them) would depend on which one a machine has."""
    import Stemmer  # type: ignore[import-not-found]
    from snowballstemmer.dutch_stemmer import DutchStemmer

    assert isinstance(snowballstemmer.stemmer("dutch"), Stemmer.Stemmer)
    words = sorted(
        {
            w.lower()
            for f in BUNDLED_VERSIONS.glob("*.txt")
            for w in regex.findall(r"[\p{L}\p{M}]+", f.read_text(encoding="utf-8"))
        }
    )
    assert len(words) > 4000
    assert Stemmer.Stemmer("dutch").stemWords(words) == [DutchStemmer().stemWord(w) for w in words]
