"""A full-screen explanation when there is nothing to show (no store, bad store)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Footer, Static

from diffview.sanitize import sanitize


class MessageScreen(Screen[None]):
    """Title, explanation and what to do; `q` quits."""

    BINDINGS = [Binding("q,escape", "app.quit", "Quit")]

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static(Text(sanitize(self.title_text)), id="message-title", markup=False)
            yield Static(Text(sanitize(self.body)), id="message-body", markup=False)
        yield Footer()
