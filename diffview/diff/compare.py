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

Two files (`compare_texts`) are diffed in two levels: lines.py cuts each paragraph the texts
share into sentences once, and a revised one only around its change (the same sentences as
cutting each whole text); the aligner pairs equal sentences by hash, in linear time, so only
the changed ones are stemmed, scored, word-diffed and flagged. An unchanged unit costs a
Sentence, its spelling-folded key, a hash look-up and a unit: no word diff, no
stance flags, no stems.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from diffview.diff.align import REWRITE_THRESHOLD, Link, across_scores, align
from diffview.diff.similarity import corpus_weights, weights_from_counts
from diffview.diff.stance import stance_flags, stance_of_one_side
from diffview.diff.worddiff import squash, word_diff
from diffview.errors import DiffviewError, regex_timeout, unknown_name
from diffview.model import (
    AlignedUnit,
    Comparison,
    DerivedCache,
    Sentence,
    Statement,
    StoreReader,
    Version,
    WordOp,
    count_classes,
)
from diffview.text.sentences import sentences_of, statement_sentences
from diffview.text.stems import StemCounts, stems_kept_in

if TYPE_CHECKING:
    from diffview.corpus.topics import TopicRules
    from diffview.diff.lines import Cutter

NEGATION_PENALTY = 0.25  # a pair whose negation changed scores at most 1 - this


def _joined(sentences: Sequence[Sentence]) -> str:
    return " ".join(s.text for s in sentences)


def _classify(link: Link) -> str:
    if link.kind in ("split", "merged", "added", "removed"):
        return link.kind
    if link.moved:
        return "moved"
    if link.exact or link.quiet:
        return "unchanged"
    return "reworded" if link.score >= REWRITE_THRESHOLD else "rewritten"


def _unit(link: Link, a: Sequence[Sentence], b: Sequence[Sentence]) -> AlignedUnit:
    if link.exact and len(link.left) == 1 and len(link.right) == 1:
        # Most units of a revision: one sentence kept (or moved) as it was; no stance to
        # flag, the ops are the text (or its spelling variants).
        one, other = a[link.left[0]], b[link.right[0]]
        change = "moved" if link.moved else "unchanged"
        ops = word_diff(one.text, other.text)
        return AlignedUnit(change, (one,), (other,), 1.0, ops, (), link.moved)
    left = tuple(a[i] for i in link.left)
    right = tuple(b[j] for j in link.right)
    lt, rt = _joined(left), _joined(right)
    change = _classify(link)
    if change == "added":
        related = tuple(a[i].cite for i in link.related)
        return AlignedUnit(
            change,
            (),
            right,
            round(link.score, 4) if related else 0.0,
            (WordOp(1, rt),),
            stance_of_one_side(rt, "right"),
            related=related,
        )
    if change == "removed":
        related = tuple(b[j].cite for j in link.related)
        return AlignedUnit(
            change,
            left,
            (),
            round(link.score, 4) if related else 0.0,
            (WordOp(-1, lt),),
            stance_of_one_side(lt, "left"),
            related=related,
        )
    ops = word_diff(lt, rt)
    if link.quiet:  # the words are the same: the ops show the marks, the note says so
        return AlignedUnit(change, left, right, 1.0, ops, (), link.moved, note=link.quiet)
    stance = stance_flags(lt, rt) if not link.exact else ()
    score = 1.0 if link.exact else round(link.score, 4)
    if any(f.kind == "negation" for f in stance):
        # niet/geen are stopwords for alignment, so a deleted "niet" would score 1.0: the
        # score says how much the claim changed, and a negation changes it.
        score = round(min(score, 1.0 - NEGATION_PENALTY), 4)
        if change == "reworded" and score < REWRITE_THRESHOLD:
            change = "rewritten"
    return AlignedUnit(change, left, right, score, ops, stance, link.moved)


def has_edits(unit: AlignedUnit) -> bool:
    """True when the unit's word ops contain any insert or delete."""
    return any(op.op != 0 for op in unit.ops)


def compare_sentences(
    a: Sequence[Sentence],
    b: Sequence[Sentence],
    *,
    topic: str = "",
    from_label: str = "",
    to_label: str = "",
    from_docs: Sequence[str] = (),
    to_docs: Sequence[str] = (),
    across: bool = False,
    background: Mapping[str, float] | None = None,
    tags: tuple[Sequence[frozenset[str]], Sequence[frozenset[str]]] | None = None,
    revision: bool = False,
) -> Comparison:
    """Align and diff two sentence sequences (FROM `a`, TO `b`); `across`, `background` and
    `tags` as in `align.align` (rounds built from different documents); `revision`: two
    versions of one text, whose one-sided sentences are added / removed."""
    links = align(
        [s.text for s in a],
        [s.text for s in b],
        across=across,
        background=background,
        tags=tags,
        revision=revision,
    )
    units = tuple(_unit(lk, a, b) for lk in links)
    return Comparison(
        topic=topic,
        from_label=from_label,
        to_label=to_label,
        from_docs=tuple(from_docs),
        to_docs=tuple(to_docs),
        units=units,
        counts=count_classes(units),
        revision=revision,
    )


# -- files and plain texts -------------------------------------------------------------------


def compare_texts(text_a: str, text_b: str, name_a: str = "A", name_b: str = "B") -> Comparison:
    """Compare two raw texts (normalised and sanitised here); a regex time-out names the
    text it happened on. A paragraph both texts hold is cut into sentences once (lines.py):
    the same sentences as `sentences_of` of each whole text."""
    from diffview.diff.lines import Cutter  # files only: a topic compare needs none

    cutter = Cutter()
    sa, sb = _sentences_of_text(cutter, text_a, name_a), _sentences_of_text(cutter, text_b, name_b)
    try:
        return compare_sentences(
            sa,
            sb,
            from_label=name_a,
            to_label=name_b,
            from_docs=(name_a,),
            to_docs=(name_b,),
            revision=True,
        )
    except TimeoutError:
        raise regex_timeout(f"{name_a} or {name_b}", "comparing") from None


def _sentences_of_text(cutter: Cutter, text: str, name: str) -> list[Sentence]:
    try:
        return cutter.side(text, name)
    except TimeoutError:
        raise regex_timeout(name, "normalising") from None


def compare_files(path_a: str | Path, path_b: str | Path) -> Comparison:
    """Compare two text files; sentences cite `file name:line`."""
    from diffview.corpus.sources import read_source

    pa, pb = Path(path_a), Path(path_b)
    name_a, name_b = pa.name, pb.name
    if name_a == name_b:
        name_a, name_b = str(pa), str(pb)
    return compare_texts(read_source(pa), read_source(pb), name_a, name_b)


# -- versions in the store -------------------------------------------------------------------


def collapse_repeats(sentences: Sequence[Sentence]) -> list[Sentence]:
    """Sentences repeated word for word within one version, kept once with every place cited.

    The cabinet pastes standard paragraphs into several answers of one document; without
    this, each copy shows up as its own addition. Only for versions of a topic: between two
    files a repeated sentence is a real difference and must be reported.
    """
    first: dict[str, int] = {}
    out: list[Sentence] = []
    for sentence in sentences:
        key = squash(sentence.text)
        if key in first:
            kept = out[first[key]]
            out[first[key]] = replace(kept, also=(*kept.also, sentence.cite))
        else:
            first[key] = len(out)
            out.append(sentence)
    return out


SHORT_STATEMENT = 3  # sentences: a statement this short is kept whole
CONTEXT_SENTENCES = 1  # kept on each side of a sentence that names the topic


def topic_sentences(
    statements: Sequence[Statement], topic: str, rules: TopicRules | None = None
) -> list[Sentence]:
    """The sentences of the statements that are about `topic`: a long statement (a 59-sentence
    debate turn) contributes the sentences naming the topic and their immediate neighbours,
    not all of its sentences; a short one, or one naming it nowhere (its topic came from its
    question), is kept whole."""
    from diffview.corpus.labels import mentions_topic  # the rules: not for `--files`
    from diffview.corpus.topics import load_rules

    rules = rules or load_rules()
    out: list[Sentence] = []
    for stmt in statements:
        sentences = list(statement_sentences(stmt))
        if len(sentences) > SHORT_STATEMENT and topic in rules.names:
            hits = [i for i, s in enumerate(sentences) if mentions_topic(s.text, rules, topic)]
            near = {
                j for i in hits for j in range(i - CONTEXT_SENTENCES, i + CONTEXT_SENTENCES + 1)
            }
            if hits:
                sentences = [s for j, s in enumerate(sentences) if j in near]
        out.extend(replace(s, index=len(out) + k) for k, s in enumerate(sentences))
    return out


def _same_version(a: Version, b: Version) -> bool:
    """A round as of a document (`003`) differs from the full round: compare docs too."""
    return a.round == b.round and [d.id for d in a.docs] == [d.id for d in b.docs]


def _check_topic(store: StoreReader, topic: str) -> Sequence[Version]:
    names = list(store.topics())
    if topic not in names:
        from diffview.corpus.topicnames import ordered  # the error path only: it reads toml

        raise unknown_name("topic", topic, ordered(names))
    versions = list(store.versions(topic))
    if not versions:
        raise DiffviewError(f"topic {topic!r} has no cabinet statements in the store")
    return versions


def with_also(
    sentences: Sequence[Sentence], also: Sequence[Sentence], version: Version
) -> list[Sentence]:
    """`sentences` and the `also` sentences they lack, in the version's reading order
    (document order, then source line), renumbered."""
    have = {s.cite for s in sentences}
    order = {d.id: i for i, d in enumerate(version.docs)}
    merged = [*sentences, *(s for s in also if s.cite not in have)]
    if len(merged) > len(sentences):
        merged.sort(key=lambda s: (order.get(s.doc, len(order)), s.lines, s.index))
    return [replace(s, index=i) for i, s in enumerate(merged)]


def compared_versions(
    store: StoreReader, topic: str, from_spec: str | None = None, to_spec: str | None = None
) -> tuple[Version, Version]:
    """The FROM and TO versions of a topic comparison (default: its first and last)."""
    versions = _check_topic(store, topic)
    old = versions[0] if from_spec is None else store.resolve_version(from_spec)
    new = versions[-1] if to_spec is None else store.resolve_version(to_spec)
    if _same_version(old, new):
        hint = "" if len(versions) > 1 else f" (topic {topic!r} has only one version)"
        raise DiffviewError(
            f"FROM and TO are the same version ({old.round}): nothing to compare{hint}"
        )
    at_old, at_new = _place(versions, old), _place(versions, new)
    if at_new >= 0 and at_old > at_new:  # backwards: every restated sentence reads as dropped
        raise DiffviewError(
            f"FROM {old.label} is later than TO {new.label}: give the earlier one first "
            f"(diffview compare {topic} {new.round} {old.round})"
        )
    return old, new


def _place(versions: Sequence[Version], version: Version) -> int:
    """Where a version stands in the store's own order of the topic's versions (a document's
    state sits with its round; one the topic lacks cannot be placed and is not refused)."""
    return next((i for i, v in enumerate(versions) if v.round == version.round), -1)


def topic_sides(
    store: StoreReader,
    topic: str,
    from_spec: str | None = None,
    to_spec: str | None = None,
    *,
    also: Callable[[Version], Sequence[Sentence]] | None = None,
) -> tuple[Version, Version, list[Sentence], list[Sentence]]:
    """The two versions `compare_versions` compares and the sentences each side shows, one
    function so that measurements of the alignment (tests/crossround.py) see what it sees."""
    old, new = compared_versions(store, topic, from_spec, to_spec)
    sides = []
    for version in (old, new):
        sentences = topic_sentences(store.topic_statements(topic, version), topic)
        if also is not None:
            sentences = with_also(sentences, also(version), version)
        sides.append(collapse_repeats(sentences))
    return old, new, sides[0], sides[1]


def compare_versions(
    store: StoreReader,
    topic: str,
    from_spec: str | None = None,
    to_spec: str | None = None,
    *,
    also: Callable[[Version], Sequence[Sentence]] | None = None,
    tags: Callable[[Version, Sequence[Sentence]], list[frozenset[str]]] | None = None,
) -> Comparison:
    """Compare the cabinet's statements on `topic` between two rounds (default: first, last).

    A version without cabinet statements on the topic is a valid side (everything on the
    other side is then added or removed): that is the news when a topic appears or vanishes.
    `also` adds sentences a side must show although their statement is labelled otherwise
    (the evidence of a position: `positions.compare_with_evidence`); `tags` gives each
    sentence of a side its alignment tags (the sub-issues it states a position on), used
    between rounds built from different documents.
    """
    with stems_kept_in(store):  # the stems of earlier compares, and this one's for the next
        return _compare_versions(store, topic, from_spec, to_spec, also=also, tags=tags)


def _compare_versions(
    store: StoreReader,
    topic: str,
    from_spec: str | None,
    to_spec: str | None,
    *,
    also: Callable[[Version], Sequence[Sentence]] | None,
    tags: Callable[[Version, Sequence[Sentence]], list[frozenset[str]]] | None,
) -> Comparison:
    old, new, a, b = topic_sides(store, topic, from_spec, to_spec, also=also)
    from_docs, to_docs = tuple(d.id for d in old.docs), tuple(d.id for d in new.docs)
    across = not set(from_docs) & set(to_docs)
    try:
        return compare_sentences(
            a,
            b,
            topic=topic,
            from_label=old.label,
            to_label=new.label,
            from_docs=from_docs,
            to_docs=to_docs,
            across=across,
            background=_background(store, new, a, b) if across else None,
            tags=(tags(old, a), tags(new, b)) if across and tags is not None else None,
        )
    except TimeoutError:
        docs = ", ".join(d.source for d in (*old.docs, *new.docs))
        raise regex_timeout(docs, f"comparing topic {topic}") from None


def pair_scores(
    store: StoreReader,
    topic: str,
    from_spec: str,
    to_spec: str,
    *,
    also: Callable[[Version], Sequence[Sentence]] | None = None,
    tags: Callable[[Version, Sequence[Sentence]], list[frozenset[str]]] | None = None,
) -> tuple[list[Sentence], list[Sentence], list[list[float]]]:
    """The sides of `compare_versions` between two rounds and the similarity of every FROM x
    TO pair as the across-rounds aligner scores it (`align.across_scores`): to measure how
    well the score ranks true counterparts, apart from what the acceptance rule makes."""
    old, new, a, b = topic_sides(store, topic, from_spec, to_spec, also=also)
    side_tags = (tags(old, a), tags(new, b)) if tags is not None else None
    background = _background(store, new, a, b)
    return a, b, across_scores([s.text for s in a], [s.text for s in b], background, side_tags)


def _background(
    store: StoreReader, version: Version, a: Sequence[Sentence], b: Sequence[Sentence]
) -> Mapping[str, float]:
    """Stem IDF over every cabinet sentence of the store up to `version` (the corpus), or,
    for a reader that cannot list all statements, over the two sides."""
    if isinstance(store, StoreReader):
        return _corpus_idf(store, version)
    return corpus_weights(s.text for s in (*a, *b))


IDF_FORMAT = 2  # bump when content_stems, corpus_weights or the window change
# How many documents (the latest up to the compared round) the corpus weights are counted
# over: enough for a dossier's everyday words to show as such, and a cold compare reads a
# bounded number of documents however long the history is.
IDF_WINDOW = 64


@runtime_checkable
class StemReader(Protocol):
    """A store that keeps each document's stem counts (`store.Store`: `sentences/<id>.jsonl`)."""

    def stem_counts(self, doc_ids: Sequence[str]) -> list[StemCounts | None]: ...


def _idf_documents(store: StoreReader, version: Version) -> list[str]:
    """The ids of the last `IDF_WINDOW` documents up to and including `version`."""
    ids = [d.id for v in store.versions() if v.round < version.round for d in v.docs]
    ids += [d.id for d in version.docs]
    return ids[-IDF_WINDOW:]


@lru_cache(maxsize=8)
def _corpus_idf(store: StoreReader, version: Version) -> Mapping[str, float]:
    """Over the latest `IDF_WINDOW` documents up to the round; computed once per open store
    and kept in the store's cache keyed by the round's commit (stemming 1,500 sentences costs
    half a second; reading them back, milliseconds).
    A cache file that is not a mapping of stems to finite non-negative weights is ignored."""
    cache = store if isinstance(store, DerivedCache) else None
    name = ""
    if cache is not None:
        name = f"idf-{IDF_FORMAT}-{cache.commit_of(version)}.json"
        cached = cache.cache_get(name)
        if cached is not None:
            with suppress(ValueError, TypeError, AttributeError):
                data = json.loads(cached)
                if isinstance(data, dict) and all(
                    isinstance(k, str) and isinstance(v, float) and 0 <= v < 100
                    for k, v in data.items()
                ):
                    return MappingProxyType(data)
    docs = _idf_documents(store, version)
    weights = _summed_weights(store, docs) if isinstance(store, StemReader) else None
    if weights is None:
        cabinet = [
            s for doc in docs for s in store.statements(doc=doc, at=version) if s.role == "cabinet"
        ]
        weights = corpus_weights(s.text for s in sentences_of(cabinet))
    if cache is not None:
        cache.cache_put(name, json.dumps(weights, sort_keys=True).encode())
    return MappingProxyType(weights)


def _summed_weights(store: StemReader, docs: Sequence[str]) -> dict[str, float] | None:
    """`corpus_weights` of the documents' cabinet sentences from their stored stem counts
    (document frequencies add up): the same weights, without reading a sentence. None when
    a document has no record (a store written before them)."""
    records = store.stem_counts(docs)
    if any(r is None for r in records):
        return None
    return weights_from_counts(r for r in records if r is not None)
