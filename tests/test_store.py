"""The git store: determinism, history shape, safety (locks, CAS, hooks, swaps), reading API.

Most tests use hand-made statements over the real manifest and sources, so they check the
store's logic independently of the parser; the tests marked `corpus` build from the seeds.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from helpers import git, tree_hash

from diffview.corpus.manifest import doc_order, load_manifest_with_rounds
from diffview.errors import StoreError
from diffview.model import Document, Statement, TopicLabel
from diffview.pipeline import build_store
from diffview.store import git as store_git
from diffview.store import swap as store_swap
from diffview.store import write as store_write
from diffview.store.files import md_escape
from diffview.store.lock import lock_path, store_lock
from diffview.store.paths import check_ref_name, default_store_path
from diffview.store.plan import plan_store
from diffview.store.read import Store
from diffview.store.write import write_store
from diffview.text.sentences import split_sentences

EVIL = "het kabinet <b>steunt</b> *niet* [x](javascript:y) \x1b]52;c;AAA\x07\n    # kop\n1. lijst"


def make_statements(docs: list[Document]) -> list[Statement]:
    """Three statements per document: a question and two cabinet answers, one on topic."""
    out = []
    for d in docs:
        for i in range(3):
            cabinet = i > 0
            topics = (TopicLabel("detection-order", ("detectiebevel",)),) if i == 1 else ()
            if d.id == "004" and i == 2:
                topics = (TopicLabel("derogation", ("derogatie",)),)
            out.append(
                Statement(
                    id=f"{d.id}-s{i:03d}",
                    doc=d.id,
                    source=d.source,
                    date=d.date,
                    kind="answer" if cabinet else "question",
                    speaker="kabinet" if cabinet else "VVD",
                    party=None,
                    role="cabinet" if cabinet else "parliament",
                    text=f"{d.id}/{i}: {EVIL}",
                    lines=(10 + i, 12 + i),
                    line_map=((0, 10 + i), (5, 11 + i)),
                    topics=topics,
                )
            )
    return out


_Corpus = tuple[list[Document], list[Statement], dict[str, bytes], dict[str, str]]


def show(store: Path, name: str, rev: str = "HEAD") -> str:
    """A file of the store as committed (only the small files are checked out)."""
    return git(store, "show", f"{rev}:{name}")


@pytest.fixture
def corpus(versions_dir: Path) -> _Corpus:
    docs, labels = load_manifest_with_rounds(versions_dir)
    sources = {d.source: (versions_dir / d.source).read_bytes() for d in docs}
    return docs, make_statements(docs), sources, labels


@pytest.fixture
def built(tmp_path: Path, corpus: _Corpus) -> Path:
    path = tmp_path / "store"
    write_store(*corpus[:2], path, corpus[2], corpus[3])
    return path


# --- determinism and history -----------------------------------------------------------------


def test_same_sources_same_commit_ids_in_two_places(tmp_path: Path, corpus: _Corpus) -> None:
    a = write_store(corpus[0], corpus[1], tmp_path / "a", corpus[2], corpus[3])
    b = write_store(corpus[0], corpus[1], tmp_path / "b", corpus[2], corpus[3])
    assert a.commits == b.commits and a.action == b.action == "created"
    assert git(tmp_path / "a", "show-ref") == git(tmp_path / "b", "show-ref")


def test_building_twice_in_place_adds_nothing(built: Path, corpus: _Corpus) -> None:
    before = (git(built, "show-ref"), tree_hash(built / ".git" / "objects"))
    again = write_store(corpus[0], corpus[1], built, corpus[2], corpus[3])
    assert again.action == "unchanged" and not again.changed
    assert (git(built, "show-ref"), tree_hash(built / ".git" / "objects")) == before


def test_log_shows_one_commit_per_document_with_its_date(built: Path) -> None:
    log = git(built, "log", "--date=short", "--format=%ad|%cd|%an <%ae>|%s").splitlines()
    assert [line.split("|")[0] for line in log] == [
        "2026-03-02",
        "2024-10-09",
        "2024-10-08",
        "2023-10-17",
        "2023-10-12",
    ]
    assert all(line.split("|")[1] == line.split("|")[0] for line in log)
    assert {line.split("|")[2] for line in log} == {"diffview <diffview@localhost>"}
    assert log[3].split("|")[3] == (
        "002: Antwoorden schriftelijk overleg JBZ-Raad 19-20 oktober 2023 (17 Oct 2023)"
    )
    body = git(built, "log", "-1", "--format=%b", "doc-002")
    assert "Round: 2023-10" in body and "Kind: answers" in body and "Statements: 3" in body


def test_tags_per_document_and_round(built: Path) -> None:
    tags = git(built, "tag").split()
    assert tags == [
        "doc-000",
        "doc-001",
        "doc-002",
        "doc-003",
        "doc-004",
        "round-2023-10",
        "round-2024-10",
        "round-2026-03",
    ]
    rev: Callable[[str], str] = lambda r: git(built, "rev-parse", f"{r}^{{commit}}").strip()  # noqa: E731
    # a round's tag marks its own commit, on top of the round's last document, off the branch
    assert rev("round-2023-10^") == rev("doc-002")
    assert rev("round-2024-10^") == rev("doc-001")
    assert rev("round-2026-03^") == rev("HEAD")
    branch = git(built, "rev-list", "HEAD").split()
    assert rev("round-2026-03") not in branch and len(branch) == 5
    # its tree is its document's plus the topic files, one per topic so far
    added = git(built, "diff", "--name-status", "doc-001", "round-2024-10").split("\n")
    assert [line.split("\t")[0] for line in added if line] == ["A"] * len([x for x in added if x])
    topics = json.loads(show(built, "index.json", "doc-001"))["topics"]
    assert {line.split("\t")[1] for line in added if line} == {f"topics/{t}.md" for t in topics}
    assert topics


def test_round_diff_of_a_topic_is_readable(built: Path) -> None:
    diff = git(built, "diff", "round-2023-10", "round-2024-10", "--", "topics/detection-order.md")
    assert '-round: "2023-10"' in diff and '+round: "2024-10"' in diff
    assert "+## 003 · 8 Oct 2024 · kabinet" in diff


def test_markdown_has_one_sentence_per_line(tmp_path: Path, corpus: _Corpus) -> None:
    docs, stmts, sources, labels = corpus
    text = (
        "Het kabinet steunt dit niet. Zie Kamerstuk 26 643, nr. 885 en art. 13 Grondwet. "
        "Wij blijven kritisch!\n\nEen nieuwe alinea: o.a. J.J. van Dijk zei dit."
    )
    stmts = [replace(s, text=text) for s in stmts]
    write_store(docs, stmts, tmp_path / "s", sources, labels)
    for name, rev in (("topics/detection-order.md", "round-2026-03"), ("documents/002.md", "HEAD")):
        md = show(tmp_path / "s", name, rev)
        assert md.count(
            "\nHet kabinet steunt dit niet.\n"
            "Zie Kamerstuk 26 643, nr. 885 en art. 13 Grondwet.\n"
            "Wij blijven kritisch\\!\n"
            "\n"
            "Een nieuwe alinea: o.a. J.J. van Dijk zei dit.\n"
        ) == (1 if "topics" in name else 3)
        assert "· cabinet · answer · lines 11-13\n" in md
    # git's markdown diff driver (.gitattributes) names the statement a hunk belongs to
    log = git(tmp_path / "s", "diff", "-U1", "round-2023-10", "round-2024-10", "--", "topics/")
    hunks = [line for line in log.splitlines() if line.startswith("@@ ")]
    assert any(
        h.endswith(" @@ ## 000 · Oct 2023 · kabinet · cabinet · answer · lines 11-13")
        for h in hunks
    )


def test_tree_layout_and_worktree(built: Path, corpus: _Corpus) -> None:
    files = set(git(built, "ls-tree", "-r", "--name-only", "HEAD").split())
    docs = corpus[0]
    assert {f"sources/{d.source}" for d in docs} <= files
    assert {f"documents/{d.id}.md" for d in docs} <= files
    assert {f"statements/{d.id}.json" for d in docs} <= files
    assert {"README.md", "index.json", "index/2024-10.json"} <= files
    # no file the branch rewrites with every commit: the topic files are in the rounds'
    assert not any(f.startswith("topics/") or f == "manifest.json" for f in files)
    for d in docs:  # byte for byte
        blob = subprocess.run(
            ["git", "-C", str(built), "cat-file", "blob", f"HEAD:sources/{d.source}"],
            capture_output=True,
            check=True,
        ).stdout
        assert blob == corpus[2][d.source]
    # only the small files are checked out; the rest is skip-worktree: status is clean
    assert sorted(p.name for p in built.iterdir()) == [".git", ".gitattributes", "README.md",
                                                       "index.json"]  # fmt: skip
    assert git(built, "status", "--porcelain") == ""
    index = json.loads(show(built, "index.json"))
    assert (index["diffview"], index["format"]) == ("store", 3)
    assert index["topics"] == sorted({t for s in corpus[1] for t in s.topic_names})
    # the round of 2023 had no derogation statement: the file appears with 004's round only
    rounds = ("round-2024-10", "round-2026-03")
    assert ["topics/derogation.md" in git(built, "ls-tree", "-r", "--name-only", r) for r in rounds
            ] == [False, True]  # fmt: skip


def test_statements_json_round_trips_every_field(built: Path, corpus: _Corpus) -> None:
    data = json.loads(show(built, "statements/004.json"))
    assert list(data["statements"][0]) == [
        "id",
        "doc",
        "source",
        "date",
        "kind",
        "speaker",
        "party",
        "role",
        "lines",
        "section",
        "answers",
        "topics",
        "footnotes",
        "text",
        "line_map",
    ]
    with Store.open(built) as st:
        assert st.statements() == sorted(
            corpus[1], key=lambda s: [d.id for d in st.documents()].index(s.doc)
        )


def test_markdown_escapes_and_sanitises_document_text(built: Path) -> None:
    md = show(built, "documents/002.md")
    assert "<b>" not in md and "\x1b" not in md and "\x07" not in md
    assert r"\<b\>steunt\</b\>" in md and "<U+001B>\\]52;c;AAA<U+0007>" in md
    assert "\n    # kop" not in md and "\n\\# kop" in md and "\n1\\. lijst" in md
    assert md_escape("[a](b) `c` | d") == r"\[a\](b) \`c\` \| d"


# --- safety ----------------------------------------------------------------------------------


def test_failed_build_leaves_previous_store_byte_identical(
    built: Path, corpus: _Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree_hash(built)
    bad = [*corpus[1], replace(corpus[1][0], doc="999")]
    with pytest.raises(StoreError, match="unknown document"):
        write_store(corpus[0], bad, built, corpus[2], corpus[3])

    def boom(path: Path) -> None:
        raise StoreError("simulated failure during checkout")

    monkeypatch.setattr(store_write, "checkout", boom)
    changed = [*corpus[1][:-1], replace(corpus[1][-1], text="other")]
    with pytest.raises(StoreError, match="simulated"):
        write_store(corpus[0], changed, built, corpus[2], corpus[3])
    assert tree_hash(built) == before
    assert sorted(p.name for p in built.parent.iterdir()) == ["store"]  # no temp dirs, no lock


def test_changed_statements_rebuild_by_swap(built: Path, corpus: _Corpus) -> None:
    changed = [*corpus[1][:-1], replace(corpus[1][-1], text="other")]
    report = write_store(corpus[0], changed, built, corpus[2], corpus[3])
    assert report.action == "rebuilt"
    assert git(built, "rev-parse", "HEAD").strip() == report.head


def test_append_moves_refs_by_compare_and_swap(tmp_path: Path, corpus: _Corpus) -> None:
    docs, stmts, sources, labels = corpus
    path = tmp_path / "store"
    first = write_store(docs[:4], [s for s in stmts if s.doc != "004"], path, sources, labels)
    report = write_store(docs, stmts, path, sources, labels)
    assert report.action == "appended"
    assert report.commits[:4] == first.commits
    assert git(path, "status", "--porcelain") == ""  # work tree and index written in Python
    assert git(path, "rev-parse", "HEAD~1").strip() == first.head
    # a writer that read an old HEAD cannot move the ref
    plan = plan_store(docs[:4], [s for s in stmts if s.doc != "004"], sources, labels)
    stale_old = {"refs/heads/main": first.head}
    with pytest.raises(StoreError, match="changed under us"):
        store_git.update_refs(path, {"refs/heads/main": plan.refs["refs/heads/main"]}, stale_old)
    assert git(path, "rev-parse", "HEAD").strip() == report.head


def test_appends_one_by_one_leave_few_packs(tmp_path: Path, corpus: _Corpus) -> None:
    """Each append writes a pack; the small ones are rolled together, so packs do not grow
    with the ingests (five appends would leave five)."""
    docs, stmts, sources, labels = corpus
    ordered = sorted(docs, key=doc_order)
    path = tmp_path / "store"
    packs = []
    for n in range(1, len(ordered) + 1):
        ids = {d.id for d in ordered[:n]}
        report = write_store(ordered[:n], [s for s in stmts if s.doc in ids], path, sources, labels)
        assert report.action == ("created" if n == 1 else "appended")
        packs.append(len(list((path / ".git" / "objects" / "pack").glob("pack-*.pack"))))
    assert packs[0] == 1 and max(packs) <= 3 and packs[-1] < len(ordered)
    git(path, "fsck", "--no-dangling", "--no-progress")
    with Store.open(path) as st:
        assert [d.id for d in st.documents()] == [d.id for d in ordered]
        assert st.topic_statements("detection-order", "latest")


def test_append_after_git_gc_writes_only_new_objects(
    tmp_path: Path, corpus: _Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs, stmts, sources, labels = corpus
    path = tmp_path / "store"
    write_store(docs[:4], [s for s in stmts if s.doc != "004"], path, sources, labels)
    git(path, "gc", "-q")
    packed = int(
        dict(x.split(": ") for x in git(path, "count-objects", "-v").splitlines())["in-pack"]
    )
    # a caller inside a git hook: git must still write to the store
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere" / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(tmp_path))
    report = write_store(docs, stmts, path, sources, labels)
    fresh = write_store(docs, stmts, tmp_path / "fresh", sources, labels)
    assert report.action == "appended" and report.head == fresh.head
    assert report.objects_written == fresh.objects_written - packed
    assert not (tmp_path / "elsewhere").exists()
    monkeypatch.delenv("GIT_DIR")
    monkeypatch.delenv("GIT_WORK_TREE")
    assert git(path, "fsck", "--strict") == ""
    monkeypatch.setenv("GIT_OBJECT_DIRECTORY", str(tmp_path / "objects"))
    with pytest.raises(StoreError, match="GIT_OBJECT_DIRECTORY"):
        write_store(docs, stmts, tmp_path / "third", sources, labels)


def _hold_lock_forever(path: str, ready: Any) -> None:
    """Child process: take the store lock, say so, and wait to be killed."""
    import time

    with store_lock(Path(path)):
        ready.send("locked")
        while True:
            time.sleep(60)


def test_a_lock_left_by_a_writer_killed_with_sigkill_is_taken_over(
    tmp_path: Path, versions_dir: Path
) -> None:
    """kill -9 while holding the lock leaves the lock file, but the kernel released the
    flock with the process: the next build runs at once, and leaves no lock behind."""
    ctx = multiprocessing.get_context("fork")
    path = tmp_path / "store"
    mine, theirs = ctx.Pipe()
    holder = ctx.Process(target=_hold_lock_forever, args=(str(path), theirs))
    holder.start()
    assert holder.pid is not None
    assert mine.recv() == "locked"
    held = rf"store is locked \(lock file .*pid {holder.pid} "
    with pytest.raises(StoreError, match=held), store_lock(path, wait=0):
        pass
    os.kill(holder.pid, signal.SIGKILL)
    holder.join()
    assert holder.exitcode == -signal.SIGKILL and lock_path(path).exists()
    with store_lock(path, wait=0):  # free at once, not after a timeout
        pass
    report = build_store(versions_dir, path)
    assert report.action == "created" and len(report.commits) == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_live_lock_times_out_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with (
        store_lock(path),
        pytest.raises(StoreError, match="store is locked"),
        store_lock(path, wait=0.2),
    ):
        pass
    assert not lock_path(path).exists()


def _concurrent_writer(path: str, versions: str, n_docs: int) -> str:
    docs, labels = load_manifest_with_rounds(Path(versions))
    docs = docs[:n_docs]
    sources = {d.source: (Path(versions) / d.source).read_bytes() for d in docs}
    return write_store(docs, make_statements(docs), Path(path), sources, labels).action


def test_concurrent_writers_serialise(tmp_path: Path, versions_dir: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    args = [(str(tmp_path / "s"), str(versions_dir), n) for n in (3, 5, 4, 5)]
    with ctx.Pool(4) as pool:
        actions = pool.starmap(_concurrent_writer, args)
    assert "created" in actions
    # whatever the order, the store ends complete or at one writer's full history
    count = len(git(tmp_path / "s", "rev-list", "HEAD").split())
    assert count in (3, 4, 5)
    assert git(tmp_path / "s", "fsck", "--strict", "--no-dangling") == ""


def test_hooks_never_run_even_with_global_hooks_path(
    tmp_path: Path, corpus: _Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    marker = tmp_path / "hook-ran"
    for name in (
        "reference-transaction",
        "post-checkout",
        "pre-commit",
        "post-commit",
        "post-index-change",
        "pre-auto-gc",
        "post-rewrite",
        "fsmonitor-watchman",
    ):
        hook = hooks / name
        hook.write_text(f"#!/bin/sh\necho {name} >> {marker}\nexit 1\n")
        hook.chmod(0o755)
    cfg = tmp_path / "gitconfig"
    cfg.write_text(f"[core]\n\thooksPath = {hooks}\n\tfsmonitor = {hooks}/fsmonitor-watchman\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(cfg))
    docs, stmts, sources, labels = corpus
    path = tmp_path / "store"
    write_store(docs[:4], [s for s in stmts if s.doc != "004"], path, sources, labels)
    assert write_store(docs, stmts, path, sources, labels).action == "appended"
    assert not marker.exists()
    assert "hooksPath = /dev/null" in (path / ".git" / "config").read_text()


def test_unsafe_ref_names_are_refused() -> None:
    assert check_ref_name("refs/tags/round-2024-10") == "refs/tags/round-2024-10"
    for bad in (
        "refs/tags/--upload-pack=x",
        "refs/tags/a..b",
        "refs/tags/x y",
        "refs/tags/.x",
        "refs/tags/x.lock",
        "refs/tags/a@{1}",
        "refs/tags/é",
        "--upload-pack=x",
        "refs/tags/x\n",
    ):
        with pytest.raises(StoreError):
            check_ref_name(bad)


def test_unsafe_document_ids_and_topics_never_reach_git(tmp_path: Path, corpus: _Corpus) -> None:
    docs, stmts, sources, labels = corpus
    evil = replace(docs[0], id="--x")
    with pytest.raises(StoreError, match="invalid"):
        write_store([evil], [], tmp_path / "s", sources, labels)
    bad_topic = replace(stmts[0], topics=(TopicLabel("../x", ()),))
    with pytest.raises(StoreError, match="unsafe topic"):
        write_store(docs, [bad_topic], tmp_path / "s", sources, labels)
    assert not (tmp_path / "s").exists()


# --- reading ---------------------------------------------------------------------------------


def test_open_refuses_missing_and_foreign_repositories(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store"):
        Store.open(tmp_path / "nothing")
    other = tmp_path / "other"
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    with pytest.raises(StoreError, match="not a diffview store"):
        Store.open(other)


def test_build_refuses_to_replace_a_foreign_directory(tmp_path: Path, corpus: _Corpus) -> None:
    other = tmp_path / "other"
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    before = tree_hash(other)
    with pytest.raises(StoreError, match="not a diffview store"):
        write_store(*corpus[:2], other, corpus[2], corpus[3])
    assert tree_hash(other) == before


def test_reading_api(built: Path, versions_dir: Path) -> None:
    with Store.open(built) as st:
        assert [d.id for d in st.documents()] == ["000", "002", "003", "001", "004"]
        assert st.topics() == ["derogation", "detection-order"]
        assert [(v.round, v.label, v.tag) for v in st.versions()] == [
            ("2023-10", "Oct 2023", "round-2023-10"),
            ("2024-10", "Oct 2024", "round-2024-10"),
            ("2026-03", "Mar 2026", "round-2026-03"),
        ]
        assert [v.round for v in st.versions("derogation")] == ["2026-03"]
        assert st.resolve_version("2024").round == "2024-10"
        assert st.resolve_version("round-2023-10").round == "2023-10"
        as_of = st.resolve_version("doc-003")
        assert (as_of.round, [d.id for d in as_of.docs], as_of.tag) == (
            "2024-10",
            ["003"],
            "doc-003",
        )
        assert st.resolve_version("001").tag == "round-2024-10"
        with pytest.raises(StoreError, match="valid: 2023-10, 2024-10, 2026-03"):
            st.resolve_version("1999")
        got = st.topic_statements("detection-order", "2024-10")
        assert [s.id for s in got] == ["003-s001", "001-s001"]
        assert [s.doc for s in st.statements(at="2023-10")] == ["000"] * 3 + ["002"] * 3
        assert len(st.statements(doc="004")) == 3
        assert st.statement("002-s001").doc == "002"
        with pytest.raises(StoreError):
            st.statement("nope")
        src = (versions_dir / "003_4a688004c2e20cff.txt").read_text().split("\n")
        assert st.source_lines("003", 3, 5) == src[2:5]
        log = st.topic_log("detection-order")
        assert [e.version.round for e in log] == ["2026-03", "2024-10", "2023-10"]
        assert [e.statements for e in log] == [1, 2, 2]
        assert st.topic_counts()["derogation"] == {"004": 1}


def test_default_store_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DIFFVIEW_STORE", str(tmp_path / "x"))
    assert default_store_path() == tmp_path / "x"
    monkeypatch.delenv("DIFFVIEW_STORE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_store_path() == tmp_path / "xdg" / "diffview" / "store"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_store_path() == tmp_path / "home" / ".local" / "share" / "diffview" / "store"


def test_handmade_build_writes_one_commit_per_document(tmp_path: Path, corpus: _Corpus) -> None:
    report = write_store(corpus[0], corpus[1], tmp_path / "s", corpus[2], corpus[3])
    assert [doc for doc, _ in report.commits] == [d.id for d in corpus[0]]


# --- the real corpus -------------------------------------------------------------------------


def test_build_bundled_corpus(tmp_path: Path, versions_dir: Path) -> None:
    a = build_store(versions_dir, tmp_path / "a")
    b = build_store(versions_dir, tmp_path / "b")
    assert a.commits == b.commits
    assert build_store(versions_dir, tmp_path / "a").action == "unchanged"
    dates = git(tmp_path / "a", "log", "--date=short", "--format=%ad").split()
    assert dates == ["2026-03-02", "2024-10-09", "2024-10-08", "2023-10-17", "2023-10-12"]
    diff = git(
        tmp_path / "a", "diff", "round-2023-10", "round-2024-10", "--", "topics/detection-order.md"
    )
    assert diff.strip() and "\x1b" not in diff
    # every cabinet statement on a topic: its sentences, each on a line of its own
    md = show(tmp_path / "a", "topics/detection-order.md", "round-2026-03").split("\n")
    with Store.open(tmp_path / "a") as st:
        stmts = st.topic_statements("detection-order", "latest")
    assert stmts
    for stmt in stmts:
        lines = [md_escape(stmt.text[a:b]) for a, b in split_sentences(stmt.text)]
        start = md.index(lines[0])
        assert [x for x in md[start:] if x][: len(lines)] == lines  # blank = paragraph


def test_hostile_store_config_runs_nothing_and_writes_only_inside(
    tmp_path: Path, corpus: _Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store whose own .git/config names programs (filters, fsmonitor, pager, ssh, diff,
    hooks) and another work tree, plus a symlink planted in its work tree: appending to it,
    reading it and rebuilding it run none of them and write nothing outside the store."""
    docs, stmts, sources, labels = corpus
    path = tmp_path / "store"
    first = [s for s in stmts if s.doc != "004"]
    write_store(docs[:4], first, path, sources, labels, worktree=True)  # every file out
    marker, elsewhere = tmp_path / "ran", tmp_path / "elsewhere"
    elsewhere.mkdir()
    evil = tmp_path / "evil.sh"
    evil.write_text(f'#!/bin/sh\necho "$0 $*" >> {marker}\ncat\n')
    evil.chmod(0o755)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for name in ("reference-transaction", "post-checkout", "post-index-change", "pre-commit"):
        (hooks / name).symlink_to(evil)
    with (path / ".git" / "config").open("a") as cfg:
        cfg.write(
            f"[core]\n\tworktree = {elsewhere}\n\tfsmonitor = {evil}\n\tpager = {evil}\n"
            f"\tsshCommand = {evil}\n\thooksPath = {hooks}\n\teditor = {evil}\n"
            f'[filter "evil"]\n\tsmudge = {evil}\n\tclean = {evil}\n\tprocess = {evil}\n'
            f'[diff "evil"]\n\ttextconv = {evil}\n[diff]\n\texternal = {evil}\n'
            f"[credential]\n\thelper = {evil}\n[gpg]\n\tprogram = {evil}\n"
        )
    (path / ".git" / "info").mkdir(exist_ok=True)
    (path / ".git" / "info" / "attributes").write_text("* filter=evil diff=evil\n")
    # a symlink where the store keeps a directory must not redirect a write
    (elsewhere / "documents").mkdir()
    os.rename(path / "documents", tmp_path / "old-documents")
    (path / "documents").symlink_to(elsewhere / "documents")
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", f"'core.pager={evil}'")

    assert write_store(docs, stmts, path, sources, labels).action == "appended"
    with Store.open(path) as st:
        assert st.topic_statements("derogation", "latest")
        assert st.source_lines("004", 1, 2)
    assert not marker.exists()
    assert [p.name for p in elsewhere.rglob("*")] == ["documents"]
    assert (path / "documents").is_dir() and not (path / "documents").is_symlink()
    assert (path / "documents" / "004.md").is_file()
    assert (path / "statements" / "004.json").is_file()
    changed = [*stmts[:-1], replace(stmts[-1], text="other")]
    assert write_store(docs, changed, path, sources, labels).action == "rebuilt"
    assert not marker.exists() and [p.name for p in elsewhere.rglob("*")] == ["documents"]
    monkeypatch.delenv("GIT_CONFIG_PARAMETERS")
    assert git(path, "status", "--porcelain") == ""
    # a symlinked directory in the object database or refs: refused before any write
    (path / ".git" / "refs" / "tags").rename(tmp_path / "tags")
    (path / ".git" / "refs" / "tags").symlink_to(tmp_path / "tags")
    with pytest.raises(StoreError, match="is a symlink"):
        write_store(docs, stmts, path, sources, labels)


def test_reader_survives_a_rebuild_swapping_the_store(built: Path, corpus: _Corpus) -> None:
    """A reader opened before a rebuild whose history has other commit ids: it answers
    from one snapshot, whole, never a library error; if the old objects are gone (its git
    process lost the old packs), its next read re-opens the store once and answers from
    the new one."""
    docs, stmts, sources, labels = corpus
    with Store.open(built) as st:
        assert [d.id for d in st.documents()] == ["000", "002", "003", "001", "004"]
        old_head = st.head
        changed = [replace(s, text=s.text + " Nieuw.") for s in stmts]
        report = write_store(docs, changed, built, sources, labels)
        assert report.action == "rebuilt" and report.head != old_head
        got = st.topic_statements("detection-order", "2024-10")
        new = st.head == report.head
        assert [s.text.endswith(" Nieuw.") for s in got] == [new, new]
        assert st.source_lines("003", 1, 1)
        latest = st.topic_log("detection-order")[0].commit  # the last round's: the head
        assert latest == st.head
        if not new:  # its git process restarted (as if the old packs were gone): the next
            st._reader.close()  # read of an object it lacks re-opens the store once
            assert st.source_lines("004", 1, 1)
        got = st.topic_statements("detection-order", "2024-10")
        assert st.head == report.head
        assert [s.text.endswith(" Nieuw.") for s in got] == [True, True]


def test_a_damaged_store_is_one_line_store_error(built: Path) -> None:
    """An object missing for another reason than a rebuild: StoreError, one line."""
    packs = list((built / ".git" / "objects" / "pack").iterdir())
    assert packs and not list((built / ".git" / "objects").glob("??/*"))  # packed, no loose
    for pack in packs:
        pack.chmod(0o644)
        pack.unlink()
    with pytest.raises(StoreError) as exc, Store.open(built) as st:
        st.statements(at="2023-10")
    assert "\n" not in str(exc.value) and str(built) in str(exc.value)


def test_a_store_behind_a_symlink_is_rebuilt_in_place_of_its_target(
    tmp_path: Path, corpus: _Corpus
) -> None:
    docs, stmts, sources, labels = corpus
    real, link = tmp_path / "data" / "store", tmp_path / "link"
    real.parent.mkdir()
    link.symlink_to(real)
    assert write_store(docs, stmts, link, sources, labels).action == "created"
    changed = [*stmts[:-1], replace(stmts[-1], text="other")]
    report = write_store(docs, changed, link, sources, labels)
    assert report.action == "rebuilt"
    assert link.is_symlink() and link.resolve() == real
    assert git(real, "rev-parse", "HEAD").strip() == report.head
    assert sorted(p.name for p in real.parent.iterdir()) == ["store"]  # no temp, no lock left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "link"]


def test_swap_exchanges_directories_atomically(tmp_path: Path) -> None:
    """Where renameat2 exists the store path never goes missing during a swap."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("new")
    (b / "x").write_text("old")
    if not store_swap.exchange(a, b):
        pytest.skip("no renameat2(RENAME_EXCHANGE) here")
    assert (b / "x").read_text() == "new" and (a / "x").read_text() == "old"


def test_leftovers_of_killed_builds_are_removed_by_the_next_build(
    built: Path, corpus: _Corpus
) -> None:
    """kill -9 during a build leaves `.store.build-*`; the next lock holder removes it."""
    for name in (".store.build-abc", ".store.old-def"):
        (built.parent / name / ".git").mkdir(parents=True)
    changed = [*corpus[1][:-1], replace(corpus[1][-1], text="other")]
    write_store(corpus[0], changed, built, corpus[2], corpus[3])
    assert sorted(p.name for p in built.parent.iterdir()) == ["store"]
