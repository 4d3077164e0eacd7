"""The main screen: timeline sidebar on the left; on the right a topic's position grid (what
the cabinet held, sub-issue by round) or, below it in the story, the sentence diff.

The grid comes first because that is the question users bring; `d` on a cell (or picking a
version pair in the timeline, or `[ ]`) drops into the diff, `g` goes back and forth.
Below 100 columns the sidebar is narrow, and picking a version pair in it folds it away so
the diff gets the whole width; `b` shows or hides it at any width.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Static

from diffview.errors import DiffviewError
from diffview.model import Comparison, PositionTable, StoreReader
from diffview.present import pair_summary_lines, round_label
from diffview.sanitize import sanitize_line
from tui import backend
from tui.messages import (
    PositionChosen,
    RoundsChosen,
    StatementChosen,
    TopicChosen,
    UnitChosen,
    VersionsChosen,
)
from tui.screens.evidence import EvidenceScreen
from tui.screens.export import ExportScreen
from tui.screens.provenance import ProvenanceScreen
from tui.screens.search import SearchScreen
from tui.widgets.diff import DiffView
from tui.widgets.footer import KeyFooter
from tui.widgets.header import DiffHeader
from tui.widgets.positions import PositionGrid
from tui.widgets.timeline import Timeline

STEP = Binding.Group("Step", compact=True)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def positions_summary(table: PositionTable | None, from_round: str, to_round: str) -> Text:
    """What the diff opens with: the position changes between the two rounds (bold), then
    the restated ones (`present.pair_summary_lines`); empty without a grid or for rounds it
    lacks."""
    if table is None:
        return Text()
    try:
        lines = pair_summary_lines(table, from_round, to_round)
    except KeyError:
        return Text()
    out = Text()
    for i, (kind, line) in enumerate(lines):
        if i:
            out.append("\n")
        out.append(sanitize_line(line), "bold" if kind in ("title", "change") else "")
    return out


class MainScreen(Screen[None]):
    """Read a topic's positions; open a cell's evidence; drop into the aligned diff of two
    rounds; open rows for their sources."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide"), (120, "-very-wide")]
    BINDINGS = [
        Binding("left_square_bracket", "step(-1)", "Earlier", group=STEP),
        Binding("right_square_bracket", "step(1)", "Later", group=STEP),
        # `g` goes back and forth; only "Grid" is shown (in the grid, `d` is the way down).
        Binding("g", "pane('positions')", "Grid", tooltip="Back to the position grid"),
        Binding("g", "pane('diff')", "Diff", show=False, tooltip="Back to the sentence diff"),
        Binding("b", "toggle_sidebar", "Timeline", tooltip="Show / hide the timeline"),
        Binding("slash", "find", "Find"),
        Binding("e", "export", "Export"),
        Binding("tab", "app.focus_next", "Focus", show=False),
        # The diff's view keys also work while the timeline has focus (the diff's own
        # bindings, shown in the footer, take them first when it is focused).
        Binding("t", "diff('toggle_mode')", "View", show=False),
        Binding("a", "diff('toggle_filter')", "All/Focus", show=False),
    ]

    def __init__(self, store: StoreReader, topic: str | None = None) -> None:
        """`topic`: the one to open on if the store has it (the app reloading a rebuilt
        store keeps the user on their topic); else the first."""
        super().__init__()
        self.store = store
        self.initial_topic = topic
        self.comparison: Comparison | None = None
        self.chosen: VersionsChosen | None = None
        self.tables: dict[str, PositionTable] = {}  # position grids computed so far, by topic
        self._tables_lock = threading.Lock()
        self.positions_topic: str | None = None  # the topic whose grid is shown or coming
        self._pending_jump: str | None = None  # a search hit whose row the next diff shows

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Timeline(id="timeline")
            with ContentSwitcher(id="right", initial="positions-pane"):
                with Vertical(id="positions-pane"):
                    yield Static("", id="positions-title", markup=False)
                    yield PositionGrid(id="positions")
                with Vertical(id="diff-pane"):
                    with VerticalScroll(id="diff-positions", can_focus=False):
                        yield Static("", id="diff-positions-text", markup=False)
                    yield DiffHeader(id="diff-header")
                    yield DiffView(id="diff")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one(Timeline).border_title = "Timeline"
        self.query_one(Timeline).border_subtitle = "⏎ TO · f FROM"
        self.grid.border_title = "Positions"
        self.grid.border_subtitle = "⏎ evidence · d diff · f FROM"
        self.watch(self.diff, "mode", self._mode_changed, init=False)
        self.watch(self.diff, "row_filter", self._filter_changed, init=False)
        self.grid.focus()
        self._load_timeline()

    @property
    def diff(self) -> DiffView:
        return self.query_one(DiffView)

    @property
    def timeline(self) -> Timeline:
        return self.query_one(Timeline)

    @property
    def grid(self) -> PositionGrid:
        return self.query_one(PositionGrid)

    @property
    def pane(self) -> str:
        """Which of the two the right side shows: "positions" or "diff"."""
        return "diff" if self.query_one(ContentSwitcher).current == "diff-pane" else "positions"

    def show_pane(self, pane: str) -> None:
        """Show the grid or the diff and give it focus (unless the timeline has it)."""
        self.query_one(ContentSwitcher).current = f"{pane}-pane"
        if not self.timeline.has_focus:
            (self.diff if pane == "diff" else self.grid).focus()
        self.refresh_bindings()  # `g` and the diff's keys depend on the pane (`check_action`)

    def action_pane(self, pane: str) -> None:
        """`g`: the other pane; the grid is that of the topic the diff shows."""
        topic = self.chosen.topic if self.chosen else self.positions_topic
        if pane == "positions" and topic is not None and topic != self.positions_topic:
            self.show_positions(topic)
        else:
            self.show_pane(pane)
        (self.diff if self.pane == "diff" else self.grid).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`g` offers the other pane; the diff's view keys only while the diff is shown
        (else they would act unseen)."""
        if not self.is_mounted:
            return True
        if action == "pane":
            return parameters[0] != self.pane
        if action == "diff" and self.pane != "diff":
            return None
        return True

    # -- positions -------------------------------------------------------------------------

    def show_positions(self, topic: str) -> None:
        """The position grid of `topic` (computed in a worker the first time)."""
        self.show_pane("positions")
        self.positions_topic = topic
        title = self.query_one("#positions-title", Static)
        table = self.tables.get(topic)
        if table is not None:
            self._positions_loaded(table)
            return
        title.update(Text(f"{sanitize_line(topic)}: reading positions…"))
        self._load_positions(topic)

    @work(thread=True, exclusive=True, group="positions")
    def _load_positions(self, topic: str) -> None:
        try:
            table = self._table(topic)
        except DiffviewError as exc:
            self.app.call_from_thread(self._positions_failed, topic, str(exc))
            return
        self.app.call_from_thread(self._positions_loaded, table)

    def _table(self, topic: str) -> PositionTable:
        """The topic's grid, computed once: the grid's and the compare worker may both ask."""
        with self._tables_lock:
            table = self.tables.get(topic)
            if table is None:
                table = self.tables[topic] = backend.topic_positions(self.store, topic)
            return table

    def _positions_loaded(self, table: PositionTable) -> None:
        if table.topic != self.positions_topic:
            return  # a worker for a topic the user has left since
        self.grid.show_table(table)
        stated = sum(not p.silent for p in table.positions)
        self.query_one("#positions-title", Static).update(
            Text.assemble(
                (sanitize_line(table.topic), "bold"),
                f"  {_count(stated, 'position')}, {_count(len(table.changes), 'move')} "
                "(underlined)",
            )
        )

    def _positions_failed(self, topic: str, reason: str) -> None:
        """A topic without sub-issues in the topic rules (csam-other...) has no grid: its
        sentence diff is all there is, so show that and say why."""
        if topic != self.positions_topic:
            return
        self.grid.clear(columns=True)
        self.grid.table = None
        name = sanitize_line(topic)
        self.query_one("#positions-title", Static).update(
            Text(f"{name}: no position grid ({sanitize_line(reason)})")
        )
        self.show_pane("diff")
        self.notify(
            f"No position grid for {name} (no sub-issues in the topic rules): its sentence diff.",
            timeout=4,
        )

    @on(PositionChosen)
    def _position_chosen(self, event: PositionChosen) -> None:
        table = self.grid.table
        if table is None:
            return
        position = event.position

        def closed(result: str | None) -> None:
            if result == "diff":  # as `d` on the cell: from the F round, else the previous
                marked = self.grid.from_round
                from_round = marked if marked != position.round else None
                self.post_message(RoundsChosen(table.topic, from_round, position.round))

        self.app.push_screen(EvidenceScreen(self.store, table, position), closed)

    @on(RoundsChosen)
    def _rounds_chosen(self, event: RoundsChosen) -> None:
        """A cell's round against the previous round of the topic (or against FROM)."""
        topic, table = event.topic, self.tables.get(event.topic)
        label = round_label(table, event.to_round) if table else event.to_round
        specs = [r.spec for r in self.timeline.rows.get(topic, [])]
        if event.to_round not in specs:
            self.notify(f"{sanitize_line(topic)} has no version in {label}.", timeout=3)
            return
        to_i = specs.index(event.to_round)
        if event.from_round is None:
            if to_i == 0:
                self.notify(
                    f"{label} is the first version of {sanitize_line(topic)}: "
                    "nothing earlier to compare it with.",
                    timeout=3,
                )
                return
            from_round = specs[to_i - 1]
        elif event.from_round not in specs:
            from_label = round_label(table, event.from_round) if table else event.from_round
            self.notify(f"{sanitize_line(topic)} has no version in {from_label}.", timeout=3)
            return
        else:
            from_round = event.from_round
        pair = sorted((from_round, event.to_round), key=specs.index)  # oldest first
        if pair[0] != from_round and table is not None:
            self.notify(
                f"FROM {round_label(table, from_round)} is later than "
                f"{round_label(table, event.to_round)}: comparing "
                f"{round_label(table, pair[0])} → {round_label(table, pair[1])}.",
                timeout=4,
            )
        self.timeline.choose(topic, pair[0], pair[1])
        self.show_pane("diff")
        self.diff.focus()

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
            first = self.initial_topic if self.initial_topic in rows else next(iter(rows))
            self.timeline.choose_latest(first)
            self.show_positions(first)
        else:
            self.diff.show_message("The store holds no topics.")
            self.query_one("#positions-title", Static).update("The store holds no topics.")

    def select_topic(self, topic: str) -> None:
        self.timeline.choose_latest(topic)
        self.show_positions(topic)

    @on(TopicChosen)
    def _topic_chosen(self, event: TopicChosen) -> None:
        self.show_positions(event.topic)

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
        if event.picked:
            self.show_pane("diff")  # a pair picked in the timeline: its diff
        if event.set_to and event.from_spec and event.to_spec and self.narrow:
            # TO picked: read the diff at full width; `b` brings the timeline back. Not after
            # `f`: TO is still to be chosen in the timeline.
            self.timeline.display = False
            self.diff.focus()
        self.comparison = None
        topic = sanitize_line(event.topic)
        if event.to_spec is None:
            self.query_one(DiffHeader).set_text(topic)
            self.diff.show_message(f"No version of “{topic}” in the store.")
        elif event.from_spec is None:
            self.query_one(DiffHeader).set_text(f"{topic}  {event.to_spec}")
            count = len(self.timeline.rows.get(event.topic, []))
            if count > 1:
                message = (
                    f"{event.to_spec} is the first of the {count} versions of “{topic}”: "
                    "nothing earlier to compare it with. In the timeline, f on it makes it "
                    "FROM; then enter on a later version."
                )
            else:
                message = (
                    f"“{topic}” has one version only ({event.to_spec}): there is nothing to "
                    "compare it with yet. Press enter on a statement search hit (/) to read it."
                )
            self.diff.show_message(message)
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
        try:
            table: PositionTable | None = self._table(topic)
        except DiffviewError:
            table = None  # no grid for this topic: no positions above, focus on pairs only
        summary = positions_summary(table, from_spec, to_spec)
        self.app.call_from_thread(self._show_comparison, comparison, table, summary)

    def _show_comparison(
        self, comparison: Comparison, table: PositionTable | None, summary: Text
    ) -> None:
        self.comparison = comparison
        self.query_one("#diff-positions-text", Static).update(summary)
        strip = self.query_one("#diff-positions", VerticalScroll)
        strip.set_class(not summary.plain, "-empty")
        strip.scroll_home(animate=False)
        self.query_one(DiffHeader).set_comparison(comparison, self.diff.mode == "side")
        self.diff.show_comparison(comparison, table.claimed if table else frozenset())
        if self._pending_jump is not None:
            self.diff.jump_to_statement(self._pending_jump)
            self._pending_jump = None
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
        self.app.push_screen(ProvenanceScreen(self.store, unit=event.unit, label=event.label))

    @on(StatementChosen)
    def _statement_chosen(self, event: StatementChosen) -> None:
        self.app.push_screen(ProvenanceScreen(self.store, statement_id=event.statement_id))

    def action_find(self, query: str = "", doc: str | None = None) -> None:
        self.app.push_screen(SearchScreen(self.store, query, doc, on_hit=self.jump_to_statement))

    def jump_to_statement(self, statement_id: str) -> None:
        """A search hit: the diff's cursor on its row, in the pair shown if it has one, else
        in the pair of a topic of the statement whose TO (or FROM, for a first round) holds
        it; said when no sentence diff shows it (a member's question, another topic...)."""
        if self.comparison is not None and self.diff.jump_to_statement(statement_id):
            self.show_pane("diff")
            return
        try:
            statement = self.store.statement(statement_id)
        except DiffviewError as exc:
            self.notify(sanitize_line(str(exc)), severity="warning", timeout=3)
            return
        current = self.chosen.topic if self.chosen else None
        topics = sorted(statement.topic_names, key=lambda t: t != current)
        for topic in topics:
            specs = [
                r.spec
                for r in self.timeline.rows.get(topic, [])
                if statement.doc in {d.id for d in r.version.docs}
            ]
            all_specs = [r.spec for r in self.timeline.rows.get(topic, [])]
            if not specs or len(all_specs) < 2:
                continue
            i = all_specs.index(specs[0])
            pair = (all_specs[i - 1], all_specs[i]) if i > 0 else (all_specs[0], all_specs[1])
            if self.chosen and (self.chosen.topic, self.chosen.from_spec, self.chosen.to_spec) == (
                topic,
                *pair,
            ):
                break  # the pair shown, and the row is not in it
            self._pending_jump = statement_id
            self.timeline.choose(topic, *pair)
            self.show_pane("diff")
            return
        self.notify(
            f"{statement.doc}:{statement.lines[0]} is in no sentence diff shown "
            "(the diff compares the cabinet's sentences on a topic): its provenance.",
            timeout=4,
        )

    def action_step(self, delta: int) -> None:
        self.show_pane("diff")
        self.timeline.step(delta)

    # -- export ----------------------------------------------------------------------------

    def action_export(self) -> None:
        """`e`: the changelog of the pair shown; a save dialog in a terminal, a download in
        a browser session (`textual serve`: the file must not land on the server)."""
        chosen = self.chosen
        if chosen is None or chosen.from_spec is None or chosen.to_spec is None:
            self.notify("Nothing to export: choose two versions first.", severity="warning")
            return
        self._export(chosen.topic, chosen.from_spec, chosen.to_spec)

    @work(thread=True, exclusive=True, group="export")
    def _export(self, topic: str, from_spec: str, to_spec: str) -> None:
        try:
            text = backend.changelog(self.store, topic, from_spec, to_spec)
        except DiffviewError as exc:
            self.app.call_from_thread(self.notify, f"Export failed: {exc}", severity="error")
            return
        self.app.call_from_thread(self._export_ready, text, topic, from_spec, to_spec)

    def _export_ready(self, text: str, topic: str, from_spec: str, to_spec: str) -> None:
        name = backend.export_name(topic, from_spec, to_spec)
        if self.app.is_web:
            self.app.deliver_text(io.StringIO(text), save_filename=name, mime_type="text/markdown")
            self.notify(f"{name}: sent to your browser as a download.", title="Export")
            return

        def saved(path: Path | None) -> None:
            if path is not None:
                self.notify(f"Changelog written to {path}", title="Export")

        default = backend.default_export_path(topic, from_spec, to_spec)
        self.app.push_screen(ExportScreen(text, default), saved)
