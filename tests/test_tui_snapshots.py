"""Pinned looks of the main screens (pytest-textual-snapshot), at 80x24 and 140x40.

The app runs on the hand-made fake store so the pictures change only when the UI does.
Regenerate with `pytest tests/test_tui_snapshots.py --snapshot-update` and review the SVGs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

import pytest
from textual.app import App
from textual.pilot import Pilot
from tui_fakes import FakeStore, fake_changelog, fake_compare, fake_positions

from diffview.errors import StoreError
from tui import backend
from tui.app import DiffviewApp


class SnapCompare(Protocol):
    """The `snap_compare` fixture (pytest-textual-snapshot annotates it too narrowly)."""

    def __call__(
        self,
        app: App[Any],
        press: Iterable[str] = (),
        terminal_size: tuple[int, int] = (80, 24),
        run_before: Callable[[Pilot[Any]], Awaitable[None] | None] | None = None,
    ) -> bool: ...


SMALL = (80, 24)
WIDE = (140, 40)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> DiffviewApp:
    monkeypatch.delenv("NO_COLOR", raising=False)  # pin the colours too
    monkeypatch.setattr(backend, "compare", fake_compare)
    monkeypatch.setattr(backend, "changelog", fake_changelog)
    monkeypatch.setattr(backend, "topic_positions", fake_positions)
    return DiffviewApp(store=FakeStore())


def keys(*pressed: str) -> Callable[[Pilot[int]], Awaitable[None]]:
    """Wait for the first screen, press keys, wait for the workers they start."""

    async def run_before(pilot: Pilot[int]) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        for key in pressed:
            await pilot.press(key)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", [SMALL, WIDE], ids=["80x24", "140x40"])
def test_position_grid_first(
    snap_compare: SnapCompare, app: DiffviewApp, size: tuple[int, int]
) -> None:
    assert snap_compare(app, terminal_size=size, run_before=keys())


def test_evidence_of_a_cell(snap_compare: SnapCompare, app: DiffviewApp) -> None:
    assert snap_compare(app, terminal_size=WIDE, run_before=keys("down", "right", "enter"))


@pytest.mark.parametrize("size", [SMALL, WIDE], ids=["80x24", "140x40"])
def test_main_side_by_side(
    snap_compare: SnapCompare, app: DiffviewApp, size: tuple[int, int]
) -> None:
    """`g`: from the grid to the diff of the latest pair."""
    assert snap_compare(app, terminal_size=size, run_before=keys("g"))


@pytest.mark.parametrize("size", [SMALL, WIDE], ids=["80x24", "140x40"])
def test_redline_first_version_pair(
    snap_compare: SnapCompare, app: DiffviewApp, size: tuple[int, int]
) -> None:
    assert snap_compare(app, terminal_size=size, run_before=keys("left_square_bracket", "t"))


def test_focus_rows_after_picking_on_a_narrow_terminal(
    snap_compare: SnapCompare, app: DiffviewApp
) -> None:
    """f on Oct 2023, enter on Mar 2026: picking TO folds the timeline away (80 columns);
    a keeps the four story rows."""
    run_before = keys("tab", "down", "f", "down", "down", "enter", "a")
    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_provenance(snap_compare: SnapCompare, app: DiffviewApp) -> None:
    run_before = keys("left_square_bracket", "home", "enter")
    assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


def test_search(snap_compare: SnapCompare, app: DiffviewApp) -> None:
    run_before = keys("slash", *"kabinet steunt")
    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_timeline_focused_one_version_topic(snap_compare: SnapCompare, app: DiffviewApp) -> None:
    run_before = keys("tab", "down", "down", "down", "down", "down", "enter")
    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_help(snap_compare: SnapCompare, app: DiffviewApp) -> None:
    assert snap_compare(app, terminal_size=SMALL, run_before=keys("question_mark"))


def test_bad_store_message(
    snap_compare: SnapCompare, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)

    def refuse(path: Path) -> None:
        raise StoreError("/data/store is not a diffview store (no diffview.store=1 in its config)")

    monkeypatch.setattr(backend, "open_store", refuse)
    app = DiffviewApp(store_path=tmp_path)
    assert snap_compare(app, terminal_size=SMALL, run_before=keys())
