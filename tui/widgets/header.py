"""The lines above the diff: what is compared and which rows are shown, the counts, and the
FROM/TO column titles."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from diffview.model import Comparison
from diffview.present import class_counts, stance_count
from diffview.sanitize import sanitize_line


def summary(c: Comparison) -> str:
    """`2 reworded, 40 new in this round, 31 not repeated, 1 stance change`: the counts as
    `present.class_counts` and `present.stance_count` word them (added / removed only within
    one document's revisions)."""
    parts = class_counts(c)
    if c.stance_units:
        parts.append(stance_count(c))
    return ", ".join(parts) if parts else "no statements"


def filter_status(row_filter: str, shown: int, total: int) -> str:
    """`focus: 74 of 533 rows` or `all: 533 rows`."""
    if row_filter == "focus":
        return f"focus: {shown} of {total} rows"
    return f"all: {total} rows"


class DiffHeader(Widget):
    """Three lines: topic, versions and filter; the counts; FROM and TO over their columns."""

    DEFAULT_CSS = "DiffHeader { height: 3; }"
    COMPONENT_CLASSES = {"diff-header--filter", "diff-header--summary"}

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual naming
        super().__init__(id=id)
        self.title_text = Text("diffview")
        self.summary_text = ""
        self.status = ""
        self.left = Text()
        self.right = Text()
        self.side = True

    def set_comparison(self, c: Comparison, side: bool) -> None:
        self.title_text = Text.assemble(
            (sanitize_line(c.topic), "bold"),
            f"  {sanitize_line(c.from_label)} → {sanitize_line(c.to_label)}",
        )
        self.summary_text = summary(c)
        self.left = Text(f"FROM {sanitize_line(c.from_label)} ({', '.join(c.from_docs)})", "bold")
        self.right = Text(f"TO {sanitize_line(c.to_label)} ({', '.join(c.to_docs)})", "bold")
        self.side = side
        self.refresh()

    def set_text(self, title: str, side: bool = True) -> None:
        self.title_text = Text(sanitize_line(title))
        self.summary_text, self.status = "", ""
        self.left, self.right, self.side = Text(), Text(), side
        self.refresh()

    def set_side(self, side: bool) -> None:
        self.side = side
        self.refresh()

    def set_filter(self, row_filter: str, shown: int, total: int) -> None:
        self.status = filter_status(row_filter, shown, total)
        self.refresh()

    def render(self) -> Text:
        width = max(self.size.width - 1, 10)  # the diff's scrollbar takes one cell
        body = width - 2
        left_w = (body - 1) // 2
        columns = Text(" " * 2)
        if self.side:
            left = self.left.copy()
            left.truncate(left_w, overflow="ellipsis", pad=True)
            columns.append_text(left)
            columns.append(" ")
            columns.append_text(self.right)
        else:
            columns.append_text(Text.assemble(self.left, "  →  " if self.left else "", self.right))
        columns.truncate(self.size.width, overflow="ellipsis")
        return Text("\n").join([self._title_line(), self._summary_line(), columns])

    def _title_line(self) -> Text:
        """The title, and the filter status at the right; the title gives way first."""
        width = self.size.width
        title = self.title_text.copy()
        if not self.status:
            title.truncate(width, overflow="ellipsis")
            return title
        status = Text(self.status, self.get_component_rich_style("diff-header--filter"))
        room = max(width - len(status) - 2, 8)
        title.truncate(room, overflow="ellipsis")
        gap = max(width - title.cell_len - status.cell_len, 2)
        return Text.assemble(title, " " * gap, status)

    def _summary_line(self) -> Text:
        line = Text(self.summary_text, self.get_component_rich_style("diff-header--summary"))
        line.truncate(self.size.width, overflow="ellipsis")
        return line
