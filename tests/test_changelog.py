"""The markdown/HTML changelog, checked on markdown-it-py's token stream, not on strings.

Strings would only prove that we wrote what we meant to write; tokens prove what a reader's
renderer will show: that struck/bold sit exactly on the changed words (CommonMark's flanking
rules are easy to get wrong) and that document text can never become a link or HTML.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from helpers import EmptyReader
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from diffview.corpus.load import BUNDLED_VERSIONS
from diffview.diff import compare
from diffview.errors import DiffviewError, StoreError
from diffview.model import (
    AlignedUnit,
    Comparison,
    Document,
    Sentence,
    StanceFlag,
    Statement,
    Version,
    WordOp,
)
from diffview.pipeline import build_store
from diffview.sanitize import sanitize
from diffview.store.read import Store
from diffview.store.write import write_store
from diffview.views.changelog import LEGEND, changelog_markdown, comparison_section
from diffview.views.markdown import escape_md, markdown_to_html, redline_md

MD = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
ADVERSARIAL = (
    "**x** [link](javascript:alert(1)) <script>alert(1)</script> <img src=x onerror=alert(1)> "
    "`code` # heading | a | b | ![img](http://e/x.png) <http://evil.example> &lt;b&gt; "
    "_em_ ~~s~~ \\* \x1b[31mred\x1b]8;;http://x\x07 \u202eevil\n    indented\n# line heading\n"
    "1. list\n- item\n> quote\n---\n"
)
SPAN = r"\d{3}:\d+(-\d+)?"
SPANS = rf"{SPAN}(, (also )?{SPAN})*"  # repeats of a sentence in its version: "also ..."
CITE = re.compile(rf"\({SPANS}( → {SPANS})?\)$")


# --------------------------------------------------------------------------- factory


def doc(doc_id: str, day: date, title: str = "", kamerstuk: str = "32317 nr. 1") -> Document:
    return Document(
        id=doc_id,
        source=f"{doc_id}_x.txt",
        title=title or f"Document {doc_id}",
        short_title=f"Doc {doc_id}",
        kind="answers",
        date=day,
        date_precision="day",
        round=day.strftime("%Y-%m"),
        kamerstukken=(kamerstuk,),
    )


DOCS = (doc("002", date(2023, 10, 17)), doc("003", date(2024, 10, 8)), doc("004", date(2026, 3, 2)))


def sent(text: str, doc_id: str = "002", lines: tuple[int, int] = (113, 128)) -> Sentence:
    return Sentence(text, doc_id, f"{doc_id}_x.txt", f"{doc_id}-a001-0", lines, 0)


def unit_from_ops(pairs: list[tuple[int, str]], change: str = "reworded", **kw: Any) -> AlignedUnit:
    left = "".join(t for o, t in pairs if o <= 0)
    right = "".join(t for o, t in pairs if o >= 0)
    return AlignedUnit(
        change,
        (sent(left),),
        (sent(right, "003", (40, 45)),),
        kw.pop("score", 0.7),
        tuple(WordOp(o, t) for o, t in pairs),
        **kw,
    )


def comparison(*units: AlignedUnit, frm: str = "002", to: str = "003") -> Comparison:
    counts: dict[str, int] = {}
    for unit in units:
        counts[unit.change] = counts.get(unit.change, 0) + 1
    return Comparison("detectiebevel", f"v{frm}", f"v{to}", (frm,), (to,), units, counts)


REWORDED = [
    (0, "Het kabinet "),
    (-1, "steunt"),
    (1, "onthoudt zich bij"),
    (0, " het "),
    (-1, "(EU)"),
    (1, "“detectiebevel”"),
    (0, " voorstel "),
    (-1, "niet."),
    (1, "wel."),
    (0, " Verder foo"),
    (-1, ","),
    (1, "."),
    (0, " bar."),
]


def sample() -> Comparison:
    stance = (
        StanceFlag("negation", ("niet",), ()),
        StanceFlag("position", ("steunt",), ("onthoudt",)),
    )
    return comparison(
        unit_from_ops(REWORDED, stance=stance, moved=True),
        AlignedUnit("added", (), (sent("Een nieuwe zin.", "003", (60, 61)),), 0.0),
        AlignedUnit("removed", (sent("Een oude zin.", "002", (7, 7)),), (), 0.0),
        AlignedUnit("unchanged", (sent("Blijft."),), (sent("Blijft.", "003", (9, 9)),), 1.0),
        AlignedUnit("unchanged", (sent("Ook."),), (sent("Ook.", "003", (10, 10)),), 1.0),
    )


# --------------------------------------------------------------------------- token helpers


def items(tokens: list[Token]) -> list[Token]:
    """The inline token of every bullet (one per quoted sentence)."""
    out = []
    for i, tok in enumerate(tokens):
        if tok.type == "list_item_open":
            out.append(next(t for t in tokens[i:] if t.type == "inline"))
    return out


def marked(inline: Token, kind: str) -> list[str]:
    """Text inside each `kind` (s / strong) span of an inline token."""
    spans: list[str] = []
    depth = 0
    for child in inline.children or []:
        if child.type == f"{kind}_open":
            depth += 1
            spans.append("")
        elif child.type == f"{kind}_close":
            depth -= 1
        elif depth and child.type in ("text", "text_special"):
            spans[-1] += child.content
    return spans


def expected_runs(pairs: list[tuple[int, str]], op: int) -> list[str]:
    """Maximal runs of `op` in the ops, whitespace-normalised, blank runs dropped."""
    runs: list[str] = []
    previous = None
    for o, text in pairs:
        if o == op:
            if previous == op:
                runs[-1] += text
            else:
                runs.append(text)
        previous = o
    return [" ".join(sanitize(r).split()) for r in runs if r.strip()]


def plain(inline: Token) -> str:
    return "".join(c.content for c in inline.children or [] if c.type in ("text", "text_special"))


def assert_inert(md: str) -> None:
    """Document text produced nothing but text, emphasis, our lists, tables and headings."""
    allowed_inline = {"text", "text_special", "softbreak", "s_open", "s_close", "strong_open"}
    allowed_inline |= {"strong_close", "em_open", "em_close", "code_inline"}
    for tok in MD.parse(md):
        assert tok.type not in ("html_block", "code_block", "fence", "blockquote_open", "hr")
        for child in tok.children or []:
            assert child.type in allowed_inline, (child.type, child.content)
            assert not child.type.startswith(("link", "image", "html"))


# --------------------------------------------------------------------------- sections


def test_one_heading_and_counts_in_summary() -> None:
    cmp = sample()
    tokens = MD.parse(comparison_section(cmp, DOCS))
    headings = [t for t in tokens if t.type == "heading_open"]
    assert [h.tag for h in headings] == ["h3"]
    title = tokens[tokens.index(headings[0]) + 1].content
    assert "2023-10-17" in title and "2024-10-08" in title and "Doc 002" in title
    summary = next(t.content for t in tokens if t.type == "inline" and "Summary" in t.content)
    found = {cls: int(n) for n, cls in re.findall(r"(\d+) ([a-z ]+)", summary.split(";")[1])}
    # the sample's rounds are built from different documents: one-sided rows are not
    # "added"/"removed" but new in this round / not repeated
    across = {"added": "new in this round", "removed": "not repeated"}
    assert found == {across.get(k, k): n for k, n in cmp.counts.items() if n}
    assert summary.startswith("Summary: 1 stance change (negation, position);")


def test_table_lists_titles_and_kamerstukken() -> None:
    docs = (
        doc("002", date(2023, 10, 17), "Antwoorden | met <b>pipe</b>", "32317 nr. 800"),
        DOCS[1],
    )
    assert_inert(comparison_section(sample(), docs))
    html = MD.render(comparison_section(sample(), docs))
    assert "<td>Antwoorden | met &lt;b&gt;pipe&lt;/b&gt;</td>" in html
    assert "<td>32317 nr. 800</td>" in html


def test_changed_sentences_only_unless_full() -> None:
    md = comparison_section(sample(), DOCS)
    assert len(items(MD.parse(md))) == 3
    assert "2 unchanged sentences not listed (`--full` lists them)." in md
    full = comparison_section(sample(), DOCS, full=True)
    assert len(items(MD.parse(full))) == 5
    assert "not listed" not in full


def test_every_quote_has_a_citation() -> None:
    for inline in items(MD.parse(comparison_section(sample(), DOCS, full=True))):
        assert CITE.search(plain(inline)), plain(inline)
    texts = [plain(i) for i in items(MD.parse(comparison_section(sample(), DOCS)))]
    assert texts[0].endswith("(002:113-128 → 003:40-45)")
    assert texts[1].endswith("(003:60-61)") and texts[2].endswith("(002:7)")


def test_struck_and_bold_sit_on_the_changed_words() -> None:
    inline = items(MD.parse(comparison_section(sample(), DOCS)))[0]
    assert marked(inline, "s") == ["steunt", "(EU)", "niet.", ","]
    assert marked(inline, "strong") == ["onthoudt zich bij", "“detectiebevel”", "wel.", "."]
    assert marked(inline, "s") == expected_runs(REWORDED, -1)
    assert marked(inline, "strong") == expected_runs(REWORDED, 1)


def test_added_removed_moved_split_marks() -> None:
    split = AlignedUnit(
        "split",
        (sent("A b. C d."),),
        (sent("A b.", "003", (1, 1)), sent("C e.", "003", (2, 2))),
        0.8,
        (WordOp(0, "A b. C "), WordOp(-1, "d"), WordOp(1, "e"), WordOp(0, ".")),
    )
    moved = AlignedUnit(
        "moved", (sent("Zelfde."),), (sent("Zelfde.", "003", (3, 3)),), 1.0, moved=True
    )
    md = comparison_section(comparison(split, moved, *sample().units[1:3]), DOCS)
    texts = [plain(i) for i in items(MD.parse(md))]
    assert "1 → 2 sentences" in texts[0] and texts[0].endswith("(002:113-128 → 003:1, 003:2)")
    assert texts[1].startswith("↕ moved") and "Zelfde." in texts[1]
    inlines = items(MD.parse(md))
    assert marked(inlines[2], "strong") == ["Een nieuwe zin."]
    assert marked(inlines[3], "s") == ["Een oude zin."]
    assert "⚑ stance: negation: -niet; position: -steunt +onthoudt" in plain(
        items(MD.parse(comparison_section(sample(), DOCS)))[0]
    )


WORDS = [
    "kabinet", "(EU)", "“detectiebevel”", "niet.", "foo,", ",", ".", "—", "...", "*", "**x**",
    "_a_", "~~", "~", "2021/1232", "[x]", "`", "&amp;", "<b>", "\\", "#", "|", "-", "1.", "(",
    ")", "end-to-end", "Kamer’s", "€", "!", "a*b", "x_", "'s", "(niet)", "“", "”",
]  # fmt: skip


@st.composite
def op_lists(draw: st.DrawFn) -> list[tuple[int, str]]:
    pairs: list[tuple[int, str]] = []
    for _ in range(draw(st.integers(1, 8))):
        words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))
        lead = draw(st.sampled_from(["", " "]))
        trail = draw(st.sampled_from(["", " "]))
        pairs.append((draw(st.sampled_from([-1, 0, 1])), lead + " ".join(words) + trail))
    return pairs


@settings(max_examples=300, deadline=None)
@given(op_lists())
def test_redline_marks_survive_flanking_rules(pairs: list[tuple[int, str]]) -> None:
    """Whatever punctuation surrounds a change, struck/bold land exactly on the changed text."""
    md = f"- x: {redline_md(pairs)} (002:1)"
    inline = items(MD.parse(md))[0]
    assert marked(inline, "s") == expected_runs(pairs, -1), md
    assert marked(inline, "strong") == expected_runs(pairs, 1), md
    assert_inert(md)
    shown = "".join(plain(inline).split())  # nothing lost, nothing added but spaces
    assert shown == "x:" + "".join(sanitize("".join(t for _, t in pairs)).split()) + "(002:1)"


# --------------------------------------------------------------------------- adversarial


def adversarial_comparison() -> Comparison:
    pairs = [(0, ADVERSARIAL), (-1, ADVERSARIAL), (1, ADVERSARIAL), (0, "[x](y)")]
    unchanged = AlignedUnit("unchanged", (sent(ADVERSARIAL),), (sent(ADVERSARIAL, "003"),), 1.0)
    flag = StanceFlag("negation", ("<b>**niet**</b>",), ("[a](b)",))
    return comparison(unit_from_ops(pairs, stance=(flag,)), unchanged)


def test_adversarial_text_is_literal_in_markdown() -> None:
    evil_docs = (doc("002", date(2023, 10, 17), ADVERSARIAL, "# 1 | <i>"), DOCS[1])
    md = comparison_section(adversarial_comparison(), evil_docs, full=True)
    assert_inert(md)
    tokens = MD.parse(md)
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h3"]
    literal = " ".join(sanitize(ADVERSARIAL).split())
    inlines = items(tokens)
    assert literal in plain(inlines[1])  # the unchanged sentence, shown whole
    assert marked(inlines[0], "s") == [literal] and marked(inlines[0], "strong") == [literal]
    assert "\x1b" not in md and "\u202e" not in md


def test_adversarial_text_is_literal_in_html() -> None:
    evil_docs = (doc("002", date(2023, 10, 17), ADVERSARIAL), DOCS[1])
    md = comparison_section(adversarial_comparison(), evil_docs, full=True)
    page = markdown_to_html(md, "<script>alert('t')</script>")
    lowered = page.lower()
    assert "<script" not in lowered and "<img" not in lowered and "href" not in lowered
    assert "<a " not in lowered and "<code" not in lowered and "<blockquote" not in lowered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "[link](javascript:alert(1))" in page
    assert "<title>&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;</title>" in page
    assert "\x1b" not in page and "\u202e" not in page


def test_escape_md_round_trips_every_ascii_character() -> None:
    text = "".join(chr(c) for c in range(33, 127)) + " ’ “ ” € — <U+001B>"
    tokens = MD.parse(f"- {escape_md(text)}")
    assert plain(items(tokens)[0]) == text
    assert_inert(f"- {escape_md(text)}")


# --------------------------------------------------------------------------- HTML


def test_html_page_is_standalone_and_styled() -> None:
    md = comparison_section(sample(), DOCS)
    page = markdown_to_html(md, "Changelog")
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    assert '<meta charset="utf-8">' in page and "<title>Changelog</title>" in page
    assert "@media print" in page and "line-through" in page
    assert "<s>steunt</s>" in page and "<strong>onthoudt zich bij</strong>" in page
    assert "<table>" in page
    assert markdown_to_html(md, "Changelog") == page


# --------------------------------------------------------------------------- store walk


class FakeStore(EmptyReader):
    """The store's reading API (`model.StoreReader`): rounds of one document each, no
    statements (the changelog's comparisons are faked below)."""

    def __init__(self) -> None:
        self.rounds = [Version(d.round, d.round, (d,), f"doc-{d.id}") for d in DOCS]

    def documents(self) -> list[Document]:
        return list(DOCS)

    def topics(self) -> list[str]:
        return ["detectiebevel", "encryptie"]

    def versions(self, topic: str | None = None) -> list[Version]:
        return list(self.rounds)

    def resolve_version(self, spec: str | Version) -> Version:
        if isinstance(spec, Version):
            return spec
        name = spec.removeprefix("round-")  # a round, or a document (`doc-004`: its round)
        found = [v for v in self.rounds if name == v.round or v.tag == f"doc-{name}"]
        found += [v for v in self.rounds if v.tag == spec]
        if not found:
            raise StoreError(f"unknown version {spec!r}")
        return found[0]


@pytest.fixture
def fake_compare(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    calls: list[tuple[str, str, str]] = []
    by_round = {d.round: d.id for d in DOCS}

    def compare_versions(store: Any, topic: str, frm: str, to: str) -> Comparison:
        calls.append((topic, frm, to))
        old, new = store.resolve_version(frm).round, store.resolve_version(to).round
        cmp = sample()
        return Comparison(topic, frm, to, (by_round[old],), (by_round[new],), cmp.units, cmp.counts)

    monkeypatch.setattr("diffview.positions.table.compare_with_evidence", compare_versions)
    return calls


def test_changelog_walks_successive_rounds(fake_compare: list[tuple[str, str, str]]) -> None:
    md = changelog_markdown(FakeStore(), ["detectiebevel", "encryptie"])
    tokens = MD.parse(md)
    headings = [
        (t.tag, tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"
    ]
    assert [tag for tag, _ in headings] == ["h1", "h2", "h3", "h3", "h2", "h3", "h3"]
    assert fake_compare == [
        ("detectiebevel", "2023-10", "2024-10"),
        ("detectiebevel", "2024-10", "2026-03"),
        ("encryptie", "2023-10", "2024-10"),
        ("encryptie", "2024-10", "2026-03"),
    ]
    assert md.count(LEGEND) == 1
    assert "2024-10-08" in headings[3][1] and "2026-03-02" in headings[3][1]
    assert changelog_markdown(FakeStore(), ["detectiebevel", "encryptie"]) == md
    assert_inert(md.replace(LEGEND, ""))


def test_changelog_range(fake_compare: list[tuple[str, str, str]]) -> None:
    md = changelog_markdown(FakeStore(), ["detectiebevel"], "2024-10", "doc-004")
    assert fake_compare == [("detectiebevel", "2024-10", "doc-004")]
    md = changelog_markdown(FakeStore(), ["detectiebevel"], "2026-03")
    assert "nothing to compare" in md


@pytest.mark.usefixtures("fake_compare")
def test_changelog_unknown_topic_is_a_user_error() -> None:
    with pytest.raises(DiffviewError, match="unknown topic 'chatcontrol'"):
        changelog_markdown(FakeStore(), ["chatcontrol"])


# --------------------------------------------------------------------------- end to end


def test_diff_engine_ops_land_on_the_changed_words() -> None:
    old = ["Het kabinet steunt het voorstel (EU) niet.", "Detectie van bekend materiaal mag."]
    new = [
        "Het kabinet onthoudt zich bij het voorstel.",
        "Detectie van “nieuw” materiaal mag niet.",
    ]
    cmp = compare.compare_sentences(
        [sent(t, "002", (i + 1, i + 1)) for i, t in enumerate(old)],
        [sent(t, "003", (i + 1, i + 1)) for i, t in enumerate(new)],
        topic="t",
        from_label="a",
        to_label="b",
        from_docs=("002",),
        to_docs=("003",),
    )
    md = comparison_section(cmp, DOCS)
    inlines = items(MD.parse(md))
    changed = [u for u in cmp.units if u.change != "unchanged" or u.moved]
    assert len(inlines) == len(changed)
    for inline, unit in zip(inlines, changed, strict=True):
        pairs = [(op.op, op.text) for op in unit.ops]
        assert marked(inline, "s") == expected_runs(pairs, -1)
        assert marked(inline, "strong") == expected_runs(pairs, 1)
        assert CITE.search(plain(inline))


def _real_store(tmp_path: Any) -> Any:
    path = tmp_path / "store"
    build_store(BUNDLED_VERSIONS, path)
    return Store.open(path)


def test_end_to_end_bundled_corpus(tmp_path: Any) -> None:
    store = _real_store(tmp_path)
    topics = list(store.topics())
    md = changelog_markdown(store, topics)
    assert changelog_markdown(store, topics) == md
    tokens = MD.parse(md)
    assert len([t for t in tokens if t.type == "heading_open" and t.tag == "h2"]) == len(topics)
    for inline in items(tokens):
        assert CITE.search(plain(inline)), plain(inline)
    page = markdown_to_html(md, "diffview")
    assert "<script" not in page.lower()


ROUND_TEXTS = {
    "002": "Het kabinet steunt een detectiebevel voor bekend materiaal. Grooming valt erbuiten.",
    "003": "Het kabinet onthoudt zich bij een detectiebevel voor bekend materiaal. "
    "Grooming valt erbuiten. Client-side scanning [x](javascript:y) wijzen wij af.",
    "004": "Het kabinet steunt geen verplichte detectie in privécommunicatie. "
    "Client-side scanning [x](javascript:y) wijzen wij af.",
}


def _statement(d: Document) -> Any:
    from diffview.model import TopicLabel

    text = ROUND_TEXTS[d.id]
    return Statement(
        id=f"{d.id}-a001-00000000",
        doc=d.id,
        source=d.source,
        date=d.date,
        kind="answer",
        speaker="kabinet",
        party="Minister van JenV",
        role="cabinet",
        text=text,
        lines=(10, 12),
        line_map=((0, 10), (40, 11), (90, 12)),
        topics=(TopicLabel("detectiebevel", ("detectiebevel",)),),
    )


def test_real_store_and_engine(tmp_path: Any) -> None:
    """Through store.write_store/Store.open and compare.compare_versions (no parser needed)."""
    sources = {d.source: ROUND_TEXTS[d.id].encode() for d in DOCS}
    path = tmp_path / "store"
    write_store(DOCS, [_statement(d) for d in DOCS], path, sources)
    store = Store.open(path)
    md = changelog_markdown(store, ["detectiebevel"])
    tokens = MD.parse(md)
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1", "h2", "h3", "h3"]
    assert_inert(md.replace(LEGEND, ""))
    inlines = items(tokens)
    assert inlines and all(CITE.search(plain(i)) for i in inlines)
    assert any("steunt" in marked(i, "s") for i in inlines)
    assert "[x](javascript:y)" in "".join(plain(i) for i in inlines)
    assert changelog_markdown(store, ["detectiebevel"]) == md
    ranged = changelog_markdown(store, ["detectiebevel"], "2024-10", "latest")
    assert [t.tag for t in MD.parse(ranged) if t.type == "heading_open"] == ["h1", "h2", "h3"]
