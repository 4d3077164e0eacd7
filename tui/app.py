"""The diffview terminal app: open (or build) the store, then show the timeline and diff."""

from __future__ import annotations

import asyncio
import sys
import threading
from contextlib import suppress
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App
from textual.binding import Binding

from diffview.errors import DiffviewError, StoreError
from tui import backend
from tui.commands import DiffviewCommands
from tui.screens.help import HelpScreen
from tui.screens.loading import LoadingScreen
from tui.screens.main import MainScreen
from tui.screens.message import MessageScreen


class DiffviewApp(App[int]):
    """`store` may be given directly (tests); otherwise it is opened from `store_path`."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses may live anywhere
    TITLE = "diffview"
    COMMANDS = App.COMMANDS | {DiffviewCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Keys"),
        Binding("f1", "help", "Keys", show=False),
    ]

    def __init__(
        self,
        store_path: Path | None = None,
        versions_dir: Path | None = None,
        *,
        store: Any = None,
    ) -> None:
        super().__init__()
        self.store_path = store_path
        self.versions_dir = versions_dir
        self.store = store
        self.main_screen: MainScreen | None = None
        self._quitting = threading.Event()  # set when the app quits while opening

    def on_mount(self) -> None:
        if self.store is not None:
            self._show_main(self.store)
        else:
            self.push_screen(LoadingScreen())
            self._open_store()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    # -- opening ---------------------------------------------------------------------------

    @work(exclusive=True, group="open")
    async def _open_store(self) -> None:
        """Open (or build) the store in a thread of its own, not one the app joins: quitting
        cancels this worker, which cancels the build (`backend.cancel_builds`), and the app
        exits at once; the build unwinds by itself (a store is all-or-nothing)."""
        loop = asyncio.get_running_loop()
        outcome: asyncio.Future[tuple[bool, Any]] = loop.create_future()

        def settle(ok: bool, value: Any) -> None:
            if not outcome.done():
                outcome.set_result((ok, value))

        def open_in_thread() -> None:
            try:
                result: tuple[bool, Any] = (True, self._open_or_build())
            except BaseException as exc:  # noqa: BLE001 - handed to the worker, shown there
                result = (False, exc)
            with suppress(RuntimeError):  # the app has quit: its loop is closed
                loop.call_soon_threadsafe(settle, *result)

        threading.Thread(target=open_in_thread, name="diffview-open", daemon=True).start()
        try:
            ok, value = await outcome
        except asyncio.CancelledError:
            self._quitting.set()
            backend.cancel_builds()
            raise
        if ok:
            self._show_main(value)
        elif isinstance(value, backend.BuildCancelled):
            return
        elif isinstance(value, DiffviewError):
            self._show_problem("Cannot open the store", str(value))
        else:  # show it in the UI, never a traceback
            self._show_problem("Unexpected error", f"{type(value).__name__}: {value}")

    def _open_or_build(self) -> Any:
        path = self.store_path or backend.default_store_path()
        if path.exists():
            return backend.open_store(path)
        versions = self.versions_dir or backend.default_versions_dir()
        if not any(versions.glob("*.txt")):
            raise StoreError(
                f"No store at {path} and no corpus to build it from in {versions}.\n"
                "Run `diffview build --versions DIR` or pass a store path."
            )
        self._progress(f"Building the store at {path} from {versions}…")
        backend.build_store(versions, path, self._progress)
        return backend.open_store(path)

    def _progress(self, message: str) -> None:
        """Build progress from the opening thread (the core reports each step as a message);
        once the app quits, the next step is not taken."""
        if self._quitting.is_set():
            raise backend.BuildCancelled("the app quit")
        try:
            self.call_from_thread(self._update_loading, message)
        except RuntimeError:  # the app is no longer running
            self._quitting.set()
            raise backend.BuildCancelled("the app quit") from None

    def _update_loading(self, message: str) -> None:
        if isinstance(self.screen, LoadingScreen):
            self.screen.set_progress(message)

    def _show_problem(self, title: str, body: str) -> None:
        self.switch_screen(MessageScreen(title, body))

    def _show_main(self, store: Any) -> None:
        if not isinstance(store, backend.LockedStore):
            store = backend.LockedStore(store)
        self.store = store
        self.main_screen = MainScreen(store)
        if isinstance(self.screen, LoadingScreen):
            self.switch_screen(self.main_screen)
        else:
            self.push_screen(self.main_screen)


def run(store_path: Path | None = None, versions_dir: Path | None = None) -> int:
    """Run the app in the terminal; returns the exit status."""
    app = DiffviewApp(store_path=store_path, versions_dir=versions_dir)
    result = app.run()
    return result if isinstance(result, int) else (app.return_code or 0)


if __name__ == "__main__":
    sys.exit(run(*(Path(a) for a in sys.argv[1:3])))
