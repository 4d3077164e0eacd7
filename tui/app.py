"""The diffview terminal app: open (or build) the store, then show the timeline and diff."""

from __future__ import annotations

import sys
from pathlib import Path

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.timer import Timer

from diffview.errors import DiffviewError, StoreError
from diffview.model import Document, StoreReader
from tui import backend
from tui.commands import DiffviewCommands
from tui.screens.help import HelpScreen
from tui.screens.loading import LoadingScreen
from tui.screens.main import MainScreen
from tui.screens.message import MessageScreen


class DiffviewApp(App[int]):
    """`store` may be given directly (tests); otherwise it is opened from `store_path`.

    A store opened from a path is watched: every `STORE_CHECK_SECONDS`, and when the
    terminal regains focus, its head is compared with the one shown; another process that
    ran `build` or `ingest` makes the app reload it (with a notification), instead of
    reading a store that is no longer there.
    """

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses may live anywhere
    TITLE = "diffview"
    COMMANDS = App.COMMANDS | {DiffviewCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Keys"),
        Binding("f1", "help", "Keys", show=False),
    ]
    STORE_CHECK_SECONDS = 3.0

    def __init__(
        self,
        store_path: Path | None = None,
        versions_dir: Path | None = None,
        *,
        store: StoreReader | None = None,
    ) -> None:
        super().__init__()
        self.store_path = store_path
        self.versions_dir = versions_dir
        self.store = store
        self.main_screen: MainScreen | None = None
        self.shown_head: str | None = None  # the store commit the main screen shows
        self._watch: Timer | None = None

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

    @property
    def _path(self) -> Path:
        return self.store_path or backend.default_store_path()

    @property
    def _versions(self) -> Path:
        return self.versions_dir or backend.default_versions_dir()

    @work(thread=True, exclusive=True, group="open")
    def _open_store(self) -> None:
        try:
            store, mismatch = self._open_or_build()
        except DiffviewError as exc:
            self.call_from_thread(self._show_problem, "Cannot open the store", str(exc))
        except Exception as exc:  # noqa: BLE001 - show it in the UI, never a traceback
            self.call_from_thread(
                self._show_problem, "Unexpected error", f"{type(exc).__name__}: {exc}"
            )
        else:
            self.call_from_thread(self._show_opened, store, mismatch)

    def _open_or_build(self) -> tuple[StoreReader, str | None]:
        """The store, and how it disagrees with the corpus beside it (said, not fixed: the
        fix may drop documents, and that is the user's call, as in `diffview build`)."""
        path, versions = self._path, self._versions
        if path.exists():
            store = backend.open_store(path)
            return store, backend.corpus_mismatch(store, path, versions)
        if not any(versions.glob("*.txt")):
            raise StoreError(
                f"No store at {path} and no corpus to build it from in {versions}.\n"
                "Run `diffview build --versions DIR` or pass a store path."
            )
        self._progress(f"Building the store at {path} from {versions}…")
        backend.build_store(versions, path, self._progress)
        return backend.open_store(path), None

    def _progress(self, message: str) -> None:
        """Build progress from the worker thread (the core reports each step as a message)."""
        self.call_from_thread(self._update_loading, message)

    def _update_loading(self, message: str) -> None:
        if isinstance(self.screen, LoadingScreen):
            self.screen.set_progress(message)

    def _show_problem(self, title: str, body: str) -> None:
        self.switch_screen(MessageScreen(title, body))

    def _show_opened(self, store: StoreReader, mismatch: str | None) -> None:
        """The main screen on a store opened from its path, which is then watched."""
        self._show_main(store)
        self.shown_head = getattr(store, "head", None)
        if mismatch:
            self.notify(mismatch, title="Store and corpus differ", severity="warning", timeout=12)
        if self._watch is None:
            self._watch = self.set_interval(self.STORE_CHECK_SECONDS, self.check_store)

    def _show_main(self, store: StoreReader, topic: str | None = None) -> None:
        if not isinstance(store, backend.LockedStore):
            store = backend.LockedStore(store)
        self.store = store
        self.main_screen = MainScreen(store, topic)
        if isinstance(self.screen, LoadingScreen | MainScreen):
            self.switch_screen(self.main_screen)
        else:
            self.push_screen(self.main_screen)

    # -- a store rebuilt under the app -----------------------------------------------------

    def on_app_focus(self, event: events.AppFocus) -> None:
        """Back in the terminal: the store may have changed while the user was away."""
        self.check_store()

    def check_store(self) -> None:
        """Reload if the store on disk is at another commit than the one shown. Only from the
        main screen: a dialog over it (evidence, provenance, search) is not pulled away
        under the user; the next check after it closes reloads."""
        if self.shown_head is not None and self.screen is self.main_screen:
            self._check_store()

    @work(thread=True, exclusive=True, group="store-check")
    def _check_store(self) -> None:
        head = backend.store_head(self._path)
        shown = self.main_screen.store if self.main_screen is not None else None
        if head is None or head == self.shown_head or shown is None:
            return  # unchanged, or mid-swap / unreadable: the next check tells
        try:
            store = backend.open_store(self._path)
        except DiffviewError:
            return
        try:
            message = _reloaded(shown.documents(), store.documents())
        except DiffviewError:
            store.close()
            return
        self.call_from_thread(self._reload, store, message)

    def _reload(self, store: StoreReader, message: str) -> None:
        """The new store on a new main screen, on the topic the user was reading (the old
        store is left to the old screen's workers still running, and then to the GC)."""
        if self.screen is not self.main_screen or self.main_screen is None:
            store.close()  # a dialog opened meanwhile: the next check reloads
            return
        self._show_main(store, self.main_screen.positions_topic)
        self.shown_head = store.head
        self.notify(message, title="Store reloaded")


def _reloaded(old: list[Document], new: list[Document]) -> str:
    """What the reload notification says: which documents came and went."""
    before, after = {d.id for d in old}, {d.id for d in new}
    parts = [
        f"{label}: {', '.join(sorted(ids))}"
        for label, ids in (("new", after - before), ("gone", before - after))
        if ids
    ]
    what = f" ({'; '.join(parts)})" if parts else ""
    return f"Another diffview rebuilt or extended the store: reloaded{what}."


def run(store_path: Path | None = None, versions_dir: Path | None = None) -> int:
    """Run the app in the terminal; returns the exit status."""
    app = DiffviewApp(store_path=store_path, versions_dir=versions_dir)
    result = app.run()
    return result if isinstance(result, int) else (app.return_code or 0)


if __name__ == "__main__":
    sys.exit(run(*(Path(a) for a in sys.argv[1:3])))
