"""`kamervragen`: a minister's answers to one or more members' written questions.

    Vragen van het lid Kathmann (GroenLinks-PvdA) aan de Minister van ... (ingezonden ...).
    Antwoord van Minister Van Oosten (Justitie en Veiligheid), mede namens ... (ontvangen ...).
    Vraag 1            (also `Vraag 1:`, `Vraag 4 en 5`, `Vraag 2, 3 en 4`, `Vraag 6 t/m 8`)
    Bent u bekend met ...?1
    Antwoord 1         (also `Antwoord op vraag 1:`, `Antwoord 4 en 5`)
    Ja.

The Handelingen rendering and the ministry letter (with its letter head and signature)
have the same body. Questions are the member's (role `parliament`), answers the minister's
(role `cabinet`), each answer linked to the questions whose numbers it carries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import regex

from diffview.corpus.layouts import Detection, Layout
from diffview.corpus.layouts._common import Builder, Lines, person, scan_document, signatories
from diffview.model import Document, Statement
from diffview.text.normalize import TIMEOUT, normalize_inline

_NUMS = r"\d{1,3}(?:\s*(?:,|en|t/m|tot en met|-|–)\s*\d{1,3})*"
MARKER = regex.compile(
    rf"^\s*(?P<what>Vra(?:ag|gen)|Antwoord(?:en)?(?:\s+op\s+(?:de\s+)?vra(?:ag|gen))?)"
    rf"\s+(?P<nums>{_NUMS})\s*(?:[:.]\s*|\s*$)(?P<rest>.*)$",
    regex.IGNORECASE,
)
_BARE_ANSWER = regex.compile(r"^\s*Antwoord\s*(?:[:.]\s*(?P<rest>.*))?$")
_HEADER = regex.compile(
    r"[Vv]ragen van (?:het lid|de leden)\s+(?P<who>.+?)\s+(?:aan (?:de|het)\s|over\s|\(ingezonden)",
    regex.DOTALL,
)
_ADDRESSED = regex.compile(
    r"\baan (?:de|het)\s+(?P<office>[Mm]inister|[Ss]taatssecretaris)\s+(?P<prep>van|voor)\s+"
    r"(?P<dept>[\p{L}][\p{L} ,]*?)"
    r"(?=\s+(?:over|inzake|en (?:de|het|aan))\b|\s*[(.]|,\s+(?:de|het)\b)"
)
_MEMBER = regex.compile(r"(?P<name>\p{Lu}[\p{L}'\-. ]*?)\s*\((?P<party>[^()]{1,40})\)")
_ANSWERED_BY = regex.compile(
    r"Antwoord(?:en)? van (?:de\s+)?(?P<office>[Mm]inister|[Ss]taatssecretaris)\s+"
    r"(?:(?P<prep>van|voor)\s+(?P<dept>[\p{L} ]+?)(?=\s*[,(]|\s+mede\b)"
    r"|(?P<name>\p{Lu}[\p{L}'\- ]*?)\s*\((?P<ministry>[^()]+)\))"
)


# Ministers without a ministry of their own are "Minister voor ...", the others "van".
_MINISTERS_VOOR = (
    "Rechtsbescherming",
    "Asiel",
    "Migratie",
    "Buitenlandse Handel",
    "Klimaat en Energie",
    "Volkshuisvesting",
    "Primair",
    "Langdurige",
    "Medische",
    "Armoede",
)


@dataclass(frozen=True)
class _Marker:
    line: int  # 0-based
    question: bool
    numbers: frozenset[int]
    rest: str  # text after the marker on the same line


_NUMBER_SEPARATOR = regex.compile(r"\s*(,|en|t/m|tot en met|-|–)\s*")


def numbers(spec: str) -> frozenset[int]:
    """`4 en 5` → {4, 5}; `2, 3 en 4` → {2, 3, 4}; `6 t/m 8` → {6, 7, 8}."""
    found: set[int] = set()
    parts = _NUMBER_SEPARATOR.split(spec.strip(), timeout=TIMEOUT)
    previous: int | None = None
    op = ""
    for part in parts:
        if part.isdigit():
            n = int(part)
            if op in ("t/m", "tot en met", "-", "–") and previous is not None and n - previous < 50:
                found.update(range(previous, n + 1))
            found.add(n)
            previous = n
        else:
            op = part
    return frozenset(found)


def markers(lines: Sequence[str]) -> list[_Marker]:
    """The `Vraag N` and `Antwoord N` lines; a bare `Antwoord` (or `Antwoord:`) after
    numbered questions answers the ones asked since the previous answer."""
    found: list[_Marker] = []
    asked: set[int] = set()
    for i, raw in enumerate(lines):
        s = raw.strip()
        # Every marker opens `vra` or `ant` in some case (no letter but these ASCII ones
        # matches them case-insensitively): other lines are not matched at all.
        if s[:3].lower() not in ("vra", "ant"):
            continue
        m = MARKER.match(s, timeout=TIMEOUT)
        if m:
            question = m.group("what").lower().startswith("vra")
            nums = numbers(m.group("nums"))
            found.append(_Marker(i, question, nums, m.group("rest").strip()))
            asked = asked | nums if question else set()
            continue
        bare = _BARE_ANSWER.match(s, timeout=TIMEOUT) if asked else None
        if bare:
            found.append(_Marker(i, False, frozenset(asked), (bare.group("rest") or "").strip()))
            asked = set()
    return found


def detect(text: str) -> Detection:
    found = markers(text.split("\n"))
    asked = [m for m in found if m.question]
    answered = set().union(*(m.numbers for m in found if not m.question))
    header = bool(_HEADER.search(text[:5000], timeout=TIMEOUT))
    evidence = (f"{len(asked)} `Vraag N` markers", f"{len(found) - len(asked)} `Antwoord N`")
    if not asked:
        if header:
            return Detection(0.8, ("a `Vragen van het lid` header",), "no `Vraag 1` follows it")
        return Detection(0.0)
    for m in asked:
        missing = sorted(m.numbers - answered)
        if missing:
            n = missing[0]
            return Detection(2.5, evidence, f'no "Antwoord {n}" follows "Vraag {_spec(m.numbers)}"')
    return Detection(4.0, evidence)


def _spec(nums: frozenset[int]) -> str:
    ordered = sorted(nums)
    if len(ordered) == 1:
        return str(ordered[0])
    return ", ".join(map(str, ordered[:-1])) + f" en {ordered[-1]}"


def members(text: str) -> tuple[str, str | None]:
    """(speaker, party) of the members asking: `Kathmann`, `GroenLinks-PvdA`; several
    members are joined (`Six Dijkstra en Van der Werf`, `NSC, D66`)."""
    m = _HEADER.search(text, timeout=TIMEOUT)
    if not m:
        return "Kamerlid", None
    who = normalize_inline(m.group("who"))
    pairs = [
        (normalize_inline(p.group("name")).removeprefix("en ").strip(), p.group("party").strip())
        for p in _MEMBER.finditer(who, timeout=TIMEOUT)
    ]
    if not pairs:
        return who, None
    names = [n for n, _ in pairs]
    speaker = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
    parties = list(dict.fromkeys(p for _, p in pairs))
    return speaker, ", ".join(parties)


def minister(text: str, lines: Sequence[str]) -> tuple[str, str | None]:
    """(speaker, office) of who answers: the `Antwoord van` header, else the signature."""
    m = _ANSWERED_BY.search(text, timeout=TIMEOUT)
    if m and m.group("name"):
        office = m.group("office").capitalize()
        ministry = " ".join(m.group("ministry").split())
        prep = "voor" if ministry.startswith(_MINISTERS_VOOR) else "van"
        return person(office, m.group("name")), f"{office} {prep} {ministry}"
    signed = signatories(lines)
    if signed:
        return signed[0].speaker, signed[0].office
    m = m or _ADDRESSED.search(text, timeout=TIMEOUT)  # the one asked answers
    if m:
        office = f"{m.group('office').capitalize()} {m.group('prep')} {m.group('dept')}"
        return office, office
    return "kabinet", None


def split(doc: Document, raw_lines: Sequence[str]) -> list[Statement]:
    lines = list(raw_lines)
    found = markers(lines)
    protect = frozenset(m.line + 1 for m in found)
    scan = scan_document("\n".join(lines), protect=protect)
    head_end = found[0].line if found else len(lines)
    head = normalize_inline("\n".join(lines[:head_end]))
    asker, party = members(head)
    speaker, office = minister(head, lines)
    stops = {s.line for s in signatories(lines, head_end)}
    build = Builder(doc, scan)
    asked: dict[int, Statement] = {}
    since_answer: list[Statement] = []
    bounds = [m.line for m in found[1:]] + [len(lines)]
    for marker, end in zip(found, bounds, strict=True):
        stop = min((s for s in stops if marker.line < s < end), default=end)
        body: Lines = scan.text_lines(marker.line + 2, stop)
        if marker.rest:
            body = [(marker.line + 1, marker.rest), *body]
        if not body:
            continue
        if marker.question:
            q = build.add("question", body, asker, party, "parliament")
            if q is not None:
                for n in marker.numbers:
                    asked[n] = q
                since_answer.append(q)
        else:
            linked = [asked[n] for n in sorted(marker.numbers) if n in asked] or since_answer
            ids = tuple(dict.fromkeys(q.id for q in linked))
            build.add("answer", body, speaker, office, "cabinet", "", ids)
            since_answer = []
    return build.finish()


LAYOUT = Layout("kamervragen", "a Kamervragen answer", detect, split, top=4.0)
