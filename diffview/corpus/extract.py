"""Turn what a user holds (a text file, a PDF, the official XML) into the text diffview
stores and cites.

The stored text is always plain UTF-8 text: citations point at its lines, and a reader can
open it without diffview. For a PDF or an XML file that text is an extraction, so the
manifest keeps the format and the sha256 of the original bytes beside it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from diffview.corpus.sources import decode_source, read_bytes

Original = Literal["pdf", "xml"]


@dataclass(frozen=True)
class Loaded:
    """The bytes to store, their text, and where they came from."""

    data: bytes  # what versions/ will hold (the text file itself, or the extracted text)
    text: str
    original: Original | None = None  # set when `text` was extracted
    original_sha256: str | None = None
    metadata: tuple[tuple[str, str], ...] = ()  # from a metadata.xml beside an XML file


def load_document(path: Path) -> Loaded:
    """Read `path`; refuse (one `InputError` line naming it) what cannot be read faithfully."""
    path = Path(path)
    raw = read_bytes(path)
    if b"%PDF-" in raw[:1024] or path.suffix.lower() == ".pdf":
        from diffview.corpus.pdftext import extract_pdf_text

        text = extract_pdf_text(path, raw)
        return _extracted(path, raw, text, "pdf")
    if path.suffix.lower() == ".xml" or raw.lstrip()[:5] == b"<?xml":
        from diffview.corpus.xmltext import metadata_beside, xml_to_text

        loaded = _extracted(path, raw, xml_to_text(path, raw), "xml")
        meta = tuple(sorted(metadata_beside(path).items()))
        return Loaded(loaded.data, loaded.text, "xml", loaded.original_sha256, meta)
    return Loaded(raw, decode_source(path, raw))


def _extracted(path: Path, raw: bytes, text: str, original: Original) -> Loaded:
    """Stored bytes of an extraction: UTF-8 text decoded back under the text rules."""
    data = text.encode("utf-8")
    return Loaded(data, decode_source(path, data), original, sha256(raw))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
