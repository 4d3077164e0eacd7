"""What the CLI shows without Rich: the comparison as JSON, and the plain data the views share.

Imported by `diffview compare --format json` and by `render.py` (which re-exports it), so a
read whose output is not a terminal never loads Rich.

JSON schema (`JSON_SCHEMA_VERSION = 2`), produced by `comparison_to_json`; keys sorted,
UTF-8 (`ensure_ascii=False`), indent 2, byte-identical for equal comparisons::

    {
      "schema": 2,
      "topic": str,
      "from": {"label": str, "docs": [doc id, ...]},
      "to":   {"label": str, "docs": [doc id, ...]},
      "summary": {<change class>: int for every class in model.CHANGE_CLASSES,
                  "stance": int (units carrying at least one stance flag)},
      "summary_reads": {<shown word>: int for every non-zero class},  # present.class_count_items
      "units": [
        {
          "change": one of model.CHANGE_CLASSES,
          "reads": str,  # the word every view shows (present.class_label): "new in this
                         # round" / "not repeated" for added / removed across documents
          "score": float rounded to 4 decimals,
          "moved": bool,
          "stance": [{"kind": "negation"|"modality"|"position",
                      "removed": [str, ...], "added": [str, ...]}],
          "left":  [{"text": str, "doc": str, "source": str, "statement": str,
                     "lines": [first, last],          # FROM side, source lines 1-based
                     "also": ["doc:line" | "doc:first-last", ...]}],  # same sentence in
                                                      # other places of its version
          "right": [...same shape...],                # TO side
          "ops":   [{"op": "equal"|"delete"|"insert", "text": str}],  # word diff left→right
          "related": ["doc:first-last", ...],  # one-sided row: possibly related sentence(s)
                                               # of the other side (score: that match's)
          "note": str  # "" or why an unchanged pair differs: "punctuation only",
        },             # "footnote marker only"
        {                  # `compare --files --context N`: a run of unchanged rows
          "change": "unchanged",
          "collapsed": int,        # how many rows (at least 2)
          "from": "doc:first-last", "to": "doc:first-last",  # the lines it covers
          "reads": str     # present.collapsed_text: "… 447 unchanged sentences (…) …"
        }
      ]
    }

Schema 2 added the collapsed rows (schema 1 had none). A topic compare lists every unit
whatever `--context`, `--all` or `--focus` say (they shape the text layouts); `compare
--files` lists every row too unless given `--context N`: then, as its text layouts do, it
collapses each run of unchanged rows beyond N rows around each change (a revision of a
1 MB text is 8,000 rows, 80% of them unchanged). `summary` counts every row, from
`Comparison.counts` (derived from the units when a hand-made comparison has none). All
strings taken from documents are sanitised (control/bidi/private characters appear as
`<U+XXXX>`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from diffview.model import CHANGE_CLASSES, AlignedUnit, Comparison, Sentence, StanceFlag, WordOp
from diffview.present import (
    Collapsed,
    change_label,
    class_count_items,
    class_counts,
    class_label,
    collapse_unchanged,
    collapsed_note,
    collapsed_span,
    collapsed_text,
    docs_note,
    in_focus,
    stance_count,
    stance_words,
    topic_line,
)
from diffview.sanitize import sanitize, sanitize_line

JSON_SCHEMA_VERSION = 2

_OP_NAMES = {-1: "delete", 0: "equal", 1: "insert"}


def summary_line(comparison: Comparison) -> str:
    """One line: non-zero counts per change class, then the number of stance changes."""
    return " · ".join([*(class_counts(comparison) or ["no sentences"]), stance_count(comparison)])


def _side_ops(unit: AlignedUnit, side: str) -> list[tuple[int, str]]:
    """The ops that spell one side: equal+delete for FROM, equal+insert for TO.

    Units without ops (unchanged, or hand-made) are spelled from the sentences: the whole
    side is deleted for `removed`, inserted for `added`, equal otherwise.
    """
    wanted = -1 if side == "left" else 1
    if unit.ops:
        return [(op.op, sanitize(op.text)) for op in unit.ops if op.op in (0, wanted)]
    sentences = unit.left if side == "left" else unit.right
    text = " ".join(sanitize(s.text) for s in sentences)
    if unit.change in ("added", "removed"):
        return [(wanted, text)]
    return [(0, text)]


def inline_ops(unit: AlignedUnit) -> list[tuple[int, str]]:
    """The redline of one unit as ops: FROM text with TO's changes applied in place."""
    if unit.ops:
        return [(op.op, sanitize(op.text)) for op in unit.ops]
    if unit.change == "removed" or not unit.right:
        return _side_ops(unit, "left")
    if unit.change in ("added", "unchanged", "moved") or not unit.left:
        return _side_ops(unit, "right")
    # a changed pair without word ops: whole FROM deleted, whole TO inserted
    left = " ".join(sanitize(s.text) for s in unit.left)
    right = " ".join(sanitize(s.text) for s in unit.right)
    return [(-1, left), (0, " "), (1, right)]


@dataclass(frozen=True)
class View:
    """What a comparison is shown with: lines to lead with (the positions), and with `claimed`
    set only the rows in focus (sentences stating a position, pairs across the sides)."""

    lead: tuple[str, ...] = ()
    claimed: frozenset[str] | None = None
    # Without focus: unchanged rows shown around each change (`present.collapse_unchanged`);
    # None shows every row (`compare --all`).
    context: int | None = None


def shown_rows(comparison: Comparison, view: View) -> tuple[list[AlignedUnit | Collapsed], str]:
    """The rows both text layouts print, in order, and the line they close with: the rows in
    focus, or every change with its context and the unchanged runs collapsed."""
    units = comparison.units
    if view.claimed is not None:
        shown = [u for u in units if in_focus(u, view.claimed)]
        hidden = len(units) - len(shown)
        note = f"focus: {len(shown)} of {len(units)} rows; {hidden} hidden"
        return list(shown), note + " (drop --focus to see them)" if hidden else ""
    rows = collapse_unchanged(units, view.context)
    return rows, collapsed_note(rows)


# --------------------------------------------------------------------------- JSON


def _sentence_json(sentence: Sentence) -> dict[str, object]:
    return {
        "text": sanitize(sentence.text),
        "doc": sanitize_line(sentence.doc),
        "source": sanitize_line(sentence.source),
        "statement": sanitize_line(sentence.statement_id),
        "lines": [sentence.lines[0], sentence.lines[1]],
        "also": [sanitize_line(c) for c in sentence.also],
    }


def _flag_json(flag: StanceFlag) -> dict[str, object]:
    return {
        "kind": flag.kind,
        "removed": [sanitize_line(w) for w in flag.removed],
        "added": [sanitize_line(w) for w in flag.added],
    }


def _op_json(op: WordOp) -> dict[str, str]:
    return {"op": _OP_NAMES[op.op], "text": sanitize(op.text)}


def _unit_json(unit: AlignedUnit, comparison: Comparison) -> dict[str, object]:
    return {
        "change": unit.change,
        "reads": class_label(unit.change, comparison),
        "score": round(float(unit.score), 4),
        "moved": bool(unit.moved),
        "stance": [_flag_json(f) for f in unit.stance],
        "left": [_sentence_json(s) for s in unit.left],
        "right": [_sentence_json(s) for s in unit.right],
        "ops": [_op_json(op) for op in unit.ops],
        "related": [sanitize_line(c) for c in unit.related],
        "note": unit.note,
    }


def _collapsed_json(run: Collapsed) -> dict[str, object]:
    left, right = collapsed_span(run)
    return {
        "change": "unchanged",
        "collapsed": len(run.units),
        "from": sanitize_line(left),
        "to": sanitize_line(right),
        "reads": sanitize_line(collapsed_text(run)),
    }


def _row_json(row: AlignedUnit | Collapsed, comparison: Comparison) -> dict[str, object]:
    if isinstance(row, Collapsed):
        return _collapsed_json(row)
    return _unit_json(row, comparison)


def comparison_to_dict(
    comparison: Comparison, *, units: bool = True, context: int | None = None
) -> dict[str, object]:
    """The JSON document as plain data (schema in the module docstring); without its
    "units" when `units` is false; `context`: runs of unchanged rows beyond that many around
    each change collapsed (`present.collapse_unchanged`), None lists every unit."""
    counts = comparison.class_counts
    extra = sorted(k for k in counts if k not in CHANGE_CLASSES)  # a hand-made comparison's
    summary: dict[str, int] = {c: int(counts.get(c, 0)) for c in (*CHANGE_CLASSES, *extra)}
    summary["stance"] = len(comparison.stance_units)
    head: dict[str, object] = {
        "schema": JSON_SCHEMA_VERSION,
        "topic": sanitize_line(comparison.topic),
        "from": {
            "label": sanitize_line(comparison.from_label),
            "docs": [sanitize_line(d) for d in comparison.from_docs],
        },
        "to": {
            "label": sanitize_line(comparison.to_label),
            "docs": [sanitize_line(d) for d in comparison.to_docs],
        },
        "summary": summary,
        "summary_reads": dict(class_count_items(comparison)),
    }
    if not units:
        return head
    rows = collapse_unchanged(comparison.units, context)
    return {**head, "units": [_row_json(r, comparison) for r in rows]}


def comparison_to_json(comparison: Comparison, *, context: int | None = None) -> str:
    """Stable JSON (schema 2): sorted keys, UTF-8, indent 2, newline-terminated: what
    `dumps_indented(comparison_to_dict(c, context=context))` writes, the units spelled by
    `_unit_text` (a 1 MB revision has 8,000 units of a fixed shape: a template each, not a
    walk of their dicts)."""
    head = dumps_indented({**comparison_to_dict(comparison, units=False), "units": []})
    if not comparison.units:
        return head + "\n"
    assert head.endswith('"units": []\n}')  # "units" sorts last
    rows = collapse_unchanged(comparison.units, context)
    units = ",\n    ".join(_row_text(r, comparison) for r in rows)
    return head[: -len("[]\n}")] + "[\n    " + units + "\n  ]\n}\n"


def _row_text(row: AlignedUnit | Collapsed, comparison: Comparison) -> str:
    if isinstance(row, Collapsed):
        return _collapsed_text(row)
    return _unit_text(row, comparison)


def _collapsed_text(run: Collapsed) -> str:
    """`_collapsed_json(run)` as `dumps_indented` writes it inside the document's "units"."""
    k = _KEY_NL
    left, right = collapsed_span(run)
    return (
        f'{{{k}"change": "unchanged",{k}"collapsed": {len(run.units)},'
        f'{k}"from": {_quote(sanitize_line(left))},'
        f'{k}"reads": {_quote(sanitize_line(collapsed_text(run)))},'
        f'{k}"to": {_quote(sanitize_line(right))}{_UNIT_NL}}}'
    )


def _list_text(items: Sequence[str], newline: str) -> str:
    """A JSON list of already written items whose own line starts with `newline`."""
    if not items:
        return "[]"
    inner = newline + "  "
    return "[" + inner + ("," + inner).join(items) + newline + "]"


@lru_cache(maxsize=4096)
def _line_text(value: str) -> str:
    """A one-line field written: a side's sentences share their doc, source and statement."""
    return _quote(sanitize_line(value))


def _strings_text(values: Sequence[str], newline: str) -> str:
    return _list_text([_line_text(v) for v in values], newline) if values else "[]"


def _sentence_text(s: Sentence, nl: str) -> str:
    """`_sentence_json(s)` written at the indent `nl`, keys sorted."""
    k = nl + "  "
    return (
        f'{{{k}"also": {_strings_text(s.also, k)},{k}"doc": {_line_text(s.doc)},'
        f'{k}"lines": [{k}  {int.__repr__(s.lines[0])},{k}  {int.__repr__(s.lines[1])}{k}],'
        f'{k}"source": {_line_text(s.source)},{k}"statement": {_line_text(s.statement_id)},'
        f'{k}"text": {_quote(sanitize(s.text))}{nl}}}'
    )


def _flag_text(f: StanceFlag, nl: str) -> str:
    k = nl + "  "
    return (
        f'{{{k}"added": {_strings_text(f.added, k)},{k}"kind": {_quote(f.kind)},'
        f'{k}"removed": {_strings_text(f.removed, k)}{nl}}}'
    )


def _op_text(op: WordOp, nl: str) -> str:
    k = nl + "  "
    return f'{{{k}"op": "{_OP_NAMES[op.op]}",{k}"text": {_quote(sanitize(op.text))}{nl}}}'


_UNIT_NL = "\n    "  # a unit's own line: inside "units", inside the document
_KEY_NL = _UNIT_NL + "  "
_ITEM_NL = _KEY_NL + "  "


def _unit_text(unit: AlignedUnit, comparison: Comparison) -> str:
    """`_unit_json(unit, comparison)` as `dumps_indented` writes it inside the document's
    "units"."""
    k, i = _KEY_NL, _ITEM_NL
    score = float(round(float(unit.score), 4))
    score_text = float.__repr__(score) if math.isfinite(score) else json.dumps(score)
    left = _list_text([_sentence_text(s, i) for s in unit.left], k)
    right = _list_text([_sentence_text(s, i) for s in unit.right], k)
    ops = _list_text([_op_text(op, i) for op in unit.ops], k)
    stance = _list_text([_flag_text(f, i) for f in unit.stance], k) if unit.stance else "[]"
    return (
        f'{{{k}"change": {_line_text(unit.change)},{k}"left": {left},'
        f'{k}"moved": {"true" if unit.moved else "false"},{k}"note": {_quote(unit.note)},'
        f'{k}"ops": {ops},{k}"reads": {_line_text(class_label(unit.change, comparison))},'
        f'{k}"related": {_strings_text(unit.related, k)},{k}"right": {right},'
        f'{k}"score": {score_text},{k}"stance": {stance}{_UNIT_NL}}}'
    )


def dumps_indented(data: object) -> str:
    """`json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2)`, byte for byte, for
    plain data (dicts with string keys, lists, strings, numbers, booleans, None), without the
    pure-Python encoder `indent` falls back to (a 1 MB comparison: seconds; a test checks
    the two agree)."""
    out: list[str] = []
    _write(data, "\n", out)
    return "".join(out)


_quote = json.encoder.encode_basestring  # ensure_ascii=False: C, where available


def _write(value: object, newline: str, out: list[str]) -> None:
    """`newline` is the line break plus the indent of the value's own line."""
    if isinstance(value, str):
        out.append(_quote(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        # json writes a float's repr, and NaN / Infinity / -Infinity by those names
        out.append(float.__repr__(value) if math.isfinite(value) else json.dumps(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        out.append("{")
        for k, key in enumerate(sorted(value)):
            if not isinstance(key, str):
                raise TypeError(f"keys must be str, not {type(key).__name__}")
            out.append(inner if k == 0 else "," + inner)
            out.append(_quote(key))
            out.append(": ")
            _write(value[key], inner, out)
        out.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        out.append("[")
        for k, item in enumerate(value):
            out.append(inner if k == 0 else "," + inner)
            _write(item, inner, out)
        out.append(newline + "]")
    else:
        raise TypeError(f"{type(value).__name__} is not plain data")


# --------------------------------------------------------------------------- plain inline

MIN_WIDTH = 10  # below this no layout is readable; we still never exceed the given width

# Characters one terminal cell wide whatever the terminal (Rich's single-cell ranges, and the
# marks the layouts print): text made only of them wraps the same by counting characters.
_ONE_CELL = frozenset(
    chr(c)
    for lo, hi in ((0x20, 0x7E), (0xA0, 0xAC), (0xAE, 0x2FF), (0x2500, 0x25FC))
    for c in range(lo, hi + 1)
) | frozenset("‐‑‒–—―‘’‚‛“”„‟•…′″€→↕⚑")
_TRAILING_SPACE = re.compile(r"\s+$")
_WORD = re.compile(r"\s*\S+\s*")


def _wrapped_all(texts: Iterable[str], width: int) -> list[str]:
    """Each text wrapped to `width` cells, an empty text as one empty line, in one list."""
    return [line for text in texts for line in (_wrapped(text, width) or [""])]


def _wrapped(text: str, width: int) -> list[str]:
    """`rich.text.Text(text, overflow="fold")` wrapped to `width` cells, as Console.print
    lays it out (Rich's `divide_line`, then each line's trailing space beyond the width cut,
    then the line cropped): for one-line text of one-cell characters only."""
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:  # folded across lines
            pieces = [word[k : k + width] for k in range(0, len(word), width)]
            for k, piece in enumerate(pieces):
                if start:
                    breaks.append(start)
                if k == len(pieces) - 1:
                    offset = len(piece)
                else:
                    start += len(piece)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    lines = [text[a:b] for a, b in zip([0, *breaks], [*breaks, len(text)], strict=True)]
    out = []
    for line in lines:
        if len(line) > width:
            space = _TRAILING_SPACE.search(line)
            if space is not None:
                line = line[: len(line) - min(len(space.group()), len(line) - width)]
        out.append(line[:width])
    return out


def _redline(ops: Iterable[tuple[int, str]]) -> str:
    """Word changes as `[-deleted-]` and `{+inserted+}`, whitespace outside the marks."""
    parts = []
    for op, chunk in ops:
        core = chunk.strip()
        if op == 0 or not core:
            parts.append(chunk)
            continue
        lead = chunk[: len(chunk) - len(chunk.lstrip())]
        trail = chunk[len(chunk.rstrip()) :]
        parts.append(lead + (f"[-{core}-]" if op < 0 else f"{{+{core}+}}") + trail)
    return "".join(parts)


def _meta(unit: AlignedUnit, comparison: Comparison) -> str:
    meta = change_label(unit, comparison)
    if unit.left and unit.right:
        meta += f" {unit.score:.2f}"
    if unit.change == "moved":
        meta += " ↕"
    elif unit.moved:
        meta += " ↕ moved"
    if unit.stance:
        meta += f" ⚑ stance: {stance_words(unit.stance)}"
    return meta


def _cites(sentences: Sequence[Sentence]) -> str:
    return ", ".join(sanitize_line(s.cites) for s in sentences) or "—"


def _sentence_starts(raw: str, sentences: Sequence[str]) -> list[int] | None:
    """Offsets in `raw` where each sentence begins, or None when they cannot be found."""
    starts: list[int] = []
    cursor = 0
    for sentence in sentences:
        probe = sentence.strip()[:24]
        at = raw.find(probe, cursor) if probe else cursor
        if at < 0:
            return None
        starts.append(at)
        cursor = at + max(len(probe), 1)
    starts[0] = 0
    return starts


def _cut_ops(ops: Sequence[tuple[int, str]], starts: Sequence[int]) -> list[list[tuple[int, str]]]:
    """Split a side's op chunks at raw offsets, so each sentence gets its own markers."""
    bounds = [*starts[1:], None]
    pieces: list[list[tuple[int, str]]] = [[] for _ in starts]
    offset = 0
    index = 0
    for op, chunk in ops:
        while chunk:
            limit = bounds[index]
            take = len(chunk) if limit is None else min(len(chunk), limit - offset)
            if take <= 0:
                index += 1
                continue
            pieces[index].append((op, chunk[:take]))
            chunk = chunk[take:]
            offset += take
    return pieces


def render_inline_plain(
    comparison: Comparison, *, width: int, view: View | None = None
) -> str | None:
    """`render.render_inline(..., color=False)` byte for byte, without Rich (a pipe's default
    layout); None when a text holds a character whose width a terminal decides (wide,
    combining), a tab or a line break: Rich lays those out."""
    return _render_plain(comparison, width, view or View(), _redline_lines)


def render_side_by_side_plain(
    comparison: Comparison, *, width: int, view: View | None = None
) -> str | None:
    """`render.render_side_by_side(..., color=False)` byte for byte, without Rich (a pipe's
    side by side: Rich's import and table layout were most of the process); None as for
    `render_inline_plain`, and Rich lays it out."""
    return _render_plain(comparison, width, view or View(), _column_lines)


def _redline_lines(unit: AlignedUnit, width: int) -> list[str] | None:
    """The inline body: the redline, then the citations FROM → TO."""
    texts = [_redline(inline_ops(unit)), f"{_cites(unit.left)} → {_cites(unit.right)}"]
    if not _ONE_CELL.issuperset("".join(texts)):
        return None
    return _wrapped_all(texts, width)


def sentence_ops(unit: AlignedUnit, side: str) -> list[list[tuple[int, str]]]:
    """A side's op chunks cut per sentence (split/merge rows show 1 vs 2 sentences), for
    every layout; one piece, the side whole, when the op texts do not spell the sentences
    (a hand-made unit); none for an empty side."""
    sentences = unit.left if side == "left" else unit.right
    if not sentences:
        return []
    ops = _side_ops(unit, side)
    if len(sentences) > 1:
        raw = "".join(chunk for _, chunk in ops)
        starts = _sentence_starts(raw, [sanitize(s.text) for s in sentences])
        if starts is not None:
            return _cut_ops(ops, starts)
    return [list(ops)]


def _side_lines(unit: AlignedUnit, side: str) -> list[str]:
    """One column's texts, as `render._cell`: each sentence followed by its citation."""
    sentences = unit.left if side == "left" else unit.right
    if not sentences:
        return ["—"]
    pieces = sentence_ops(unit, side)
    texts = [_redline(pieces[0])] if len(pieces) == 1 else [_redline(p).rstrip() for p in pieces]
    if len(texts) != len(sentences):
        return [*texts, _cites(sentences)]
    cites = [sanitize_line(s.cites) for s in sentences]
    return [part for pair in zip(texts, cites, strict=True) for part in pair]


def _column_lines(unit: AlignedUnit, width: int) -> list[str] | None:
    """The side-by-side body as Rich's two-column table draws it (box MINIMAL, no edge,
    padding 1 beside the rule): the columns share `width - 3` cells, the left one the odd
    cell; each wraps on its own and the shorter is filled with blank lines."""
    sides = [_side_lines(unit, "left"), _side_lines(unit, "right")]
    if not _ONE_CELL.issuperset("".join(sides[0] + sides[1])):
        return None
    inner = width - 3
    widths = ((inner + 1) // 2, inner // 2)
    cells = [_wrapped_all(texts, w) for texts, w in zip(sides, widths, strict=True)]
    height = max(len(c) for c in cells)
    left, right = (c + [""] * (height - len(c)) for c in cells)
    return [f"{a.ljust(widths[0])} │ {b}" for a, b in zip(left, right, strict=True)]


def _render_plain(
    comparison: Comparison,
    width: int,
    view: View,
    body: Callable[[AlignedUnit, int], list[str] | None],
) -> str | None:
    """The frame `render._render` draws (header, positions, summary, each row's meta line
    and body), for one-cell text only; None hands the layout back to Rich."""
    width = max(width, MIN_WIDTH)
    rows, closing = shown_rows(comparison, view)
    topic = topic_line(comparison)
    c = comparison
    texts = [
        *([topic] if topic else []),
        f"FROM {sanitize_line(c.from_label)}{docs_note(c.from_label, c.from_docs)}",
        f"TO   {sanitize_line(c.to_label)}{docs_note(c.to_label, c.to_docs)}",
        *(sanitize_line(lead) for lead in view.lead),
        summary_line(comparison),
        "─" * width,
    ]
    lines: list[str] = []
    for unit in rows:
        if isinstance(unit, Collapsed):
            texts += [collapsed_text(unit), ""]
            continue
        texts.append(_meta(unit, comparison))
        unit_lines = body(unit, width)
        if unit_lines is None or not _ONE_CELL.issuperset("".join(texts)):
            return None
        lines += _wrapped_all(texts, width)
        lines += unit_lines
        texts = [""]
    if closing:
        texts.append(closing)
    if not _ONE_CELL.issuperset("".join(texts)):
        return None
    lines += _wrapped_all(texts, width)
    return "\n".join(line.rstrip() for line in lines) + "\n"
