"""Revisions of one text: a sentence edited in place is paired in place, without a search.

Two versions of the same document (`compare_texts`, `compare_files`) keep most sentences word
for word. `align.align` pairs those first, by hash (`exact`: the common head and tail, then
in-order runs, patience anchors where keys repeat). Between two consecutive in-order pairs
a revision then mostly holds one changed sentence on each side: the same sentence, edited.
`lone_gaps` finds those gaps; `align` (with `revision=True`) scores each such pair with the
usual similarity and, when it matches, pairs it there and then, so that only the rest
(sentences added, removed, split, merged, moved or rewritten beyond recognition) goes through
the inverted-index candidate search, the greedy assignment and the split/merge step.

The search would have found the same pair in all but one case: a sentence elsewhere in the
text scoring higher with it (a moved copy of it, edited); in a revision the sentence that
stands where it stood is the better answer. Across rounds of different documents
(`across=True`) nothing is anchored by place: their order proves nothing.

Cost: linear in the number of sentences after the exact pass (one sort of the anchors and
their longest increasing subsequence, n log n), whatever the text repeats.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator, Sequence

# An in-order anchor: a FROM index and a TO index paired as the same sentence.
Anchor = tuple[int, int]


def in_order(pairs: Sequence[Anchor], lis: Callable[[Sequence[int]], list[int]]) -> list[Anchor]:
    """The pairs that keep their order on both sides (one longest increasing subsequence of
    their TO indices, taken in FROM order): the others are moves and anchor nothing."""
    ordered = sorted(pairs)
    return [ordered[p] for p in lis([j for _, j in ordered])]


def lone_gaps(
    anchors: Sequence[Anchor],
    n_left: int,
    n_right: int,
    left_taken: Container[int],
    right_taken: Container[int],
) -> Iterator[Anchor]:
    """(i, j) for each stretch between two consecutive anchors (or a text's ends) that holds
    exactly one sentence not yet paired on each side: FROM's i and TO's j."""
    bounds = [(-1, -1), *anchors, (n_left, n_right)]
    for (i0, j0), (i1, j1) in zip(bounds, bounds[1:], strict=False):
        free_left = [i for i in range(i0 + 1, i1) if i not in left_taken]
        if len(free_left) != 1:
            continue
        free_right = [j for j in range(j0 + 1, j1) if j not in right_taken]
        if len(free_right) == 1:
            yield free_left[0], free_right[0]
