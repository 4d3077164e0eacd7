"""The file diff cuts a paragraph both texts hold once (diffview/diff/lines.py): the sentences,
their citations and so the whole comparison are those of cutting each whole text."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from diffview.diff import lines
from diffview.diff.compare import compare_sentences, compare_texts
from diffview.diff.lines import Cutter
from diffview.model import Comparison, Sentence, Statement
from diffview.text import sentences
from diffview.text.scan import normalize_text
from diffview.text.sentences import sentences_of, word_list

SETTINGS = settings(max_examples=120, deadline=None)


def whole_text_sentences(text: str, name: str) -> list[Sentence]:
    """The reference: the whole text normalised and split as one statement."""
    norm = normalize_text(text)
    stmt = Statement(
        id=f"{name}-all",
        doc=name,
        source=name,
        date=date.min,
        kind="turn",
        speaker="",
        party=None,
        role="cabinet",
        text=norm.text,
        lines=(1, norm.line_map[-1][1] if norm.line_map else 1),
        line_map=norm.line_map,
    )
    return sentences_of([stmt])


def whole_text_compare(a: str, b: str) -> Comparison:
    return compare_sentences(
        whole_text_sentences(a, "a"),
        whole_text_sentences(b, "b"),
        from_label="a",
        to_label="b",
        from_docs=("a",),
        to_docs=("b",),
        revision=True,
    )


WORDS = word_list(
    "het kabinet steunt niet geen detectiebevel encryptie Nederland zal kan onthouden "
    "materiaal bekend derogatie nr. o.a. J.J. bijv. c.s. (zie bijlage) 'motie' “inzet” "
    "1.000 Kamerstuk 32 317 voorstel Raad Commissie (zie bijlage) “inzet 1. a. ! ? ... • "
    "Brussel.1 e.a. 2"
)

sentence = st.lists(st.sampled_from(WORDS), min_size=2, max_size=10).map(
    lambda ws: " ".join(ws).capitalize() + "."
)
# A paragraph: sentences on one line or wrapped over several; a heading line glued to its
# text (the splitter measures it against the widest line of the whole text); a footnote.
line = st.lists(sentence, min_size=1, max_size=4).map(" ".join)
heading = st.sampled_from(["Inzet van het kabinet", "2.1 Detectiebevel", "Stand van zaken"])
paragraph = st.one_of(
    line,
    st.lists(line, min_size=2, max_size=3).map("\n".join),
    st.tuples(heading, line).map("\n".join),
    st.tuples(line, st.just("1 Kamerstuk 32 317, nr. 885.")).map("\n\n".join),
    st.just("3"),  # a page number between blank lines
)
texts = st.lists(paragraph, min_size=1, max_size=12)


@st.composite
def revisions(draw: st.DrawFn) -> tuple[str, str]:
    """A text and a revision of it: paragraphs edited, dropped, inserted, copied, widened."""
    a = draw(texts)
    b = list(a)
    for _ in range(draw(st.integers(0, 5))):
        what = draw(st.sampled_from(["edit", "drop", "insert", "copy", "widen", "join"]))
        k = draw(st.integers(0, max(len(b) - 1, 0)))
        if what == "edit" and b:
            words = b[k].split(" ")
            words[draw(st.integers(0, len(words) - 1))] = draw(st.sampled_from(WORDS))
            b[k] = " ".join(words)
        elif what == "drop" and len(b) > 1:
            del b[k]
        elif what == "insert":
            b.insert(k, draw(paragraph))
        elif what == "copy" and b:
            b.insert(draw(st.integers(0, len(b))), b[k])
        elif what == "widen":  # a wider line elsewhere: headings measure against it
            b.insert(k, " ".join([draw(sentence)] * 8))
        elif what == "join" and k + 1 < len(b):  # an edit at a paragraph boundary
            b[k : k + 2] = [b[k] + " " + b[k + 1]]
    blank = draw(st.sampled_from(["\n\n", "\n\n\n", "\n \n"]))
    return blank.join(a) + "\n", blank.join(b) + "\n"


@SETTINGS
@given(revisions())
def test_sentences_are_those_of_the_whole_text(pair: tuple[str, str]) -> None:
    a, b = pair
    cutter = Cutter()
    assert cutter.side(a, "a") == whole_text_sentences(a, "a")
    assert cutter.side(b, "b") == whole_text_sentences(b, "b")


@SETTINGS
@given(revisions())
def test_comparison_is_that_of_the_whole_texts(pair: tuple[str, str]) -> None:
    a, b = pair
    assert compare_texts(a, b, "a", "b") == whole_text_compare(a, b)


def test_heading_measured_against_the_widest_line_of_its_side() -> None:
    """A line glued to the next is a heading when it is short against the widest line of
    the whole text: the same paragraph cuts into two sentences beside narrow text and into
    three beside a wide paragraph, as the splitter of the whole text cuts it."""
    para = (
        "Het kabinet heeft dit besproken met de Raad.1\nStand van zaken\n"
        "De Raad heeft gesproken over dit voorstel en de inzet."
    )
    wide = " ".join(["Het kabinet steunt het voorstel van de Commissie niet."] * 4)
    a, b = para + "\n", para + "\n\n" + wide + "\n"
    cutter = Cutter()
    got_a, got_b = cutter.side(a, "a"), cutter.side(b, "b")
    assert got_a == whole_text_sentences(a, "a")
    assert got_b == whole_text_sentences(b, "b")
    assert [s.text for s in got_b[:3]] == [
        "Het kabinet heeft dit besproken met de Raad.1",
        "Stand van zaken",
        "De Raad heeft gesproken over dit voorstel en de inzet.",
    ]
    assert len(got_a) == 2


def test_reach_is_the_splitters() -> None:
    """The window of a revised paragraph is as wide as the splitter reads."""
    assert lines._MAX_PROTECTED == sentences._MAX_PROTECTED


@SETTINGS
@given(st.data())
def test_revised_paragraph_split_around_its_change(data: st.DataObject) -> None:
    """A long paragraph revised by a few words: its sentences as the splitter cuts it whole,
    whether the change is at its start, its end, next to a quotation or a bracket."""
    old = " ".join(data.draw(st.lists(sentence, min_size=2, max_size=14)))
    words = old.split(" ")
    for _ in range(data.draw(st.integers(1, 3))):
        k = data.draw(st.integers(0, len(words) - 1))
        words[k] = data.draw(st.sampled_from([*WORDS, "", "Nieuw.", "zin. De"]))
    new = " ".join(words)
    spans = sentences.split_sentences(old)
    got = lines._windowed(old, spans, new)
    assert got is None or [(a, b) for a, b, _ in got] == sentences.split_sentences(new)
    for a, b, i in got or ():  # a sentence taken from the old paragraph is the same text
        assert i < 0 or old[spans[i][0] : spans[i][1]] == new[a:b]


def test_repeated_identical_lines_one_changed_is_one_edit_in_place() -> None:
    """1,000 identical paragraphs, one edited: one reworded sentence where it stood, cited to
    its line, nothing moved, added or removed."""
    same = "Het kabinet steunt het voorstel van de Commissie over het detectiebevel."
    edited = "Het kabinet steunt het voorstel van de Commissie over het detectiebevel niet."
    lines = [same] * 1000
    a = "\n\n".join(lines) + "\n"
    lines[600] = edited
    b = "\n\n".join(lines) + "\n"
    c = compare_texts(a, b, "a", "b")
    changed = [u for u in c.units if u.change != "unchanged"]
    assert [u.change for u in changed] == ["reworded"]
    assert [f.kind for f in changed[0].stance] == ["negation"]
    assert changed[0].right[0].cite == "b:1201" and changed[0].left[0].cite == "a:1201"
    assert not any(u.moved for u in c.units)
    assert c.counts["unchanged"] == 999
    assert c == whole_text_compare(a, b)
