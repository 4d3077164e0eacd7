"""Statements from the five seeds: layouts, counts verified by reading, spans, footnotes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from diffview.corpus.parse import detect_layout, parse_document
from diffview.errors import LayoutError
from diffview.model import Document, Statement
from diffview.text.normalize import canonical_term

ANNOTATION = Path(__file__).parent / "cabinet-statements-dev.json"


def _doc(versions_dir: Path, prefix: str) -> tuple[Document, str]:
    (path,) = versions_dir.glob(f"{prefix}_*.txt")
    doc = Document(
        id=prefix,
        source=path.name,
        title="t",
        short_title="t",
        kind="answers",
        date=date(2023, 10, 17),
        date_precision="day",
        round="2023-10",
    )
    return doc, path.read_text(encoding="utf-8")


_CACHE: dict[str, list[Statement]] = {}


def _parsed(versions_dir: Path, prefix: str) -> list[Statement]:
    if prefix not in _CACHE:
        _CACHE[prefix] = parse_document(*_doc(versions_dir, prefix))
    return _CACHE[prefix]


def _count(stmts: list[Statement], kind: str, role: str | None = None) -> int:
    return sum(1 for s in stmts if s.kind == kind and (role is None or s.role == role))


@pytest.mark.parametrize(
    ("prefix", "layout"),
    [
        ("000", "antwoord-line"),
        ("001", "debate"),
        ("002", "antwoord-line"),
        ("003", "numbered-qa"),
        ("004", "antwoord-inline"),
    ],
)
def test_layouts(versions_dir: Path, prefix: str, layout: str) -> None:
    doc, raw = _doc(versions_dir, prefix)
    assert detect_layout(raw, doc.source) == layout


def test_counts_000(versions_dir: Path) -> None:
    # Counted by reading: one statement per paragraph under a fractie heading:
    # VVD 1, D66 2, CDA 9, SP 5 (154-156 lacks its final period but is its own paragraph),
    # ChristenUnie 4, Groep Van Haga 5; section II is empty, so no answers.
    stmts = _parsed(versions_dir, "000")
    assert _count(stmts, "question") == 26
    assert _count(stmts, "answer") == 0


def test_counts_001(versions_dir: Path) -> None:
    # grep -cE '^(De heer|Mevrouw|De voorzitter|Minister) ...:$': 111 turn headers:
    # 38 "De voorzitter:", 24 "Minister Van Weel:", 49 members (FVD 10, VVD 16, GL-PvdA 9,
    # NSC 7, D66 7). The preamble (attendees, agenda) and "Sluiting" are no turn.
    stmts = _parsed(versions_dir, "001")
    assert _count(stmts, "turn") == 111
    assert _count(stmts, "turn", "chair") == 38
    assert _count(stmts, "turn", "cabinet") == 24
    assert _count(stmts, "turn", "parliament") == 49
    kathmann = next(s for s in stmts if s.speaker == "Kathmann")
    assert kathmann.party == "GroenLinks-PvdA"
    minister = next(s for s in stmts if s.role == "cabinet")
    assert minister.speaker == "Minister Van Weel"
    assert minister.party == "Minister van Justitie en Veiligheid"
    assert stmts[0].speaker == "De voorzitter" and stmts[0].lines[0] == 91


def test_counts_002(versions_dir: Path) -> None:
    # grep -cE '^\s*Antwoord\s*$' → 57 answers; 73 question paragraphs (fractie intros
    # included), read section by section.
    stmts = _parsed(versions_dir, "002")
    assert _count(stmts, "answer") == 57
    assert _count(stmts, "question") == 73
    assert all(s.answers for s in stmts if s.kind == "answer")
    first = next(s for s in stmts if s.kind == "answer")
    assert first.speaker == "kabinet"  # two ministers and a state secretary sign part one
    last = [s for s in stmts if s.kind == "answer"][-1]
    assert last.speaker == "Staatssecretaris van Justitie en Veiligheid"  # part two


def test_counts_003(versions_dir: Path) -> None:
    # Questions numbered 1..102 (81 stands alone on its line), each followed by its answer.
    stmts = _parsed(versions_dir, "003")
    assert _count(stmts, "question") == 102
    assert _count(stmts, "answer") == 102
    q9 = [s for s in stmts if s.kind == "question"][8]
    assert q9.lines == (202, 206)  # "Zo ja, ...? Zo niet, ...?" continues the question
    assert q9.text.endswith("zo snel mogelijk doen toekomen?")
    a100 = [s for s in stmts if s.kind == "answer"][99]
    assert a100.lines == (1884, 1901)
    assert "cybersecurityraad" not in a100.text  # footnote 7's URL sits inside this span
    a96 = [s for s in stmts if s.kind == "answer"][95]  # "... Security Raad (CSR).7"
    assert any("cybersecurityraad" in f for f in a96.footnotes)


def test_counts_004(versions_dir: Path) -> None:
    # grep -cE '^\s*Antwoord:' → 32 answers; 46 question paragraphs.
    stmts = _parsed(versions_dir, "004")
    assert _count(stmts, "answer") == 32
    assert _count(stmts, "question") == 46
    assert {s.speaker for s in stmts if s.kind == "answer"} == {
        "Minister van Justitie en Veiligheid"
    }


def test_answer_spans_match_annotation(versions_dir: Path) -> None:
    marked = json.loads(ANNOTATION.read_text(encoding="utf-8"))["statements"]
    for mark in marked:
        answers = [
            s
            for s in _parsed(versions_dir, mark["doc"])
            if s.kind == "answer" and s.lines[0] <= mark["end"] and s.lines[1] >= mark["start"]
        ]
        assert [s.lines for s in answers] == [(mark["start"], mark["end"])], mark
        words = canonical_term(" ".join(mark["first_words"].split()[:6]))
        assert canonical_term(answers[0].text).startswith(words)


def test_questions_of_000_match_002(versions_dir: Path) -> None:
    q002 = {canonical_term(s.text) for s in _parsed(versions_dir, "002") if s.kind == "question"}
    q000 = [s for s in _parsed(versions_dir, "000") if s.kind == "question"]
    share = sum(canonical_term(s.text) in q002 for s in q000) / len(q000)
    # 24/26: 000:105-124 is split in two by an answer in 002; 000:154-156 lacks a period.
    assert share >= 0.9
    pairs = json.loads(ANNOTATION.read_text(encoding="utf-8"))["question_pairs"]
    starts000 = {s.lines[0] for s in q000}
    starts002 = {s.lines[0] for s in _parsed(versions_dir, "002") if s.kind == "question"}
    for pair in pairs:
        assert pair["doc000_start"] in starts000 and pair["doc002_start"] in starts002


def test_answers_point_to_preceding_questions(versions_dir: Path) -> None:
    stmts = _parsed(versions_dir, "002")
    by_id = {s.id: s for s in stmts}
    tunesia = next(s for s in stmts if s.kind == "answer" and s.lines[0] == 1187)
    assert [by_id[i].lines[0] for i in tunesia.answers] == [1173, 1182]
    csam = next(s for s in stmts if s.kind == "answer" and s.lines[0] == 271)
    assert [by_id[i].lines[0] for i in csam.answers] == [253, 258]
    assert csam.section.startswith("Verordening tot vaststelling van regels")
    assert by_id[csam.answers[0]].speaker == "CDA" and csam.role == "cabinet"


def test_footnotes_attached_and_lines_mapped(versions_dir: Path) -> None:
    stmts = _parsed(versions_dir, "004")
    answer = next(s for s in stmts if s.kind == "answer" and s.lines[0] == 293)
    assert answer.footnotes == ("7 Kamerstukken II, 2025–2026, 32317, nr. 993",)
    assert answer.line_at(answer.text.index("Vrijwillige detectie levert")) == 309
    assert answer.line_at(answer.text.index("Zoals toegezegd")) == 293
    q = next(s for s in _parsed(versions_dir, "002") if s.lines[0] == 130)
    assert q.line_at(q.text.index("constructies?")) == 146
    assert q.footnotes and q.footnotes[0].startswith("1 De Groene Amsterdammer")


def test_ids_are_stable_and_unique(versions_dir: Path) -> None:
    stmts = _parsed(versions_dir, "003")
    assert len({s.id for s in stmts}) == len(stmts)
    again = parse_document(*_doc(versions_dir, "003"))
    assert [s.id for s in again] == [s.id for s in stmts]
    assert stmts[0].id.startswith("003-q001-")


def test_unknown_layout_raises(tmp_path: Path) -> None:
    doc = Document("900", "900_x.txt", "t", "t", "answers", date(2024, 1, 1), "day", "r")
    with pytest.raises(LayoutError, match="900_x.txt: no known layout"):
        parse_document(doc, "Een brief zonder vragen.\n\nNog een alinea.\n")
    with pytest.raises(LayoutError, match="900_x.txt: no known layout: the document is empty"):
        parse_document(doc, " \n\n")


def test_one_inline_answer_is_enough_for_the_inline_layout() -> None:
    """A short document with a single `Antwoord:` must not be read as the own-line layout
    (which would turn the answer into a question)."""
    raw = (Path(__file__).parent / "fixtures" / "so-2026-06-single-answer.txt").read_text("utf-8")
    assert detect_layout(raw) == "antwoord-inline"
