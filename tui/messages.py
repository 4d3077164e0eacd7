"""App-wide messages, small dataclasses posted by widgets and handled by screens."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from diffview.model import AlignedUnit


@dataclass
class VersionsChosen(Message):
    """The user picked a topic and a FROM/TO pair (FROM may be None: one version only)."""

    topic: str
    from_spec: str | None
    to_spec: str | None
    picked: bool = False  # picked in the timeline (enter, f, click), not stepped or restored


@dataclass
class UnitChosen(Message):
    """The user opened a row of the diff: show where its sentences came from."""

    unit: AlignedUnit


@dataclass
class StatementChosen(Message):
    """The user picked a statement (search hit, palette): show it with its provenance."""

    statement_id: str
