"""Behaviour of the terminal app, driven with Textual's pilot against a small fake store."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, cast

import pytest
from rich.text import Text
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.data_table import RowKey
from tui_fakes import MALICIOUS, FakeStore, fake_changelog, fake_compare, fake_positions

from diffview.errors import StoreError
from diffview.positions.table import KEEP_AHEAD
from diffview.present import in_focus
from tui import backend
from tui.app import DiffviewApp
from tui.rows import side_texts
from tui.screens.evidence import EvidenceScreen
from tui.screens.export import ExportScreen
from tui.screens.help import HelpScreen
from tui.screens.loading import LoadingScreen
from tui.screens.main import MainScreen
from tui.screens.message import MessageScreen
from tui.screens.provenance import ProvenanceScreen
from tui.screens.search import SearchScreen
from tui.widgets.diff import DiffView
from tui.widgets.header import DiffHeader
from tui.widgets.positions import PositionGrid
from tui.widgets.timeline import Timeline

SMALL = (80, 24)
WIDE = (140, 40)


def aio(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test without an asyncio plugin (pytest sees the original signature)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


@pytest.fixture
def fake_core(monkeypatch: pytest.MonkeyPatch) -> FakeStore:
    """The fake store, with compare and changelog answered by the fakes."""
    monkeypatch.setattr(backend, "compare", fake_compare)
    monkeypatch.setattr(backend, "changelog", fake_changelog)
    monkeypatch.setattr(backend, "topic_positions", fake_positions)
    return FakeStore()


async def settle(pilot: Pilot[int]) -> None:
    """Let workers finish and the screen repaint."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app: DiffviewApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def message_of(app: DiffviewApp) -> str:
    """The message screen's title and body as the widgets hold them (not wrapped screen text)."""
    assert isinstance(app.screen, MessageScreen)
    parts = [app.screen.query_one(f"#message-{part}", Static).content for part in ("title", "body")]
    return "\n".join(str(part) for part in parts)


def main_of(app: App[int]) -> MainScreen:
    assert isinstance(app, DiffviewApp)
    assert app.main_screen is not None
    return app.main_screen


def chosen(app: DiffviewApp) -> tuple[str, str | None, str | None]:
    event = main_of(app).chosen
    assert event is not None
    return event.topic, event.from_spec, event.to_spec


async def to_diff(pilot: Pilot[int]) -> DiffView:
    """From the position grid (the first screen) to the sentence diff of the chosen pair."""
    await pilot.press("g")
    await settle(pilot)
    diff = main_of(pilot.app).diff
    assert main_of(pilot.app).pane == "diff" and diff.has_focus
    return diff


def claimed(app: DiffviewApp, topic: str = "detection-order") -> frozenset[str]:
    return main_of(app).tables[topic].claimed


async def focus_version(pilot: Pilot[int], topic: str, spec: str) -> None:
    timeline = pilot.app.screen.query_one(Timeline)
    timeline.focus()
    for topic_node in timeline.root.children:
        for node in topic_node.children:
            if (
                node.data
                and node.data.topic == topic
                and node.data.row is not None
                and node.data.row.spec == spec
            ):
                timeline.move_cursor(node)
    await pilot.pause()


@aio
async def test_opens_on_the_position_grid_of_detection_order(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert list(app.screen.query_one(Timeline).rows) == [
            "detection-order",
            "encryption",
            "derogation",
            "csam-other",
        ]
        grid = app.screen.query_one(PositionGrid)
        assert main_of(app).pane == "positions" and grid.has_focus
        assert grid.table is not None and grid.table.topic == "detection-order"
        assert grid.row_count == 3 and len(grid.columns) == 3  # sub-issues are the row labels
        cells = [[str(c).split("\n")[0] for c in grid.get_row_at(i)] for i in range(3)]
        assert cells == [
            ["supports", "silent", "silent"],
            ["silent", "abstains", "silent"],
            ["silent", "silent", "opposes"],
        ]
        assert str(grid.get_cell("general-approach", "2024-10")) == "abstains\n003:21-24"
        assert grid.current_position() == grid.table.cell("2023-10", "known-material")
        assert chosen(app) == ("detection-order", "2024-10", "2026-03")  # the diff, underneath
        await to_diff(pilot)
        assert not main_of(app).query_one("#diff-positions").display  # 80 columns: the grid says it
        text = screen_text(app)
        assert "FROM Oct 2024" in text and "TO Mar 2026" in text
        assert "│Het kabinet wijst" in text


@aio
async def test_a_narrow_grid_wraps_its_labels_between_words(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=(50, 24)) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(PositionGrid)
        assert grid.table is not None
        for issue in grid.table.issues:
            label = grid.rows[RowKey(issue.id)].label
            assert label is not None and "\n" in label.plain  # wrapped, not cropped
            assert label.plain.split() == issue.label.split()  # no word cut in two


@aio
async def test_f_sets_from_and_enter_sets_to(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await focus_version(pilot, "detection-order", "2023-10")
        await pilot.press("f")
        await settle(pilot)
        assert chosen(app) == ("detection-order", "2023-10", "2026-03")
        await focus_version(pilot, "detection-order", "2024-10")
        await pilot.press("enter")
        await settle(pilot)
        assert chosen(app) == ("detection-order", "2023-10", "2024-10")
        assert fake_core.compare_calls[-1] == ("detection-order", "2023-10", "2024-10")
        assert "F Oct 2023" in screen_text(app)


@aio
async def test_click_on_version_sets_to(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        timeline = app.screen.query_one(Timeline)
        line = next(
            i
            for i in range(timeline.last_line + 1)
            if (node := timeline.get_node_at_line(i)) is not None
            and node.data is not None
            and node.data.row is not None
            and node.data.row.spec == "2024-10"
        )
        await pilot.click(Timeline, offset=(12, line + 1))  # +1: the border
        await settle(pilot)
        assert chosen(app) == ("detection-order", "2023-10", "2024-10")


@aio
async def test_brackets_step_through_history(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert chosen(app) == ("detection-order", "2023-10", "2024-10")
        await pilot.press("left_square_bracket")  # nothing earlier: stays, notifies
        await settle(pilot)
        assert chosen(app) == ("detection-order", "2023-10", "2024-10")
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert chosen(app) == ("detection-order", "2024-10", "2026-03")


@aio
async def test_enter_on_a_cell_opens_its_evidence_and_d_drops_into_the_diff(
    fake_core: FakeStore,
) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        grid = main_of(app).grid
        await pilot.press("down", "right", "enter")  # general approach, Oct 2024
        await settle(pilot)
        assert isinstance(app.screen, EvidenceScreen)
        position = app.screen.position
        assert (position.issue, position.round, position.stance) == (
            "general-approach",
            "2024-10",
            "abstains",
        )
        body = str(app.screen.query_one("#provenance-body", Static).content)
        assert "003:21-24" in body and "003 Vragen en antwoorden CSAM" in body
        assert "bronregel 21 van 003" in body and "bronregel 18 van 003" in body  # context
        assert "[@click=app.quit]niets[/]" in body and "\x1b" not in body  # shown literally
        await pilot.press("d")  # from the evidence on to the diff of that round
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and main_of(app).pane == "diff"
        assert chosen(app) == ("detection-order", "2023-10", "2024-10")
        assert main_of(app).diff.has_focus
        comparison = main_of(app).comparison
        assert comparison is not None and comparison.across_documents
        strip = str(main_of(app).query_one("#diff-positions-text", Static).content).splitlines()
        assert strip == [  # the diff opens with the position changes (present.pair_summary)
            "Positions on detection-order, Oct 2023 → Oct 2024:",
            "  Detection limited to known material: supports → silent, not restated (002:13-14)",
            "  The regulation / the Council's general approach as a whole: silent → abstains, "
            "new position (003:21-24)",
        ]
        shown = main_of(app).query_one("#diff-positions-text", Static).content
        assert isinstance(shown, Text)
        bold = [any(s.style == "bold" for s in line.spans) for line in shown.split("\n")]
        assert bold == [True, True, True]  # the title and both changes stand out
        await pilot.press("g")  # back to the grid, on the same cell
        await pilot.pause()
        assert main_of(app).pane == "positions" and grid.has_focus
        assert grid.current_round() == "2024-10"
        await pilot.press("right", "d")  # Mar 2026 against the round before
        await settle(pilot)
        assert chosen(app) == ("detection-order", "2024-10", "2026-03")
        assert fake_core.compare_calls[-1] == ("detection-order", "2024-10", "2026-03")


@aio
async def test_grid_pairs_rounds_with_f_and_explains_the_first_round(
    fake_core: FakeStore,
) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        grid = main_of(app).grid
        assert grid.current_round() == "2023-10"
        await pilot.press("d")  # the first round: nothing earlier, stays on the grid
        await settle(pilot)
        assert main_of(app).pane == "positions"
        await pilot.press("right", "right", "f")  # Mar 2026 as FROM, then d on Oct 2023
        assert grid.from_round == "2026-03"
        assert str(grid.ordered_columns[2].label) == "F Mar 2026"
        await pilot.press("left", "left", "d")
        await settle(pilot)
        assert chosen(app) == ("detection-order", "2023-10", "2026-03")  # oldest first
        assert main_of(app).pane == "diff"


@aio
async def test_silent_cell_and_topic_switch(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        main_of(app).select_topic("derogation")
        await settle(pilot)
        grid = main_of(app).grid
        assert grid.table is not None and grid.table.topic == "derogation"
        assert str(grid.get_cell("interim-derogation", "2023-10")) == "silent"
        assert str(grid.get_cell("interim-derogation", "2026-03")) == "supports\n004:40-41"
        await pilot.press("enter")  # Oct 2023: silent
        await settle(pilot)
        assert isinstance(app.screen, EvidenceScreen) and app.screen.position.silent
        body = str(app.screen.query_one("#provenance-body", Static).content)
        assert "states no position" in body and "supports (004:40-41)" in body
        await pilot.press("d")  # derogation has no version in Oct 2023: explained, stays
        await settle(pilot)
        assert main_of(app).pane == "positions"
        assert fake_core.positions_calls == ["detection-order", "derogation"]
        main_of(app).select_topic("detection-order")  # computed once per topic
        await settle(pilot)
        assert fake_core.positions_calls == ["detection-order", "derogation"]
        assert grid.table is not None and grid.table.topic == "detection-order"
        main_of(app).select_topic("csam-other")  # no sub-issues: its diff, and why
        await settle(pilot)
        assert main_of(app).pane == "diff" and grid.table is None
        title = str(main_of(app).query_one("#positions-title", Static).content)
        assert title.startswith("csam-other: no position grid")
        await focus_version(pilot, "detection-order", "2024-10")
        await pilot.press("enter")  # a pair of another topic picked in the timeline...
        await settle(pilot)
        await pilot.press("tab", "g")  # ...and g shows that topic's grid
        await settle(pilot)
        assert main_of(app).pane == "positions" and grid.has_focus
        assert grid.table is not None and grid.table.topic == "detection-order"


@aio
async def test_enter_on_a_topic_in_the_timeline_shows_its_grid(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await to_diff(pilot)
        timeline = main_of(app).timeline
        timeline.focus()
        timeline.focus_topic("derogation")
        await pilot.press("enter")
        await settle(pilot)
        grid = main_of(app).grid
        assert main_of(app).pane == "positions"
        assert grid.table is not None and grid.table.topic == "derogation"
        assert timeline.has_focus  # the timeline keeps focus; tab goes to the grid
        await pilot.press("tab")
        assert grid.has_focus


@aio
async def test_jump_between_changes_and_stance(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        diff = await to_diff(pilot)
        assert diff.cursor == 1  # first change; row 0 is unchanged
        await pilot.press("home")
        assert diff.cursor == 0
        await pilot.press("s")
        assert diff.cursor == 1 and diff.units[1].stance
        await pilot.press("n", "n")
        assert diff.cursor == 3
        await pilot.press("n")  # no further change: stays
        assert diff.cursor == 3
        await pilot.press("p")
        assert diff.cursor == 2
        await pilot.press("s")  # no stance change below
        assert diff.cursor == 2


async def open_mixed(pilot: Pilot[int]) -> DiffView:
    """2023-10 → 2026-03 of the fakes: nine rows, three of them story rows: a paired
    rewording (2), a split (5), a position sentence not repeated (8)."""
    main_of(pilot.app).timeline.choose("detection-order", "2023-10", "2026-03")
    await settle(pilot)
    diff = await to_diff(pilot)
    assert len(diff.all_units) == 9
    return diff


def header_text(app: DiffviewApp) -> str:
    return str(app.screen.query_one(DiffHeader).render())


@aio
async def test_focus_keeps_positions_and_paired_sentences(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        diff = await open_mixed(pilot)
        assert diff.row_filter == "all" and len(diff.units) == 9
        assert "all: 9 rows" in header_text(app)
        await pilot.press("a")
        await pilot.pause()
        assert diff.row_filter == "focus"
        assert [diff.all_units.index(u) for u in diff.units] == [2, 5, 8]
        assert all(in_focus(u, claimed(app)) for u in diff.units)
        assert diff.claimed == claimed(app) and "002:13-14" in diff.claimed
        assert not in_focus(diff.all_units[3], diff.claimed)  # a stance flag alone is not enough
        assert "focus: 3 of 9 rows" in header_text(app)
        text = screen_text(app)
        assert "focus: 3 of 9 rows" in text
        assert [diff.label(diff.all_units[i]) for i in (1, 8)] == [
            "new in this round",
            "not repeated",
        ]
        assert "[split 1→2]" in text and "! modality: -kan +moet" in text
        await pilot.press("a")
        await pilot.pause()
        assert len(diff.units) == 9 and "all: 9 rows" in header_text(app)


@aio
async def test_n_p_s_and_enter_in_focus_mode(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        diff = await open_mixed(pilot)
        await pilot.press("end", "up", "up", "up")  # all rows: cursor on row 5 (the split)
        assert diff.current_unit() is diff.all_units[5]
        await pilot.press("a")
        await pilot.pause()
        assert diff.current_unit() is diff.all_units[5]  # the cursor stays on its row
        await pilot.press("home", "s")
        assert diff.current_unit() is diff.all_units[5]
        await pilot.press("s")  # no stance change below: stays
        assert diff.current_unit() is diff.all_units[5]
        await pilot.press("n")
        assert diff.current_unit() is diff.all_units[8]
        await pilot.press("n")  # last row: stays
        assert diff.current_unit() is diff.all_units[8]
        await pilot.press("p", "p")
        assert diff.current_unit() is diff.all_units[2]
        await pilot.press("end", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ProvenanceScreen)
        assert app.screen.unit is diff.all_units[8]
        assert app.screen.label == "not repeated"  # rounds of different documents
        await pilot.press("escape", "home")
        await pilot.press("a")  # back to all rows, still on the same row
        await pilot.pause()
        assert diff.cursor == 2 and diff.current_unit() is diff.all_units[2]
        await pilot.press("down", "a")  # row 3 (new in this round) is hidden: the next story row
        await pilot.pause()
        assert diff.current_unit() is diff.all_units[5]


@aio
async def test_focus_filter_stays_on_for_the_next_comparison(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        diff = await to_diff(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert "focus: 1 of 4 rows" in header_text(app)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert diff.row_filter == "focus" and "focus: 1 of 3 rows" in header_text(app)
        await pilot.press("n", "s", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ProvenanceScreen)
        await pilot.press("escape")
        comparison = main_of(app).comparison
        assert comparison is not None
        only_added = dataclasses.replace(
            comparison, units=tuple(u for u in comparison.units if not in_focus(u, diff.claimed))
        )
        diff.show_comparison(only_added)
        await pilot.pause()
        assert "Press a to show all rows" in screen_text(app)
        await pilot.press("n", "enter")  # nothing shown: nothing happens
        assert isinstance(app.screen, MainScreen)


@aio
async def test_b_hides_and_shows_the_timeline_and_the_diff_rewraps(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        timeline, diff = main_of(app).timeline, await to_diff(pilot)
        assert main_of(app).narrow and timeline.display
        assert timeline.outer_size.width == 24  # narrow terminal: narrow sidebar
        width, lines = diff.size.width, diff.virtual_size.height
        await pilot.press("b")
        await pilot.pause()
        assert not timeline.display and diff.has_focus
        assert diff.size.width == width + 24
        assert diff.virtual_size.height < lines  # longer lines: fewer of them
        assert "│Het kabinet wijst verplichte detectie" in screen_text(app)
        await pilot.press("b")
        await pilot.pause()
        assert timeline.display and timeline.has_focus
        assert diff.size.width == width and diff.virtual_size.height == lines


@aio
async def test_picking_a_pair_folds_the_timeline_on_narrow_terminals_only(
    fake_core: FakeStore,
) -> None:
    for size, folds in ((SMALL, True), (WIDE, False)):
        app = DiffviewApp(store=fake_core)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            timeline = main_of(app).timeline
            assert timeline.display  # a pair chosen at start does not fold it
            await focus_version(pilot, "detection-order", "2023-10")
            await pilot.press("f")
            await settle(pilot)
            assert chosen(app) == ("detection-order", "2023-10", "2026-03")
            assert timeline.display and timeline.has_focus  # after f, TO is still to pick
            await pilot.press("down", "enter")  # TO Oct 2024, without `b`
            await settle(pilot)
            assert chosen(app) == ("detection-order", "2023-10", "2024-10")
            assert timeline.display is not folds
            assert main_of(app).diff.has_focus is folds
            if not folds:
                assert timeline.outer_size.width > 24


def notes(app: DiffviewApp) -> list[str]:
    """The notifications shown so far, as the app holds them."""
    return [str(n.message) for n in app._notifications]


@aio
async def test_to_on_the_first_version_is_explained_not_one_version_only(
    fake_core: FakeStore,
) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        main_of(app).select_topic("derogation")  # the pair is another topic's
        await settle(pilot)
        await focus_version(pilot, "detection-order", "2023-10")
        await pilot.press("enter")
        await settle(pilot)
        assert chosen(app)[0] == "derogation"  # nothing compared
        said = notes(app)[-1]
        assert "first of the 3 versions" in said and "one version only" not in said
        assert "f on it makes it FROM" in said
        main_of(app).timeline.choose("detection-order", None, "2023-10")  # however it comes
        await settle(pilot)
        message = main_of(app).diff._message
        assert "first of the 3 versions" in message and "one version only" not in message
        main_of(app).timeline.choose("derogation", None, "2026-03")  # one version: true
        await settle(pilot)
        assert "has one version only" in main_of(app).diff._message


@aio
async def test_enter_on_each_topic_header_opens_that_topic(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        timeline = main_of(app).timeline
        timeline.focus()
        for topic in ("derogation", "detection-order", "encryption", "csam-other"):
            timeline.focus_topic(topic)
            await pilot.press("enter")
            await settle(pilot)
            assert main_of(app).positions_topic == topic
            assert timeline.cursor_node is not None and timeline.cursor_node.data is not None
            assert (
                timeline.cursor_node.data.topic == topic and timeline.cursor_node.data.row is None
            )
            assert chosen(app)[0] == topic
        assert not any("same version" in n or "FROM" in n for n in notes(app))
        await focus_version(pilot, "detection-order", "2026-03")
        await pilot.press("f")  # f on the TO version: says so, changes nothing
        await settle(pilot)
        assert "Mar 2026 is TO already" in notes(app)[-1]
        assert chosen(app)[0] == "csam-other"


@aio
async def test_a_reversed_pair_is_swapped_with_a_notice(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await focus_version(pilot, "detection-order", "2023-10")  # FROM is Oct 2024
        await pilot.press("enter")  # TO Oct 2023: older than FROM
        await settle(pilot)
        assert chosen(app) == ("detection-order", "2023-10", "2024-10")
        assert fake_core.compare_calls[-1] == ("detection-order", "2023-10", "2024-10")
        assert "TO Oct 2023 is older than FROM Oct 2024: swapped" in notes(app)[-1]
        await focus_version(pilot, "detection-order", "2026-03")
        await pilot.press("f")  # FROM Mar 2026 with TO Oct 2024
        await settle(pilot)
        assert chosen(app) == ("detection-order", "2024-10", "2026-03")
        assert "TO Oct 2024 is older than FROM Mar 2026: swapped" in notes(app)[-1]
        main_of(app).grid.focus()
        main_of(app).show_pane("positions")
        await pilot.press("home", "right", "right", "f", "left", "left", "d")  # grid: F later
        await settle(pilot)
        assert chosen(app) == ("detection-order", "2023-10", "2026-03")
        assert (
            "FROM Mar 2026 is later than Oct 2023: comparing Oct 2023 → Mar 2026" in notes(app)[-1]
        )


@aio
async def test_footer_shows_the_main_keys_at_80_columns(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        for label in ("⏎ Evidence", "d Diff", "f Set FROM", "[] Step", "b Timeline", "? Keys"):
            assert label in footer
        await to_diff(pilot)
        footer = screen_text(app).splitlines()[-1]
        for label in ("np Change", "s Stance", "a All/Focus", "⏎ Source"):  # `t` only in `?`
            assert label in footer
        for label in ("[] Step", "g Grid", "b Timeline", "? Keys"):
            assert label in footer
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        assert "show / hide the timeline" in text and "all rows ⇄ focus" in text


@aio
async def test_enter_shows_provenance_with_question_and_source(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("left_square_bracket")  # 2023-10 → 2024-10; row 0 from 002-a001
        await settle(pilot)
        await pilot.press("home", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ProvenanceScreen)
        text = screen_text(app)
        assert "002 Antwoorden JBZ-Raad okt 2023" in text
        assert "lines 13-16" in text
        assert "Answers VVD (002:10-11)" in text
        assert "Steunt het kabinet een detectiebevel voor nieuw materiaal?" in text
        assert "bronregel 13 van 002" in text and "bronregel 10 van 002" in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


@aio
async def test_click_on_row_opens_provenance(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await to_diff(pilot)
        await pilot.click(DiffView, offset=(10, 0))
        await settle(pilot)
        assert isinstance(app.screen, ProvenanceScreen)
        assert main_of(app).diff.cursor == 0


@aio
async def test_t_toggles_redline(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        diff = await to_diff(pilot)
        assert "│Het kabinet wijst" in screen_text(app)
        await pilot.press("t")
        await pilot.pause()
        assert diff.mode == "redline"
        text = screen_text(app)
        assert "FROM Oct 2024 (003)  →  TO Mar 2026 (004)" in text
        assert "│Het kabinet wijst" not in text
        await pilot.press("t")
        assert diff.mode == "side"


@aio
async def test_search_finds_statement_and_opens_it(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"q VERPLICHTE detectie")  # typing `q` in the box does not quit
        await settle(pilot)
        assert app.is_running
        await pilot.press(*(["backspace"] * 25), *"VERPLICHTE detectie")
        await settle(pilot)
        assert app.screen.query_one(OptionList).option_count == 1
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ProvenanceScreen)
        assert "004 Verslag SO JBZ-Raad mrt 2026" in screen_text(app)


@aio
async def test_palette_lists_topics_and_opens_one(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Topic: derogation")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert chosen(app) == ("derogation", None, "2026-03")


@aio
async def test_one_version_topic_is_explained(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        main_of(app).select_topic("derogation")
        await settle(pilot)
        assert (table := main_of(app).grid.table) is not None
        assert table.topic == "derogation"
        await to_diff(pilot)
        assert "one version only" in screen_text(app)
        await pilot.press("n", "enter", "t", "e")  # nothing to do, nothing breaks
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        main_of(app).select_topic("encryption")
        await settle(pilot)
        await to_diff(pilot)
        assert "No version" in screen_text(app)


@aio
async def test_help_screen(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "next stance change" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("q")
    assert app.return_code == 0


@aio
async def test_malicious_text_is_shown_literally(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        strips = app.screen._compositor.render_strips()
        text = "\n".join(s.text for s in strips)
        assert "[bold red]steunt[/]" in text
        assert "[@click=app.quit]niets[/]" in text
        assert "<U+001B>]52;c;aGk=<U+0007>" in text and "<U+202E>geheim" in text
        assert not any("\x1b" in s.text or "\u202e" in s.text for s in strips)
        await pilot.click(DiffView, offset=(40, 1))  # a click on the text is no action
        await settle(pilot)
        assert app.is_running
        assert isinstance(app.screen, ProvenanceScreen)
        assert "[@click=app.quit]" in screen_text(app)


def test_side_texts_never_parse_markup() -> None:
    from tui_fakes import _units

    unit = _units("2023-10", "2024-10")[0]
    styles = {k: Text().style for k in ("insert", "delete", "tag", "stance")}
    left, right = side_texts(unit, styles)  # type: ignore[arg-type]
    assert MALICIOUS.split()[1] in right.plain  # "[bold" kept as text
    assert "\x1b" not in right.plain and "<U+001B>" in right.plain


@aio
async def test_store_that_is_not_a_store_is_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: Path) -> None:
        raise StoreError(f"{path}: not a diffview store")

    monkeypatch.setattr(backend, "open_store", refuse)
    app = DiffviewApp(store_path=tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MessageScreen)
        text = message_of(app)
        assert "Cannot open the store" in text and "not a diffview" in text
        await pilot.press("q")


@aio
async def test_no_store_and_no_corpus_is_explained(tmp_path: Path) -> None:
    empty = tmp_path / "versions"
    empty.mkdir()
    app = DiffviewApp(store_path=tmp_path / "missing", versions_dir=empty)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MessageScreen)
        assert "no corpus" in message_of(app)


@aio
async def test_missing_store_is_built_with_progress(
    fake_core: FakeStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[tuple[Path, Path]] = []

    def build(versions: Path, path: Path, progress: backend.ProgressCallback) -> None:
        progress("parsing doc 000")
        progress("committing")
        path.mkdir()
        built.append((versions, path))

    monkeypatch.setattr(backend, "build_store", build)
    monkeypatch.setattr(backend, "open_store", lambda path: fake_core)
    versions = Path(__file__).resolve().parent.parent / "versions"
    app = DiffviewApp(store_path=tmp_path / "store", versions_dir=versions)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert built == [(versions, tmp_path / "store")]
        assert isinstance(app.screen, MainScreen)


@aio
async def test_quitting_while_the_store_builds_does_not_wait_for_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`q` on the loading screen exits although the build never ends (its Event is never set):
    the opening thread is not one the app or the event loop joins, and the worker's
    cancellation reaches the build (`backend.cancel_builds`, which ends a real build's child)."""
    started, never = threading.Event(), threading.Event()
    cancelled: list[bool] = []

    def endless_build(versions: Path, path: Path, progress: backend.ProgressCallback) -> None:
        progress("parsing doc 000")
        started.set()
        never.wait()

    monkeypatch.setattr(backend, "build_store", endless_build)
    monkeypatch.setattr(backend, "cancel_builds", lambda: cancelled.append(True))
    versions = Path(__file__).resolve().parent.parent / "versions"
    app = DiffviewApp(store_path=tmp_path / "store", versions_dir=versions)
    async with app.run_test(size=SMALL) as pilot:
        await asyncio.to_thread(started.wait)
        await pilot.pause()
        assert isinstance(app.screen, LoadingScreen)
        await pilot.press("q")
    assert not app.is_running and cancelled == [True]
    assert not never.is_set() and not (tmp_path / "store").exists()


def test_a_cancelled_build_leaves_a_whole_store_or_none(tmp_path: Path) -> None:
    """The real build runs in a child; cancelled at its first step, it unwinds: no store, no
    lock, no build directory beside it; or, had it already finished, a whole store."""
    path = tmp_path / "store"
    steps: list[str] = []
    outcome: list[BaseException | None] = []

    def cancel_at_first_step(message: str) -> None:
        steps.append(message)
        if len(steps) == 1:
            backend.cancel_builds()

    def build() -> None:
        try:
            backend.build_store(VERSIONS, path, cancel_at_first_step)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - the test looks at it
            outcome.append(exc)

    worker = threading.Thread(target=build)
    worker.start()
    worker.join()
    assert steps and str(VERSIONS) in steps[0]  # its first step: reading the corpus
    if isinstance(outcome[0], backend.BuildCancelled):  # raised once the child has exited
        assert sorted(p.name for p in tmp_path.iterdir()) == []
    else:
        assert outcome == [None] and backend.open_store(path).documents()
    backend.build_store(VERSIONS, path, steps.append)  # the lock was released: builds again
    assert backend.open_store(path).documents()


def test_the_apps_first_build_keeps_the_newest_comparisons_ahead(tmp_path: Path) -> None:
    """As `diffview build` does: the app's build returns once the store is whole, and its
    child goes on (niced) to keep the newest pairs' comparisons, so later diffs read them."""
    from diffview.positions.kept import is_kept

    path = tmp_path / "store"
    backend.build_store(VERSIONS, path, lambda _: None)
    store = backend.open_store(path)
    pairs = [
        (topic, a.round, b.round)
        for topic in store.topics()
        for versions in [store.versions(topic)]
        for a, b in zip(versions, versions[1:], strict=False)
    ]
    assert pairs
    for _ in range(1200):  # the child's pace is the machine's; what counts is that it ends
        with backend._BUILDS_LOCK:
            running = bool(backend._BUILDS)
        if not running:
            break
        threading.Event().wait(0.1)
    assert not running
    assert all(is_kept(store, *pair) for pair in pairs[:KEEP_AHEAD])


@aio
async def test_the_real_positions_core_reads_the_fake_store(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """FakeStore answers what `topic_positions` asks (every round, statements at a round)."""
    monkeypatch.setattr(backend, "compare", fake_compare)
    store = FakeStore()
    app = DiffviewApp(store=store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        grid = main_of(app).grid
        assert grid.table is not None and grid.table.topic == "detection-order"
        assert [r for r, _ in grid.table.rounds] == ["2023-10", "2024-10", "2026-03"]
        assert grid.row_count == len(grid.table.issues) > 0
        assert len(grid.columns) == 3


# -- against a real store built from the bundled corpus -----------------------------------

VERSIONS = Path(__file__).resolve().parent.parent / "versions"


@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from diffview.pipeline import build_store

    path = tmp_path_factory.mktemp("tui") / "store"
    build_store(VERSIONS, path)
    return path


@aio
async def test_real_first_start_builds_the_default_store() -> None:
    app = DiffviewApp(versions_dir=VERSIONS)  # DIFFVIEW_STORE points at a fresh tmp path
    async with app.run_test(size=SMALL) as pilot:
        for _ in range(20):
            await settle(pilot)
            if isinstance(app.screen, MainScreen) and main_of(app).comparison is not None:
                break
        assert isinstance(app.screen, MainScreen)
        assert list(app.screen.query_one(Timeline).rows)[:3] == [
            "detection-order",
            "encryption",
            "derogation",
        ]
        assert chosen(app) == ("detection-order", "2024-10", "2026-03")


@aio
async def test_real_detection_order_story(real_store: Path, tmp_path: Path) -> None:
    app = DiffviewApp(store_path=real_store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await settle(pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        comparison = main_of(app).comparison
        assert comparison is not None and comparison.topic == "detection-order"
        assert (comparison.from_label, comparison.to_label) == ("Oct 2023", "Oct 2024")
        assert "FROM Oct 2023" in screen_text(app)
        diff = main_of(app).diff
        await pilot.press("n", "s", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ProvenanceScreen)
        unit = diff.current_unit()
        assert unit is not None and unit.stance
        cited = (unit.right or unit.left)[0]
        assert app.store is not None
        first, last = app.store.statement(cited.statement_id).lines
        assert f"lines {first}-{last}" in screen_text(app)
        await pilot.press("escape")  # a long comparison opens on its story (focus)
        await pilot.pause()
        story = [u for u in comparison.units if in_focus(u, claimed(app))]
        assert len(diff.units) == len(story) < len(comparison.units) // 2
        assert f"focus: {len(story)} of {len(comparison.units)} rows" in screen_text(app)
        # positions and paired sentences, not keywords
        assert all(u.left and u.right or u.change in ("added", "removed") for u in diff.units)
        await pilot.press("a", "a")  # all rows and back: the user's choice then sticks
        assert len(diff.units) == len(story)
        await pilot.press("home", "s", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ProvenanceScreen) and app.screen.unit is not None
        assert app.screen.unit.stance
        await pilot.press("escape", "right_square_bracket")
        await settle(pilot)
        comparison = main_of(app).comparison
        assert comparison is not None
        assert (comparison.from_label, comparison.to_label) == ("Oct 2024", "Mar 2026")


@aio
async def test_real_app_opens_on_the_position_grid(real_store: Path) -> None:
    app = DiffviewApp(store_path=real_store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await settle(pilot)
        grid = main_of(app).grid
        assert main_of(app).pane == "positions" and grid.has_focus
        assert grid.table is not None and grid.table.topic == "detection-order"
        cell = grid.table.cell("2024-10", "general-approach")
        assert cell.stance == "abstains"
        assert str(grid.get_cell("general-approach", "2024-10")).split("\n") == [
            "abstains",
            *(e.cite for e in cell.evidence),
        ]
        grid.cursor_coordinate = grid.cursor_coordinate._replace(
            row=[i.id for i in grid.table.issues].index("general-approach"), column=1
        )
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EvidenceScreen)
        body = str(app.screen.query_one("#provenance-body", Static).content)
        first = cell.evidence[0]
        assert first.cite in body
        assert app.store is not None
        assert app.store.source_lines(first.doc, first.lines[0], first.lines[0])[0].strip() in body
        await pilot.press("d")
        await settle(pilot)
        comparison = main_of(app).comparison
        assert comparison is not None and main_of(app).pane == "diff"
        assert (comparison.from_label, comparison.to_label) == ("Oct 2023", "Oct 2024")
        diff = main_of(app).diff
        assert diff.row_filter == "focus" and diff.claimed == grid.table.claimed
        sentences = [s for u in diff.units for s in (*u.left, *u.right)]
        assert any(s.cite in diff.claimed for s in sentences)  # positions lead the focus
        assert all(in_focus(u, diff.claimed) for u in diff.units)
        labels = {diff.label(u) for u in comparison.units if not (u.left and u.right)}
        # one-sided rows: new / not repeated (perhaps "possibly related to ..."), never added
        assert {label.split(",")[0] for label in labels} <= {"new in this round", "not repeated"}
        main_of(app).select_topic("derogation")
        await settle(pilot)
        assert grid.table.topic == "derogation"
        assert str(grid.get_cell("interim-derogation", "2026-03")).startswith("supports\n")
        assert str(grid.get_cell("interim-derogation", "2023-10")) == "silent"
        assert all(str(grid.get_cell(i.id, "2023-10")) == "silent" for i in grid.table.issues)


@aio
async def test_real_search_and_export(
    real_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = DiffviewApp(store_path=real_store)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await settle(pilot)
        await pilot.press("slash", *"detectiebevel")
        await settle(pilot)
        assert app.screen.query_one(OptionList).option_count > 5
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ProvenanceScreen)
        await pilot.press("escape", "escape", "e")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        app.screen.query_one(Input).value = str(tmp_path / "story.md")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    exported = list(tmp_path.glob("*.md"))
    assert exported == [tmp_path / "story.md"]
    assert "detection" in exported[0].read_text(encoding="utf-8").casefold()


@aio
async def test_real_directory_that_is_not_a_store(tmp_path: Path) -> None:
    (tmp_path / "junk.txt").write_text("not a store", encoding="utf-8")
    app = DiffviewApp(store_path=tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MessageScreen)
        assert "is not a diffview store" in app.screen.body
        assert "Cannot open the store" in message_of(app)


def test_moved_split_and_merged_rows_are_marked() -> None:
    from diffview.model import AlignedUnit, Sentence
    from tui.rows import CHANGE_MARK, change_tag, redline_text

    def sent(text: str, i: int) -> Sentence:
        return Sentence(text, "002", "002_x.txt", "002-a001", (13, 13), i)

    a, b, c = sent("Een.", 0), sent("Twee.", 1), sent("Een twee.", 2)
    styles = {k: Text().style for k in ("insert", "delete", "tag", "stance")}
    split = AlignedUnit("split", (c,), (a, b), 0.9)
    merged = AlignedUnit("merged", (a, b), (c,), 0.9)
    moved = AlignedUnit("reworded", (a,), (a,), 0.95, moved=True)
    assert change_tag(split) == "split 1→2" and change_tag(merged) == "merged 2→1"
    assert change_tag(moved) == "moved"
    assert side_texts(split, styles)[1].plain.startswith("[split 1→2] Een. Twee.")  # type: ignore[arg-type]
    assert redline_text(merged, styles).plain.startswith("[merged 2→1]")  # type: ignore[arg-type]
    assert {CHANGE_MARK["split"], CHANGE_MARK["merged"], CHANGE_MARK["moved"]} == {"<", ">", "↕"}


@aio
async def test_view_keys_work_while_the_timeline_has_focus(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        diff = await to_diff(pilot)
        app.screen.query_one(Timeline).focus()
        await pilot.pause()
        await pilot.press("t", "a")
        await pilot.pause()
        assert diff.mode == "redline" and diff.row_filter == "focus"


# -- export: a save dialog in a terminal, a download in a browser -------------------------


async def open_export(pilot: Pilot[int]) -> ExportScreen:
    await pilot.press("e")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ExportScreen)
    return screen


def export_status(screen: ExportScreen) -> str:
    return str(screen.query_one("#export-status", Label).content)


@aio
async def test_export_asks_where_and_writes_there(
    fake_core: FakeStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        dialog = await open_export(pilot)
        path_input = dialog.query_one(Input)
        assert path_input.has_focus
        assert path_input.value == "~/diffview-detection-order-2024-10-2026-03.md"
        target = tmp_path / "notes" / "do.md"
        path_input.value = str(target)
        await pilot.press("enter")  # no such directory: said in the dialog, which stays
        await settle(pilot)
        assert app.screen is dialog and "Cannot write" in export_status(dialog)
        assert dialog.query_one("#export-status").has_class("-error")
        (tmp_path / "notes").mkdir()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert target.read_text(encoding="utf-8") == fake_changelog(
            fake_core, "detection-order", "2024-10", "2026-03"
        )
        dialog = await open_export(pilot)  # a directory: the default name inside it
        dialog.query_one(Input).value = str(tmp_path / "notes")
        await pilot.press("enter")
        await settle(pilot)
        assert (tmp_path / "notes" / "diffview-detection-order-2024-10-2026-03.md").is_file()
        target.write_text("mine", encoding="utf-8")
        dialog = await open_export(pilot)  # an existing file: replaced on a second enter only
        dialog.query_one(Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog and "exists" in export_status(dialog)
        assert target.read_text(encoding="utf-8") == "mine"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and target.read_text(encoding="utf-8") != "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes"]  # nothing in the cwd


@aio
async def test_export_cancelled_writes_nothing(
    fake_core: FakeStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await open_export(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    assert list(tmp_path.iterdir()) == []


@aio
async def test_export_in_a_browser_session_is_a_download(
    fake_core: FakeStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    delivered: list[tuple[str, dict[str, Any]]] = []
    app = DiffviewApp(store=fake_core)

    def deliver_text(file: Any, **kwargs: Any) -> str:
        delivered.append((file.read(), kwargs))
        return "key"

    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert not app.is_web
        driver = type(app._driver)
        monkeypatch.setattr(driver, "is_web", property(lambda self: True))  # as `textual serve`
        monkeypatch.setattr(app, "deliver_text", deliver_text)
        assert app.is_web
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)  # no dialog: the browser asks where
    assert delivered == [
        (
            fake_changelog(fake_core, "detection-order", "2024-10", "2026-03"),
            {
                "save_filename": "diffview-detection-order-2024-10-2026-03.md",
                "mime_type": "text/markdown",
            },
        )
    ]
    assert list(tmp_path.iterdir()) == []  # nothing on the server


@aio
async def test_real_timeline_titles_fit_at_200_columns(real_store: Path) -> None:
    app = DiffviewApp(store_path=real_store)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await settle(pilot)
        timeline = main_of(app).timeline
        assert timeline.virtual_size.width <= timeline.scrollable_content_region.width
        labels = [
            cast(Text, node.label).plain
            for topic in timeline.root.children
            for node in topic.children
            if node.data and node.data.row
        ]
        assert all(label.rstrip().endswith(")") or label.strip() for label in labels)
        assert not any("Oct 2024 + " in label for label in labels)  # the round said once


# -- search hits lead to their row; citations copied ---------------------------------------


@aio
async def test_a_search_hit_jumps_to_its_diff_row_and_the_list_survives_provenance(
    fake_core: FakeStore,
) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert chosen(app) == ("detection-order", "2024-10", "2026-03")
        await pilot.press("slash", *"bekend materiaal")
        await settle(pilot)
        search = app.screen
        assert isinstance(search, SearchScreen)
        hits = search.query_one(OptionList)
        assert hits.get_option_at_index(0).id == "002-a001"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ProvenanceScreen) and app.screen.statement_id == "002-a001"
        main = main_of(app)  # behind: the pair whose TO... here FROM (a first round) holds it
        assert chosen(app) == ("detection-order", "2023-10", "2024-10") and main.pane == "diff"
        unit = main.diff.current_unit()
        assert unit is not None
        assert "002-a001" in {s.statement_id for s in (*unit.left, *unit.right)}
        await pilot.press("escape")  # provenance closes: the search list is still there
        await pilot.pause()
        assert cast(Screen[Any], app.screen) is search and hits.option_count > 0  # escape moved it
        assert search.query_one(Input).value == "bekend materiaal"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and main.diff.current_unit() is unit


@aio
async def test_c_copies_a_citation_from_a_grid_cell_and_a_diff_row(fake_core: FakeStore) -> None:
    app = DiffviewApp(store=fake_core)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("c")  # the grid: Oct 2023, known material
        assert app.clipboard == (
            "detection-order · Detection limited to known material · Oct 2023: supports\n"
            "“Het kabinet steunt een detectiebevel voor bekend materiaal.” (002:13-14)"
        )
        await pilot.press("left_square_bracket")
        await settle(pilot)
        await pilot.press("home", "c")  # the diff: a reworded pair, FROM then TO
        copied = app.clipboard
        assert copied.startswith(
            "detection-order: “Het kabinet steunt een detectiebevel voor bekend materiaal.” "
            "(002:13-14) → “Het kabinet steunt de algemene oriëntatie niet."
        )
        assert copied.endswith("(003:21-24)")
        assert "[@click=app.quit]niets[/]" in copied and "\x1b" not in copied  # literal text
        assert "Citation copied" in notes(app)[-1]


# -- a store changed under the running app -------------------------------------------------

NEW_ROUND = Path(__file__).resolve().parent / "fixtures" / "so-2026-06-single-answer.txt"


async def _until(pilot: Pilot[int], ready: Callable[[], bool]) -> None:
    """Settle until `ready()` (a reload is a worker, a screen switch, then the timeline's
    worker); a bounded number of rounds, no clock."""
    for _ in range(20):
        await settle(pilot)
        if ready():
            return


def _rounds_of(app: DiffviewApp, topic: str) -> list[str]:
    return [r.spec for r in main_of(app).timeline.rows.get(topic, [])]


@aio
async def test_real_app_reloads_a_store_another_process_extends_or_rebuilds(
    tmp_path: Path, versions_copy: Path
) -> None:
    """An ingest while the app runs: the app's next check of the store shows the new round
    on the topic the user was on, and says so; a forced rebuild without it: the same, and
    never an error."""
    from diffview.ingest import ingest
    from diffview.pipeline import build_store

    store = tmp_path / "store"
    build_store(versions_copy, store)
    app = DiffviewApp(store_path=store, versions_dir=versions_copy)
    app.STORE_CHECK_SECONDS = 3600.0  # the test runs the check; the interval never fires
    async with app.run_test(size=WIDE) as pilot:
        await _until(pilot, lambda: bool(_rounds_of(app, "encryption")))
        main_of(app).select_topic("encryption")
        await settle(pilot)
        first = main_of(app)
        assert "2026-06" not in _rounds_of(app, "encryption")
        ingest(NEW_ROUND, versions_copy, store, date="2026-06-12", title="SO juni 2026")
        app.check_store()
        await _until(pilot, lambda: "2026-06" in _rounds_of(app, "encryption"))
        assert main_of(app) is not first and main_of(app).positions_topic == "encryption"
        assert _rounds_of(app, "encryption")[-1] == "2026-06"
        assert "reloaded (new: 005)" in notes(app)[-1]
        second = main_of(app)

        app.check_store()  # nothing changed: nothing happens
        await settle(pilot)
        assert main_of(app) is second

        (versions_copy / "manifest.toml").write_text(
            (versions_copy / "manifest.toml").read_text().split('[[document]]\nid = "005"')[0]
        )
        assert build_store(versions_copy, store, force=True).action == "rebuilt"
        app.check_store()
        await _until(pilot, lambda: "2026-06" not in _rounds_of(app, "encryption"))
        assert main_of(app) is not second and "reloaded (gone: 005)" in notes(app)[-1]
        assert "Cannot" not in screen_text(app)


@aio
async def test_real_app_says_when_the_store_and_the_corpus_differ(
    tmp_path: Path, versions_copy: Path
) -> None:
    """A store holding a document the corpus lacks opens, with a warning naming it and the
    commands that fix it; a store older than the corpus: the build that brings it up."""
    from diffview.ingest import ingest
    from diffview.pipeline import build_store

    store = tmp_path / "store"
    build_store(VERSIONS, store)
    ingest(NEW_ROUND, versions_copy, store, date="2026-06-12", title="SO juni 2026")
    for versions, said in (
        (VERSIONS, ("built from another corpus", "holds 005", "export-corpus", "--force")),
        (versions_copy, ()),
    ):
        app = DiffviewApp(store_path=store, versions_dir=versions)
        async with app.run_test(size=WIDE) as pilot:
            await _until(
                pilot, cast(Callable[[], bool], lambda app=app: bool(_rounds_of(app, "encryption")))
            )
            if said:
                assert len(notes(app)) == 1 and all(s in notes(app)[0] for s in said)
            else:
                assert notes(app) == []
    older = tmp_path / "older"
    build_store(VERSIONS, older)
    app = DiffviewApp(store_path=older, versions_dir=versions_copy)
    async with app.run_test(size=WIDE) as pilot:
        await _until(pilot, lambda: bool(_rounds_of(app, "encryption")))
        assert any(f"older than {versions_copy}, which also has 005" in n for n in notes(app))
        assert any(
            f"diffview build --versions {versions_copy} --store {older}" in n for n in notes(app)
        )
