"""Document layouts as a registry: each layout is one module with the same small interface.

A layout says how sure it is that a text has its shape (`detect` → `Detection`: a score, the
evidence for it, and what is missing when the text only half fits) and cuts a text of that
shape into statements (`split`). `choose` takes the best full fit; when none fits, the
refusal names the nearest layout and what it missed, so a user learns what to fix instead
of reading a list of everything the text is not. Adding a layout is one new module and one
entry in `REGISTRY`; no other layout changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from diffview.errors import LayoutError
from diffview.model import Document, Statement

LayoutName = Literal[
    "kamervragen",
    "antwoord-inline",
    "antwoord-line",
    "fiche",
    "debate",
    "numbered-qa",
    "letter",
]


@dataclass(frozen=True)
class Detection:
    """How well a text fits a layout.

    `score` 0 means no sign of the layout at all; a positive score with `missing` empty is
    a fit (higher is more specific); a positive score with `missing` set is a near miss,
    and `missing` says, in one clause, what the layout expected and did not find.
    """

    score: float
    evidence: tuple[str, ...] = ()
    missing: str = ""

    @property
    def fits(self) -> bool:
        return self.score > 0 and not self.missing


NO_SIGN = Detection(0.0)


@dataclass(frozen=True)
class Layout:
    """One layout: its name, what it is called in a refusal, and its two functions."""

    name: LayoutName
    description: str  # "a Kamervragen answer", used as "looks like {description} but ..."
    detect: Callable[[str], Detection]
    split: Callable[[Document, Sequence[str]], list[Statement]]
    # The highest score `detect` ever returns: once a layout fits with a score no later
    # layout of the registry can reach, `choose` need not ask the later ones (unbounded
    # by default: a layout that does not say is always asked).
    top: float = float("inf")


def _registry() -> tuple[Layout, ...]:
    from diffview.corpus.layouts import (
        antwoord_inline,
        antwoord_line,
        debate,
        fiche,
        kamervragen,
        letter,
        numbered_qa,
    )

    # Order breaks ties between equal scores: the more specific layout first. Scores: a
    # Kamervragen answer 4, written consultations 3/2, a fiche 1.8, a debate 1.5, a numbered
    # list 1, a letter 0.9 (the covering letter of every other kind is a letter too).
    return (
        kamervragen.LAYOUT,
        antwoord_inline.LAYOUT,
        antwoord_line.LAYOUT,
        fiche.LAYOUT,
        debate.LAYOUT,
        numbered_qa.LAYOUT,
        letter.LAYOUT,
    )


REGISTRY: tuple[Layout, ...] = _registry()
LAYOUTS: tuple[str, ...] = tuple(layout.name for layout in REGISTRY)


def by_name(name: str) -> Layout:
    return next(layout for layout in REGISTRY if layout.name == name)


def choose(text: str, source: str = "<text>") -> Layout:
    """The best-fitting layout for `text`; `LayoutError` naming `source` if none fits."""
    if not text.strip():
        raise LayoutError(source, "no known layout: the document is empty")
    found = []
    for k, layout in enumerate(REGISTRY):
        detection = layout.detect(text)
        found.append((layout, detection))
        # Ties go to the first, so a fit no later layout can outscore is the choice.
        if detection.fits and all(detection.score >= later.top for later in REGISTRY[k + 1 :]):
            break
    fits = [(layout, d) for layout, d in found if d.fits]
    if fits:
        return max(fits, key=lambda pair: pair[1].score)[0]  # max keeps the first of ties
    near = [(layout, d) for layout, d in found if d.score > 0]
    if near:
        layout, d = max(near, key=lambda pair: pair[1].score)
        raise LayoutError(source, f"looks like {layout.description} but {d.missing}")
    raise LayoutError(
        source,
        "no known layout: no fractie headings, speaker turns, numbered questions, "
        "Vraag/Antwoord pairs, letter salutation or fiche sections",
    )
