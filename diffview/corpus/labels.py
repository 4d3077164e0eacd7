"""Topic labels for statements: the rules of `topics.py` applied to text.

Labels must be explainable, so every label keeps the phrases that triggered it. Strong
phrases count alone, weak ones need a second hit or a question that is itself about the
topic; this approximates the annotation rule "only a substantive mention counts" without a
model a reader cannot check. Statements that defer ("zie het antwoord op vraag 3") or refer
back inherit the labels of what they point at.
"""

from __future__ import annotations

import dataclasses
import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

import regex

from diffview.corpus.topics import (
    TIMEOUT,
    Context,
    Pattern,
    TopicRule,
    TopicRules,
)
from diffview.model import Statement, TopicLabel

# A word hyphenated at a line end: both readings are matched ("end-to-end-\nencryptie").
_LINE_HYPHEN = regex.compile(r"(\p{Ll})-[ \t]*\n\s*(\p{Ll})")

# ---------------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class _Score:
    score: int
    triggers: tuple[str, ...]


def _clean(text: str) -> str:
    """Collapse whitespace and join line-break hyphens so phrases match across lines.

    A hyphen at a line end is either hyphenation ("detectie-|bevel") or a real one
    ("end-to-|endencryptie"); when there is one, both readings are matched.
    """
    hyphen = "-" in text and "\n" in text  # the pattern needs both
    joined = _LINE_HYPHEN.sub(r"\1\2", text, timeout=TIMEOUT) if hyphen else text
    if joined != text:  # the hyphen-kept reading first, so "end-to-endencryptie" is reported
        joined = _LINE_HYPHEN.sub(r"\1-\2", text, timeout=TIMEOUT) + " \u00b6 " + joined
    return " ".join(joined.split())


@dataclass(frozen=True)
class _Text:
    """A cleaned text and its lower-cased twin (None when lower-casing changes its length)."""

    text: str
    folded: str | None
    # Which of `universe` (literals patterns require) the folded text holds, noted at once.
    universe: frozenset[str] = frozenset()
    present: frozenset[str] = frozenset()

    @classmethod
    def of(cls, text: str, literals: frozenset[str] = frozenset()) -> _Text:
        folded = text.lower()
        if len(folded) != len(text):
            return cls(text, None)
        # filter over the bound `in` test: no Python frame per literal, for every statement
        return cls(text, folded, literals, frozenset(filter(folded.__contains__, literals)))

    def lacks(self, pattern: Pattern) -> bool:
        """True when the folded text holds no literal of a set one of which every match of
        `pattern` holds (`needs`, `clauses`), so that its folded search cannot match."""
        needs = pattern.needs
        if needs is None or self.folded is None or pattern.folded is None:
            return False
        folded = self.folded
        if needs <= self.universe:
            if self.present.isdisjoint(needs):
                return True
        elif not any(map(folded.__contains__, needs)):
            return True
        # the other literals it needs (a proximity rule: a word of its other half)
        return any(not any(map(folded.__contains__, c)) for c in pattern.clauses)

    def search(self, pattern: Pattern) -> tuple[int, int] | None:
        folded = self.folded
        if folded is not None and pattern.folded is not None:
            if self.lacks(pattern):
                return None
            match = pattern.folded.search(folded, timeout=TIMEOUT)
        else:
            match = pattern.compiled.search(self.text, timeout=TIMEOUT)
        return match.span() if match else None

    def phrase(self, span: tuple[int, int]) -> str:
        return " ".join(self.text[span[0] : span[1]].split())

    def blank(self, patterns: Sequence[Pattern]) -> _Text:
        """The text with every match of `patterns` (applied in turn) replaced by spaces."""
        current = self
        for pattern in patterns:
            text, folded = current.text, current.folded
            if folded is not None and pattern.folded is not None:
                if current.lacks(pattern):
                    continue
                found = pattern.folded.finditer(folded, timeout=TIMEOUT)
            else:
                found = pattern.compiled.finditer(text, timeout=TIMEOUT)
            spans = [m.span() for m in found]
            for start, end in spans:
                gap = " " * (end - start)
                text = text[:start] + gap + text[end:]
                folded = folded if folded is None else folded[:start] + gap + folded[end:]
            if spans:  # a blanked text notes no literals: `lacks` tests it directly
                current = _Text(text, folded)
        return current


def _score(text: _Text, rule: TopicRule) -> _Score:
    text = text.blank(rule.exclude)
    score = 0
    triggers: list[str] = []
    always, index, needed = rule.pattern_index
    if text.folded is not None and needed <= text.universe:
        # The patterns whose literals the text holds, in the rule's order: the same ones
        # `lacks` lets through, found from the few literals held, not tested one by one.
        chosen = set(always)
        for literal in text.present:
            chosen.update(index.get(literal, ()))
        patterns = [rule.patterns[i] for i in sorted(chosen)]
    else:
        patterns = [p for p in rule.patterns if not text.lacks(p)]
    for pattern in patterns:
        span = text.search(pattern)
        if span:
            score += pattern.weight
            phrase = text.phrase(span)
            if not any(phrase.lower() in t.lower() for t in triggers):
                triggers.append(phrase)
    return _Score(score, tuple(triggers))


def _csam_triggers(text: _Text, rules: TopicRules) -> tuple[str, ...]:
    found = (text.search(p) for p in rules.csam)
    return tuple(dict.fromkeys(text.phrase(span) for span in found if span))


def _present_in_each(texts: Sequence[str], literals: frozenset[str]) -> list[frozenset[str]]:
    """Which of `literals` each of `texts` holds (`_Text.of`'s note), for many texts at once.

    Searched in the texts joined by a NUL, each literal from where the last text holding it
    ends: a search of a short text for a literal costs its set-up more than its scan, so
    one search per text holding a literal (plus one) replaces one per text and literal.
    Exact for literals without a NUL, which cannot run over from one text into the next."""
    if any("\0" in x for x in literals):
        return [frozenset(filter(t.__contains__, literals)) for t in texts]
    joined = "\0".join(texts)
    starts = [0, *accumulate(len(t) + 1 for t in texts)]
    found: list[list[str]] = [[] for _ in texts]
    last = len(texts) - 1
    for literal in literals:
        i = joined.find(literal)
        while i >= 0:
            k = bisect_right(starts, i) - 1
            found[k].append(literal)
            if k >= last:
                break
            i = joined.find(literal, starts[k + 1])
    return [frozenset(f) for f in found]


class _Analysis:
    """What the rules find in one text, computed once and reused for every context."""

    def __init__(self, text: str, rules: TopicRules, noted: _Text | None = None) -> None:
        # `noted`: the text cleaned, with its literals noted (`_analyses`, many at once)
        self.text = noted if noted is not None else _Text.of(_clean(text), rules.literals)
        self.rules = rules
        self.scores = tuple(_score(self.text, rule) for rule in rules.topics)
        self._csam: tuple[str, ...] | None = None

    @property
    def csam(self) -> tuple[str, ...]:
        if self._csam is None:
            self._csam = _csam_triggers(self.text, self.rules)
        return self._csam

    def labels(self, context: Context | None = None) -> tuple[TopicLabel, ...]:
        context = context or Context()
        rules, labels = self.rules, []
        for rule, result in zip(rules.topics, self.scores, strict=True):
            score = result.score
            if 0 < score < rule.threshold and rule.name in context.topics:
                score += rule.context_bonus
            if score >= rule.threshold:
                labels.append(TopicLabel(rule.name, result.triggers))
        if not labels and context.refers:  # "Hierover is nog niet gesproken": its question's
            labels = [
                TopicLabel(r.name, ("(refers to its question)",))
                for r in rules.topics
                if r.name in context.topics
            ]
        if labels:
            return tuple(labels)
        if self.csam:
            return (TopicLabel(rules.other, self.csam),)
        if context.csam:
            return (TopicLabel(rules.other, ("(context)",)),)
        return (TopicLabel(rules.non_csam, ()),)


# What the rules find in a text, by text: revisions and renderings of a document repeat most
# of its statements. Bounded by the characters held (a text and its lower-cased twin each);
# keyed by the rules object's identity (its hash would walk every compiled pattern), which
# the entry keeps alive so that the identity cannot be reused. Pure, so a hit is exact.
_ANALYSES: OrderedDict[tuple[int, str], tuple[TopicRules, _Analysis]] = OrderedDict()
_ANALYSES_CHARS = 4_000_000
_analyses_held = 0
_analyses_lock = threading.Lock()


def _remember(key: tuple[int, str], rules: TopicRules, found: _Analysis) -> None:
    global _analyses_held
    text = key[1]
    if len(text) <= _ANALYSES_CHARS // 8:
        with _analyses_lock:
            if key not in _ANALYSES:
                _ANALYSES[key] = (rules, found)
                _analyses_held += len(text)
            while _analyses_held > _ANALYSES_CHARS:
                (_, old), _entry = _ANALYSES.popitem(last=False)
                _analyses_held -= len(old)


def _analyses(texts: Sequence[str], rules: TopicRules) -> list[_Analysis]:
    """The analysis of each of `texts` (a document's statements), held ones reused: the rest are
    analysed together, their literals noted in one pass (`_present_in_each`)."""
    held: dict[str, _Analysis] = {}
    with _analyses_lock:
        for text in texts:
            hit = _ANALYSES.get((id(rules), text))
            if hit is not None and hit[0] is rules:
                _ANALYSES.move_to_end((id(rules), text))
                held[text] = hit[1]
    missing = [t for t in dict.fromkeys(texts) if t not in held]
    cleaned = [_clean(t) for t in missing]
    folded = [c.lower() for c in cleaned]
    same = [k for k, (c, f) in enumerate(zip(cleaned, folded, strict=True)) if len(c) == len(f)]
    noted = [_Text(c, None) for c in cleaned]  # lower-casing changed the length: no twin
    present = _present_in_each([folded[k] for k in same], rules.literals)
    for k, held_literals in zip(same, present, strict=True):
        noted[k] = _Text(cleaned[k], folded[k], rules.literals, held_literals)
    for text, note in zip(missing, noted, strict=True):
        found = _Analysis(text, rules, note)
        _remember((id(rules), text), rules, found)
        held[text] = found
    return [held[t] for t in texts]


def label_text(
    text: str, rules: TopicRules, context: Context | None = None
) -> tuple[TopicLabel, ...]:
    """Topics of one text; `context` lets a question's topic settle a weak hit in its answer."""
    return _Analysis(text, rules).labels(context)


def mentions_topic(text: str, rules: TopicRules, topic: str) -> bool:
    """True when any phrase of the topic's rule occurs in `text` (a sentence): the sentences of
    a long statement that carry its topic, not the rest of the turn."""
    rule = rules.topic(topic)
    return _score(_Text.of(_clean(text), rule.literals), rule).score > 0


def is_about_csam(labels: Sequence[TopicLabel], rules: TopicRules) -> bool:
    return any(label.topic != rules.non_csam for label in labels)


# ---------------------------------------------------------------------------------- statements


def _own_csam(labels: Sequence[TopicLabel], rules: TopicRules) -> bool:
    """True when a statement's own text (not its context) is about the regulation."""
    return any(
        label.topic != rules.non_csam and "(context)" not in label.triggers for label in labels
    )


def _context_of(
    stmt: Statement,
    by_id: dict[str, Statement],
    recent: Sequence[Statement],
    own: dict[str, tuple[TopicLabel, ...]],
    csam_doc: bool,
    rules: TopicRules,
    sections: dict[str, bool] | None = None,
) -> Context:
    """What a statement is about besides its own words.

    Topics come from the questions it answers, or for a debate turn from the turn it follows;
    each topic the question is about settles a weak hit on that topic in the answer (a question
    on the detection order by backdoor is about both, and so may its answer be).
    CSAM-ness comes from its section, from the recent turns of a debate (the last two, or the
    whole exchange since the chair last gave the floor), or from a document that
    is mostly about the regulation (a question list on it): never from a question alone, since
    questions often mention the regulation while asking about something else. A short deferral
    ("dat antwoord moet ik u schuldig blijven") takes no subject from its surroundings.
    """
    sections = {} if sections is None else sections
    asked = [by_id[i] for i in stmt.answers if i in by_id]
    if not asked and stmt.role == "cabinet" and recent and recent[-1].role == "parliament":
        asked = [recent[-1]]
    topics = frozenset(label.topic for q in asked for label in own[q.id]) & set(rules.names)
    csam = False
    if stmt.section:  # asked for every statement under a heading: answered once per heading
        if stmt.section not in sections:
            sections[stmt.section] = bool(_csam_triggers(_Text.of(_clean(stmt.section)), rules))
        csam = sections[stmt.section]
    if not _defers(stmt, rules):
        csam = csam or csam_doc
        if not stmt.answers:
            csam = csam or any(_own_csam(own[r.id], rules) for r in recent)
    refers = bool(
        stmt.answers
        and rules.question_reference is not None
        and rules.question_reference.search(stmt.text, timeout=TIMEOUT)
    )
    return Context(topics, csam, refers)


def _csam_documents(
    statements: Sequence[Statement],
    own: dict[str, tuple[TopicLabel, ...]],
    rules: TopicRules,
    share: float = 0.6,
) -> set[str]:
    """Documents whose statements are mostly about the regulation by their own text."""
    totals: dict[str, list[int]] = {}
    for s in statements:
        count = totals.setdefault(s.doc, [0, 0])
        count[0] += _own_csam(own[s.id], rules)
        count[1] += 1
    return {doc for doc, (hits, n) in totals.items() if n and hits / n >= share}


_LEADING_NUMBER = regex.compile(r"\s*(\d{1,3})\b")


def _question_numbers(stmts: Sequence[Statement]) -> dict[tuple[str, int], Statement]:
    """Map (doc, question number) to the question: its leading number, else its position."""
    numbered: dict[tuple[str, int], Statement] = {}
    position: dict[str, int] = {}
    for s in stmts:
        if s.kind != "question":
            continue
        position[s.doc] = position.get(s.doc, 0) + 1
        m = _LEADING_NUMBER.match(s.text, timeout=TIMEOUT)
        numbered[(s.doc, int(m.group(1)) if m else position[s.doc])] = s
    return numbered


def _short(text: str, max_words: int) -> bool:
    """At most `max_words` words (the words past one more are not split off)."""
    return max_words >= 0 and len(text.split(None, max_words)) <= max_words


def _defers(stmt: Statement, rules: TopicRules) -> bool:
    short = _short(stmt.text, rules.refer_back_max_words)
    return (
        short
        and rules.deferral is not None
        and bool(rules.deferral.search(stmt.text, timeout=TIMEOUT))
    )


def _refers_back(stmt: Statement, rules: TopicRules) -> bool:
    short = _short(stmt.text, rules.refer_back_max_words)
    return short and any(p.search(stmt.text, timeout=TIMEOUT) for p in rules.refer_back)


def _inherit(
    stmt: Statement,
    labels: tuple[TopicLabel, ...],
    stmts: Sequence[Statement],
    questions: dict[tuple[str, int], Statement],
    rules: TopicRules,
) -> tuple[TopicLabel, ...]:
    """An answer that only refers back takes the topics of the answer it points at."""
    found = rules.question_number.search(stmt.text, timeout=TIMEOUT)
    if found is None:
        return labels
    question = questions.get((stmt.doc, int(found.group(1))))
    if question is None:
        return labels
    target = next((s for s in stmts if question.id in s.answers and s.id != stmt.id), None)
    if target is None:
        return labels
    inherited = [
        TopicLabel(label.topic, (f"refers to answer {found.group(1)}", *label.triggers))
        for label in target.topics
    ]
    return tuple(inherited) or labels


def label_statements(statements: Sequence[Statement], rules: TopicRules) -> list[Statement]:
    """New statements with `topics` set, using questions, sections and debate flow as context."""
    by_id = {s.id: s for s in statements}
    analysed = _analyses([s.text for s in statements], rules)
    found = {s.id: a for s, a in zip(statements, analysed, strict=True)}
    own = {i: analysis.labels() for i, analysis in found.items()}
    csam_docs = _csam_documents(statements, own, rules)
    labelled: list[Statement] = []
    sections: dict[str, bool] = {}  # section heading → does it name the regulation
    # The flow of a document: its last two turns, and in a debate the whole exchange since the
    # chair last gave the floor (an interruption, its answer, a follow-up question and its answer
    # stay on the subject the interruption opened).
    doc: str | None = None
    turns: list[Statement] = []
    exchange: int | None = None  # turns since the chair spoke (None: no chair yet)
    for stmt in statements:
        if stmt.doc != doc:
            doc, turns, exchange = stmt.doc, [], None
        window = max(2, exchange or 0)
        recent = turns[-window:]
        context = _context_of(stmt, by_id, recent, own, stmt.doc in csam_docs, rules, sections)
        labelled.append(dataclasses.replace(stmt, topics=found[stmt.id].labels(context)))
        if stmt.role == "chair":
            exchange = 0
        else:
            turns.append(stmt)
            exchange = None if exchange is None else exchange + 1
    questions = _question_numbers(labelled)
    result = []
    for stmt in labelled:
        if stmt.role == "cabinet" and _refers_back(stmt, rules):
            stmt = dataclasses.replace(
                stmt, topics=_inherit(stmt, stmt.topics, labelled, questions, rules)
            )
        result.append(stmt)
    return result
