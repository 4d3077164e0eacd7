"""The layout registry: one interface per layout, best fit chosen, near misses named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from diffview.corpus.layouts import REGISTRY, Detection, choose
from diffview.corpus.parse import parse_document
from diffview.errors import LayoutError
from diffview.model import Document, Statement

FIXTURES = Path(__file__).parent / "fixtures"


def doc(source: str = "900_x.txt", kind: str = "answers") -> Document:
    return Document("900", source, "t", "t", kind, date(2025, 11, 21), "day", "2025-11")


def parse_fixture(name: str) -> list[Statement]:
    return parse_document(doc(name), (FIXTURES / name).read_text(encoding="utf-8"))


def test_every_layout_has_the_same_interface() -> None:
    names = [layout.name for layout in REGISTRY]
    assert len(set(names)) == len(names)
    for layout in REGISTRY:
        assert isinstance(layout.detect("Geen tekst van belang.\n"), Detection)
        assert layout.description.startswith(("a ", "an "))


def test_a_near_miss_names_the_layout_and_what_is_missing() -> None:
    text = "Verslag\n\nMinister Van Oosten:\nDank u wel, voorzitter. Het kabinet is tegen.\n"
    with pytest.raises(LayoutError) as exc:
        choose(text, "brief.txt")
    message = str(exc.value)
    assert message.startswith("brief.txt: looks like a debate report but only one speaker turn")
    assert "no speaker turns" not in message


def test_two_turns_are_a_debate() -> None:
    text = (
        "Mevrouw Kathmann (GroenLinks-PvdA):\nIs de minister nog steeds tegen?\n\n"
        "Minister Van Oosten:\nJa, het kabinet blijft tegen.\n"
    )
    assert choose(text).name == "debate"


# --- Kamervragen ------------------------------------------------------------------------------


def _linked(stmts: list[Statement]) -> list[tuple[tuple[int, int], list[tuple[int, int]]]]:
    by_id = {s.id: s for s in stmts}
    return [(s.lines, [by_id[i].lines for i in s.answers]) for s in stmts if s.kind == "answer"]


def test_kamervragen_handelingen_rendering() -> None:
    stmts = parse_fixture("kamervragen-ah-2025.txt")
    assert choose((FIXTURES / "kamervragen-ah-2025.txt").read_text("utf-8")).name == "kamervragen"
    questions = [s for s in stmts if s.kind == "question"]
    answers = [s for s in stmts if s.kind == "answer"]
    assert len(questions) == 5 and len(answers) == 5  # "Vraag 4 en 5" is one question
    assert {(s.speaker, s.party, s.role) for s in questions} == {
        ("Kathmann", "GroenLinks-PvdA", "parliament")
    }
    assert {(s.speaker, s.party, s.role) for s in answers} == {
        ("Minister Van Oosten", "Minister van Justitie en Veiligheid", "cabinet")
    }
    assert _linked(stmts) == [
        ((20, 20), [(16, 17)]),
        ((28, 31), [(23, 25)]),
        ((38, 41), [(34, 35)]),
        ((49, 52), [(44, 46)]),
        ((59, 60), [(55, 56)]),
    ]
    # the footnote after "?1" is a footnote, not the end of answer 6
    assert questions[0].footnotes == (
        '1 NOS, 6 november 2025, "Denemarken schrapt verplichte detectie uit '
        'chatcontrolevoorstel".',
    )
    assert answers[1].line_at(answers[1].text.index("Het kabinet beoordeelt")) == 30


def test_kamervragen_ministry_letter_with_several_members() -> None:
    stmts = parse_fixture("kamervragen-ministerie-2025.txt")
    questions = [s for s in stmts if s.kind == "question"]
    answers = [s for s in stmts if s.kind == "answer"]
    assert len(questions) == 3 and len(answers) == 3
    assert questions[0].speaker == "Six Dijkstra en Van der Werf"
    assert questions[0].party == "NSC, D66"
    assert answers[0].speaker == "Minister Van Oosten"  # from the signature "D.M. van Oosten"
    assert _linked(stmts) == [
        ((29, 29), [(25, 26)]),
        ((36, 38), [(32, 33)]),
        ((44, 45), [(41, 41)]),
    ]
    assert "Minister van Justitie" not in answers[-1].text  # the closing signature is no answer


def test_kamervragen_without_an_answer_is_refused_by_name() -> None:
    text = (
        "Vragen van het lid Kathmann (GroenLinks-PvdA) aan de Minister van Justitie en\n"
        "Veiligheid over chatcontrole (ingezonden 1 oktober 2025).\n\n"
        "Vraag 1\nSteunt u het voorstel?\n\nAntwoord 1\nNee.\n\n"
        "Vraag 2\nWaarom niet?\n\nVraag 3\nWanneer besluit de Raad?\n\nAntwoord 2\nZie boven.\n"
    )
    with pytest.raises(LayoutError) as exc:
        choose(text, "kv.txt")
    assert str(exc.value) == (
        'kv.txt: looks like a Kamervragen answer but no "Antwoord 3" follows "Vraag 3"'
    )


def test_numbers_of_combined_markers() -> None:
    from diffview.corpus.layouts.kamervragen import numbers

    assert numbers("4 en 5") == {4, 5}
    assert numbers("2, 3 en 4") == {2, 3, 4}
    assert numbers("6 t/m 8") == {6, 7, 8}


# --- Kamerbrief -------------------------------------------------------------------------------


def test_ministry_letter_paragraphs_and_headings_are_the_cabinets() -> None:
    stmts = parse_fixture("kamerbrief-ministerie-2025.txt")
    assert [(s.kind, s.lines) for s in stmts] == [
        ("paragraph", (23, 26)),
        ("heading", (28, 28)),
        ("paragraph", (30, 32)),
        ("paragraph", (34, 36)),  # the page header "Datum/Ons kenmerk/Pagina" is dropped
        ("heading", (42, 42)),
        ("paragraph", (44, 47)),
        ("paragraph", (49, 50)),
    ]
    assert {(s.role, s.speaker, s.party) for s in stmts} == {
        ("cabinet", "Minister Van Oosten", "Minister van Justitie en Veiligheid")
    }
    assert stmts[5].section == "Standpunt van het kabinet"
    assert stmts[0].footnotes == ("1 Kamerstuk 32317, nr. 986.",)
    assert "CSAM-verordening" in stmts[0].text  # the line-end hyphen is a real one


def test_open_data_rendering_of_a_letter() -> None:
    stmts = parse_fixture("kamerbrief-opendata-2024.txt")
    assert [(s.kind, s.lines) for s in stmts] == [
        ("paragraph", (22, 23)),
        ("paragraph", (25, 27)),
        ("heading", (29, 29)),
        ("paragraph", (31, 32)),
    ]
    assert stmts[0].speaker == "Minister Van Weel"
    assert not any("Nummer:" in s.text or "Zoeken" in s.text for s in stmts)


def test_letter_without_signatory_is_refused() -> None:
    text = (FIXTURES / "kamerbrief-ministerie-2025.txt").read_text("utf-8")
    unsigned = text.replace("De Minister van Justitie en Veiligheid,\n\nD.M. van Oosten\n", "")
    with pytest.raises(LayoutError) as exc:
        choose(unsigned, "brief.txt")
    assert str(exc.value) == (
        "brief.txt: looks like a Kamerbrief but no signatory closes it "
        "(`De Minister van ...,` and a name)"
    )


# --- BNC-fiche --------------------------------------------------------------------------------


def test_fiche_sections_are_the_cabinets() -> None:
    stmts = parse_fixture("bnc-fiche-2022.txt")
    # covering letter 1 paragraph; title, 4 sections, 11 subsections; 11 answers under them
    assert sum(s.kind == "heading" for s in stmts) == 16
    assert sum(s.kind == "paragraph" for s in stmts) == 12
    assert {(s.role, s.speaker, s.party) for s in stmts} == {
        ("cabinet", "Minister Hoekstra", "Minister van Buitenlandse Zaken")
    }
    assert stmts[0].lines == (8, 9)  # the covering letter, its signature left out
    position = next(s for s in stmts if s.text.startswith("Het kabinet staat positief"))
    assert position.lines == (50, 53)
    assert position.section == "3. Nederlandse positie ten aanzien van het voorstel"
    assert not any("Hoekstra" in s.text for s in stmts)


def test_fiche_without_covering_letter() -> None:
    text = (FIXTURES / "bnc-fiche-2022.txt").read_text("utf-8").split("\n")
    stmts = parse_document(doc(), "\n".join(text[13:]))
    assert stmts[0].text.startswith("Fiche 1: Verordening") and stmts[0].lines == (1, 1)
    assert {s.speaker for s in stmts} == {"kabinet"}


# --- debates with few turns -------------------------------------------------------------------


def test_a_short_debate_excerpt() -> None:
    stmts = parse_fixture("debat-fragment-2025.txt")
    assert [(s.speaker, s.party, s.role, s.lines) for s in stmts] == [
        ("Van Houwelingen", "FVD", "parliament", (14, 15)),
        ("Minister Van Oosten", "Minister van Justitie en Veiligheid", "cabinet", (18, 19)),
        ("Kathmann", "GroenLinks-PvdA", "parliament", (22, 23)),
        ("Minister Van Oosten", "Minister van Justitie en Veiligheid", "cabinet", (26, 27)),
    ]


def test_turns_with_their_first_words_on_the_header_line() -> None:
    text = (
        "Verslag\n\n"
        "De heer Van Houwelingen (FVD): Dank u wel, voorzitter. Steunt de minister\n"
        "chatcontrole?\n\n"
        "Minister Van Oosten: Nee, het kabinet steunt verplichte detectie niet.\n"
        "De voorzitter: Dank u wel.\n"
    )
    stmts = parse_document(doc(), text)
    assert [(s.speaker, s.role, s.lines) for s in stmts] == [
        ("Van Houwelingen", "parliament", (3, 4)),
        ("Minister Van Oosten", "cabinet", (6, 6)),
        ("De voorzitter", "chair", (7, 7)),
    ]
    assert stmts[0].text == "Dank u wel, voorzitter. Steunt de minister chatcontrole?"


def test_an_annex_after_the_signature_is_part_of_the_letter() -> None:
    """A geannoteerde agenda follows its covering letter's signature (`mr. D.M. van Oosten`)."""
    stmts = parse_fixture("geannoteerde-agenda-2025.txt")
    assert [(s.kind, s.lines) for s in stmts] == [
        ("paragraph", (11, 12)),
        ("heading", (18, 18)),
        ("heading", (20, 20)),
        ("paragraph", (22, 24)),
        ("paragraph", (26, 28)),
        ("heading", (30, 30)),
        ("paragraph", (32, 35)),
    ]
    assert {s.speaker for s in stmts} == {"Minister Van Oosten"}
    assert stmts[-1].section == "Verlenging van de tijdelijke derogatie"


def test_a_short_tail_after_the_signature_is_no_annex() -> None:
    stmts = parse_fixture("kamerbrief-opendata-2024.txt")
    text = (FIXTURES / "kamerbrief-opendata-2024.txt").read_text("utf-8")
    footer = "\nDeel deze pagina\nContact\nPrivacy\n"
    assert parse_document(doc("kamerbrief-opendata-2024.txt"), text + footer) == stmts


def test_kamervragen_with_bare_answer_markers() -> None:
    text = (
        "Vragen van het lid Van der Werf (D66) aan de Minister van Justitie en Veiligheid\n"
        "over chatcontrole (ingezonden 2 oktober 2025).\n\n"
        "Vraag 1\nSteunt u het voorstel van het voorzitterschap?\n\n"
        "Antwoord\nNee, het kabinet steunt het voorstel niet.\n\n"
        "Vraag 2 en 3\nWat is de inzet in de Raad? Wanneer wordt besloten?\n\n"
        "Antwoord:\nDe inzet is ongewijzigd. Een besluit valt in december.\n"
    )
    stmts = parse_document(doc(), text)
    assert [(s.kind, s.lines) for s in stmts] == [
        ("question", (5, 5)),
        ("answer", (8, 8)),
        ("question", (11, 11)),
        ("answer", (14, 14)),
    ]
    assert stmts[1].answers == (stmts[0].id,) and stmts[3].answers == (stmts[2].id,)
    assert stmts[0].speaker == "Van der Werf" and stmts[0].party == "D66"
    assert stmts[1].speaker == "Minister van Justitie en Veiligheid"


def test_pdf_running_headers_are_not_answer_text() -> None:
    lines = (FIXTURES / "kamervragen-ah-2025.txt").read_text("utf-8").split("\n")
    footer = ["", "ah-tk-20252026-412", "ISSN 0921 - 7398", "'s-Gravenhage 2025", ""]
    footer += ["Tweede Kamer, vergaderjaar 2025–2026, Aanhangsel 412 2", ""]
    paged = lines[:29] + footer + lines[29:]  # inside answer 2, after "geschrapt. Aanbieders"
    stmts = parse_document(doc(), "\n".join(paged))
    plain = parse_fixture("kamervragen-ah-2025.txt")
    assert [s.text for s in stmts] == [s.text for s in plain]


def test_kamervragen_header_without_addressee_and_a_signature_gap() -> None:
    text = (
        "Antwoorden op vragen van het lid Kathmann (GroenLinks-PvdA) over chatcontrole\n\n"
        "Vraag 1\nSteunt u het voorstel?\n\nAntwoord 1\nNee.\n\n"
        "De Staatssecretaris van Justitie en Veiligheid,\n" + "\n" * 11 + "I. Coenradie\n"
    )
    stmts = parse_document(doc(), text)
    assert [(s.speaker, s.party) for s in stmts] == [
        ("Kathmann", "GroenLinks-PvdA"),
        ("Staatssecretaris Coenradie", "Staatssecretaris van Justitie en Veiligheid"),
    ]
    assert stmts[1].text == "Nee."


def test_a_layout_mode_letter_with_the_letterheads_right_column() -> None:
    lines = (FIXTURES / "kamerbrief-ministerie-2025.txt").read_text("utf-8").split("\n")
    gap = " " * 30
    lines[20] = lines[20] + gap + "Ons kenmerk"  # "Geachte voorzitter,"
    lines[21] = " " * 50 + "6543210"
    lines[22] = lines[22] + gap + "Bijlagen"
    lines[23] = lines[23] + gap + "1"
    stmts = parse_document(doc("kamerbrief-ministerie-2025.txt"), "\n".join(lines))
    plain = parse_fixture("kamerbrief-ministerie-2025.txt")
    assert [(s.text, s.lines) for s in stmts] == [(s.text, s.lines) for s in plain]


_HEADER_PIECES = (
    "De heer Jansen (VVD):",
    "Mevrouw Kathmann (GL-\nPvdA):",
    "De voorzitter:",
    "Minister Van Oosten:",
    "Minister Van Oosten: Dank u.",
    "Antwoord",
    "Antwoord: ja",
    "Vragen en opmerkingen van de leden van de VVD-fractie",
    *("  ", "\n", "\n\n", " \t", "\r\n", "\x1c", "\u00a0", "\u2028", "\x85", "tekst", ":"),
)


def test_header_lines_are_found_as_a_search_finds_them() -> None:
    """Speaker turns and written-consultation markers are counted by trying the patterns
    only where their first words occur: the same turns and markers as a search of the whole
    text, also for headers after blank or odd-space lines, indented, or run together."""
    import random

    from diffview.corpus.layouts import _written, debate
    from diffview.corpus.layouts._common import line_matches

    turns = ("De heer", "Mevrouw", "De voorzitter", "Minister", "Staatssecretaris")
    cases = [
        (debate.TURN, turns),
        (debate.INLINE_TURN, turns),
        (_written.INLINE_MARKER, ("Antwoord",)),
        (_written.LINE_MARKER, ("Antwoord",)),
        (_written.FRACTIE, ("Vragen en opmerkingen van ",)),
    ]
    rng = random.Random(13)
    for _ in range(3000):
        text = "".join(rng.choice(_HEADER_PIECES) for _ in range(rng.randint(1, 14)))
        for pattern, heads in cases:
            expected = [m.span() for m in pattern.finditer(text)]
            assert [m.span() for m in line_matches(pattern, text, heads)] == expected, text


GLUED = """Aan de Voorzitter van de Tweede Kamer der Staten-Generaal

Geachte voorzitter,

Met deze brief informeer ik uw Kamer over de stand van zaken van de onderhandelingen
over de CSAM-verordening.

Detectiebevel
Het kabinet is geen voorstander van een verplicht detectiebevel in de privécommunicatie
van alle burgers.

Het kabinet acht het van belang dat de onderhandelingen over het voorstel
Nederland de ruimte laten om eigen keuzes te maken.

De Minister van Justitie en Veiligheid,

D.M. van Weel
"""


def test_a_heading_typed_without_a_blank_line_is_its_own_statement() -> None:
    # "Detectiebevel" over its paragraph is a heading; a wrapped line that happens to be
    # followed by a capital ("... voorstel" / "Nederland ...") is not
    stmts = parse_document(doc(kind="letter"), GLUED)
    assert [(s.kind, s.lines) for s in stmts] == [
        ("paragraph", (5, 6)),
        ("heading", (8, 8)),
        ("paragraph", (9, 10)),
        ("paragraph", (12, 13)),
    ]
    assert stmts[1].text == "Detectiebevel" and stmts[2].section == "Detectiebevel"
    assert stmts[2].text.startswith("Het kabinet is geen voorstander")
