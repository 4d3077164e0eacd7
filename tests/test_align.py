"""Sentence alignment: exact, reworded, moved, split, merged, added, removed, order."""

from __future__ import annotations

from diffview.diff.align import (
    ACROSS_MATCH,
    ACROSS_POSSIBLE,
    MATCH_THRESHOLD,
    REWRITE_THRESHOLD,
    Link,
    across_scores,
    align,
)
from diffview.diff.similarity import content_stems, corpus_weights, similarity

A = [
    "Het kabinet steunt het voorstel voor een detectiebevel op bekend materiaal.",
    "Nieuw materiaal en grooming vallen buiten het detectiebevel.",
    "De Commissie moet een nieuw voorstel doen.",
    "Client-side scanning is de enige manier om end-to-end encryptie te behouden.",
]


def kinds(links: list[Link]) -> list[str]:
    return [lk.kind for lk in links]


def test_stems_drop_stopwords_and_fold_inflection() -> None:
    s = content_stems("Het kabinet steunt de voorstellen")
    assert "het" not in s and "de" not in s
    assert content_stems("Nederland steunt") == content_stems("Nederland steunen")
    assert content_stems("end-to-end") == content_stems("endtoend")


def test_similarity_bounds() -> None:
    a = content_stems(A[0])
    assert similarity(a, a) == 1.0
    assert similarity(a, content_stems("Iets totaal anders over vis")) == 0.0
    assert 0 < MATCH_THRESHOLD < REWRITE_THRESHOLD < 1


def test_identical_texts_all_exact_in_order() -> None:
    links = align(A, A)
    assert kinds(links) == ["pair"] * 4
    assert all(lk.exact and not lk.moved for lk in links)
    assert [lk.right for lk in links] == [(0,), (1,), (2,), (3,)]


def test_variant_spelling_is_exact() -> None:
    b = list(A)
    b[3] = "Client-side scanning is de enige manier om end-to-endencryptie te behouden."
    assert all(lk.exact for lk in align(A, b))


def test_reworded_pair() -> None:
    b = list(A)
    b[2] = "De Commissie zou een nieuw voorstel moeten doen."
    link = next(lk for lk in align(A, b) if lk.left == (2,))
    assert link.kind == "pair" and not link.exact and link.right == (2,)
    assert link.score >= MATCH_THRESHOLD


def test_move_is_flagged_not_added() -> None:
    b = [A[1], A[2], A[3], A[0]]
    links = align(A, b)
    assert set(kinds(links)) == {"pair"}
    moved = [lk for lk in links if lk.moved]
    assert [lk.left for lk in moved] == [(0,)]


def test_split_and_merge() -> None:
    whole = (
        "Het kabinet steunt detectie op bekend materiaal maar wijst detectie van nieuw "
        "materiaal en grooming resoluut af."
    )
    parts = [
        "Het kabinet steunt detectie op bekend materiaal.",
        "Detectie van nieuw materiaal en grooming wijst het kabinet resoluut af.",
    ]
    links = align(["Inleiding over de agenda.", whole], ["Inleiding over de agenda.", *parts])
    split = [lk for lk in links if lk.kind == "split"]
    assert split and split[0].left == (1,) and split[0].right == (1, 2)
    links = align(["Inleiding over de agenda.", *parts], ["Inleiding over de agenda.", whole])
    merged = [lk for lk in links if lk.kind == "merged"]
    assert merged and merged[0].left == (1, 2) and merged[0].right == (1,)


def test_added_removed_and_reading_order() -> None:
    a = [A[0], "Deze zin verdwijnt helemaal uit de tekst.", A[1], A[2]]
    b = [A[0], A[1], "Een geheel nieuwe zin over derogatie.", A[2]]
    links = align(a, b)
    assert kinds(links) == ["pair", "removed", "pair", "added", "pair"]
    assert links[1].left == (1,) and links[3].right == (2,)


def test_removed_before_first_anchor_comes_first() -> None:
    links = align(["Weg ermee vandaag nog.", A[0]], [A[0]])
    assert kinds(links) == ["removed", "pair"]


def test_heavy_rewrite_in_place_is_paired_through_gap() -> None:
    a = [A[0], "Nederland steunt geen voorstellen die end-to-end encryptie onmogelijk maken.", A[2]]
    b = [
        A[0],
        "Er is geen ruimte om voorstellen te steunen die end-to-end encryptie onmogelijk maken "
        "of detectie verplichten in versleutelde omgevingen.",
        A[2],
    ]
    mid = [lk for lk in align(a, b) if lk.left == (1,)]
    assert mid and mid[0].kind == "pair" and mid[0].right == (1,)


def test_duplicates_pair_in_order() -> None:
    a = ["Zelfde zin.", "Andere zin hier.", "Zelfde zin."]
    links = align(a, a)
    assert [(lk.left, lk.right) for lk in links] == [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]


def _odd(links: list[Link]) -> list[Link]:
    return [lk for lk in links if not lk.exact or lk.moved]


def test_one_edit_among_identical_sentences_stays_in_place() -> None:
    """2,000 identical sentences, one changed: a change at its place, not a move (difflib's
    longest block first paired the edited one with the last copy); bounded work at 100,000."""
    for n in (2_000, 100_000):
        a = ["Het kabinet steunt het voorstel niet."] * n
        b = list(a)
        b[n // 2] = "Het kabinet steunt het voorstel van de Commissie niet."
        odd = _odd(align(a, b))
        assert [(lk.kind, lk.left, lk.right, lk.moved) for lk in odd] == [
            ("pair", (n // 2,), (n // 2,), False)
        ]


def test_repetitive_text_with_a_deletion_is_not_a_cascade_of_moves() -> None:
    """Two alternating sentences, one deleted and one replaced: three units, no moves."""
    n = 4_000
    a = ["Zin een over het detectiebevel.", "Zin twee over encryptie."] * (n // 2)
    b = list(a)
    b[n // 2] = "Een heel andere zin over vis."
    del b[n // 3]
    odd = _odd(align(a, b))
    assert sorted(lk.kind for lk in odd) == ["added", "removed", "removed"]
    assert not any(lk.moved for lk in odd)


# -- between rounds of different documents ----------------------------------------------------

CORPUS = [
    "Detectie van online materiaal van seksueel kindermisbruik is belangrijk.",
    "Online seksueel kindermisbruik en detectie van materiaal vragen om een verordening.",
    "De verordening over online materiaal gaat over detectie.",
    "Kindermisbruik online bestrijden met detectie van materiaal.",
] * 10


def test_across_rounds_dossier_words_do_not_make_a_pair() -> None:
    """Sharing only the dossier's everyday words is no evidence between rounds."""
    a = ["De detectie van online materiaal van seksueel kindermisbruik kost geld."]
    b = ["Vrijwillige detectie van online materiaal van seksueel kindermisbruik werkt goed."]
    weights = corpus_weights([*CORPUS, *a, *b])
    links = align(a, b, across=True, background=weights)
    assert sorted(lk.kind for lk in links) == ["added", "removed"]
    assert align(a, b)[0].kind == "pair"  # within one document the old rule still pairs


def test_across_rounds_a_flipped_claim_on_distinctive_words_pairs_without_order() -> None:
    a = ["Inleiding.", "Nederland steunt de derogatie voor vrijwillige hashing."]
    b = [
        "Nederland steunt de derogatie voor vrijwillige hashing niet.",
        "Iets heel anders.",
        "Inleiding.",
    ]
    links = align(a, b, across=True, background=corpus_weights([*CORPUS, *a, *b]))
    pair = next(lk for lk in links if lk.left == (1,))
    assert pair.kind == "pair" and pair.right == (0,) and not pair.moved
    assert not any(lk.moved for lk in links)


def test_across_rounds_a_weak_mutual_candidate_is_possibly_related() -> None:
    a = ["Het kabinet waardeert de derogatie.", "De Commissie presenteert een routekaart."]
    b = ["Over de derogatie en de Raad is veel te zeggen."]
    links = align(a, b, across=True, background=corpus_weights([*CORPUS, *a, *b]))
    removed = next(lk for lk in links if lk.left == (0,))
    added = next(lk for lk in links if lk.right == (0,))
    assert removed.kind == "removed" and removed.related == (0,)
    assert added.kind == "added" and added.related == (0,)
    assert ACROSS_POSSIBLE <= added.score < ACROSS_MATCH


def test_across_rounds_the_dossiers_synonyms_meet() -> None:
    """A "nieuw materiaal" in one round is "onbekend materiaal" in the next (paraphrase.py):
    across rounds the synonym counts as shared, a word outside the lexicon does not."""
    a = ["Het kabinet wil geen detectie van nieuw materiaal via hashing."]
    synonym = ["Het kabinet wil geen detectie van onbekend materiaal via hashing."]
    other = ["Het kabinet wil geen detectie van recent materiaal via hashing."]
    weights = corpus_weights([*CORPUS, *a, *synonym, *other])
    (same,) = across_scores(a, synonym, weights)[0]
    (unlike,) = across_scores(a, other, weights)[0]
    assert same > unlike
