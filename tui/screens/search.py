"""`/`: find statements of every document by their normalised text, open one."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from diffview.diff.search import Hit
from diffview.model import StoreReader
from diffview.sanitize import sanitize_line
from tui import backend
from tui.screens.provenance import ProvenanceScreen

SNIPPET = 160


class SearchScreen(ModalScreen[str | None]):
    """Type words; hits list as you type; enter on a hit calls `on_hit` (the main screen puts
    the diff on the hit's row, behind) and opens its provenance over the list, which is still
    there when provenance closes; escape closes the search."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(
        self,
        store: StoreReader,
        query: str = "",
        doc: str | None = None,
        on_hit: Callable[[str], object] | None = None,
    ) -> None:
        super().__init__()
        self.on_hit = on_hit
        self.store = store
        self.initial = query
        self.doc = doc

    def compose(self) -> ComposeResult:
        with Vertical(id="search"):
            yield Input(self.initial, placeholder="Search all statements…", id="search-input")
            yield Label("", id="search-status")
            yield OptionList(id="search-results")

    def on_mount(self) -> None:
        self.query_one("#search").border_title = "Find"
        self.query_one(Input).focus()
        if self.initial or self.doc:
            self._run_search(self.initial)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._run_search(event.value)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        results = self.query_one(OptionList)
        if results.option_count:
            results.focus()
            results.highlighted = 0
            results.action_select()

    @on(OptionList.OptionSelected)
    def _hit_selected(self, event: OptionList.OptionSelected) -> None:
        statement_id = event.option.id
        if statement_id is None:
            return
        if self.on_hit is not None:
            self.on_hit(statement_id)
        self.app.push_screen(ProvenanceScreen(self.store, statement_id=statement_id))

    @work(thread=True, exclusive=True, group="search")
    def _run_search(self, query: str) -> None:
        if self.doc is not None and not query.strip():
            hits = [Hit(s, False) for s in self.store.statements(doc=self.doc)]
        else:
            hits = backend.search_statements(self.store, query, doc=self.doc)
        self.app.call_from_thread(self._show, query, hits)

    def _show(self, query: str, hits: list[Hit]) -> None:
        results = self.query_one(OptionList)
        results.clear_options()
        first = query.split()[0].casefold() if query.split() else ""
        results.add_options([Option(hit_label(h, first), id=h.statement.id) for h in hits])
        phrases = sum(h.phrase for h in hits)
        status = (
            f"{len(hits)} statement(s), {phrases} with the exact phrase" if query.strip() else ""
        )
        if self.doc is not None and not query.strip():
            status = f"{len(hits)} statement(s) in {self.doc}"
        self.query_one("#search-status", Label).update(status)


def hit_label(hit: Hit, word: str = "") -> Text:
    """`doc:line date speaker: text`, the text starting near the first word of the query;
    phrase hits are marked with `=`."""
    s = hit.statement
    text = sanitize_line(s.text)
    pos = text.casefold().find(word) if word else -1
    if pos > SNIPPET // 3:
        text = "…" + text[pos - SNIPPET // 4 :]
    if len(text) > SNIPPET:
        text = text[: SNIPPET - 1] + "…"
    return Text.assemble(
        ("= " if hit.phrase else "  ", "bold"),
        (f"{s.doc}:{s.lines[0]} ", "bold"),
        (f"{s.date.isoformat()} {sanitize_line(s.speaker)}: ", "dim"),
        text,
    )
