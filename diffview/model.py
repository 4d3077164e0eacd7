"""The data model shared by every stage: documents, statements, sentences and comparisons.

Plain frozen dataclasses, no behaviour beyond small derived values, so that each stage
(parse, store, align, compare, views) can be tested on hand-made instances.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Literal, Protocol, get_args, runtime_checkable

ROLES = ("parliament", "cabinet", "chair")
KINDS = ("question", "answer", "turn", "paragraph", "heading")  # the last two: letters, fiches
DOC_KINDS = (
    "written-consultation",  # verslag schriftelijk overleg (questions, maybe answers)
    "answers",  # letter answering a written consultation
    "debate-report",  # verslag commissiedebat
    "questions-and-answers",  # lijst van vragen en antwoorden
    "letter",  # Kamerbrief of a minister or state secretary
    "kamervragen",  # answers to one member's written questions
    "fiche",  # BNC-fiche: the cabinet's assessment of a Commission proposal
)
# What the cabinet holds on a sub-issue in a round (positions.py); silence is no stance at all.
Stance = Literal["supports", "supports-conditionally", "abstains", "opposes", "undecided"]
STANCES: tuple[Stance, ...] = get_args(Stance)
CHANGE_CLASSES = (
    "unchanged",
    "reworded",
    "rewritten",
    "moved",
    "split",
    "merged",
    "added",
    "removed",
)


@dataclass(frozen=True)
class Document:
    """One manifest entry: a source file in `versions/` and what we know about it."""

    id: str  # stable id, "000".."999"
    source: str  # file name inside versions/, e.g. "002_d229cc705638e600.txt"
    title: str
    short_title: str
    kind: str  # one of DOC_KINDS
    date: date
    date_precision: str  # "day" | "month"
    round: str  # the version of a position this document belongs to, e.g. "2023-10"
    kamerstukken: tuple[str, ...] = ()  # normalised references, e.g. ("32317 nr. 904",)
    answers: str | None = None  # id of the document this one answers or revises
    # What the text says about itself (diffview.corpus.metadata), recorded at ingest:
    numbers: tuple[str, ...] = ()  # Kamervragen / document numbers, "2025Z19876"
    text_dates: tuple[str, ...] = ()  # the dates the text states, "ontvangen 2025-11-21"
    minister: str | None = None  # who answers or signs, "Minister Van Oosten"
    member: str | None = None  # who asks (Kamervragen), "Kathmann (GroenLinks-PvdA)"
    original: str | None = None  # "pdf" | "xml": the file the stored text was extracted from
    original_sha256: str | None = None  # sha256 of that file's bytes


@dataclass(frozen=True)
class Removal:
    """A document taken out of the store by `diffview remove`: its entry as it was ingested
    (its commit stays in the history, so a rebuild needs it) and the moment of its removal
    commit on the store's timeline (UTC, whole seconds; recorded in the manifest, so a
    rebuild makes the same commit)."""

    doc: Document
    at: datetime


@dataclass(frozen=True)
class TopicLabel:
    """A topic with the phrases that triggered it, so every label can be explained."""

    topic: str
    triggers: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    """One speech act: a party's question, the cabinet's answer, or a debate turn.

    `text` is normalised (hyphenation joined, whitespace and quotes unified, page furniture
    dropped); `line_map` maps character offsets of `text` back to 1-based source lines so
    that any sentence cut from it can be cited exactly.
    """

    id: str  # stable: derived from doc, position and content, e.g. "002-a017-3f9c2e1b"
    doc: str  # Document.id
    source: str  # Document.source
    date: date
    kind: str  # one of KINDS
    speaker: str  # fractie ("VVD"), person ("Minister Van Weel") or "kabinet"
    party: str | None  # party or office ("GroenLinks-PvdA", "Minister van JenV")
    role: str  # one of ROLES
    text: str
    lines: tuple[int, int]  # first and last source line, 1-based, inclusive
    line_map: tuple[tuple[int, int], ...]  # (offset in text, source line), offsets ascending
    answers: tuple[str, ...] = ()  # for answers: ids of the question statements answered
    topics: tuple[TopicLabel, ...] = ()
    section: str = ""  # agenda heading the statement sits under, normalised
    footnotes: tuple[str, ...] = ()  # footnote texts referenced from this statement

    @property
    def topic_names(self) -> tuple[str, ...]:
        return tuple(label.topic for label in self.topics)

    @cached_property
    def _offsets(self) -> list[int]:
        """Offsets of `line_map`, built once: a 5 MB text read as one statement has
        100,000 entries and is asked for every sentence."""
        return [o for o, _ in self.line_map]

    def line_at(self, offset: int) -> int:
        """Source line of the character at `offset` in `text`."""
        if not self.line_map:
            return self.lines[0]
        i = max(bisect_right(self._offsets, offset) - 1, 0)
        return self.line_map[i][1]

    def span_of(self, start: int, end: int) -> tuple[int, int]:
        """Source line span of text[start:end]."""
        return (self.line_at(start), self.line_at(max(start, end - 1)))


def cite_of(doc: str, lines: tuple[int, int]) -> str:
    """`002:113-128`, or `002:113` for one line: how every view cites a sentence."""
    a, b = lines
    return f"{doc}:{a}" if a == b else f"{doc}:{a}-{b}"


@dataclass(frozen=True)
class Version:
    """A round of documents that together state a position (e.g. Oct 2024: 003 + 001)."""

    round: str  # "2024-10"
    label: str  # human label, "Oct 2024"
    docs: tuple[Document, ...]
    tag: str  # tag of the round's last document in the store


@dataclass(frozen=True)
class Sentence:
    """A sentence of one version, traceable to its statement and source lines."""

    text: str
    doc: str
    source: str
    statement_id: str
    lines: tuple[int, int]
    index: int  # position within its version's sentence sequence
    also: tuple[str, ...] = ()  # citations of the same sentence repeated in its version

    @property
    def cite(self) -> str:
        return cite_of(self.doc, self.lines)

    @property
    def cites(self) -> str:
        """`cite`, plus where the version repeats the sentence word for word."""
        return ", ".join((self.cite, *self.also))


@dataclass(frozen=True)
class WordOp:
    """One diff-match-patch operation on word tokens: -1 delete, 0 equal, 1 insert."""

    op: int
    text: str


@dataclass(frozen=True)
class StanceFlag:
    """A change in negation, modality or position verb between two aligned sentences."""

    kind: str  # "negation" | "modality" | "position"
    removed: tuple[str, ...]
    added: tuple[str, ...]


@dataclass(frozen=True)
class AlignedUnit:
    """One row of a diff: sentences of FROM aligned with sentences of TO."""

    change: str  # one of CHANGE_CLASSES
    left: tuple[Sentence, ...]
    right: tuple[Sentence, ...]
    score: float  # similarity of the match, 0..1 (1.0 for unchanged, 0.0 for added/removed)
    ops: tuple[WordOp, ...] = ()  # word-level edit from left text to right text
    stance: tuple[StanceFlag, ...] = ()
    moved: bool = False  # True when the pair is out of order (also for reworded moves)
    # A one-sided row between rounds: cites of the other side's sentence it may restate (too
    # weak a match to show as one sentence); `score` is then that match's similarity.
    related: tuple[str, ...] = ()
    # Why an unchanged pair is not byte-equal: "punctuation only" / "footnote marker only".
    note: str = ""

    @property
    def differs(self) -> bool:
        """Any difference a reader must see, as diff(1)'s exit status 1 means: anything but an
        unchanged pair in its place with the same words and marks."""
        return self.change != "unchanged" or self.moved or bool(self.note)


def count_classes(units: tuple[AlignedUnit, ...] | list[AlignedUnit]) -> dict[str, int]:
    """Units per change class, every class present (zeros included), in model order."""
    counts = dict.fromkeys(CHANGE_CLASSES, 0)
    for unit in units:
        counts[unit.change] = counts.get(unit.change, 0) + 1
    return counts


@dataclass(frozen=True)
class Comparison:
    """The result of comparing two versions of a topic (or two files)."""

    topic: str
    from_label: str
    to_label: str
    from_docs: tuple[str, ...]
    to_docs: tuple[str, ...]
    units: tuple[AlignedUnit, ...]
    counts: dict[str, int] = field(default_factory=dict)  # change class -> number of units
    revision: bool = False  # two versions of one text (`compare --files`): added / removed

    @property
    def class_counts(self) -> dict[str, int]:
        """Units per change class: `counts` as the engine filled it, else from the units
        (a hand-made comparison), so every view reports the same figures."""
        return dict(self.counts) if self.counts else count_classes(self.units)

    @property
    def stance_units(self) -> tuple[AlignedUnit, ...]:
        return tuple(u for u in self.units if u.stance)

    @property
    def has_changes(self) -> bool:
        """Any difference at all, as diff(1)'s exit status 1 means: a punctuation-only or a
        footnote-marker-only edit (an unchanged pair with a note) and a move included."""
        return any(u.differs for u in self.units)

    @property
    def across_documents(self) -> bool:
        """Two rounds built from different documents: a sentence one side lacks was not
        repeated, not removed (a revision of one document shares its documents)."""
        if self.revision:
            return False
        return bool(self.from_docs and self.to_docs) and not set(self.from_docs) & set(self.to_docs)


@dataclass(frozen=True)
class Evidence:
    """A sentence that states a position, cited to its document and source lines."""

    doc: str
    lines: tuple[int, int]
    text: str
    statement_id: str = ""
    triggers: tuple[str, ...] = ()  # holder, position words, object words

    @property
    def cite(self) -> str:
        return cite_of(self.doc, self.lines)

    @property
    def names_its_object(self) -> bool:
        """The sentence names the sub-issue itself; its object is not carried from the
        sentence before, the question answered or the regulation as a whole ("(context)",
        "(question)", "(regulation)" as the object trigger)."""
        return bool(self.triggers) and not self.triggers[-1].startswith("(")


@dataclass(frozen=True)
class Position:
    """What the cabinet holds on one sub-issue in one round; `stance` None means silent."""

    topic: str
    round: str
    issue: str
    stance: Stance | None
    holder: str = ""
    evidence: tuple[Evidence, ...] = ()  # the one or two sentences that state it most directly
    support: int = 0  # distinct sentences stating this stance in the round
    dissent: tuple[Evidence, ...] = ()  # sentences of the round stating another stance

    @property
    def silent(self) -> bool:
        return self.stance is None


# new: stated for the first time in the table's rounds; resumed: stated again after rounds of
# silence, as last stated; changed: another stance than FROM's, or than the last one stated
# before a silence (`PositionChange.since` names that round: a reversal across a round that
# does not mention the sub-issue is a change, not a new position).
PositionMove = Literal["changed", "new", "not-restated", "resumed"]


@dataclass(frozen=True)
class PositionChange:
    """A sub-issue whose stance differs between two rounds (silence included)."""

    issue: str
    from_round: str
    to_round: str
    from_stance: Stance | None
    to_stance: Stance | None
    move: PositionMove
    from_evidence: tuple[Evidence, ...] = ()
    to_evidence: tuple[Evidence, ...] = ()
    since: str | None = None  # FROM silent: the round the stance was last stated in


@dataclass(frozen=True)
class IssueInfo:
    id: str
    label: str


@dataclass(frozen=True)
class PositionTable:
    """A topic's positions: sub-issues × rounds, and the changes between adjacent rounds."""

    topic: str
    rounds: tuple[tuple[str, str], ...]  # (round, label), oldest first
    issues: tuple[IssueInfo, ...]
    positions: tuple[Position, ...]  # one per (round, issue), silent ones included
    changes: tuple[PositionChange, ...]
    claimed: frozenset[str] = frozenset()  # citations of every sentence stating a position

    def cell(self, round_: str, issue: str) -> Position:
        for p in self.positions:
            if p.round == round_ and p.issue == issue:
                return p
        raise KeyError((round_, issue))

    def restated(self, from_round: str, to_round: str) -> tuple[Position, ...]:
        """Positions of `to_round` that hold the stance they held in `from_round`."""
        return tuple(
            self.cell(to_round, i.id)
            for i in self.issues
            if not self.cell(to_round, i.id).silent
            and self.cell(to_round, i.id).stance == self.cell(from_round, i.id).stance
        )


@dataclass(frozen=True)
class TopicLogEntry:
    """One version of a topic for `diffview log TOPIC`: how many cabinet statements, where."""

    version: Version
    commit: str
    date: date
    statements: int
    per_doc: tuple[tuple[str, int], ...]


@runtime_checkable
class StoreReader(Protocol):
    """What a view may ask a store: the reading API of ARCHITECTURE.md. `store.read.Store`
    implements it over git and the TUI's tests in memory (`tests/tui_fakes.FakeStore`);
    mypy checks both against it, so the fake cannot drift from the store."""

    def __hash__(self) -> int: ...  # derived data is cached per open store

    @property
    def head(self) -> str: ...

    def close(self) -> None: ...

    def documents(self) -> list[Document]: ...

    def removals(self) -> list[Removal]: ...

    def topics(self) -> list[str]: ...

    def versions(self, topic: str | None = None) -> list[Version]: ...

    def resolve_version(self, spec: str | Version) -> Version: ...

    def statements(
        self, doc: str | None = None, at: str | Version | None = None
    ) -> list[Statement]: ...

    def topic_statements(self, topic: str, version: str | Version) -> list[Statement]: ...

    def statement(self, statement_id: str) -> Statement: ...

    def source_lines(self, doc_id: str, first: int, last: int) -> list[str]: ...

    def topic_counts(self) -> dict[str, dict[str, int]]: ...

    def topic_log(self, topic: str) -> list[TopicLogEntry]: ...


@runtime_checkable
class DerivedCache(Protocol):
    """A store that keeps data derived from a commit beside its objects (`store.Store` does):
    the corpus IDF of `diff.compare`, the stems of `diff.stance`, the claims of `positions`
    and whole comparisons (`positions.kept`)."""

    def commit_of(self, version: Version) -> str: ...

    def cache_get(self, name: str) -> bytes | None: ...

    def cache_put(self, name: str, data: bytes) -> None: ...


@runtime_checkable
class StoredClaims(Protocol):
    """A store whose build kept each document's claims (`store.Store`: `claims/<id>.jsonl`),
    and says which claim reader wrote them."""

    def claim_records(self, version: Version) -> list[bytes | None]: ...

    def claims_written_with(self) -> str: ...
