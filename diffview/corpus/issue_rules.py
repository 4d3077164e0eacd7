"""Sub-issues and the position lexicon, read from the `[positions]` and `issues` tables of the
topic rules file.

They live beside the topic rules because a user who adds a topic adds its sub-issues and
wording in the same file. Everything is a phrase pattern a reader can check: a position is
only ever explained by the words that triggered it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import regex

from diffview.model import STANCES, Stance
from diffview.text.normalize import TIMEOUT

Compile = Callable[[Any, str], regex.Pattern[str]]


@dataclass(frozen=True)
class Issue:
    """One sub-issue of a topic: the phrases that name it, and those that name its opposite.

    `inverse` phrases ("encryptie onmogelijk maken") name what the issue protects against:
    opposing them is supporting the issue, so a stance on such an object flips. The phrases
    are compiled on first use: a compare whose claims are cached reads none of them (a
    user's rules file is compiled whole at load, `TopicRules.check`).
    """

    id: str
    topic: str
    label: str
    where: str
    compile_: Compile = field(compare=False, repr=False)
    phrase_sources: tuple[str, ...] = ()
    inverse_sources: tuple[str, ...] = ()
    exclude_sources: tuple[str, ...] = ()

    def _compiled(self, key: str, sources: tuple[str, ...]) -> tuple[regex.Pattern[str], ...]:
        return tuple(self.compile_(p, f"{self.where}.{key}[{i}]") for i, p in enumerate(sources))

    @cached_property
    def phrases(self) -> tuple[regex.Pattern[str], ...]:
        return self._compiled("phrases", self.phrase_sources)

    @cached_property
    def inverse(self) -> tuple[regex.Pattern[str], ...]:
        return self._compiled("inverse", self.inverse_sources)

    @cached_property
    def exclude(self) -> tuple[regex.Pattern[str], ...]:
        return self._compiled("exclude", self.exclude_sources)

    def check(self) -> None:
        """Compile every phrase now, so a bad one is an error naming its entry."""
        _ = (self.phrases, self.inverse, self.exclude)


@dataclass(frozen=True)
class Predicate:
    """Words that state a position, with the stance they state when not negated."""

    pattern: regex.Pattern[str]
    stance: Stance
    weight: int = 1
    negatable: bool = True  # False when the phrase already holds its own negation
    needs_holder: bool = True  # False for words only the speaker uses of itself


@dataclass(frozen=True)
class Lexicon:
    """How a sentence states a position: who holds it, with which words, under which condition."""

    holders: regex.Pattern[str]  # the cabinet: het kabinet, Nederland, ik, wij
    others: regex.Pattern[str]  # actors whose positions are not the cabinet's
    predicates: tuple[Predicate, ...]
    negation: regex.Pattern[str]
    negation_window: int  # words between a negation and the predicate it scopes over
    barriers: regex.Pattern[str]  # words a predicate does not reach its object across
    condition: regex.Pattern[str]
    not_positions: tuple[regex.Pattern[str], ...]  # procedure, questions, legal remedies
    holder_names: tuple[tuple[regex.Pattern[str], str], ...] = ()  # phrase -> who it names

    def holder_name(self, phrase: str) -> str:
        """Who a holder phrase names ("Nederlandse inzet" is Nederland's), for the evidence."""
        for pattern, name in self.holder_names:
            if pattern.fullmatch(phrase.casefold(), timeout=TIMEOUT):
                return name
        return phrase


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"{where} must be a list")
    return value


def _alternatives(value: Any, where: str, compile_: Compile) -> regex.Pattern[str]:
    """One pattern from a list of phrases (a holder list reads better than one long regex)."""
    items = _list(value, where)
    if not items:
        raise ValueError(f"{where} must not be empty")
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item:
            compile_(item, f"{where}[{i}]")  # says what is wrong with it
    try:
        return compile_("|".join(f"(?:{item})" for item in items), where)
    except ValueError:  # name the phrase that is wrong
        for i, item in enumerate(items):
            compile_(item, f"{where}[{i}]")
        raise


def build_issues(topic: str, entries: Any, compile_: Compile) -> tuple[Issue, ...]:
    """The `[[topics.<topic>.issues]]` entries: ids unique, phrases non-empty."""
    issues: list[Issue] = []
    for n, entry in enumerate(_list(entries, f"topics.{topic}.issues")):
        if not isinstance(entry, dict):
            raise ValueError(f"topics.{topic}.issues[{n}] must be a table")
        issue_id = entry.get("id")
        where = f"topics.{topic}.issues[{n}]"
        if not isinstance(issue_id, str) or not regex.fullmatch(r"[a-z0-9][a-z0-9-]*", issue_id):
            raise ValueError(f"{where}: id must be lower-case letters, digits and '-'")
        where = f"topics.{topic}.issues {issue_id!r}"
        if any(i.id == issue_id for i in issues):
            raise ValueError(f"{where}: duplicated id")
        phrases = _list(entry.get("phrases", []), f"{where}.phrases")
        if not phrases:
            raise ValueError(f"{where}: phrases must not be empty")

        def each(key: str, _where: str = where, _entry: dict[str, Any] = entry) -> tuple[str, ...]:
            items = _list(_entry.get(key, []), f"{_where}.{key}")
            for i, p in enumerate(items):
                if not isinstance(p, str) or not p:
                    compile_(p, f"{_where}.{key}[{i}]")  # says what is wrong with it
            return tuple(items)

        issues.append(
            Issue(
                id=issue_id,
                topic=topic,
                label=str(entry.get("label", issue_id)),
                where=where,
                compile_=compile_,
                phrase_sources=each("phrases"),
                inverse_sources=each("inverse"),
                exclude_sources=each("exclude"),
            )
        )
    return tuple(issues)


def _predicate(entry: Any, where: str, compile_: Compile) -> Predicate:
    if not isinstance(entry, dict):
        raise ValueError(f"{where} must be a table")
    stance = entry.get("stance")
    if stance not in STANCES:
        raise ValueError(f"{where}: stance {stance!r} is not one of {', '.join(STANCES)}")
    weight = entry.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
        raise ValueError(f"{where}: weight must be a positive integer")
    return Predicate(
        pattern=compile_(entry.get("regex"), f"{where}.regex"),
        stance=stance,
        weight=weight,
        negatable=bool(entry.get("negatable", True)),
        needs_holder=bool(entry.get("needs_holder", True)),
    )


def _holder_names(value: Any, compile_: Compile) -> tuple[tuple[regex.Pattern[str], str], ...]:
    names = []
    for i, entry in enumerate(_list(value, "positions.holder_names")):
        where = f"positions.holder_names[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ValueError(f"{where} must be a table with a regex and a name")
        names.append((compile_(entry.get("regex"), f"{where}.regex"), entry["name"]))
    return tuple(names)


def build_lexicon(data: Any, compile_: Compile) -> Lexicon | None:
    """The `[positions]` table, or None when the rules file has none (no positions then)."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ValueError("positions must be a table")
    predicates = tuple(
        _predicate(p, f"positions.predicates[{i}]", compile_)
        for i, p in enumerate(_list(data.get("predicates", []), "positions.predicates"))
    )
    if not predicates:
        raise ValueError("positions.predicates must not be empty")
    window = data.get("negation_window", 6)
    if isinstance(window, bool) or not isinstance(window, int) or window < 0:
        raise ValueError("positions.negation_window must be a non-negative integer")
    return Lexicon(
        holders=_alternatives(data.get("holders"), "positions.holders", compile_),
        holder_names=_holder_names(data.get("holder_names", []), compile_),
        others=_alternatives(data.get("others"), "positions.others", compile_),
        predicates=predicates,
        negation=compile_(data.get("negation"), "positions.negation"),
        negation_window=window,
        barriers=_alternatives(data.get("barriers"), "positions.barriers", compile_),
        condition=compile_(data.get("condition"), "positions.condition"),
        not_positions=tuple(
            compile_(p, f"positions.not_positions[{i}]")
            for i, p in enumerate(_list(data.get("not_positions", []), "positions.not_positions"))
        ),
    )
