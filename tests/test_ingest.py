"""Ingest: a new document lands in versions/, the manifest and the store, or nowhere.

A small fake parser stands in for `diffview.corpus.parse` (so these tests check ingest's own logic
and stay fast); one test at the end uses the real parser once it exists.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from helpers import git, killed_at_line, tree_hash

from diffview.corpus.manifest import load_manifest
from diffview.errors import InputError, LayoutError, StoreError
from diffview.model import Document, Statement
from diffview.store import write as store_write
from diffview.store.lock import lock_path

if TYPE_CHECKING:
    pass

NEW = "Vraag 1 Steunt het kabinet het detectiebevel?\nAntwoord: Nee, het kabinet steunt het niet.\n"


def fake_parse_document(doc: Document, raw: str) -> list[Statement]:
    """Question = first line with '?', answer = the rest; no '?' at all: LayoutError."""
    lines = raw.split("\n")
    q = next((i for i, line in enumerate(lines) if "?" in line), None)
    if q is None:
        raise LayoutError(doc.source, "no recognisable layout")
    rest = " ".join(lines[q + 1 :]).strip() or "-"
    digest = hashlib.sha1(raw.encode()).hexdigest()[:8]
    common: dict[str, Any] = {"doc": doc.id, "source": doc.source, "date": doc.date, "party": None}
    return [
        Statement(id=f"{doc.id}-q-{digest}", kind="question", speaker="VVD", role="parliament",
                  text=lines[q], lines=(q + 1, q + 1), line_map=((0, q + 1),), **common),
        Statement(id=f"{doc.id}-a-{digest}", kind="answer", speaker="kabinet", role="cabinet",
                  text=rest, lines=(q + 2, len(lines)), line_map=((0, q + 2),),
                  answers=(f"{doc.id}-q-{digest}",), **common),
    ]  # fmt: skip


@pytest.fixture(autouse=True)
def fake_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """The corpus parses with the fake above (patched where corpus looks it up, so nothing
    leaks into other test modules)."""
    monkeypatch.setattr("diffview.corpus.load.parse_document", fake_parse_document)


@pytest.fixture
def setup(tmp_path: Path, versions_copy: Path) -> tuple[Path, Path, Path]:
    from diffview.pipeline import build_store

    store = tmp_path / "store"
    build_store(versions_copy, store)
    new = tmp_path / "incoming.txt"
    new.write_text(NEW)
    return versions_copy, store, new


def test_ingest_appends_document_source_manifest_and_commit(setup: tuple[Path, Path, Path]) -> None:
    from diffview.ingest import ingest

    versions, store, new = setup
    head = git(store, "rev-parse", "HEAD").strip()
    doc = ingest(new, versions, store, date="2026-04-01", title="--upload-pack=x ../../etc/passwd",
                 kind="answers")  # fmt: skip
    digest = hashlib.sha256(NEW.encode()).hexdigest()
    assert doc.id == "005" and doc.source == f"005_{digest[:16]}.txt"
    assert (versions / doc.source).read_bytes() == NEW.encode()
    assert load_manifest(versions)[-1] == doc
    assert doc.round == "2026-04" and doc.date_precision == "day"
    assert git(store, "rev-parse", "HEAD~1").strip() == head  # appended, history kept
    assert git(store, "log", "-1", "--format=%s").startswith(
        "005: --upload-pack=x ../../etc/passwd"
    )
    assert "doc-005" in git(store, "tag").split()
    assert not (store.parent / "etc").exists() and not list(versions.glob(".*"))
    with pytest.raises(InputError, match="same content as document 005"):
        ingest(new, versions, store, date="2026-04-02", kind="answers")
    for name, data in (  # the same text in another encoding or with other line ends
        ("crlf.txt", NEW.replace("\n", "\r\n").encode()),
        ("bom.txt", b"\xef\xbb\xbf" + NEW.encode()),
        ("utf16.txt", NEW.replace("\n", "\r\n").encode("utf-16")),
    ):
        copy = new.with_name(name)
        copy.write_bytes(data)
        with pytest.raises(InputError, match="same content as document 005"):
            ingest(copy, versions, store, date="2026-04-02", kind="answers")


def test_ingest_of_an_earlier_document_rebuilds_in_date_order(
    setup: tuple[Path, Path, Path],
) -> None:
    from diffview.ingest import ingest

    versions, store, new = setup
    doc = ingest(new, versions, store, date="2024-01", kind="answers", title="Tussendoor")
    assert (doc.date.isoformat(), doc.date_precision) == ("2024-01-01", "month")
    dates = git(store, "log", "--date=short", "--format=%ad").split()
    assert dates == sorted(dates, reverse=True) and "2024-01-01" in dates


def test_failed_store_update_rolls_everything_back(
    setup: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from diffview.ingest import ingest

    versions, store, new = setup
    before = (tree_hash(versions), tree_hash(store))

    def boom(path: Path) -> None:
        raise StoreError("simulated failure")

    monkeypatch.setattr(store_write, "checkout", boom)
    with pytest.raises(StoreError, match="simulated"):
        ingest(new, versions, store, date="2026-04-01", kind="answers", title="T")
    assert (tree_hash(versions), tree_hash(store)) == before
    assert not lock_path(store).exists()


def test_layout_error_changes_nothing(setup: tuple[Path, Path, Path], tmp_path: Path) -> None:
    from diffview.ingest import ingest

    versions, store, _ = setup
    prose = tmp_path / "prose.txt"
    prose.write_text("Geen vragen hier.\n")
    before = (tree_hash(versions), tree_hash(store))
    with pytest.raises(LayoutError):
        ingest(prose, versions, store, date="2026-04-01", kind="answers", title="T")
    assert (tree_hash(versions), tree_hash(store)) == before


def test_kind_and_title_are_guessed_or_refused(
    setup: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    from diffview.ingest import ingest

    versions, store, new = setup
    with pytest.raises(InputError, match="cannot tell the document kind"):
        ingest(new, versions, store, date="2026-04-01")
    other = tmp_path / "so.txt"
    other.write_text("Verslag van een schriftelijk overleg\n" + NEW)
    doc = ingest(other, versions, store, date="2026-04-01")
    assert doc.kind == "written-consultation"
    assert doc.title == "Verslag van een schriftelijk overleg"


def _ingest_worker(file: str, versions: str, store: str, day: str) -> str:
    from diffview.ingest import ingest

    return ingest(Path(file), Path(versions), Path(store), date=day, kind="answers").id


def test_concurrent_ingests_lose_nothing(setup: tuple[Path, Path, Path], tmp_path: Path) -> None:
    versions, store, _ = setup
    files = []
    for i in range(2):
        f = tmp_path / f"n{i}.txt"
        f.write_text(NEW + f"Extra regel {i}.\n")
        files.append((str(f), str(versions), str(store), f"2026-04-0{i + 1}"))
    with multiprocessing.get_context("fork").Pool(2) as pool:
        ids = pool.starmap(_ingest_worker, files)
    assert sorted(ids) == ["005", "006"]
    # ids follow ingest order, the manifest follows dates: either worker may go first
    assert sorted(d.id for d in load_manifest(versions))[-2:] == ["005", "006"]
    assert len(git(store, "rev-list", "HEAD").split()) == 7
    assert {"doc-005", "doc-006"} <= set(git(store, "tag").split())


def test_real_parser_ingest(
    versions_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from diffview.corpus import parse
    from diffview.ingest import ingest

    monkeypatch.setattr("diffview.corpus.load.parse_document", parse.parse_document)

    src = (versions_copy / "004_a860574c1c53ee3c.txt").read_text()
    new = tmp_path / "later.txt"
    new.write_text(src + "\n")
    doc = ingest(new, versions_copy, tmp_path / "store", date="2026-03-20",
                 kind="written-consultation", title="Later")  # fmt: skip
    assert doc.id == "005" and doc.round == "2026-03"


def _race(
    first: Callable[[], None],
    second: Callable[[], None],
    *,
    hook: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run `first` in a thread until it reaches `hook` (a function of diffview.corpus.load or
    diffview.ingest), then run `second`, and let `first` go on only once `second` has either
    finished or is waiting for the store lock: a forced interleaving, no sleeps."""
    import threading

    from diffview.store import lock as lock_mod

    reached, go = threading.Event(), threading.Event()
    owner = threading.current_thread()
    module, name = hook.rsplit(".", 1)
    target = __import__(module, fromlist=[name])
    original = getattr(target, name)
    still_waiting = lock_mod._waiting

    def hooked(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if threading.current_thread() is not owner and not reached.is_set():
            reached.set()
            go.wait()
        return result

    def waiting(path: Path) -> None:  # called while a run waits for the held lock
        if threading.current_thread() is owner:
            go.set()
        still_waiting(path)

    monkeypatch.setattr(target, name, hooked)
    monkeypatch.setattr(lock_mod, "_waiting", waiting)
    errors: list[BaseException] = []

    def run_first() -> None:
        try:
            first()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread
            errors.append(exc)
        finally:
            reached.set()

    thread = threading.Thread(target=run_first)
    thread.start()
    reached.wait()
    try:
        second()
    finally:
        go.set()
        thread.join()
    if errors:
        raise errors[0]


@pytest.mark.parametrize("build_first", [True, False], ids=["build-reads-first", "ingest-first"])
def test_concurrent_build_never_undoes_an_ingest(
    setup: tuple[Path, Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    build_first: bool,
) -> None:
    """Build and ingest raced in N rounds, each interleaving forced: the build reads the
    corpus, then an ingest runs (or an ingest is half-way when a build starts). Every
    ingested document must be in versions/ and in the store at the end of its round."""
    from diffview.ingest import ingest
    from diffview.pipeline import build_store

    versions, store, _ = setup
    for n in range(3):
        new = tmp_path / f"race{n}.txt"
        new.write_text(NEW + f"Ronde {n}.\n")

        def do_build() -> None:
            build_store(versions, store)

        def do_ingest(new: Path = new, n: int = n) -> None:
            ingest(new, versions, store, date=f"2026-05-0{n + 1}", kind="answers", title="R")

        with monkeypatch.context() as m:
            if build_first:
                _race(do_build, do_ingest, hook="diffview.corpus.load.load_corpus", monkeypatch=m)
            else:
                _race(do_ingest, do_build, hook="diffview.ingest._parse", monkeypatch=m)
        ids = [d.id for d in load_manifest(versions)]
        assert ids[-1] == f"{5 + n:03d}"
        assert len(git(store, "rev-list", "HEAD").split()) == 6 + n
        assert f"doc-{5 + n:03d}" in git(store, "tag").split()


def test_the_kamerstuk_guess_agrees_with_the_hand_made_manifest(versions_dir: Path) -> None:
    """Where a document's head states its number, the guess is what the manifest says."""
    from diffview.corpus.sources import load_source
    from diffview.ingest import guess_kamerstukken

    for doc in load_manifest(versions_dir):
        guess = guess_kamerstukken(load_source(versions_dir / doc.source)[1])
        assert guess in ((), doc.kamerstukken), doc.id
        if doc.id in ("001", "003", "004"):
            assert guess == doc.kamerstukken


_TRACED = (
    "diffview/ingest.py",
    "diffview/journal.py",
    "diffview/pipeline.py",
    "diffview/store/plan.py",
    "diffview/store/git.py",
    "diffview/store/write.py",
    "diffview/store/read.py",
    "diffview/store/worktree.py",
    "diffview/corpus/manifest.py",
)


def _ingest_killed_at(step: int | None, file: str, versions: str, store: str) -> None:
    """Child process: ingest, killed at the `step`-th line of the writing modules."""
    from diffview.ingest import ingest

    work = partial(
        ingest,
        Path(file),
        Path(versions),
        Path(store),
        date="2026-04-01",
        kind="answers",
        title="K",
    )
    killed_at_line(step, _TRACED, work, Path(store + ".steps"))


def test_kill_9_at_any_point_of_ingest_is_all_or_nothing(
    setup: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    """An ingest killed at spread-out lines of the writing code: after the next writer's
    recovery, versions/ and the store agree (both without or both with the document),
    `git fsck` finds no error and nothing is left behind."""
    import shutil

    from diffview.journal import recover
    from diffview.store.lock import store_lock

    versions0, store0, new = setup
    ctx = multiprocessing.get_context("fork")
    total_run = ctx.Process(
        target=_ingest_killed_at,
        args=(None, str(new), *_copies(versions0, store0, tmp_path / "full")),
    )
    total_run.start()
    total_run.join()
    total = int((tmp_path / "full" / "store.steps").read_text())
    steps = sorted({1 + (total - 1) * k // 13 for k in range(14)})
    outcomes = set()
    for step in steps:
        versions, store = _copies(versions0, store0, tmp_path / f"k{step}")
        child = ctx.Process(target=_ingest_killed_at, args=(step, str(new), versions, store))
        child.start()
        child.join()
        assert child.exitcode == -9, step
        with store_lock(Path(store), wait=0):  # a lock file the killed run left is free
            recover(Path(versions), Path(store))
        ids = [d.id for d in load_manifest(Path(versions))]
        in_store = len(git(Path(store), "ls-tree", "--name-only", "HEAD", "statements/").split())
        assert len(ids) == in_store, step
        outcomes.add(len(ids))
        assert git(Path(store), "status", "--porcelain") == "", step
        fsck = git(Path(store), "fsck", "--no-dangling")  # check=True: exit 0
        assert "error" not in fsck and "missing" not in fsck, step
        assert git(Path(store), "fsck", "--unreachable", "--no-reflogs").strip() == "", step
        assert [p.name for p in Path(versions).iterdir() if p.name.startswith(".")] == [], step
        assert sorted(p.name for p in Path(store).parent.iterdir()) == ["store", "versions"]
        shutil.rmtree(tmp_path / f"k{step}")
    assert outcomes == {5, 6}  # some kills came before the commit point, some after


def _copies(versions: Path, store: Path, where: Path) -> tuple[str, str]:
    import shutil

    where.mkdir()
    shutil.copytree(versions, where / "versions")
    shutil.copytree(store, where / "store", symlinks=True)
    return str(where / "versions"), str(where / "store")


def _ingest_killed_before_refs_move(file: str, versions: str, store: str) -> None:
    """Child process: ingest, SIGKILLed where its pack is in the store and its refs are not
    moved yet (the leftover an ill-timed kill -9 leaves, made on purpose)."""
    from diffview.ingest import ingest

    ingest(Path(file), Path(versions), Path(store), date="2026-04-01", kind="answers", title="K")


def _kill_myself(*_: object) -> None:
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


def test_a_killed_ingests_unreachable_pack_is_removed_by_the_next_writer(
    setup: tuple[Path, Path, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The pack an ingest killed before its ref update moved into the store is reachable
    from nothing; the next `diffview build` rolls the ingest back and removes that pack."""
    from diffview.views.cli import main

    versions, store, new = setup
    packs = store / ".git" / "objects" / "pack"
    before = sorted(p.name for p in packs.iterdir())
    with monkeypatch.context() as patch:  # only the forked child dies in update_refs
        patch.setattr(store_write, "update_refs", _kill_myself)
        child = multiprocessing.get_context("fork").Process(
            target=_ingest_killed_before_refs_move, args=(str(new), str(versions), str(store))
        )
        child.start()
    child.join()
    assert child.exitcode == -9
    assert len(list(packs.glob("*.pack"))) == len(before) // 2 + 1  # the leftover is there
    assert main(["build", "--versions", str(versions), "--store", str(store)]) == 0
    assert "unchanged" in capsys.readouterr().out
    assert sorted(p.name for p in packs.iterdir()) == before
    assert git(store, "fsck", "--unreachable", "--no-reflogs").strip() == ""
    assert len(load_manifest(versions)) == 5
    assert [p.name for p in (store / ".git").glob("diffview-pending*")] == []


LETTER = """Aan de Voorzitter van de Tweede Kamer der Staten-Generaal
Postbus 20018
2500 EA  DEN HAAG

Datum 14 april 2026
Betreft Stand van zaken CSAM-verordening

Geachte voorzitter,

Met deze brief informeer ik uw Kamer over de stand van zaken van de onderhandelingen
over de CSAM-verordening.

Detectiebevel
Het kabinet is geen voorstander van een verplicht detectiebevel in de privécommunicatie
van alle burgers. Nederland kan alleen instemmen met een detectiebevel indien een
dergelijk bevel niet de detectie van nieuw materiaal of grooming omvat.

Versleuteling
Het kabinet blijft zich inzetten voor het behoud van end-to-end encryptie. Nederland
steunt geen voorstellen die end-to-end encryptie onmogelijk maken.

Interim-derogatie
Het kabinet steunt een verdere verlenging van de interim-derogatie.

De Minister van Justitie en Veiligheid,

D.M. van Weel
"""


def test_a_letter_is_titled_by_its_subject_not_its_address(
    setup: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every letter to the Kamer opens on the same address: titled by it, all letters would
    # read alike in the log, the changelog and the app's timeline
    from diffview.corpus import parse
    from diffview.ingest import ingest

    monkeypatch.setattr("diffview.corpus.load.parse_document", parse.parse_document)
    versions, store, _ = setup
    letter = tmp_path / "brief.txt"
    letter.write_text(LETTER, encoding="utf-8")
    doc = ingest(letter, versions, store, date="2026-04-14")
    assert (doc.kind, doc.title) == ("letter", "Stand van zaken CSAM-verordening")
