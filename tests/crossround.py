"""Score cross-round pairing against the hand set (tests/annotations/cross-round-pairs.json).

Used by tests/test_crossround.py and runnable by hand for the figures:

    .venv/bin/python tests/crossround.py

Every topic comparison between consecutive rounds of the bundled store is made with
`positions.compare_with_evidence` (what the views show); a unit with sentences on both sides
that is not "possibly related" pairs each of its FROM sentences with each of its TO sentences
(a sentence repeated in its round answers to every place it stands, `Sentence.also`).

- recall: share of the hand pairs that some comparison pairs (the `to` or an `also_to`);
- precision, over the pairs the tool makes that touch an annotated sentence: right when it is
  a hand pair, wrong when it is a negative or pairs an annotated sentence with another
  partner; pairs of unannotated sentences are not judged (the set is partial by design);
- the same per score band, so a score says how often a pair at that level is right;
- the ranking (`ranking`): where the across-rounds similarity puts each hand pair's true
  counterpart among all sentences of the other side. The aligner can only pair what its score
  ranks first, so the share ranked first bounds the recall of any acceptance rule on it;
- pairing by what a sentence claims (`within_issue_pairs`, `within_issue_ranking`): the
  issue-10 experiment of ranking only among the sentences on one sub-issue (figures in the
  align.py docstring).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from diffview.corpus.claims import issues_in  # noqa: E402
from diffview.corpus.topics import load_rules  # noqa: E402
from diffview.diff.align import ACROSS_MATCH  # noqa: E402
from diffview.diff.compare import _background, pair_scores, topic_sides  # noqa: E402
from diffview.diff.similarity import DISTINCT_IDF, Weights, content_stems  # noqa: E402
from diffview.model import AlignedUnit, Sentence, Version  # noqa: E402
from diffview.positions.table import compare_with_evidence, evidence_hooks, round_claims  # noqa: E402
from diffview.store.read import Store  # noqa: E402

SET = Path(__file__).parent / "annotations" / "cross-round-pairs.json"
TOPICS = ("detection-order", "encryption", "derogation", "csam-other")
TRANSITIONS = (("2023-10", "2024-10"), ("2024-10", "2026-03"))
BANDS = ((0.0, 0.3), (0.3, 0.45), (0.45, 0.7), (0.7, 1.01))


@dataclass(frozen=True)
class ToolPair:
    """One confident unit with sentences on both sides: every (FROM, TO) cite it links."""

    keys: frozenset[tuple[str, str]]
    score: float
    topic: str

    @property
    def label(self) -> str:
        return min(f"{a} -> {b}" for a, b in self.keys)


@dataclass
class Figures:
    found: int = 0
    total: int = 0
    right: int = 0
    wrong: int = 0
    bands: dict[tuple[float, float], list[int]] = field(default_factory=dict)
    related: list[int] = field(default_factory=lambda: [0, 0])  # "possibly related": right, wrong
    missed: list[tuple[str, str]] = field(default_factory=list)
    wrong_pairs: list[ToolPair] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.total if self.total else 0.0

    @property
    def precision(self) -> float:
        judged = self.right + self.wrong
        return self.right / judged if judged else 1.0


def cite_key(cite: str) -> str:
    """A cite as `Sentence.cite` writes it: a one-line sentence is `002:117`, not
    `002:117-117` (two hand pairs are written so and could never be found)."""
    doc, _, lines = cite.partition(":")
    first, _, last = lines.partition("-")
    return f"{doc}:{first}" if last in ("", first) else cite


def load_set() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SET.read_text(encoding="utf-8"))
    for p in (*data["pairs"], *data["negatives"]):
        p["from"], p["to"] = cite_key(p["from"]), cite_key(p["to"])
        if "also_to" in p:
            p["also_to"] = [cite_key(t) for t in p["also_to"]]
    return data


def _cites(sentences: Iterable[Sentence]) -> list[list[str]]:
    return [[s.cite, *s.also] for s in sentences]


def confident(unit: AlignedUnit) -> bool:
    """A unit the views show as the same sentence (not merely "possibly related")."""
    return bool(unit.left and unit.right) and not getattr(unit, "tentative", False)


def tool_pairs(store: Store, related: bool = False) -> list[ToolPair]:
    """The confident pairs, or (`related`) the one-sided rows' "possibly related" links."""
    out: list[ToolPair] = []
    for topic in TOPICS:
        for a, b in TRANSITIONS:
            c = compare_with_evidence(store, topic, a, b)
            for unit in c.units:
                if related:
                    if unit.left and unit.related:
                        keys = frozenset(
                            (x, r) for lc in _cites(unit.left) for x in lc for r in unit.related
                        )
                        out.append(ToolPair(keys, unit.score, topic))
                    continue
                if not confident(unit):
                    continue
                keys = frozenset(
                    (x, y)
                    for lc in _cites(unit.left)
                    for rc in _cites(unit.right)
                    for x in lc
                    for y in rc
                )
                out.append(ToolPair(keys, unit.score, topic))
    return out


def score(store: Store, extra: Sequence[ToolPair] = ()) -> Figures:
    """The figures of the tool's pairs, and of `extra` pairs made besides them."""
    data = load_set()
    good = {(p["from"], t) for p in data["pairs"] for t in (p["to"], *p.get("also_to", ()))}
    bad = {(n["from"], n["to"]) for n in data["negatives"]}
    froms = {p["from"] for p in data["pairs"]}
    tos = {p["to"] for p in data["pairs"]}
    pairs = [*tool_pairs(store), *extra]
    made = {k for p in pairs for k in p.keys}
    fig = Figures(total=len(data["pairs"]), bands={b: [0, 0] for b in BANDS})
    for p in data["pairs"]:
        if any((p["from"], t) in made for t in (p["to"], *p.get("also_to", ()))):
            fig.found += 1
        else:
            fig.missed.append((p["from"], p["to"]))
    seen: set[frozenset[tuple[str, str]]] = set()
    for tp in sorted(pairs, key=lambda p: -p.score):
        if tp.keys in seen:  # the same unit in two topics' comparisons
            continue
        seen.add(tp.keys)
        if tp.keys & good:
            verdict = True
        elif tp.keys & bad or any(a in froms or b in tos for a, b in tp.keys):
            verdict = False
        else:
            continue
        band = next(b for b in BANDS if b[0] <= tp.score < b[1])
        fig.bands[band][0 if verdict else 1] += 1
        if verdict:
            fig.right += 1
        else:
            fig.wrong += 1
            fig.wrong_pairs.append(tp)
    for tp in tool_pairs(store, related=True):
        if tp.keys & good:
            fig.related[0] += 1
        elif tp.keys & bad or any(a in froms or b in tos for a, b in tp.keys):
            fig.related[1] += 1
    return fig


@dataclass
class Ranking:
    """Where the similarity ranks each hand pair's counterpart (best over the comparisons
    holding both sentences; a counterpart is the `to` or an `also_to`)."""

    total: int = 0  # hand pairs whose two sentences stand in one comparison
    first: int = 0  # the counterpart scores highest of the FROM sentence's row (and above 0)
    top3: int = 0
    mutual: int = 0  # ... and the FROM sentence highest of the counterpart's column
    strong: list[tuple[str, str]] = field(default_factory=list)  # mutual, >= ACROSS_MATCH


def _rank(row: list[float], at: int) -> int:
    return 1 + sum(1 for x in row if x > row[at]) if row[at] > 0 else len(row) + 1


def _where(sentences: Sequence[Sentence]) -> dict[str, int]:
    return {c: k for k, s in enumerate(sentences) for c in (s.cite, *s.also)}


def ranking(store: Store) -> Ranking:
    data = load_set()
    best: dict[int, tuple[int, int, float]] = {}  # pair -> (row rank, column rank, score)
    for topic in TOPICS:
        hooks = evidence_hooks(store, topic)
        also, tags = hooks if hooks else (None, None)
        for a, b in TRANSITIONS:
            left, right, scores = pair_scores(store, topic, a, b, also=also, tags=tags)
            li, ri = _where(left), _where(right)
            for n, p in enumerate(data["pairs"]):
                targets = [ri[t] for t in (p["to"], *p.get("also_to", ())) if t in ri]
                if p["from"] not in li or not targets:
                    continue
                i = li[p["from"]]
                j = max(targets, key=scores[i].__getitem__)
                column = [scores[k][j] for k in range(len(left))]
                found = (_rank(scores[i], j), _rank(column, i), scores[i][j])
                best[n] = min(best.get(n, found), found)
    rk = Ranking(total=len(best))
    for n, (at_row, at_column, value) in best.items():
        rk.first += at_row == 1
        rk.top3 += at_row <= 3
        rk.mutual += at_row == at_column == 1
        if at_row == at_column == 1 and value >= ACROSS_MATCH:
            rk.strong.append((data["pairs"][n]["from"], data["pairs"][n]["to"]))
    return rk


def ranking_report(rk: Ranking) -> str:
    return (
        f"ranking: the counterpart scores highest for its FROM sentence in {rk.first}/{rk.total}"
        f", in the top 3 in {rk.top3}/{rk.total}, mutually highest in {rk.mutual}/{rk.total}"
        f" ({len(rk.strong)} of them at or above ACROSS_MATCH)"
    )


def _share(right: int, wrong: int) -> str:
    return f" ({right / (right + wrong):.0%} right)" if right + wrong else ""


def report(fig: Figures) -> str:
    lines = [
        f"recall {fig.recall:.2f} ({fig.found}/{fig.total}), "
        f"precision {fig.precision:.2f} ({fig.right}/{fig.right + fig.wrong})"
    ]
    for (lo, hi), (r, w) in fig.bands.items():
        lines.append(f"  score {lo:.2f}-{min(hi, 1.0):.2f}: {r} right, {w} wrong{_share(r, w)}")
    r, w = fig.related
    lines.append(f"  possibly related (one-sided rows): {r} right, {w} wrong{_share(r, w)}")
    lines += [f"  missed {a} -> {b}" for a, b in fig.missed]
    lines += [f"  wrong {p.label} ({p.score:.2f}, {p.topic})" for p in fig.wrong_pairs]
    return "\n".join(lines)


def by_transition(fig: Figures) -> str:
    """Recall per round transition (a hand pair's transition is its FROM round)."""
    data, missed = load_set(), set(fig.missed)
    parts = []
    for (a, b), docs in zip(TRANSITIONS, (("000", "002"), ("003", "001")), strict=True):
        pairs = [p for p in data["pairs"] if p["from"][:3] in docs]
        found = sum((p["from"], p["to"]) not in missed for p in pairs)
        parts.append(f"{a} -> {b}: {found}/{len(pairs)}")
    return ", ".join(parts)


# -- pairing by what a sentence claims (the issue-10 experiment; align.py docstring) --------

Tagger = Callable[[Version, Sentence], frozenset[str]]


def claim_tagger(store: Store) -> Tagger:
    """The sub-issues a sentence states a cabinet claim on (`corpus.claims`: holder the
    cabinet, position words, an object), in its round."""
    by_cite: dict[tuple[str, str], set[str]] = {}
    for version in store.versions():
        for c in round_claims(store, version, load_rules()):
            by_cite.setdefault((version.round, c.sentence.cite), set()).add(f"{c.topic}/{c.issue}")
    return lambda v, s: frozenset(
        t for cite in (s.cite, *s.also) for t in by_cite.get((v.round, cite), ())
    )


def object_tagger() -> Tagger:
    """The sub-issues a sentence names by a sub-issue phrase, claim or not: the claims'
    object words without the holder and position words."""
    issues = [i for t in load_rules().topics for i in t.issues]
    return lambda v, s: frozenset(f"{i.topic}/{i.id}" for i, _ in issues_in(s.text, issues))


def _mutual_best(
    rows: Sequence[int], cols: Sequence[int], scores: list[list[float]]
) -> list[tuple[int, int]]:
    """(i, j) of `rows` x `cols` that are each other's best by `scores`, above 0."""
    out = []
    for i in rows:
        j = max(cols, key=scores[i].__getitem__)
        column = {k: scores[k][j] for k in rows}
        if scores[i][j] > 0 and max(column, key=column.__getitem__) == i:
            out.append((i, j))
    return out


def within_issue_pairs(store: Store, tagger: Tagger) -> list[ToolPair]:
    """The experiment's rule, on what the aligner leaves unpaired: per sub-issue tagged on
    both sides, a FROM and a TO sentence that are each other's best by the across-rounds
    score among that sub-issue's sentences only, and share a distinctive stem or are the
    sub-issue's only sentences on their sides. Any two stances are compatible: a flipped
    stance is the pair a reader most needs to see."""
    out: list[ToolPair] = []
    for topic in TOPICS:
        hooks = evidence_hooks(store, topic)
        also = hooks[0] if hooks else None
        for a, b in TRANSITIONS:
            units = compare_with_evidence(store, topic, a, b).units
            used = {s.cite for u in units if confident(u) for s in (*u.left, *u.right)}
            old, new, left, right = topic_sides(store, topic, a, b, also=also)
            scores = pair_scores(store, topic, a, b, also=also)[2]
            weights = Weights((), _background(store, new, left, right))
            floor = min(DISTINCT_IDF, weights.unseen - math.log(2))
            rows: dict[str, list[int]] = {}
            cols: dict[str, list[int]] = {}
            for i, s in enumerate(left):
                for tag in tagger(old, s) if s.cite not in used else ():
                    rows.setdefault(tag, []).append(i)
            for j, s in enumerate(right):
                for tag in tagger(new, s) if s.cite not in used else ():
                    cols.setdefault(tag, []).append(j)
            for tag in rows.keys() & cols.keys():
                alone = len(rows[tag]) == len(cols[tag]) == 1
                for i, j in _mutual_best(rows[tag], cols[tag], scores):
                    shared = content_stems(left[i].text) & content_stems(right[j].text)
                    if alone or any(weights.w.get(t, weights.unseen) >= floor for t in shared):
                        keys = frozenset(
                            (x, y) for x in (left[i].cite, *left[i].also)
                            for y in (right[j].cite, *right[j].also)
                        )  # fmt: skip
                        out.append(ToolPair(keys, scores[i][j], topic))
    return out


def within_issue_ranking(store: Store, tagger: Tagger) -> Ranking:
    """`ranking`, the counterpart ranked only among the sentences tagged with a sub-issue
    both sentences carry (best over such sub-issues); `total` counts the hand pairs that
    share one at all, the bound of any rule that pairs within a sub-issue."""
    data = load_set()
    best: dict[int, tuple[int, int]] = {}
    for topic in TOPICS:
        hooks = evidence_hooks(store, topic)
        also = hooks[0] if hooks else None
        for a, b in TRANSITIONS:
            old, new, left, right = topic_sides(store, topic, a, b, also=also)
            scores = pair_scores(store, topic, a, b, also=also)[2]
            tl, tr = [tagger(old, s) for s in left], [tagger(new, s) for s in right]
            li, ri = _where(left), _where(right)
            for n, p in enumerate(data["pairs"]):
                targets = [ri[t] for t in (p["to"], *p.get("also_to", ())) if t in ri]
                if p["from"] not in li:
                    continue
                i = li[p["from"]]
                for j in targets:
                    for tag in tl[i] & tr[j]:
                        row = [scores[i][k] if tag in tr[k] else 0.0 for k in range(len(right))]
                        col = [scores[k][j] if tag in tl[k] else 0.0 for k in range(len(left))]
                        found = (_rank(row, j), _rank(col, i))
                        best[n] = min(best.get(n, found), found)
    rk = Ranking(total=len(best))
    for at_row, at_column in best.values():
        rk.first += at_row == 1
        rk.top3 += at_row <= 3
        rk.mutual += at_row == at_column == 1
    return rk


def experiment_report(store: Store) -> str:
    """The figures of the claim experiment: the bound, and the rule added to the tool's."""
    lines = []
    for name, tagger in (("claims", claim_tagger(store)), ("objects", object_tagger())):
        rk = within_issue_ranking(store, tagger)
        fig = score(store, within_issue_pairs(store, tagger))
        lines += [
            f"{name}: {rk.total}/{len(load_set()['pairs'])} hand pairs share a sub-issue; "
            f"within it ranked first {rk.first}, mutually first {rk.mutual}",
            f"  with the rule: {report(fig).splitlines()[0]}; {by_transition(fig)}",
            *(f"  wrong {p.label} ({p.score:.2f}, {p.topic})" for p in fig.wrong_pairs),
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    import tempfile

    from diffview.pipeline import build_store

    with tempfile.TemporaryDirectory() as tmp:
        build_store(ROOT / "versions", Path(tmp) / "store")
        opened = Store.open(Path(tmp) / "store")
        figures = score(opened)
        print(report(figures))
        print(by_transition(figures))
        print(ranking_report(ranking(opened)))
        print(experiment_report(opened))
