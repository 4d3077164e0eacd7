"""Turn aligned units into Rich `Text`: plain functions, so they are easy to test.

All document text goes through `diffview.sanitize.sanitize` and into `Text` objects, never
into markup strings, so `[bold]` or `[@click=...]` in a statement stays literal.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from rich.text import Text

from diffview.model import AlignedUnit, Sentence, StanceFlag
from diffview.present import stance_words
from diffview.sanitize import sanitize, sanitize_line

# one-cell markers of the change class, shown in the gutter; legend in the help screen
CHANGE_MARK = {
    "unchanged": " ",
    "reworded": "~",
    "rewritten": "≠",
    "moved": "↕",
    "split": "<",
    "merged": ">",
    "added": "+",
    "removed": "-",
}
STANCE_MARK = "!"
CITE_STYLE = Style(dim=True)  # every row ends with its source lines, quietly
Styles = Mapping[str, Style]


def clean(text: str) -> str:
    return sanitize(text).replace("\t", " ").replace("\n", " ")


def joined(sentences: tuple[Sentence, ...]) -> str:
    return " ".join(clean(s.text) for s in sentences)


ONE_SIDED = frozenset({"added", "removed"})


def change_tag(unit: AlignedUnit, label: str = "") -> str:
    """Short label for kinds of change that the words alone don't show; `label` is a one-sided
    row's class as the views say it (`present.change_label`: "new in this round", ...)."""
    if unit.change in ONE_SIDED and label:
        return label
    if unit.change == "split":
        return f"split 1→{len(unit.right)}"
    if unit.change == "merged":
        return f"merged {len(unit.left)}→1"
    if unit.moved or unit.change == "moved":
        return "moved"
    return ""


def side_texts(unit: AlignedUnit, styles: Styles, label: str = "") -> tuple[Text, Text]:
    """FROM and TO texts of a unit, deletions marked on the left, insertions on the right;
    a one-sided row is tagged with `label` on its side."""
    left, right = Text(), Text()
    if unit.change == "added":
        right.append(joined(unit.right), styles["insert"])
    elif unit.change == "removed":
        left.append(joined(unit.left), styles["delete"])
    elif unit.ops and unit.change != "unchanged":
        for op in unit.ops:
            part = clean(op.text)
            if op.op <= 0:
                left.append(part, styles["delete"] if op.op < 0 else "")
            if op.op >= 0:
                right.append(part, styles["insert"] if op.op > 0 else "")
    else:
        left.append(joined(unit.left))
        right.append(joined(unit.right))
    tag = change_tag(unit, label)
    if tag and unit.change == "removed":
        left = Text.assemble((f"[{tag}] ", styles["tag"]), left)
    elif tag:
        right = Text.assemble((f"[{tag}] ", styles["tag"]), right)
    if unit.left:
        left.append(f"  {cite(unit.left)}", CITE_STYLE)
    if unit.right:
        right.append(f"  {cite(unit.right)}", CITE_STYLE)
    return left, right


def redline_text(unit: AlignedUnit, styles: Styles, label: str = "") -> Text:
    """One inline text: deletions struck through, insertions underlined."""
    text = Text()
    if unit.change == "added":
        text.append(joined(unit.right), styles["insert"])
    elif unit.change == "removed":
        text.append(joined(unit.left), styles["delete"])
    elif unit.ops and unit.change != "unchanged":
        for op in unit.ops:
            style = {-1: styles["delete"], 1: styles["insert"]}.get(op.op, "")
            text.append(clean(op.text), style)
    else:
        text.append(joined(unit.right or unit.left))
    tag = change_tag(unit, label)
    if tag:
        text = Text.assemble((f"[{tag}] ", styles["tag"]), text)
    sides = [cite(side) for side in (unit.left, unit.right) if side]
    text.append(f"  {' → '.join(sides)}", CITE_STYLE)
    return text


def stance_text(flags: tuple[StanceFlag, ...], styles: Styles) -> Text | None:
    """`! negation: -niet +wel` lines for the stance flags of a unit."""
    if not flags:
        return None
    return Text(f"{STANCE_MARK} {stance_words(flags)}", styles["stance"])


def cite(sentences: tuple[Sentence, ...]) -> str:
    """`003:253-271` (and the places a version repeats the sentence)."""
    return sanitize_line(", ".join(dict.fromkeys(s.cites for s in sentences)))


def citation(unit: AlignedUnit, topic: str = "") -> str:
    """What `c` copies for a diff row: each side's words in quotes with its source lines,
    FROM first (`“...” (002:13-14) → “...” (003:21-24)`)."""
    sides = [f"“{joined(side)}” ({cite(side)})" for side in (unit.left, unit.right) if side]
    head = f"{sanitize_line(topic)}: " if topic else ""
    return head + " → ".join(sides)
