"""Revisions: a sentence edited in place is paired in place (diffview/diff/anchor.py)."""

from __future__ import annotations

import random
from pathlib import Path

from diffview.diff.align import align
from diffview.diff.anchor import in_order, lone_gaps
from diffview.diff.order import longest_increasing
from diffview.text.scan import normalize_text
from diffview.text.sentences import split_sentences

VERSIONS = Path(__file__).resolve().parent.parent / "versions"


def test_lone_gaps_are_one_free_sentence_on_each_side_between_anchors() -> None:
    anchors = [(0, 0), (2, 2), (5, 6)]
    # between (0,0) and (2,2): 1 | 1; between (2,2) and (5,6): 3,4 | 3,4,5; after: 6 | 7
    assert list(lone_gaps(anchors, 7, 8, set(), set())) == [(1, 1), (6, 7)]
    # a taken sentence (a move's end) does not count as free
    assert list(lone_gaps(anchors, 7, 8, {4}, {4, 5})) == [(1, 1), (3, 3), (6, 7)]


def test_in_order_keeps_the_longest_run_and_drops_moves() -> None:
    assert in_order([(0, 0), (3, 1), (1, 2), (2, 3)], longest_increasing) == [
        (0, 0),
        (1, 2),
        (2, 3),
    ]


def _seed_sentences() -> list[str]:
    text = normalize_text(next(VERSIONS.glob("002_*.txt")).read_text("utf-8")).text
    return [" ".join(text[a:b].split()) for a, b in split_sentences(text)]


def test_a_revision_pairs_as_the_search_does() -> None:
    """Every fourth sentence of a seed edited by one word: the pairs found in place are the
    ones the candidate search finds, with the same scores."""
    left = _seed_sentences()[:300]
    rng = random.Random(7)
    right = list(left)
    for k in range(0, len(right), 4):
        words = right[k].split()
        if len(words) > 6:
            words[rng.randrange(len(words))] = "gewijzigd"
            right[k] = " ".join(words)
    assert align(left, right, revision=True) == align(left, right)


def test_a_sentence_moved_and_edited_is_still_found_by_the_search() -> None:
    left = [
        "Het kabinet steunt het voorstel voor een verordening ter bestrijding van misbruik.",
        "De Europese Commissie heeft het voorstel in mei 2022 gepubliceerd.",
        "Over de detectiebevelen wordt in de raadswerkgroep nog onderhandeld.",
        "Nederland zet in op bescherming van versleutelde communicatie.",
    ]
    right = [*left[1:], left[0].replace("steunt", "steunt voorlopig")]
    links = align(left, right, revision=True)
    moved = [lk for lk in links if lk.left == (0,)]
    assert moved and moved[0].right == (3,) and moved[0].moved
