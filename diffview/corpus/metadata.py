"""Facts a document states about itself: its Kamerstuk number, Kamervragen numbers, the
dates in its text, who answers and who asks.

Read from the text (never from the file name) so that a user ingesting a real document
need not type what the document already says; an explicit `--date` still wins. Only the
document's *own* numbers are taken (its header, running footer, `kst-` id, open-data
header), not the many Kamerstukken it cites.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import regex

from diffview.model import Statement
from diffview.text.normalize import TIMEOUT

MONTHS_NL = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
_DAY = r"(\d{1,2})\s+(" + "|".join(MONTHS_NL) + r")\s+(\d{4})"
_DATES = (  # (label, pattern), most telling first: the date the cabinet's text is from
    ("ontvangen", regex.compile(r"\(\s*ontvangen\s+" + _DAY, regex.I)),
    ("vastgesteld", regex.compile(r"^\s*Vastgesteld\s+" + _DAY, regex.M)),
    ("den-haag", regex.compile(r"^\s*(?:Den Haag|'s-Gravenhage),?\s+" + _DAY, regex.M)),
    ("datum", regex.compile(r"^\s*Datum\s+" + _DAY, regex.M)),
    ("ingezonden", regex.compile(r"\(\s*ingezonden\s+" + _DAY, regex.I)),
)
_ISO_DATUM = regex.compile(r"Nummer:\s*20\d{2}[DZ]\d{4,6},\s*datum:\s*(\d{4})-(\d{2})-(\d{2})")
_NUMBER = regex.compile(r"\b(20\d{2}[DZ]\d{4,6})\b")
_KST = regex.compile(r"\bkst-(\d{5,6})-(\d{1,5})\b", regex.I)
_FOOTER = regex.compile(  # the running footer of a Kamerstuk page, a line of its own
    r"^\s*Tweede\s+Kamer,\s+vergaderjaar\s+\d{4}\s*[–-]\s*\d{4},\s+(\d{2})\s?(\d{3}),\s+"
    r"nr\.\s*(\d+)(?:\s+\d{1,3})?\s*$",
    regex.M,
)
_HEADER_DOSSIER = regex.compile(r"^\s*(\d{2})\s?(\d{3})(?:-[IVX\d]+)?\s+\p{Lu}", regex.M)
_HEADER_NR = regex.compile(r"^\s*Nr\.\s*(\d{1,5})\s+\p{Lu}", regex.M)
_OPEN_DATA = regex.compile(r"kamerstukdossier\s+(\d{5,6})\s?-\s?(\d{1,5})\b", regex.I)


@dataclass(frozen=True)
class Facts:
    """What a document says about itself; every field may be empty."""

    kamerstukken: tuple[str, ...] = ()  # "32317 nr. 986" (own number), else "32317"
    numbers: tuple[str, ...] = ()  # Kamervragen / document numbers "2025Z19876", "2024D39915"
    dates: tuple[tuple[str, date], ...] = ()  # ("ontvangen", 2025-11-21), text order
    minister: str | None = None  # who answers / signs: "Minister Van Oosten"
    member: str | None = None  # who asks, Kamervragen only: "Kathmann (GroenLinks-PvdA)"

    @property
    def date(self) -> date | None:
        """The document's own date: received answer, fixed report, letter date, then sent."""
        order = [label for label, _ in _DATES] + ["datum-iso"]
        ranked = sorted(self.dates, key=lambda d: order.index(d[0]))
        return ranked[0][1] if ranked else None

    def date_strings(self) -> tuple[str, ...]:
        return tuple(f"{label} {day.isoformat()}" for label, day in self.dates)


def _day(m: regex.Match[str]) -> date | None:
    try:
        return date(int(m.group(3)), MONTHS_NL.index(m.group(2).lower()) + 1, int(m.group(1)))
    except ValueError:
        return None


def _kamerstukken(head: str, text: str) -> tuple[str, ...]:
    own: list[str] = []
    for m in _KST.finditer(head, timeout=TIMEOUT):
        own.append(f"{m.group(1)} nr. {int(m.group(2))}")
    for m in _OPEN_DATA.finditer(head, timeout=TIMEOUT):
        own.append(f"{m.group(1)} nr. {int(m.group(2))}")
    dossier = _HEADER_DOSSIER.search(head, timeout=TIMEOUT)
    nr = _HEADER_NR.search(head, timeout=TIMEOUT)
    if dossier and nr and 0 < head.count("\n", dossier.end(), nr.start()) <= 3:
        own.append(f"{dossier.group(1)}{dossier.group(2)} nr. {int(nr.group(1))}")
    footer = _FOOTER.search(text, timeout=TIMEOUT)
    if footer:
        own.append(f"{footer.group(1)}{footer.group(2)} nr. {int(footer.group(3))}")
    if not own and dossier:
        own.append(f"{dossier.group(1)}{dossier.group(2)}")
    return tuple(dict.fromkeys(own))


def with_metadata(facts: Facts, metadata: Sequence[tuple[str, str]]) -> Facts:
    """`facts` filled in from a publisher's metadata.xml where the text is silent."""
    meta = dict(metadata)
    kamerstukken = facts.kamerstukken
    if not any(" nr. " in k for k in kamerstukken):
        kst = _KST.search(meta.get("identifier", ""), timeout=TIMEOUT)
        dossier, nr = meta.get("dossier", ""), meta.get("ondernummer", "")
        if kst:
            kamerstukken = (f"{kst.group(1)} nr. {int(kst.group(2))}",)
        elif dossier.isdigit() and nr.isdigit():
            kamerstukken = (f"{dossier} nr. {int(nr)}",)
    numbers = facts.numbers
    number = meta.get("number", "")
    if _NUMBER.fullmatch(number, timeout=TIMEOUT) and number not in numbers:
        numbers = (*numbers, number)
    dates = list(facts.dates)
    for label in ("ontvangen", "ingezonden", "datum"):
        value = meta.get(label, "")[:10]
        if label not in {d[0] for d in dates} and regex.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            with contextlib.suppress(ValueError):
                dates.append((label, date.fromisoformat(value)))
    return replace(facts, kamerstukken=kamerstukken, numbers=numbers, dates=tuple(dates))


def text_facts(text: str, statements: Sequence[Statement] = (), kind: str = "") -> Facts:
    """The facts of `text` (head: its first 60 lines); `statements` name minister and member."""
    head = "\n".join(text.split("\n")[:60])
    dates: list[tuple[str, date]] = []
    for label, pattern in _DATES:
        m = pattern.search(head, timeout=TIMEOUT)
        day = _day(m) if m else None
        if day is not None:
            dates.append((label, day))
    iso = _ISO_DATUM.search(head, timeout=TIMEOUT)
    if iso:
        with contextlib.suppress(ValueError):
            dates.append(("datum-iso", date(int(iso[1]), int(iso[2]), int(iso[3]))))
    numbers = tuple(dict.fromkeys(_NUMBER.findall(head, timeout=TIMEOUT)))
    cabinet = [s.speaker for s in statements if s.role == "cabinet" and s.speaker != "kabinet"]
    asking = [s for s in statements if s.kind == "question" and s.role == "parliament"]
    member = None
    if kind == "kamervragen" and asking:
        q = asking[0]
        member = f"{q.speaker} ({q.party})" if q.party else q.speaker
    return Facts(
        kamerstukken=_kamerstukken(head, text),
        numbers=numbers,
        dates=tuple(dates),
        minister=cabinet[0] if cabinet else None,
        member=member,
    )
