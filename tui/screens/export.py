"""`e`: where to save the changelog of the comparison shown (a terminal session).

An Input holds a default path (`~/diffview-<topic>-<from>-<to>.md`); enter saves, escape
cancels. A path that cannot be written is said in the dialog, which stays open; an existing
file is replaced only after a second enter on the same path. (In a browser session the app
hands the file to the browser instead: `App.deliver_text`, no dialog.)
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from diffview.sanitize import sanitize_line
from tui import backend


class ExportScreen(ModalScreen[Path | None]):
    """Asks for a path, writes `text` there and dismisses with it; None when cancelled."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, text: str, default: Path) -> None:
        super().__init__()
        self.text = text
        self.default = default
        self._confirm: Path | None = None  # an existing file enter was pressed on once

    def compose(self) -> ComposeResult:
        with Vertical(id="export"):
            yield Static(Text("Save the changelog (markdown) to:"), markup=False)
            yield Input(str(self.default), id="export-path")
            yield Label(Text("enter: save · escape: cancel"), id="export-status")

    def on_mount(self) -> None:
        self.query_one("#export").border_title = "Export"
        self.query_one(Input).focus()

    def _status(self, message: str, error: bool = False) -> None:
        label = self.query_one("#export-status", Label)
        label.update(Text(sanitize_line(message)))
        label.set_class(error, "-error")

    @on(Input.Changed)
    def _changed(self) -> None:
        self._confirm = None

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        raw = event.value.strip()
        if not raw:
            self._status("Type a file name (or escape to cancel).", error=True)
            return
        path = Path(raw).expanduser()
        if path.is_dir():
            path = path / self.default.name
        if path.exists() and self._confirm != path:
            self._confirm = path
            self._status(f"{path} exists: enter again to replace it.", error=True)
            return
        try:
            backend.save_export(self.text, path)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            self._status(f"Cannot write {path}: {reason}. Choose another path.", error=True)
            return
        self.dismiss(path)
