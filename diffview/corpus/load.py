"""Glue between the source files and the statement model: manifest → sources → parse → topics."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from diffview.corpus import parse as _parser
from diffview.corpus.manifest import load_manifest_with_rounds
from diffview.corpus.sources import load_source
from diffview.corpus.topics import BUNDLED_RULES, label_statements, load_rules
from diffview.errors import regex_timeout
from diffview.model import Document, Statement

# The bundled corpus is `versions/` inside this package, in a checkout and an install alike:
# in the repository `diffview/versions` is a symlink to the top-level versions/ (the one copy),
# a wheel carries the files themselves. Resolved, so messages name the real directory.
BUNDLED_VERSIONS = (Path(__file__).resolve().parent.parent / "versions").resolve()


@dataclass(frozen=True)
class Corpus:
    """Every document of a versions directory and all their statements, in manifest order.

    `sources` holds the bytes the statements were parsed from, read once, so the store keeps
    exactly the text its citations point into; `labels` names the rounds ("Oct 2024").
    """

    documents: tuple[Document, ...]
    statements: tuple[Statement, ...]
    sources: dict[str, bytes] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def of(self, doc_id: str) -> tuple[Statement, ...]:
        return tuple(s for s in self.statements if s.doc == doc_id)


def parse_text(doc: Document, text: str) -> list[Statement]:
    """Parse and label one document's decoded text."""
    return label_statements(_parser.parse_document(doc, text), load_rules())


# Bump when the parser changes what it makes of the same text: the store's cached
# statements (`statements/<id>.json`) are reused while this and the rules are unchanged.
PARSER_VERSION = "1"


def rules_digest() -> str:
    """The version of everything that turns a source into statements, as the store keys
    its parse cache by (with the source's sha256)."""
    h = hashlib.sha256(f"parser {PARSER_VERSION}\n".encode())
    h.update(BUNDLED_RULES.read_bytes())
    return h.hexdigest()[:16]


def parse_document(versions_dir: Path, doc: Document) -> tuple[bytes, list[Statement]]:
    """One document of `versions_dir`: its source bytes and its labelled statements."""
    path = Path(versions_dir) / doc.source
    data, text = load_source(path)
    try:
        return data, parse_text(doc, text)
    except TimeoutError:
        raise regex_timeout(path, "parsing") from None


def load_corpus(versions_dir: Path = BUNDLED_VERSIONS) -> Corpus:
    """Parse every document listed in the manifest of `versions_dir`."""
    documents, labels = load_manifest_with_rounds(versions_dir)
    sources: dict[str, bytes] = {}
    statements: list[Statement] = []
    for doc in documents:
        sources[doc.source], stmts = parse_document(versions_dir, doc)
        statements.extend(stmts)
    return Corpus(tuple(documents), tuple(statements), sources, labels)
