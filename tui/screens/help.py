"""`?`: the keys and what the marks in the grid and the diff mean."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from diffview.present import SILENT_MEANS

KEYS = (
    ("↑ ↓ ← → / click", "move in the timeline, the position grid or the diff"),
    ("enter / click", "grid: a cell's evidence · timeline: set TO (a topic: its grid)"),
    ("", "diff: show where a row came from"),
    ("d", "grid: sentence diff from the previous round (or F) to the cell's round"),
    ("f", "grid: mark the cell's round as FROM · timeline: the version as FROM"),
    ("g", "position grid ⇄ sentence diff"),
    ("[  ]", "step the FROM→TO window one version earlier / later"),
    ("b", "show / hide the timeline (narrow terminals: hidden once you pick)"),
    ("n  p", "next / previous change"),
    ("s", "next stance change (negation, modality, position)"),
    ("a", "all rows ⇄ focus: sentences stating a position, sentences paired across rounds"),
    ("t", "side-by-side ⇄ inline redline"),
    ("c", "copy a citation: the diff row's quotes, the grid cell's stance and sentences"),
    ("/", "find statements; enter on a hit: its diff row, and its provenance over the list"),
    ("e", "export this comparison as a markdown changelog (asks where; a browser: a download)"),
    ("tab", "move focus between the timeline and the grid or diff"),
    ("ctrl+p", "command palette: topics, documents, commands"),
    ("?  q", "this help · quit"),
)
MARKS = (
    ("~", "reworded"),
    ("≠", "rewritten"),
    ("↕", "moved"),
    ("<  >", "split / merged"),
    ("+  -", "new in this round / not repeated (one document's revisions: added / removed)"),
    ("!", "stance changed (details under the row)"),
    ("T  F", "in the timeline: the TO and FROM versions (F in the grid: FROM round)"),
    ("silent", f"grid: {SILENT_MEANS}"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(help_text(), markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help").border_title = "Keys"


def help_text() -> Table:
    """Keys, then marks: two columns, descriptions wrap under themselves (Text cells only)."""
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", no_wrap=True)
    table.add_column(ratio=1)
    for key, what in KEYS:
        table.add_row(Text(key, "bold"), Text(what))
    table.add_row(Text(""), Text(""))
    table.add_row(Text(""), Text("Marks in the grid and the diff", "bold"))
    for mark, what in MARKS:
        table.add_row(Text(mark, "bold"), Text(what))
    return table
