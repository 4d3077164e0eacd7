"""Command palette (ctrl+p): topics, documents and the app's commands."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from diffview.sanitize import sanitize_line

if TYPE_CHECKING:
    from tui.app import DiffviewApp

Entry = tuple[str, Callable[[], object], str]


class DiffviewCommands(Provider):
    """Discover lists every entry; search scores them with the palette's fuzzy matcher."""

    def _entries(self) -> Iterator[Entry]:
        app: DiffviewApp = self.app  # type: ignore[assignment]
        main = app.main_screen
        if main is None:
            return
        for topic in main.timeline.rows:
            yield (
                f"Topic: {sanitize_line(topic)}",
                partial(main.select_topic, topic),
                "its position grid (sub-issues × rounds); d: the sentence diff",
            )
        for doc in app.store.documents() if app.store is not None else ():
            yield (
                f"Document {doc.id}: {sanitize_line(doc.short_title)} ({doc.date.isoformat()})",
                partial(main.action_find, "", doc.id),
                sanitize_line(doc.title),
            )
        yield ("Find statements", main.action_find, "search all documents (/)")
        yield ("Export changelog", main.action_export, "write this comparison as markdown (e)")
        yield ("Position grid", partial(main.action_pane, "positions"), "(g)")
        yield ("Sentence diff", partial(main.action_pane, "diff"), "(g)")
        yield ("Toggle side-by-side / redline", main.diff.action_toggle_mode, "(t)")
        yield ("Toggle all rows / focus rows", main.diff.action_toggle_filter, "(a)")
        yield ("Show / hide the timeline", main.action_toggle_sidebar, "(b)")
        yield ("Keys and marks", app.action_help, "(?)")

    async def discover(self) -> Hits:
        for text, command, help_text in self._entries():
            yield DiscoveryHit(text, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help_text in self._entries():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, text=text, help=help_text)
