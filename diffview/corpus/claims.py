"""Claims: the cabinet's sentences that state a position, each on one sub-issue.

A claim needs a holder (the cabinet, not a member state or the Kamer), position words with
their polarity, and an object (a sub-issue). Every part is found by a phrase rule of
`topics.toml` and kept in `triggers`, so a reader can see why a sentence counts, and why
another does not. Sentences, not statements: a 59-sentence debate turn contributes only the
sentences that state something.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex

from diffview.corpus.codebytes import module_bytes
from diffview.corpus.issue_rules import Issue, Lexicon, Predicate
from diffview.corpus.topics import TIMEOUT, TopicRules, lower_text, required_literals
from diffview.model import STANCES, Sentence, Stance, Statement
from diffview.text.sentences import clean_sentence, statement_sentences

# A position naming no object at all goes to the regulation as a whole only when its words
# are strong ("besloten om zich te onthouden"), not for a passing "onwenselijk".
DEFAULT_MIN_WEIGHT = 3
AFTER_WINDOW = 3  # words after the position words where a negation still scopes over them
_FIRST_PERSON = frozenset({"ik", "wij", "we", "ons", "onze"})
_CLAUSE_BREAK = regex.compile(r"[,;:()]|\s[-–]\s")
# A negation scopes over its own clause: a subordinate clause starts a new one.
_SCOPE_BREAK = regex.compile(
    r"[,;:()]|\s[-–]\s|\b(?:dat|die|omdat|want|maar|waardoor|terwijl|aangezien)\b",
    regex.IGNORECASE,
)
# A sentence about what happens without something ("Zonder verlenging ... niet langer") makes
# a following "Dat acht het kabinet onwenselijk" about its absence: too subtle to carry.
_HYPOTHETICAL = regex.compile(r"\b(?:zonder|niet langer|niet meer)\b", regex.IGNORECASE)
_WORD = regex.compile(r"\w+")
_FLIP: dict[Stance, Stance | None] = {
    "supports": "opposes",
    "supports-conditionally": "opposes",
    "opposes": "supports",
    "abstains": None,  # "not abstaining" says nothing
    "undecided": "undecided",
}


@dataclass(frozen=True)
class Claim:
    """One sentence stating a stance on one sub-issue."""

    topic: str
    issue: str
    stance: Stance
    holder: str  # "het kabinet", "Nederland", or the speaker for ik/wij
    sentence: Sentence
    weight: int  # how directly it states the position (predicate weight, own object)
    own_object: bool  # the sub-issue is named in the sentence itself (not carried over)
    triggers: tuple[str, ...]  # holder, position words, object words


@dataclass(frozen=True)
class _Reading:
    """What the lexicon finds in one sentence, before objects are attached."""

    stance: Stance
    holder: str
    predicate: regex.Match[str]
    weight: int
    condition_at: int | None  # offset of "indien"/"mits" for a conditional support


def _clause_start(text: str, pos: int, breaks: regex.Pattern[str] = _CLAUSE_BREAK) -> int:
    starts = [m.end() for m in breaks.finditer(text, 0, pos, timeout=TIMEOUT)]
    return starts[-1] if starts else 0


def _negated(text: str, match: regex.Match[str], lexicon: Lexicon) -> bool:
    """A negation inside the position words ("stemt niet in"), in the same clause at most
    `negation_window` words before them, just after them ("steunt (Nederland) geen voorstellen"), or
    closing the clause after them ("steunt het voorstel niet"). A subordinate clause
    ("Dat neemt niet weg dat ...") starts a new scope."""
    inside = _WORD.findall(match.group())
    if any(lexicon.negation.fullmatch(w, timeout=TIMEOUT) for w in inside[1:]):
        return True
    start = _clause_start(text, match.start(), _SCOPE_BREAK)
    before = _WORD.findall(text[start : match.start()])[-lexicon.negation_window :]
    if any(lexicon.negation.fullmatch(w, timeout=TIMEOUT) for w in before):
        return True
    rest = text[match.end() :]
    cut = _SCOPE_BREAK.search(rest, timeout=TIMEOUT)
    after = _WORD.findall(rest[: cut.start()] if cut else rest)
    head = after[:AFTER_WINDOW]
    negations = [i for i, w in enumerate(head) if lexicon.negation.fullmatch(w, timeout=TIMEOUT)]
    if negations and after[negations[0] + 1 : negations[0] + 2] != ["alleen"]:
        return True  # "steunt geen voorstellen", "steunt Nederland geen"; not "niet alleen"
    return bool(after) and after[-1].casefold() == "niet"


_Actor = tuple[int, int, bool]  # start, end, is the cabinet


def _actors(text: str, lexicon: Lexicon) -> list[_Actor]:
    """Every holder and other actor of a sentence, found once for all its position words."""
    found = [(m.start(), m.end(), True) for m in lexicon.holders.finditer(text, timeout=TIMEOUT)]
    others = lexicon.others.finditer(text, timeout=TIMEOUT)
    return found + [(m.start(), m.end(), False) for m in others]


def _holder(
    actors: Sequence[_Actor],
    match: regex.Match[str],
    speaker: str,
    needs_holder: bool,
    original: str,
    names: Callable[[str], str],
) -> str | None:
    """The actor a position belongs to: the nearest one before the position words (else the
    nearest after), and only when it is the cabinet. Words about one's own position ("een
    definitieve standpuntbepaling") need no named holder in a cabinet statement."""
    start, end = match.span()
    inside = [a for a in actors if start <= a[0] and a[1] <= end]
    before = [a for a in actors if a[1] <= start]
    after = [a for a in actors if a[0] >= end]
    if inside:  # "acht het kabinet ... noodzakelijk"
        nearest = inside[0]
    elif before:
        nearest = max(before, key=lambda a: (a[1], a[1] - a[0]))
    elif after:
        nearest = min(after, key=lambda a: a[0])
    else:
        return None if needs_holder else _speaker_name(speaker)
    if not nearest[2]:
        return None
    word = " ".join(original[nearest[0] : nearest[1]].split())
    return _speaker_name(speaker) if word.casefold() in _FIRST_PERSON else names(word)


def _speaker_name(speaker: str) -> str:
    """Who "ik"/"wij" is: the speaker named in the document, else the cabinet, spelled as the
    holder phrases are ("het kabinet", whether the layout recorded the speaker as "kabinet")."""
    return "het kabinet" if speaker in ("", "kabinet") else speaker


def _stance_of(predicate: Predicate, negated: bool) -> Stance | None:
    if predicate.negatable and negated:
        return _FLIP[predicate.stance]
    return predicate.stance


_NEEDS: dict[int, tuple[regex.Pattern[str], frozenset[str] | None]] = {}


def _needs(pattern: regex.Pattern[str]) -> frozenset[str] | None:
    """Literals one of which every match of `pattern` holds (`topics.required_literals`;
    None: cannot tell), found once per pattern (kept with it, so its id is not reused)."""
    hit = _NEEDS.get(id(pattern))
    if hit is not None and hit[0] is pattern:
        return hit[1]
    caseless = pattern.flags & (regex.IGNORECASE | regex.VERBOSE)  # the source alone misleads
    found = None if caseless else required_literals(pattern.pattern)
    needs = None if found is None else frozenset(found)
    _NEEDS[id(pattern)] = (pattern, needs)
    return needs


_Needing = tuple[tuple[regex.Pattern[str], frozenset[str] | None], ...]


def _needing(patterns: Iterable[regex.Pattern[str]]) -> _Needing:
    return tuple((p, _needs(p)) for p in patterns)


def _can_match(needs: frozenset[str] | None, present: frozenset[str]) -> bool:
    return needs is None or not needs.isdisjoint(present)


@dataclass(frozen=True)
class _Prefilter:
    """The patterns of a lexicon or of a sub-issue, each with the literals its matches need:
    the literals a sentence holds are found once, by substring tests, and a pattern is
    searched only when one of its own is among them. 93% of a round's sentences state
    nothing and most name no sub-issue: 60 substring tests cost far less than 50 searches."""

    literals: tuple[str, ...]  # every literal any of the patterns needs
    predicates: tuple[tuple[Predicate, frozenset[str] | None], ...] = ()
    not_positions: _Needing = ()
    condition: _Needing = ()
    phrases: _Needing = ()
    exclude: _Needing = ()

    def present(self, text: str) -> frozenset[str]:
        return frozenset([x for x in self.literals if x in text])


_PREFILTERS: dict[int, tuple[object, _Prefilter]] = {}


def _kept(owner: Lexicon | Issue, make: Callable[[], _Prefilter]) -> _Prefilter:
    """Made once per lexicon or sub-issue (kept with it, so its id is not reused)."""
    hit = _PREFILTERS.get(id(owner))
    if hit is not None and hit[0] is owner:
        return hit[1]
    made = make()
    _PREFILTERS[id(owner)] = (owner, made)
    return made


def _literals(*groups: _Needing) -> tuple[str, ...]:
    return tuple(sorted({x for group in groups for _, needs in group for x in needs or ()}))


def _lexicon_filter(lexicon: Lexicon) -> _Prefilter:
    def make() -> _Prefilter:
        predicates = tuple((p, _needs(p.pattern)) for p in lexicon.predicates)
        nots, condition = _needing(lexicon.not_positions), _needing([lexicon.condition])
        heads = tuple((p.pattern, n) for p, n in predicates)
        return _Prefilter(_literals(heads, nots, condition), predicates, nots, condition)

    return _kept(lexicon, make)


def _issue_filter(issue: Issue) -> _Prefilter:
    def make() -> _Prefilter:
        phrases, exclude = _needing(issue.phrases), _needing(issue.exclude)
        return _Prefilter(_literals(phrases, exclude), phrases=phrases, exclude=exclude)

    return _kept(issue, make)


_ISSUE_SETS: dict[tuple[int, ...], tuple[tuple[Issue, ...], _Prefilter]] = {}


def _issues_filter(issues: tuple[Issue, ...]) -> _Prefilter:
    """The literals of every sub-issue of `issues`, to find once per sentence."""
    key = tuple(id(i) for i in issues)
    hit = _ISSUE_SETS.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], issues, strict=True)):
        return hit[1]
    made = _Prefilter(tuple(sorted({x for i in issues for x in _issue_filter(i).literals})))
    _ISSUE_SETS[key] = (issues, made)
    return made


def read_sentence(text: str, lexicon: Lexicon, speaker: str = "") -> list[_Reading]:
    """Every position the cabinet states in a sentence, strongest first (the first of equal
    weight: Dutch main clauses come first). Empty for procedure, questions, suppositions."""
    original, text = text, lower_text(text)  # the rules are compiled for lower-cased text
    pre = _lexicon_filter(lexicon)
    present = pre.present(text)
    predicates = [p for p, n in pre.predicates if n is None or not n.isdisjoint(present)]
    if not predicates:
        return []
    nots = pre.not_positions
    if any(p.search(text, timeout=TIMEOUT) for p, n in nots if _can_match(n, present)):
        return []
    condition = None
    for pattern, needs in pre.condition:
        if _can_match(needs, present):
            condition = pattern.search(text, timeout=TIMEOUT)
    readings: list[_Reading] = []
    actors: list[_Actor] | None = None  # looked for only once a sentence has position words
    for predicate in predicates:
        for match in predicate.pattern.finditer(text, timeout=TIMEOUT):
            stance = _stance_of(predicate, _negated(text, match, lexicon))
            actors = _actors(text, lexicon) if actors is None else actors
            holder = _holder(
                actors, match, speaker, predicate.needs_holder, original, lexicon.holder_name
            )
            if stance is None or holder is None:
                continue
            if stance == "supports" and condition is not None:
                readings.append(
                    _Reading(
                        "supports-conditionally", holder, match, predicate.weight, condition.end()
                    )
                )
            else:
                readings.append(_Reading(stance, holder, match, predicate.weight, None))
    return sorted(readings, key=lambda r: (-r.weight, r.predicate.start()))


def issues_in(text: str, issues: Iterable[Issue]) -> list[tuple[Issue, regex.Match[str]]]:
    """The sub-issues a sentence names, with the first phrase that names each (matched in
    the lower-cased text: slice the original with the match's span)."""
    text = lower_text(text)
    found = []
    issues = tuple(issues)
    present = _issues_filter(issues).present(text)
    for issue in issues:
        pre = _issue_filter(issue)
        if any(x.search(text, timeout=TIMEOUT) for x, n in pre.exclude if _can_match(n, present)):
            continue
        for phrase, needs in pre.phrases:
            if not _can_match(needs, present):
                continue
            match = phrase.search(text, timeout=TIMEOUT)
            if match:
                found.append((issue, match))
                break
    return found


def _nearest(readings: Sequence[_Reading], at: int, text: str, lexicon: Lexicon) -> _Reading | None:
    """The reading an object belongs to: the nearest position words before it (Dutch puts
    them before the object in a main clause), else the nearest after it (a verb-final clause);
    never across a `barrier` (a reason clause, "onwenselijk, omdat vrijwillige detectie ...";
    the object of concerns, "steunpositie ... de zorgen geuit over de vrijwillige inzet")."""
    low = lower_text(text)
    # an object of concerns ("zorgen over de detectie in ...") is no later words' object either
    governed = lexicon.barriers.search(low[_clause_start(low, at) : at], timeout=TIMEOUT)
    before, after = [], []
    for r in readings:
        if r.predicate.start() < at:
            if not lexicon.barriers.search(low[r.predicate.end() : at], timeout=TIMEOUT):
                before.append(r)
        elif not governed:
            after.append(r)
    if before:
        return max(before, key=lambda r: (r.predicate.end(), r.weight))
    return min(after, key=lambda r: r.predicate.start()) if after else None


def _unnegated(text: str, match: regex.Match[str], lexicon: Lexicon) -> bool:
    """An inverse object stated as such, not forbidden: "niets mag ... de versleuteling
    verzwakken" protects the encryption, like opposing its weakening does."""
    start = _clause_start(text, match.start(), _SCOPE_BREAK)
    before = _WORD.findall(text[start : match.start()])
    return not any(lexicon.negation.fullmatch(w, timeout=TIMEOUT) for w in before)


def _issue_stance(
    reading: _Reading, issue: Issue, at: int, text: str, named_in: str, lexicon: Lexicon
) -> Stance | None:
    """The reading's stance for one object: an issue ruled out by the condition ("alleen ...
    indien ... niet ... omvat") is opposed, one it requires ("mits de bescherming van ...
    behouden blijft") supported; an `inverse` object (judged in the sentence that names it)
    reverses the stance."""
    cond = reading.condition_at
    low = lower_text(text)
    if cond is not None and at > cond:  # named in the condition: what it rules out, or requires
        return "opposes" if lexicon.negation.search(low[cond:at], timeout=TIMEOUT) else "supports"
    named = lower_text(named_in)
    if any(
        _unnegated(named, m, lexicon)
        for p in issue.inverse
        for m in p.finditer(named, timeout=TIMEOUT)
    ):
        return _FLIP[reading.stance] if reading.stance != "undecided" else "undecided"
    return reading.stance


def _about_csam(stmt: Statement, rules: TopicRules) -> bool:
    return any(name != rules.non_csam for name in stmt.topic_names)


def _defaults(rules: TopicRules) -> list[Issue]:
    """Where a position with no object goes: the regulation as a whole."""
    out = []
    for topic in rules.topics:
        if topic.default_issue is not None:
            out += [i for i in topic.issues if i.id == topic.default_issue]
    return out


_Object = tuple[Issue, int, str, bool, str]  # issue, offset, phrase, named here, naming text


def _carried(
    readings: Sequence[_Reading],
    previous: Sequence[_Object],
    asked: Sequence[tuple[Issue, str]],
    opening: bool,
    stmt: Statement,
    rules: TopicRules,
) -> list[_Object]:
    """The object of a position that names none: the sub-issues of the sentence before;
    for strong words, those of the question an answer opens on, else the regulation."""
    carried = [(i, -1, "(context)", False, named) for i, _, _, _, named in previous]
    if any(_HYPOTHETICAL.search(c[4], timeout=TIMEOUT) for c in carried):
        return []
    if carried or readings[0].weight < DEFAULT_MIN_WEIGHT:
        return carried
    if opening and asked:
        return [(i, -1, "(question)", False, q) for i, q in asked]
    return [(i, -1, "(regulation)", False, "") for i in _defaults(rules)]


# What the rules find in a sentence, by its text: revisions of a document repeat most of its
# cabinet sentences (3 in 4 of a synthetic corpus's), and a build reads each document's once.
# Pure, so a hit is exact; keyed by the rules' identity (their hash would walk every compiled
# pattern), which each entry keeps alive so that it cannot be reused. Bounded: cleared when full.
_MAX_SENTENCES = 32_768
_READINGS: dict[tuple[int, str, str], tuple[Lexicon, tuple[_Reading, ...]]] = {}
_NAMED: dict[tuple[int, str], tuple[TopicRules, tuple[tuple[Issue, regex.Match[str]], ...]]] = {}


def _readings(text: str, lexicon: Lexicon, speaker: str) -> tuple[_Reading, ...]:
    """`read_sentence`, memoised by sentence."""
    key = (id(lexicon), speaker, text)
    hit = _READINGS.get(key)
    if hit is not None and hit[0] is lexicon:
        return hit[1]
    found = tuple(read_sentence(text, lexicon, speaker))
    if len(_READINGS) >= _MAX_SENTENCES:
        _READINGS.clear()
    _READINGS[key] = (lexicon, found)
    return found


def _named(
    text: str, rules: TopicRules, issues: Sequence[Issue]
) -> tuple[tuple[Issue, regex.Match[str]], ...]:
    """`issues_in(text, issues)`, memoised by sentence: `issues` are every sub-issue of
    `rules`, in their order."""
    key = (id(rules), text)
    hit = _NAMED.get(key)
    if hit is not None and hit[0] is rules:
        return hit[1]
    found = tuple(issues_in(text, issues))
    if len(_NAMED) >= _MAX_SENTENCES:
        _NAMED.clear()
    _NAMED[key] = (rules, found)
    return found


def statement_claims(
    stmt: Statement, rules: TopicRules, asked: Sequence[Statement] = ()
) -> list[Claim]:
    """The claims of one cabinet statement; `asked` are the questions it answers."""
    lexicon = rules.lexicon
    # about the regulation by its own words, or answering a question on a followed topic
    # (a question merely mentioning the regulation does not make its answer about it)
    if lexicon is None or stmt.role != "cabinet":
        return []
    csam = _about_csam(stmt, rules) or any(set(q.topic_names) & set(rules.names) for q in asked)
    if not csam:
        return []
    issues = [i for topic in rules.topics for i in topic.issues]
    asked_issues = [(i, q.text) for q in asked for i, _ in _named(q.text, rules, issues)]
    sentences = statement_sentences(stmt)
    # Objects are looked up only where a position is stated, or just before one (the carry).
    readings = [_readings(s.text, lexicon, stmt.speaker) for s in sentences]
    claims: list[Claim] = []
    previous: list[_Object] = []
    for n, sentence in enumerate(sentences):
        text = sentence.text
        needed = readings[n] or (n + 1 < len(sentences) and readings[n + 1])
        found = _named(text, rules, issues) if needed else ()
        own = [(i, m.start(), text[m.start() : m.end()], True, text) for i, m in found]
        if readings[n]:
            objects = own or _carried(readings[n], previous, asked_issues, n == 0, stmt, rules)
            claims += _claims_of(sentence, readings[n], objects, lexicon)
        previous = own
    return claims


def _claims_of(
    sentence: Sentence,
    readings: Sequence[_Reading],
    objects: Sequence[_Object],
    lexicon: Lexicon,
) -> list[Claim]:
    claims = []
    seen: set[str] = set()
    for issue, at, phrase, is_own, named_in in objects:
        if issue.id in seen:
            continue
        reading = _nearest(readings, at, sentence.text, lexicon) if is_own else readings[0]
        if reading is None:
            continue
        stance = _issue_stance(reading, issue, at, sentence.text, named_in, lexicon)
        if stance is None:
            continue
        seen.add(issue.id)
        claims.append(
            Claim(
                topic=issue.topic,
                issue=issue.id,
                stance=stance,
                holder=reading.holder,
                sentence=sentence,
                weight=reading.weight + (1 if is_own else 0),
                own_object=is_own,
                triggers=(reading.holder, sentence.text[slice(*reading.predicate.span())], phrase),
            )
        )
    return claims


def claims_of(statements: Sequence[Statement], rules: TopicRules) -> list[Claim]:
    """Every claim of the statements, in order; answers see the questions they answer."""
    by_id = {s.id: s for s in statements}
    out: list[Claim] = []
    for stmt in statements:
        asked = [by_id[q] for q in stmt.answers if q in by_id]
        out += statement_claims(stmt, rules, asked)
    return out


# The JSON claims are kept in (`claims/<id>.jsonl` of a store, `positions.round_claims`'s
# cache); bump when Claim changes.
CLAIM_FORMAT = 1


@lru_cache(maxsize=8)
def claims_digest(path: Path) -> str:
    """The rules file and the code that reads claims with them (this module, the rules
    validator, the phrase matcher, the sentence splitter): any changing (an upgrade of
    diffview included) makes claims read before stale."""
    from diffview.corpus import issue_rules, topics
    from diffview.text import sentences

    digest = hashlib.sha256(path.read_bytes() + f"regex {regex.__version__}".encode())
    for module in (sys.modules[__name__], issue_rules, topics, sentences):
        digest.update(module_bytes(module))
    return digest.hexdigest()[:16]


def claims_json(claims: Iterable[Claim]) -> bytes:
    """Claims as a store or a cache keeps them: a format number, then one claim per line."""
    lines = [json.dumps({"format": CLAIM_FORMAT})]
    lines += [json.dumps(claim_to_dict(c), ensure_ascii=False) for c in claims]
    return ("\n".join(lines) + "\n").encode()


def claims_from_json(raw: bytes) -> list[Claim] | None:
    """Claims `claims_json` wrote; None when they are of another format or malformed (the
    reader then reads them from the statements itself)."""
    try:
        head, *rest = raw.decode().splitlines()
        if json.loads(head) != {"format": CLAIM_FORMAT}:
            return None
        return [claim_from_dict(json.loads(line)) for line in rest]
    except (ValueError, KeyError, TypeError):  # UnicodeDecodeError is a ValueError
        return None


def claim_to_dict(claim: Claim) -> dict[str, object]:
    s = claim.sentence
    return {
        "topic": claim.topic,
        "issue": claim.issue,
        "stance": claim.stance,
        "holder": claim.holder,
        "weight": claim.weight,
        "own_object": claim.own_object,
        "triggers": list(claim.triggers),
        "sentence": {
            "text": s.text,
            "doc": s.doc,
            "source": s.source,
            "statement_id": s.statement_id,
            "lines": list(s.lines),
            "index": s.index,
        },
    }


def claim_from_dict(data: dict[str, Any]) -> Claim:
    """A cached claim; anything malformed raises (KeyError, TypeError, ValueError)."""
    s = data["sentence"]
    stance = data["stance"]
    if stance not in STANCES:
        raise ValueError(f"stance {stance!r}")
    first, last = (int(n) for n in s["lines"])
    sentence = Sentence(
        clean_sentence(str(s["text"])), str(s["doc"]), str(s["source"]),
        str(s["statement_id"]), (first, last), int(s["index"]),
    )  # fmt: skip
    return Claim(  # a cache file is as untrusted as the store: its text is sanitised again
        topic=str(data["topic"]),
        issue=str(data["issue"]),
        stance=stance,
        holder=clean_sentence(str(data["holder"])),
        sentence=sentence,
        weight=int(data["weight"]),
        own_object=bool(data["own_object"]),
        triggers=tuple(clean_sentence(str(t)) for t in data["triggers"]),
    )
