"""The views' plain output: the JSON writer agrees with `json.dumps` byte for byte."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffview.diff.compare import compare_texts
from diffview.model import StanceFlag, WordOp
from diffview.sanitize import _UNSAFE, sanitize
from diffview.views.plain import (
    View,
    comparison_to_dict,
    comparison_to_json,
    dumps_indented,
    render_inline_plain,
    render_side_by_side_plain,
)
from diffview.views.render import render_inline, render_side_by_side

PLAIN = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(st.characters(codec="utf-8", exclude_categories=["Cs"])),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=30,
)


@given(PLAIN)
def test_dumps_indented_is_json_dumps(data: object) -> None:
    assert dumps_indented(data) == json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2)


def test_dumps_indented_takes_tuples_as_lists_and_refuses_the_rest() -> None:
    expected = '{\n  "a": [],\n  "b": [\n    1,\n    2.5\n  ]\n}'
    assert dumps_indented({"b": (1, 2.5), "a": []}) == expected
    for bad in ({1: "x"}, {"x": object()}):
        with pytest.raises(TypeError):
            dumps_indented(bad)


def test_no_printable_character_is_one_sanitize_replaces() -> None:
    """`sanitize` returns printable text as it is: over every code point, its pattern finds
    nothing among the printable ones (Python's and the regex module's Unicode agree)."""
    printable = "".join(c for c in map(chr, range(0x110000)) if c.isprintable())
    assert _UNSAFE.search(printable) is None
    assert sanitize("a\u202eb\x1b") == "a<U+202E>b<U+001B>"


# --------------------------------------------------------------------------- plain inline

WORDS = st.sampled_from(
    [
        "kabinet",
        "steunt",
        "niet",
        "het",
        "voorstel",
        "end-to-end",
        "(EU)",
        "“nieuw”",
        "—",
        "Brussel1.",
        "a" * 37,
        "x",
        "vals-positieve",
        "→",
        "…",
        "•",
        "é",
        "Één",
    ]
)
SENTENCE = st.lists(WORDS, min_size=1, max_size=14).map(lambda w: " ".join(w) + ".")
TEXT = st.lists(SENTENCE, min_size=1, max_size=5).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(TEXT, TEXT, st.integers(min_value=1, max_value=130), st.booleans())
def test_plain_inline_is_richs_inline_without_colour(
    a: str, b: str, width: int, lead: bool
) -> None:
    comparison = compare_texts(a, b)
    view = View(lead=("detection order: supports → abstains (002:1-2)",) if lead else ())
    plain = render_inline_plain(comparison, width=width, view=view)
    assert plain == render_inline(comparison, width=width, color=False, view=view)


@settings(max_examples=60, deadline=None)
@given(TEXT, TEXT, st.integers(min_value=1, max_value=130), st.booleans())
def test_plain_side_by_side_is_richs_side_by_side_without_colour(
    a: str, b: str, width: int, all_rows: bool
) -> None:
    """Each column wraps on its own within Rich's split of the width; split and merged
    rows show one sentence against two, each with its citation."""
    comparison = compare_texts(a, b)
    view = View(context=None if all_rows else 0)
    plain = render_side_by_side_plain(comparison, width=width, view=view)
    assert plain == render_side_by_side(comparison, width=width, color=False, view=view)


def test_plain_side_by_side_leaves_wide_characters_to_rich() -> None:
    comparison = compare_texts("Het kabinet steunt 日本 niet.", "Het kabinet steunt 日本 wel.")
    assert render_side_by_side_plain(comparison, width=80) is None
    assert "日本" in render_side_by_side(comparison, width=80, color=False)


def test_plain_inline_leaves_wide_characters_to_rich() -> None:
    comparison = compare_texts("Het kabinet steunt 日本 niet.", "Het kabinet steunt 日本 wel.")
    assert render_inline_plain(comparison, width=80) is None
    comparison = compare_texts("Een zin.", "Een zin, twee.")
    unit = dataclasses.replace(comparison.units[0], ops=(WordOp(0, "een\tregel\nverder"),))
    hand_made = dataclasses.replace(comparison, units=(unit,))
    assert render_inline_plain(hand_made, width=80) is None


@settings(max_examples=40, deadline=None)
@given(TEXT, TEXT, st.sampled_from(["", "punctuation only"]), st.floats(), st.booleans())
def test_comparison_json_is_json_dumps_of_its_dict(
    a: str, b: str, note: str, score: float, extra: bool
) -> None:
    """The units' templates write what `json.dumps` writes for `comparison_to_dict`, for
    the engine's units and for hand-made ones (stance flags, related, also, notes, any score)."""
    comparison = compare_texts(a, b)
    if extra and comparison.units:
        first = comparison.units[0]
        left = tuple(dataclasses.replace(s, also=("A:3", "x\ty")) for s in first.left)
        flag = StanceFlag("negation", ("niet", "\x1b"), ())
        unit = dataclasses.replace(
            first, left=left, stance=(flag,), related=("B:1-2",), note=note, score=score
        )
        comparison = dataclasses.replace(comparison, units=(unit, *comparison.units[1:]))
    expected = json.dumps(
        comparison_to_dict(comparison), sort_keys=True, ensure_ascii=False, indent=2
    )
    assert comparison_to_json(comparison) == expected + "\n"
    for context in (0, 1):  # with unchanged runs collapsed (two files' JSON)
        rows = comparison_to_dict(comparison, context=context)
        expected = json.dumps(rows, sort_keys=True, ensure_ascii=False, indent=2)
        assert comparison_to_json(comparison, context=context) == expected + "\n"
    empty = dataclasses.replace(comparison, units=())
    expected = json.dumps(comparison_to_dict(empty), sort_keys=True, ensure_ascii=False, indent=2)
    assert comparison_to_json(empty) == expected + "\n"


@pytest.mark.parametrize("layout", [render_side_by_side_plain, render_inline_plain])
def test_plain_layouts_write_no_escape_from_document_text(
    layout: Callable[..., str | None],
) -> None:
    """A document's escape sequence, bidi override or markup reaches the pipe inert."""
    comparison = compare_texts(
        "Het kabinet \x1b[31msteunt\x1b[0m [bold]dit[/bold] niet.",
        "Het kabinet \u202esteunt\u202c dit wel.\x07",
    )
    out = layout(comparison, width=80)
    assert out is not None and "[bold]dit[/bold]" in out
    assert not any(ch in out for ch in "\x1b\x07\u202e\u202c")


def test_collapsed_json_is_json_dumps_of_its_dict() -> None:
    """A revision with long unchanged runs: the collapsed entries the writer spells are
    `json.dumps` of the dict's, and they cite the lines the runs cover."""
    a = "\n\n".join(f"Zin {k} blijft staan." for k in range(12))
    b = a.replace("Zin 6 blijft", "Zin 6 verandert")
    comparison = compare_texts(a, b, "a.txt", "b.txt")
    rows = comparison_to_dict(comparison, context=1)
    expected = json.dumps(rows, sort_keys=True, ensure_ascii=False, indent=2)
    assert comparison_to_json(comparison, context=1) == expected + "\n"
    collapsed = [u for u in rows["units"] if "collapsed" in u]  # type: ignore[attr-defined]
    assert [(u["collapsed"], u["from"], u["to"]) for u in collapsed] == [
        (5, "a.txt:1-9", "b.txt:1-9"),
        (4, "a.txt:17-23", "b.txt:17-23"),
    ]
