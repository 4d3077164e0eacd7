"""The main screen: timeline sidebar on the left, the comparison on the right.

Below 100 columns the sidebar is narrow, and picking a version pair in it folds it away so
the diff gets the whole width; `b` shows or hides it at any width.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen

from diffview.errors import DiffviewError
from diffview.model import Comparison
from diffview.sanitize import sanitize_line
from tui import backend
from tui.messages import StatementChosen, UnitChosen, VersionsChosen
from tui.screens.provenance import ProvenanceScreen
from tui.screens.search import SearchScreen
from tui.widgets.diff import DiffView
from tui.widgets.footer import KeyFooter
from tui.widgets.header import DiffHeader
from tui.widgets.timeline import Timeline

STEP = Binding.Group("Step", compact=True)


class MainScreen(Screen[None]):
    """Pick a topic and two versions; read the aligned diff; open rows for their sources."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide"), (120, "-very-wide")]
    BINDINGS = [
        Binding("left_square_bracket", "step(-1)", "Earlier", group=STEP),
        Binding("right_square_bracket", "step(1)", "Later", group=STEP),
        Binding("b", "toggle_sidebar", "Timeline", tooltip="Show / hide the timeline"),
        Binding("slash", "find", "Find"),
        Binding("e", "export", "Export"),
        Binding("tab", "app.focus_next", "Focus", show=False),
        # The diff's view keys also work while the timeline has focus (the diff's own
        # bindings, shown in the footer, take them first when it is focused).
        Binding("t", "diff('toggle_mode')", "View", show=False),
        Binding("a", "diff('toggle_filter')", "All/Focus", show=False),
    ]

    def __init__(self, store: Any) -> None:
        super().__init__()
        self.store = store
        self.comparison: Comparison | None = None
        self.chosen: VersionsChosen | None = None

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Timeline(id="timeline")
            with Vertical(id="right"):
                yield DiffHeader(id="diff-header")
                yield DiffView(id="diff")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one(Timeline).border_title = "Timeline"
        self.query_one(Timeline).border_subtitle = "⏎ TO · f FROM"
        self.watch(self.diff, "mode", self._mode_changed, init=False)
        self.watch(self.diff, "row_filter", self._filter_changed, init=False)
        self.diff.focus()
        self._load_timeline()

    @property
    def diff(self) -> DiffView:
        return self.query_one(DiffView)

    @property
    def timeline(self) -> Timeline:
        return self.query_one(Timeline)

    # -- timeline --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="timeline")
    def _load_timeline(self) -> None:
        try:
            rows = {
                t: backend.version_rows(self.store, t) for t in backend.ordered_topics(self.store)
            }
        except DiffviewError as exc:
            self.app.call_from_thread(self.diff.show_message, f"Cannot read the store: {exc}")
            return
        self.app.call_from_thread(self._timeline_loaded, rows)

    def _timeline_loaded(self, rows: dict[str, list[backend.VersionRow]]) -> None:
        self.timeline.load(rows)
        if rows:
            self.timeline.choose_latest(next(iter(rows)))
        else:
            self.diff.show_message("The store holds no topics.")

    def select_topic(self, topic: str) -> None:
        self.timeline.choose_latest(topic)

    @property
    def narrow(self) -> bool:
        return self.has_class("-narrow")

    def action_diff(self, action: str) -> None:
        """Run one of the diff's view actions from anywhere on the screen."""
        getattr(self.diff, f"action_{action}")()

    def action_toggle_sidebar(self) -> None:
        timeline = self.timeline
        timeline.display = not timeline.display
        if timeline.display:
            timeline.focus()
        else:
            self.diff.focus()

    @on(VersionsChosen)
    def _versions_chosen(self, event: VersionsChosen) -> None:
        self.chosen = event
        if event.picked and event.from_spec and event.to_spec and self.narrow:
            self.timeline.display = False  # read the diff at full width; `b` brings it back
            self.diff.focus()
        self.comparison = None
        topic = sanitize_line(event.topic)
        if event.to_spec is None:
            self.query_one(DiffHeader).set_text(topic)
            self.diff.show_message(f"No version of “{topic}” in the store.")
        elif event.from_spec is None:
            self.query_one(DiffHeader).set_text(f"{topic}  {event.to_spec}")
            self.diff.show_message(
                f"“{topic}” has one version only ({event.to_spec}): there is nothing to "
                "compare it with yet. Press enter on a statement search hit (/) to read it."
            )
        else:
            self.query_one(DiffHeader).set_text(
                f"{topic}  {event.from_spec} → {event.to_spec}  comparing…"
            )
            self._compare(event.topic, event.from_spec, event.to_spec)

    @work(thread=True, exclusive=True, group="compare")
    def _compare(self, topic: str, from_spec: str, to_spec: str) -> None:
        try:
            comparison = backend.compare(self.store, topic, from_spec, to_spec)
        except DiffviewError as exc:
            self.app.call_from_thread(self.diff.show_message, f"Cannot compare: {exc}")
            return
        self.app.call_from_thread(self._show_comparison, comparison)

    def _show_comparison(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self.query_one(DiffHeader).set_comparison(comparison, self.diff.mode == "side")
        self.diff.show_comparison(comparison)
        self._filter_changed(self.diff.row_filter)

    def _mode_changed(self, mode: str) -> None:
        self.query_one(DiffHeader).set_side(mode == "side")

    def _filter_changed(self, row_filter: str) -> None:
        if self.comparison is not None:
            diff = self.diff
            self.query_one(DiffHeader).set_filter(row_filter, len(diff.units), len(diff.all_units))

    # -- provenance, find ------------------------------------------------------------------

    @on(UnitChosen)
    def _unit_chosen(self, event: UnitChosen) -> None:
        self.app.push_screen(ProvenanceScreen(self.store, unit=event.unit))

    @on(StatementChosen)
    def _statement_chosen(self, event: StatementChosen) -> None:
        self.app.push_screen(ProvenanceScreen(self.store, statement_id=event.statement_id))

    def action_find(self, query: str = "", doc: str | None = None) -> None:
        def opened(statement_id: str | None) -> None:
            if statement_id:
                self.post_message(StatementChosen(statement_id))

        self.app.push_screen(SearchScreen(self.store, query, doc), opened)

    def action_step(self, delta: int) -> None:
        self.timeline.step(delta)

    # -- export ----------------------------------------------------------------------------

    def action_export(self) -> None:
        chosen = self.chosen
        if chosen is None or chosen.from_spec is None or chosen.to_spec is None:
            self.notify("Nothing to export: choose two versions first.", severity="warning")
            return
        self._export(chosen.topic, chosen.from_spec, chosen.to_spec, Path.cwd())

    @work(thread=True, exclusive=True, group="export")
    def _export(self, topic: str, from_spec: str, to_spec: str, directory: Path) -> None:
        try:
            text = backend.changelog(self.store, topic, from_spec, to_spec)
            path = backend.write_export(text, topic, from_spec, to_spec, directory)
        except (DiffviewError, OSError) as exc:
            self.app.call_from_thread(self.notify, f"Export failed: {exc}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"Changelog written to {path}", title="Export")
