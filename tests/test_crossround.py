"""Cross-round pairing on the hand-aligned set, on the real bundled store (compare_versions)."""

from __future__ import annotations

import pytest
from crossround import (
    TOPICS,
    TRANSITIONS,
    load_set,
    ranking,
    ranking_report,
    report,
    score,
)

from diffview.diff.compare import compare_versions
from diffview.pipeline import build_store
from diffview.store.read import Store

# Measured on tests/annotations/cross-round-pairs.json: before corpus IDF and the
# across-rounds acceptance rule recall was 0.15 (6/41) at precision 0.86 (6/7); then 11/43 at
# 11/12, and 11/43 at 11/13 (0.26 / 0.85) once two hand pairs written `002:117-117` were
# read as the tool cites them (`002:117`), which judged one more pair; 11/43 at 11/11 with
# the dossier's concepts (diff/paraphrase.py) and ACROSS_MATCH 0.32. The target
# (recall 0.6 at precision 0.8) is out of reach of any acceptance rule on this score: it
# ranks the true counterpart first for only 14 of the 43 pairs, mutually first for 10, and
# the rule already makes all 10 (test below). A one-to-one assignment (greedy or Hungarian)
# with a same-sub-issue bonus, character n-grams and the multilingual USE encoder ranked no
# better (README, "Known limits"). Floors: the measured values less 0.05.
RECALL_FLOOR = 0.21
PRECISION_FLOOR = 0.80
# share of the pairs whose counterpart the similarity ranks first (14/43 = 0.33 measured)
RANKED_FIRST_FLOOR = 0.28


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Store:
    from conftest import VERSIONS

    path = tmp_path_factory.mktemp("crossround") / "store"
    build_store(VERSIONS, path)
    return Store.open(path)


def test_the_set_is_big_enough_and_well_formed() -> None:
    data = load_set()
    pairs, negatives = data["pairs"], data["negatives"]
    assert len(pairs) >= 40 and len(negatives) >= 10
    transitions = {(p["from"][:3] in ("000", "002"), p["to"][:3] == "004") for p in pairs}
    assert transitions == {(True, False), (False, True)}  # both round transitions
    for p in (*pairs, *negatives):
        assert p["from_text"] and p["to_text"] and p["note"]
    assert {p["kind"] for p in pairs} == {"reworded", "flipped"}


def test_pairing_recall_and_precision(bundled: Store) -> None:
    fig = score(bundled)
    print(report(fig))
    assert fig.recall >= RECALL_FLOOR, report(fig)
    assert fig.precision >= PRECISION_FLOOR, report(fig)


def test_the_acceptance_rule_keeps_what_the_score_ranks_mutually_first(bundled: Store) -> None:
    """What loses pairs is the score, not the acceptance: every hand pair whose two sentences
    are each other's best candidate at ACROSS_MATCH or above is made; and the score still
    ranks as many counterparts first as it did."""
    rk, fig = ranking(bundled), score(bundled)
    print(ranking_report(rk))
    assert rk.first / rk.total >= RANKED_FIRST_FLOOR, ranking_report(rk)
    assert rk.strong and not set(rk.strong) & set(fig.missed), ranking_report(rk)


def test_between_rounds_nothing_is_moved_and_weak_pairs_are_one_sided(bundled: Store) -> None:
    """Order across different documents is no evidence: no unit is a move; a weak candidate
    is a one-sided row naming its possible counterpart, never a pair."""
    for topic in TOPICS:
        for a, b in TRANSITIONS:
            c = compare_versions(bundled, topic, a, b)
            assert c.across_documents
            assert not any(u.moved or u.change == "moved" for u in c.units)
            for u in c.units:
                if u.related:
                    assert u.change in ("added", "removed") and 0 < u.score < 1


@pytest.mark.parametrize("bad", [b"not json", b"[1, 2]", b'{"detectie": "x"}', b'{"a": 1e308}'])
def test_a_bad_idf_cache_file_is_ignored(bundled: Store, bad: bytes) -> None:
    from diffview.diff import compare

    version = bundled.resolve_version("2024-10")
    compare._corpus_idf.cache_clear()
    good = dict(compare._corpus_idf(bundled, version))
    name = f"idf-{compare.IDF_FORMAT}-{bundled.commit_of(version)}.json"
    bundled.cache_put(name, bad)
    compare._corpus_idf.cache_clear()
    assert dict(compare._corpus_idf(bundled, version)) == good
    compare._corpus_idf.cache_clear()
    assert dict(compare._corpus_idf(bundled, version)) == good  # rewritten, read back
