"""Search as a reader types: phrases first, spelling variants and hyphenation forgiven."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import statement

from diffview.corpus.load import load_corpus
from diffview.diff.search import SearchIndex

INDEX = SearchIndex(
    [
        statement("Het kabinet is positief over de kapitaalmarktunie en steunt dat.", sid="a"),
        statement(
            "Het kabinet steunt geen voorstellen die end-to-endencryptie onmogelijk maken.", sid="b"
        ),
        statement("Over versleuteling zegt het kabinet niets.", sid="c", doc="004"),
    ]
)


def test_phrase_hits_come_before_scattered_words() -> None:
    hits = INDEX.search("kabinet steunt")
    assert [(h.statement.id, h.phrase) for h in hits] == [("b", True), ("a", False)]


@pytest.mark.parametrize(
    "query", ["end-to-end encryptie", "End-to-End-Encryptie", "end to end encryptie"]
)
def test_spelling_variants_find_the_same_statement(query: str) -> None:
    assert [h.statement.id for h in INDEX.search(query)] == ["b"]


def test_empty_query_and_document_filter() -> None:
    assert INDEX.search("   ") == []
    assert [h.statement.id for h in INDEX.search("kabinet", doc="004")] == ["c"]


def test_a_word_hyphenated_across_a_line_break_is_found_whole(versions_dir: Path) -> None:
    """000 breaks `onderhandelingspo-` / `sitie` over two lines (000:20-21)."""
    index = SearchIndex(load_corpus(versions_dir).statements)
    hits = index.search("onderhandelingspositie in Europa")
    assert {h.statement.doc for h in hits if h.phrase} >= {"000", "002"}
