"""The topic rules of `topics.toml`, read and validated: phrase patterns with weights, the
context rules, the sub-issues and the position lexicon (`issue_rules.py`).

Every rule is a phrase pattern a reader can check; `labels.py` applies them to text. A bad
rules file is one line naming the file, the entry and its line.
"""

from __future__ import annotations

import importlib
import itertools
import math
import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import regex

from diffview.corpus.issue_rules import Issue, Lexicon, build_issues, build_lexicon
from diffview.corpus.topicnames import BUNDLED_RULES
from diffview.errors import InputError

# Python's own regular-expression parser, for `required_literals` (no type stubs: Any).
_sre: Any = importlib.import_module("re._constants")
_sre_parse: Any = importlib.import_module("re._parser")
TIMEOUT = 2.0  # seconds per regex call on document text
_FLAGS = regex.IGNORECASE | regex.UNICODE | regex.VERSION1 | regex.DOTALL
_SENTENCE_BREAK = r"[^.?!;]"
# Patterns also run case-sensitively on lower-cased text, which is about twice as fast as
# IGNORECASE; not those that name a case (\p{Lu}, an inline flag turning IGNORECASE off).
_FOLDED_FLAGS = _FLAGS & ~regex.IGNORECASE
_NAMES_A_CASE = regex.compile(
    r"\\[pP]\{\s*\^?(?:Lu|Lt|Upper|Title|Uppercase|Titlecase)|\(\?\w*-\w*i"
)


@dataclass(frozen=True)
class Pattern:
    """One weighted phrase rule; `source` is kept for error messages and docs.

    Compiled on first use (a `diffview compare` reads the rules of one topic: compiling all
    of them was a fifth of its process); a rules file a user gives is checked whole when it
    is loaded (`load_rules(check=True)`), the bundled one by the tests."""

    source: str
    weight: int
    where: str = "pattern"

    @cached_property
    def folded(self) -> regex.Pattern[str] | None:
        """The rule for lower-cased text, when it has one (twice as fast as IGNORECASE)."""
        return _folded(self.source)

    @cached_property
    def needs(self) -> frozenset[str] | None:
        """Literals one of which every match of `folded` contains (`required_literals`): a
        lower-cased text holding none of them cannot match, and is not searched at all."""
        if self.folded is None:
            return None
        needs = required_literals(_fold(self.source))
        return frozenset(needs) if needs else None

    @cached_property
    def clauses(self) -> tuple[frozenset[str], ...]:
        """Besides `needs`, up to two more sets of literals one of each of which every match
        of `folded` contains (`required_clauses`): a proximity rule needs a word of both its
        halves, and a text holding only one half's is not searched either. Only sets of at
        most four words of three letters or more: shorter ones are in almost every text."""
        if self.needs is None:
            return ()
        found = required_clauses(_fold(self.source)) or ()
        useful = [
            c
            for c in dict.fromkeys(found)
            if c != self.needs and len(c) <= 4 and min(map(len, c)) >= 3
        ]
        return tuple(sorted(useful, key=lambda c: (-min(map(len, c)), len(c), sorted(c)))[:2])

    @cached_property
    def compiled(self) -> regex.Pattern[str]:
        """The rule on the text as it is (case-insensitive): where `folded` cannot serve."""
        return _compile(self.source, self.where)

    def check(self) -> None:
        """Compile what a search will use, so a bad rule is an error now, naming its entry."""
        if self.folded is None:
            _ = self.compiled


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

    @cached_property
    def literals(self) -> frozenset[str]:
        """Every literal its patterns and exclusions require (as `TopicRules.literals`): a
        sentence asked whether it mentions the topic notes once which it holds."""
        return frozenset(x for p in (*self.patterns, *self.exclude) if p.needs for x in p.needs)

    @cached_property
    def pattern_index(self) -> tuple[tuple[int, ...], dict[str, tuple[int, ...]], frozenset[str]]:
        """Which patterns a text may match, by the literals it holds: (the patterns needing
        no literal, each literal's patterns, every literal of those): a text noting which
        literals it holds searches only those patterns, not each pattern in turn."""
        always = tuple(i for i, p in enumerate(self.patterns) if not p.needs)
        index: dict[str, list[int]] = {}
        for i, p in enumerate(self.patterns):
            for x in sorted(p.needs or ()):
                index.setdefault(x, []).append(i)
        return always, {x: tuple(ids) for x, ids in index.items()}, frozenset(index)


@dataclass(frozen=True)
class TopicRules:
    """All rules of one rules file."""

    path: Path
    topics: tuple[TopicRule, ...]
    csam: tuple[Pattern, ...]
    refer_back: tuple[regex.Pattern[str], ...]
    question_number: regex.Pattern[str]
    question_reference: regex.Pattern[str] | None = None  # an answer opening on its question
    deferral: regex.Pattern[str] | None = None
    refer_back_max_words: int = 40
    other: str = "csam-other"
    non_csam: str = "non-csam"
    # The `[positions]` table; None: no positions. Read into `lexicon` on first use (a
    # compare whose claims are cached needs none of its patterns).
    positions: Any = field(default=None, compare=False, repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.topics)

    @cached_property
    def lexicon(self) -> Lexicon | None:
        """How positions are worded; None: no positions."""
        return build_lexicon(self.positions, compile_folded)

    def check(self) -> None:
        """Compile every rule now (phrases, sub-issues, lexicon), so a bad one is an error
        naming its entry before any work."""
        for pattern in self.patterns():
            pattern.check()
        for topic in self.topics:
            for issue in topic.issues:
                issue.check()
        _ = self.lexicon

    @cached_property
    def literals(self) -> frozenset[str]:
        """Every literal a topic, exclusion or csam pattern requires (`Pattern.needs`): a text
        notes once which it holds, and a pattern needing none of those is not searched."""
        return frozenset(x for p in self.patterns() if p.needs for x in p.needs)

    def patterns(self) -> list[Pattern]:
        return [*self.csam, *(p for t in self.topics for p in (*t.patterns, *t.exclude))]

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
    """Read a rules file (default: the bundled one, cached); a user's file is checked whole
    here, every phrase rule compiled, so a bad one is an error before any work."""
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
        rules = _build_rules(path, data)
        if path.resolve() != BUNDLED_RULES.resolve():  # the bundled ones: by the tests
            rules.check()
        return rules
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


def _compile(source: Any, where: str) -> regex.Pattern[str]:
    if not isinstance(source, str) or not source:
        raise ValueError(f"{where}: a pattern must be a non-empty string")
    try:
        return regex.compile(source, _FLAGS)
    except regex.error as exc:
        raise ValueError(f"{where}: bad pattern {source!r}: {exc}") from None


def compile_folded(source: Any, where: str) -> regex.Pattern[str]:
    """A rule for text lowered with `lower_text`: about twice as fast as IGNORECASE. Only
    the form that is used is compiled (a rule naming a case, or one whose folded form does
    not compile, is the original, case-insensitive)."""
    folded = _folded(source)
    return folded if folded is not None else _compile(source, where)


def _folded(source: Any) -> regex.Pattern[str] | None:
    if not isinstance(source, str) or not source or _NAMES_A_CASE.search(source):
        return None
    try:
        return regex.compile(_fold(source), _FOLDED_FLAGS)
    except regex.error:
        return None


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
    if not isinstance(source, str) or not source:
        raise ValueError(f"{where}: a pattern must be a non-empty string")
    return Pattern(source, weight, where)


# The `regex` syntax that Python's own parser reads differently or not at all: nested and
# operator sets (`[[`, `--`, `&&`, `||`, `~~`), and any `{...}` that is not a `{m,n}` count
# (fuzzy matching `{e<=1}`; `\p{..}`/`\N{..}` are replaced before parsing).
_FOREIGN_SYNTAX = regex.compile(r"\[\[|--|&&|\|\||~~|\{(?!\d*(?:,\d*)?\})")
_PROPERTY = regex.compile(r"\\[pPN]\{[^}]*\}|\\p\w|\\.|\[|\]")


def required_clauses(source: str) -> tuple[frozenset[str], ...] | None:
    """Every set of literals of `source` one of which occurs in any text it matches (the
    clauses that `required_literals` picks the best of), or None when that cannot be told.
    Sound by the same rules; an alternation's clauses are the unions of one clause of each
    branch (at most 16 such unions; beyond, each branch's best)."""
    parsed = _parse_plain(source)
    if parsed is None:
        return None
    return tuple(_clauses(list(parsed))) or None


def _clauses(items: list[Any]) -> list[frozenset[str]]:
    found: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in [*items, (None, None)]:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            found.append(frozenset({"".join(run)}))
            run = []
        if op is _sre.SUBPATTERN and not av[1] and not av[2]:  # (group, add, del, p)
            found += _clauses(list(av[3]))
        elif op is _sre.ATOMIC_GROUP:
            found += _clauses(list(av))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            found += _clauses(list(av[2]))
        elif op is _sre.BRANCH:
            branches = [_clauses(list(b)) for b in av[1]]
            if branches and all(branches):
                if math.prod(map(len, branches)) > 16:
                    branches = [[_best(b)] for b in branches]
                found += [frozenset().union(*combo) for combo in itertools.product(*branches)]
    return found


def _best(clauses: list[frozenset[str]]) -> frozenset[str]:
    return max(clauses, key=lambda c: (min(map(len, c)), -len(c)))


def required_literals(source: str) -> tuple[str, ...] | None:
    """Literals of a case-sensitive `regex` pattern one of which occurs in any text it
    matches, or None when that cannot be told. Sound, not complete: read with Python's
    regular-expression parser (`regex` V1 syntax it reads differently is refused), a run
    of plain characters is required when its sequence is, a group or a repeat of at least
    one when its content is, an alternation when each of its branches has a requirement
    (their union); classes, lookarounds, scoped flags and everything else require nothing.
    """
    parsed = _parse_plain(source)
    if parsed is None:
        return None
    found = _requirement(list(parsed))
    return tuple(sorted(found)) if found else None


def _parse_plain(source: str) -> Any:
    """`source` read by Python's parser, None where it cannot be: \\p{L} and friends are
    classes to us (outside a set a class that is never a literal, inside a set nothing: one
    more member can only widen it, never make it a literal)."""
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
    return parsed


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


@dataclass(frozen=True)
class _NearPattern(Pattern):
    """A proximity rule: a bad one is named by the half that is wrong."""

    a: str = ""
    b: str = ""

    def check(self) -> None:
        try:
            super().check()
        except ValueError:
            _compile(self.a, f"{self.where}.a")
            _compile(self.b, f"{self.where}.b")
            raise


def _near_pattern(entry: dict[str, Any], where: str) -> Pattern:
    """Two phrase classes in one sentence, at most `window` characters apart."""
    a, b = entry["a"], entry["b"]
    if not (isinstance(a, str) and a and isinstance(b, str) and b):
        _compile(a, f"{where}.a")
        _compile(b, f"{where}.b")
    gap = f"{_SENTENCE_BREAK}{{0,{_int(entry.get('window', 200), f'{where}.window')}}}?"
    source = f"(?:{a}){gap}(?:{b})|(?:{b}){gap}(?:{a})"
    return _NearPattern(source, _int(entry.get("weight", 2), where), where, a, b)


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
    return TopicRules(
        path=path,
        topics=topics,
        csam=csam,
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
        positions=data.get("positions"),
    )
