"""Terminal and JSON output of a `Comparison` for the CLI (a view: it may import Rich).

Everything shown is built as Rich `Text` objects, never as markup strings, so a statement
containing `[bold red]` stays literal; and every document string passes
`diffview.sanitize.sanitize` once more here (it is idempotent and cheap), so that a
`Sentence` built by hand with a terminal escape or a bidi override still cannot reach the
terminal raw.

Without colour the output carries no escape codes at all, and word changes are shown with
the classic word-diff markers instead: `[-deleted-]` and `{+inserted+}`.

The JSON output (`comparison_to_json`, schema in `diffview/views/plain.py`) and the
plain data this module shares with it live in `plain.py`, which imports no Rich: `--format
json` and other non-terminal paths never load it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from io import StringIO

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from diffview.model import AlignedUnit, Comparison, PositionTable, Sentence
from diffview.present import (
    Collapsed,
    change_label,
    change_line,
    collapsed_text,
    dissent_note,
    docs_note,
    round_label,
    stance_text,
    stance_words,
    topic_line,
)
from diffview.sanitize import sanitize_line
from diffview.views.plain import (  # re-exported: the JSON and the plain data of the views
    JSON_SCHEMA_VERSION,
    MIN_WIDTH,
    View,
    comparison_to_dict,
    comparison_to_json,
    inline_ops,
    sentence_ops,
    shown_rows,
    summary_line,
)

__all__ = [
    "JSON_SCHEMA_VERSION",
    "View",
    "comparison_to_dict",
    "comparison_to_json",
    "render_inline",
    "render_positions",
    "render_side_by_side",
    "render_table",
    "summary_line",
]

# Styles per change class: the class label is the first thing the eye looks for in a row.
_CLASS_STYLE = {
    "unchanged": "dim",
    "reworded": "yellow",
    "rewritten": "magenta",
    "moved": "cyan",
    "split": "blue",
    "merged": "blue",
    "added": "green",
    "removed": "red",
}
_DELETE_STYLE = "red strike"
_INSERT_STYLE = "green underline"
_MIN_WIDTH = MIN_WIDTH


# --------------------------------------------------------------------------- word ops


def _styled(ops: Iterable[tuple[int, str]], color: bool) -> Text:
    """A Text with deleted/inserted words styled (colour) or bracketed (no colour)."""
    text = Text(overflow="fold")
    for op, chunk in ops:
        core = chunk.strip()
        if op == 0 or not core:
            text.append(chunk)
            continue
        lead = chunk[: len(chunk) - len(chunk.lstrip())]
        trail = chunk[len(chunk.rstrip()) :]
        text.append(lead)  # whitespace stays outside the marks, as in `git diff --word-diff`
        if color:
            text.append(core, style=_DELETE_STYLE if op < 0 else _INSERT_STYLE)
        else:
            text.append(f"[-{core}-]" if op < 0 else f"{{+{core}+}}")
        text.append(trail)
    return text


def _side_texts(unit: AlignedUnit, side: str, color: bool) -> list[Text]:
    """One styled Text per sentence of a side (split/merge rows show 1 vs 2 sentences).

    When the op texts do not spell the sentences (a hand-made unit), the side is shown
    whole, followed by all its citations.
    """
    pieces = sentence_ops(unit, side)
    texts = [_styled(piece, color) for piece in pieces]
    if len(pieces) > 1:
        for text in texts:
            text.rstrip()
    return texts


def _cite(sentence: Sentence) -> str:
    return sanitize_line(sentence.cites)


# --------------------------------------------------------------------------- rows


def _row_meta(unit: AlignedUnit, comparison: Comparison) -> Text:
    """`reworded 0.82 ↕ moved ⚑ stance: niet→ ; steunt→onthoudt`; a one-sided row has no
    score, and between rounds of different documents it is new / not repeated."""
    meta = Text(overflow="fold")
    label = change_label(unit, comparison)
    meta.append(label, style=f"bold {_CLASS_STYLE.get(unit.change, '')}".strip())
    if unit.left and unit.right:
        meta.append(f" {unit.score:.2f}", style="dim")
    if unit.change == "moved":
        meta.append(" ↕", style="cyan")  # the class already says it
    elif unit.moved:
        meta.append(" ↕ moved", style="cyan")
    if unit.stance:
        meta.append(f" ⚑ stance: {stance_words(unit.stance)}", style="bold red")
    return meta


def _cell(unit: AlignedUnit, side: str, color: bool) -> Group | Text:
    """One column of a row: each sentence followed by its citation."""
    sentences = unit.left if side == "left" else unit.right
    if not sentences:
        return Text("—", style="dim")
    texts = _side_texts(unit, side, color)
    parts: list[Text] = []
    if len(texts) == len(sentences):
        for text, sentence in zip(texts, sentences, strict=True):
            parts.append(text)
            parts.append(Text(_cite(sentence), style="dim", overflow="fold"))
    else:
        parts.extend(texts)
        parts.append(Text(", ".join(_cite(s) for s in sentences), style="dim", overflow="fold"))
    return Group(*parts)


def _header(comparison: Comparison) -> list[Text]:
    topic = topic_line(comparison)
    return [
        *([Text(topic, style="bold", overflow="fold")] if topic else []),
        _version_line("FROM", comparison.from_label, comparison.from_docs, "red"),
        _version_line("TO", comparison.to_label, comparison.to_docs, "green"),
    ]


def _version_line(name: str, label: str, docs: Sequence[str], style: str) -> Text:
    line = Text(overflow="fold")
    line.append(f"{name:<4} ", style=f"bold {style}")
    line.append(sanitize_line(label))
    line.append(docs_note(label, docs), style="dim")
    return line


def _console(width: int, color: bool) -> tuple[Console, StringIO]:
    """A Console writing to a buffer; no colour means no escape codes whatsoever.

    The environment is pinned (`_environ={}`) so NO_COLOR/COLUMNS/TERM of the caller cannot
    change the output: the caller decides `width` and `color`.
    """
    buffer = StringIO()
    console = Console(
        file=buffer,
        width=max(width, _MIN_WIDTH),
        color_system="truecolor" if color else None,
        force_terminal=color,
        no_color=not color,
        markup=False,
        emoji=False,
        highlight=False,
        legacy_windows=False,
        soft_wrap=False,
        _environ={},
    )
    return console, buffer


def _finish(buffer: StringIO, color: bool) -> str:
    """Trailing padding spaces are noise in plain output (and in tests, and in diffs)."""
    out = buffer.getvalue()
    if color:
        return out
    return "\n".join(line.rstrip() for line in out.split("\n"))


def render_table(table: RenderableType, *, width: int, color: bool) -> str:
    """A Rich table (the CLI's `statements`, `topics`) as text; without colour, no escapes."""
    console, buffer = _console(width, color)
    console.print(table)
    return _finish(buffer, color)


def _render(
    comparison: Comparison,
    width: int,
    color: bool,
    unit_body: Callable[[AlignedUnit], Iterable[RenderableType]],
    view: View,
) -> str:
    """Header, the positions and the summary first, then each unit's meta line and body:
    the frame both layouts share."""
    console, buffer = _console(width, color)
    for line in _header(comparison):
        console.print(line)
    for lead in view.lead:
        console.print(Text(sanitize_line(lead), overflow="fold"))
    console.print(Text(summary_line(comparison), style="bold", overflow="fold"))
    console.print(Text("─" * max(width, _MIN_WIDTH), style="dim"))
    rows, closing = shown_rows(comparison, view)
    for unit in rows:
        if isinstance(unit, Collapsed):
            console.print(Text(collapsed_text(unit), style="dim", overflow="fold"))
        else:
            console.print(_row_meta(unit, comparison))
            for renderable in unit_body(unit):
                console.print(renderable)
        console.print()
    if closing:
        console.print(Text(closing, style="dim", overflow="fold"))
    return _finish(buffer, color)


def render_positions(table: PositionTable, *, width: int, color: bool) -> str:
    """Per sub-issue one line per round: stance, citations and the sentences that state it."""
    console, buffer = _console(width, color)
    console.print(Text(f"Positions: {sanitize_line(table.topic)}", style="bold"))
    grid = Table(box=box.SIMPLE_HEAD, expand=True, show_lines=False, pad_edge=False)
    grid.add_column("sub-issue", ratio=2, overflow="fold")
    grid.add_column("round", no_wrap=True)
    grid.add_column("stance", no_wrap=True)
    grid.add_column("evidence", ratio=5, overflow="fold")
    for issue in table.issues:
        for round_, label in table.rounds:
            cell = table.cell(round_, issue.id)
            evidence = Text(overflow="fold")
            for e in cell.evidence:
                evidence.append(f"{e.cite} ", style="dim")
                evidence.append(f"{sanitize_line(e.text)}\n")
            if note := dissent_note(cell):
                evidence.append(f"{note}\n", style="dim italic")
            grid.add_row(
                Text(sanitize_line(issue.label)) if round_ == table.rounds[0][0] else Text(""),
                Text(sanitize_line(label)),
                Text(stance_text(cell.stance), style="" if cell.silent else "bold"),
                evidence if cell.evidence else Text("—", style="dim"),
            )
    console.print(grid)
    console.print(Text("Changes:", style="bold"))
    changes = Table.grid(padding=(0, 1))  # a change wraps under its text, not at column 0
    changes.add_column(no_wrap=True)
    changes.add_column(overflow="fold")
    for change in table.changes:
        step = f"  {round_label(table, change.from_round)} → {round_label(table, change.to_round)}:"
        changes.add_row(Text(step), Text(sanitize_line(change_line(table, change))))
    if table.changes:
        console.print(changes)
    if not table.changes:
        console.print(Text("  none: every sub-issue holds its stance (or its silence)"))
    return _finish(buffer, color)


def render_side_by_side(
    comparison: Comparison, *, width: int, color: bool, view: View | None = None
) -> str:
    """FROM left, TO right, one row per aligned unit; wraps within columns, never cuts."""

    def columns(unit: AlignedUnit) -> list[Table]:
        grid = Table(
            box=box.MINIMAL,  # just the vertical rule between FROM and TO
            show_header=False,
            show_edge=False,
            pad_edge=False,
            padding=(0, 1),
            expand=True,
        )
        grid.add_column(ratio=1, overflow="fold")
        grid.add_column(ratio=1, overflow="fold")
        grid.add_row(_cell(unit, "left", color), _cell(unit, "right", color))
        return [grid]

    return _render(comparison, width, color, columns, view or View())


def _inline_text(unit: AlignedUnit, color: bool) -> Text:
    """The redline of one unit: FROM text with TO's changes applied in place."""
    return _styled(inline_ops(unit), color)


def render_inline(
    comparison: Comparison, *, width: int, color: bool, view: View | None = None
) -> str:
    """One column, redline style, each unit followed by its citations FROM → TO."""

    def redline(unit: AlignedUnit) -> list[Text]:
        cites = Text(overflow="fold", style="dim")
        cites.append(", ".join(_cite(s) for s in unit.left) or "—")
        cites.append(" → ")
        cites.append(", ".join(_cite(s) for s in unit.right) or "—")
        return [_inline_text(unit, color), cites]

    return _render(comparison, width, color, redline, view or View())
