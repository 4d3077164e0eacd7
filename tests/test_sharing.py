"""A store a team shares: a build never silently drops a document the store has and versions/
lacks, `export-corpus` writes the store's corpus back out (the same store builds from it),
and a store moved between people with plain git (pull, clone, push) keeps every document.

Real parser and real stores: each test builds the bundled corpus (well under a second).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import run, tree_hash

from diffview.corpus.manifest import load_manifest
from diffview.errors import StoreError
from diffview.store.git import git_env
from diffview.store.read import Store

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NEW_ROUND = FIXTURES / "so-2026-06-single-answer.txt"  # becomes 005, round 2026-06


def sh_git(where: Path, *args: str) -> str:
    """git as a user would run it, but without this machine's global or system config."""
    proc = subprocess.run(
        ["git", "-C", str(where), *args], capture_output=True, env=git_env(), check=True
    )
    return proc.stdout.decode()


def ingest_new_round(capsys: pytest.CaptureFixture[str], versions: Path, store: Path) -> None:
    code, out, err = run(
        capsys, "ingest", str(NEW_ROUND), "--date", "2026-06-12", "--title", "SO juni 2026",
        "--versions", str(versions), "--store", str(store),
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith("ingested 005")


def head(store: Path) -> str:
    with Store.open(store) as st:
        return st.head


@pytest.fixture
def mine_and_theirs(
    tmp_path: Path, versions_copy: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, Path, Path]:
    """My versions/ (the five seeds), a teammate's versions/ with 005 ingested, and a store
    that holds 005 (theirs, as pulled): (mine, theirs, store)."""
    theirs = tmp_path / "theirs"
    shutil.copytree(versions_copy, theirs)
    store = tmp_path / "store"
    assert run(capsys, "build", "--versions", str(theirs), "--store", str(store))[0] == 0
    ingest_new_round(capsys, theirs, store)
    return versions_copy, theirs, store


def test_build_refuses_to_drop_a_document_versions_lacks(
    mine_and_theirs: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """One line naming the document and both fixes, exit 2, nothing written; --force drops."""
    mine, _, store = mine_and_theirs
    before = (tree_hash(mine), tree_hash(store))
    code, out, err = run(capsys, "build", "--versions", str(mine), "--store", str(store))
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert "built from another corpus" in err and "holds 005, which" in err
    assert f"diffview export-corpus DIR --store {store}" in err
    assert f"diffview build --force --versions {mine} --store {store}" in err
    assert (tree_hash(mine), tree_hash(store)) == before
    assert not list(store.parent.glob(".store.*")) and not (store.parent / "store.lock").exists()

    code, out, _ = run(capsys, "build", "--force", "--versions", str(mine), "--store", str(store))
    assert code == 0 and out.splitlines()[-1].startswith(f"rebuilt {store}: 5 documents")
    assert [d.id for d in Store.open(store).documents()] == ["000", "002", "003", "001", "004"]


def test_build_says_a_store_of_another_corpus_is_one(
    tmp_path: Path, versions_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No document in common: said so, with the commands that fix it."""
    one, rest = tmp_path / "one", tmp_path / "rest"
    for where, keep in ((one, ("003",)), (rest, ("000", "002", "001"))):
        shutil.copytree(versions_copy, where)
        text = (where / "manifest.toml").read_text()
        entries = text.split("[[document]]\n")
        kept = [e for e in entries[1:] if any(f'id = "{i}"' in e for i in keep)]
        (where / "manifest.toml").write_text("[[document]]\n".join([entries[0], *kept]))
    store = tmp_path / "store"
    assert run(capsys, "build", "--versions", str(one), "--store", str(store))[0] == 0
    before = tree_hash(store)
    code, _, err = run(capsys, "build", "--versions", str(rest), "--store", str(store))
    assert code == 2 and err.count("\n") == 1
    assert f"built from another corpus than {rest} (none of its 1 documents is there)" in err
    assert "export-corpus" in err and "--force" in err
    assert tree_hash(store) == before


def test_export_corpus_rebuilds_the_same_store(
    mine_and_theirs: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The exported corpus is the teammate's, byte for byte where it counts (sources, the
    documents' entries, the round labels), and builds the same commits."""
    mine, theirs, store = mine_and_theirs
    out_dir = tmp_path / "exported"
    code, out, _ = run(capsys, "export-corpus", str(out_dir), "--store", str(store))
    assert code == 0 and out.startswith(f"wrote 6 documents and manifest.toml to {out_dir}")
    exported = load_manifest(out_dir)
    assert exported == load_manifest(theirs)
    for doc in exported:
        assert (out_dir / doc.source).read_bytes() == (theirs / doc.source).read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    # my build from it: nothing to do; a fresh store from it: the same head
    code, out, _ = run(capsys, "build", "--versions", str(out_dir), "--store", str(store))
    assert code == 0 and out.splitlines()[-1].startswith(f"unchanged {store}: 6 documents")
    fresh = tmp_path / "fresh"
    assert run(capsys, "build", "--versions", str(out_dir), "--store", str(fresh))[0] == 0
    assert head(fresh) == head(store)


def test_export_corpus_refuses_a_directory_with_files(
    mine_and_theirs: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine, _, store = mine_and_theirs
    before = tree_hash(mine)
    code, out, err = run(capsys, "export-corpus", str(mine), "--store", str(store))
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert f"{mine}: exists and is not an empty directory" in err
    assert tree_hash(mine) == before
    empty = tmp_path / "empty"
    empty.mkdir()
    link = tmp_path / "link"
    link.symlink_to(empty)
    assert run(capsys, "export-corpus", str(link), "--store", str(store))[0] == 0
    assert link.is_symlink() and len(load_manifest(empty)) == 6
    assert empty.stat().st_mode & 0o777 == (tmp_path / "theirs").stat().st_mode & 0o777


def test_a_pulled_document_is_kept_and_exported(
    tmp_path: Path, versions_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two people with a store each; one ingests and the other pulls the store with git.
    The puller's build (from versions/ without it) refuses to drop it, and the exported
    corpus builds the same store: nothing the team shared is lost."""
    mine, theirs = versions_copy, tmp_path / "theirs"
    shutil.copytree(mine, theirs)
    my_store, their_store = tmp_path / "my-store", tmp_path / "their-store"
    for versions, store in ((mine, my_store), (theirs, their_store)):
        assert run(capsys, "build", "--versions", str(versions), "--store", str(store))[0] == 0
    assert head(my_store) == head(their_store)
    ingest_new_round(capsys, theirs, their_store)

    sh_git(my_store, "-c", "pull.ff=only", "pull", "-q", str(their_store), "main")
    assert head(my_store) == head(their_store)
    code, _, err = run(capsys, "build", "--versions", str(mine), "--store", str(my_store))
    assert code == 2 and "holds 005" in err and head(my_store) == head(their_store)
    got = tmp_path / "got"
    assert run(capsys, "export-corpus", str(got), "--store", str(my_store))[0] == 0
    code, out, _ = run(capsys, "build", "--versions", str(got), "--store", str(my_store))
    # a plain `git pull` brings the commits, not the tags: the build adds them, same head
    assert code == 0 and out.splitlines()[-1].startswith(f"appended {my_store}: 6 documents")
    assert head(my_store) == head(their_store)
    assert sh_git(my_store, "tag") == sh_git(their_store, "tag")


def test_two_clones_of_a_shared_store_lose_nothing(
    tmp_path: Path, versions_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """clone → compare → ingest → push → pull → build, as a team would, through a bare
    remote: the document one teammate ingested survives the other's build."""
    from diffview.diff.compare import compare_versions
    from diffview.ingest import ingest
    from diffview.pipeline import build_store, check_nothing_dropped, export_corpus

    origin, remote = tmp_path / "origin", tmp_path / "remote.git"
    build_store(versions_copy, origin)
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(origin), str(remote)], env=git_env(), check=True
    )
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    for who in (alice, bob):
        subprocess.run(["git", "clone", "-q", str(remote), str(who)], env=git_env(), check=True)
        with Store.open(who) as st:  # the marker is committed (index.json): a clone is a store
            assert compare_versions(st, "detection-order", "2023-10", "2024-10").units
    alice_versions = tmp_path / "alice-versions"
    shutil.copytree(versions_copy, alice_versions)
    ingest(NEW_ROUND, alice_versions, alice, date="2026-06-12", title="SO juni 2026")
    sh_git(alice, "push", "-q", "origin", "main", "--tags")
    sh_git(bob, "-c", "pull.ff=only", "pull", "-q", "origin", "main")
    with Store.open(bob) as st:
        assert [d.id for d in st.documents()][-1] == "005"
    with pytest.raises(StoreError, match="holds 005"):
        check_nothing_dropped(bob, versions_copy, load_manifest(versions_copy))
    got = tmp_path / "bob-versions"
    export_corpus(bob, got)
    pulled = head(bob)
    # the pull did not bring the new round's tag (off the branch): the build makes it
    assert build_store(got, bob).action == "appended" and head(bob) == pulled
    assert sh_git(bob, "show-ref", "--tags") == sh_git(alice, "show-ref", "--tags")
    assert build_store(got, bob).action == "unchanged"
    assert "origin" in sh_git(bob, "remote")


def test_a_plain_pull_reads_and_builds_as_the_teammates_store(
    tmp_path: Path, versions_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A round's tag marks a commit off the branch, which `git pull` does not bring: after
    a pull a new round's tag is missing, and the tag of a round a document joined stays
    where it was. Reading never needs them (log, compare and positions answer as in the
    pusher's store) and the puller's next build puts them where the pusher's are."""
    origin, bob = tmp_path / "origin", tmp_path / "bob"
    assert run(capsys, "build", "--versions", str(versions_copy), "--store", str(origin))[0] == 0
    ingest_new_round(capsys, versions_copy, origin)  # 005: round 2026-06
    subprocess.run(["git", "clone", "-q", str(origin), str(bob)], env=git_env(), check=True)
    joins = ("kamerbrief-ministerie-2025.txt", "2026-06-20", "2026-03", "2026-06")
    opens = ("kamervragen-ministerie-2025.txt", "2026-09-10", "2026-06", "2026-09")
    for fixture, day, old, new in (joins, opens):
        code, _, err = run(
            capsys, "ingest", str(FIXTURES / fixture), "--date", day,
            "--versions", str(versions_copy), "--store", str(origin),
        )  # fmt: skip
        assert code == 0, err
        sh_git(bob, "-c", "pull.ff=only", "pull", "-q", "origin", "main")
        assert sh_git(bob, "show-ref", "--tags") != sh_git(origin, "show-ref", "--tags")
        for args in (
            ["log", "detection-order"],
            ["compare", "detection-order", old, new, "--format", "json"],
            ["positions", "detection-order", "--format", "json"],
        ):
            mine = run(capsys, *args, "--store", str(bob))
            theirs = run(capsys, *args, "--store", str(origin))
            assert mine[0] == theirs[0] in (0, 1), mine[2]  # compare: 1 when they differ
            assert mine[1].replace(str(bob), "S") == theirs[1].replace(str(origin), "S")
        got = tmp_path / f"got-{new}"
        assert run(capsys, "export-corpus", str(got), "--store", str(bob))[0] == 0
        assert run(capsys, "build", "--versions", str(got), "--store", str(bob))[0] == 0
        assert sh_git(bob, "show-ref", "--tags") == sh_git(origin, "show-ref", "--tags")


def test_a_rebuild_keeps_the_stores_remotes_and_config(
    tmp_path: Path, versions_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A clone has `origin`; a build that must rebuild (an earlier document's entry
    changed) writes a new repository and keeps the clone's remotes and settings."""
    from diffview.pipeline import build_store

    origin, clone = tmp_path / "origin", tmp_path / "clone"
    build_store(versions_copy, origin)
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], env=git_env(), check=True)
    sh_git(clone, "config", "user.name", "A Teammate")
    manifest = versions_copy / "manifest.toml"
    text = manifest.read_text()
    manifest.write_text(text.replace('short_title = "SO JBZ-Raad Oct 2023 (questions)"',
                                     'short_title = "SO Oct 2023 (questions)"'))  # fmt: skip
    code, out, err = run(capsys, "build", "--versions", str(versions_copy), "--store", str(clone))
    assert code == 0, err
    assert out.splitlines()[-1].startswith(f"rebuilt {clone}: 5 documents")
    assert sh_git(clone, "remote", "get-url", "origin").strip() == str(origin)
    assert sh_git(clone, "config", "user.name").strip() == "A Teammate"
    assert sh_git(clone, "config", "branch.main.remote").strip() == "origin"
    assert sh_git(clone, "config", "core.hooksPath").strip() == "/dev/null"
    assert sh_git(clone, "status", "--porcelain") == ""


def test_a_killed_export_is_cleaned_up_by_the_next_one(
    mine_and_theirs: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A killed `export-corpus DIR` leaves `.DIR.export-PID-*`; the next export into DIR
    removes it (its process is gone) and keeps a live export's directory."""
    _, _, store = mine_and_theirs
    gone = subprocess.Popen(["true"])
    gone.wait()
    dead = tmp_path / f".out.export-{gone.pid}-0123456789ab"
    (dead / "sub").mkdir(parents=True)
    (dead / "001_x.txt").write_text("half written")
    live = tmp_path / f".out.export-{os.getpid()}-ba9876543210"
    live.mkdir()
    code, _, err = run(capsys, "export-corpus", str(tmp_path / "out"), "--store", str(store))
    assert code == 0, err
    assert not dead.exists() and live.is_dir()
    assert len(load_manifest(tmp_path / "out")) == 6
