"""`diffview remove ID` undoes an ingest: a new commit on top (the history keeps the
document), the removal recorded in the manifest (a full build makes the same commit ids),
refusals that change nothing, an id never reused, all or nothing under kill -9, and one
writer at a time with build and ingest.

Real parser and real stores: each test builds the bundled corpus (well under a second).
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from helpers import git, killed_at_line, run, tree_hash

from diffview.corpus.manifest import load_manifest, read_manifest
from diffview.pipeline import corpus_mismatch
from diffview.store.read import Store
from tui import backend

if TYPE_CHECKING:
    pass

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NEW_ROUND = FIXTURES / "so-2026-06-single-answer.txt"  # becomes 005, round 2026-06


def head(store: Path) -> str:
    with Store.open(store) as st:
        return st.head


@pytest.fixture
def corpus(
    tmp_path: Path, versions_copy: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, Path]:
    """versions/ with 005 ingested, and its store: (versions, store)."""
    store = tmp_path / "store"
    assert run(capsys, "build", "--versions", str(versions_copy), "--store", str(store))[0] == 0
    code, _, err = run(
        capsys, "ingest", str(NEW_ROUND), "--date", "2026-06-12", "--title", "SO juni 2026",
        "--versions", str(versions_copy), "--store", str(store),
    )  # fmt: skip
    assert code == 0, err
    return versions_copy, store


def test_remove_is_a_new_commit_and_a_full_build_makes_the_same_ids(
    corpus: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    versions, store = corpus
    before = head(store)
    source = next(d.source for d in load_manifest(versions) if d.id == "005")
    code, out, err = run(
        capsys, "remove", "005", "--versions", str(versions), "--store", str(store)
    )
    assert (code, err, out.count("\n")) == (0, "", 1)
    assert out.startswith("removed 005: SO juni 2026, with a new commit on top of")
    assert f"git show doc-005:sources/{source}" in out and "marked removed" in out
    # a new commit whose parent is the old head; the history keeps the document
    assert git(store, "log", "-1", "--format=%P %s").split(" ", 1) == [
        before,
        "Remove 005: SO juni 2026\n",
    ]
    assert (
        git(store, "show", f"doc-005:sources/{source}").encode() == (versions / source).read_bytes()
    )
    assert "statements/005.json" not in git(store, "ls-tree", "-r", "--name-only", "HEAD")
    with Store.open(store) as st:
        assert [d.id for d in st.documents()] == ["000", "002", "003", "001", "004"]
        assert [r.round for r in st.versions()] == ["2023-10", "2024-10", "2026-03"]
    # the source stays, marked; the manifest records the moment
    assert (versions / source).is_file()
    assert [d.id for d in load_manifest(versions)] == ["000", "002", "003", "001", "004"]
    assert 'removed = "2026-06-12T12:00:01Z"' in (versions / "manifest.toml").read_text()
    # a full build from versions/ and from the exported corpus: the same commits
    fresh = tmp_path / "fresh"
    assert run(capsys, "build", "--versions", str(versions), "--store", str(fresh))[0] == 0
    assert head(fresh) == head(store)
    exported = tmp_path / "exported"
    assert run(capsys, "export-corpus", str(exported), "--store", str(store))[0] == 0
    assert (exported / source).read_bytes() == (versions / source).read_bytes()
    again = tmp_path / "again"
    assert run(capsys, "build", "--versions", str(exported), "--store", str(again))[0] == 0
    assert head(again) == head(store)
    code, out, _ = run(capsys, "build", "--versions", str(versions), "--store", str(store))
    assert code == 0 and out.splitlines()[-1].startswith(f"unchanged {store}: 5 documents")
    assert git(store, "status", "--porcelain") == ""
    assert git(store, "fsck", "--unreachable", "--no-reflogs").strip() == ""


@pytest.mark.parametrize(
    ("doc_id", "says"),
    [
        ("099", "no document 099; the corpus has 000, 001, 002, 003, 004, 005"),
        ("000", "document 000 is answered by 002; remove 002 first"),
        ("5", "id must be three digits"),
        ("--x", "id must be three digits"),
    ],
)
def test_a_refused_remove_changes_nothing(
    corpus: tuple[Path, Path], capsys: pytest.CaptureFixture[str], doc_id: str, says: str
) -> None:
    versions, store = corpus
    before = (tree_hash(versions), tree_hash(store))
    code, out, err = run(
        capsys, "remove", "--versions", str(versions), "--store", str(store), "--", doc_id
    )
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert err.startswith(f"diffview: {versions / 'manifest.toml'}: ") and says in err
    assert (tree_hash(versions), tree_hash(store)) == before
    assert sorted(p.name for p in store.parent.iterdir()) == ["store", "versions"]


def test_a_removed_id_is_never_reused_and_its_text_may_come_back(
    corpus: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    versions, store = corpus
    assert run(capsys, "remove", "005", "--versions", str(versions), "--store", str(store))[0] == 0
    code, _, err = run(capsys, "remove", "005", "--versions", str(versions), "--store", str(store))
    assert code == 2 and "document 005 is removed already" in err
    common = ("--date", "2026-06-13", "--versions", str(versions), "--store", str(store))
    code, _, err = run(capsys, "ingest", str(NEW_ROUND), "--id", "005", *common)
    assert code == 2 and "id '005' is already used (removed)" in err
    code, out, err = run(capsys, "ingest", str(NEW_ROUND), "--title", "SO juni 2026 (2)", *common)
    assert code == 0, err
    assert out.startswith("ingested 006")  # the same text, a new id; on top of the removal
    assert git(store, "log", "-2", "--format=%s").splitlines() == [
        "006: SO juni 2026 (2) (13 Jun 2026)",
        "Remove 005: SO juni 2026",
    ]
    fresh = tmp_path / "fresh"
    assert run(capsys, "build", "--versions", str(versions), "--store", str(fresh))[0] == 0
    assert head(fresh) == head(store)


def test_an_earlier_document_leaves_its_round_and_its_positions(
    versions_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """003 (Oct 2024) removed: that round is 001 alone, and neither the positions (read
    and cached before the removal) nor the diff cite 003 any more."""
    store = tmp_path / "store"
    common = ("--versions", str(versions_copy), "--store", str(store))
    assert run(capsys, "build", *common)[0] == 0
    code, out, _ = run(capsys, "positions", "detection-order", "--format", "json", *common)
    assert code == 0 and '"doc": "003"' in out
    assert run(capsys, "remove", "003", *common)[0] == 0
    code, out, _ = run(capsys, "positions", "detection-order", "--format", "json", *common)
    assert code == 0 and '"doc": "003"' not in out and '"doc": "001"' in out
    code, out, _ = run(capsys, "compare", "detection-order", "2023-10", "2024-10",
                       "--format", "json", *common)  # fmt: skip
    assert code == 1 and json.loads(out)["to"]["docs"] == ["001"]
    code, _, err = run(capsys, "compare", "detection-order", "003", *common)
    assert code == 2 and "unknown version '003'" in err
    fresh = tmp_path / "fresh"
    assert run(capsys, "build", "--versions", str(versions_copy), "--store", str(fresh))[0] == 0
    assert head(fresh) == head(store)


def test_a_hand_edited_removal_builds_and_undoing_it_asks_for_force(
    versions_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`removed = "2026-03-02"` written by hand removes 003 as of that day; deleting the
    line again would bring it back, which build refuses without --force."""
    store = tmp_path / "store"
    common = ("--versions", str(versions_copy), "--store", str(store))
    assert run(capsys, "build", *common)[0] == 0
    manifest = versions_copy / "manifest.toml"
    text = manifest.read_text()
    edited = text.replace('kamerstukken = ["34843 nr. 114"]\n',
                          'kamerstukken = ["34843 nr. 114"]\nremoved = "2026-03-02"\n')  # fmt: skip
    assert edited != text
    manifest.write_text(edited)
    with Store.open(store) as st:  # what the app says before the build
        said = corpus_mismatch(st.documents(), store, versions_copy)
    assert said is not None and f"older than {versions_copy}, which removes 003" in said
    code, out, err = run(capsys, "build", *common)
    assert code == 0, err
    assert out.splitlines()[-1].startswith(f"appended {store}: 4 documents")
    assert git(store, "log", "-1", "--format=%ad %s", "--date=iso").startswith(
        "2026-03-02 12:00:01 +0000 Remove 003:"
    )
    manifest.write_text(text)
    with Store.open(store) as st:  # the app, on a store whose history removes what we keep
        said = backend.corpus_mismatch(st, store, versions_copy)
    assert said is not None and "its history removes 003" in said and "--force" in said
    code, _, err = run(capsys, "build", *common)
    assert code == 2 and err.count("\n") == 1
    assert "its history removes 003" in err and "--force" in err
    code, out, _ = run(capsys, "build", "--force", *common)
    assert code == 0 and out.splitlines()[-1].startswith(f"rebuilt {store}: 5 documents")


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ('"yesterday"', "removed must be like 2026-03-02T12:00:01Z, got 'yesterday'"),
        ('"2024-10-01"', "document '003': removed before its own date"),
        ("3", "removed must be a date and time string"),
    ],
)
def test_a_bad_removed_line_is_one_line_naming_the_manifest_and_line(
    versions_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, says: str
) -> None:
    manifest = versions_copy / "manifest.toml"
    text = manifest.read_text()
    anchor = 'kamerstukken = ["34843 nr. 114"]\n'
    manifest.write_text(text.replace(anchor, f"{anchor}removed = {value}\n"))
    line = text[: text.index('id = "003"')].count("\n")  # its [[document]] header
    store = tmp_path / "store"
    code, out, err = run(capsys, "build", "--versions", str(versions_copy), "--store", str(store))
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert err.startswith(f"diffview: {manifest}:{line}: ") and says in err
    assert not store.exists()


def test_a_removed_documents_missing_source_says_where_it_is(
    versions_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    common = ("--versions", str(versions_copy), "--store", str(store))
    assert run(capsys, "build", *common)[0] == 0
    assert run(capsys, "remove", "003", *common)[0] == 0
    source = next(r.doc.source for r in read_manifest(versions_copy).removed)
    (versions_copy / source).unlink()
    code, _, err = run(capsys, "build", *common)
    assert code == 2 and err.count("\n") == 1
    assert f"the history needs it: git show doc-003:sources/{source}" in err
    restored = git(store, "show", f"doc-003:sources/{source}")
    (versions_copy / source).write_bytes(restored.encode())
    code, out, _ = run(capsys, "build", *common)
    assert code == 0 and out.splitlines()[-1].startswith(f"unchanged {store}: 4 documents")


def test_remove_and_ingest_at_once_lose_nothing(
    versions_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A remove and an ingest started together: one waits for the other's lock; both
    land, and the store is what a full build of the final versions/ makes."""
    store = tmp_path / "store"
    common = ["--versions", str(versions_copy), "--store", str(store)]
    assert run(capsys, "build", *common)[0] == 0
    argv = [sys.executable, "-m", "diffview"]
    ingest = [*argv, "ingest", str(NEW_ROUND), "--date", "2026-06-12", "--title", "SO", *common]
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for c in (ingest, [*argv, "remove", "003", *common])]  # fmt: skip
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    manifest = read_manifest(versions_copy)
    assert [d.id for d in manifest.documents] == ["000", "002", "001", "004", "005"]
    assert [r.doc.id for r in manifest.removed] == ["003"]
    with Store.open(store) as st:
        assert [d.id for d in st.documents()] == [d.id for d in manifest.documents]
    fresh = tmp_path / "fresh"
    assert run(capsys, "build", "--versions", str(versions_copy), "--store", str(fresh))[0] == 0
    assert head(fresh) == head(store)


# --- kill -9 --------------------------------------------------------------------------------

_TRACED = (
    "diffview/remove.py",
    "diffview/journal.py",
    "diffview/pipeline.py",
    "diffview/store/plan.py",
    "diffview/store/git.py",
    "diffview/store/write.py",
    "diffview/store/fastimport.py",
    "diffview/store/worktree.py",
    "diffview/corpus/manifest.py",
)


def _remove_killed_at(step: int | None, versions: str, store: str) -> None:
    """Child process: remove 003, killed at the `step`-th line of the writing modules."""
    from diffview.remove import remove

    work = partial(remove, "003", Path(versions), Path(store))
    killed_at_line(step, _TRACED, work, Path(store + ".steps"))


def test_kill_9_at_any_point_of_remove_is_all_or_nothing(
    versions_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A remove killed at spread-out lines of the writing code: after the next writer's
    recovery the manifest records the removal exactly when the store made it, `git fsck`
    finds no error and no unreachable object, nothing is left behind, and the store is
    what a full build of versions/ makes."""
    from diffview.journal import recover
    from diffview.store.lock import store_lock

    store0 = tmp_path / "store0"
    assert run(capsys, "build", "--versions", str(versions_copy), "--store", str(store0))[0] == 0
    ctx = multiprocessing.get_context("fork")

    def copies(where: Path) -> tuple[str, str]:
        where.mkdir()
        shutil.copytree(versions_copy, where / "versions")
        shutil.copytree(store0, where / "store", symlinks=True)
        return str(where / "versions"), str(where / "store")

    total_run = ctx.Process(target=_remove_killed_at, args=(None, *copies(tmp_path / "full")))
    total_run.start()
    total_run.join()
    total = int((tmp_path / "full" / "store.steps").read_text())
    outcomes = set()
    for step in sorted({1 + (total - 1) * k // 9 for k in range(10)}):
        versions, store = copies(tmp_path / f"k{step}")
        child = ctx.Process(target=_remove_killed_at, args=(step, versions, store))
        child.start()
        child.join()
        assert child.exitcode == -9, step
        with store_lock(Path(store), wait=0):  # a lock file the killed run left is free
            recover(Path(versions), Path(store))
        removed = [r.doc.id for r in read_manifest(Path(versions)).removed]
        with Store.open(Path(store)) as st:
            in_store = "003" in [d.id for d in st.documents()]
        assert removed == ([] if in_store else ["003"]), step
        outcomes.add(in_store)
        assert git(Path(store), "status", "--porcelain") == "", step
        fsck = git(Path(store), "fsck", "--no-dangling")
        assert "error" not in fsck and "missing" not in fsck, step
        assert git(Path(store), "fsck", "--unreachable", "--no-reflogs").strip() == "", step
        assert [p.name for p in Path(versions).iterdir() if p.name.startswith(".")] == [], step
        assert sorted(p.name for p in Path(store).parent.iterdir()) == ["store", "versions"]
        fresh = tmp_path / f"k{step}" / "fresh"
        assert run(capsys, "build", "--versions", versions, "--store", str(fresh))[0] == 0
        assert head(fresh) == head(Path(store)), step
        shutil.rmtree(tmp_path / f"k{step}")
    assert outcomes == {True, False}  # some kills came before the commit point, some after


def test_claims_are_read_from_the_store_after_ingest_and_remove(
    corpus: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The ingested document's claims are kept like a built one's, and a removal leaves
    every round's claims readable (a round's are read at its own commit): each the claims
    the reader gives over that round's statements."""
    from diffview.corpus.topics import load_rules
    from diffview.positions.table import _compute, stored_claims

    versions, store = corpus
    assert run(capsys, "remove", "003", "--versions", str(versions), "--store", str(store))[0] == 0
    rules = load_rules()
    with Store.open(store) as st:
        rounds = st.versions()
        assert [v.round for v in rounds][-1] == "2026-06" and ["001"] in [
            [d.id for d in v.docs] for v in rounds
        ]
        for version in rounds:
            kept = stored_claims(st, version, rules)
            assert kept is not None and kept == _compute(st, version, rules)
            assert "003" not in {c.sentence.doc for c in kept}
