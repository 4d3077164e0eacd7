"""The diff: one line-API widget rendering both columns of every aligned row.

Rendering FROM and TO in the same widget keeps the rows aligned and the columns scrolling
together by construction; long sentences wrap inside their column. `t` switches to an inline
redline. `a` filters to the rows that tell the story (`diffview.present.in_focus`: sentences
stating a position, sentences paired across the two rounds that changed) and back to all rows.
One-sided rows are labelled by `present.change_label`: between rounds of different documents
a sentence is "new in this round" or "not repeated", never "added" or "removed". Strips are
built once per (width, mode, filter, comparison) and cached; a resize re-wraps them.
"""

from __future__ import annotations

from bisect import bisect_right

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from diffview.model import AlignedUnit, Comparison
from diffview.present import change_label, in_focus
from tui.messages import UnitChosen
from tui.rows import (
    CHANGE_MARK,
    STANCE_MARK,
    citation,
    redline_text,
    side_texts,
    stance_text,
)

GUTTER = 2  # change mark + stance mark
STYLE_NAMES = ("insert", "delete", "tag", "stance", "cursor", "mark", "sep", "message")
CHANGE = Binding.Group("Change", compact=True)


def is_change(unit: AlignedUnit) -> bool:
    """What `n`/`p` stop at: every row but an unchanged sentence in its place."""
    return unit.change != "unchanged" or unit.moved


AUTO_FOCUS_ROWS = 60  # longer comparisons open in focus mode (positions + paired rows)


class DiffView(ScrollView, can_focus=True):
    """Aligned FROM/TO rows with word-level highlights, stance badges and a row cursor."""

    BINDINGS = [
        Binding("n", "next_change", "Next", tooltip="Next change", group=CHANGE),
        Binding("p", "prev_change", "Prev", tooltip="Previous change", group=CHANGE),
        Binding("s", "next_stance", "Stance", tooltip="Next stance change"),
        Binding("a", "toggle_filter", "All/Focus", tooltip="All rows / only the story rows"),
        Binding("t", "toggle_mode", "View", tooltip="Side-by-side / inline redline"),
        Binding("enter", "open_row", "Source", tooltip="Provenance of this row"),
        Binding("c", "copy_citation", "Copy", tooltip="Copy this row's quotes and citations"),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("home", "first_row", "First", show=False),
        Binding("end", "last_row", "Last", show=False),
    ]
    COMPONENT_CLASSES = {f"diff--{name}" for name in STYLE_NAMES}

    mode: reactive[str] = reactive("side")
    row_filter: reactive[str] = reactive("all")  # "all" rows or the "focus" rows (`in_focus`)
    cursor: reactive[int] = reactive(0)  # index into `units`, the rows shown

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual naming
        super().__init__(id=id)
        self.comparison: Comparison | None = None
        self.claimed: frozenset[str] = frozenset()  # citations of sentences stating a position
        self._message = "Choose a topic in the timeline."
        self._shown: tuple[AlignedUnit, ...] = ()
        self._strips: list[Strip] = []
        self._starts: list[int] = []
        self._layout_key: tuple[object, ...] | None = None
        self._filter_chosen = False  # once the user presses `a`, their choice sticks
        self._fresh = False  # a comparison arrived while hidden: scroll it when shown

    # -- public API ------------------------------------------------------------------------

    @property
    def units(self) -> tuple[AlignedUnit, ...]:
        """The rows shown under the current filter."""
        return self._shown

    @property
    def all_units(self) -> tuple[AlignedUnit, ...]:
        return self.comparison.units if self.comparison else ()

    def label(self, unit: AlignedUnit) -> str:
        """The row's change class as every view says it (`present.change_label`)."""
        return change_label(unit, self.comparison) if self.comparison else unit.change

    def show_comparison(
        self, comparison: Comparison, claimed: frozenset[str] = frozenset()
    ) -> None:
        """Show `comparison`; `claimed` (the topic's `PositionTable.claimed`) picks the focus."""
        if not self._filter_chosen and len(comparison.units) > AUTO_FOCUS_ROWS:
            # A long comparison opens on its story; the header says so and `a` shows all.
            self.set_reactive(DiffView.row_filter, "focus")
        self.comparison = comparison
        self.claimed = claimed
        self._message = "No statements on this topic in either version."
        self._shown = self._filtered()
        self._relayout()
        self.cursor = self._first_change()
        self._scroll_fresh()

    def show_message(self, message: str) -> None:
        self.comparison = None
        self.claimed = frozenset()
        self._shown = ()
        self._message = message
        self._relayout()
        self.cursor = 0
        self.scroll_to(y=0, animate=False)

    def current_unit(self) -> AlignedUnit | None:
        units = self.units
        return units[self.cursor] if 0 <= self.cursor < len(units) else None

    # -- layout ----------------------------------------------------------------------------

    def _relayout(self) -> None:
        self._layout_key = None
        self._ensure_layout()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._layout_key = None  # theme changed: rebuild with the new colours
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        if self._ensure_layout() or self._fresh:
            if self._fresh:
                self._scroll_fresh()
            else:
                self._scroll_to_cursor()  # rows re-wrapped: keep the cursor row in view

    def _scroll_fresh(self) -> None:
        """A new comparison: from the top, then the cursor row in view. While the diff is
        hidden (the grid in front) it has no width yet: done on the first resize instead."""
        self._fresh = self.scrollable_content_region.width == 0
        if not self._fresh:
            self.scroll_to(y=0, animate=False)
            self._scroll_to_cursor()

    def watch_mode(self) -> None:
        self._relayout()
        self._scroll_to_cursor()

    def watch_row_filter(self) -> None:
        """Keep the cursor on its row if still shown, else on the next shown row."""
        current = self.current_unit()
        everything = self.all_units
        self._shown = self._filtered()
        position = {id(u): i for i, u in enumerate(self._shown)}
        cursor = 0
        if current is not None:
            start = next((i for i, u in enumerate(everything) if u is current), 0)
            following = (position.get(id(u)) for u in everything[start:])
            cursor = next((i for i in following if i is not None), len(self._shown) - 1)
        self._relayout()
        self.cursor = max(cursor, 0)
        self._scroll_to_cursor()

    def _filtered(self) -> tuple[AlignedUnit, ...]:
        if self.row_filter == "focus":
            # The story: what TO says (in its reading order), then what it no longer says.
            story = [u for u in self.all_units if in_focus(u, self.claimed)]
            return tuple(sorted(story, key=lambda u: not u.right))
        return self.all_units

    def watch_cursor(self) -> None:
        self.refresh()

    def _styles(self) -> dict[str, Style]:
        return {n: self.get_component_rich_style(f"diff--{n}", partial=True) for n in STYLE_NAMES}

    def _ensure_layout(self) -> bool:
        """Build the strips if width, mode, filter or content changed; True if it did."""
        width = max(self.scrollable_content_region.width, 10)
        key = (width, self.mode, self.row_filter, id(self.comparison), self._message)
        if key == self._layout_key:
            return False
        self._layout_key = key
        styles = self._styles()
        console = self.app.console
        strips: list[Strip] = []
        starts: list[int] = []
        if not self.units:
            message = self._message
            if self.all_units:
                message = (
                    f"None of the {len(self.all_units)} rows states a position or pairs "
                    "sentences across the two rounds. Press a to show all rows."
                )
            for line in Text(message, styles["message"]).wrap(console, width):
                strips.append(_strip(console, line, width))
        for unit in self.units:
            starts.append(len(strips))
            strips.extend(self._unit_strips(unit, width, console, styles))
        self._strips, self._starts = strips, starts
        self.virtual_size = Size(width, len(strips))
        return True

    def _unit_strips(
        self, unit: AlignedUnit, width: int, console: Console, styles: dict[str, Style]
    ) -> list[Strip]:
        body = width - GUTTER
        if self.mode == "side":
            left_w = (body - 1) // 2
            right_w = body - 1 - left_w
            left, right = side_texts(unit, styles, self.label(unit))
            left_lines = _wrap(console, left, left_w)
            right_lines = _wrap(console, right, right_w)
            height = max(len(left_lines), len(right_lines))
            sep = Strip([Segment("│", styles["sep"])], 1)
            rows = [
                Strip.join(
                    [
                        _strip(console, left_lines[i], left_w) if i < len(left_lines) else None,
                        Strip.blank(left_w) if i >= len(left_lines) else None,
                        sep,
                        _strip(console, right_lines[i], right_w) if i < len(right_lines) else None,
                        Strip.blank(right_w) if i >= len(right_lines) else None,
                    ]
                )
                for i in range(height)
            ]
        else:
            rows = [
                _strip(console, line, body)
                for line in _wrap(console, redline_text(unit, styles, self.label(unit)), body)
            ]
        flags = stance_text(unit.stance, styles)
        if flags is not None:
            rows += [_strip(console, line, body) for line in _wrap(console, flags, body)]
        mark = CHANGE_MARK.get(unit.change, "?")
        if unit.moved and unit.change not in ("moved", "added", "removed"):
            mark = CHANGE_MARK["moved"] if mark == " " else mark
        gutter = Strip(
            [
                Segment(mark, styles["mark"]),
                Segment(STANCE_MARK if unit.stance else " ", styles["stance"]),
            ],
            GUTTER,
        )
        blank_gutter = Strip.blank(GUTTER)
        return [Strip.join([gutter if i == 0 else blank_gutter, row]) for i, row in enumerate(rows)]

    # -- line API --------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        self._ensure_layout()
        index = y + round(self.scroll_offset.y)
        width = self.scrollable_content_region.width
        if index >= len(self._strips):
            return Strip.blank(width, self.rich_style)
        strip = self._strips[index]
        if self.units and self._unit_at(index) == self.cursor:
            strip = strip.apply_style(self.get_component_rich_style("diff--cursor", partial=True))
        return strip.crop_extend(0, width, self.rich_style).apply_style(self.rich_style)

    def _unit_at(self, line: int) -> int:
        return max(bisect_right(self._starts, line) - 1, 0)

    def _unit_region(self, index: int) -> Region:
        start = self._starts[index]
        end = self._starts[index + 1] if index + 1 < len(self._starts) else len(self._strips)
        return Region(0, start, self.scrollable_content_region.width, end - start)

    def _scroll_to_cursor(self) -> None:
        if self.units and self._starts:
            self.scroll_to_region(self._unit_region(self.cursor), animate=False, force=True)

    # -- navigation ------------------------------------------------------------------------

    def _first_change(self) -> int:
        return next((i for i, u in enumerate(self.units) if is_change(u)), 0)

    def _move(self, index: int) -> None:
        if not self.units:
            return
        self.cursor = min(max(index, 0), len(self.units) - 1)
        self._scroll_to_cursor()

    def _find(self, step: int, stance: bool = False) -> None:
        units = self.units
        i = self.cursor + step
        while 0 <= i < len(units):
            unit = units[i]
            if unit.stance if stance else is_change(unit):
                self._move(i)
                return
            i += step
        what = "stance change" if stance else "change"
        where = "after" if step > 0 else "before"
        self.notify(f"No {what} {where} this row.", timeout=2)

    def action_next_change(self) -> None:
        self._find(1)

    def action_prev_change(self) -> None:
        self._find(-1)

    def action_next_stance(self) -> None:
        self._find(1, stance=True)

    def action_toggle_mode(self) -> None:
        self.mode = "redline" if self.mode == "side" else "side"

    def action_toggle_filter(self) -> None:
        self._filter_chosen = True
        self.row_filter = "all" if self.row_filter == "focus" else "focus"

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_page_down(self) -> None:
        self._move(self._unit_at(self._starts[self.cursor] + self.size.height) if self.units else 0)

    def action_page_up(self) -> None:
        self._move(
            self._unit_at(max(self._starts[self.cursor] - self.size.height, 0)) if self.units else 0
        )

    def action_first_row(self) -> None:
        self._move(0)

    def action_last_row(self) -> None:
        self._move(len(self.units) - 1)

    def action_open_row(self) -> None:
        unit = self.current_unit()
        if unit is not None:
            self.post_message(UnitChosen(unit, self.label(unit)))

    def action_copy_citation(self) -> None:
        unit = self.current_unit()
        if unit is None:
            self.notify("No row to copy.", timeout=2)
            return
        self.app.copy_to_clipboard(citation(unit, self.comparison.topic if self.comparison else ""))
        self.notify("Citation copied to the clipboard.", timeout=2)

    def jump_to_statement(self, statement_id: str) -> bool:
        """Put the cursor on the first row with a sentence of `statement_id` (all rows shown
        if the focus filter hides it); False if no row has one."""

        def has(unit: AlignedUnit) -> bool:
            return any(s.statement_id == statement_id for s in (*unit.left, *unit.right))

        if not any(has(u) for u in self.units):
            if not any(has(u) for u in self.all_units):
                return False
            self.row_filter = "all"
        self._move(next(i for i, u in enumerate(self.units) if has(u)))
        return True

    def on_click(self, event: events.Click) -> None:
        if not self.units:
            return
        line = event.y + round(self.scroll_offset.y)
        if line >= len(self._strips):
            return
        self.cursor = self._unit_at(line)
        self.action_open_row()


def _wrap(console: Console, text: Text, width: int) -> list[Text]:
    lines = list(text.wrap(console, max(width, 1), overflow="fold"))
    return lines or [Text()]


def _strip(console: Console, line: Text, width: int) -> Strip:
    segments = list(line.render(console))
    return Strip(segments).adjust_cell_length(width)
