"""The official XML (op-xsd) in: a canonical plain rendering, read by the text layouts;
hostile or foreign XML refused on one line with nothing changed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers import tree_hash

from diffview.corpus.manifest import load_manifest
from diffview.corpus.parse import parse_document
from diffview.corpus.xmltext import xml_to_text
from diffview.errors import InputError
from diffview.model import Document, Statement
from diffview.views.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DOC = Document("900", "900_x.txt", "t", "t", "kamervragen", date(2025, 11, 21), "day", "2025-11")


def rendered(name: str) -> str:
    path = FIXTURES / name
    return xml_to_text(path, path.read_bytes())


def pairs(stmts: list[Statement]) -> list[tuple[str, str | None, str, tuple[tuple[str, str], ...]]]:
    by_id = {s.id: s for s in stmts}
    return [
        (s.speaker, s.party, s.text, tuple((by_id[q].speaker, by_id[q].text) for q in s.answers))
        for s in stmts
        if s.kind == "answer"
    ]


def test_xml_kamervragen_gives_the_pairs_of_its_text_rendering() -> None:
    from_xml = parse_document(DOC, rendered("kamervragen-ah-2025.xml"))
    text = (FIXTURES / "kamervragen-ah-2025.txt").read_text("utf-8")
    from_text = parse_document(DOC, text)
    assert len(pairs(from_xml)) == 5
    assert pairs(from_xml) == pairs(from_text)
    assert from_xml[0].footnotes == from_text[0].footnotes != ()


def test_xml_kamerstuk_letter() -> None:
    text = rendered("kamerstuk-brief-2025.xml")
    stmts = parse_document(DOC, text)
    lines = text.split("\n")
    assert {(s.role, s.speaker) for s in stmts} == {("cabinet", "Minister Van Oosten")}
    assert [s.kind for s in stmts] == ["paragraph", "heading", "paragraph", "paragraph",
                                       "paragraph", "heading", "paragraph"]  # fmt: skip
    assert lines[stmts[0].lines[0] - 1].startswith("Met deze brief")  # one line per `al`
    assert stmts[0].footnotes == ("1 Kamerstuk 32317, nr. 980.",)
    assert stmts[3].text.startswith("– geen detectie")


def test_ingest_xml_records_the_original(
    versions_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    common = ["--versions", str(versions_copy), "--store", str(store)]
    assert main(["build", *common]) == 0
    assert main(["ingest", str(FIXTURES / "kamerstuk-brief-2025.xml"), *common]) == 0
    doc = next(d for d in load_manifest(versions_copy) if d.id == "005")
    assert (doc.original, doc.kind, doc.date.isoformat()) == ("xml", "letter", "2025-11-21")
    assert doc.kamerstukken == ("32317 nr. 986",)
    assert (versions_copy / doc.source).read_text("utf-8") == rendered("kamerstuk-brief-2025.xml")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<kamervragen><vraag><nr>Vraag 1</nr><al>&lol3;</al></vraag></kamervragen>
"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE kamerstuk [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<kamerstuk><stuk><al>&xxe;</al></stuk></kamerstuk>
"""
FOREIGN = b"""<?xml version="1.0"?>
<html><body><p>Geachte voorzitter,</p></body></html>
"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BILLION_LAUGHS, "XML declares an entity or external reference"),
        (EXTERNAL, "XML declares an entity or external reference"),
        (FOREIGN, "XML of another vocabulary (root <html>)"),
        (b"<?xml version='1.0'?>\n<kamerstuk><al>open\n", "not well-formed XML"),
        (b'<?xml version="1.0" encoding="bogus"?><kamerstuk/>', "unknown encoding: bogus"),
    ],
    ids=["billion-laughs", "external-entity", "other-vocabulary", "broken", "encoding"],
)
def test_bad_xml_is_refused_with_nothing_changed(
    versions_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    data: bytes,
    message: str,
) -> None:
    store = tmp_path / "store"
    common = ["--versions", str(versions_copy), "--store", str(store)]
    assert main(["build", *common]) == 0
    bad = tmp_path / "bad.xml"
    bad.write_bytes(data)
    before = (tree_hash(versions_copy), tree_hash(store))
    capsys.readouterr()
    code = main(["ingest", str(bad), "--date", "2025-01-01", *common])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert err.startswith(f"diffview: {bad}") and message in err
    assert (tree_hash(versions_copy), tree_hash(store)) == before


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    data = b"<kamerstuk>" + b"<divisie>" * 100_000 + b"</divisie>" * 100_000 + b"</kamerstuk>"
    with pytest.raises(InputError, match="XML nested too deeply"):
        xml_to_text(tmp_path / "deep.xml", data)


METADATA = b"""<?xml version="1.0" encoding="UTF-8"?>
<metadata_gegevens>
  <metadata name="DC.identifier" scheme="" content="ah-tk-20252026-412"/>
  <metadata name="OVERHEIDop.vraagnummer" scheme="" content="2025Z19876"/>
  <metadata name="OVERHEIDop.datumOntvangst" scheme="" content="2025-11-21"/>
  <metadata name="OVERHEIDop.datumIndiening" scheme="" content="2025-10-30"/>
</metadata_gegevens>
"""


def test_metadata_xml_beside_fills_in_what_the_text_does_not_say(
    versions_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    common = ["--versions", str(versions_copy), "--store", str(store)]
    data = (FIXTURES / "kamervragen-ah-2025.xml").read_bytes()
    data = data.replace(b"<kamervraagnummer>2025Z19876</kamervraagnummer>", b"")
    data = data.replace(b" (ontvangen 21 november 2025)", b"")
    folder = tmp_path / "ah-tk-20252026-412"
    folder.mkdir()
    (folder / "ah-tk-20252026-412.xml").write_bytes(data)
    (folder / "metadata.xml").write_bytes(METADATA)
    assert main(["ingest", str(folder / "ah-tk-20252026-412.xml"), *common]) == 0
    doc = next(d for d in load_manifest(versions_copy) if d.id == "005")
    assert doc.date.isoformat() == "2025-11-21" and doc.numbers == ("2025Z19876",)
    assert doc.text_dates == ("ingezonden 2025-10-30", "ontvangen 2025-11-21")
