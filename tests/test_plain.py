"""The views' plain output: the JSON writer agrees with `json.dumps` byte for byte."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diffview.sanitize import _UNSAFE, sanitize
from diffview.views.plain import dumps_indented

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
