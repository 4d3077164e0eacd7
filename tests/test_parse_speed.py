"""The fast parse stage gives what the plain one gives: the pool, its errors, the layout
short-cut, the topic literal filter, the memo, and the rules digest."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, NoReturn

import pytest
import regex

from diffview.corpus import labels
from diffview.corpus import load as corpus_module
from diffview.corpus.layouts import REGISTRY, Layout, choose
from diffview.corpus.load import load_corpus, parse_source, rules_digest
from diffview.corpus.manifest import load_manifest_with_rounds
from diffview.corpus.sources import load_source
from diffview.corpus.topics import load_rules, required_literals
from diffview.errors import InputError, LayoutError
from diffview.model import Document

FIXTURES = Path(__file__).parent / "fixtures"


def _pooled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus_module, "POOL_MIN_DOCUMENTS", 2)
    monkeypatch.setattr(corpus_module, "POOL_MIN_DOCUMENTS_UNFORKED", 2)
    monkeypatch.setattr(corpus_module, "_CHUNK", 1)  # a task per document: order is tested


def test_the_pool_gives_the_serial_corpus(
    versions_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = load_corpus(versions_dir, workers=1)
    _pooled(monkeypatch)
    assert load_corpus(versions_dir, workers=2) == serial


def _break(versions: Path, prefix: str) -> Path:
    (path,) = versions.glob(f"{prefix}_*.txt")
    path.write_text("Een tekst zonder enige vorm.\n\nNog een alinea.\n", encoding="utf-8")
    return path


def test_the_pool_raises_the_first_error_in_manifest_order(
    versions_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents, _ = load_manifest_with_rounds(versions_copy)
    first, later = documents[1].id, documents[3].id  # manifest order, not id order
    _break(versions_copy, later)
    path = _break(versions_copy, first)
    with pytest.raises(LayoutError) as serial:
        load_corpus(versions_copy, workers=1)
    _pooled(monkeypatch)
    with pytest.raises(LayoutError) as pooled:
        load_corpus(versions_copy, workers=2)
    assert str(pooled.value) == str(serial.value)
    assert str(pooled.value).startswith(path.name)


def test_a_missing_source_is_the_same_error_from_the_pool(
    versions_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents, _ = load_manifest_with_rounds(versions_copy)
    (versions_copy / documents[2].source).unlink()
    with pytest.raises(InputError) as serial:
        load_corpus(versions_copy, workers=1)
    _pooled(monkeypatch)
    with pytest.raises(InputError) as pooled:
        load_corpus(versions_copy, workers=2)
    assert type(pooled.value) is type(serial.value)
    assert str(pooled.value) == str(serial.value)


def test_parse_source_names_the_file_on_a_regex_time_out(
    versions_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents, _ = load_manifest_with_rounds(versions_dir)

    def timing_out(*_args: object, **_kwargs: object) -> NoReturn:
        raise TimeoutError("regex timed out")

    monkeypatch.setattr("diffview.corpus.load.parse_document", timing_out)
    with pytest.raises(InputError) as exc:
        parse_source(versions_dir, documents[0])
    assert str(exc.value).startswith(f"{versions_dir / documents[0].source}: text too patho")


def test_parse_source_is_the_bytes_and_the_corpus_statements(versions_dir: Path) -> None:
    corpus = load_corpus(versions_dir)
    for doc in corpus.documents:
        data, statements = parse_source(versions_dir, doc)
        assert data == corpus.sources[doc.source]
        assert tuple(statements) == corpus.of(doc.id)


def test_rules_digest_is_stable_and_follows_the_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    digest = rules_digest()
    assert regex.fullmatch(r"[0-9a-f]{64}", digest) and rules_digest() == digest
    names = {m.__name__.rsplit(".", 1)[-1] for m in corpus_module._parser_modules()}
    assert {"parse", "normalize", "topics", "sources", "_common", "letter"} <= names
    monkeypatch.setattr(corpus_module, "PARSER_VERSION", corpus_module.PARSER_VERSION + 1)
    assert rules_digest() != digest


# --------------------------------------------------------------------------- layouts


def _texts(versions_dir: Path) -> list[tuple[str, str]]:
    paths = sorted(versions_dir.glob("*.txt")) + sorted(FIXTURES.glob("*.txt"))
    return [(p.name, load_source(p)[1]) for p in paths]


def _choose_all(text: str, source: str) -> Layout | None:
    """`choose` as it was: every layout asked, the best fit (first of ties)."""
    found = [(layout, layout.detect(text)) for layout in REGISTRY]
    fits = [(layout, d) for layout, d in found if d.fits]
    return max(fits, key=lambda pair: pair[1].score)[0] if fits else None


def test_no_layout_scores_above_its_declared_top(versions_dir: Path) -> None:
    for name, text in _texts(versions_dir):
        for cut in (text, text[: len(text) // 2], text[len(text) // 3 :]):
            for layout in REGISTRY:
                assert layout.detect(cut).score <= layout.top, (name, layout.name)
            best = _choose_all(cut, name)
            try:
                chosen = choose(cut, name)
            except LayoutError:
                chosen = None
            assert chosen is best, name


# --------------------------------------------------------------------------- topics


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"\bgrooming\b", ("grooming",)),
        (r"\b(?:ultimum remedium|laatste redmiddel)\b", ("laatste redmiddel", "ultimum remedium")),
        (r"\bdetect\w*\s+(?:\w+\s+){0,3}?materiaal", ("materiaal",)),
        (r"\bclient[- ]?side", ("client",)),
        (r"(?:ab)?c", ("c",)),
        (r"\p{L}+ken\b", ("ken",)),
        (r"[\p{L}x]ken", ("ken",)),
        (r"a|\w+", None),  # one branch requires nothing
        (r"(?:ab)*", None),  # may repeat zero times
        (r"(?i:abc)", None),  # a scoped flag: case is not what the text shows
        (r"[[a-z]--[aeiou]]x", None),  # a V1 set operation: refused, not misread
        (r"(?:abc){e<=1}", None),  # fuzzy matching: refused
        (r"\w", None),
    ],
)
def test_required_literals(source: str, expected: tuple[str, ...] | None) -> None:
    assert required_literals(source) == expected


def test_a_proximity_rule_needs_a_word_of_each_half() -> None:
    from diffview.corpus.topics import required_clauses

    clauses = required_clauses(
        r"(?:cyber\w*|weerbaar)[^.]{0,80}?(?:scan|detect)|x(?:scan|detect)[^.]{0,80}?(?:cyber\w*|weerbaar)"
    )
    assert clauses is not None
    assert frozenset({"cyber", "weerbaar"}) in clauses and frozenset({"scan", "detect"}) in clauses
    assert required_clauses(r"\w+") is None


def test_every_match_holds_a_required_literal(versions_dir: Path) -> None:
    """Soundness on the corpus: wherever a rule matches, one of its literals is present."""
    rules = load_rules()
    patterns = [p for t in rules.topics for p in (*t.patterns, *t.exclude)] + list(rules.csam)
    texts = [t.lower() for _, t in _texts(versions_dir)]
    texts = [para for t in texts for para in t.split("\n\n")]
    checked = 0
    for pattern in patterns:
        assert pattern.needs, pattern.source  # every bundled rule has a literal to test
        for text in texts:
            if pattern.folded is not None and pattern.folded.search(text):
                checked += 1
                assert any(x in text for x in pattern.needs), pattern.source
                for clause in pattern.clauses:  # and one of each further set it needs
                    assert any(x in text for x in clause), (pattern.source, clause)
    assert checked > 100


def test_the_topic_memo_is_exact_and_bounded(
    versions_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = load_rules()
    corpus = load_corpus(versions_dir)
    texts = [s.text for s in corpus.statements]
    monkeypatch.setattr(labels, "_ANALYSES_CHARS", 20_000)
    labels._ANALYSES.clear()
    monkeypatch.setattr(labels, "_analyses_held", 0)
    for text in texts:
        (first,) = labels._analyses([text], rules)
        assert first.labels() == labels._Analysis(text, rules).labels()
        assert labels._analyses([text], rules)[0] is first or len(text) > 2500
    assert labels._analyses_held <= 20_000
    assert labels._analyses_held == sum(len(t) for _, t in labels._ANALYSES)
    labels._ANALYSES.clear()


def test_a_copy_of_the_corpus_parses_the_same_twice(tmp_path: Path, versions_dir: Path) -> None:
    """Memoised analyses (a warm process) give what fresh ones give."""
    shutil.copytree(versions_dir, tmp_path / "v")
    labels._ANALYSES.clear()
    cold = load_corpus(tmp_path / "v", workers=1)
    assert load_corpus(tmp_path / "v", workers=1) == cold


def test_a_threaded_process_uses_the_fork_server(
    versions_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app builds from a worker thread: no fork there, the same corpus all the same."""
    monkeypatch.setattr(corpus_module, "_one_thread", lambda: False)
    assert corpus_module._pool_context().get_start_method() in ("forkserver", "spawn")
    serial = load_corpus(versions_dir, workers=1)
    _pooled(monkeypatch)
    assert load_corpus(versions_dir, workers=2) == serial


# ------------------------------------------------------------ the build, streamed from the pool


def test_a_pooled_build_streams_the_serial_builds_commits(
    tmp_path: Path, versions_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rendered in the workers and planned as each document arrives, the store is the one
    a serial build makes, commit for commit (and so byte for byte)."""
    from diffview.pipeline import build_store

    serial = build_store(versions_dir, tmp_path / "serial")
    _pooled(monkeypatch)
    monkeypatch.setattr(corpus_module, "available_cores", lambda: 2)
    here: list[str] = []
    real = corpus_module._parse_one

    def watching(versions: Path, doc: Document, then: Any) -> Any:
        here.append(doc.id)  # in a forked worker: its own copy of the list
        return real(versions, doc, then)

    monkeypatch.setattr(corpus_module, "_parse_one", watching)
    pooled = build_store(versions_dir, tmp_path / "pooled")
    assert pooled.commits == serial.commits and pooled.head == serial.head
    assert here == []  # the workers parsed and rendered, not this process


def test_a_document_failing_in_the_stream_leaves_no_store(
    tmp_path: Path, versions_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Commits before the broken document may be planned and streamed to git when its
    error comes: the build fails with the parse's error and leaves nothing behind."""
    from diffview.pipeline import build_store

    documents, _ = load_manifest_with_rounds(versions_copy)
    store = tmp_path / "store"
    _pooled(monkeypatch)
    monkeypatch.setattr(corpus_module, "available_cores", lambda: 2)
    path = _break(versions_copy, documents[-1].id)
    with pytest.raises(LayoutError) as exc:
        build_store(versions_copy, store)
    assert str(exc.value).startswith(path.name)
    assert not store.exists() and list(tmp_path.iterdir()) == [versions_copy]
