"""Changelog of the cabinet's wording as CommonMark (+ GFM tables/strikethrough) and HTML.

A view like `render`, but core-free of Rich/Textual: it uses only the store's reading API
and `positions.compare_with_evidence`, so it can run in any context (CI, a static site).

Layout, per topic and per successive pair of versions (rounds) in the requested range:
a dated heading, a table of both versions' documents (titles, Kamerstuk numbers), a
one-paragraph summary (stance changes first, then counts per change class), then every
changed sentence as a redline: deleted words `~~struck~~`, inserted words `**bold**`,
moved/split/merged marked, each quote followed by its citation `(002:113-128)`.
Unchanged sentences are counted, not repeated (unless `full=True`).

Safety: document text is sanitised, its whitespace collapsed (so it can never start a
block: no code block, heading, list or table row), and every ASCII punctuation character
that markdown could act on is backslash-escaped, so a statement cannot inject a link,
image, autolink, HTML or entity. Emphasis delimiters are placed around whole runs of
changed words and, where CommonMark's flanking rules would otherwise refuse them (a change
that begins with punctuation right after a letter, e.g. `foo,` → `foo.`), a space is
inserted outside the delimiter so that the struck/bold text still renders as such.

Output is deterministic: no timestamps, stable ordering, byte-identical for equal inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from diffview.corpus.topicnames import ordered
from diffview.errors import DiffviewError, unknown_name
from diffview.model import (
    AlignedUnit,
    Comparison,
    Document,
    PositionTable,
    Sentence,
    StoreReader,
    Version,
)
from diffview.positions.table import changes_between
from diffview.present import (
    SILENT_MEANS,
    cell_text,
    change_label,
    change_line,
    class_counts,
    in_focus,
    issue_label,
    round_label,
    stance_count,
    stance_words,
    table_cell_text,
)
from diffview.sanitize import sanitize_line
from diffview.views.markdown import escape_md, redline_md

if TYPE_CHECKING:
    pass

LEGEND = (
    f"Legend: positions come first, per sub-issue and round (*silent*: {SILENT_MEANS}; read "
    "the sentences before quoting it as silence). In the sentences underneath, "
    "~~struck through~~ = words that FROM "
    "has and TO lacks, **bold** = words TO adds; *not repeated* = a sentence the later "
    "round's documents do not say again (not a withdrawal), *new in this round* = one they "
    "say first; ↕ moved = the sentence changed place; ⚑ = a change of stance (negation, "
    "modality, position verb); each quote is followed by its source "
    "`(document:first-last line)`."
)

# ASCII punctuation that CommonMark/GFM can act on inside a line: emphasis, code, links and
# images (`[` is escaped, so `!`, `(` and `)` are inert), autolinks and HTML (`<`, `>`),
# entities (`&`), table cells (`|`), strikethrough (`~`), closing heading hashes (`#`).
# Block starters (`-`, `+`, `=`, `1.`) are left alone for readability: text never starts a
# line (whitespace is collapsed and a label always precedes it), and linkify is off.
# --------------------------------------------------------------------------- sections


def _span(sentence: Sentence) -> str:
    """`002:113-128`, and where the version repeats the sentence (`also 003:815-820`): the
    form every view prints."""
    a, b = sentence.lines
    doc = sanitize_line(sentence.doc)
    own = f"{doc}:{a}" if a == b else f"{doc}:{a}-{b}"
    also = [sanitize_line(c) for c in sentence.also]
    return f"{own}, also {', '.join(also)}" if also else own


def citation(unit: AlignedUnit) -> str:
    """`(002:113-128 → 003:40-45)`; one side only for added/removed sentences."""
    left = ", ".join(_span(s) for s in unit.left)
    right = ", ".join(_span(s) for s in unit.right)
    text = f"{left} → {right}" if left and right else left or right
    return f"({escape_md(text)})"


def _unit_ops(unit: AlignedUnit) -> list[tuple[int, str]]:
    """The unit's word ops, or a whole-sentence edit when a unit carries none."""
    if unit.ops:
        return [(op.op, op.text) for op in unit.ops]
    left = " ".join(s.text for s in unit.left)
    right = " ".join(s.text for s in unit.right)
    if unit.change in ("unchanged", "moved"):
        return [(0, right or left)]
    if not right:
        return [(-1, left)]
    if not left:
        return [(1, right)]
    return [(-1, left), (0, " "), (1, right)]


def _unit_label(unit: AlignedUnit, comparison: Comparison) -> str:
    parts = [f"*{change_label(unit, comparison)}*"]
    if unit.change not in ("added", "removed", "unchanged"):
        parts.append(f"{unit.score:.2f}")
    if unit.moved and unit.change != "moved":
        parts.append("↕ moved")
    elif unit.change == "moved":
        parts[0] = "*↕ moved*"
    if unit.change == "split":
        parts.append(f"1 → {len(unit.right)} sentences")
    if unit.change == "merged":
        parts.append(f"{len(unit.left)} → 1 sentence")
    return ", ".join(parts)


def _stance_md(unit: AlignedUnit) -> str:
    return f" — ⚑ stance: {escape_md(stance_words(unit.stance))}" if unit.stance else ""


def unit_item(unit: AlignedUnit, comparison: Comparison) -> str:
    """One list item: label, stance, redline, citation."""
    text = redline_md(_unit_ops(unit))
    return f"- {_unit_label(unit, comparison)}{_stance_md(unit)}: {text} {citation(unit)}"


def summary_paragraph(comparison: Comparison) -> str:
    """Stance changes first (and of which kinds), then the counts per change class."""
    stance = comparison.stance_units
    lead = stance_count(comparison)
    if stance:
        kinds = sorted({f.kind for u in stance for f in u.stance})
        lead += f" ({', '.join(kinds)})"
    body = ", ".join(class_counts(comparison)) or "no sentences"
    return f"Summary: {lead}; {escape_md(body)}."


def _fmt_date(doc: Document) -> str:
    return doc.date.strftime("%Y-%m") if doc.date_precision == "month" else doc.date.isoformat()


def _docs_table(comparison: Comparison, documents: Mapping[str, Document]) -> str:
    rows = ["| | date | document | Kamerstuk | id |", "|---|---|---|---|---|"]
    for side, ids in (("from", comparison.from_docs), ("to", comparison.to_docs)):
        for doc_id in ids:
            doc = documents.get(doc_id)
            if doc is None:
                rows.append(f"| {side} | | | | {escape_md(doc_id)} |")
                continue
            kamerstuk = escape_md("; ".join(doc.kamerstukken)) or "—"
            rows.append(
                f"| {side} | {_fmt_date(doc)} | {escape_md(doc.title)} | {kamerstuk} "
                f"| {escape_md(doc.id)} |"
            )
    return "\n".join(rows)


def _heading(comparison: Comparison, documents: Mapping[str, Document]) -> str:
    """`### 2023-10-17 → 2024-10-08: Oct 2023 → Oct 2024 (short titles)`."""

    def side(label: str, ids: Sequence[str]) -> str:
        docs = [documents[i] for i in ids if i in documents]
        if not docs:
            return escape_md(label)
        last = max(docs, key=lambda d: (d.date, d.id))
        titles = " + ".join(escape_md(d.short_title or d.title) for d in docs)
        return f"{escape_md(label)} ({_fmt_date(last)}, {titles})"

    frm = side(comparison.from_label, comparison.from_docs)
    to = side(comparison.to_label, comparison.to_docs)
    return f"### {frm} → {to}"


_ONE_SIDED = ("added", "removed", "unchanged")
GROUPS: tuple[tuple[str, Callable[[AlignedUnit], bool]], ...] = (
    ("Stance changes", lambda u: bool(u.stance)),
    ("Reworded, rewritten, moved, split or merged", lambda u: u.change not in _ONE_SIDED),
    ("Added", lambda u: u.change == "added"),
    ("Removed", lambda u: u.change == "removed"),
)
_ACROSS_TITLES = {"Added": "New in this round", "Removed": "Not repeated"}


def _groups(units: Sequence[AlignedUnit]) -> list[tuple[str, list[AlignedUnit]]]:
    """Units grouped so the shift comes first: stance changes, then edits of sentences that
    exist on both sides, then what is new and what was dropped; unchanged last (`full`).

    Each unit appears once, in the first group it fits; reading order within a group.
    """
    groups: list[tuple[str, list[AlignedUnit]]] = [(title, []) for title, _ in GROUPS]
    rest: list[AlignedUnit] = []
    for unit in units:
        for (_, test), (_, members) in zip(GROUPS, groups, strict=True):
            if test(unit):
                members.append(unit)
                break
        else:
            rest.append(unit)
    groups.append(("Unchanged", rest))
    return [(title, members) for title, members in groups if members]


def _shown(unit: AlignedUnit, full: bool, claimed: frozenset[str] | None) -> bool:
    if full:
        return True
    if claimed is not None:
        return in_focus(unit, claimed)
    return unit.change != "unchanged" or unit.moved


def comparison_section(
    comparison: Comparison,
    documents: Iterable[Document] | Mapping[str, Document] = (),
    *,
    full: bool = False,
    table: PositionTable | None = None,
) -> str:
    """The markdown section for one pair of versions of one topic (pure: no store).

    With the topic's position `table`, the section opens with the position changes and the
    restated positions, and lists only the sentences in focus (stating a position, or paired
    across the two sides) as their evidence; `full` lists every sentence."""
    by_id = dict(documents) if isinstance(documents, Mapping) else {d.id: d for d in documents}
    blocks = [_heading(comparison, by_id), _docs_table(comparison, by_id)]
    claimed = table.claimed if table is not None else None
    if table is not None:
        blocks.append(_pair_md(table, comparison))
    blocks.append(summary_paragraph(comparison))
    shown = [u for u in comparison.units if _shown(u, full, claimed)]
    for title, units in _groups(shown):
        if comparison.across_documents:
            title = _ACROSS_TITLES.get(title, title)
        blocks.append(f"{title} ({len(units)}):")
        blocks.append("\n".join(unit_item(u, comparison) for u in units))
    hidden = len(comparison.units) - len(shown)
    if hidden:
        noun = "sentence" if hidden == 1 else "sentences"
        what = "out of focus" if claimed is not None else "unchanged"
        blocks.append(f"{hidden} {what} {noun} not listed (`--full` lists them).")
    return "\n\n".join(blocks) + "\n"


def _pair_md(table: PositionTable, comparison: Comparison) -> str:
    """Position changes, then restated positions, between the two rounds of a comparison."""
    rounds = {label: r for r, label in table.rounds}
    old, new = rounds.get(comparison.from_label), rounds.get(comparison.to_label)
    if old is None or new is None:
        return "Positions: a state within one round; the table above has the rounds."
    changes = [f"- {escape_md(change_line(table, c))}" for c in changes_between(table, old, new)]
    restated = [
        f"- restated: {escape_md(issue_label(table, p.issue))}: {escape_md(cell_text(p))}"
        for p in table.restated(old, new)
    ]
    if not changes and not restated:
        return "Positions: the cabinet states none on this topic in either round."
    return "Positions:\n\n" + "\n".join(changes + restated)


def positions_md(table: PositionTable) -> str:
    """The position timeline: sub-issue rows × round columns, each cell a stance and citation;
    then the changes between adjacent rounds."""
    head = "| sub-issue | " + " | ".join(escape_md(label) for _, label in table.rounds) + " |"
    rule = "|---" * (len(table.rounds) + 1) + "|"
    rows = [head, rule]
    for issue in table.issues:
        cells = [escape_md(table_cell_text(table.cell(r, issue.id))) for r, _ in table.rounds]
        rows.append(f"| {escape_md(issue.label)} | " + " | ".join(cells) + " |")
    changes = [
        f"- {escape_md(round_label(table, c.from_round))} → "
        f"{escape_md(round_label(table, c.to_round))}: {escape_md(change_line(table, c))}"
        for c in table.changes
    ]
    body = "\n".join(changes) or "- none: every sub-issue holds its stance (or its silence)"
    return "\n".join(rows) + "\n\nChanges of position:\n\n" + body + "\n"


# --------------------------------------------------------------------------- store walk


def _versions_in_range(
    store: StoreReader, topic: str, from_spec: str | None, to_spec: str | None
) -> list[tuple[str, Version]]:
    """(spec, version) of the topic's rounds between the two specs, inclusive, oldest first.

    Interior rounds are named by their round; an end given as a document (`doc-003`: the
    round as of that document) keeps the user's spec, so it compares exactly that state.
    """
    lo = store.resolve_version(from_spec) if from_spec else None
    hi = store.resolve_version(to_spec) if to_spec else None
    if lo is not None and hi is not None and (lo.round > hi.round or lo == hi):
        order = "the same version as" if lo == hi else "later than"
        raise DiffviewError(f"--from {from_spec} is {order} --to {to_spec}: nothing to compare")
    if lo is not None and hi is not None and lo.round == hi.round:
        return [(str(from_spec), lo), (str(to_spec), hi)]  # two states of one round (003, 001)
    chosen = [
        (v.round, v)
        for v in store.versions(topic)
        if (lo is None or v.round >= lo.round) and (hi is None or v.round <= hi.round)
    ]
    if chosen and lo is not None and from_spec and chosen[0][1].round == lo.round:
        chosen[0] = (from_spec, lo)
    if chosen and hi is not None and to_spec and chosen[-1][1].round == hi.round:
        chosen[-1] = (to_spec, hi)
    return chosen


def _topic_blocks(
    store: StoreReader,
    topic: str,
    versions: Sequence[tuple[str, Version]],
    documents: Mapping[str, Document],
    full: bool,
    ranged: bool = False,
) -> Iterator[str]:
    """The topic's section, block by block: each pair of rounds is compared, rendered and
    handed on before the next is read, so a whole history never sits in memory."""
    from diffview.positions.table import compare_with_evidence, has_positions, topic_positions

    table = None
    if has_positions(topic):  # the grid over the range's rounds (all of them by default)
        table = topic_positions(
            store, topic, rounds={v.round for _, v in versions} if ranged else None
        )
    yield f"## Topic: {escape_md(topic)}\n"
    if table is not None:
        yield positions_md(table)
    if len(versions) < 2:
        yield "Fewer than two versions in the range: nothing to compare.\n"
    for (older, _), (newer, _) in zip(versions, versions[1:], strict=False):
        comparison = compare_with_evidence(store, topic, older, newer)
        yield comparison_section(comparison, documents, full=full, table=table)


def _check_topics(store: StoreReader, topics: Sequence[str]) -> None:
    """An unknown topic is a user error (a typo), not an empty section."""
    known = list(store.topics())
    unknown = [t for t in topics if t not in known]
    if unknown:
        raise unknown_name("topic", unknown[0], ordered(known))


def changelog_chunks(
    store: StoreReader,
    topics: Sequence[str],
    from_spec: str | None = None,
    to_spec: str | None = None,
    *,
    full: bool = False,
) -> Iterator[str]:
    """`changelog_markdown` piece by piece, one pair of rounds at a time (their join is the
    whole changelog). Everything a user can get wrong (a topic, a range) is checked before
    the first piece, so an error never follows half a changelog."""
    _check_topics(store, topics)
    spans = [(t, _versions_in_range(store, t, from_spec, to_spec)) for t in topics]
    documents = {d.id: d for d in store.documents()}
    names = ", ".join(escape_md(t) for t in topics)
    yield f"# How the cabinet's wording changed: {names}\n"
    yield "\n" + LEGEND + "\n"
    for topic, versions in spans:
        ranged = (from_spec, to_spec) != (None, None)
        for block in _topic_blocks(store, topic, versions, documents, full, ranged):
            yield "\n" + block


def changelog_markdown(
    store: StoreReader,
    topics: Sequence[str],
    from_spec: str | None = None,
    to_spec: str | None = None,
    *,
    full: bool = False,
) -> str:
    """The whole changelog: title, legend once, then one section per topic and round pair."""
    return "".join(changelog_chunks(store, topics, from_spec, to_spec, full=full))
