"""The position grid: a topic's sub-issues × rounds, each cell a stance with its citations.

It is the first thing a topic shows, because the question users bring is "what did the
cabinet hold, round by round, and where did it move"; the sentence diff is the evidence
underneath (`d`). Every word of a cell comes from `diffview.present`, so the grid says
exactly what the CLI and the changelog say.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from diffview.model import Position, PositionTable
from diffview.present import cites, issue_label, round_label, stance_text
from diffview.sanitize import sanitize_line
from tui.messages import PositionChosen, RoundsChosen

LABEL_WIDTH = (12, 30)  # the sub-issue column wraps its labels: narrowest, widest
FROM_MARK = "F "  # before the round whose column is the chosen FROM (as in the timeline)


def cell_lines(position: Position, moved: bool = False) -> Text:
    """The stance on the first line, one citation per following line; `silent` alone.
    `moved`: the stance differs from the previous round's (underlined, the story's turns)."""
    style = "dim italic" if position.silent else "bold"
    text = Text(stance_text(position.stance), f"{style} underline" if moved else style)
    for evidence in position.evidence:
        text.append(f"\n{cites([evidence])}", "dim")
    return text


def cell_citation(table: PositionTable, position: Position) -> str:
    """What `c` copies for a cell: topic, sub-issue, round, stance, and each sentence
    stating it with its source lines."""
    head = (
        f"{sanitize_line(table.topic)} · {sanitize_line(issue_label(table, position.issue))} · "
        f"{sanitize_line(round_label(table, position.round))}: {stance_text(position.stance)}"
    )
    quotes = [f"“{' '.join(sanitize_line(e.text).split())}” ({e.cite})" for e in position.evidence]
    return "\n".join([head, *quotes])


def label_lines(label: str, width: int) -> Text:
    """A sub-issue label wrapped to the label column (the grid does not wrap by itself)."""
    lines = Text(sanitize_line(label)).wrap(Console(width=width), width)
    return Text("\n").join(lines)


class PositionGrid(DataTable[Text]):
    """Enter opens a cell's evidence; `d` the sentence diff up to the cell's round (from the
    previous round, or from the round marked with `f`)."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Evidence", tooltip="The sentences behind this cell"),
        Binding("d", "diff", "Diff", tooltip="Sentence diff: previous (or F) round → this one"),
        Binding("f", "set_from", "Set FROM", tooltip="Compare later rounds with this one"),
        Binding("c", "copy_citation", "Copy", tooltip="Copy this cell's stance and citations"),
    ]

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual naming
        super().__init__(id=id, cursor_type="cell", zebra_stripes=True)
        self.table: PositionTable | None = None
        self.from_round: str | None = None
        self._built_width = 0  # the width the labels were wrapped for

    def show_table(self, table: PositionTable) -> None:
        """Fill the grid with `table`, keeping the cursor on the same cell if it exists."""
        keep = self.cursor_coordinate if self.table and self.table.topic == table.topic else None
        if self.table is None or self.table.topic != table.topic:
            self.from_round = None
        self.table = table
        self.clear(columns=True)
        for round_, _ in table.rounds:
            self.add_column(self._round_header(table, round_), key=round_)
        moved = {(c.to_round, c.issue) for c in table.changes}
        grid = [
            [cell_lines(table.cell(r, i.id), (r, i.id) in moved) for r, _ in table.rounds]
            for i in table.issues
        ]
        headers = [self._round_header(table, r) for r, _ in table.rounds]
        labels = [issue_label(table, i.id) for i in table.issues]
        width = self._label_width(headers, grid, labels)
        for issue, cells in zip(table.issues, grid, strict=True):
            label = label_lines(issue_label(table, issue.id), width)
            height = max(len(label.split()), *(len(c.split()) for c in cells), 1)
            self.add_row(*cells, key=issue.id, label=label, height=height + 1)
        self._built_width = self.scrollable_content_region.width
        self.cursor_coordinate = keep if keep is not None else Coordinate(0, 0)

    def _label_width(self, headers: list[Text], grid: list[list[Text]], labels: list[str]) -> int:
        """What the round columns (cell padding 1 each side) leave of the widget's width, less
        a cell for the scrollbar: the labels wrap into it, but never narrower than their
        longest word (a word cut in two reads as two; the grid scrolls sideways instead)."""
        widths = [
            max([h.cell_len, *(line.cell_len for row in grid for line in row[i].split())])
            for i, h in enumerate(headers)
        ]
        room = self.scrollable_content_region.width - sum(w + 2 for w in widths) - 3
        words = [w for label in labels for w in sanitize_line(label).split()]
        longest = max((cell_len(w) for w in words), default=0)
        narrowest = min(max(LABEL_WIDTH[0], longest), LABEL_WIDTH[1])
        return min(max(room, narrowest), LABEL_WIDTH[1])

    def on_resize(self, event: events.Resize) -> None:
        if self.table is not None and self.scrollable_content_region.width != self._built_width:
            self.show_table(self.table)  # re-wrap the labels to the new width

    def _round_header(self, table: PositionTable, round_: str) -> Text:
        mark = FROM_MARK if round_ == self.from_round else ""
        return Text(f"{mark}{sanitize_line(round_label(table, round_))}", "bold")

    # -- the cell under the cursor -----------------------------------------------------------

    def current_round(self) -> str | None:
        """The round of the cursor's column (None without data)."""
        if self.table is None or not self.table.rounds:
            return None
        column = self.cursor_coordinate.column
        return self.table.rounds[column][0] if 0 <= column < len(self.table.rounds) else None

    def current_position(self) -> Position | None:
        if self.table is None or not self.table.issues:
            return None
        round_ = self.current_round()
        row = self.cursor_coordinate.row
        if round_ is None or not 0 <= row < len(self.table.issues):
            return None
        return self.table.cell(round_, self.table.issues[row].id)

    # -- actions -----------------------------------------------------------------------------

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        """Enter or a click on a cell: its evidence (sub-issues are row labels, not cells)."""
        event.stop()
        position = self.current_position()
        if position is not None:
            self.post_message(PositionChosen(position))
        else:
            self.notify("Move to a round's cell to read its evidence.", timeout=2)

    def action_diff(self) -> None:
        round_ = self.current_round()
        if self.table is None or round_ is None:
            self.notify("Move to a round's cell to compare it.", timeout=2)
            return
        from_round = self.from_round if self.from_round != round_ else None
        self.post_message(RoundsChosen(self.table.topic, from_round, round_))

    def action_copy_citation(self) -> None:
        position = self.current_position()
        if self.table is None or position is None:
            self.notify("Move to a round's cell to copy it.", timeout=2)
            return
        self.app.copy_to_clipboard(cell_citation(self.table, position))
        self.notify("Citation copied to the clipboard.", timeout=2)

    def action_set_from(self) -> None:
        round_ = self.current_round()
        if self.table is None or round_ is None:
            self.notify("Move to a round's cell to use it as FROM.", timeout=2)
            return
        self.from_round = None if self.from_round == round_ else round_
        self.show_table(self.table)  # redraw the F mark over the column
        if self.from_round:
            label = round_label(self.table, round_)
            self.notify(f"FROM {label}: d on another round compares the two.", timeout=3)
