"""App-wide messages, small dataclasses posted by widgets and handled by screens."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from diffview.model import AlignedUnit, Position


@dataclass
class VersionsChosen(Message):
    """The user picked a topic and a FROM/TO pair (FROM may be None: one version only)."""

    topic: str
    from_spec: str | None
    to_spec: str | None
    picked: bool = False  # picked in the timeline (enter, f, click), not stepped or restored
    set_to: bool = False  # TO was picked (enter, click): the pair is complete, not just FROM


@dataclass
class TopicChosen(Message):
    """The user picked a topic (its node in the timeline, the palette): show its positions."""

    topic: str


@dataclass
class UnitChosen(Message):
    """The user opened a row of the diff: show where its sentences came from."""

    unit: AlignedUnit
    label: str = ""  # its change class as the views say it (`present.change_label`)


@dataclass
class PositionChosen(Message):
    """The user opened a cell of the position grid: show its evidence and sources."""

    position: Position


@dataclass
class RoundsChosen(Message):
    """The user asked for the sentence diff of a topic between two rounds (from a grid cell);
    `from_round` None: the round before `to_round`."""

    topic: str
    from_round: str | None
    to_round: str


@dataclass
class StatementChosen(Message):
    """The user picked a statement (search hit, palette): show it with its provenance."""

    statement_id: str
