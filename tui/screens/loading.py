"""Shown while the store is opened or built from the bundled corpus."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Label, ProgressBar


class LoadingScreen(Screen[None]):
    """A message and a progress bar; the app's worker updates both."""

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Label("Opening the store…", id="loading-label")
        with Center():
            yield ProgressBar(total=None, show_eta=False, id="loading-bar")

    def set_progress(self, message: str) -> None:
        """Show the step the build is at; the bar keeps pulsing (the steps are not counted)."""
        self.query_one("#loading-label", Label).update(message)
