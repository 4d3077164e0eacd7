"""Glue between the source files and the statement model: manifest → sources → parse → topics."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from diffview.manifest import load_manifest
from diffview.model import Document, Statement
from diffview.parse import parse_document
from diffview.sources import read_source
from diffview.topics import label_statements, load_rules

BUNDLED_VERSIONS = Path(__file__).resolve().parent.parent / "versions"


@dataclass(frozen=True)
class Corpus:
    """Every document of a versions directory and all their statements, in manifest order."""

    documents: tuple[Document, ...]
    statements: tuple[Statement, ...]

    def of(self, doc_id: str) -> tuple[Statement, ...]:
        return tuple(s for s in self.statements if s.doc == doc_id)


def parse_one(versions_dir: Path, doc: Document) -> list[Statement]:
    """Read, parse and label one document of `versions_dir`."""
    raw = read_source(versions_dir / doc.source)
    return label_statements(parse_document(doc, raw), load_rules())


def load_corpus(versions_dir: Path = BUNDLED_VERSIONS) -> Corpus:
    """Parse every document listed in the manifest of `versions_dir`."""
    documents = tuple(load_manifest(versions_dir))
    statements: list[Statement] = []
    for doc in documents:
        statements.extend(parse_one(versions_dir, doc))
    return Corpus(documents, tuple(statements))
