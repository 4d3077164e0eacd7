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
     join); only the rest is stemmed at all (a revision of 8,000 sentences: its pairs are
     in order, so each longest-increasing-subsequence step below is one linear check);
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
views say "possibly related", never moved or rewritten. Across rounds each sentence also
carries the dossier's concepts it names (paraphrase.py: "nieuw" = "onbekend" materiaal).
Calibrated on tests/annotations/cross-round-pairs.json (tests/crossround.py prints the
figures per band): 11 of 43 hand pairs found, 11 of 11 right (Oct 2023 -> Oct 2024 8/24 at
8/8, Oct 2024 -> Mar 2026 3/19 at 3/3; before the concepts and ACROSS_MATCH 0.32: 11/43 at
11/13, the second transition 3/5); pairs at 0.30-0.45 right 8 of 8, at 0.45-0.70 3 of 3;
"possibly related" links 1 of 13. What limits recall there is the score, not the
acceptance: `across_scores` ranks the true counterpart first for 15 of 43 hand pairs
(first in either direction for 20), mutually first for 10, and all 10 are paired.

Reading the 32 misses: 10 share no content word at all (anaphora: "Dit is conform de
Nederlandse inzet", "Zij zijn daarmee niet geschikt"; paraphrase: "gooien de deur niet
dicht" / "niet kunnen steunen"); most others lose to a sentence sharing more dossier words
or a stock phrase ("waarvan is vastgesteld dat ... betreft", "in het geding zijnde
grondrechten"); three lose their counterpart to another pair, because the later round says
the thing in two documents (one FROM, two TO restatements). Measured (hand set, recall /
precision, ACROSS_MATCH re-swept 0.28-0.40 for each) and not adopted, each chosen on the
first transition and checked on the second: splitting compounds into words the corpus knows
(detectiebevel = detectie + bevel; the parts weighted as often as the compounds holding
them): counterpart first 14 -> 19 of 43, but the pairs made are mostly wrong (11/43 at
11/28; 9/43 at 9/12 at 0.36); a sentence opening on a back-reference ("Dit", "Deze", "Zij")
borrowing its predecessor's stems: 9/43 at 9/11; dropping light words ("sprake", "aanzien",
"kader", "betreft"): 10/43 at 10/13; sharper IDF (weights to the power 1.5 or 2): 7/43 at
7/8, 4/43 at 4/6; a free sentence joining its best candidate's unit (a second restatement,
merged/split across documents): at a 0.28 floor +1 right on the second transition, 2 wrong
on the first (12/43 at 12/15), at 0.32 nothing; concepts replacing their words instead of
standing beside them: 9/43 at 9/12. Of the concepts only nieuw/onbekend changes a pair of
this set; the other groups are general and change none of its figures. BM25 was not run: a
sentence has each stem once, so BM25 is this IDF with a length term, which Dice has.

Pairing by what a sentence claims was measured and not adopted (tests/crossround.py,
`experiment_report`): per sub-issue, the FROM and TO sentences left unpaired that are each
other's best by this score among that sub-issue's sentences only, sharing a distinctive stem
or alone on their sides, any two stances (a flip is the pair to show). With the sub-issues of
the cabinet's claims (corpus.claims) only 8 of the 43 hand pairs have both sentences
claiming the same sub-issue at all (24 have no claim on either side: what the rounds restate
are facts, "onvoldoende betrouwbaar", "vals-positieven", not positions); within it the
counterpart is mutually first for 4, which this score already pairs, so the rule adds no
right pair and 3 wrong (11/43 at 11/16). With every sub-issue a sentence names (the claims'
object phrases, claim or not) 22 pairs share one and 8 are mutually first within it: 12/43 at
12/23. By transition, 8/24 and 3/19 before; 8/24, 3/19 (claims) and 9/24, 3/19 (objects)
after. The claims' predicate words add nothing either: of the 8, the 4 not already paired
have unrelated predicates ("geen voorstander" / "niet kunnen instemmen", "onthouding" /
"niet kunnen steunen") or a partner already rightly paired.

A second round of score changes, none adopted (scripts/crossround_experiments.py re-runs
them; counterpart ranked first / mutually first of 43, today 15 / 10): adding a fraction of
the neighbouring cells' score (context; the diagonal neighbours 0.2 -> 16 / 10, 0.4 -> 14 /
8; all six neighbours 0.2 -> 16 / 9); bigrams of content stems beside the stems, weighted by
their IDF over the compared sentences (x0.25-1.0, adjacent or skipping one word: 13-15 /
8-9); the object sub-issue both sentences name as a bonus, or a malus when both name
different ones (0.05-0.1: 14-15 / 9-10); eight more general concept groups (derogatie/
afwijking, afwijzen/onthouding, proportioneel/evenredig, betrouwbaar/nauwkeurig, encryptie/
versleuteling, technologie/techniek, waarborg/garantie, scannen/doorzoeken): each alone
changes recall by 0 or -2, all together 9/43 at 9/11; a blend with the multilingual USE v3
cosine: 0.3 -> 16 / 8, 0.5 -> 13 / 7, the cosine alone 9 / 4 (as mutual-best pairs at 0.6
one more right pair, 12/43 at 12/12, first transition only). Accepting many-to-one (each
FROM sentence's best TO sentence above a floor and a margin over its runner-up, taken or
not) adds at most 2 right pairs at precision 0.22-0.69 (13/43 at 13/29: floor 0.3, no
margin). Correcting hubness (CSLS: less the mean of the row's and column's top-k scores,
k 3-20) makes up to 11 mutually first, but only 13-15 first. A rule pairing only what this
score ranks first stays below 20/43 (first in either direction), so recall 0.6 needs a
different signal, not tuning.

Pairing by position as its own pair kind ("same position", restated or flipped) was measured
and not built (scripts/crossround_experiments.py, `same_position`, `best_in_position`,
`sub_issue_ceiling`; recall / precision per transition, Oct 2023 -> Oct 2024 then Oct 2024
-> Mar 2026, today 8/24 at 8/8 and 3/19 at 3/3, each pair judged alone). The sentences of
one (topic, sub-issue) position in two adjacent rounds are not the same claim: every claim
paired with every claim adds 3 + 1 right pairs at 12/129 and 4/89; the table's cited
evidence and dissent, 10/23 and 3/19; its first evidence only, 9/10 and 3/4; the best
scoring claim pair per position, 8/9 and 3/4 (a 0.2-0.3 floor, the only thing to tune,
chosen on either transition, removes the wrong ones and adds nothing). The bound: 8 of the
43 hand pairs have both sides claiming a shared sub-issue, 22 name one (any phrase of a
sub-issue); with today's pairs 15 and 23 of 43, on the second transition 4 and 7 of 19, so
even a perfect pairing inside sub-issues stays below recall 0.6 (23/43 = 0.53) with these
sub-issue rules.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from diffview.diff.order import anchor_gap, in_order_pairs, longest_increasing
from diffview.diff.paraphrase import concept_weights, with_concepts
from diffview.diff.similarity import (
    Weights,
    content_stems,
    punct_key,
    quiet_key,
    similarity,
)
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
ACROSS_MATCH = 0.32  # at or above, with distinctive shared content: the same claim
ACROSS_POSSIBLE = 0.24  # a mutual best candidate at or above: shown as possibly related
# distinctive shared weight needed, in units of a stem seen once in the corpus (ln N): about
# one rare stem, or a shared sub-issue
ACROSS_MIN_DISTINCT = 0.7


# `similarity.quiet_key` on ASCII text without digits: there `_NOT_WORD` is this.
_ASCII_DIGIT = re.compile("[0-9]")
_ASCII_NOT_WORD = re.compile("[^A-Za-z0-9]+")


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


def _across_stems(text: str) -> frozenset[str]:
    """Content stems and, across rounds, the dossier's concepts they name (paraphrase.py)."""
    return with_concepts(content_stems(text))


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
        self.weights = Weights(())
        self.squashed: dict[str, str] = {}  # text -> worddiff.squash(text)
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
        """Variant-equal sentences: first in-order runs (`in_order_pairs`, so a text
        repeating a passage pairs copy with copy), then what is left by order of occurrence
        (those become moves)."""
        keys = self.squashed  # a revision repeats most sentences word for word
        left = [keys.get(t) or keys.setdefault(t, squash(t)) for t in self.left]
        right = [keys.get(t) or keys.setdefault(t, squash(t)) for t in self.right]
        for i, j in in_order_pairs(left, right):
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
                by_key[self._quiet_key(text)].append(j)
        for i, text in enumerate(self.left):
            if i in self.l_of:
                continue
            js = by_key.get(self._quiet_key(text))
            if js:
                j = js.popleft()
                note = (
                    "punctuation only"
                    if punct_key(text) == punct_key(self.right[j])
                    else "footnote marker only"
                )
                self._add(Link("pair", (i,), (j,), 1.0, quiet=note))

    def _quiet_key(self, text: str) -> str:
        """`quiet_key(text)`; an ASCII sentence without a digit has no footnote marker, so
        its key is its squashed form (known from `exact`) without punctuation."""
        squashed = self.squashed.get(text)
        if squashed is None or not text.isascii() or _ASCII_DIGIT.search(text):
            return quiet_key(text)
        return _ASCII_NOT_WORD.sub("", squashed) or squashed

    # -- 2. candidates -----------------------------------------------------------------------
    def in_place(self) -> None:
        """Revisions only: a lone changed sentence between the same two in-order pairs on
        both sides is paired there when it matches (diffview/diff/anchor.py says why)."""
        from diffview.diff.anchor import in_order, lone_gaps

        exact = [(lk.left[0], lk.right[0]) for lk in self.links.values()]
        anchors = in_order(exact, longest_increasing)
        gaps = lone_gaps(anchors, len(self.left), len(self.right), self.l_of, self.r_of)
        ls, rs = self.stems
        for i, j in list(gaps):
            score = similarity(ls[i], rs[j], self.weights)
            if score >= MATCH_THRESHOLD:
                self._add(Link("pair", (i,), (j,), score))
        for i in [i for i in ls if i in self.l_of]:
            del ls[i]  # paired: no candidate search, no split or merge
        for j in [j for j in rs if j in self.r_of]:
            del rs[j]

    def features(self) -> None:
        ls, rs = self.stems
        tl, tr = self.tags or ((), ())
        concepts = self.across and self.background is not None
        stems = _across_stems if concepts else content_stems
        for i, text in enumerate(self.left):
            if i not in self.l_of:
                ls[i] = stems(text) | (tl[i] if i < len(tl) else frozenset())
        for j, text in enumerate(self.right):
            if j not in self.r_of:
                rs[j] = stems(text) | (tr[j] if j < len(tr) else frozenset())
        background = self.background
        if concepts and background is not None:
            background = concept_weights(background)
        self.weights = Weights(list(ls.values()) + list(rs.values()), background)

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

    def _free_parts(
        self,
        pair: tuple[int, int],
        current: Link | None,
        other_of: dict[int, int],
        other_stems: dict[int, frozenset[str]],
        flip: bool,
    ) -> bool:
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
        keep = longest_increasing([min(lk.right) for lk in matched])
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
            gap_l = anchor_gap(al, k, len(self.left))
            gap_r = anchor_gap(ar, k, len(self.right))
            shared = len(self.stems[0][i] & self.stems[1][j])
            if max(gap_l, gap_r) <= GAP_MAX or shared >= GAP_MIN_SHARED:
                self._add(Link("pair", (i,), (j,), score))

    # -- 6. moves ----------------------------------------------------------------------------
    def moves(self) -> None:
        matched = sorted(
            (lid for lid, lk in self.links.items() if lk.left and lk.right),
            key=lambda lid: min(self.links[lid].left),
        )
        keep = set(longest_increasing([min(self.links[lid].right) for lid in matched]))
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
    ls = [_across_stems(t) | (tl[i] if i < len(tl) else frozenset()) for i, t in enumerate(left)]
    rs = [_across_stems(t) | (tr[j] if j < len(tr) else frozenset()) for j, t in enumerate(right)]
    weights = Weights((), concept_weights(background))
    return [[similarity(a, b, weights) for b in rs] for a in ls]


def align(
    left: Sequence[str],
    right: Sequence[str],
    *,
    across: bool = False,
    background: Mapping[str, float] | None = None,
    tags: tuple[Sequence[frozenset[str]], Sequence[frozenset[str]]] | None = None,
    revision: bool = False,
) -> list[Link]:
    """Align sentence texts of FROM (`left`) with TO (`right`); units in B's reading order.

    `revision`: two versions of one text, where a sentence edited in place is paired in
    place (diffview/diff/anchor.py) before the candidate search.

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
    if revision and not across:
        a.in_place()
    a.candidates()
    a.greedy()
    a.split_merge()
    if not across:
        a.gaps()
        a.moves()
    return a.result()
