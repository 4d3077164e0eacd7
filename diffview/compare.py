"""Orchestration: two versions (of a topic in the store, or two files) → a `Comparison`.

Sentences are aligned by meaning (align.py), every aligned unit gets word ops (worddiff.py)
and stance flags (stance.py), and is classified:

  unchanged  variant-equal text, in order
  reworded   matched pair, similarity >= align.REWRITE_THRESHOLD (a small edit)
  rewritten  matched pair, similarity in [MATCH_THRESHOLD, REWRITE_THRESHOLD) (same subject)
  moved      a pair out of order (not on the longest increasing subsequence). The class says
             "moved" whether or not the words changed too; `moved=True`, and the ops and
             score tell whether it was also edited (`has_edits`). Splits and merges that moved
             keep their class and set `moved=True`.
  split      one FROM sentence became two adjacent TO sentences
  merged     two adjacent FROM sentences became one TO sentence
  added / removed  no counterpart (ops: one insert / one delete of the whole text)

Stance flags: all categories for matched units; only 'position' for added/removed units
(a new sentence saying "onthouden" is a stance change, one that merely contains "kan" is not).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from diffview.align import REWRITE_THRESHOLD, Link, align
from diffview.errors import DiffviewError, InputError
from diffview.model import (
    CHANGE_CLASSES,
    AlignedUnit,
    Comparison,
    Sentence,
    Statement,
    Version,
    WordOp,
)
from diffview.sanitize import sanitize
from diffview.sentences import sentences_of
from diffview.stance import stance_flags, stance_of_one_side
from diffview.worddiff import word_diff


class StoreReader(Protocol):
    """The part of `store.Store` that compare needs (ARCHITECTURE.md, "reading API")."""

    def versions(self, topic: str) -> Sequence[Version]: ...

    def resolve_version(self, spec: str) -> Version: ...

    def topic_statements(self, topic: str, version: Any) -> Sequence[Statement]: ...


def _joined(sentences: Sequence[Sentence]) -> str:
    return " ".join(s.text for s in sentences)


def _classify(link: Link) -> str:
    if link.kind in ("split", "merged", "added", "removed"):
        return link.kind
    if link.moved:
        return "moved"
    if link.exact:
        return "unchanged"
    return "reworded" if link.score >= REWRITE_THRESHOLD else "rewritten"


def _unit(link: Link, a: Sequence[Sentence], b: Sequence[Sentence]) -> AlignedUnit:
    left = tuple(a[i] for i in link.left)
    right = tuple(b[j] for j in link.right)
    lt, rt = _joined(left), _joined(right)
    change = _classify(link)
    if change == "added":
        return AlignedUnit(
            change, (), right, 0.0, (WordOp(1, rt),), stance_of_one_side(rt, "right")
        )
    if change == "removed":
        return AlignedUnit(change, left, (), 0.0, (WordOp(-1, lt),), stance_of_one_side(lt, "left"))
    ops = word_diff(lt, rt)
    stance = stance_flags(lt, rt) if not link.exact else ()
    score = 1.0 if link.exact else round(link.score, 4)
    return AlignedUnit(change, left, right, score, ops, stance, link.moved)


def has_edits(unit: AlignedUnit) -> bool:
    """True when the unit's word ops contain any insert or delete."""
    return any(op.op != 0 for op in unit.ops)


def count_classes(units: Sequence[AlignedUnit]) -> dict[str, int]:
    """Units per change class, every class present (zeros included), in model order."""
    counts = dict.fromkeys(CHANGE_CLASSES, 0)
    for u in units:
        counts[u.change] = counts.get(u.change, 0) + 1
    return counts


def compare_sentences(
    a: Sequence[Sentence],
    b: Sequence[Sentence],
    *,
    topic: str = "",
    from_label: str = "",
    to_label: str = "",
    from_docs: Sequence[str] = (),
    to_docs: Sequence[str] = (),
) -> Comparison:
    """Align and diff two sentence sequences (FROM `a`, TO `b`)."""
    links = align([s.text for s in a], [s.text for s in b])
    units = tuple(_unit(lk, a, b) for lk in links)
    return Comparison(
        topic=topic,
        from_label=from_label,
        to_label=to_label,
        from_docs=tuple(from_docs),
        to_docs=tuple(to_docs),
        units=units,
        counts=count_classes(units),
    )


# -- files and plain texts -------------------------------------------------------------------


def _line_map(text: str) -> tuple[tuple[int, int], ...]:
    """(offset, 1-based line) for every line start: the identity map of an unnormalised text."""
    out, line, pos = [(0, 1)], 1, text.find("\n")
    while pos != -1:
        line += 1
        out.append((pos + 1, line))
        pos = text.find("\n", pos + 1)
    return tuple(out)


def _normalise(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """normalize.normalize_text when that module exists; else sanitise, lines unchanged.

    The fallback keeps offsets and lines 1:1 (sanitising only lengthens control characters,
    which we then map with the line map computed after sanitising).
    """
    try:
        from diffview.normalize import normalize_text
    except ImportError:
        clean = sanitize(text)
        return clean, _line_map(clean)
    norm = normalize_text(text)
    return sanitize(norm.text), tuple(tuple(x) for x in norm.line_map)


def _text_statement(text: str, name: str) -> Statement:
    """A whole text as one pseudo-statement so sentences can cite its lines."""
    norm, line_map = _normalise(text)
    last = line_map[-1][1] if line_map else 1
    return Statement(
        id=f"{name}-all",
        doc=name,
        source=name,
        date=date.min,
        kind="turn",
        speaker="",
        party=None,
        role="cabinet",
        text=norm,
        lines=(1, last),
        line_map=line_map,
    )


def compare_texts(text_a: str, text_b: str, name_a: str = "A", name_b: str = "B") -> Comparison:
    """Compare two raw texts (normalised and sanitised here)."""
    sa = sentences_of([_text_statement(text_a, name_a)])
    sb = sentences_of([_text_statement(text_b, name_b)])
    return compare_sentences(
        sa, sb, from_label=name_a, to_label=name_b, from_docs=(name_a,), to_docs=(name_b,)
    )


def _read(path: Path) -> str:
    try:
        from diffview.sources import read_source
    except ImportError:  # pragma: no cover - sources.py is part of the tree
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(path, f"cannot read file: {exc}") from None
    return read_source(path)


def compare_files(path_a: str | Path, path_b: str | Path) -> Comparison:
    """Compare two text files; sentences cite `file name:line`."""
    pa, pb = Path(path_a), Path(path_b)
    name_a, name_b = pa.name, pb.name
    if name_a == name_b:
        name_a, name_b = str(pa), str(pb)
    return compare_texts(_read(pa), _read(pb), name_a, name_b)


# -- versions in the store -------------------------------------------------------------------


@dataclass(frozen=True)
class _Side:
    version: Version
    statements: tuple[Statement, ...]


def _version_name(v: Any) -> str:
    return str(getattr(v, "round", v))


def _version_id(v: Any) -> tuple[str, tuple[str, ...]]:
    """A round as of a document (`003`) differs from the full round: compare docs too."""
    return _version_name(v), tuple(d.id for d in getattr(v, "docs", ()))


def _pick(store: StoreReader, spec: str | None, default: Version) -> Version:
    return default if spec is None else store.resolve_version(spec)


def _side(store: StoreReader, topic: str, version: Version) -> _Side:
    stmts = tuple(store.topic_statements(topic, version))
    cabinet = tuple(s for s in stmts if s.role == "cabinet")
    return _Side(version, cabinet or stmts)


def _check_topic(store: StoreReader, topic: str) -> Sequence[Version]:
    known = getattr(store, "topics", None)
    if callable(known):
        names = [getattr(t, "name", t) for t in known()]
        if names and topic not in names:
            raise DiffviewError(f"unknown topic {topic!r} (known: {', '.join(map(str, names))})")
    versions = list(store.versions(topic))
    if not versions:
        raise DiffviewError(f"topic {topic!r} has no versions in the store (unknown topic?)")
    return versions


def compare_versions(
    store: StoreReader, topic: str, from_spec: str | None = None, to_spec: str | None = None
) -> Comparison:
    """Compare the cabinet's statements on `topic` between two rounds (default: first, last)."""
    versions = _check_topic(store, topic)
    old = _pick(store, from_spec, versions[0])
    new = _pick(store, to_spec, versions[-1])
    if _version_id(old) == _version_id(new):
        hint = "" if len(versions) > 1 else f" (topic {topic!r} has only one version)"
        raise DiffviewError(
            f"FROM and TO are the same version ({_version_name(old)}): nothing to compare{hint}"
        )
    a, b = _side(store, topic, old), _side(store, topic, new)
    return compare_sentences(
        sentences_of(a.statements),
        sentences_of(b.statements),
        topic=topic,
        from_label=getattr(old, "label", _version_name(old)),
        to_label=getattr(new, "label", _version_name(new)),
        from_docs=tuple(d.id for d in getattr(old, "docs", ())),
        to_docs=tuple(d.id for d in getattr(new, "docs", ())),
    )


def comparison_summary(c: Comparison) -> str:
    """One line: '12 unchanged, 3 reworded, 1 moved; 2 stance changes'."""
    counts = c.counts or count_classes(c.units)
    parts = [f"{counts[k]} {k}" for k in CHANGE_CLASSES if counts.get(k)]
    n = len(c.stance_units)
    return f"{', '.join(parts) or 'no sentences'}; {n} stance change{'' if n == 1 else 's'}"
