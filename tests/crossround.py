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
  ranks first, so the share ranked first bounds the recall of any acceptance rule on it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from diffview.diff.align import ACROSS_MATCH  # noqa: E402
from diffview.diff.compare import pair_scores  # noqa: E402
from diffview.model import AlignedUnit  # noqa: E402
from diffview.positions.table import compare_with_evidence, evidence_hooks  # noqa: E402
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


def load_set() -> dict:
    data = json.loads(SET.read_text(encoding="utf-8"))
    for p in (*data["pairs"], *data["negatives"]):
        p["from"], p["to"] = cite_key(p["from"]), cite_key(p["to"])
        if "also_to" in p:
            p["also_to"] = [cite_key(t) for t in p["also_to"]]
    return data


def _cites(sentences: Iterable) -> list[list[str]]:
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


def score(store: Store) -> Figures:
    data = load_set()
    good = {(p["from"], t) for p in data["pairs"] for t in (p["to"], *p.get("also_to", ()))}
    bad = {(n["from"], n["to"]) for n in data["negatives"]}
    froms = {p["from"] for p in data["pairs"]}
    tos = {p["to"] for p in data["pairs"]}
    pairs = tool_pairs(store)
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


def _where(sentences: list) -> dict[str, int]:
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
                j = max(targets, key=lambda j, i=i: scores[i][j])
                column = [scores[k][j] for k in range(len(left))]
                found = (_rank(scores[i], j), _rank(column, i), scores[i][j])
                best[n] = min(best.get(n, found), found)
    rk = Ranking(total=len(best))
    for n, (row, column, value) in best.items():
        rk.first += row == 1
        rk.top3 += row <= 3
        rk.mutual += row == column == 1
        if row == column == 1 and value >= ACROSS_MATCH:
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


if __name__ == "__main__":
    import tempfile

    from diffview.pipeline import build_store

    with tempfile.TemporaryDirectory() as tmp:
        build_store(ROOT / "versions", Path(tmp) / "store")
        opened = Store.open(Path(tmp) / "store")
        print(report(score(opened)))
        print(ranking_report(ranking(opened)))
