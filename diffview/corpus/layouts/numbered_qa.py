"""`numbered-qa`: a list of questions `N Question text?`, each followed by its answer with
no marker (a Kamerstuk "lijst van vragen en antwoorden")."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import regex

from diffview.corpus.layouts import Detection, Layout
from diffview.corpus.layouts._common import Builder, answerer
from diffview.model import Document, Statement
from diffview.text.normalize import TIMEOUT, normalize_inline
from diffview.text.scan import scan_source

_NUMBERED = regex.compile(r"^\s*(\d{1,3})(?:\s+(\S.*?))?\s*$")
_QUESTION_END = regex.compile(r"\?['\")]*$")
_CONTINUED_QUESTION = regex.compile(r"^(?:Zo (?:ja|nee|niet)|En |Of )")
_COMMITTEE = regex.compile(r"De (vaste commissie voor [\p{L} ]+?) heeft")


def numbered_starts(lines: Sequence[str]) -> list[int]:
    """0-based indexes of question lines numbered 1, 2, 3, ... in order."""
    starts: list[int] = []
    expected = 1
    for i, line in enumerate(lines):
        # A line starting with a space is never a start; any other must start with a digit.
        if not line[:1].isdigit():
            continue
        m = _NUMBERED.match(line, timeout=TIMEOUT)
        if not m or int(m.group(1)) != expected or line[:1].isspace():
            continue
        head = m.group(2) or next((s.strip() for s in lines[i + 1 : i + 4] if s.strip()), "")
        if head[:1].isupper() and question_end(lines, i) is not None:
            starts.append(i)
            expected += 1
    return starts


@lru_cache(maxsize=2)  # `detect` and `split` look for the questions of the same text
def _starts_of(text: str) -> tuple[int, ...]:
    return tuple(numbered_starts(text.split("\n")))


def question_end(lines: Sequence[str], start: int, limit: int = 14) -> int | None:
    """Index of the line ending the question that starts at `start`.

    The question ends at the first line ending in `?`, unless the next lines continue it
    (`Zo ja, ...?`, as in question 9 of the 2024 list): then at that continuation's `?`.
    """
    # Lines are read one by one up to the question's end (most end within a few lines), not
    # all `limit` of them first; the two after it only to see whether they continue it.
    end = min(start + limit, len(lines))
    for i in range(start, end):
        s = lines[i].strip()
        # the pattern needs a `?`: a line without one is not searched
        if not ("?" in s and _QUESTION_END.search(s, timeout=TIMEOUT)):
            continue
        rest: list[tuple[int, str]] = []
        for j in range(i + 1, end):
            t = lines[j].strip()
            if t:
                rest.append((j, t))
                if len(rest) == 2:
                    break
        if rest and _CONTINUED_QUESTION.match(rest[0][1], timeout=TIMEOUT):
            for j, t in rest:
                if "?" in t and _QUESTION_END.search(t, timeout=TIMEOUT):
                    return j
        return i
    return None


def detect(text: str) -> Detection:
    n = len(_starts_of(text))
    if n >= 3:
        return Detection(1.0, (f"{n} numbered questions",))
    if n:
        return Detection(
            0.3,
            (f"{n} numbered questions",),
            f"only {n} numbered question(s) `N ...?` were found (at least 3 make a list)",
        )
    return Detection(0.0)


def split(doc: Document, raw_lines: Sequence[str]) -> list[Statement]:
    lines = list(raw_lines)
    text = "\n".join(lines)
    starts = _starts_of(text)
    scan = scan_source(text, protect=frozenset(i + 1 for i in starts))
    build = Builder(doc, scan)
    head = " ".join(s.strip() for s in lines[: starts[0]]) if starts else ""
    committee = _COMMITTEE.search(head, timeout=TIMEOUT)
    asker = committee.group(1) if committee else "commissie"
    office = answerer(normalize_inline(head))
    bounds = [*starts, len(lines)]
    for k, start in enumerate(starts):
        end = question_end(lines, start)
        assert end is not None  # numbered_starts only keeps questions with an end
        q_lines = scan.text_lines(start + 1, end + 1)
        n, first = q_lines[0]
        q_lines[0] = (n, _NUMBERED.sub(lambda m: m.group(2) or "", first, count=1))
        q = build.add("question", q_lines, asker, None, "parliament")
        a_lines = scan.text_lines(end + 2, bounds[k + 1])
        if a_lines:
            answered = (q.id,) if q is not None else ()
            build.add("answer", a_lines, office or "kabinet", office, "cabinet", "", answered)
    return build.finish()


LAYOUT = Layout("numbered-qa", "a list of questions and answers", detect, split, top=1.0)
