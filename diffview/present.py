"""What every view says about positions and diff rows, written once.

The CLI, the changelog and the app all call these, so "not repeated" (a later round built
from other documents simply does not say it again) never reads as "removed" in one view and
as "withdrawn" in another, and a stance is spelled the same everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from diffview.model import (
    CHANGE_CLASSES,
    AlignedUnit,
    Comparison,
    Evidence,
    Position,
    PositionChange,
    PositionTable,
    Sentence,
    Stance,
    StanceFlag,
    cite_of,
)
from diffview.sanitize import sanitize_line

STANCE_TEXT: dict[Stance, str] = {
    "supports": "supports",
    "supports-conditionally": "supports, on conditions",
    "abstains": "abstains",
    "opposes": "opposes",
    "undecided": "undecided",
}
SILENT = "silent"
# What *silent* promises, for every legend: the rules found no position, which is not proof
# that the documents say nothing (a position worded as the rules do not know is missed).
SILENT_MEANS = (
    "no sentence of the round that the position rules read as the cabinet's position on it"
)
MOVE_TEXT = {
    "changed": "changed",
    "new": "new position",
    "not-restated": "not restated",
    "resumed": "stated again",
}
# One-sided rows between rounds of different documents, and within revisions of one document.
ACROSS_ROUNDS = {"added": "new in this round", "removed": "not repeated"}


def stance_text(stance: Stance | None) -> str:
    return SILENT if stance is None else STANCE_TEXT[stance]


def cites(evidence: Sequence[Evidence]) -> str:
    """`003:142-147, 001:1036-1037`: where the evidence sentences stand, in the one form
    every view prints (a citation copied from one is found in the others)."""
    return ", ".join(e.cite for e in evidence)


def stance_words(flags: Sequence[StanceFlag]) -> str:
    """`negation: -niet; position: -steunt +onthoudt`: each flag's category and the words it
    took out (-) and put in (+), sanitised; the same words in every view (a view adds its mark
    and its own escaping)."""
    parts = []
    for flag in flags:
        words = [f"-{sanitize_line(w)}" for w in flag.removed]
        words += [f"+{sanitize_line(w)}" for w in flag.added]
        parts.append(f"{flag.kind}: {' '.join(words)}".strip())
    return "; ".join(parts)


def dissent_note(position: Position) -> str:
    """`also read as another stance: 003:147-149`: sentences of the round that state another
    stance on the sub-issue they name themselves (a contested cell a reader must not take for
    settled); nothing when there are none (a stance carried from context does not count)."""
    own = [e for e in position.dissent if e.names_its_object]
    return f"also read as another stance: {cites(own)}" if own else ""


def cell_text(position: Position) -> str:
    """`abstains (003:142-147)`, or `silent`."""
    if position.silent:
        return SILENT
    return f"{stance_text(position.stance)} ({cites(position.evidence)})"


def table_cell_text(position: Position) -> str:
    """A cell of a position table: `cell_text`, then `dissent_note` when the cell is
    contested (`abstains (003:142-147); also read as another stance: 003:44-48`)."""
    note = dissent_note(position)
    return f"{cell_text(position)}; {note}" if note else cell_text(position)


def issue_label(table: PositionTable, issue: str) -> str:
    return next((i.label for i in table.issues if i.id == issue), issue)


def round_label(table: PositionTable, round_: str) -> str:
    return dict(table.rounds).get(round_, round_)


def change_line(table: PositionTable, change: PositionChange) -> str:
    """`Known material: supports → silent, not restated (002:730-731)`: the citations last,
    FROM's then TO's."""
    note = "" if change.move == "changed" else f", {MOVE_TEXT[change.move]}"
    if change.since is not None:  # FROM was silent: weighed against the last stance stated
        note += f", last stated {round_label(table, change.since)}"
    sides = [cites(e) for e in (change.from_evidence, change.to_evidence) if e]
    where = f" ({' → '.join(sides)})" if sides else ""
    old, new = stance_text(change.from_stance), stance_text(change.to_stance)
    return f"{issue_label(table, change.issue)}: {old} → {new}{note}{where}"


SummaryLine = tuple[Literal["title", "change", "restated", "silent"], str]


def pair_summary_lines(table: PositionTable, from_round: str, to_round: str) -> list[SummaryLine]:
    """The lines a comparison of two rounds opens with, each with what it is (a view styles
    a change differently from a restated position): position changes, then restated."""
    title = (
        f"Positions on {table.topic}, {round_label(table, from_round)} → "
        f"{round_label(table, to_round)}:"
    )
    from diffview.positions.table import changes_between  # a compare of files needs none

    lines: list[SummaryLine] = [("title", title)]
    changes = changes_between(table, from_round, to_round)
    restated = table.restated(from_round, to_round)
    lines += [("change", f"  {change_line(table, c)}") for c in changes]
    lines += [
        ("restated", f"  restated: {issue_label(table, p.issue)}: {cell_text(p)}") for p in restated
    ]
    if not changes and not restated:
        lines.append(("silent", "  the cabinet states no position on this topic in either round"))
    return lines


def pair_summary(table: PositionTable, from_round: str, to_round: str) -> list[str]:
    """`pair_summary_lines` as plain lines (the CLI and the changelog print them as they are)."""
    return [text for _, text in pair_summary_lines(table, from_round, to_round)]


def topic_line(comparison: Comparison) -> str | None:
    """`Topic: encryption`, or None for two files (they have no topic)."""
    return f"Topic: {sanitize_line(comparison.topic)}" if comparison.topic else None


def docs_note(label: str, docs: Sequence[str]) -> str:
    """`  (docs 003, 001)` after a side's label; nothing when the label is its one document
    (two files: `FROM a.txt`, not `FROM a.txt  (docs a.txt)`)."""
    if list(docs) == [label]:
        return ""
    return f"  (docs {', '.join(sanitize_line(d) for d in docs) or '—'})"


def class_label(change: str, comparison: Comparison) -> str:
    """The word for a change class; between rounds of different documents a one-sided row is
    new in this round / not repeated, never added / removed."""
    if comparison.across_documents and change in ACROSS_ROUNDS:
        return ACROSS_ROUNDS[change]
    return change


def class_count_items(comparison: Comparison) -> list[tuple[str, int]]:
    """(`new in this round`, 40), ..., (`unchanged`, 7): the non-zero classes, changes first in
    model order (classes a hand-made comparison invents after them), unchanged last; the
    words of `class_label`. Every view's summary (the JSON's `summary_reads` too) is these."""
    counts = comparison.class_counts
    changed = [c for c in CHANGE_CLASSES if c != "unchanged"]
    order = [*changed, *sorted(k for k in counts if k not in CHANGE_CLASSES), "unchanged"]
    return [(class_label(c, comparison), counts[c]) for c in order if counts.get(c)]


def class_counts(comparison: Comparison) -> list[str]:
    """`3 reworded`, `40 new in this round`, ..., `7 unchanged`: `class_count_items` as text."""
    return [f"{n} {word}" for word, n in class_count_items(comparison)]


def stance_count(comparison: Comparison) -> str:
    n = len(comparison.stance_units)
    return f"{n} stance change{'' if n == 1 else 's'}"


POSSIBLY_RELATED = "possibly related"


def related_text(unit: AlignedUnit) -> str:
    """`possibly related to 004:840 (0.21)`: a one-sided row whose best counterpart on the
    other side is too weak a match to show as the same sentence (never a move or rewrite)."""
    if not unit.related:
        return ""
    return f"{POSSIBLY_RELATED} to {', '.join(unit.related)} ({unit.score:.2f})"


def change_label(unit: AlignedUnit, comparison: Comparison) -> str:
    """The row's class word, plus "possibly related to ..." where the aligner saw a weak
    counterpart."""
    label = class_label(unit.change, comparison)
    if unit.note:
        label = f"{label} ({unit.note})"
    related = related_text(unit)
    return f"{label}, {related}" if related else label


def in_focus(unit: AlignedUnit, claimed: frozenset[str]) -> bool:
    """A row worth reading first: a sentence stating a position, or a sentence paired across
    the two sides with a change (not a keyword match)."""
    if any(s.cite in claimed for s in (*unit.left, *unit.right)):
        return True
    return bool(unit.left and unit.right) and unit.change != "unchanged"


# --------------------------------------------------------------------------- collapsing

DEFAULT_CONTEXT = 1  # unchanged rows shown before and after each change, as `diff -U1`


@dataclass(frozen=True)
class Collapsed:
    """A run of unchanged rows a text view prints as one line (`collapsed_text`)."""

    units: tuple[AlignedUnit, ...]


def is_change(unit: AlignedUnit) -> bool:
    """A row a reader of a diff must see: anything but an unchanged pair in its place with
    the same words and marks (a punctuation-only edit is quiet, not hidden)."""
    return unit.differs


def collapse_unchanged(
    units: Sequence[AlignedUnit], context: int | None = DEFAULT_CONTEXT
) -> list[AlignedUnit | Collapsed]:
    """What diff(1) shows of a revision: every change, `context` unchanged rows before and
    after it, and each longer run of unchanged rows as one `Collapsed` (a run of one row is
    shown: its line would save nothing). `context=None`: every row, nothing collapsed."""
    if context is None:
        return list(units)
    near: set[int] = set()
    for i, unit in enumerate(units):
        if is_change(unit):
            near.update(range(i - context, i + context + 1))
    rows: list[AlignedUnit | Collapsed] = []
    run: list[AlignedUnit] = []
    for i, unit in enumerate(units):
        if i not in near:
            run.append(unit)
            continue
        rows.extend([Collapsed(tuple(run))] if len(run) > 1 else run)
        rows.append(unit)
        run = []
    rows.extend([Collapsed(tuple(run))] if len(run) > 1 else run)
    return rows


def _span(sentences: Sequence[Sentence]) -> str:
    """`a.txt:12-830`: the lines a run covers in its document (first and last, when a run
    spans documents), `—` for none."""
    if not sentences:
        return "—"
    first, last = sentences[0], sentences[-1]
    if all(s.doc == first.doc for s in sentences):
        lines = (min(s.lines[0] for s in sentences), max(s.lines[1] for s in sentences))
        return cite_of(first.doc, lines)
    return f"{first.cite} … {last.cite}"


def collapsed_span(run: Collapsed) -> tuple[str, str]:
    """(`a.txt:12-830`, `b.txt:12-830`): where a collapsed run stands on each side."""
    left = _span([s for u in run.units for s in u.left])
    return left, _span([s for u in run.units for s in u.right])


def collapsed_text(run: Collapsed) -> str:
    """`… 447 unchanged sentences (a.txt:12-830 → b.txt:12-830) …`: cited FROM → TO, as a
    row is."""
    n = len(run.units)
    left, right = collapsed_span(run)
    return f"… {n} unchanged sentence{'' if n == 1 else 's'} ({left} → {right}) …"


def collapsed_note(rows: Sequence[AlignedUnit | Collapsed]) -> str:
    """The closing line when runs were collapsed: how many rows, and how to see them."""
    n = sum(len(r.units) for r in rows if isinstance(r, Collapsed))
    if not n:
        return ""
    return (
        f"{n} unchanged sentence{'' if n == 1 else 's'} collapsed "
        "(--context N shows N around each change, --all every row)"
    )
