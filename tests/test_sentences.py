"""Sentence splitting: Dutch abbreviations, lists, quotes, bullets; exact line citations."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import statement

from diffview.text.scan import normalize_text
from diffview.text.sentences import sentences_of, split_sentences


def cut(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Dit geldt o.a. voor de JBZ-Raad.",
        "Zie Kamerstuk 32317, nr. 904 van vorig jaar.",
        "De brief d.d. 17 oktober is verstuurd.",
        "Op 1 oktober jl. met uw Kamer gedeeld.",
        "Zoals j.l. besproken met de Kamer.",
        "Denk bijv. aan hashes van bekend materiaal.",
        "Het debat m.b.t. de verordening loopt.",
        "De zorgen t.a.v. privacy blijven.",
        "Technieken, e.g. client-side scanning, worden besproken.",
        "Volgens art. 13 Grondwet is het briefgeheim beschermd.",
        "De motie van J.J. van Dijk werd aangenomen.",
        "Het betreft 1.000 meldingen en 2021/1232 als verordening.",
        "Er is EU- en lidstaatniveau overleg over e.d. zaken.",
        'Hij zei: "Dit is goed. Dat ook." tegen de Kamer.',
        "De Minister (zie art. 3. Ook lid 4) antwoordt.",
        "Voor Nederland is geen ruimte: 1) encryptie breken, 2) scannen.",
    ],
)
def test_one_sentence(text: str) -> None:
    assert cut(text) == [text]


def test_basic_ends() -> None:
    assert cut("Eerste zin. Tweede zin! Derde? Vierde…") == [
        "Eerste zin.",
        "Tweede zin!",
        "Derde?",
        "Vierde…",
    ]


def test_terminal_abbreviation_ends_before_capital() -> None:
    text = "In lijn met de motie Kathmann c.s. Voor Nederland is het duidelijk."
    assert cut(text) == ["In lijn met de motie Kathmann c.s.", "Voor Nederland is het duidelijk."]


def test_numbered_list_markers_do_not_end() -> None:
    assert cut("1. Eerste punt. 2. Tweede punt.") == ["1. Eerste punt.", "2. Tweede punt."]
    assert cut("Dat was in 2023. Het kabinet zwijgt.") == [
        "Dat was in 2023.",
        "Het kabinet zwijgt.",
    ]


def test_bullets_start_sentences() -> None:
    assert cut("De fractie vraagt: • Welke taken? • Welke grenzen") == [
        "De fractie vraagt:",
        "• Welke taken?",
        "• Welke grenzen",
    ]


def test_paragraph_break_ends() -> None:
    assert cut("Een kop zonder punt\n\nDe tekst volgt.") == [
        "Een kop zonder punt",
        "De tekst volgt.",
    ]


def test_quote_then_capital_ends_after_quote() -> None:
    assert cut('Hij zei: "Dit is goed." Daarna ging hij.') == [
        'Hij zei: "Dit is goed."',
        "Daarna ging hij.",
    ]


def test_spans_trimmed_and_ordered() -> None:
    text = "  Een.   Twee.\n\n  Drie.  "
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == ["Een.", "Twee.", "Drie."]
    assert all(a < b for a, b in spans)
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))
    assert split_sentences("") == [] and split_sentences(" \n ") == []


def test_sentences_of_cites_lines_and_numbers_across_statements() -> None:
    text = "Eerste zin over\ntwee regels. Tweede zin. Derde\nzin hier."
    line_map = ((0, 10), (16, 11), (47, 12))
    s1 = statement(text, line_map=line_map)
    s2 = statement("Nog een.", line_map=((0, 20),), sid="s2")
    sents = sentences_of([s1, s2])
    assert [s.text for s in sents] == [
        "Eerste zin over twee regels.",
        "Tweede zin.",
        "Derde zin hier.",
        "Nog een.",
    ]
    assert [s.lines for s in sents] == [(10, 11), (11, 11), (11, 12), (20, 20)]
    assert [s.index for s in sents] == [0, 1, 2, 3]
    assert sents[3].statement_id == "s2" and sents[0].cite == "002:10-11"
    for s, (a, b) in zip(sents[:3], split_sentences(text), strict=True):
        assert s.lines == s1.span_of(a, b)


def test_sentences_are_sanitised() -> None:
    sents = sentences_of([statement("Gevaar \x1b[31mrood\u202e hier.")])
    assert sents[0].text == "Gevaar <U+001B>[31mrood<U+202E> hier."


def test_seed_answer_sentences(versions_dir: Path) -> None:
    """002 lines 113-128, the Oct 2023 answer on the detection order, cut as a reader would."""
    lines = (versions_dir / "002_d229cc705638e600.txt").read_text("utf-8").splitlines()
    text, line_map = "", []
    for n in range(113, 129):
        line = lines[n - 1].strip()
        text += " " if text else ""
        line_map.append((len(text), n))
        text += line
    sents = sentences_of([statement(text, line_map=tuple(line_map))])
    assert len(sents) == 9
    assert sents[0].text.startswith("Op dit moment is nog steeds niet duidelijk")
    assert sents[0].cite == "002:113-114"
    assert sents[2].text == "Dit is conform de Nederlandse inzet." and sents[2].cite == "002:117"
    assert sents[-1].text.startswith("Nederland stemt niet in met het opnemen van nieuw materiaal")
    assert sents[-1].cite == "002:125-128"


def test_footnote_numbers_stay_with_the_sentence_they_annotate() -> None:
    """002:157-160 and 003:363 carry flattened superscripts after the full stop."""
    text = "Dit is gedeeld.1 De doelstelling is bekend. Zoals gecommuniceerd. 2 In het gesprek."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Dit is gedeeld.1",
        "De doelstelling is bekend.",
        "Zoals gecommuniceerd. 2",
        "In het gesprek.",
    ]
    assert len(split_sentences("Het kost 1.000 euro. Dat is veel.")) == 2


def test_runs_of_terminators_split_in_linear_time() -> None:
    """A run of terminators not followed by whitespace used to cost cubic time (2,000 dots
    before a letter: 7.6 s; 200,000 hit the regex time budget). The result is asserted on
    runs far beyond that; a super-linear splitter would time out here."""
    n = 200_000
    text = "Eerste zin" + "." * n + "a en verder. Tweede zin" + "?!" * n + " Derde zin."
    spans = split_sentences(text)
    assert [text[a:b][-12:] for a, b in spans] == ["a en verder.", "?!" * 6, "Derde zin."]
    assert spans[0] == (0, len("Eerste zin") + n + len("a en verder."))
    # a document of answers each ending in such a run: one sentence per answer, no more
    answer = "Het kabinet steunt dit" + "." * 5_000 + "x niet. "
    assert len(split_sentences(answer * 40)) == 40
    # a run followed by a space still ends the sentence once, with the whole run
    assert split_sentences("Zo" + "." * n + " Ja.") == [(0, n + 2), (n + 3, n + 6)]


def test_a_heading_glued_to_its_paragraph_is_a_sentence_of_its_own() -> None:
    """A short unpunctuated line after a sentence end, before a capital, is a heading: the
    splitter ends it there instead of gluing it to the first sentence after it."""
    text = normalize_text(
        "Daarom stellen deze leden nog enkele vragen aan de minister over de agenda.\n"
        "\n"
        "Staat van Schengen op basis van Schengen Barometer\n"
        "De leden van de CDA-fractie lezen dat de Commissie heeft aangekondigd met een\n"
        "actieplan te komen voor de aanpak van drugssmokkel naar de EU.\n"
        "Antwoord\n"
        "Het kabinet verwijst naar het bovenstaande antwoord.\n"
    ).text
    found = [text[a:b] for a, b in split_sentences(text)]
    assert "Staat van Schengen op basis van Schengen Barometer" in found
    assert "Antwoord" in found
    assert "Het kabinet verwijst naar het bovenstaande antwoord." in found


def test_a_numbered_heading_is_a_sentence_of_its_own() -> None:
    """Letters and fiches number their sections ("3. Encryptie", "2.1 …", "b) …"); a numbered
    line that wraps into a sentence stays one sentence."""
    text = normalize_text(
        "Het kabinet heeft de inzet in de Raad besproken met de andere lidstaten.\n"
        "\n"
        "3. Encryptie\n"
        "Het kabinet hecht groot belang aan end-to-end versleutelde communicatie.\n"
        "2.1 Detectiebevel\n"
        "Het kabinet steunt een detectiebevel voor nieuw materiaal niet.\n"
        "b) Subsidiariteit\n"
        "Het oordeel van het kabinet ten aanzien van de subsidiariteit is positief.\n"
        "\n"
        "12. Het kabinet\n"
        "steunt het voorstel van de Commissie over de detectie van materiaal niet.\n"
    ).text
    found = [text[a:b] for a, b in split_sentences(text)]
    for heading in ("3. Encryptie", "2.1 Detectiebevel", "b) Subsidiariteit"):
        assert heading in found
    assert "Het kabinet steunt een detectiebevel voor nieuw materiaal niet." in found
    assert found[-1].startswith("12. Het kabinet") and found[-1].endswith("niet.")


def test_a_wrapped_line_before_a_capital_is_not_a_heading() -> None:
    """Lines of a paragraph run the full width: a break before a name is no heading."""
    text = normalize_text(
        "Het kabinet heeft de inzet in de Raad besproken met de andere lidstaten en de\n"
        "Europese Commissie, en zal uw Kamer daarover informeren voor de volgende Raad.\n"
        "Nederland\n"
    ).text
    found = [text[a:b] for a, b in split_sentences(text)]
    assert found[0].startswith("Het kabinet") and "Europese Commissie" in found[0]


def test_ascii_words_are_the_words_the_unicode_pattern_finds() -> None:
    """The stems of a sentence (its similarity and the stored stem counts) come from the same
    words whether the text is ASCII (the fast path) or not."""
    from diffview.text import stems

    texts = [
        "Het kabinet steunt end-to-end-encryptie (art. 7) niet; o'Neill's 2x 26643-885?",
        "--a'b- 'c' d--e f''g h-'i 123 4-5 x_y",
        "Dat is de inzet van het kabinet: geen client-side scanning.",
    ]
    for text in texts:
        assert text.isascii()
        assert stems._words(text, None) == stems._WORD.findall(text)
