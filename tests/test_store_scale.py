"""Store format 3: appends plan only new commits, the store is the parse cache, a clone is a
store, older stores are rebuilt, ids grow past 999."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from helpers import git

from diffview import pipeline
from diffview.corpus import load as corpus_load
from diffview.corpus.manifest import (
    check_id,
    load_manifest_with_rounds,
    manifest_path,
    render_manifest,
)
from diffview.errors import StoreError
from diffview.model import Document
from diffview.pipeline import build_store
from diffview.store.read import Store
from diffview.store.write import write_store

# The bundled corpus's head (format 1 was 5b4de2d89155220da0b60c0c5f563002fa700e1c; format 2
# before each document's sentences/<id>.jsonl, 11e5af42d2fe00b906db6cad96eef0aff7487809, and
# before its claims/<id>.jsonl, 6f104421efeb59a04469ad693ec9fce872649c4f, with both
# 04952ac2de30a72bcd257c9d3c4bbdb82ade05b7). Neither record needed a format bump: a reader
# splits, counts and reads claims itself when a store lacks it. Format 3 moved the topic files
# off the branch, into each round's own commit.
BUNDLED_HEAD = "7eb3985d95700f6e9c181c88dc445f38fbf26da5"


def test_bundled_corpus_head_is_pinned(
    tmp_path: Path, versions_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any change to what the store's files or messages say changes this id: on purpose
    only (and bump the store format). The parser's rules digest is not in it: a new
    diffview that parses the same leaves every commit id as it was."""
    monkeypatch.setattr(pipeline, "rules_digest", lambda: "f" * 64)
    assert build_store(versions_dir, tmp_path / "s").head == BUNDLED_HEAD


def test_a_new_parser_reparses_and_keeps_the_commit_ids(
    tmp_path: Path, versions_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another rules digest (an upgrade, a clone that has none) re-parses every document
    once; the same statements give the same history, so nothing is written and a shared
    store stays fast-forward."""
    store = tmp_path / "s"
    first = build_store(versions_dir, store)
    parsed: list[str] = []
    real = corpus_load.parse_documents

    def counting(versions: Path, docs: list[Document], **kw: Any) -> Any:
        parsed.extend(d.id for d in docs)
        return real(versions, docs, **kw)

    monkeypatch.setattr("diffview.pipeline.parse_documents", counting)
    monkeypatch.setattr(pipeline, "rules_digest", lambda: "e" * 64)
    again = build_store(versions_dir, store)
    assert again.action == "unchanged" and again.head == first.head
    assert sorted(parsed) == sorted(d.id for d in load_manifest_with_rounds(versions_dir)[0])
    parsed.clear()
    assert build_store(versions_dir, store).action == "unchanged" and parsed == []


def test_ingests_one_by_one_give_the_head_of_a_full_build(
    tmp_path: Path, versions_copy: Path
) -> None:
    """Three ingests (same round as HEAD, a new round, back to an older round) append on
    top of the head; a full build of the resulting corpus has the same commit ids."""
    from diffview.ingest import ingest

    store = tmp_path / "store"
    build_store(versions_copy, store)
    docs, _ = load_manifest_with_rounds(versions_copy)
    for i, (day, round_) in enumerate(
        [("2026-04-01", "2026-03"), ("2026-05-04", None), ("2026-06-01", "2024-10")]
    ):
        new = tmp_path / f"new{i}.txt"
        new.write_bytes((versions_copy / docs[i + 1].source).read_bytes() + f"\nX{i}.\n".encode())
        ingest(new, versions_copy, store, date=day, kind="answers", title=f"Extra {i}",
               round=round_)  # fmt: skip
    full = build_store(versions_copy, tmp_path / "full")
    assert full.action == "created" and len(full.commits) == 8
    assert git(store, "rev-parse", "HEAD").strip() == full.head
    assert git(store, "show-ref") == git(tmp_path / "full", "show-ref")
    assert git(store, "fsck", "--strict", "--no-dangling") == ""
    assert git(store, "count-objects", "-v").startswith("count: 0\n")  # all packed
    with Store.open(store) as st:
        assert [v.round for v in st.versions()][-2:] == ["2026-05", "2024-10"]


def test_the_store_is_the_parse_cache(
    tmp_path: Path, versions_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "store"
    build_store(versions_copy, store)
    parsed: list[str] = []
    real = corpus_load.parse_documents

    def counting(versions: Path, docs, **kw):  # type: ignore[no-untyped-def]
        parsed.extend(d.id for d in docs)
        return real(versions, docs, **kw)

    monkeypatch.setattr("diffview.pipeline.parse_documents", counting)
    assert build_store(versions_copy, store).action == "unchanged" and parsed == []
    docs, labels = load_manifest_with_rounds(versions_copy)
    docs[1] = replace(docs[1], title="Another title")
    manifest_path(versions_copy).write_text(render_manifest(docs, labels))
    report = build_store(versions_copy, store)
    assert report.action == "rebuilt" and parsed == [docs[1].id]
    fresh = build_store(versions_copy, tmp_path / "fresh")
    assert fresh.head == report.head
    # the rebuild borrowed the packs of the common history, then kept what is reachable
    assert git(store, "fsck", "--strict") == ""
    assert git(store, "count-objects", "-v").startswith("count: 0\nsize: 0\nin-pack: ")
    assert len(list((store / ".git" / "objects" / "pack").glob("*.pack"))) == 1


def test_a_clone_of_a_store_is_a_store(tmp_path: Path, versions_dir: Path) -> None:
    """The marker is committed (`index.json`): clone, open, build finds nothing to do."""
    build_store(versions_dir, tmp_path / "a")
    subprocess.run(["git", "clone", "-q", str(tmp_path / "a"), str(tmp_path / "b")], check=True)
    assert "diffview" not in (tmp_path / "b" / ".git" / "config").read_text()
    with Store.open(tmp_path / "b") as st:
        assert st.topic_statements("detection-order", "2024-10")
    assert build_store(versions_dir, tmp_path / "b").action == "unchanged"


def test_a_store_that_lost_its_rounds_commits_gets_them_back(
    tmp_path: Path, versions_dir: Path
) -> None:
    """A round's commit is off the branch: only its tag reaches it (a `git pull` does not
    follow such tags). A build finds the branch unchanged and writes the missing rounds'
    commits and tags again, the same ones."""
    store = tmp_path / "s"
    build_store(versions_dir, store)
    tags = git(store, "for-each-ref", "refs/tags")
    lost = git(store, "rev-parse", "round-2024-10^{commit}").strip()
    git(store, "tag", "-d", "round-2024-10", "round-2026-03")
    git(store, "gc", "-q", "--prune=now")
    assert subprocess.run(["git", "-C", str(store), "cat-file", "-e", lost]).returncode != 0
    report = build_store(versions_dir, store)
    # per round: its commit and tag, its root and topics/ trees, its five topic files
    assert report.action == "appended" and report.objects_written == 2 * (2 + 2 + 5)
    assert git(store, "for-each-ref", "refs/tags") == tags
    diff = git(store, "diff", "round-2023-10", "round-2024-10", "--", "topics/encryption.md")
    assert '+round: "2024-10"' in diff
    assert build_store(versions_dir, store).action == "unchanged"


def test_a_store_of_format_1_is_refused_then_rebuilt(tmp_path: Path, versions_dir: Path) -> None:
    old = tmp_path / "old"
    subprocess.run(["git", "init", "-q", str(old)], check=True)
    for key, value in (("diffview.store", "1"), ("diffview.format", "1")):
        subprocess.run(["git", "-C", str(old), "config", key, value], check=True)
    with pytest.raises(StoreError, match=r"older diffview .*run `diffview build`"):
        Store.open(old)
    assert build_store(versions_dir, old).action == "rebuilt"
    with Store.open(old) as st:
        assert len(st.documents()) == 5


def test_ids_grow_past_999(tmp_path: Path, versions_dir: Path) -> None:
    from diffview.ingest import _next_id

    docs, labels = load_manifest_with_rounds(versions_dir)
    assert check_id("1000") == "1000" and check_id("004") == "004"
    for bad in ("0999", "99", "1e3"):
        with pytest.raises(ValueError):
            check_id(bad)
    same_day = docs[0].date
    ids = ["1001", "998", "1000", "999"]
    many = [replace(docs[0], id=i, source=f"{i}_{'a' * 16}.txt", date=same_day) for i in ids]
    sources = {d.source: (versions_dir / docs[0].source).read_bytes() for d in many}
    report = write_store(many, [], tmp_path / "s", sources, labels)
    assert [doc for doc, _ in report.commits] == ["998", "999", "1000", "1001"]
    assert _next_id(many) == "1002" and _next_id(many[1:2]) == "999"
    with Store.open(tmp_path / "s") as st:
        assert [d.id for d in st.documents()] == ["998", "999", "1000", "1001"]


def test_build_worktree_checks_out_every_file_on_request(
    tmp_path: Path, versions_dir: Path
) -> None:
    from diffview.views.cli import main

    store = tmp_path / "s"
    assert main(["build", "--versions", str(versions_dir), "--store", str(store)]) == 0
    assert not (store / "documents").exists() and (store / "README.md").is_file()
    assert git(store, "status", "--porcelain") == ""
    assert "# 003: " in git(store, "show", "doc-003:documents/003.md")
    argv = ["build", "--versions", str(versions_dir), "--store", str(store), "--worktree"]
    assert main(argv) == 0
    assert (store / "documents" / "003.md").is_file() and (store / "sources").is_dir()
    assert git(store, "status", "--porcelain") == ""
    assert main(argv[:-1]) == 0  # as the store has it: still complete
    assert (store / "documents" / "003.md").is_file()


def test_an_unchanged_corpus_is_not_read_again_and_an_edit_is_seen(
    tmp_path: Path, versions_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second build hashes no source whose size, mtime and inode are those of the last
    write (the stat cache beside the objects); a source edited since is read, and the store
    follows it (a rebuild from that document, which reads what it writes)."""
    from diffview.corpus.sources import read_bytes as real

    store = tmp_path / "store"
    build_store(versions_copy, store)
    read: list[str] = []

    def counting(path: Path) -> bytes:
        read.append(path.name)
        return real(path)

    monkeypatch.setattr("diffview.store.corpusfiles.read_bytes", counting)
    assert build_store(versions_copy, store).action == "unchanged" and read == []
    docs, _ = load_manifest_with_rounds(versions_copy)
    edited = versions_copy / docs[-1].source
    edited.write_text(edited.read_text(encoding="utf-8") + "\nHet kabinet steunt dit.\n")
    assert build_store(versions_copy, store).action != "unchanged"
    assert docs[-1].source in read
    read.clear()
    assert build_store(versions_copy, store).action == "unchanged" and read == []


_RECORD_CHECK = """
import json, subprocess, sys
from diffview.store.files import statement_from_dict
from diffview.text.sentences import split_sentences
store, doc = sys.argv[1], sys.argv[2]
def show(path):
    return subprocess.run(["git", "-C", store, "show", f"main:{path}"],
                          capture_output=True, check=True).stdout
record = json.loads(show(f"sentences/{doc}.jsonl").splitlines()[1])
stmts = [statement_from_dict(s) for s in json.loads(show(f"statements/{doc}.json"))["statements"]]
for s in stmts:
    if s.role != "cabinet":
        continue
    spans = split_sentences(s.text)  # this process never read the store: a fresh split
    assert record["spans"][s.id] == [list(x) for x in spans], s.id
print("ok")
"""


def test_a_compare_reads_what_it_would_have_computed(tmp_path: Path, versions_dir: Path) -> None:
    """The store records each cabinet statement's sentences and the stems they hold at
    build (`sentences/<id>.jsonl`), so a compare splits nothing and counts no stem: what it
    reads must be what it would have computed, and the corpus weights summed from the
    records must be those counted over the sentences themselves."""
    from diffview.diff.similarity import corpus_weights, weights_from_counts
    from diffview.text.sentences import sentences_of

    path = tmp_path / "s"
    build_store(versions_dir, path)
    with Store.open(path) as store:
        docs = [d.id for d in store.documents()]
        cabinet = [s for d in docs for s in store.statements(doc=d) if s.role == "cabinet"]
        records = [r for r in store.stem_counts(docs) if r is not None]
        assert len(records) == len(docs)
        counted = corpus_weights(s.text for s in sentences_of(cabinet))
        assert weights_from_counts(records) == counted
    for doc in docs:
        check = [sys.executable, "-c", _RECORD_CHECK, str(path), doc]
        assert subprocess.run(check, capture_output=True, text=True).stdout == "ok\n", doc


def test_a_rebuild_keeps_the_stored_claims_of_what_it_does_not_parse(
    tmp_path: Path, versions_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An earlier document ingested re-plans every later commit: the documents it does not
    parse again keep their stored claims (the claim reader runs on the new one only), and
    the store is the one a fresh build of the same corpus makes."""
    from diffview.corpus import claims as claims_module
    from diffview.ingest import ingest

    store = tmp_path / "store"
    build_store(versions_copy, store)
    read: list[set[str]] = []
    claims_of = claims_module.claims_of

    def counted(statements: list[Any], rules: Any) -> Any:
        read.append({s.doc for s in statements})
        return claims_of(statements, rules)

    monkeypatch.setattr(claims_module, "claims_of", counted)
    fixture = Path(__file__).parent / "fixtures" / "so-2026-06-single-answer.txt"
    doc = ingest(fixture, versions_copy, store, date="2024-01-15", title="Tussendoor")
    assert read == [{doc.id}]
    with Store.open(store) as st:
        assert {d.id for d in st.documents()} == {"000", "001", "002", "003", "004", doc.id}
        assert st.versions()[1].round == "2024-01"  # before 001 and 003: they were re-planned
    assert (
        build_store(versions_copy, tmp_path / "fresh").head
        == build_store(versions_copy, store).head
    )


def test_a_reparse_on_both_cores_of_a_stored_corpus_finishes(
    tmp_path: Path, versions_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new parser (every upgrade) re-parses a store's documents in a pool of forked
    workers: the store's git reader is closed before they fork, or closing it would wait
    for ever on the pipe they inherited. The bundled five on two workers stand for many."""
    store = tmp_path / "s"
    first = build_store(versions_dir, store)
    monkeypatch.setattr(corpus_load, "POOL_MIN_DOCUMENTS", 2)
    monkeypatch.setattr(corpus_load, "available_cores", lambda: 2)
    monkeypatch.setattr(pipeline, "rules_digest", lambda: "d" * 64)
    again = build_store(versions_dir, store)
    assert again.action == "unchanged" and again.head == first.head
