"""Find statements by their text, the way a reader types a phrase.

Matching happens on `canonical_term` keys (case, diacritics, quotes, spaces and hyphens
folded away), so `end-to-end encryptie` finds `end-to-endencryptie` and a word hyphenated
across a PDF line break is found whole. Hits are ranked: the whole query as a phrase first,
then statements holding every word of it anywhere; within each rank, corpus order (date,
then document position), so the timeline reads top to bottom.

Words match inside longer words on purpose: Dutch writes compounds as one word, so `bevel`
must find `detectiebevel` (the price: `eten` also finds `weten`; the phrase rank and the
highlighted snippet let a reader tell).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from diffview.model import Statement
from diffview.text.normalize import canonical_term


@dataclass(frozen=True)
class Hit:
    """A statement that matches, and whether it holds the query as one phrase."""

    statement: Statement
    phrase: bool


class SearchIndex:
    """Canonical keys of a set of statements, computed once (about 0.1 s for the seeds)."""

    def __init__(self, statements: Sequence[Statement]) -> None:
        self._entries = [(s, canonical_term(s.text)) for s in statements]

    def search(self, query: str, limit: int = 200, doc: str | None = None) -> list[Hit]:
        """Up to `limit` hits for `query`, phrase matches first; `doc` restricts to one
        document. An empty query finds nothing."""
        words = [canonical_term(w) for w in query.split()]
        words = [w for w in words if w]
        if not words:
            return []
        phrase = canonical_term(query)
        exact: list[Hit] = []
        loose: list[Hit] = []
        for statement, key in self._entries:
            if doc is not None and statement.doc != doc:
                continue
            if phrase in key:
                exact.append(Hit(statement, True))
            elif all(w in key for w in words):
                loose.append(Hit(statement, False))
        return (exact + loose)[:limit]
