"""PDF in: the extracted text is what is stored and cited; bad or hostile PDFs are refused
on one line with nothing changed. PDFs are built here, at test time, from text we control."""

from __future__ import annotations

import hashlib
import io
import json
import zlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from helpers import tree_hash

from diffview.corpus.manifest import load_manifest
from diffview.corpus.parse import parse_document
from diffview.corpus.pdftext import extract_pdf_text
from diffview.errors import InputError
from diffview.model import Document, Statement
from diffview.views.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def text_pdf(text: str) -> bytes:
    """A PDF with each line of `text` drawn as one line (A4, Helvetica 10, 14 pt leading)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1)
    _, height = A4
    y = height - 60
    for line in text.split("\n"):
        if y < 60:
            pdf.showPage()
            y = height - 60
        pdf.setFont("Helvetica", 10)
        pdf.drawString(60, y, line)
        y -= 14
    pdf.save()
    return out.getvalue()


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF with a correct cross-reference table; object 1 is the catalog."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % off for off in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
ONE_PAGE = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"


def many_pages(n: int) -> bytes:
    kids = b" ".join([b"3 0 R"] * n)
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"
    return raw_pdf([CATALOG, b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n, page])


def deep_nesting(n: int) -> bytes:
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /X " + b"[" * n + b"]" * n
    return raw_pdf([CATALOG, ONE_PAGE, page + b" >>"])


def decompression_bomb(megabytes: int) -> bytes:
    z = zlib.compressobj(9)
    chunk = b"0 0 m " * (1 << 18)
    parts = [z.compress(chunk) for _ in range(megabytes * (1 << 20) // len(chunk))]
    stream = b"".join(parts) + z.flush()
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>"
    body = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
    return raw_pdf([CATALOG, ONE_PAGE, page, body + stream + b"\nendstream"])


def encrypted(text: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(text))))
    writer.encrypt("geheim", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _shape(
    stmts: list[Statement],
) -> list[tuple[str, str, str | None, str, str, tuple[int, ...]]]:
    index = {s.id: k for k, s in enumerate(stmts)}
    return [
        (s.kind, s.speaker, s.party, s.role, s.text, tuple(index[a] for a in s.answers))
        for s in stmts
    ]


@pytest.mark.parametrize(
    "name", ["kamervragen-ah-2025.txt", "kamerbrief-ministerie-2025.txt", "bnc-fiche-2022.txt"]
)
def test_a_pdf_of_a_text_gives_the_statements_of_the_text(tmp_path: Path, name: str) -> None:
    text = (FIXTURES / name).read_text("utf-8")
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(text_pdf(text))
    extracted = extract_pdf_text(pdf, pdf.read_bytes())
    assert "\f" in extracted or len(text.split("\n")) < 50  # the pages are marked
    doc = Document("900", "900_x.txt", "t", "t", "letter", date(2025, 1, 1), "day", "2025-01")
    assert _shape(parse_document(doc, extracted)) == _shape(parse_document(doc, text))


def test_ingest_stores_and_cites_the_extracted_text(
    versions_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    common = ["--versions", str(versions_copy), "--store", str(store)]
    assert main(["build", *common]) == 0
    pdf = tmp_path / "kamervragen.pdf"
    pdf.write_bytes(text_pdf((FIXTURES / "kamervragen-ah-2025.txt").read_text("utf-8")))
    assert main(["ingest", str(pdf), *common]) == 0
    doc = next(d for d in load_manifest(versions_copy) if d.id == "005")
    assert doc.original == "pdf"
    assert doc.original_sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert doc.kind == "kamervragen" and doc.date.isoformat() == "2025-11-21"
    stored = (versions_copy / doc.source).read_text("utf-8")
    assert not stored.startswith("%PDF") and "Vraag 4 en 5" in stored
    capsys.readouterr()
    assert main(["statements", "--doc", "005", "--format", "json", *common]) == 0
    rows = json.loads(capsys.readouterr().out)
    lines = stored.split("\n")
    first_answer = next(r for r in rows if r["kind"] == "answer")
    assert lines[first_answer["lines"][0] - 1].strip() == "Ja."  # cites the stored text


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: encrypted("Geachte voorzitter,\n"), "encrypted PDF"),
        (lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog\n", "not a readable PDF"),
        (lambda: many_pages(100_000), "PDF has 100000 pages, over the limit of 2000"),
        (lambda: deep_nesting(100_000), "not a readable PDF"),
        (lambda: decompression_bomb(300), "a PDF bomb?"),
        (lambda: text_pdf(""), "the PDF holds no text"),
    ],
    ids=["encrypted", "broken", "pages", "nesting", "decompression", "empty"],
)
def test_bad_pdfs_are_refused_with_nothing_changed(
    versions_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make: Callable[[], bytes],
    message: str,
) -> None:
    store = tmp_path / "store"
    common = ["--versions", str(versions_copy), "--store", str(store)]
    assert main(["build", *common]) == 0
    pdf = tmp_path / "bad.pdf"
    pdf.write_bytes(make())
    before = (tree_hash(versions_copy), tree_hash(store))
    capsys.readouterr()
    code = main(["ingest", str(pdf), "--date", "2025-01-01", *common])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert err.startswith(f"diffview: {pdf}: ") and message in err
    assert (tree_hash(versions_copy), tree_hash(store)) == before


def test_the_memory_limit_holds(tmp_path: Path) -> None:
    pdf = tmp_path / "small.pdf"
    pdf.write_bytes(text_pdf("Geachte voorzitter,\n"))
    with pytest.raises(InputError, match="needed over 8 MB of memory"):
        extract_pdf_text(pdf, pdf.read_bytes(), memory_limit=8 * 2**20)


def test_the_same_pdf_twice_is_refused(
    versions_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    common = ["--versions", str(versions_copy), "--store", str(store)]
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(text_pdf((FIXTURES / "kamerbrief-ministerie-2025.txt").read_text("utf-8")))
    assert main(["ingest", str(pdf), *common]) == 0
    capsys.readouterr()
    assert main(["ingest", str(pdf), "--date", "2025-11-22", *common]) == 2
    assert "same content as document 005" in capsys.readouterr().err
