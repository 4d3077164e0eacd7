"""What the store's files say: JSON of the model, markdown for people, commit and tag messages.

Everything here is a pure function from the model (`Document`, `Statement`, `Version`) to
text or bytes. The bytes become git blobs and messages whose hashes are the commit ids, so
any change here changes every commit id: field order, separators and escaping are fixed on
purpose (see `diffview/store/__init__.py`, "Determinism"). Document text is untrusted:
markdown escapes it (`md_escape`) and front matter and messages sanitise it to one line each.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from typing import Any

from diffview.corpus.manifest import MONTHS
from diffview.model import Document, Statement, TopicLabel
from diffview.sanitize import sanitize, sanitize_line
from diffview.text.stems import STEMS_FORMAT, StemCounts, cabinet_stem_counts

# 3: the topic files are in each round's own commit, not rewritten by every commit
STORE_FORMAT = 3
# What makes a clone of a store a store: `index.json` at HEAD carries these two keys.
STORE_MARKER = {"diffview": "store", "format": STORE_FORMAT}


# --- serialisation of the model --------------------------------------------------------------


_TEXT_FACTS = ("numbers", "text_dates", "minister", "member", "original", "original_sha256")


def document_to_dict(doc: Document) -> dict[str, Any]:
    """The manifest entry; facts from the text only when set, so that the commit ids of
    documents without them stay what they were."""
    extra: dict[str, Any] = {}
    for key in _TEXT_FACTS:
        value = getattr(doc, key)
        if value:
            extra[key] = list(value) if isinstance(value, tuple) else value
    return {
        "id": doc.id,
        "source": doc.source,
        "title": doc.title,
        "short_title": doc.short_title,
        "kind": doc.kind,
        "date": doc.date.isoformat(),
        "date_precision": doc.date_precision,
        "round": doc.round,
        "kamerstukken": list(doc.kamerstukken),
        "answers": doc.answers,
        **extra,
    }


def document_from_dict(d: Mapping[str, Any]) -> Document:
    return Document(
        id=d["id"],
        source=d["source"],
        title=d["title"],
        short_title=d["short_title"],
        kind=d["kind"],
        date=date.fromisoformat(d["date"]),
        date_precision=d["date_precision"],
        round=d["round"],
        kamerstukken=tuple(d.get("kamerstukken", ())),
        answers=d.get("answers"),
        numbers=tuple(d.get("numbers", ())),
        text_dates=tuple(d.get("text_dates", ())),
        minister=d.get("minister"),
        member=d.get("member"),
        original=d.get("original"),
        original_sha256=d.get("original_sha256"),
    )


def statement_to_dict(s: Statement) -> dict[str, Any]:
    """Every Statement field, in a fixed order (the JSON is part of the commit id)."""
    return {
        "id": s.id,
        "doc": s.doc,
        "source": s.source,
        "date": s.date.isoformat(),
        "kind": s.kind,
        "speaker": s.speaker,
        "party": s.party,
        "role": s.role,
        "lines": list(s.lines),
        "section": s.section,
        "answers": list(s.answers),
        "topics": [{"topic": t.topic, "triggers": list(t.triggers)} for t in s.topics],
        "footnotes": list(s.footnotes),
        "text": s.text,
        "line_map": [list(p) for p in s.line_map],
    }


def statement_from_dict(d: Mapping[str, Any]) -> Statement:
    return Statement(
        id=d["id"],
        doc=d["doc"],
        source=d["source"],
        date=date.fromisoformat(d["date"]),
        kind=d["kind"],
        speaker=d["speaker"],
        party=d["party"],
        role=d["role"],
        text=d["text"],
        lines=(int(d["lines"][0]), int(d["lines"][1])),
        line_map=tuple((int(o), int(n)) for o, n in d["line_map"]),
        answers=tuple(d.get("answers", ())),
        topics=tuple(TopicLabel(t["topic"], tuple(t["triggers"])) for t in d.get("topics", ())),
        section=d.get("section", ""),
        footnotes=tuple(d.get("footnotes", ())),
    )


# One encoder each, made once: `json.dumps` with options builds a new one per call, and a
# build encodes every statement. The same options, so the same bytes (and commit ids).
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def statements_json(
    doc: Document, statements: Iterable[Statement], source_sha256: str = ""
) -> bytes:
    """One statement per line: machine-readable, deterministic, and diffable with git.

    `source_sha256` makes the file the parse cache: a build reuses these statements while
    the source and the parser's rules digest still match (see `pipeline.py`; the digest is
    kept beside the objects, not committed, so a new diffview that parses the same leaves
    every commit id as it was)."""
    rows = [_dumps(statement_to_dict(s)) for s in statements]
    body = ",\n  ".join(rows)
    text = (
        "{\n"
        f' "format": {STORE_FORMAT},\n'
        f' "source_sha256": {_dumps(source_sha256)},\n'
        f' "document": {_dumps(document_to_dict(doc))},\n'
        f' "statements": [\n  {body}\n ]\n'
        "}\n"
    )
    if not rows:
        text = text.replace("[\n  \n ]", "[]")
    return text.encode("utf-8")


SENTENCES_FORMAT = 1  # of `sentences/<id>.jsonl`; a reader ignores a record of another


@dataclass(frozen=True)
class SentenceRecord:
    """What `sentences/<id>.jsonl` says of a document's cabinet statements: how many of their
    sentences contain each content stem (its first line: all the corpus IDF reads, of 64
    documents), and where each statement's sentences are (the second line, read when the
    document's statements are: character spans of its text as
    `text.sentences.split_sentences` cut them at build)."""

    stems: StemCounts
    rest: bytes  # the second line, parsed on first use

    @cached_property
    def _sentences(self) -> dict[str, Any]:
        try:
            data = json.loads(self.rest)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def spans(self, statement_id: str) -> tuple[tuple[int, int], ...] | None:
        """A statement's spans, or None when the record has none (or bad ones) for it."""
        spans = self._sentences.get("spans")
        value = spans.get(statement_id) if isinstance(spans, dict) else None
        if value is None:
            return None
        try:
            return _span_list(value)
        except (ValueError, TypeError):
            return None


def _line(data: Mapping[str, Any]) -> str:
    return _compact(data) + "\n"


def sentences_json(statements: Iterable[Statement]) -> bytes:
    """`sentences/<id>.jsonl`, written once per document: a compare reads the sentences of
    a round's statements from it instead of splitting them again, and the corpus IDF is a
    sum of 64 documents' stem counts instead of a re-reading of their sentences
    (`diff.compare`). The build splits every statement for its document file anyway
    (`_spans`)."""
    cabinet = [s for s in statements if s.role == "cabinet"]
    spans = {s.id: [list(span) for span in _spans(s.text)] for s in cabinet}
    record = cabinet_stem_counts(cabinet, _spans)
    head = {
        "format": SENTENCES_FORMAT,
        "stems_format": STEMS_FORMAT,
        "sentences": record.sentences,
        "wordless": list(record.wordless),
        "stems": record.counts,
    }
    return (_line(head) + _line({"spans": spans})).encode("utf-8")


# Claims files a store holds for statements a build takes from it unparsed (its parse cache,
# `pipeline._cached`): written again as they are, not read again. Keyed by the statements
# themselves, so only the very statements they were read from get them; bounded.
_KNOWN_CLAIMS: dict[tuple[Statement, ...], bytes] = {}
_MAX_KNOWN_CLAIMS = 4096


def remember_claims(statements: Sequence[Statement], data: bytes) -> None:
    """Let `claims_file(statements)` answer `data`: the claims file the store holds for
    them, written by the same parser (the caller checked its rules digest)."""
    if len(_KNOWN_CLAIMS) >= _MAX_KNOWN_CLAIMS:
        _KNOWN_CLAIMS.clear()
    _KNOWN_CLAIMS[tuple(statements)] = data


def claims_file(statements: Sequence[Statement]) -> bytes:
    """`claims/<id>.jsonl`, written once per document: the positions its cabinet statements
    state under the bundled rules (`corpus.claims`), so a compare or a positions table
    reads a round's claims instead of running the phrase rules over every sentence of it
    (0.3 s of one core per round of 15 documents). A document's claims are its own: an
    answer's questions are in its document."""
    from diffview.corpus.claims import claims_json, claims_of  # writing only
    from diffview.corpus.topics import load_rules
    from diffview.text.sentences import remember_spans

    known = _KNOWN_CLAIMS.pop(tuple(statements), None)
    if known is not None:
        return known
    for s in statements:  # cut once: the document file and the stem counts cut them too
        if s.role == "cabinet":
            remember_spans(s.text, _spans(s.text))
    return claims_json(claims_of(statements, load_rules()))


def _span_list(value: Any) -> tuple[tuple[int, int], ...]:
    """Spans in text order, non-empty, not overlapping (ValueError otherwise)."""
    out: list[tuple[int, int]] = []
    for start, end in value:
        if not (isinstance(start, int) and isinstance(end, int)):
            raise ValueError("span")
        if start >= end or (out and start < out[-1][1]) or start < 0:
            raise ValueError("span")
        out.append((start, end))
    return tuple(out)


def sentences_from_json(raw: bytes) -> SentenceRecord | None:
    """A `sentences/<id>.jsonl` record (its first line parsed now); None when it is of
    another format or malformed (the reader then splits and counts the sentences itself).
    As untrusted as the store: a span past its statement's text is refused where it is used
    (`text.sentences.remember_spans`)."""
    first, _, rest = raw.partition(b"\n")
    try:
        data = json.loads(first)
        if not isinstance(data, dict) or data.get("format") != SENTENCES_FORMAT:
            return None
        if data.get("stems_format") != STEMS_FORMAT:
            return None
        n, wordless, counts = data["sentences"], data["wordless"], data["stems"]
        valid = (
            isinstance(n, int)
            and isinstance(wordless, list)
            and all(isinstance(w, str) for w in wordless)
            and isinstance(counts, dict)
            and all(isinstance(c, int) and 0 < c <= n for c in counts.values())
        )
        return SentenceRecord(StemCounts(n, counts, tuple(wordless)), rest) if valid else None
    except (ValueError, KeyError, TypeError):
        return None


def _json_file(data: Mapping[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def index_json(labels: Mapping[str, str], topics: Iterable[str]) -> bytes:
    """`index.json`: the store marker, every round so far with its label, and every topic a
    statement so far carries. Small, and rewritten only by the first commit of a round or
    of a topic."""
    data = {**STORE_MARKER, "rounds": dict(sorted(labels.items())), "topics": sorted(topics)}
    return _json_file(data)


def round_index_json(
    round_: str,
    label: str,
    entries: Iterable[Mapping[str, Any]],
    counts: Mapping[str, Mapping[str, int]],
    removed: Iterable[Mapping[str, Any]] = (),
) -> bytes:
    """`index/<round>.json`: the round's documents (manifest entries with the source's
    sha256) and, per topic, the cabinet's statements per document: what opening a store
    and listing topics and versions needs, without reading any statement. Rewritten only
    by the commits of its round."""
    data = {
        "round": round_,
        "label": label,
        "documents": list(entries),
        "topics": {t: dict(per) for t, per in sorted(counts.items())},
    }
    gone = list(removed)
    if gone:  # only then, so the index of a round nothing was removed from is as it was
        data["removed"] = gone
    return _json_file(data)


# --- markdown --------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>&#|~!$])")
_MD_LINE_START = re.compile(r"^([-+=>]|\d+[.)])", re.MULTILINE)


def md_escape(text: str) -> str:
    """Make document text inert in markdown: backslash the characters that start markup or
    HTML, neutralise line-start markers, strip indentation (code blocks), then sanitise
    (the `<U+XXXX>` it produces is not an HTML tag: `+` cannot occur in a tag name)."""
    return sanitize(_escape_markup(text))


def _escape_markup(text: str) -> str:
    """`md_escape` without the sanitising (which maps characters one by one, so it can run
    once over many escaped pieces joined by newlines: same result, one regex pass). Line by
    line in effect, but each pass runs once over the whole text: the backslashes before
    specials (never whitespace, so the same before or after the strip), the strip of every
    line, then the markers at line starts (`^` after each newline)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    lines = "\n".join([line.strip() for line in escaped.split("\n")])
    return _MD_LINE_START.sub(_escape_marker, lines)


def _escape_marker(match: re.Match[str]) -> str:
    marker = match.group(1)
    return marker[:-1] + "\\" + marker[-1]


@lru_cache(maxsize=4096)
def md_inline(text: str) -> str:
    """One-line escaped text (titles, speakers): newlines and tabs become spaces."""
    return " ".join(md_escape(text.replace("\t", " ")).split("\n"))


def _fm_value(value: Any) -> str:
    """Front matter values as JSON scalars/lists: valid YAML, no injection via newlines."""
    if isinstance(value, str):
        value = sanitize_line(value)
    elif isinstance(value, list):
        value = [sanitize_line(v) if isinstance(v, str) else v for v in value]
    return json.dumps(value, ensure_ascii=False)


def front_matter(items: Iterable[tuple[str, Any]]) -> str:
    return "---\n" + "".join(f"{k}: {_fm_value(v)}\n" for k, v in items) + "---\n"


def human_date(d: date, precision: str = "day") -> str:
    month = MONTHS[d.month - 1]  # not strftime: that follows the process locale
    return f"{month} {d.year}" if precision == "month" else f"{d.day} {month} {d.year}"


def _span(lines: tuple[int, int]) -> str:
    a, b = lines
    return f"{a}" if a == b else f"{a}-{b}"


def document_markdown(doc: Document, statements: list[Statement], label: str) -> bytes:
    out = [
        front_matter(
            [
                ("id", doc.id),
                ("title", doc.title),
                ("kind", doc.kind),
                ("date", doc.date.isoformat()),
                ("date_precision", doc.date_precision),
                ("round", doc.round),
                ("kamerstukken", list(doc.kamerstukken)),
                ("source", f"sources/{doc.source}"),
                ("statements", len(statements)),
            ]
        ),
        f"\n# {doc.id}: {md_inline(doc.title)}\n\n",
        f"{md_inline(doc.kind)} · {human_date(doc.date, doc.date_precision)} · "
        f"round {md_inline(label)} · source `sources/{doc.source}`\n",
    ]
    section = None
    for s in statements:
        if s.section and s.section != section:
            section = s.section
            out.append(f"\n## {md_inline(section)}\n")
        out.append(_statement_block(s, heading="###"))
    return "".join(out).encode("utf-8")


def _statement_block(s: Statement, heading: str, doc_label: str = "") -> str:
    who = md_inline(s.speaker)
    if s.party and s.party != s.speaker:
        who += f" ({md_inline(s.party)})"
    head = f"{heading} {doc_label}{who} · {s.role} · {s.kind} · lines {_span(s.lines)}"
    meta = [f"id `{s.id}`"]
    if s.answers:
        meta.append("answers " + ", ".join(f"`{a}`" for a in s.answers))
    if s.topics:
        meta.append(
            "topics "
            + "; ".join(
                f"{t.topic} ({', '.join(md_inline(x) for x in t.triggers)})" for t in s.topics
            )
        )
    return f"\n{head}\n\n{' · '.join(meta)}\n\n{sentence_lines(s.text)}\n"


_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")


@lru_cache(maxsize=4096)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    """A statement's sentence spans, split once for its document file, its topic blocks
    and its stem counts."""
    from diffview.text.sentences import split_sentences  # writing only: a read needs none

    return tuple(split_sentences(text))


@lru_cache(maxsize=4096)
def sentence_lines(text: str) -> str:
    """Escaped text, one sentence per line, so that `git diff` and `git log -p` show the
    sentences that changed rather than whole paragraphs (markdown still renders consecutive
    lines as one paragraph). Paragraph breaks stay blank lines; line numbers stay in the
    statement heading (per sentence they would change whenever a document moves a line).
    Cached: a statement's text is rendered for its document and again for each topic file
    it is on (splitting sentences was most of a build's time)."""
    out: list[str] = []
    prev = 0
    for start, end in _spans(text):
        if out and _PARAGRAPH_BREAK.search(text, prev, start):
            out.append("")
        out.append(text[start:end])
        prev = end
    return sanitize(_escape_markup("\n".join(out)))  # one pass: it works line by line


def topic_block(s: Statement, doc: Document) -> str:
    """A statement as a topic file shows it; rendering splits sentences, so the planner
    renders each statement once and keeps the block (`plan.py`)."""
    return _statement_block(s, "##", f"{doc.id} · {human_date(doc.date, doc.date_precision)} · ")


def topic_markdown(
    topic: str, round_: str, label: str, docs: list[Document], blocks: list[str], count: int
) -> bytes:
    """The cabinet's statements on `topic` in a round so far: `docs` are the documents
    that hold them, `blocks` their `topic_block`s. It depends on nothing else, so a new
    document rewrites only the topic files it speaks on (and a new round all of them)."""
    out = [
        front_matter(
            [
                ("topic", topic),
                ("round", round_),
                ("label", label),
                ("documents", [d.id for d in docs]),
                ("dates", [d.date.isoformat() for d in docs]),
                ("statements", count),
            ]
        ),
        f"\n# {topic}: cabinet, {md_inline(label)}\n\n",
    ]
    if docs:
        out.append(
            "Documents: "
            + ", ".join(f"{d.id} ({human_date(d.date, d.date_precision)})" for d in docs)
            + "\n"
        )
    else:
        out.append("The cabinet has said nothing on this topic in this round so far.\n")
    out.extend(blocks)
    return "".join(out).encode("utf-8")


def readme_markdown() -> bytes:
    """Static: a file listing every document would be rewritten by every commit."""
    return README.encode("utf-8")


README = """# diffview store

This git repository is generated by `diffview build` / `diffview ingest` from Dutch
parliamentary documents on the EU CSAM regulation. Do not edit it: it is rebuilt from the
sources and your changes would be lost. Clone, fetch and pull it like any repository.

Each commit of the branch adds one document, dated with the document's date; tags `doc-<id>`
mark each document. A round is a set of documents that together state the cabinet's position
at one moment; its tag `round-<yyyy-mm>` marks the round's own commit, on top of the round's
last document, which adds the round's topic files.

* `sources/` the source documents, byte for byte
* `documents/<id>.md` every statement of a document (speaker, role, source lines)
* `statements/<id>.json` the same, machine-readable, one statement per line
* `sentences/<id>.jsonl` where the sentences of a document's cabinet statements are, and how
  many of them contain each word stem (what comparisons read)
* `claims/<id>.jsonl` the positions a document's cabinet sentences state, each on one
  sub-issue, with the words that show it (what position tables read)
* `topics/<topic>.md` (in a round's commit only) the cabinet's statements on a topic in
  that round
* `index.json` the rounds and their labels, the topics (and the store's format)
* `index/<round>.json` a round's documents and its cabinet statement counts per topic

Only README.md, .gitattributes and index.json are checked out (the other files are marked
skip-worktree, so `git status` is clean); `diffview build --worktree` checks out all.
Everything is in the history, and plain git reads it without a checkout:

    git log --date=short --format='%ad %s'
    git tag -n1
    git diff round-2023-10 round-2024-10 -- topics/detection-order.md
    git show round-2024-10:topics/encryption.md
    git show doc-003:documents/003.md

In the markdown files each sentence is on a line of its own, so a diff shows the sentences
that changed; `git diff --word-diff` shows the words. Each statement starts with a heading:
document, date, speaker, role, kind, and the lines of the source it comes from.
"""


# git's built-in markdown diff driver: hunk headers name the statement (`## 003 · ...`)
GITATTRIBUTES = b"*.md diff=markdown\n"


# --- commit and tag messages ----------------------------------------------------------------------


def commit_message(doc: Document, statements: list[Statement], label: str) -> str:
    roles: dict[str, int] = {}
    for s in statements:
        roles[s.role] = roles.get(s.role, 0) + 1
    topics = sorted({t for s in statements for t in s.topic_names})
    role_counts = ", ".join(f"{r} {n}" for r, n in sorted(roles.items())) or "none"
    body = [
        f"Round: {doc.round} ({sanitize_line(label)})",
        f"Kind: {doc.kind}",
        f"Date: {doc.date.isoformat()} (precision: {doc.date_precision})",
        f"Kamerstukken: {', '.join(doc.kamerstukken) or '-'}",
        f"Statements: {len(statements)} ({role_counts})",
        f"Topics: {', '.join(topics) or '-'}",
        f"Source: sources/{doc.source}",
    ]
    if doc.answers:
        body.append(f"Answers: {doc.answers}")
    subject = f"{doc.id}: {sanitize_line(doc.title)} ({human_date(doc.date, doc.date_precision)})"
    return subject + "\n\n" + "\n".join(body) + "\n"


def removal_message(doc: Document, label: str, stamp: str) -> str:
    """The commit that takes a document out: what went and where it still is."""
    subject = f"Remove {doc.id}: {sanitize_line(doc.title)}"
    body = [
        f"Round: {doc.round} ({sanitize_line(label)})",
        f"Removed: {stamp} (diffview remove {doc.id})",
        f"Source: sources/{doc.source}, in the history: git show doc-{doc.id}:sources/{doc.source}",
    ]
    return subject + "\n\n" + "\n".join(body) + "\n"


def round_tag_message(doc: Document, label: str) -> str:
    """The message of a round's tag, which moves on to each document of the round."""
    return f"Round {doc.round} ({sanitize_line(label)}) as of {doc.id}\n"


def round_commit_message(doc: Document, label: str, topics: Iterable[str]) -> str:
    """The message of a round's own commit (off the branch, on top of `doc`, the round's
    last document so far): the topic files it adds."""
    subject = f"Round {doc.round} ({sanitize_line(label)}) as of {doc.id}: topic files"
    files = ", ".join(f"topics/{t}.md" for t in sorted(topics)) or "-"
    return f"{subject}\n\nFiles: {files}\n"
