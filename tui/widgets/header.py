"""The line above the diff: what is compared, with counts, and the FROM/TO column titles."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from diffview.model import Comparison
from diffview.sanitize import sanitize_line

ORDER = ("reworded", "rewritten", "moved", "split", "merged", "added", "removed", "unchanged")


def summary(c: Comparison) -> str:
    counts = {k: v for k, v in c.counts.items() if v}
    parts = [f"{counts[k]} {k}" for k in ORDER if k in counts]
    stance = len(c.stance_units)
    if stance:
        parts.append(f"{stance} stance")
    return ", ".join(parts) if parts else "no statements"


class DiffHeader(Widget):
    """Two lines: topic + summary, then FROM and TO titles over their columns."""

    DEFAULT_CSS = "DiffHeader { height: 2; }"

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual naming
        super().__init__(id=id)
        self.title_text = Text("diffview")
        self.left = Text()
        self.right = Text()
        self.side = True

    def set_comparison(self, c: Comparison, side: bool) -> None:
        self.title_text = Text.assemble(
            (sanitize_line(c.topic), "bold"),
            f"  {sanitize_line(c.from_label)} → {sanitize_line(c.to_label)}  ",
            (summary(c), "italic"),
        )
        self.left = Text(f"FROM {sanitize_line(c.from_label)} ({', '.join(c.from_docs)})", "bold")
        self.right = Text(f"TO {sanitize_line(c.to_label)} ({', '.join(c.to_docs)})", "bold")
        self.side = side
        self.refresh()

    def set_text(self, title: str, side: bool = True) -> None:
        self.title_text = Text(sanitize_line(title))
        self.left, self.right, self.side = Text(), Text(), side
        self.refresh()

    def set_side(self, side: bool) -> None:
        self.side = side
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
        title = self.title_text.copy()
        title.truncate(self.size.width, overflow="ellipsis")
        return Text("\n").join([title, columns])
