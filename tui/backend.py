"""The TUI's only door to the core: thin wrappers over the public API in ARCHITECTURE.md.

Imports of the heavier core modules happen inside the functions, so the first screen paints
before they load; tests replace these functions with fakes (`monkeypatch.setattr`).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import weakref
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from diffview.diff.search import Hit, SearchIndex
from diffview.errors import StoreError
from diffview.model import Comparison, PositionTable, StoreReader, Version

ProgressCallback = Callable[[str], None]


@dataclass(frozen=True)
class VersionRow:
    """One line of the timeline: a version of a topic and what it holds."""

    topic: str
    version: Version
    cabinet_statements: int
    speaking_docs: tuple[str, ...] = ()  # ids of the version's documents with statements on it

    @property
    def spec(self) -> str:
        return self.version.round

    @property
    def short_title(self) -> str:
        """Short titles of the documents where the cabinet spoke on the topic."""
        docs = [d for d in self.version.docs if d.id in self.speaking_docs] or self.version.docs
        return " + ".join(self._without_round(d.short_title) for d in docs) or self.version.label

    def _without_round(self, title: str) -> str:
        """`SO JBZ-Raad Oct 2023 (answers)` → `SO JBZ-Raad (answers)`: the timeline shows
        the round's label beside it already, and the width is better spent on the title."""
        label = self.version.label
        shorter = " ".join(title.replace(label, " ").split()) if label else title
        return shorter or title


def default_store_path() -> Path:
    from diffview.store.paths import default_store_path as _default

    return Path(_default())


def default_versions_dir() -> Path:
    from diffview.corpus.load import BUNDLED_VERSIONS

    return BUNDLED_VERSIONS


def open_store(path: Path) -> StoreReader:
    from diffview.store.read import Store

    return Store.open(path)


def store_head(path: Path) -> str | None:
    """The commit the store at `path` is at now, or None if it cannot be read right now (a
    swap in progress, gone): the app compares it with the head it shows to notice a
    rebuild by another process."""
    from diffview.errors import DiffviewError
    from diffview.store.read import Store

    try:
        with Store.open(path) as store:
            return str(store.head)
    except DiffviewError:
        return None


def corpus_mismatch(store: StoreReader, path: Path, versions_dir: Path) -> str | None:
    """How the opened store and the corpus beside it disagree (another corpus, documents
    one of them lacks), with the command that fixes it; None when they agree."""
    from diffview.pipeline import corpus_mismatch as _mismatch

    return _mismatch(store.documents(), path, versions_dir, store.removals())


class BuildCancelled(Exception):
    """The app quit (or gave up on the build) before the store was built: nothing written."""


# The child that builds: SIGTERM first becomes SystemExit, so the build unwinds through its
# `finally`s (temp directory removed, lock released); then one line per message on stdout.
_BUILD_CHILD = """
import os, signal, sys
from pathlib import Path
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
from diffview.errors import DiffviewError
from diffview.pipeline import build_store
def say(kind, text):
    print(kind, " ".join(str(text).split()), flush=True)
try:
    build_store(sys.argv[1], sys.argv[2], progress=lambda m: say("progress", m))
except DiffviewError as exc:
    say("error", exc)
    sys.exit(2)
except Exception as exc:
    say("unexpected", f"{type(exc).__name__}: {exc}")
    sys.exit(2)
say("built", sys.argv[2])
os.nice(10)  # the app opens the store now: its own first diff comes before these
from diffview.positions.table import keep_ahead_after_build
keep_ahead_after_build(Path(sys.argv[2]))
"""
_BUILDS: set[subprocess.Popen[str]] = set()
_BUILDS_LOCK = threading.Lock()


def build_store(versions_dir: Path, store_path: Path, progress: ProgressCallback) -> None:
    """Build the store in a child process, so that quitting the app never waits for it:
    `cancel_builds` ends the child, whose build unwinds (the store is all-or-nothing: the new
    one is built aside and swapped in at the end; the lock is released)."""
    child = subprocess.Popen(
        [sys.executable, "-c", _BUILD_CHILD, str(versions_dir), str(store_path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    with _BUILDS_LOCK:
        _BUILDS.add(child)
    problem: tuple[str, str] | None = None
    built = False
    try:
        assert child.stdout is not None
        for line in child.stdout:  # to the end: a cancelled child has unwound when it closes
            kind, _, text = line.rstrip("\n").partition(" ")
            if kind == "progress":
                progress(text)
            elif kind in ("error", "unexpected"):
                problem = (kind, text)
            elif kind == "built":
                built = True
                break
        status = 0 if built else child.wait()
    finally:
        if not built:
            with _BUILDS_LOCK:
                cancelled = child not in _BUILDS
                _BUILDS.discard(child)
            if child.poll() is None:  # the progress callback raised: end the build too
                child.terminate()
    if built:  # the store is whole; the child keeps the first comparisons ahead, niced
        threading.Thread(target=_reap, args=(child,), daemon=True).start()
        return
    if cancelled:
        raise BuildCancelled(f"the build of {store_path} was cancelled")
    if problem is not None and problem[0] == "error":
        raise StoreError(problem[1])
    if problem is not None or status != 0:
        raise RuntimeError(problem[1] if problem else f"the build exited with status {status}")


def _reap(child: subprocess.Popen[str]) -> None:
    """Wait for a built store's child to finish keeping ahead (or to be cancelled on quit)."""
    assert child.stdout is not None
    child.stdout.read()
    child.wait()
    with _BUILDS_LOCK:
        _BUILDS.discard(child)


def cancel_builds() -> None:
    """End every build `build_store` started (SIGTERM; each unwinds by itself: no wait)."""
    with _BUILDS_LOCK:
        children = list(_BUILDS)
        _BUILDS.clear()
    for child in children:
        with suppress(ProcessLookupError):
            child.terminate()


def compare(store: StoreReader, topic: str, from_spec: str, to_spec: str) -> Comparison:
    from diffview.positions.table import compare_with_evidence

    return compare_with_evidence(store, topic, from_spec, to_spec)


def topic_positions(store: StoreReader, topic: str) -> PositionTable:
    """The topic's position grid (sub-issues × rounds): the app's first screen."""
    from diffview.positions.table import topic_positions as _positions

    return _positions(store, topic)


def changelog(store: StoreReader, topic: str, from_spec: str, to_spec: str) -> str:
    from diffview.views.changelog import changelog_markdown

    return changelog_markdown(store, [topic], from_spec, to_spec)


def ordered_topics(store: StoreReader) -> list[str]:
    """The topics the store knows, in the topic rules file's order (followed ones first)."""
    from diffview.corpus.topicnames import ordered

    return ordered(store.topics())


def version_rows(store: StoreReader, topic: str) -> list[VersionRow]:
    """The versions of `topic`, oldest first, with their number of cabinet statements."""
    per_doc: dict[str, int] = store.topic_counts().get(topic, {})
    rows = []
    for v in store.versions(topic):
        speaking = tuple(d.id for d in v.docs if per_doc.get(d.id))
        rows.append(VersionRow(topic, v, sum(per_doc.get(d, 0) for d in speaking), speaking))
    return rows


class LockedStore:
    """Serialises calls into the store: workers run in threads, a git repository handle is
    not safe to share between them."""

    def __init__(self, store: StoreReader) -> None:
        self._store = store
        self._lock = threading.RLock()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if not callable(attr):
            return attr

        def locked(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attr(*args, **kwargs)

        return locked


def search_statements(store: StoreReader, query: str, doc: str | None = None) -> list[Hit]:
    """Statements of all documents (or of `doc`) matching `query`, phrase matches first.

    The index is built on the first search (in the search worker) and kept on the store
    object it indexes (a weak mapping), so it lives and dies with that store.
    """
    index = _SEARCH_INDEXES.get(store)
    if index is None:
        index = _SEARCH_INDEXES[store] = SearchIndex(store.statements())
    return index.search(query, doc=doc)


# One search index per open store, dropped with the store.
_SEARCH_INDEXES: weakref.WeakKeyDictionary[StoreReader, SearchIndex] = weakref.WeakKeyDictionary()


def export_name(topic: str, from_spec: str, to_spec: str) -> str:
    """`diffview-<topic>-<from>-<to>.md`, with only safe characters."""
    stem = "-".join(_safe(p) for p in ("diffview", topic, from_spec, to_spec))
    return f"{stem}.md"


def default_export_path(topic: str, from_spec: str, to_spec: str) -> Path:
    """What the save dialog offers: the export name in the user's home directory."""
    return Path("~") / export_name(topic, from_spec, to_spec)


def save_export(text: str, path: Path) -> None:
    """Write the changelog to `path` (the user chose it, and confirmed a replacement)."""
    path.write_text(text, encoding="utf-8")


def _safe(part: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in part)
