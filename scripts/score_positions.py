"""Score `diffview positions` against a hand annotation of position cells.

A cell (topic, round, sub-issue) is found when diffview reports the same stance with an
evidence citation overlapping one of the annotation's; precision is the share of reported
cells that are right; a report in a cell the annotation calls silent is a false report.

    .venv/bin/python scripts/score_positions.py tests/annotations/positions-blind.json
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any, TypedDict

from diffview.corpus.load import BUNDLED_VERSIONS
from diffview.model import Position
from diffview.pipeline import build_store
from diffview.positions.table import topic_positions
from diffview.store.read import Store


def _span(cite: str) -> tuple[str, int, int]:
    doc, _, lines = cite.partition(":")
    first, _, last = lines.partition("-")
    return doc, int(first), int(last or first)


def overlaps(a: str, b: str) -> bool:
    (da, fa, la), (db, fb, lb) = _span(a), _span(b)
    return da == db and fa <= lb and fb <= la


Cell = tuple[str, str, str]  # topic, round, issue


class Score(TypedDict):
    recall: float
    precision: float
    false_in_silent: list[Cell]
    misses: list[tuple[Cell, str, str | None]]  # cell, annotated, diffview
    wrong: list[tuple[Cell, str | None, str]]  # cell, diffview, annotated


def score(annotation: dict[str, Any], store: Store) -> Score:
    want = {(c["topic"], c["round"], c["issue"]): c for c in annotation["cells"]}
    silent = {(s["topic"], s["round"], s["issue"]) for s in annotation.get("silent", [])}
    got: dict[Cell, Position] = {}
    for topic in sorted({k[0] for k in want} | {k[0] for k in silent}):
        for p in topic_positions(store, topic).positions:
            if not p.silent:
                got[(topic, p.round, p.issue)] = p

    def agrees(key: tuple[str, str, str]) -> bool:
        p, cell = got.get(key), want.get(key)
        return (
            p is not None
            and cell is not None
            and p.stance == cell["stance"]
            and any(overlaps(e.cite, c) for e in p.evidence for c in cell["evidence"])
        )

    misses: list[tuple[Cell, str, str | None]] = [
        (k, c["stance"], got[k].stance if k in got else "silent")
        for k, c in want.items()
        if not agrees(k)
    ]
    wrong: list[tuple[Cell, str | None, str]] = [
        (k, p.stance, want[k]["stance"] if k in want else "not annotated")
        for k, p in got.items()
        if not agrees(k)
    ]
    found, right = len(want) - len(misses), len(got) - len(wrong)
    return {
        "recall": found / len(want) if want else 1.0,
        "precision": right / len(got) if got else 1.0,
        "false_in_silent": sorted(k for k in got if k in silent),
        "misses": misses,
        "wrong": wrong,
    }


def main() -> None:
    annotation = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store"
        build_store(BUNDLED_VERSIONS, path)
        with Store.open(path) as store:
            result = score(annotation, store)
    print(f"recall {result['recall']:.2f}  precision {result['precision']:.2f}")
    print("reported in a silent cell:", result["false_in_silent"] or "none")
    for key, expected, saw in result["misses"]:
        print(f"  missed {'/'.join(key)}: annotated {expected}, diffview {saw}")
    for key, saw, expected in result["wrong"]:
        print(f"  wrong  {'/'.join(key)}: diffview {saw}, annotated {expected}")


if __name__ == "__main__":
    main()
