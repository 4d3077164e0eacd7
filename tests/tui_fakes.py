"""A small in-memory stand-in for `diffview.store.read.Store` and the compare/changelog calls.

The TUI is tested against it so that its tests do not depend on parsing the corpus; the
shapes are those of `diffview/model.py` and the reading API in ARCHITECTURE.md.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from diffview.errors import DiffviewError, StoreError
from diffview.model import (
    AlignedUnit,
    Comparison,
    Document,
    Evidence,
    IssueInfo,
    Position,
    PositionTable,
    Removal,
    Sentence,
    Stance,
    StanceFlag,
    Statement,
    TopicLabel,
    TopicLogEntry,
    Version,
    WordOp,
)
from diffview.positions.table import changes_between

MALICIOUS = "Kabinet [bold red]steunt[/] [@click=app.quit]niets[/] \x1b]52;c;aGk=\x07 \u202egeheim"

DOCS = (
    Document(
        "002",
        "002_x.txt",
        "Antwoorden JBZ-Raad okt 2023",
        "Antw. okt 2023",
        "answers",
        date(2023, 10, 17),
        "day",
        "2023-10",
    ),
    Document(
        "003",
        "003_x.txt",
        "Vragen en antwoorden CSAM",
        "V&A CSAM 2024",
        "questions-and-answers",
        date(2024, 10, 8),
        "day",
        "2024-10",
    ),
    Document(
        "004",
        "004_x.txt",
        "Verslag SO JBZ-Raad mrt 2026",
        "SO mrt 2026",
        "written-consultation",
        date(2026, 3, 1),
        "month",
        "2026-03",
    ),
)
_DOC = {d.id: d for d in DOCS}


def _stmt(
    sid: str,
    doc: str,
    kind: str,
    role: str,
    text: str,
    lines: tuple[int, int],
    topics: tuple[str, ...] = ("detection-order",),
    answers: tuple[str, ...] = (),
) -> Statement:
    d = _DOC[doc]
    return Statement(
        id=sid,
        doc=doc,
        source=d.source,
        date=d.date,
        kind=kind,
        speaker="kabinet" if role == "cabinet" else "VVD",
        party=None,
        role=role,
        text=text,
        lines=lines,
        line_map=((0, lines[0]),),
        answers=answers,
        topics=tuple(TopicLabel(t, ("detectiebevel",)) for t in topics),
    )


STATEMENTS = (
    _stmt(
        "002-q001",
        "002",
        "question",
        "parliament",
        "Steunt het kabinet een detectiebevel voor nieuw materiaal?",
        (10, 11),
    ),
    _stmt(
        "002-a001",
        "002",
        "answer",
        "cabinet",
        "Het kabinet steunt een detectiebevel voor bekend materiaal. "
        "Het kabinet steunt geen detectie van nieuw materiaal en grooming.",
        (13, 16),
        answers=("002-q001",),
    ),
    _stmt(
        "003-a001",
        "003",
        "answer",
        "cabinet",
        "Het kabinet onthoudt zich van stemming. "
        "Het kabinet steunt de algemene oriëntatie niet. " + MALICIOUS,
        (20, 24),
    ),
    _stmt(
        "004-a001",
        "004",
        "answer",
        "cabinet",
        "Het kabinet wijst verplichte detectie in ieders privécommunicatie af. "
        "Het verplichte detectiebevel is uit de Raadspositie verdwenen.",
        (30, 33),
    ),
    _stmt(
        "004-a002",
        "004",
        "answer",
        "cabinet",
        "Het kabinet steunt een verlenging van de tijdelijke derogatie met twee jaar.",
        (40, 41),
        topics=("derogation",),
    ),
)
_STMT = {s.id: s for s in STATEMENTS}


def _version(round_: str, label: str, *docs: str) -> Version:
    return Version(round_, label, tuple(_DOC[d] for d in docs), f"doc-{docs[-1]}")


A1, B2, C1 = (13, 14), (21, 24), (30, 31)  # the sentences stating a position (the grid's)

VERSIONS = {
    "detection-order": (
        _version("2023-10", "Oct 2023", "002"),
        _version("2024-10", "Oct 2024", "003"),
        _version("2026-03", "Mar 2026", "004"),
    ),
    "derogation": (_version("2026-03", "Mar 2026", "004"),),
    "encryption": (),
}


def _sent(sid: str, text: str, index: int, lines: tuple[int, int]) -> Sentence:
    s = _STMT[sid]
    return Sentence(text, s.doc, s.source, sid, lines, index)


def _units(from_round: str, to_round: str) -> tuple[AlignedUnit, ...]:
    """Hand-made alignments: a reworded pair with a stance flag, a removal, an addition."""
    a1 = _sent("002-a001", "Het kabinet steunt een detectiebevel voor bekend materiaal.", 0, A1)
    a2 = _sent(
        "002-a001", "Het kabinet steunt geen detectie van nieuw materiaal en grooming.", 1, (15, 16)
    )
    b1 = _sent("003-a001", "Het kabinet onthoudt zich van stemming.", 0, (20, 20))
    b2 = _sent("003-a001", "Het kabinet steunt de algemene oriëntatie niet. " + MALICIOUS, 1, B2)
    c1 = _sent(
        "004-a001", "Het kabinet wijst verplichte detectie in ieders privécommunicatie af.", 0, C1
    )
    c2 = _sent(
        "004-a001", "Het verplichte detectiebevel is uit de Raadspositie verdwenen.", 1, (32, 33)
    )
    if (from_round, to_round) == ("2023-10", "2024-10"):
        return (
            AlignedUnit(
                "reworded",
                (a1,),
                (b2,),
                0.5,
                ops=(
                    WordOp(0, "Het kabinet steunt "),
                    WordOp(-1, "een detectiebevel voor bekend materiaal."),
                    WordOp(1, "de algemene oriëntatie niet. " + MALICIOUS),
                ),
                stance=(StanceFlag("negation", (), ("niet",)),),
            ),
            AlignedUnit("removed", (a2,), (), 0.0),
            AlignedUnit("added", (), (b1,), 0.0),
        )
    long_text = " ".join(["Een heel lange zin die moet omlopen binnen haar kolom."] * 6)
    c3 = Sentence(long_text, "004", "004_x.txt", "004-a001", (30, 33), 2)
    if (from_round, to_round) == ("2023-10", "2026-03"):
        return _mixed_units(a1, a2, b1, c1, c2, c3)
    return (
        AlignedUnit("unchanged", (b1,), (b1,), 1.0, ops=(WordOp(0, b1.text),)),
        AlignedUnit(
            "rewritten",
            (b2,),
            (c1,),
            0.2,
            ops=(WordOp(-1, b2.text), WordOp(1, c1.text)),
            stance=(StanceFlag("position", ("steunt",), ("wijst af",)),),
        ),
        AlignedUnit("added", (), (c2,), 0.0, moved=False),
        AlignedUnit("added", (), (c3,), 0.0),
    )


def _mixed_units(
    a1: Sentence, a2: Sentence, b1: Sentence, c1: Sentence, c2: Sentence, c3: Sentence
) -> tuple[AlignedUnit, ...]:
    """Mostly additions and removals around four story rows (for the focus filter):
    a moved rewording (2), an added row with a stance flag (3), a split with a stance flag (5)
    and an unchanged sentence that moved (7)."""
    return (
        AlignedUnit("unchanged", (b1,), (b1,), 1.0, ops=(WordOp(0, b1.text),)),
        AlignedUnit("added", (), (c2,), 0.0),
        AlignedUnit(
            "reworded",
            (a1,),
            (c1,),
            0.6,
            ops=(WordOp(-1, a1.text), WordOp(1, c1.text)),
            moved=True,
        ),
        AlignedUnit("added", (), (c3,), 0.0, stance=(StanceFlag("negation", (), ("niet",)),)),
        AlignedUnit("removed", (a2,), (), 0.0),
        AlignedUnit(
            "split",
            (a2,),
            (c1, c2),
            0.7,
            stance=(StanceFlag("modality", ("kan",), ("moet",)),),
        ),
        AlignedUnit("added", (), (b1,), 0.0),
        AlignedUnit("unchanged", (b1,), (b1,), 1.0, ops=(WordOp(0, b1.text),), moved=True),
        AlignedUnit("removed", (a1,), (), 0.0),
    )


class FakeStore:
    """Answers the Store reading API from the hand-made objects above."""

    def __init__(self) -> None:
        self.compare_calls: list[tuple[str, str, str]] = []
        self.positions_calls: list[str] = []

    @property
    def head(self) -> str:
        return "f" * 40

    def close(self) -> None:
        return None

    def documents(self) -> list[Document]:
        return list(DOCS)

    def removals(self) -> list[Removal]:
        return []

    def topics(self) -> list[str]:
        return ["derogation", "detection-order", "encryption", "csam-other"]

    def versions(self, topic: str | None = None) -> list[Version]:
        """A topic's versions; without a topic every round of the store."""
        return list(VERSIONS.get(topic or "detection-order", ()))

    def resolve_version(self, spec: str | Version) -> Version:
        """As the store resolves them: a round, `round-<round>`, `latest` (no labels)."""
        if isinstance(spec, Version):
            return spec
        rounds = {v.round: v for versions in VERSIONS.values() for v in versions}
        if spec in ("latest", "HEAD") and rounds:
            return rounds[max(rounds)]
        found = rounds.get(spec.removeprefix("round-"))
        if found is None:
            raise StoreError(f"unknown version {spec!r}; valid: {', '.join(sorted(rounds))}")
        return found

    def statements(
        self, doc: str | None = None, at: str | Version | None = None
    ) -> list[Statement]:
        return [s for s in STATEMENTS if doc is None or s.doc == doc]

    def topic_statements(self, topic: str, version: str | Version) -> list[Statement]:
        v = self.resolve_version(version)
        ids = {d.id for d in v.docs}
        return [s for s in STATEMENTS if s.doc in ids and topic in s.topic_names]

    def statement(self, statement_id: str) -> Statement:
        try:
            return _STMT[statement_id]
        except KeyError:
            raise StoreError(f"unknown statement {statement_id!r}") from None

    def source_lines(self, doc_id: str, first: int, last: int) -> list[str]:
        return [f"bronregel {n} van {doc_id}" for n in range(max(first, 1), last + 1)]

    def topic_counts(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for s in STATEMENTS:
            if s.role == "cabinet":
                for t in s.topic_names:
                    counts.setdefault(t, {})[s.doc] = counts.get(t, {}).get(s.doc, 0) + 1
        return counts

    def topic_log(self, topic: str) -> list[TopicLogEntry]:
        counts = self.topic_counts().get(topic, {})
        out = []
        for v in reversed(self.versions(topic)):
            per = tuple((d.id, counts.get(d.id, 0)) for d in v.docs)
            out.append(TopicLogEntry(v, "f" * 40, v.docs[-1].date, sum(n for _, n in per), per))
        return out


def fake_compare(store: FakeStore, topic: str, from_spec: str, to_spec: str) -> Comparison:
    store.compare_calls.append((topic, from_spec, to_spec))
    a, b = store.resolve_version(from_spec), store.resolve_version(to_spec)
    units = _units(a.round, b.round)
    counts: dict[str, int] = {}
    for u in units:
        counts[u.change] = counts.get(u.change, 0) + 1
    return Comparison(
        topic,
        a.label,
        b.label,
        tuple(d.id for d in a.docs),
        tuple(d.id for d in b.docs),
        units,
        counts,
    )


def fake_changelog(store: FakeStore, topic: str, from_spec: str, to_spec: str) -> str:
    """Stands in for `tui.backend.changelog` (which wraps `changelog_markdown`)."""
    return f"## {topic}: {from_spec} → {to_spec}\n\n- changed\n"


ROUNDS = (("2023-10", "Oct 2023"), ("2024-10", "Oct 2024"), ("2026-03", "Mar 2026"))
_STANCES: dict[str, dict[tuple[str, str], tuple[Stance, Evidence]]] = {
    "detection-order": {
        ("2023-10", "known-material"): (
            "supports",
            Evidence("002", A1, STATEMENTS[1].text.split(". ")[0] + ".", "002-a001"),
        ),
        ("2024-10", "general-approach"): (
            "abstains",
            Evidence(
                "003",
                B2,
                "Het kabinet steunt de algemene oriëntatie niet. " + MALICIOUS,
                "003-a001",
            ),
        ),
        ("2026-03", "mandatory-detection"): (
            "opposes",
            Evidence("004", C1, STATEMENTS[3].text.split(". ")[0] + ".", "004-a001"),
        ),
    },
    "derogation": {
        ("2026-03", "interim-derogation"): (
            "supports",
            Evidence("004", (40, 41), STATEMENTS[4].text, "004-a002"),
        ),
    },
    "encryption": {},
}
ISSUES = {
    "detection-order": (
        IssueInfo("known-material", "Detection limited to known material"),
        IssueInfo("general-approach", "The regulation / the Council's general approach as a whole"),
        IssueInfo("mandatory-detection", "Mandatory detection in private communications"),
    ),
    "derogation": (IssueInfo("interim-derogation", "The interim derogation and its extension"),),
    "encryption": (IssueInfo("e2ee-possible", "End-to-end encryption must stay possible"),),
}


def fake_positions(store: FakeStore, topic: str) -> PositionTable:
    """Stands in for `tui.backend.topic_positions`: a hand-made grid, one stance per issue."""
    store.positions_calls.append(topic)
    if topic not in ISSUES:  # as `topic_positions`: only topics with sub-issues have a grid
        raise DiffviewError(f"unknown topic {topic!r} (known: {', '.join(ISSUES)})")
    stated = _STANCES.get(topic, {})
    positions = []
    for round_, _ in ROUNDS:
        for issue in ISSUES[topic]:
            found = stated.get((round_, issue.id))
            if found is None:
                positions.append(Position(topic, round_, issue.id, None))
            else:
                stance, evidence = found
                positions.append(
                    Position(topic, round_, issue.id, stance, "het kabinet", (evidence,), 1)
                )
    table = PositionTable(
        topic=topic,
        rounds=ROUNDS,
        issues=ISSUES[topic],
        positions=tuple(positions),
        changes=(),
        claimed=frozenset(e.cite for _, e in stated.values()),
    )
    steps = zip(ROUNDS, ROUNDS[1:], strict=False)
    changes = (c for (a, _), (b, _) in steps for c in changes_between(table, a, b))
    return dataclasses.replace(table, changes=tuple(changes))
