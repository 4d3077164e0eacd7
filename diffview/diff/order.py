"""Pairs in reading order between two lists of sentence keys: a long span cut at its unique
keys first (patience), the longest common subsequence by Myers' diff on small pieces,
difflib within a budget, a longest increasing subsequence for moves, and links put back in
reading order. Bounded work on repetitive input (a piece is split where both sides agree,
each piece's steps are capped).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher
from itertools import islice
from operator import lt


def in_order_pairs(left: Sequence[str], right: Sequence[str]) -> list[tuple[int, int]]:
    """Equal keys paired in order, with bounded work on repetitive input.

    The common head and tail are paired first: one edit among identical sentences then
    stays at its place (difflib's longest-block-first would pair the edited sentence with
    the last copy and report it moved). A long span (over `_PATIENCE_FIRST` keys, a
    revision of a long text) is then cut at keys that occur once on each side (patience
    diff: their longest increasing subsequence), in linear time, and each piece is handled
    the same way, so only the changed stretches reach the steps below. A short span, or one
    without such keys, goes to difflib's matching blocks when that is cheap: its cost grows
    with the sum over keys of (copies in A) x (copies in B), quadratic for 100,000 identical
    lines; else to Myers' diff within a budget; else it is cut at its unique keys. A piece
    with no such key is left to the caller's pairing by order of occurrence, and so is
    everything once the pieces examined add up to `_SPLIT_WORK` times the input
    (adversarial nesting cannot make this quadratic).
    """
    pairs: list[tuple[int, int]] = []
    stack = [(0, len(left), 0, len(right))]
    work_left = _SPLIT_WORK * (len(left) + len(right) + 1)
    while stack:
        a0, a1, b0, b1 = stack.pop()
        work_left -= (a1 - a0) + (b1 - b0)
        if work_left < 0:
            break
        while a0 < a1 and b0 < b1 and left[a0] == right[b0]:
            pairs.append((a0, b0))
            a0, b0 = a0 + 1, b0 + 1
        while a0 < a1 and b0 < b1 and left[a1 - 1] == right[b1 - 1]:
            a1, b1 = a1 - 1, b1 - 1
            pairs.append((a1, b1))
        if a0 == a1 or b0 == b1:
            continue
        count_b: dict[str, int] = Counter(right[b0:b1])  # counted in C
        count_a: dict[str, int] = Counter(left[a0:a1])
        big = (a1 - a0) + (b1 - b0) > _PATIENCE_FIRST
        anchors = _unique_anchors(left, right, (a0, a1, b0, b1), count_a, count_b) if big else []
        if not anchors:
            cost = sum(n * count_b.get(key, 0) for key, n in count_a.items())
            if cost <= _DIFFLIB_BUDGET:
                matcher = SequenceMatcher(None, left[a0:a1], right[b0:b1], autojunk=False)
                for i, j, n in matcher.get_matching_blocks():
                    pairs.extend((a0 + i + k, b0 + j + k) for k in range(n))
                continue
            budget = min(work_left, _MYERS_STEPS)
            found, used = _few_edits(left[a0:a1], right[b0:b1], budget)
            work_left -= used
            if found is not None:
                pairs.extend((a0 + i, b0 + j) for i, j in found)
                continue
            if not big:
                anchors = _unique_anchors(left, right, (a0, a1, b0, b1), count_a, count_b)
        if not anchors:
            continue
        pairs.extend(anchors)
        bounds = [(a0 - 1, b0 - 1), *anchors, (a1, b1)]
        for (i0, j0), (i1, j1) in zip(bounds, bounds[1:], strict=False):
            stack.append((i0 + 1, i1, j0 + 1, j1))
    return sorted(pairs)


def _unique_anchors(
    left: Sequence[str],
    right: Sequence[str],
    span: tuple[int, int, int, int],
    count_a: dict[str, int],
    count_b: dict[str, int],
) -> list[tuple[int, int]]:
    """Patience diff's anchors in left[a0:a1] x right[b0:b1]: the keys found once on each
    side, their longest increasing run (in reading order on both sides)."""
    a0, a1, b0, b1 = span
    where_b = {key: b0 + j for j, key in enumerate(right[b0:b1]) if count_b[key] == 1}
    unique = [
        (a0 + i, where_b[key])
        for i, key in enumerate(left[a0:a1])
        if count_a[key] == 1 and key in where_b
    ]
    return [unique[p] for p in longest_increasing([j for _, j in unique])]


def _few_edits(
    a: Sequence[str], b: Sequence[str], budget: int
) -> tuple[list[tuple[int, int]] | None, int]:
    """Myers' O((N+M)·D) diff: the pairs of a shortest edit script, or None when it would
    take more than `budget` steps (many edits); also the steps spent. Cheap exactly where
    difflib is not: long repetitive texts with few edits."""
    n, m = len(a), len(b)
    max_d = n + m
    off = max_d + 1
    v = [0] * (2 * max_d + 3)
    trace: list[list[int]] = []
    steps = 0
    for d in range(max_d + 1):
        trace.append(v[off - d - 1 : off + d + 2])  # the state before round d, k in -d-1..d+1
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and v[off + k - 1] < v[off + k + 1]):
                x = v[off + k + 1]
            else:
                x = v[off + k - 1] + 1
            y = x - k
            start = x
            while x < n and y < m and a[x] == b[y]:
                x, y = x + 1, y + 1
            steps += 1 + x - start
            v[off + k] = x
            if x >= n and y >= m:
                return _myers_pairs(trace, n, m), steps
        if steps > budget:
            return None, steps
    return None, steps


def _myers_pairs(trace: list[list[int]], x: int, y: int) -> list[tuple[int, int]]:
    """Walk the saved states back from the end: the diagonal runs are the equal pairs."""
    pairs: list[tuple[int, int]] = []
    for d in range(len(trace) - 1, -1, -1):
        saved = trace[d]  # saved[k + d + 1] is v[k] before round d

        def v(k: int, saved: list[int] = saved, d: int = d) -> int:
            return saved[k + d + 1]

        k = x - y
        prev_k = k + 1 if k == -d or (k != d and v(k - 1) < v(k + 1)) else k - 1
        prev_x = v(prev_k)
        prev_y = prev_x - prev_k
        while x > prev_x and y > prev_y:
            x, y = x - 1, y - 1
            pairs.append((x, y))
        if d > 0:
            x, y = prev_x, prev_y
    return pairs


# A span longer than this (both sides) is cut at its unique keys first: a revision repeats
# most sentences once each, so the pieces are its changed stretches, and difflib's longest-
# block search over thousands of sentences (~70 ms at 1 MB) is not needed. Topic sides
# (a few hundred sentences) stay with difflib's matching blocks.
_PATIENCE_FIRST = 1_000
# Above this estimated cost (pairs of equal keys compared), difflib is not asked.
_DIFFLIB_BUDGET = 200_000
_SPLIT_WORK = 16  # pieces examined, in multiples of the input's length
_MYERS_STEPS = 1_000_000  # at most this many steps per piece for Myers' diff


def anchor_gap(anchors: Sequence[int], k: int, n: int) -> int:
    """Number of sentences strictly between anchors k-1 and k (or the text's ends)."""
    lo = anchors[k - 1] if k else -1
    hi = anchors[k] if k < len(anchors) else n
    return hi - lo - 1


def longest_increasing(seq: Sequence[int]) -> list[int]:
    """Positions of one longest strictly increasing subsequence of `seq` (patience sorting).

    A revision's pairs are mostly all in order: then the answer is every position, found
    by one comparison of the sequence with itself shifted (in C), not a search per item."""
    if all(map(lt, seq, islice(seq, 1, None))):
        return list(range(len(seq)))
    tails: list[int] = []  # seq value at the end of each pile
    tail_pos: list[int] = []
    prev = [-1] * len(seq)
    for pos, v in enumerate(seq):
        k = bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
            tail_pos.append(pos)
        else:
            tails[k], tail_pos[k] = v, pos
        prev[pos] = tail_pos[k - 1] if k else -1
    out: list[int] = []
    pos = tail_pos[-1] if tail_pos else -1
    while pos != -1:
        out.append(pos)
        pos = prev[pos]
    return out[::-1]
