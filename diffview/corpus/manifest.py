"""Read, validate and update `versions/manifest.toml`, the list of source documents.

The manifest is the only place where facts *about* a document live (its date, kind, round,
Kamerstuk numbers), so it is validated strictly: a wrong date or a dangling `answers` would
silently reorder the history in the store. Errors name the manifest and the line of the
offending `[[document]]` entry.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from diffview.errors import InputError
from diffview.model import DOC_KINDS, Document, Removal, Version

MANIFEST_NAME = "manifest.toml"
PRECISIONS = ("day", "month")
# At least three digits, zero-padded below 1000 only: 000..999, then 1000, 1001, ...
ID_RE = re.compile(r"(?:\d{3}|[1-9]\d{3,8})\Z")
ROUND_RE = re.compile(r"(\d{4})-(0[1-9]|1[0-2])\Z")
EARLIEST_DATE = date(1990, 1, 1)
ROUND_SPAN_MONTHS = 12  # a fiche may precede its Council by months; a year is generous
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
# A source is a plain file name: no separators, no leading dot or dash, no "..".
SOURCE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}\Z")
KAMERSTUK_RE = re.compile(r"\d{4,6}(?: nr\. \d{1,5})?\Z")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_FIELDS = ("id", "source", "title", "short_title", "kind", "date", "date_precision", "round")
_OPTIONAL = (
    "kamerstukken",
    "answers",
    "numbers",
    "text_dates",
    "minister",
    "member",
    "original",
    "original_sha256",
    "removed",
)
NUMBER_RE = re.compile(r"20\d{2}[DZ]\d{4,6}\Z")
TEXT_DATE_RE = re.compile(r"[a-z][a-z-]{1,20} \d{4}-\d{2}-\d{2}\Z")
SHA256_RE = re.compile(r"[0-9a-f]{64}\Z")
ORIGINALS = ("pdf", "xml")


def manifest_path(versions_dir: Path) -> Path:
    return Path(versions_dir) / MANIFEST_NAME


@dataclass(frozen=True)
class Manifest:
    """The whole manifest: the documents in the store, those `diffview remove` took out
    (their entries and sources stay, so a rebuild makes the same history) and the labels."""

    documents: tuple[Document, ...]  # date order
    removed: tuple[Removal, ...] = ()  # removal order
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def every_document(self) -> list[Document]:
        """Every entry, removed ones too (ids and sources are never reused)."""
        return sorted([*self.documents, *(r.doc for r in self.removed)], key=doc_order)


def load_manifest(versions_dir: Path) -> list[Document]:
    """The documents of `versions_dir` (not the removed ones), validated, by (date, id)."""
    docs, _ = load_manifest_with_rounds(versions_dir)
    return docs


def load_manifest_with_rounds(versions_dir: Path) -> tuple[list[Document], dict[str, str]]:
    """Documents (not the removed ones) plus the `[rounds]` labels table (round -> label)."""
    manifest = read_manifest(versions_dir)
    return list(manifest.documents), dict(manifest.labels)


def read_manifest(versions_dir: Path) -> Manifest:
    """The manifest with its removed entries (`removed = "2026-03-02T12:00:01Z"`)."""
    path = manifest_path(versions_dir)
    text = _read_manifest_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(exc)
        raise InputError(path, f"not valid TOML: {_strip_pos(str(exc))}", line) from None
    unknown = set(data) - {"document", "rounds"}
    if unknown:
        raise InputError(path, f"unknown top-level key(s): {', '.join(sorted(unknown))}")
    entries = data.get("document", [])
    if not isinstance(entries, list) or not entries:
        raise InputError(path, "no [[document]] entries")
    lines = _entry_lines(text)
    docs, removed = [], []
    for i, entry in enumerate(entries):
        line = lines[i] if i < len(lines) else None
        doc = _parse_entry(path, entry, line)
        docs.append(doc)
        if "removed" in entry:
            removed.append(_parse_removal(path, doc, entry["removed"], line))
    _check_consistency(path, Path(versions_dir), docs, lines, {r.doc.id for r in removed})
    labels = _parse_rounds(path, data.get("rounds", {}))
    gone = {r.doc.id for r in removed}
    if len(gone) == len(docs):
        raise InputError(path, "every document is removed; nothing is left to store")
    return Manifest(
        tuple(sorted((d for d in docs if d.id not in gone), key=doc_order)),
        tuple(sorted(removed, key=lambda r: (r.at, *id_order(r.doc.id)))),
        labels,
    )


def _parse_removal(path: Path, doc: Document, value: Any, line: int | None) -> Removal:
    try:
        at = parse_removed(value)
    except ValueError as exc:
        raise InputError(path, f"document {doc.id!r}: {exc}", line) from None
    if at <= datetime.combine(doc.date, time(12), UTC):
        raise InputError(path, f"document {doc.id!r}: removed before its own date", line)
    return Removal(doc, at)


def parse_removed(value: Any) -> datetime:
    """`removed`: the removal's moment, `2026-03-02T12:00:01Z` as `diffview remove` writes
    it (UTC), or by hand a day, `2026-03-02` (its noon and a second: after that day's
    documents)."""
    if isinstance(value, datetime):
        at = value
    elif isinstance(value, date) or (isinstance(value, str) and DATE_RE.match(value)):
        day = value if isinstance(value, date) else parse_date(value)
        return datetime.combine(day, time(12), UTC) + timedelta(seconds=1)
    elif isinstance(value, str):
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"removed must be like 2026-03-02T12:00:01Z, got {value!r}") from None
    else:
        raise ValueError("removed must be a date and time string")
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.replace(microsecond=0)


def removal_stamp(at: datetime) -> str:
    """How a removal's moment is written, in the manifest and in the store's index."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _read_manifest_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "manifest not found") from None
    except OSError as exc:
        raise InputError(path, f"cannot read manifest: {exc.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(path, "manifest is not valid UTF-8", line) from None


def _toml_error_line(exc: tomllib.TOMLDecodeError) -> int | None:
    match = re.search(r"\(at line (\d+)", str(exc))
    return int(match.group(1)) if match else None


def _strip_pos(message: str) -> str:
    return re.sub(r"\s*\(at line \d+, column \d+\)", "", message)


def _entry_lines(text: str) -> list[int]:
    """1-based line of each `[[document]]` header, in order (for error messages)."""
    return [
        i
        for i, line in enumerate(text.splitlines(), start=1)
        if line.strip().replace(" ", "") == "[[document]]"
    ]


def _parse_entry(path: Path, entry: Any, line: int | None) -> Document:
    if not isinstance(entry, dict):
        raise InputError(path, "a [[document]] entry must be a table", line)
    missing = [f for f in _FIELDS if f not in entry]
    if missing:
        raise InputError(path, f"entry lacks {', '.join(missing)}", line)
    extra = set(entry) - set(_FIELDS) - set(_OPTIONAL)
    if extra:
        raise InputError(path, f"entry has unknown key(s): {', '.join(sorted(extra))}", line)
    for key in _FIELDS:
        if key != "date" and not isinstance(entry[key], str):
            raise InputError(path, f"{key} must be a string", line)
    doc_id = entry["id"]
    where = f"document {doc_id!r}: " if ID_RE.match(doc_id) else ""
    try:
        day = check_day(parse_date(entry["date"]))
        return Document(
            id=check_id(doc_id),
            source=check_source_name(entry["source"]),
            title=check_title(entry["title"], "title"),
            short_title=check_title(entry["short_title"], "short_title"),
            kind=check_kind(entry["kind"]),
            date=day,
            date_precision=check_precision(entry["date_precision"]),
            round=check_round_near(check_round(entry["round"]), day),
            kamerstukken=check_kamerstukken(entry.get("kamerstukken", [])),
            answers=check_answers(entry.get("answers")),
            numbers=_check_list(entry.get("numbers", []), "numbers", NUMBER_RE),
            text_dates=_check_list(entry.get("text_dates", []), "text_dates", TEXT_DATE_RE),
            minister=_check_name(entry.get("minister"), "minister"),
            member=_check_name(entry.get("member"), "member"),
            original=_check_original(entry.get("original")),
            original_sha256=_check_sha(entry.get("original_sha256")),
        )
    except ValueError as exc:
        raise InputError(path, f"{where}{exc}", line) from None


def check_id(value: str) -> str:
    if not ID_RE.match(value):
        raise ValueError(f"id must be three digits (or a number from 1000 on), got {value!r}")
    return value


def check_source_name(value: str) -> str:
    """A bare file name inside versions/: no separators, no `..`, no leading dot or dash."""
    if not SOURCE_RE.match(value) or ".." in value or value == MANIFEST_NAME:
        raise ValueError(f"source must be a plain file name inside versions/, got {value!r}")
    return value


def check_title(value: str, name: str = "title") -> str:
    """One printable line: titles end up in commit messages, markdown and terminals."""
    if not value.strip():
        raise ValueError(f"{name} is empty")
    if len(value) > 300:
        raise ValueError(f"{name} is longer than 300 characters")
    bad = [c for c in value if not c.isprintable()]
    if bad:
        raise ValueError(
            f"{name} must be one line without control characters (found U+{ord(bad[0]):04X})"
        )
    return value.strip()


def check_kind(value: str) -> str:
    if value not in DOC_KINDS:
        raise ValueError(f"kind must be one of {', '.join(DOC_KINDS)}, got {value!r}")
    return value


def check_precision(value: str) -> str:
    if value not in PRECISIONS:
        raise ValueError(f"date_precision must be 'day' or 'month', got {value!r}")
    return value


def check_round(value: str) -> str:
    if not ROUND_RE.match(value):
        raise ValueError(f"round must look like 2024-10, got {value!r}")
    return value


def check_day(day: date) -> date:
    """A document's date: from 1990 to today. Earlier is a typo (the CSAM regulation was
    proposed in 2022; git cannot date commits before 1970); a date after today is one too,
    and the history would be reordered when the real document arrives."""
    if day < EARLIEST_DATE:
        raise ValueError(f"date {day.isoformat()} is before {EARLIEST_DATE.year}: a typo?")
    if day > date.today():
        raise ValueError(f"date {day.isoformat()} is in the future")
    return day


def check_round_near(round_: str, day: date) -> str:
    """A round is the Council meeting a document prepares or reports on. A late document
    (an answer long after) may join an old round, but one dated more than
    `ROUND_SPAN_MONTHS` before its round, or a round before 1990, is a typo (2062-03)."""
    year, month = int(round_[:4]), int(round_[5:7])
    ahead = (year - day.year) * 12 + month - day.month
    if year < EARLIEST_DATE.year or ahead > ROUND_SPAN_MONTHS:
        raise ValueError(
            f"round {round_} is {abs(ahead)} months from the document's date {day.isoformat()}: "
            "a typo? (YYYY-MM of the Council meeting it belongs to)"
        )
    return round_


def check_kamerstukken(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("kamerstukken must be a list of strings")
    for item in value:
        if not KAMERSTUK_RE.match(item):
            raise ValueError(f"kamerstuk must look like '32317 nr. 904' or '32317', got {item!r}")
    return tuple(value)


def _check_list(value: Any, name: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name} must be a list of strings")
    for item in value:
        if not pattern.match(item):
            raise ValueError(f"{name}: unexpected item {item!r}")
    return tuple(value)


def _check_name(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string")
    return check_title(value, name)


def _check_original(value: Any) -> str | None:
    if value is not None and value not in ORIGINALS:
        raise ValueError(f"original must be one of {', '.join(ORIGINALS)}, got {value!r}")
    return None if value is None else str(value)


def _check_sha(value: Any) -> str | None:
    if value is not None and (not isinstance(value, str) or not SHA256_RE.match(value)):
        raise ValueError("original_sha256 must be 64 lowercase hex digits")
    return value


def check_answers(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("answers must be a document id string")
    return check_id(value)


def parse_date(value: Any) -> date:
    """A strict ISO day: TOML date literal or the string `YYYY-MM-DD`."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise ValueError(f"date must be YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"date {value!r} does not exist") from None


def parse_user_date(value: str) -> tuple[date, str]:
    """`YYYY-MM-DD` (precision day) or `YYYY-MM` (precision month, first of the month)."""
    value = value.strip()
    if ROUND_RE.match(value):
        return date.fromisoformat(value + "-01"), "month"
    return parse_date(value), "day"


def _check_consistency(
    path: Path, versions_dir: Path, docs: list[Document], lines: list[int], removed: set[str]
) -> None:
    seen: dict[str, int] = {}
    sources: set[str] = set()
    for i, doc in enumerate(docs):
        line = lines[i] if i < len(lines) else None
        if doc.id in seen:
            raise InputError(path, f"duplicate id {doc.id!r}", line)
        if doc.source in sources:
            raise InputError(path, f"document {doc.id!r}: source {doc.source!r} listed twice", line)
        seen[doc.id] = i
        sources.add(doc.source)
        _check_source_file(path, versions_dir, doc, line, doc.id in removed)
    for i, doc in enumerate(docs):
        line = lines[i] if i < len(lines) else None
        if doc.answers is not None and (doc.answers not in seen or doc.answers == doc.id):
            raise InputError(path, f"document {doc.id!r} answers unknown id {doc.answers!r}", line)
        if doc.answers in removed and doc.id not in removed:
            raise InputError(
                path, f"document {doc.id!r} answers {doc.answers!r}, which is removed", line
            )


def _check_source_file(
    path: Path, versions_dir: Path, doc: Document, line: int | None, removed: bool = False
) -> None:
    src = versions_dir / doc.source
    try:
        inside = src.resolve().parent == versions_dir.resolve()
    except OSError:
        inside = False
    if not inside:
        raise InputError(path, f"document {doc.id!r}: source {doc.source!r} leaves versions/", line)
    if not src.is_file():
        why = f"document {doc.id!r}: source file {doc.source!r} not found"
        if removed:  # still needed: a build makes the document's commit before its removal's
            held = f"git show doc-{doc.id}:sources/{doc.source}"
            why += f" (removed, but the history needs it: {held} in the store has it)"
        raise InputError(path, why, line)


def _parse_rounds(path: Path, table: Any) -> dict[str, str]:
    if not isinstance(table, dict):
        raise InputError(path, "[rounds] must be a table of round = label")
    labels: dict[str, str] = {}
    for key, label in table.items():
        try:
            labels[check_round(key)] = check_title(str(label), f"label of round {key}")
        except ValueError as exc:
            raise InputError(path, str(exc)) from None
    return labels


def round_label(round_: str, labels: dict[str, str] | None = None) -> str:
    """`2024-10` -> the manifest's label, else `Oct 2024`."""
    if labels and round_ in labels:
        return labels[round_]
    year, month = round_.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def round_tag(round_: str) -> str:
    return f"round-{round_}"


def doc_tag(doc_id: str) -> str:
    return f"doc-{doc_id}"


def rounds(documents: Iterable[Document], labels: dict[str, str] | None = None) -> list[Version]:
    """Group documents into rounds, oldest first; a round's tag is on its last document."""
    by_round: dict[str, list[Document]] = {}
    for doc in sorted(documents, key=doc_order):
        by_round.setdefault(doc.round, []).append(doc)
    ordered = sorted(by_round.items(), key=lambda kv: (kv[1][-1].date, kv[0]))
    return [
        Version(round=r, label=round_label(r, labels), docs=tuple(ds), tag=round_tag(r))
        for r, ds in ordered
    ]


# --- writing -------------------------------------------------------------------------------


def toml_string(value: str) -> str:
    """A TOML basic string: escape backslash, quote and every control character."""
    out = ['"']
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch in "\b\t\n\f\r":
            out.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def render_manifest(
    documents: Iterable[Document],
    labels: dict[str, str],
    header: str = "",
    removed: Sequence[Removal] = (),
) -> str:
    """Deterministic TOML for the manifest (entries in date order, removed ones among them
    with their `removed` moment)."""
    parts = [header.rstrip("\n") + "\n\n"] if header.strip() else []
    if labels:
        parts.append("[rounds]\n")
        parts.extend(f"{toml_string(r)} = {toml_string(labels[r])}\n" for r in sorted(labels))
        parts.append("\n")
    when = {r.doc.id: r.at for r in removed}
    for doc in sorted([*documents, *(r.doc for r in removed)], key=doc_order):
        parts.append(_render_entry(doc, when.get(doc.id)))
    return "".join(parts).rstrip("\n") + "\n"


def _render_entry(doc: Document, removed: datetime | None = None) -> str:
    items = [
        ("id", toml_string(doc.id)),
        ("source", toml_string(doc.source)),
        ("title", toml_string(doc.title)),
        ("short_title", toml_string(doc.short_title)),
        ("kind", toml_string(doc.kind)),
        ("date", toml_string(doc.date.isoformat())),
        ("date_precision", toml_string(doc.date_precision)),
        ("round", toml_string(doc.round)),
        ("kamerstukken", "[" + ", ".join(toml_string(k) for k in doc.kamerstukken) + "]"),
    ]
    if doc.answers:
        items.append(("answers", toml_string(doc.answers)))
    # Facts from the text only when there are any, so older entries render as before.
    for key, values in (("numbers", doc.numbers), ("text_dates", doc.text_dates)):
        if values:
            items.append((key, "[" + ", ".join(toml_string(v) for v in values) + "]"))
    for key, value in (
        ("minister", doc.minister),
        ("member", doc.member),
        ("original", doc.original),
        ("original_sha256", doc.original_sha256),
    ):
        if value is not None:
            items.append((key, toml_string(value)))
    if removed is not None:
        items.append(("removed", toml_string(removal_stamp(removed))))
    return "[[document]]\n" + "".join(f"{k} = {v}\n" for k, v in items) + "\n"


def _header_comments(text: str) -> str:
    """The leading comment block of the existing manifest, kept across rewrites."""
    kept = []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            kept.append(line)
        else:
            break
    return "\n".join(kept).strip("\n")


def add_document(versions_dir: Path, doc: Document, *, label: str | None = None) -> Path:
    """Write the manifest with `doc` added; return the manifest path.

    The new manifest is written to a temp file, re-read and validated, and only then renamed
    into place, so a failure leaves the manifest as it was. The caller (ingest) has already
    put the source file in place.
    """
    tmp = write_manifest_candidate(versions_dir, doc, label)
    try:
        os.replace(tmp, manifest_path(versions_dir))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return manifest_path(versions_dir)


def write_manifest_candidate(
    versions_dir: Path,
    doc: Document,
    label: str | None = None,
    current: Manifest | None = None,
) -> Path:
    """Like `add_document`, but leave the validated new manifest in a temp file (for ingest).
    `current`: the manifest as the caller loaded it under the store lock (not read again)."""
    path = manifest_path(versions_dir)
    now = current if current is not None else read_manifest(versions_dir)
    labels = dict(now.labels)
    if any(d.id == doc.id for d in now.every_document):
        raise InputError(path, f"duplicate id {doc.id!r}")
    if label and doc.round not in labels:
        labels[doc.round] = check_title(label, "round label")
    return write_candidate(versions_dir, Manifest((*now.documents, doc), now.removed, labels))


def write_candidate(versions_dir: Path, manifest: Manifest) -> Path:
    """`manifest` rendered (the existing header comments kept) into a temp file beside the
    manifest, checked to read back as the same entries; the caller renames it into place."""
    path = manifest_path(versions_dir)
    header = _header_comments(_read_manifest_text(path))
    text = render_manifest(manifest.documents, manifest.labels, header, manifest.removed)
    tmp = write_temp_beside(path, text.encode("utf-8"))
    try:
        data = tomllib.loads(text)
        parsed = [_parse_entry(tmp, entry, None) for entry in data["document"]]
        stamps = [parse_removed(e["removed"]) for e in data["document"] if "removed" in e]
        if parsed != manifest.every_document or sorted(stamps) != sorted(
            r.at for r in manifest.removed
        ):
            raise InputError(path, "internal error: manifest does not round-trip")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_temp_beside(path: Path, data: bytes) -> Path:
    """Write `data` to a new hidden temp file in `path`'s directory (for an atomic rename).

    Created with mode 0666 for the kernel to apply the umask, as `open()` does: the corpus is
    ordinary files (mkstemp would make 0600), and the umask is never read by setting it,
    which would race with other threads.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        name = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(name, flags, 0o666)
        except FileExistsError:
            continue
        break
    else:
        raise FileExistsError(errno.EEXIST, "no free temporary name", str(path.parent))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        name.unlink(missing_ok=True)
        raise
    return name


def id_order(doc_id: str) -> tuple[int, str]:
    """Ids sort numerically (999 before 1000): at least three digits, no padding above."""
    return (len(doc_id), doc_id)


def doc_order(doc: Document) -> tuple[date, int, str]:
    """The store's order of documents: by date, then by id, numerically."""
    return (doc.date, *id_order(doc.id))
