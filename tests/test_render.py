"""The terminal and JSON views of a Comparison, on hand-made comparisons.

What matters to a reader of the terminal: nothing cut off, nothing wider than the window,
no escape codes without colour, and no document text able to drive the terminal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from rich.cells import cell_len

from diffview.diff import compare
from diffview.model import (
    CHANGE_CLASSES,
    AlignedUnit,
    Comparison,
    Sentence,
    StanceFlag,
    WordOp,
)
from diffview.views.render import (
    JSON_SCHEMA_VERSION,
    comparison_to_json,
    render_inline,
    render_side_by_side,
    summary_line,
)

ANSI = re.compile(r"\x1b\[[0-9;]*m")
LONG = (
    "Het kabinet is van mening dat een detectiebevel alleen proportioneel kan zijn wanneer "
    "het beperkt blijft tot bekend materiaal en niet leidt tot het doorzoeken van de "
    "versleutelde communicatie van alle burgers, zoals eerder in de motie Van Raan verwoord "
    "en door de Kamer aangenomen op verzoek van meerdere fracties."
)
EVIL = "Evil [bold red]literal[/bold red] \x1b[31mred\x1b[0m \x1b]52;c;aGk=\x07 \u202eabc\x9b2J end"


def sent(text: str, doc: str = "002", lines: tuple[int, int] = (10, 12), i: int = 0) -> Sentence:
    return Sentence(text, doc, f"{doc}_test.txt", f"{doc}-a{i:03d}-00000000", lines, i)


def ops(*pairs: tuple[int, str]) -> tuple[WordOp, ...]:
    return tuple(WordOp(op, text) for op, text in pairs)


def comparison(*units: AlignedUnit, counts: dict[str, int] | None = None) -> Comparison:
    if counts is None:
        counts = {}
        for unit in units:
            counts[unit.change] = counts.get(unit.change, 0) + 1
    return Comparison(
        "detectiebevel", "Oct 2023", "Oct 2024", ("002",), ("003", "001"), tuple(units), counts
    )


def reworded() -> AlignedUnit:
    return AlignedUnit(
        "reworded",
        (sent("Het kabinet steunt het voorstel niet."),),
        (sent("Het kabinet onthoudt zich van stemming over het voorstel.", "003", (40, 45)),),
        0.62,
        ops(
            (0, "Het kabinet "),
            (-1, "steunt"),
            (1, "onthoudt zich van stemming over"),
            (0, " het voorstel"),
            (-1, " niet"),
            (0, "."),
        ),
        (
            StanceFlag("negation", ("niet",), ()),
            StanceFlag("position", ("steunt",), ("onthoudt",)),
        ),
        moved=True,
    )


def split() -> AlignedUnit:
    return AlignedUnit(
        "split",
        (sent("Eerste deel hier. Tweede deel daar."),),
        (sent("Eerste deel hier.", "003", (3, 3)), sent("Tweede deel nu.", "003", (4, 4), 1)),
        0.8,
        ops((0, "Eerste deel hier. Tweede deel "), (-1, "daar"), (1, "nu"), (0, ".")),
    )


def added(text: str = LONG) -> AlignedUnit:
    return AlignedUnit("added", (), (sent(text, "003", (50, 58), 2),), 0.0)


def unchanged() -> AlignedUnit:
    text = "Dit blijft hetzelfde."
    return AlignedUnit("unchanged", (sent(text),), (sent(text, "003", (7, 7)),), 1.0)


def sample() -> Comparison:
    return comparison(reworded(), split(), added(), unchanged())


# --------------------------------------------------------------------------- colour


@pytest.mark.parametrize("render", [render_side_by_side, render_inline])
def test_no_escape_codes_without_colour(render: Callable[..., str]) -> None:
    out = render(sample(), width=100, color=False)
    assert "\x1b" not in out
    assert "[-steunt-]" in out and "{+onthoudt" in out


@pytest.mark.parametrize("render", [render_side_by_side, render_inline])
def test_escape_codes_with_colour(render: Callable[..., str]) -> None:
    out = render(sample(), width=100, color=True)
    assert ANSI.search(out)
    assert "\x1b[9" in out or ";9" in out  # strike-through on deleted words
    assert "[-" not in out  # markers are for colourless output only


def test_colour_ignores_no_color_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI decides about colour (it reads NO_COLOR); the renderer obeys its argument."""
    monkeypatch.setenv("NO_COLOR", "1")
    assert ANSI.search(render_side_by_side(sample(), width=80, color=True))


# --------------------------------------------------------------------------- layout


@pytest.mark.parametrize("width", [20, 40, 80, 120, 200])
@pytest.mark.parametrize("render", [render_side_by_side, render_inline])
def test_lines_fit_the_width(render: Callable[..., str], width: int) -> None:
    out = render(sample(), width=width, color=False)
    for line in out.splitlines():
        assert cell_len(line) <= width, line


@pytest.mark.parametrize("width", [40, 200])
def test_coloured_lines_fit_the_width(width: int) -> None:
    out = render_side_by_side(sample(), width=width, color=True)
    for line in ANSI.sub("", out).splitlines():
        assert cell_len(line) <= width


def test_wide_terminal_uses_the_width() -> None:
    out = render_side_by_side(comparison(added(LONG * 2)), width=200, color=False)
    assert max(cell_len(line) for line in out.splitlines()) > 150


@pytest.mark.parametrize("width", [30, 40, 80])
@pytest.mark.parametrize("render", [render_side_by_side, render_inline])
def test_long_sentence_wrapped_not_cut(render: Callable[..., str], width: int) -> None:
    out = render(comparison(added()), width=width, color=False)
    words = " ".join(out.split())
    for word in LONG.split():
        assert word in words or word in out.replace("\n", ""), word
    assert len(out.splitlines()) > 6


def test_side_by_side_columns() -> None:
    """FROM text on the left half, TO text on the right half of the same row."""
    out = render_side_by_side(comparison(reworded()), width=100, color=False)
    row = next(line for line in out.splitlines() if "[-steunt-]" in line)
    assert row.index("[-steunt-]") < 50 <= row.index("Het kabinet {+onthoudt")


def test_split_row_shows_one_against_two() -> None:
    out = render_side_by_side(comparison(split()), width=100, color=False)
    assert "002:10-12" in out and "003:3" in out and "003:4" in out
    cite_rows = [line for line in out.splitlines() if "003:" in line]
    assert len(cite_rows) == 2  # each TO sentence has its own citation line
    assert "{+nu+}" in out and "[-daar-]" in out


def test_row_marks_and_citations() -> None:
    out = render_side_by_side(sample(), width=120, color=False)
    assert "↕ moved" in out
    assert "⚑ stance: negation: -niet; position: -steunt +onthoudt" in out
    # rounds of different documents: a one-sided row is new in this round, with no score
    assert "reworded 0.62" in out and "new in this round" in out
    assert "0.00" not in out and "added" not in out
    assert "002:10-12" in out and "003:40-45" in out and "003:50-58" in out
    assert "Topic: detectiebevel" in out and "Oct 2023" in out and "003, 001" in out


def test_inline_redline_and_citations() -> None:
    out = render_inline(comparison(reworded()), width=120, color=False)
    assert "Het kabinet [-steunt-]{+onthoudt zich van stemming over+} het voorstel [-niet-]." in out
    assert "002:10-12 → 003:40-45" in out


def test_summary_line_takes_the_counts() -> None:
    line = summary_line(comparison(reworded(), counts={"reworded": 3, "unchanged": 7}))
    assert line == "3 reworded · 7 unchanged · 1 stance change"
    out = render_side_by_side(comparison(reworded(), counts={"reworded": 3}), width=80, color=False)
    assert "3 reworded · 1 stance change" in out.splitlines()[:6]  # the summary leads


# --------------------------------------------------------------------------- safety


@pytest.mark.parametrize("color", [False, True])
@pytest.mark.parametrize("render", [render_side_by_side, render_inline])
def test_control_characters_never_reach_the_terminal(
    render: Callable[..., str], color: bool
) -> None:
    evil = AlignedUnit(
        "reworded",
        (sent(EVIL),),
        (sent(EVIL + " more"),),
        0.9,
        ops((0, EVIL), (1, " more \x1b[2J")),
        (StanceFlag("negation", ("\x1b[5m",), ()),),
    )
    bad = Comparison("topic\x1b[1m", "Oct\u202e", "x", ("0\x07",), ("1",), (evil,), {})
    out = render(bad, width=100, color=color)
    if color:
        out = ANSI.sub("", out)  # Rich's own style codes; nothing else may remain
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", out)
    assert "<U+001B>" in out and "<U+202E>" in out and "<U+009B>" in out


@pytest.mark.parametrize("color", [False, True])
def test_markup_stays_literal(color: bool) -> None:
    out = render_side_by_side(comparison(added(EVIL)), width=160, color=color)
    assert "[bold red]literal[/bold red]" in ANSI.sub("", out)


# --------------------------------------------------------------------------- JSON


def test_json_schema_and_round_trip() -> None:
    cmp = sample()
    text = comparison_to_json(cmp)
    data = json.loads(text)
    assert data["schema"] == JSON_SCHEMA_VERSION == 2
    assert data["topic"] == "detectiebevel"
    assert data["from"] == {"label": "Oct 2023", "docs": ["002"]}
    assert data["to"] == {"label": "Oct 2024", "docs": ["003", "001"]}
    assert set(data["summary"]) == {*CHANGE_CLASSES, "stance"}
    assert data["summary"]["reworded"] == 1 and data["summary"]["stance"] == 1
    assert len(data["units"]) == len(cmp.units)
    first = data["units"][0]
    assert set(first) == {
        "change",
        "score",
        "moved",
        "stance",
        "left",
        "right",
        "ops",
        "related",
        "note",
        "reads",
    }
    assert first["stance"][1] == {"kind": "position", "removed": ["steunt"], "added": ["onthoudt"]}
    assert first["left"][0] == {
        "text": "Het kabinet steunt het voorstel niet.",
        "doc": "002",
        "source": "002_test.txt",
        "statement": "002-a000-00000000",
        "lines": [10, 12],
        "also": [],
    }
    assert {op["op"] for op in first["ops"]} == {"equal", "delete", "insert"}
    for unit, raw in zip(cmp.units, data["units"], strict=True):
        assert [s["text"] for s in raw["right"]] == [s.text for s in unit.right]
        assert [(o["op"], o["text"]) for o in raw["ops"]] == [
            ({-1: "delete", 0: "equal", 1: "insert"}[o.op], o.text) for o in unit.ops
        ]


def test_json_is_deterministic_and_sorted() -> None:
    a, b = comparison_to_json(sample()), comparison_to_json(sample())
    assert a == b
    data = json.loads(a)
    assert json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n" == a
    assert "’" in comparison_to_json(comparison(added("’s nachts")))  # not \\u2019


def test_json_sanitises_document_text() -> None:
    data = json.loads(comparison_to_json(comparison(added(EVIL))))
    text = data["units"][0]["right"][0]["text"]
    assert "\x1b" not in text and "\u202e" not in text and "<U+001B>" in text


# --------------------------------------------------------------------------- end to end


def test_through_the_diff_engine() -> None:
    """Real word ops from compare.py render with marks on the changed words only."""
    old = ["Het kabinet steunt het voorstel van de Europese Commissie niet.", "Dit blijft.", LONG]
    new = [
        "Dit blijft.",
        "Het kabinet onthoudt zich bij het voorstel van de Europese Commissie.",
        LONG,
    ]
    cmp = compare.compare_sentences(
        [sent(t, "002", (i + 1, i + 1), i) for i, t in enumerate(old)],
        [sent(t, "003", (i + 1, i + 1), i) for i, t in enumerate(new)],
        topic="detectiebevel",
        from_label="Oct 2023",
        to_label="Oct 2024",
        from_docs=("002",),
        to_docs=("003",),
    )
    out = render_side_by_side(cmp, width=90, color=False)
    assert "[-steunt-]" in out and "{+onthoudt" in out and "⚑ stance" in out
    assert summary_line(cmp) in out.splitlines()[:6]
    for line in out.splitlines():
        assert cell_len(line) <= 90
    data = json.loads(comparison_to_json(cmp))
    assert [u["change"] for u in data["units"]] == [u.change for u in cmp.units]


def test_rounds_of_different_documents_collapse_repeated_sentences_the_same_way() -> None:
    """A later round that repeats sentences word for word: those runs collapse as in a
    revision, cited in each round's documents; the one-sided row still reads "new in this
    round", and a lone unchanged sentence beyond the context is shown, not collapsed."""
    from diffview.views.plain import View, render_inline_plain

    def same(k: int) -> AlignedUnit:
        text = f"Zin {k} blijft staan."
        return AlignedUnit(
            "unchanged", (sent(text, "002", (k, k), k),), (sent(text, "003", (k, k), k),), 1.0
        )

    new = AlignedUnit("added", (), (sent("Het kabinet onthoudt zich.", "003", (9, 9), 9),), 0.0)
    units = [same(1), same(2), same(3), new, same(4), same(5)]
    cmp = comparison(*units)
    assert cmp.across_documents
    for out in (
        render_inline(cmp, width=100, color=False, view=View(context=1)),
        render_side_by_side(cmp, width=100, color=False, view=View(context=1)),
        render_inline_plain(cmp, width=100, view=View(context=1)),
    ):
        assert out is not None
        lines = out.splitlines()
        assert "… 2 unchanged sentences (002:1-2 → 003:1-2) …" in lines
        assert any(line.startswith("new in this round") for line in lines)
        assert "Zin 5 blijft staan." in out  # one sentence past the context: shown
        assert "2 unchanged sentences collapsed" in lines[-1]
    everything = render_inline(cmp, width=100, color=False, view=View())
    assert "collapsed" not in everything and "Zin 1 blijft staan." in everything
