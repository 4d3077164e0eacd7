"""Across rounds, the words that name one concept of the dossier: "nieuw materiaal" in 2023
is "onbekend materiaal" in 2024, "bedrijven" are "aanbieders", "instemmen" is "steunen".

Why a lexicon and not a model: between rounds built from different documents the same claim
is restated in other words, and stems alone share nothing there. A concept term (`≈nieuw`) is
added beside the stems it stands for (they still count themselves), so a pair saying
"nieuw" and "onbekend" shares one term; each concept weighs as common as all its words
together (document frequencies add up: `-ln Σ e^-idf`), so a frequent concept tells little.
The groups are general Dutch for the concepts the dossier keeps returning to (written from
its most frequent content words, not from the hand-aligned pairs); only revisions of one text
never see them (align.py uses them across rounds only).

Measured on tests/annotations/cross-round-pairs.json (align.py docstring has the figures and
what was tried and rejected: compound splitting, anaphora context, light words, sharper IDF,
joining a second restatement to a pair).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache

from diffview.diff.stance import word_list
from diffview.text.stems import stem

CONCEPT_MARK = "≈"  # prefix of a concept term (no word starts with it)

CONCEPTS: dict[str, list[str]] = {
    # the material a detection order may cover
    "nieuw": word_list("nieuw nieuwe onbekend onbekende"),
    "bekend": word_list("bekend bekende bestaand bestaande"),
    # a stance on a proposal (a flip is a pair to show, so for and against meet here)
    "steun": word_list("steunen steunt ondersteunen instemmen voorstander onderschrijven"),
    # who would detect
    "aanbieder": word_list("bedrijf bedrijven aanbieder aanbieders dienstverlener dienstverleners"),
    # whether a position moved
    "wijzig": word_list("wijziging wijzigingen gewijzigd veranderd onveranderd verandering"),
    "standpunt": word_list("standpunt standpunten positie posities"),
}


@cache
def _of_stem() -> dict[str, str]:
    """Each listed word's stem and its concept term; made on first use, so a compare read
    from the derived cache never loads the stemmer."""
    return {stem(w): f"{CONCEPT_MARK}{name}" for name, words in CONCEPTS.items() for w in words}


def with_concepts(stems: frozenset[str]) -> frozenset[str]:
    """`stems` and the concept terms of the ones the lexicon names."""
    of_stem = _of_stem()
    extra = {of_stem[t] for t in stems if t in of_stem}
    return stems | extra if extra else stems


def concept_weights(background: Mapping[str, float]) -> dict[str, float]:
    """The corpus weights and, per concept, `-ln Σ e^-w` over its stems (a stem the corpus
    never saw weighs as the rarest)."""
    weights = dict(background)
    unseen = max(weights.values(), default=1.0)
    mass: dict[str, float] = {}
    for s, term in _of_stem().items():
        mass[term] = mass.get(term, 0.0) + math.exp(-weights.get(s, unseen))
    weights.update({term: -math.log(m) for term, m in mass.items()})
    return weights
