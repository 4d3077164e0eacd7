"""How alike two sentences are: content stems (Dutch Snowball stems without stopwords),
weighted by how rare they are in the corpus (IDF), compared by weighted Dice and
containment; and the quiet key (punctuation and glued footnote markers left out) under
which two sentences differ only quietly.

Why stems and IDF, not a model: every score can be explained by the words two sentences
share, and a dossier's everyday words (detectie, materiaal, kindermisbruik) weigh little.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import regex

from diffview.diff.worddiff import regex_timeout_for, squash
from diffview.text.stems import StemCounts, content_terms

DISTINCT_IDF = (
    3.5  # a stem in fewer than 1 in e^3.5 (3%) of the corpus's sentences tells them apart
)


def content_stems(text: str) -> frozenset[str]:
    """The stem set used for similarity; all stems if the sentence is only stopwords, its
    squashed text if it has no word at all."""
    return content_terms(text) or frozenset({squash(text)})


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


def weights_from_counts(records: Iterable[StemCounts]) -> dict[str, float]:
    """`corpus_weights` of several documents' sentences from their stem counts
    (`text.stems.stem_counts`): document frequencies and sentence counts add up, so the
    weights are the same as over the sentences themselves."""
    df: dict[str, int] = defaultdict(int)
    n = 0
    for record in records:
        n += record.sentences
        for t, c in record.counts.items():
            df[t] += c
        for text in record.wordless:
            df[squash(text)] += 1
    return {t: math.log(max(n, 1) / c) for t, c in df.items()}


class Weights:
    """Stem weights: `1 + ln(N/df)` over the sentences being aligned, or a corpus's IDF
    (`corpus_weights`), where a stem the corpus never saw weighs as its rarest."""

    def __init__(
        self, sets: Sequence[frozenset[str]], background: Mapping[str, float] | None = None
    ) -> None:
        self._totals: dict[int, tuple[frozenset[str], float]] = {}  # by identity: same sum
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

    def side_total(self, s: frozenset[str]) -> float:
        """`total` of a sentence's own stem set, summed once per set object (candidate
        scoring asks for each sentence's total once per candidate)."""
        hit = self._totals.get(id(s))
        if hit is not None and hit[0] is s:
            return hit[1]
        value = self.total(s)
        self._totals[id(s)] = (s, value)
        return value

    def distinct(self, s: frozenset[str]) -> float:
        """Weight of the stems rare enough to tell sentences apart: below DISTINCT_IDF's
        share of the corpus, and always a stem in at most two sentences (a small corpus)."""
        w, unseen = self.w, self.unseen
        floor = min(DISTINCT_IDF, unseen - math.log(2))
        return sum(x for x in (w.get(t, unseen) for t in s) if x >= floor)


def similarity(a: frozenset[str], b: frozenset[str], weights: Weights | None = None) -> float:
    """Blend of weighted Dice and containment (module docstring), 0..1."""
    if not a or not b:
        return 0.0
    if weights is None:
        shared, wa, wb = float(len(a & b)), float(len(a)), float(len(b))
    else:
        shared, wa, wb = weights.total(a & b), weights.side_total(a), weights.side_total(b)
    if shared == 0:
        return 0.0
    return 0.75 * (2 * shared / (wa + wb)) + 0.25 * (shared / min(wa, wb))


_FOOTNOTE_MARK = regex.compile(r"(?<=[\p{L}.,;:)’'\"”])\d{1,2}(?=[\s.,;:)]|$)")
_NOT_WORD = regex.compile(r"[^\p{L}\p{N}]+")


def punct_key(text: str) -> str:
    return _NOT_WORD.sub("", squash(text), timeout=regex_timeout_for(text))


def quiet_key(text: str) -> str:
    """`squash` without punctuation and without footnote markers glued to a word or mark."""
    bare = _FOOTNOTE_MARK.sub("", text, timeout=regex_timeout_for(text))
    return punct_key(bare) or squash(text)
