"""Real document kinds in through `diffview ingest`: kind, date and numbers from the text,
recorded in the manifest; bad input refused on one line with nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import tree_hash

from diffview.corpus.manifest import load_manifest
from diffview.model import Document
from diffview.views.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"


_Corpus = tuple[Path, Path, list[str]]  # versions, store, the common CLI arguments


@pytest.fixture
def corpus(versions_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> _Corpus:
    store = tmp_path / "store"
    common = ["--versions", str(versions_copy), "--store", str(store)]
    assert main(["build", *common]) == 0
    capsys.readouterr()
    return versions_copy, store, common


def new_doc(versions: Path) -> Document:
    return next(d for d in load_manifest(versions) if d.id == "005")


def ingest(capsys: pytest.CaptureFixture[str], file: Path, *args: str) -> tuple[int, str, str]:
    code = main(["ingest", str(file), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_kamervragen_date_kind_and_numbers_come_from_the_text(
    corpus: _Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    versions, store, common = corpus
    code, out, err = ingest(capsys, FIXTURES / "kamervragen-ah-2025.txt", *common)
    assert code == 0, err
    assert out.startswith(
        "ingested 005: Antwoorden Kamervragen over het nieuwe compromisvoorstel van het Deense "
        "voorzitterschap voor de CSAM-verordening (2025-11-21)"
    )
    doc = new_doc(versions)
    assert (doc.kind, doc.date.isoformat(), doc.date_precision) == (
        "kamervragen",
        "2025-11-21",
        "day",
    )
    assert doc.numbers == ("2025Z19876",)
    assert doc.text_dates == ("ontvangen 2025-11-21", "ingezonden 2025-10-30")
    assert doc.minister == "Minister Van Oosten"
    assert doc.member == "Kathmann (GroenLinks-PvdA)"
    assert main(["statements", "--doc", "005", "--format", "json", *common]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["kind"] for r in rows] == ["question", "answer"] * 5
    assert all(r["answers"] == [rows[i - 1]["id"]] for i, r in enumerate(rows) if i % 2)


def test_an_explicit_date_wins(corpus: _Corpus, capsys: pytest.CaptureFixture[str]) -> None:
    versions, _, common = corpus
    code, _, err = ingest(
        capsys, FIXTURES / "debat-fragment-2025.txt", "--date", "2025-12-03", *common
    )
    assert code == 0, err
    doc = new_doc(versions)
    assert doc.date.isoformat() == "2025-12-03" and doc.kind == "debate-report"
    assert doc.text_dates == ("vastgesteld 2025-12-15",)
    assert doc.kamerstukken == ("32317 nr. 1002",)
    assert doc.title == "Verslag van een commissiedebat"


@pytest.mark.parametrize(
    ("name", "kind", "date", "kamerstukken"),
    [
        ("kamerbrief-ministerie-2025.txt", "letter", "2025-11-21", ()),
        ("kamerbrief-opendata-2024.txt", "letter", "2024-10-01", ("34843 nr. 113",)),
        ("bnc-fiche-2022.txt", "fiche", "2022-07-01", ("22112 nr. 3437",)),
        ("kamervragen-ministerie-2025.txt", "kamervragen", "2025-12-12", ()),
    ],
)
def test_each_new_kind_ingests(
    corpus: _Corpus,
    capsys: pytest.CaptureFixture[str],
    name: str,
    kind: str,
    date: str,
    kamerstukken: tuple[str, ...],
) -> None:
    versions, _, common = corpus
    code, _, err = ingest(capsys, FIXTURES / name, *common)
    assert code == 0, err
    doc = new_doc(versions)
    assert (doc.kind, doc.date.isoformat(), doc.kamerstukken) == (kind, date, kamerstukken)
    assert doc.minister is not None and doc.minister.startswith("Minister ")


def test_a_letter_without_signatory_is_refused(
    corpus: _Corpus, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    versions, store, common = corpus
    text = (FIXTURES / "kamerbrief-ministerie-2025.txt").read_text("utf-8")
    unsigned = tmp_path / "brief.txt"
    unsigned.write_text(text.replace("De Minister van Justitie en Veiligheid,\n", ""), "utf-8")
    before = (tree_hash(versions), tree_hash(store))
    code, out, err = ingest(capsys, unsigned, *common)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(f"diffview: {unsigned}: looks like a Kamerbrief but no signatory")
    assert (tree_hash(versions), tree_hash(store)) == before


def test_no_date_anywhere_is_refused(
    corpus: _Corpus, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    versions, store, common = corpus
    text = (FIXTURES / "debat-fragment-2025.txt").read_text("utf-8")
    undated = tmp_path / "debat.txt"
    undated.write_text(text.replace("Vastgesteld 15 december 2025\n", ""), "utf-8")
    before = (tree_hash(versions), tree_hash(store))
    code, _, err = ingest(capsys, undated, *common)
    assert code == 2 and "no date in the text" in err and err.count("\n") == 1
    assert (tree_hash(versions), tree_hash(store)) == before
