"""Align the sentences of two versions by meaning, not by position.

Government texts are reworded between rounds: sentences are reordered, split, merged, a
"kan" becomes "zal", a compound gets a hyphen. A positional diff would report all of that as
deletions plus additions; this module pairs sentences that say the same thing.

Similarity (`similarity`): each sentence becomes a set of *content stems*: words lower-cased,
hyphens dropped (`end-to-end` = `endtoend`), Dutch Snowball stem with a final -t trimmed
(`steunt` = `steunen`), stopwords removed (they stay in the displayed text, they only do not
count). Each stem weighs `1 + ln(N / df)` over the sentences being aligned, so a shared rare
word ("derogatie") counts more than a shared topic word ("detectiebevel"). With `I` the weight
of the shared stems and `Wa`, `Wb` the weights of each side:

    dice = 2I / (Wa + Wb)          symmetric overlap: the main signal
    containment = I / min(Wa, Wb)  how much of the shorter sentence is inside the longer one
    score = 0.75 * dice + 0.25 * containment

Containment lifts pairs where one side lost or gained a clause; it is kept at a quarter so
that a short generic sentence does not match every long one. Pairs with
`score >= MATCH_THRESHOLD` are matched; `REWRITE_THRESHOLD` separates small edits (reworded)
from large ones (rewritten) and is used by compare.py.

Algorithm, all steps ~n log n in the number of sentences:
  1. exact: sentences with equal variant-insensitive text (`worddiff.squash`) are paired:
     the common head and tail, then in-order runs (difflib's matching blocks where that is
     cheap, patience anchors where keys repeat a lot), then by order of occurrence (a hash
     join); only the rest is stemmed at all;
  2. candidates: an inverted index stem -> sentences of B; each A sentence probes its rarest
     `PROBES` stems (skipping stems in more than `_cap(n)` sentences unless it has no rarer
     ones) and scores only its `TOP_CANDIDATES` best by shared weight;
  3. greedy one-to-one assignment by descending score, ties to the closer relative position;
  4. split / merge: an A sentence whose stems are covered by two adjacent B sentences that are
     unmatched (or one of them matched to it), each part mostly contained in it, scoring better
     than its pair did (and the mirror case for merges);
  5. gaps: unmatched sentences between the same two in-order anchors on both sides are paired
     at the lower `GAP_THRESHOLD` when both gaps hold at most `GAP_MAX` sentences (position
     supports the words: a heavy rewrite in place) or, in a longer gap where position proves
     little, when they share at least `GAP_MIN_SHARED` content stems;
  6. moves: matched units not on the longest increasing subsequence of (A index, B index) are
     flagged `moved`;
  7. leftovers are `added` (B) or `removed` (A).
Output order is B's reading order; a removed sentence follows the unit holding its nearest
preceding unmoved A neighbour.

Between rounds built from different documents (`across=True`, compare_versions) order is no
evidence and the dossier's everyday words are no evidence either: stems weigh by the whole
corpus's IDF (`corpus_weights`), steps 5 and 6 are skipped (no gap pairs, no moves), a pair
needs `ACROSS_MATCH` and distinctive shared content (`ACROSS_MIN_DISTINCT`; a sub-issue both
sentences state a position on, passed as a tag, counts as the rarest word), and a weaker
mutual best candidate (`ACROSS_POSSIBLE`) stays two one-sided links carrying `related`: the
views say "possibly related", never moved or rewritten. Calibrated on
tests/annotations/cross-round-pairs.json (tests/crossround.py prints the figures per band:
pairs at 0.28-0.30 right 0 of 1, at 0.30-0.45 9 of 10, at 0.45-0.70 2 of 2; "possibly
related" links 1 of 11). What limits recall there is this score, not the acceptance:
`across_scores` ranks the true counterpart first for 14 of 43 hand pairs, mutually first for
10, and all 10 are paired.

Pairing by what a sentence claims was measured and not adopted (tests/crossround.py,
`experiment_report`): per sub-issue, the FROM and TO sentences left unpaired that are each
other's best by this score among that sub-issue's sentences only, sharing a distinctive stem
or alone on their sides, any two stances (a flip is the pair to show). With the sub-issues of
the cabinet's claims (positions.claims) only 8 of the 43 hand pairs have both sentences
claiming the same sub-issue at all (24 have no claim on either side: what the rounds restate
are facts, "onvoldoende betrouwbaar", "vals-positieven", not positions); within it the
counterpart is mutually first for 4, which this score already pairs, so the rule adds no
right pair and 3 wrong (11/43 at 11/16). With every sub-issue a sentence names (the claims'
object phrases, claim or not) 22 pairs share one and 8 are mutually first within it: 12/43 at
12/23. By transition, 8/24 and 3/19 before; 8/24, 3/19 (claims) and 9/24, 3/19 (objects)
after. The claims' predicate words add nothing either: of the 8, the 4 not already paired
have unrelated predicates ("geen voorstander" / "niet kunnen instemmen", "onthouding" /
"niet kunnen steunen") or a partner already rightly paired.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

import regex

from diffview.diff.stance import stem as _stem
from diffview.diff.stance import word_list
from diffview.diff.worddiff import squash

MATCH_THRESHOLD = 0.45  # below: not the same sentence
REWRITE_THRESHOLD = 0.70  # below (and above MATCH_THRESHOLD): same subject, rewritten
GAP_THRESHOLD = 0.3  # enough between the same two in-order neighbours on both sides...
GAP_MAX = 4  # ...when that gap is this small: in a long gap position proves nothing,
GAP_MIN_SHARED = 4  # so there the pair must share this many content stems
WEAK_THRESHOLD = 0.2  # candidate pairs kept for split/merge detection
PART_CONTAINMENT = 0.5  # each half of a split must be at least this much inside the whole
SPLIT_GAIN = 0.05  # a split must beat the plain pair by this much
PROBES = 8  # rarest stems probed per sentence
TOP_CANDIDATES = 8  # candidates scored exactly per sentence
# Between rounds built from different documents (`align(..., across=True)`) sentence order is
# no evidence: no gap pairing, no moves; a pair needs a score and distinctive shared content.
ACROSS_MATCH = 0.28  # at or above, with distinctive shared content: the same claim
ACROSS_POSSIBLE = 0.24  # a mutual best candidate at or above: shown as possibly related
DISTINCT_IDF = 3.5  # a stem in fewer than 1 in e^3.5 (3%) of the corpus's sentences tells
# distinctive shared weight needed, in units of a stem seen once in the corpus (ln N): about
# one rare stem, or a shared sub-issue
ACROSS_MIN_DISTINCT = 0.7

STOPWORDS = frozenset(
    word_list("""
    de het een en of van in op te ter ten dat die dit deze der des is zijn was waren wordt
    worden werd werden word ben bent heeft hebben had hadden heb hebt aan bij met voor door
    over naar uit om tot als dan ook er hier daar waar wat wie welke welk zo maar nog al wel
    dus toch reeds zich zij ze hij wij we u uw ik je jij hun haar hem ons onze mijn zijn
    men na onder tegen tussen binnen zonder sinds vanaf tijdens omdat doordat zodat indien
    wanneer terwijl hoe daarom daarmee daarbij daarvan daarin daarop hierbij hiervan hierin
    hierop waarbij waarvan waarin waarop worden geworden zal mede nu even eens steeds
    niet geen
    """)
)

_WORD = regex.compile(r"[\p{L}\p{N}]+(?:[-‐'’][\p{L}\p{N}]+)*")


@dataclass(frozen=True)
class Link:
    """One aligned unit, by sentence index: what compare.py turns into an AlignedUnit."""

    kind: str  # "pair" | "split" | "merged" | "added" | "removed"
    left: tuple[int, ...]
    right: tuple[int, ...]
    score: float
    exact: bool = False  # variant-equal texts (a hash match)
    moved: bool = False
    related: tuple[int, ...] = ()  # one-sided link: the other side's possible counterpart
    quiet: str = ""  # a pair differing only in punctuation or footnote markers: which


@lru_cache(maxsize=262_144)
def _term(word: str) -> tuple[str, bool]:
    """Stem of one lower-cased word and whether it counts for similarity."""
    bare = regex.sub(r"[-‐'’]", "", word)
    return _stem(bare), word not in STOPWORDS and len(bare) > 1


def content_stems(text: str) -> frozenset[str]:
    """The stem set used for similarity; all stems if the sentence is only stopwords."""
    terms = [_term(w.lower()) for w in _WORD.findall(text, timeout=5.0 + len(text) / 100_000)]
    content = frozenset(s for s, keep in terms if keep)
    return content or frozenset(s for s, _ in terms) or frozenset({squash(text)})


def corpus_weights(texts: Iterable[str]) -> dict[str, float]:
    """Inverse document frequency `ln(N/df)` of every stem over a corpus's sentences: the
    dossier's everyday words (detectie, materiaal, kindermisbruik) weigh next to nothing,
    so only distinctive shared words make two sentences of different rounds alike."""
    df: dict[str, int] = defaultdict(int)
    n = 0
    for text in texts:
        n += 1
        for t in content_stems(text):
            df[t] += 1
    return {t: math.log(max(n, 1) / c) for t, c in df.items()}


class _Weights:
    """Stem weights: `1 + ln(N/df)` over the sentences being aligned, or a corpus's IDF
    (`corpus_weights`), where a stem the corpus never saw weighs as its rarest."""

    def __init__(
        self, sets: Sequence[frozenset[str]], background: Mapping[str, float] | None = None
    ) -> None:
        if background is not None:
            self.w = dict(background)
            self.unseen = max(self.w.values(), default=1.0)
            return
        df: dict[str, int] = defaultdict(int)
        for s in sets:
            for t in s:
                df[t] += 1
        n = max(len(sets), 1)
        self.w = {t: 1.0 + math.log(n / c) for t, c in df.items()}
        self.unseen = 1.0

    def total(self, s: frozenset[str]) -> float:
        w, unseen = self.w, self.unseen
        return sum(w.get(t, unseen) for t in s)

    def distinct(self, s: frozenset[str]) -> float:
        """Weight of the stems rare enough to tell sentences apart: below DISTINCT_IDF's
        share of the corpus, and always a stem in at most two sentences (a small corpus)."""
        w, unseen = self.w, self.unseen
        floor = min(DISTINCT_IDF, unseen - math.log(2))
        return sum(x for x in (w.get(t, unseen) for t in s) if x >= floor)


def similarity(a: frozenset[str], b: frozenset[str], weights: _Weights | None = None) -> float:
    """Blend of weighted Dice and containment (module docstring), 0..1."""
    if not a or not b:
        return 0.0
    if weights is None:
        shared, wa, wb = float(len(a & b)), float(len(a)), float(len(b))
    else:
        shared, wa, wb = weights.total(a & b), weights.total(a), weights.total(b)
    if shared == 0:
        return 0.0
    return 0.75 * (2 * shared / (wa + wb)) + 0.25 * (shared / min(wa, wb))


def _cap(n: int) -> int:
    """Longest posting list probed: common stems would make candidate search quadratic."""
    return 40 + int(2 * math.sqrt(n))


class _Aligner:
    """State of one alignment run; see the module docstring for the steps."""

    def __init__(
        self,
        left: Sequence[str],
        right: Sequence[str],
        across: bool = False,
        background: Mapping[str, float] | None = None,
        tags: tuple[Sequence[frozenset[str]], Sequence[frozenset[str]]] | None = None,
    ) -> None:
        self.left, self.right = left, right
        self.across, self.background, self.tags = across, background, tags
        self.l_of: dict[int, int] = {}  # left index -> link id
        self.r_of: dict[int, int] = {}
        self.links: dict[int, Link] = {}
        self.stems: tuple[dict[int, frozenset[str]], dict[int, frozenset[str]]] = ({}, {})
        self.cands: list[tuple[float, int, int]] = []
        self.weights = _Weights(())
        self._next = 0

    # -- bookkeeping -------------------------------------------------------------------------
    def _add(self, link: Link) -> None:
        self._next += 1
        lid = self._next
        self.links[lid] = link
        for i in link.left:
            self.l_of[i] = lid
        for j in link.right:
            self.r_of[j] = lid

    def _drop(self, lid: int) -> None:
        link = self.links.pop(lid)
        for i in link.left:
            self.l_of.pop(i, None)
        for j in link.right:
            self.r_of.pop(j, None)

    # -- 1. exact ----------------------------------------------------------------------------
    def exact(self) -> None:
        """Variant-equal sentences: first in-order runs (`_in_order_pairs`, so a text
        repeating a passage pairs copy with copy), then what is left by order of occurrence
        (those become moves)."""
        left = [squash(t) for t in self.left]
        right = [squash(t) for t in self.right]
        for i, j in _in_order_pairs(left, right):
            self._add(Link("pair", (i,), (j,), 1.0, exact=True))
        by_key: dict[str, deque[int]] = defaultdict(deque)
        for j, key in enumerate(right):
            if j not in self.r_of:
                by_key[key].append(j)
        for i, key in enumerate(left):
            js = by_key.get(key)
            if js and i not in self.l_of:
                self._add(Link("pair", (i,), (js.popleft(),), 1.0, exact=True))

    def quiet(self) -> None:
        """Sentences that differ only in punctuation ("," for ";", a final ".") or in a
        footnote marker glued to a word ("Brussel1.") are the same sentence: paired by order
        of occurrence, with a note saying which, never as an edit of the words."""
        by_key: dict[str, deque[int]] = defaultdict(deque)
        for j, text in enumerate(self.right):
            if j not in self.r_of:
                by_key[quiet_key(text)].append(j)
        for i, text in enumerate(self.left):
            if i in self.l_of:
                continue
            js = by_key.get(quiet_key(text))
            if js:
                j = js.popleft()
                note = (
                    "punctuation only"
                    if _punct_key(text) == _punct_key(self.right[j])
                    else "footnote marker only"
                )
                self._add(Link("pair", (i,), (j,), 1.0, quiet=note))

    # -- 2. candidates -----------------------------------------------------------------------
    def features(self) -> None:
        ls, rs = self.stems
        tl, tr = self.tags or ((), ())
        for i, text in enumerate(self.left):
            if i not in self.l_of:
                ls[i] = content_stems(text) | (tl[i] if i < len(tl) else frozenset())
        for j, text in enumerate(self.right):
            if j not in self.r_of:
                rs[j] = content_stems(text) | (tr[j] if j < len(tr) else frozenset())
        self.weights = _Weights(list(ls.values()) + list(rs.values()), self.background)

    def candidates(self) -> None:
        ls, rs = self.stems
        index: dict[str, list[int]] = defaultdict(list)
        for j, s in rs.items():
            for t in s:
                index[t].append(j)
        cap, w, unseen = _cap(len(rs)), self.weights.w, self.weights.unseen
        floor = min(WEAK_THRESHOLD, ACROSS_POSSIBLE) if self.across else WEAK_THRESHOLD
        for i, s in ls.items():
            probes = sorted((t for t in s if t in index), key=lambda t: len(index[t]))
            acc: dict[int, float] = defaultdict(float)
            for n, t in enumerate(probes[:PROBES]):
                postings = index[t]
                if len(postings) > cap and n >= 2:
                    break
                for j in postings[: cap * 4]:
                    acc[j] += w.get(t, unseen)
            best = sorted(acc, key=acc.__getitem__, reverse=True)[:TOP_CANDIDATES]
            for j in best:
                score = similarity(s, rs[j], self.weights)
                if score >= floor:
                    self.cands.append((score, i, j))

    # -- 3. greedy ---------------------------------------------------------------------------
    def greedy(self) -> None:
        nl, nr = max(len(self.left), 1), max(len(self.right), 1)
        order = sorted(self.cands, key=lambda c: (-c[0], abs(c[1] / nl - c[2] / nr), c[1]))
        floor = ACROSS_MATCH if self.across else MATCH_THRESHOLD
        for score, i, j in order:
            if score < floor:
                break
            if i in self.l_of or j in self.r_of:
                continue
            if self.across and not self._distinctive(i, j):
                continue
            self._add(Link("pair", (i,), (j,), score))

    def _distinctive(self, i: int, j: int) -> bool:
        """Across rounds a pair must share distinctive content, not just the dossier's words."""
        shared = self.stems[0][i] & self.stems[1][j]
        return self.weights.distinct(shared) >= ACROSS_MIN_DISTINCT * self.weights.unseen

    def possibly_related(self) -> list[tuple[int, int, float]]:
        """Across rounds, unmatched sentences that are each other's best remaining candidate
        above ACROSS_POSSIBLE: shown as possibly related, never as one sentence."""
        best_l: dict[int, tuple[float, int]] = {}
        best_r: dict[int, tuple[float, int]] = {}
        for score, i, j in self.cands:
            if score < ACROSS_POSSIBLE or i in self.l_of or j in self.r_of:
                continue
            if score > best_l.get(i, (0.0, -1))[0]:
                best_l[i] = (score, j)
            if score > best_r.get(j, (0.0, -1))[0]:
                best_r[j] = (score, i)
        return [(i, j, s) for i, (s, j) in best_l.items() if best_r[j][1] == i]

    # -- 4. split / merge --------------------------------------------------------------------
    def split_merge(self) -> None:
        by_left: dict[int, list[int]] = defaultdict(list)
        by_right: dict[int, list[int]] = defaultdict(list)
        for _, i, j in self.cands:
            by_left[i].append(j)
            by_right[j].append(i)
        for i in sorted(by_left):
            self._try_group(i, by_left[i], flip=False)
        for j in sorted(by_right):
            self._try_group(j, by_right[j], flip=True)

    def _try_group(self, one: int, partners: list[int], flip: bool) -> None:
        """Try to pair sentence `one` with two adjacent sentences of the other side."""
        own_of, other_of = (self.r_of, self.l_of) if flip else (self.l_of, self.r_of)
        own_stems, other_stems = (self.stems[1], self.stems[0]) if flip else self.stems
        current = self.links.get(own_of.get(one, -1))
        if current is not None and (current.exact or current.kind != "pair"):
            return
        base = current.score if current else 0.0
        whole = own_stems[one]
        best: tuple[float, int, int] | None = None
        for p in partners:
            for q in (p - 1, p + 1):
                pair = (min(p, q), max(p, q))
                if not self._free_parts(pair, current, other_of, other_stems, flip):
                    continue
                parts = [other_stems[k] for k in pair]
                if any(self._inside(part, whole) < PART_CONTAINMENT for part in parts):
                    continue
                score = similarity(whole, parts[0] | parts[1], self.weights)
                better = best is None or score > best[0]
                if score >= MATCH_THRESHOLD and score > base + SPLIT_GAIN and better:
                    best = (score, *pair)
        if best is None:
            return
        if current is not None:
            self._drop(own_of[one])
        score, a, b = best
        if flip:
            self._add(Link("merged", (a, b), (one,), score))
        else:
            self._add(Link("split", (one,), (a, b), score))

    def _free_parts(self, pair, current, other_of, other_stems, flip: bool) -> bool:
        """Both parts exist and are free, or matched to the very link being replaced."""
        for k in pair:
            if k not in other_stems:
                return False
            lid = other_of.get(k)
            if lid is not None and (current is None or self.links[lid] is not current):
                return False
        return True

    def _inside(self, part: frozenset[str], whole: frozenset[str]) -> float:
        total = self.weights.total(part)
        return self.weights.total(part & whole) / total if total else 0.0

    # -- 5. gaps ---------------------------------------------------------------------------
    def gaps(self) -> None:
        """Pair weaker candidates (>= GAP_THRESHOLD) that sit between the same two in-order
        anchors on both sides: position confirms what the words only suggest."""
        matched = sorted(
            (lk for lk in self.links.values() if lk.left and lk.right), key=lambda lk: min(lk.left)
        )
        keep = _lis([min(lk.right) for lk in matched])
        al = [min(matched[p].left) for p in keep]
        ar = [min(matched[p].right) for p in keep]
        for score, i, j in sorted(self.cands, reverse=True):
            if score < GAP_THRESHOLD:
                break
            if i in self.l_of or j in self.r_of:
                continue
            k = bisect_left(al, i)
            if k != bisect_left(ar, j):
                continue
            gap_l = _gap(al, k, len(self.left))
            gap_r = _gap(ar, k, len(self.right))
            shared = len(self.stems[0][i] & self.stems[1][j])
            if max(gap_l, gap_r) <= GAP_MAX or shared >= GAP_MIN_SHARED:
                self._add(Link("pair", (i,), (j,), score))

    # -- 6. moves ----------------------------------------------------------------------------
    def moves(self) -> None:
        matched = sorted(
            (lid for lid, lk in self.links.items() if lk.left and lk.right),
            key=lambda lid: min(self.links[lid].left),
        )
        keep = set(_lis([min(self.links[lid].right) for lid in matched]))
        for pos, lid in enumerate(matched):
            if pos not in keep:
                lk = self.links[lid]
                self.links[lid] = Link(lk.kind, lk.left, lk.right, lk.score, lk.exact, True)

    # -- 7. leftovers and order --------------------------------------------------------------
    def result(self) -> list[Link]:
        if self.across:
            for i, j, score in self.possibly_related():
                self._add(Link("removed", (i,), (), score, related=(j,)))
                self._add(Link("added", (), (j,), score, related=(i,)))
        for i in range(len(self.left)):
            if i not in self.l_of:
                self._add(Link("removed", (i,), (), 0.0))
        for j in range(len(self.right)):
            if j not in self.r_of:
                self._add(Link("added", (), (j,), 0.0))
        return _reading_order(list(self.links.values()), len(self.left))


_FOOTNOTE_MARK = regex.compile(r"(?<=[\p{L}.,;:)’'\"”])\d{1,2}(?=[\s.,;:)]|$)")
_NOT_WORD = regex.compile(r"[^\p{L}\p{N}]+")


def _punct_key(text: str) -> str:
    return _NOT_WORD.sub("", squash(text), timeout=5.0 + len(text) / 100_000)


def quiet_key(text: str) -> str:
    """`squash` without punctuation and without footnote markers glued to a word or mark."""
    bare = _FOOTNOTE_MARK.sub("", text, timeout=5.0 + len(text) / 100_000)
    return _punct_key(bare) or squash(text)


def _in_order_pairs(left: Sequence[str], right: Sequence[str]) -> list[tuple[int, int]]:
    """Equal keys paired in order, with bounded work on repetitive input.

    The common head and tail are paired first: one edit among identical sentences then
    stays at its place (difflib's longest-block-first would pair the edited sentence with
    the last copy and report it moved). What is between goes to difflib's matching blocks
    when that is cheap: its cost grows with the sum over keys of (copies in A) x (copies in
    B), quadratic for 100,000 identical lines. Otherwise the span is cut at keys that occur
    once on each side (patience diff: their longest increasing subsequence) and each piece
    is handled the same way; a piece with no such key is left to the caller's pairing by
    order of occurrence, and so is everything once the pieces examined add up to
    `_SPLIT_WORK` times the input (adversarial nesting cannot make this quadratic).
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
        count_b: dict[str, int] = defaultdict(int)
        for key in right[b0:b1]:
            count_b[key] += 1
        count_a: dict[str, int] = defaultdict(int)
        for key in left[a0:a1]:
            count_a[key] += 1
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
        where_b = {key: b0 + j for j, key in enumerate(right[b0:b1]) if count_b[key] == 1}
        unique = [
            (a0 + i, where_b[key])
            for i, key in enumerate(left[a0:a1])
            if count_a[key] == 1 and key in where_b
        ]
        anchors = [unique[p] for p in _lis([j for _, j in unique])]
        if not anchors:
            continue
        pairs.extend(anchors)
        bounds = [(a0 - 1, b0 - 1), *anchors, (a1, b1)]
        for (i0, j0), (i1, j1) in zip(bounds, bounds[1:], strict=False):
            stack.append((i0 + 1, i1, j0 + 1, j1))
    return sorted(pairs)


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


# Above this estimated cost (pairs of equal keys compared), difflib is not asked.
_DIFFLIB_BUDGET = 200_000
_SPLIT_WORK = 16  # pieces examined, in multiples of the input's length
_MYERS_STEPS = 1_000_000  # at most this many steps per piece for Myers' diff


def _gap(anchors: Sequence[int], k: int, n: int) -> int:
    """Number of sentences strictly between anchors k-1 and k (or the text's ends)."""
    lo = anchors[k - 1] if k else -1
    hi = anchors[k] if k < len(anchors) else n
    return hi - lo - 1


def _lis(seq: Sequence[int]) -> list[int]:
    """Positions of one longest strictly increasing subsequence of `seq` (patience sorting)."""
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


def _reading_order(links: list[Link], n_left: int) -> list[Link]:
    """B's reading order; removed sentences right after their preceding unmoved A neighbour."""
    anchor: list[int | None] = [None] * n_left  # left index -> B position of its unit
    for lk in links:
        if lk.right and not lk.moved:
            for i in lk.left:
                anchor[i] = min(lk.right)
    last: int | None = None
    after: list[int | None] = []
    for i in range(n_left):
        after.append(last)
        if anchor[i] is not None:
            last = anchor[i]

    def key(lk: Link) -> tuple[float, int, int]:
        if lk.right:
            return (min(lk.right), 0, 0)
        i = lk.left[0]
        pos = after[i]
        return (-1 if pos is None else pos, 1, i)

    return sorted(links, key=key)


def across_scores(
    left: Sequence[str],
    right: Sequence[str],
    background: Mapping[str, float],
    tags: tuple[Sequence[frozenset[str]], Sequence[frozenset[str]]] | None = None,
) -> list[list[float]]:
    """Every FROM x TO similarity as `align(..., across=True)` scores its candidates (content
    stems and tags, corpus weights), row per FROM sentence. Whatever the acceptance rule, a
    pair can only be made where this ranks the counterpart first among the free sentences,
    so how often it ranks a hand-aligned counterpart first bounds the recall of any rule
    built on it (tests/crossround.py reports it)."""
    tl, tr = tags or ((), ())
    ls = [content_stems(t) | (tl[i] if i < len(tl) else frozenset()) for i, t in enumerate(left)]
    rs = [content_stems(t) | (tr[j] if j < len(tr) else frozenset()) for j, t in enumerate(right)]
    weights = _Weights((), background)
    return [[similarity(a, b, weights) for b in rs] for a in ls]


def align(
    left: Sequence[str],
    right: Sequence[str],
    *,
    across: bool = False,
    background: Mapping[str, float] | None = None,
    tags: tuple[Sequence[frozenset[str]], Sequence[frozenset[str]]] | None = None,
) -> list[Link]:
    """Align sentence texts of FROM (`left`) with TO (`right`); units in B's reading order.

    `across`: the two sides come from different documents (rounds of a dossier), so order
    proves nothing: pairs need ACROSS_MATCH and distinctive shared content, nothing is moved,
    weaker mutual candidates are one-sided links with `related` set. `background`: stem
    weights of the whole corpus (`corpus_weights`). `tags`: extra terms per sentence, e.g. the
    sub-issue a claim is about (a shared one counts as a word the corpus never saw).
    """
    a = _Aligner(left, right, across, background, tags)
    a.exact()
    a.quiet()
    a.features()
    a.candidates()
    a.greedy()
    a.split_merge()
    if not across:
        a.gaps()
        a.moves()
    return a.result()
