"""Positions: what the cabinet holds on each sub-issue of a topic, round by round.

The claims of a round (claims.py) are pooled per sub-issue; the stance stated by the most
(and most direct) sentences is the round's position, and the one or two most direct
sentences are its evidence. A round whose cabinet says nothing on a sub-issue is *silent*:
never an invented stance, and never "withdrawn" when the next round simply does not repeat it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from contextlib import suppress
from dataclasses import replace
from functools import lru_cache, partial
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from diffview.errors import DiffviewError, unknown_name
from diffview.model import (
    STANCES,
    Comparison,
    DerivedCache,
    Evidence,
    IssueInfo,
    Position,
    PositionChange,
    PositionMove,
    PositionTable,
    Sentence,
    Stance,
    Statement,
    StoredClaims,
    StoreReader,
    Version,
)
from diffview.positions.kept import kept_comparison

if TYPE_CHECKING:
    from diffview.corpus.claims import Claim
    from diffview.corpus.topics import TopicRules

# When stances tie, the more specific wins. An abstention is also how the cabinet states that
# it does not support a text without blocking it ("gerekend tot de landen die ... niet
# steunen"), so a round that abstains on something abstains, whatever else it says against it.
_PRECEDENCE: tuple[Stance, ...] = (
    "abstains",
    "opposes",
    "supports-conditionally",
    "supports",
    "undecided",
)
_FORMAL_HOLDERS = frozenset({"het kabinet", "nederland", "dit kabinet", "het huidige kabinet"})
EVIDENCE_PER_CELL = 2
MIN_CELL_WEIGHT = 2


def load_rules(path: Path | None = None) -> TopicRules:
    """`corpus.topics.load_rules`, imported on first use: compiling the rules' phrase
    patterns is ~20 ms that a kept comparison (kept.py) and `compare --files` never need."""
    from diffview.corpus.topics import load_rules as load

    return load(path)


def _evidence(claim: Claim) -> Evidence:
    s = claim.sentence
    return Evidence(s.doc, s.lines, s.text, s.statement_id, claim.triggers)


def _distinct(claims: Sequence[Claim]) -> list[Claim]:
    """One claim per wording: the cabinet pastes one paragraph into several answers."""
    from diffview.diff.worddiff import squash  # the diff's engine: not for a kept comparison

    seen: dict[str, Claim] = {}
    for c in claims:
        key = squash(c.sentence.text)
        if key not in seen or c.weight > seen[key].weight:
            seen[key] = c
    return list(seen.values())


def _directness(claim: Claim) -> tuple[int, int, int]:
    """Most direct first: strongest words held by the cabinet or Nederland by name (not a
    minister's "wij" in a debate), object named in the sentence, shorter sentence."""
    formal = 2 if claim.holder.casefold() in _FORMAL_HOLDERS else 0
    return (-(claim.weight + formal), -int(claim.own_object), len(claim.sentence.text))


def decide(claims: Sequence[Claim]) -> Stance | None:
    """The stance of a pool of claims on one sub-issue (see `_PRECEDENCE`)."""
    if not claims:
        return None
    stances = {c.stance for c in claims}
    if "abstains" in stances:
        return "abstains"
    score = {s: sum(c.weight for c in claims if c.stance == s) for s in stances}
    return max(stances, key=lambda s: (score[s], -_PRECEDENCE.index(s)))


def position_of(topic: str, round_: str, issue: str, claims: Sequence[Claim]) -> Position:
    pool = _distinct(claims)
    if not any(c.weight >= MIN_CELL_WEIGHT for c in pool):
        pool = []  # one passing "bezwaren" carried from context is not a position
    stance = decide(pool)
    if stance is None:
        return Position(topic, round_, issue, None)
    chosen = sorted((c for c in pool if c.stance == stance), key=_directness)
    others = sorted((c for c in pool if c.stance != stance), key=_directness)
    return Position(
        topic=topic,
        round=round_,
        issue=issue,
        stance=stance,
        holder=chosen[0].holder,
        evidence=tuple(_evidence(c) for c in chosen[:EVIDENCE_PER_CELL]),
        support=len(chosen),
        dissent=tuple(_evidence(c) for c in others[:EVIDENCE_PER_CELL]),
    )


def _statements(store: StoreReader, version: Version) -> list[Statement]:
    """The round's documents only, asked for one by one: a store that reads lazily then
    reads a round, not the corpus."""
    return [s for d in version.docs for s in store.statements(doc=d.id, at=version)]


def _compute(store: StoreReader, version: Version, rules: TopicRules) -> tuple[Claim, ...]:
    from diffview.corpus.claims import claims_of

    return tuple(claims_of(_statements(store, version), rules))


def _claims_json(claims: Sequence[Claim]) -> bytes:
    from diffview.corpus.claims import claims_json

    return claims_json(claims)


def _cache_name(store: DerivedCache, version: Version, rules: TopicRules) -> str:
    from diffview.corpus.claims import CLAIM_FORMAT, claims_digest

    return f"claims-{CLAIM_FORMAT}-{store.commit_of(version)}-{claims_digest(rules.path)}.json"


@lru_cache(maxsize=16)
def stored_claims(
    store: StoreReader, version: Version, rules: TopicRules
) -> tuple[Claim, ...] | None:
    """The round's claims as the build of its documents kept them (`claims/<id>.jsonl`):
    read, not computed, when the build's claim reader and rules are these (the bundled
    ones); None when any document lacks them (a store written before them, a clone, other
    rules, a newer diffview), and the caller computes them."""
    from diffview.corpus.claims import claims_digest, claims_from_json
    from diffview.corpus.topicnames import BUNDLED_RULES

    if not isinstance(store, StoredClaims) or rules.path != BUNDLED_RULES:
        return None
    if store.claims_written_with() != claims_digest(BUNDLED_RULES):
        return None
    out: list[Claim] = []
    for doc, raw in zip(version.docs, store.claim_records(version), strict=True):
        claims = None if raw is None else claims_from_json(raw)
        if claims is None or any(c.sentence.doc != doc.id for c in claims):
            return None  # the store is untrusted: a record citing another document is bad
        out += claims
    return tuple(out)


@lru_cache(maxsize=16)
def round_claims(store: StoreReader, version: Version, rules: TopicRules) -> tuple[Claim, ...]:
    """Every claim of a round's documents, read once per open store (all topics share it):
    as the build kept them (`stored_claims`), else computed and kept in the store's cache
    keyed by the round's commit and the rules, so the next process reads them instead of
    re-reading every statement (same commit + same rules = same claims)."""
    from diffview.corpus.claims import claims_from_json

    stored = stored_claims(store, version, rules)  # read once: `_unread` asked first
    if stored is not None:
        return stored
    if not isinstance(store, DerivedCache):
        return _compute(store, version, rules)
    name = _cache_name(store, version, rules)
    cached = store.cache_get(name)
    claims = None if cached is None else claims_from_json(cached)
    if claims is not None:
        return tuple(claims)
    computed = _compute(store, version, rules)
    store.cache_put(name, _claims_json(computed))
    return computed


def _unread(store: DerivedCache, versions: Sequence[Version], rules: TopicRules) -> list[Version]:
    """The rounds whose claims neither the build nor the cache kept."""
    return [
        v
        for v in versions
        if store.cache_get(_cache_name(store, v, rules)) is None
        and stored_claims(store, v, rules) is None  # type: ignore[arg-type]
    ]


def prefetch_claims(store: StoreReader, versions: Sequence[Version], rules: TopicRules) -> None:
    """Compute the claims of the rounds the store has not kept yet two at a time, the second
    on the other core (`cores.run_on_two_cores`), and keep them, for `round_claims` to read:
    a cold compare needs two rounds' claims, 0.3 s of one core."""
    from diffview.positions.cores import can_fork, run_on_two_cores

    if not isinstance(store, DerivedCache) or not can_fork():
        return  # `round_claims` computes them one by one, here
    names = {v: _cache_name(store, v, rules) for v in versions}
    missing = _unread(store, list(names), rules)
    for pair in (missing[i : i + 2] for i in range(0, len(missing) - 1, 2)):  # bounded memory
        inputs = [_statements(store, v) for v in pair]  # read here: the child reads no store
        jobs = [partial(_claims_job, stmts, rules) for stmts in inputs]
        for version, data in zip(pair, run_on_two_cores(jobs), strict=True):
            store.cache_put(names[version], data)


def keep_claims(store: StoreReader, versions: Sequence[Version], rules: TopicRules) -> int:
    """Compute and keep the claims of those rounds the store's cache lacks (two at a time,
    on both cores); the number computed. The first `compare` or `positions` of such a round
    then reads its claims instead of running the phrase rules over every sentence of it
    (0.3 s of a 0.45 s first compare on the bundled corpus)."""
    if not isinstance(store, DerivedCache):
        return 0
    missing = _unread(store, versions, rules)
    prefetch_claims(store, missing, rules)  # pairs of rounds, when a fork is safe
    for version in missing:  # the odd one out, or every one where no fork is
        name = _cache_name(store, version, rules)
        if store.cache_get(name) is None:
            store.cache_put(name, _claims_json(_compute(store, version, rules)))
    return len(missing)


# Comparisons a build keeps ahead: the newest adjacent pairs of rounds, every topic's (the
# bundled corpus has 8), so a first compare of one of them reads it. Bounded, so that a
# build of a thousand documents computes a few, not every pair of its history (nor every
# round's claims: a round's claims are keyed by its commit, which an ingest of an earlier
# document changes for every later round).
KEEP_AHEAD = 8


def keep_ahead(store: Any, path: Path, limit: int = KEEP_AHEAD) -> int:
    """Compute and keep the claims and comparisons of each topic's newest adjacent versions
    that the store's cache lacks, newest pair first, at most `limit` pairs, half of the
    comparisons on the other core (a forked child opening `path` itself); the number of
    comparisons computed."""
    from diffview.corpus.topicnames import ordered
    from diffview.positions.cores import run_on_two_cores
    from diffview.positions.kept import is_kept

    pairs = [
        (len(versions) - i, rank, topic, a, b)
        for rank, topic in enumerate(ordered(store.topics()))
        for versions in [store.versions(topic)]
        for i, (a, b) in enumerate(zip(versions, versions[1:], strict=False))
    ]
    newest_first = [p[2:] for p in sorted(pairs, key=lambda p: p[:3])]
    missing = ((t, a, b) for t, a, b in newest_first if not is_kept(store, t, a.round, b.round))
    todo = list(islice(missing, limit))  # a long history is not probed past the newest few
    rounds = {v.round: v for _, a, b in todo for v in (a, b)}
    keep_claims(store, [rounds[r] for r in sorted(rounds)], load_rules())
    # Two jobs of half the pairs each, not one per pair: a job opens the store once for its
    # pairs, so the rounds they share are read and parsed once (newest first: the newest
    # transition's pairs go together).
    half = (len(todo) + 1) // 2
    halves = [[(t, a.round, b.round) for t, a, b in part] for part in (todo[:half], todo[half:])]
    run_on_two_cores([partial(_keep_comparisons, path, part) for part in halves if part])
    return len(todo)


def keep_ahead_after_build(path: Path) -> int:
    """After a build (the CLI's and the app's first start): `keep_ahead` on the new store, so
    a new user's first compares read instead of aligning. Not after an ingest or a removal:
    at a thousand documents that would cost seconds where the write costs one. Derived data
    only: the write is done either way, so a failure here is only time lost later."""
    from diffview.collector import collector_paused
    from diffview.store.read import Store

    with (
        suppress(DiffviewError, OSError, TimeoutError),
        collector_paused(),
        Store.open(path) as store,
    ):
        return keep_ahead(store, path)
    return 0


def _keep_comparisons(path: Path, pairs: Sequence[tuple[str, str, str]]) -> bytes:
    """Comparisons (topic, from round, to round) computed and kept by a store opened here
    (in a forked child, this process's store and its git reader are not to be shared)."""
    from diffview.store.read import Store

    with Store.open(path) as store:
        for topic, from_round, to_round in pairs:
            compare_with_evidence(store, topic, from_round, to_round)
    return b""


def _claims_job(statements: Sequence[Statement], rules: TopicRules) -> bytes:
    from diffview.corpus.claims import claims_of

    return _claims_json(claims_of(statements, rules))


def evidence_sentences(
    store: StoreReader, topic: str, version: Version, rules: TopicRules | None = None
) -> list[Sentence]:
    """The round's sentences that state a position on `topic`, whatever their statement's
    label (the Oct 2024 abstention is a `csam-other` statement, and a detection-order claim)."""
    claims = round_claims(store, version, rules or load_rules())
    return list({c.sentence.cite: c.sentence for c in claims if c.topic == topic}.values())


def compare_with_evidence(
    store: Any, topic: str, from_spec: str | None = None, to_spec: str | None = None
) -> Comparison:
    """`compare.compare_versions`, each side also showing the sentences that state the
    topic's positions in that round, so every cell's evidence is a row of the diff; kept in
    the store's cache (kept.py), so the next process reads it instead of aligning again."""
    return kept_comparison(
        store, topic, from_spec, to_spec, lambda: _with_evidence(store, topic, from_spec, to_spec)
    )


def _with_evidence(
    store: Any, topic: str, from_spec: str | None, to_spec: str | None
) -> Comparison:
    # not imported for a kept comparison
    from diffview.diff.compare import compare_versions, compared_versions

    hooks = evidence_hooks(store, topic)
    if hooks is None:
        return compare_versions(store, topic, from_spec, to_spec)
    prefetch_claims(store, compared_versions(store, topic, from_spec, to_spec), load_rules())
    also, tags = hooks
    return compare_versions(store, topic, from_spec, to_spec, also=also, tags=tags)


SideSentences = Callable[[Version], Sequence[Sentence]]
SideTags = Callable[[Version, Sequence[Sentence]], list[frozenset[str]]]


def evidence_hooks(store: Any, topic: str) -> tuple[SideSentences, SideTags] | None:
    """What `compare_with_evidence` adds to a comparison (`also`: each round's evidence
    sentences; `tags`: their sub-issues), for a measurement that must see the same sides
    (`compare.pair_scores` in tests/crossround.py); None for a topic without positions."""
    if not has_positions(topic):
        return None
    return (
        lambda v: evidence_sentences(store, topic, v),
        lambda v, sentences: issue_tags(store, v, sentences),
    )


ISSUE_TAG = "§"  # prefix of a sub-issue used as an alignment term (no word starts with it)


def issue_tags(
    store: StoreReader, version: Version, sentences: Sequence[Sentence]
) -> list[frozenset[str]]:
    """The sub-issues each sentence states a position on: the same sub-issue on both sides
    of a comparison is evidence of the same claim (align.py weighs it)."""
    by_cite: dict[str, set[str]] = {}
    for claim in round_claims(store, version, load_rules()):
        by_cite.setdefault(claim.sentence.cite, set()).add(
            f"{ISSUE_TAG}{claim.topic}/{claim.issue}"
        )
    return [frozenset(t for c in (s.cite, *s.also) for t in by_cite.get(c, ())) for s in sentences]


def changes_between(table: PositionTable, from_round: str, to_round: str) -> list[PositionChange]:
    """Sub-issues whose stance differs between two rounds (silence included), in order. When
    FROM is silent, TO's stance is weighed against the last one stated before it in the
    table's rounds: the same is resumed, another is changed (with `since`), none is new."""
    out = []
    for issue in table.issues:
        old, new = table.cell(from_round, issue.id), table.cell(to_round, issue.id)
        if old.stance == new.stance:
            continue
        since = None
        if new.silent:
            move: PositionMove = "not-restated"
        elif not old.silent:
            move = "changed"
        else:
            last = _last_stated(table, from_round, issue.id)
            old, since = (old, None) if last is None else (last, last.round)
            move = "new" if last is None else "resumed" if last.stance == new.stance else "changed"
        out.append(
            PositionChange(
                issue.id,
                from_round,
                to_round,
                old.stance,
                new.stance,
                move,
                old.evidence,
                new.evidence,
                since,
            )
        )
    return out


def _last_stated(table: PositionTable, before: str, issue: str) -> Position | None:
    """The latest round up to `before` (included) in which the sub-issue had a stance."""
    rounds = [r for r, _ in table.rounds]
    earlier = rounds[: rounds.index(before) + 1] if before in rounds else []
    stated = (table.cell(r, issue) for r in reversed(earlier))
    return next((p for p in stated if not p.silent), None)


def has_positions(topic: str, rules: TopicRules | None = None) -> bool:
    """True when the rules give the topic sub-issues (csam-other and unknown topics have none)."""
    rules = rules or load_rules()
    return rules.positions is not None and any(t.name == topic and t.issues for t in rules.topics)


def topic_positions(
    store: StoreReader,
    topic: str,
    rules: TopicRules | None = None,
    rounds: Collection[str] | None = None,
) -> PositionTable:
    """The position table of `topic` over every round of the store, or only over `rounds`
    (a comparison of two rounds needs those two, not the whole history)."""
    rules = rules or load_rules()
    if topic not in rules.names:
        known = ", ".join(rules.names)
        if topic in (rules.other, rules.non_csam):
            raise DiffviewError(
                f"{topic} has no sub-issues, so no positions (positions are read for {known}); "
                f"its statements: diffview compare {topic}"
            )
        raise unknown_name("topic", topic, rules.names)
    rule = rules.topic(topic)
    issues = tuple(IssueInfo(i.id, i.label) for i in rule.issues)
    versions = [v for v in store.versions() if rounds is None or v.round in rounds]
    prefetch_claims(store, versions, rules)
    cells: dict[Any, Position] = {}
    claimed: set[str] = set()
    for version in versions:
        claims = [c for c in round_claims(store, version, rules) if c.topic == topic]
        claimed.update(c.sentence.cite for c in claims)
        for issue in issues:
            pool = [c for c in claims if c.issue == issue.id]
            cells[(version.round, issue.id)] = position_of(topic, version.round, issue.id, pool)
    shown = [v.round for v in versions]
    table = PositionTable(
        topic=topic,
        rounds=tuple((v.round, v.label) for v in versions),
        issues=issues,
        positions=tuple(cells[(r, i.id)] for r in shown for i in issues),
        changes=(),
        claimed=frozenset(claimed),
    )
    steps = zip(shown, shown[1:], strict=False)
    return replace(table, changes=tuple(c for a, b in steps for c in changes_between(table, a, b)))


def _evidence_json(e: Evidence) -> dict[str, Any]:
    return {"doc": e.doc, "lines": list(e.lines), "text": e.text, "triggers": list(e.triggers)}


def positions_to_json(table: PositionTable) -> dict[str, Any]:
    """The documented JSON schema of `diffview positions --format json` (README)."""
    return {
        "topic": table.topic,
        "rounds": [r for r, _ in table.rounds],
        "round_labels": dict(table.rounds),
        "issues": [{"id": i.id, "label": i.label} for i in table.issues],
        "stances": list(STANCES),
        "positions": [
            {
                "round": p.round,
                "issue": p.issue,
                "stance": p.stance or "silent",
                "holder": p.holder,
                "support": p.support,
                "evidence": [_evidence_json(e) for e in p.evidence],
                "dissent": [_evidence_json(e) for e in p.dissent],
            }
            for p in table.positions
        ],
        "changes": [
            {
                "issue": c.issue,
                "from": c.from_round,
                "to": c.to_round,
                "from_stance": c.from_stance or "silent",
                "to_stance": c.to_stance or "silent",
                "move": c.move,
                "since": c.since,
                "from_evidence": [_evidence_json(e) for e in c.from_evidence],
                "to_evidence": [_evidence_json(e) for e in c.to_evidence],
            }
            for c in table.changes
        ],
    }
