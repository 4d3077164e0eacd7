"""Normalisation rules on tricky cases taken from the seeds, and the map back to lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from diffview.text.normalize import (
    canonical_term,
    classify_hyphen,
    normalize_inline,
    normalize_lines,
    same_term,
)
from diffview.text.scan import normalize_text, scan_source


def _raw(versions_dir: Path, prefix: str) -> str:
    (path,) = versions_dir.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


# Every line ending in "-" in the seeds was checked by eye (grep -n -- '-\s*$' versions/*):
# syllable breaks are joined, compounds with acronyms, capitals, digits, inner hyphens,
# known prefixes and vowel clashes keep their hyphen.
@pytest.mark.parametrize(
    ("before", "after", "how"),
    [
        ("onderhandelingspo", "sitie", "join"),  # 000:34
        ("belangenver", "strengeling", "join"),  # 000:41
        ("geanno", "teerde", "join"),
        ("privacy", "aspecten", "join"),  # 002 writes "privacyaspecten"
        ("radicali", "sering", "join"),
        ("(CSAM", "verordening)", "keep"),  # 000:26
        ("EU", "agentschappen,", "keep"),
        ("end-to-end", "encryptie", "keep"),
        ("end-to", "endencryptie", "keep"),  # 001, 003
        ("vals", "positieven", "keep"),  # 002:280
        ("client", "side", "keep"),
        ("ePrivacy", "richtlijn", "keep"),
        ("informatie", "uitwisseling", "keep"),  # vowel clash, 002:221
        ("Michon", "Derkzen.", "keep"),
        ("32317", "883)", "keep"),
        ("2", "MMC.", "keep"),  # 004:224
        ("motie", "Van", "keep"),
        ("Identiteits", "en", "space"),  # 002:1206 "Identiteits- en nationaliteits..."
    ],
)
def test_classify_hyphen_on_seed_cases(before: str, after: str, how: str) -> None:
    assert classify_hyphen(before, after) == how


def test_normalize_lines_joins_hyphenation_and_maps_lines() -> None:
    norm = normalize_lines(
        [
            (34, "niet uit te voeren, namelijk het ondergraven van de onderhandelingspo- "),
            (35, "sitie in Europa (Kamerstuk 26 643, nr. 1011)? In hoeverre "),
            (36, "voor het bestrijden van kinderpornografisch materiaal online (CSAM-"),
            (37, "verordening) met end-to-end-"),
            (38, "encryptie"),
        ]
    )
    assert "onderhandelingspositie in Europa (Kamerstuk 26643, nr. 1011)?" in norm.text
    assert "(CSAM-verordening) met end-to-end-encryptie" in norm.text
    assert norm.line_at(norm.text.index("positie")) == 34
    assert norm.line_at(norm.text.index("Europa")) == 35
    assert norm.line_at(norm.text.index("verordening")) == 37
    assert norm.line_at(len(norm.text) - 1) == 38


def test_kamerstuk_numbers_unified_but_not_other_numbers() -> None:
    text = normalize_inline(
        "(Kamerstuk 26 643/34 843, nr. 1069) Kamerstuk 32 317 op 19 en 20 oktober, 127 miljoen"
    )
    assert (
        text == "(Kamerstuk 26643/34843, nr. 1069) Kamerstuk 32317 op 19 en 20 oktober, 127 miljoen"
    )
    # across a line break, as in 003:7-8
    norm = normalize_lines([(7, "(Kamerstuk 34 "), (8, "843, nr. 113)")])
    assert norm.text == "(Kamerstuk 34843, nr. 113)"
    assert norm.line_at(norm.text.index(",")) == 8


def test_quotes_spaces_bullets_and_controls() -> None:
    assert normalize_inline("‘with knowing use’ «autocorrect» “crisis”") == (
        '\'with knowing use\' "autocorrect" "crisis"'
    )
    assert (
        normalize_inline("\uf0b7 Welke\u00a0inhoudelijke   inzet  ") == "• Welke inhoudelijke inzet"
    )
    assert normalize_inline("a\x1b[31mb\u202ec") == "a<U+001B>[31mb<U+202E>c"


def test_canonical_term_equates_spelling_variants() -> None:
    variants = ["end-to-end encryptie", "end-to-endencryptie", "End-to-end-encryptie"]
    assert len({canonical_term(v) for v in variants}) == 1
    assert same_term("Kamerstuk 32 317", "Kamerstuk 32317")
    assert same_term("«autocorrect»", "‘autocorrect’")
    assert same_term("privéberichten", "priveberichten")
    assert not same_term("detectiebevel", "detectieverplichting")


def test_page_furniture_of_002(versions_dir: Path) -> None:
    scan = scan_source(_raw(versions_dir, "002"))
    furniture = {i + 1 for i, kind in enumerate(scan.kinds) if kind == "furniture"}
    assert {1, 144, 145, 549, 762, 914, 1179} <= furniture  # Datum, file://, page numbers, URL
    numbers = [(f.number, f.lines[0]) for f in scan.footnotes]
    assert numbers[:4] == [(1, 141), (2, 195), (3, 196), (4, 247)]
    assert (1, 912) in numbers  # numbering restarts in the letter's second part
    assert scan.footnotes[2].text.endswith("Kamerstukken II 2022/23, 26643, nr. 1011.")


def test_footnotes_and_page_numbers_of_004(versions_dir: Path) -> None:
    scan = scan_source(_raw(versions_dir, "004"))
    assert [f.number for f in scan.footnotes] == list(range(1, 20))
    assert scan.kinds[81] == scan.kinds[705] == "furniture"  # page numbers "2" and "16"
    text = normalize_text(_raw(versions_dir, "004")).text
    assert "\uf0b7" not in text and "• Welke inhoudelijke inzet" in text
    assert "Tweede Kamer, vergaderjaar 2022-2023" not in text  # footnote 4 kept apart


def test_normalize_text_flows_over_page_breaks(versions_dir: Path) -> None:
    norm = normalize_text(_raw(versions_dir, "002"))
    # 002:138-146: a sentence interrupted by footnote 1 and two file:// lines
    assert "dubieuze financiële transacties en constructies?" in norm.text
    assert "file://" not in norm.text and "\n\n" in norm.text
    assert norm.line_at(norm.text.index("constructies?")) == 146
    # 003:1893-1897: footnote 7 is a URL broken over four lines, kept apart
    norm3 = normalize_text(_raw(versions_dir, "003"))
    assert "cybersecurityraad" not in norm3.text
    assert "end-to-end-encrypted diensten" in norm3.text
