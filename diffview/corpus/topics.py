"""Topic labels for statements, from readable rules in `topics.toml`.

Labels must be explainable, so every rule is a phrase pattern with a weight and every label
keeps the phrases that triggered it. Strong phrases count alone, weak ones need a second hit
or a question that is itself about the topic; this approximates the annotation rule "only a
substantive mention counts" without a model a reader cannot check.
"""

from __future__ import annotations

import dataclasses
import importlib
import threading
import tomllib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex

from diffview.corpus.issue_rules import Issue, Lexicon, build_issues, build_lexicon
from diffview.errors import InputError
from diffview.model import Statement, TopicLabel

BUNDLED_RULES = Path(__file__).with_name("topics.toml")
# Python's own regular-expression parser, for `required_literals` (no type stubs: Any).
_sre: Any = importlib.import_module("re._constants")
_sre_parse: Any = importlib.import_module("re._parser")
TIMEOUT = 2.0  # seconds per regex call on document text
_FLAGS = regex.IGNORECASE | regex.UNICODE | regex.VERSION1 | regex.DOTALL
_SENTENCE_BREAK = r"[^.?!;]"
_LINE_HYPHEN = regex.compile(r"(\p{Ll})-[ \t]*\n\s*(\p{Ll})")
# Patterns also run case-sensitively on lower-cased text, which is about twice as fast as
# IGNORECASE; not those that name a case (\p{Lu}, an inline flag turning IGNORECASE off).
_FOLDED_FLAGS = _FLAGS & ~regex.IGNORECASE
_NAMES_A_CASE = regex.compile(
    r"\\[pP]\{\s*\^?(?:Lu|Lt|Upper|Title|Uppercase|Titlecase)|\(\?\w*-\w*i"
)


@dataclass(frozen=True)
class Pattern:
    """One weighted phrase rule; `source` is kept for error messages and docs."""

    source: str
    compiled: regex.Pattern
    weight: int
    folded: regex.Pattern | None = None  # the same rule for lower-cased text, when it has one
    # Literals one of which every match of `folded` contains (see `required_literals`): a
    # lower-cased text holding none of them cannot match, and is not searched at all.
    needs: frozenset[str] | None = None


@dataclass(frozen=True)
class TopicRule:
    name: str
    description: str
    patterns: tuple[Pattern, ...]
    threshold: int = 2
    context_bonus: int = 1
    exclude: tuple[Pattern, ...] = ()
    issues: tuple[Issue, ...] = ()  # sub-issues the cabinet takes positions on
    default_issue: str | None = None  # where a position on the regulation as a whole goes


@dataclass(frozen=True)
class TopicRules:
    """All rules of one rules file."""

    path: Path
    topics: tuple[TopicRule, ...]
    csam: tuple[Pattern, ...]
    refer_back: tuple[regex.Pattern, ...]
    question_number: regex.Pattern
    question_reference: regex.Pattern | None = None  # an answer opening on its question
    deferral: regex.Pattern | None = None
    refer_back_max_words: int = 40
    other: str = "csam-other"
    non_csam: str = "non-csam"
    lexicon: Lexicon | None = None  # how positions are worded; None: no positions
    # Every literal a topic, exclusion or csam pattern requires (`Pattern.needs`): a text
    # notes once which it holds, and a pattern needing none of those is not searched.
    literals: frozenset[str] = frozenset()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.topics)

    def topic(self, name: str) -> TopicRule:
        for rule in self.topics:
            if rule.name == name:
                return rule
        raise KeyError(name)


@dataclass(frozen=True)
class Context:
    """What surrounds a statement: topics of the question it answers, CSAM-ness of its setting."""

    topics: frozenset[str] = frozenset()
    csam: bool = False
    refers: bool = False  # the statement opens by referring to its question ("Hierover ...")


# ---------------------------------------------------------------------------------- loading


def load_rules(path: Path | None = None) -> TopicRules:
    """Read and compile a rules file (default: the bundled one, cached)."""
    return _load_cached(Path(path) if path is not None else BUNDLED_RULES)


@lru_cache(maxsize=8)
def _load_cached(path: Path) -> TopicRules:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(path, f"cannot read topic rules: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        message, line = _toml_error(exc)
        raise InputError(path, f"malformed topic rules: {message}", line) from None
    except UnicodeDecodeError:
        raise InputError(path, "topic rules are not UTF-8") from None
    try:
        return _build_rules(path, data)
    except (KeyError, TypeError, ValueError, regex.error) as exc:
        message = _describe(exc)
        line = _line_of(path.read_text(encoding="utf-8"), message)
        raise InputError(path, f"invalid topic rules: {message}", line) from None


def _line_of(text: str, message: str) -> int | None:
    """The line of the entry a message names (`... 'known-material' ...` → its `id =` line)."""
    named = regex.search(r"'([^']+)'", message)
    if named is None:
        return None
    needle = regex.compile(rf"""^\s*id\s*=\s*["']{regex.escape(named.group(1))}["']""", regex.M)
    found = needle.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _toml_error(exc: tomllib.TOMLDecodeError) -> tuple[str, int | None]:
    """Message and line of a TOML error (Python 3.11 has them only in the text)."""
    text = str(exc)
    found = regex.search(r"\s*\(at line (\d+), column \d+\)$", text)
    if found is None:
        return text, getattr(exc, "lineno", None)
    return text[: found.start()], int(found.group(1))


def _describe(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing key {exc.args[0]!r}"
    return str(exc)


def _compile(source: Any, where: str) -> regex.Pattern:
    if not isinstance(source, str) or not source:
        raise ValueError(f"{where}: a pattern must be a non-empty string")
    try:
        return regex.compile(source, _FLAGS)
    except regex.error as exc:
        raise ValueError(f"{where}: bad pattern {source!r}: {exc}") from None


def compile_folded(source: Any, where: str) -> regex.Pattern:
    """A rule for text lowered with `lower_text`: about twice as fast as IGNORECASE."""
    checked = _compile(source, where)
    if _NAMES_A_CASE.search(source):
        return checked
    try:
        return regex.compile(_fold(source), _FOLDED_FLAGS)
    except regex.error:
        return checked


def lower_text(text: str) -> str:
    """`text` lower-cased with every offset kept (a letter whose lower case is longer, like
    'İ', stays as it is), so spans found in it slice the original."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _fold(source: str) -> str:
    """`source` for lower-cased text: letters lower-cased, escapes (\\W, \\p{L}, \\N{..}) kept."""
    out, i = [], 0
    while i < len(source):
        if source[i] == "\\" and i + 1 < len(source):
            end = i + 2
            if source[i + 1] in "pPN" and source[end : end + 1] == "{":
                end = source.find("}", end) + 1 or len(source)
            out.append(source[i:end])
            i = end
        else:
            out.append(source[i].lower())
            i += 1
    return "".join(out)


def _pattern(source: Any, where: str, weight: int = 1) -> Pattern:
    compiled = _compile(source, where)
    folded = None
    if not _NAMES_A_CASE.search(source):
        try:
            folded = regex.compile(_fold(source), _FOLDED_FLAGS)
        except regex.error:  # then the slower case-insensitive search does
            folded = None
    needs = required_literals(_fold(source)) if folded is not None else None
    return Pattern(source, compiled, weight, folded, frozenset(needs) if needs else None)


# The `regex` syntax that Python's own parser reads differently or not at all: nested and
# operator sets (`[[`, `--`, `&&`, `||`, `~~`), and any `{...}` that is not a `{m,n}` count
# (fuzzy matching `{e<=1}`; `\p{..}`/`\N{..}` are replaced before parsing).
_FOREIGN_SYNTAX = regex.compile(r"\[\[|--|&&|\|\||~~|\{(?!\d*(?:,\d*)?\})")
_PROPERTY = regex.compile(r"\\[pPN]\{[^}]*\}|\\p\w|\\.|\[|\]")


def required_literals(source: str) -> tuple[str, ...] | None:
    """Literals of a case-sensitive `regex` pattern one of which occurs in any text it
    matches, or None when that cannot be told. Sound, not complete: read with Python's
    regular-expression parser (`regex` V1 syntax it reads differently is refused), a run
    of plain characters is required when its sequence is, a group or a repeat of at least
    one when its content is, an alternation when each of its branches has a requirement
    (their union); classes, lookarounds, scoped flags and everything else require nothing.
    """
    # \p{L} and friends are classes to us: outside a set a class that is never a literal,
    # inside a set nothing (one more member can only widen it, never make it a literal).
    out, depth, pos = [], 0, 0
    for m in _PROPERTY.finditer(source):
        out.append(source[pos : m.start()])
        token = m.group()
        if token == "[":
            depth += 1
        elif token == "]" and depth:
            depth -= 1
        elif token[:2] in ("\\p", "\\P", "\\N") and (len(token) == 3 or token[2] == "{"):
            token = "\\w\\W" if depth else "[\\w\\W]"
        out.append(token)
        pos = m.end()
    out.append(source[pos:])
    plain = "".join(out)
    if _FOREIGN_SYNTAX.search(plain):
        return None
    try:
        parsed = _sre_parse.parse(plain, 0)
    except (_sre.error, RecursionError, OverflowError, ValueError):
        return None
    if parsed.state.flags & (_sre.SRE_FLAG_IGNORECASE | _sre.SRE_FLAG_VERBOSE):
        return None
    found = _requirement(list(parsed))
    return tuple(sorted(found)) if found else None


def _requirement(items: list[Any]) -> frozenset[str] | None:
    candidates: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in [*items, (None, None)]:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            candidates.append(frozenset({"".join(run)}))
            run = []
        need = None
        if op is _sre.SUBPATTERN and not av[1] and not av[2]:  # (group, add, del, p)
            need = _requirement(list(av[3]))
        elif op is _sre.ATOMIC_GROUP:
            need = _requirement(list(av))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            need = _requirement(list(av[2]))
        elif op is _sre.BRANCH:
            branches = [_requirement(list(b)) for b in av[1]]
            if branches and all(b for b in branches):
                need = frozenset().union(*(b for b in branches if b))
        if need:
            candidates.append(need)
    if not candidates:
        return None
    return max(candidates, key=lambda c: (min(map(len, c)), -len(c)))


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{where} must be an integer")
    return value


def _near_pattern(entry: dict[str, Any], where: str) -> Pattern:
    """Two phrase classes in one sentence, at most `window` characters apart."""
    a, b = entry["a"], entry["b"]
    _compile(a, f"{where}.a")
    _compile(b, f"{where}.b")
    gap = f"{_SENTENCE_BREAK}{{0,{_int(entry.get('window', 200), f'{where}.window')}}}?"
    source = f"(?:{a}){gap}(?:{b})|(?:{b}){gap}(?:{a})"
    return _pattern(source, where, _int(entry.get("weight", 2), where))


def _topic(name: str, body: dict[str, Any]) -> TopicRule:
    where = f"topics.{name}"
    patterns = [
        _pattern(p["regex"], f"{where}.patterns", _int(p.get("weight", 1), f"{where}.weight"))
        for p in body.get("patterns", [])
    ]
    patterns += [_near_pattern(n, f"{where}.near") for n in body.get("near", [])]
    if not patterns:
        raise ValueError(f"{where}: no patterns")
    issues = build_issues(name, body.get("issues", []), compile_folded)
    default_issue = body.get("default_issue")
    if default_issue is not None and default_issue not in {i.id for i in issues}:
        raise ValueError(f"{where}.default_issue {default_issue!r} is not one of its issues")
    return TopicRule(
        name=name,
        description=str(body.get("description", "")).strip(),
        patterns=tuple(patterns),
        threshold=_int(body.get("threshold", 2), f"{where}.threshold"),
        context_bonus=_int(body.get("context_bonus", 1), f"{where}.context_bonus"),
        exclude=tuple(_pattern(x, f"{where}.exclude", 0) for x in body.get("exclude", [])),
        issues=issues,
        default_issue=default_issue,
    )


def _build_rules(path: Path, data: dict[str, Any]) -> TopicRules:
    settings = data.get("settings", {})
    topics_table = data["topics"]
    order = settings.get("topics", list(topics_table))
    unknown = [n for n in order if n not in topics_table]
    if unknown:
        raise ValueError(f"settings.topics names unknown topics {unknown}")
    refer = data.get("refer_back", {})
    topics = tuple(_topic(n, topics_table[n]) for n in order)
    csam = tuple(_pattern(p, "csam") for p in data["csam"]["patterns"])
    every = [*csam, *(p for t in topics for p in (*t.patterns, *t.exclude))]
    return TopicRules(
        path=path,
        topics=topics,
        csam=csam,
        literals=frozenset(x for p in every if p.needs for x in p.needs),
        refer_back=tuple(_compile(p, "refer_back") for p in refer.get("patterns", [])),
        question_number=_compile(refer.get("question_number", r"\bvraag (\d+)\b"), "refer_back"),
        question_reference=(
            _compile(refer["question_reference"], "refer_back.question_reference")
            if "question_reference" in refer
            else None
        ),
        deferral=_compile(refer["deferral"], "refer_back") if "deferral" in refer else None,
        refer_back_max_words=_int(settings.get("refer_back_max_words", 40), "refer_back_max_words"),
        other=str(settings.get("other", "csam-other")),
        non_csam=str(settings.get("non_csam", "non-csam")),
        lexicon=build_lexicon(data.get("positions"), compile_folded),
    )


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
        return cls(text, folded, literals, frozenset(x for x in literals if x in folded))

    def lacks(self, pattern: Pattern) -> bool:
        """True when the folded text holds no literal that every match of `pattern` holds,
        so that its folded search cannot match."""
        needs = pattern.needs
        if needs is None or self.folded is None or pattern.folded is None:
            return False
        if needs <= self.universe:
            return self.present.isdisjoint(needs)
        folded = self.folded
        return not any(x in folded for x in needs)

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
    for pattern in rule.patterns:
        if text.lacks(pattern):  # `_Text.search`'s own test, without the call
            continue
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


class _Analysis:
    """What the rules find in one text, computed once and reused for every context."""

    def __init__(self, text: str, rules: TopicRules) -> None:
        self.text = _Text.of(_clean(text), rules.literals)
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


def _analysis(text: str, rules: TopicRules) -> _Analysis:
    global _analyses_held
    key = (id(rules), text)
    with _analyses_lock:
        hit = _ANALYSES.get(key)
        if hit is not None and hit[0] is rules:
            _ANALYSES.move_to_end(key)
            return hit[1]
    found = _Analysis(text, rules)
    if len(text) <= _ANALYSES_CHARS // 8:
        with _analyses_lock:
            if key not in _ANALYSES:
                _ANALYSES[key] = (rules, found)
                _analyses_held += len(text)
            while _analyses_held > _ANALYSES_CHARS:
                (_, old), _entry = _ANALYSES.popitem(last=False)
                _analyses_held -= len(old)
    return found


def label_text(
    text: str, rules: TopicRules, context: Context | None = None
) -> tuple[TopicLabel, ...]:
    """Topics of one text; `context` lets a question's topic settle a weak hit in its answer."""
    return _Analysis(text, rules).labels(context)


def mentions_topic(text: str, rules: TopicRules, topic: str) -> bool:
    """True when any phrase of the topic's rule occurs in `text` (a sentence): the sentences of
    a long statement that carry its topic, not the rest of the turn."""
    rule = rules.topic(topic)
    return _score(_Text.of(_clean(text)), rule).score > 0


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
    found = {s.id: _analysis(s.text, rules) for s in statements}
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
