"""The `diffview` command's arguments: every sub-command, its options, help and examples
(argparse, with the examples in each command's epilog)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

from diffview.views.commands import (
    FORMATS,
    bundled_versions,
    cmd_build,
    cmd_changelog,
    cmd_compare,
    cmd_export_corpus,
    cmd_ingest,
    cmd_log,
    cmd_positions,
    cmd_remove,
    cmd_statements,
    cmd_topics,
    cmd_tui,
)

# --- argument parsing -----------------------------------------------------------------


def _columns(value: str) -> int:
    """A width the layout can honour: a whole number of at least 20 columns."""
    if not value.isdigit() or int(value) < 20:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 20, got {value!r}")
    return int(value)


def _count(value: str) -> int:
    """A number of rows: a whole number, 0 or more."""
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"must be a whole number, got {value!r}")
    return int(value)


def _common(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """--store and --versions, accepted before or after the sub-command.

    Sub-parsers use SUPPRESS so that an option given before the sub-command is not
    overwritten by the sub-parser's default (an argparse pitfall).
    """
    parser.add_argument(
        "--store",
        metavar="PATH",
        default=None if top else argparse.SUPPRESS,
        help="store path (default: $DIFFVIEW_STORE, else $XDG_DATA_HOME/diffview/store, "
        "else ~/.local/share/diffview/store)",
    )
    parser.add_argument(
        "--versions",
        metavar="DIR",
        default=str(bundled_versions()) if top else argparse.SUPPRESS,
        help="corpus directory with manifest.toml (default: the bundled versions/)",
    )


# Where help names the topics: filled in when help is shown (`_with_topics`), so a command
# that shows none reads no topic rules.
TOPICS = "<topics>"


def _with_topics(text: str) -> str:
    if TOPICS not in text:
        return text
    from diffview.corpus.topicnames import described

    return text.replace(TOPICS, described())


class _HelpFormatter(argparse.HelpFormatter):
    """Prose wrapped to the terminal; indented lines (the examples) kept as written; the
    topics named where help says `TOPICS`."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = super()._get_help_string(action)
        return None if text is None else _with_topics(text)

    def _format_text(self, text: str) -> str:
        return super()._format_text(_with_topics(text))

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import textwrap  # only to show help

        lines = []
        for line in text.splitlines():
            if line.startswith("  ") or not line.strip():
                lines.append(indent + line)
            else:
                lines.append(
                    textwrap.fill(line, width, initial_indent=indent, subsequent_indent=indent)
                )
        return "\n".join(lines)


def _topic(value: str) -> str:
    """A topic as typed: Dutch names (`detectiebevel`) and any case mean the topic."""
    from diffview.corpus.topicnames import canonical

    return canonical(value)


def _command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    func: Callable[[argparse.Namespace], int],
    *,
    description: str = "",
    examples: Sequence[str] = (),
) -> argparse.ArgumentParser:
    """A sub-command that runs `func`, takes the common options and shows its examples."""
    epilog = "examples:\n" + "\n".join(f"  {e}" for e in examples) if examples else None
    parser = sub.add_parser(
        name,
        help=summary,
        description=description or summary[:1].upper() + summary[1:] + ".",
        epilog=epilog,
        formatter_class=_HelpFormatter,
    )
    _common(parser)
    parser.set_defaults(func=func)
    return parser


VERSION_HELP = (
    "a round (2024-10, or 2024 when the year has one), a document id (003: the round as of "
    "that document) or a store tag (round-2024-10, doc-003)"
)


def build_parser() -> argparse.ArgumentParser:
    from diffview.model import DOC_KINDS, ROLES

    topics = TOPICS
    parser = argparse.ArgumentParser(
        prog="diffview",
        description="How the Dutch cabinet's wording on the EU CSAM regulation changed.",
        epilog=(
            f"topics: {topics}\n\n"
            "examples:\n"
            "  diffview                                   the app\n"
            "  diffview compare detectiebevel 2023-10 2024-10\n"
            "  diffview statements --topic encryption --role cabinet\n"
            "  diffview COMMAND --help                    a command's options and examples"
        ),
        formatter_class=_HelpFormatter,
    )
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    _command(
        sub,
        "tui",
        "open the terminal app (the default)",
        cmd_tui,
        description="Open the terminal app on the store (built from the corpus on first use).",
        examples=("diffview tui", "diffview tui --store /tmp/store"),
    )
    p = _command(
        sub,
        "build",
        "build the git-backed store from the corpus",
        cmd_build,
        description="(Re)build the store from the corpus: one commit and tag per document; "
        "deterministic (same sources, same commit ids), atomic and locked.",
        examples=(
            "diffview build",
            "diffview build --store /tmp/store --versions my-versions/",
            "diffview build --format json | jq -r .head",
        ),
    )
    p.add_argument(
        "--worktree",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="check out every file of the store (--no-worktree: only README.md, "
        ".gitattributes and index.json, the default; git log/show/diff work either way)",
    )
    p.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or json"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="also when the store holds documents the corpus lacks: they are dropped "
        "(without it, such a build is refused; `diffview export-corpus DIR` gets them)",
    )

    p = _command(
        sub,
        "export-corpus",
        "write the store's corpus (manifest and sources) into a new directory",
        cmd_export_corpus,
        description="Write the store's corpus into DIR, a new or empty directory: "
        "manifest.toml with every document and round label, and each source byte for byte, "
        "so that `diffview build --versions DIR` makes the same store (the same commit ids "
        "with the same diffview). For a store holding documents your versions/ lacks (a "
        "teammate's ingest) or a store from another corpus.",
        examples=(
            "diffview export-corpus ../team-versions",
            "diffview export-corpus /tmp/v --store /tmp/store && diffview build --versions /tmp/v",
        ),
    )
    p.add_argument("dir", metavar="DIR", help="a directory that does not exist yet, or is empty")

    p = _command(
        sub,
        "ingest",
        "add a document to the corpus and the store",
        cmd_ingest,
        description="Copy a document into the corpus, add it to the manifest and extend the "
        "store. Every check runs first: a refused document changes nothing.",
        examples=(
            'diffview ingest verslag.txt --date 2026-06-12 --title "Verslag schriftelijk '
            'overleg JBZ-Raad juni 2026"',
            "diffview ingest antwoorden.txt --date 2026-06 --kind answers --answers 005",
        ),
    )
    p.add_argument("file", help="the document: text (UTF-8 or UTF-16), a PDF, or the official XML")
    p.add_argument(
        "--date",
        help="the document's date: YYYY-MM-DD, or YYYY-MM when only the month is known "
        "(from 1990 to today); default: the date the text states",
    )
    p.add_argument("--title", help="its full title (default: guessed from the text)")
    p.add_argument(
        "--kind",
        help=f"one of {', '.join(DOC_KINDS)} (default: guessed from the text)",
    )
    p.add_argument(
        "--id", help="document id, at least three digits (default: the next free number)"
    )
    p.add_argument(
        "--round",
        help="the round it belongs to, YYYY-MM, e.g. 2026-03 (default: its own month)",
    )
    p.add_argument("--answers", help="id of the document it answers or revises, e.g. 004")
    p.add_argument(
        "--kamerstuk",
        action="append",
        metavar="NUMBER",
        help="its Kamerstuk, '32317' or '32317 nr. 995', repeatable "
        "(default: the number its first lines state)",
    )
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default) or json (the new manifest entry)",
    )

    p = _command(
        sub,
        "remove",
        "undo an ingest: take a document out of the store (a new commit)",
        cmd_remove,
        description="Take document ID out of the store with a new commit on top; the "
        "earlier commits keep it (git show doc-ID:sources/...). Its source stays in the "
        "corpus, its manifest entry marked `removed`, so a build from the corpus makes "
        "the same history; its id is never given to another document. Refused, changing "
        "nothing: an unknown or removed id, a document another one answers (remove that "
        "one first), the last document.",
        examples=("diffview remove 005", "diffview remove 005 --format json"),
    )
    p.add_argument("id", metavar="ID", help="the document's id, e.g. 005")
    p.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or json"
    )

    p = _command(
        sub,
        "statements",
        "list statements: who said what, where",
        cmd_statements,
        description="The statements of the store: each with its citation (document:lines), "
        "kind, role, speaker, topics and text.",
        examples=(
            "diffview statements --doc 002",
            "diffview statements --topic versleuteling --role cabinet",
            "diffview statements --format json | jq '.[].speaker'",
            "diffview statements --format tsv | grep -i onthouden",
        ),
    )
    p.add_argument(
        "--doc", metavar="ID", help="only this document's (000, 002, ...: see `diffview topics`)"
    )
    p.add_argument("--topic", type=_topic, help=f"only statements on TOPIC: {topics}")
    p.add_argument("--role", choices=ROLES, help="only statements by this role")
    p.add_argument(
        "--format",
        choices=("table", "tsv", "json"),
        default="table",
        help="table (default; wraps to the terminal), tsv (one line each, a header row) or "
        "json (the store's records, with the phrases that triggered each topic)",
    )
    p.add_argument(
        "--width", type=_columns, metavar="N", help="table width (default: the terminal's)"
    )

    p = _command(
        sub,
        "topics",
        "topics with cabinet statements per document",
        cmd_topics,
        description="How many cabinet statements each document holds on each topic; "
        "documents in date order, topics in the order of the topic rules.",
        examples=("diffview topics", "diffview topics --format json"),
    )
    p.add_argument("--format", choices=("table", "json"), default="table", help="table or json")

    p = _command(
        sub,
        "log",
        "the versions of a topic, newest first",
        cmd_log,
        description="The versions of a topic, newest first: the rounds in which the cabinet "
        "spoke on it (the app's timeline), with tag, commit and statements per document.",
        examples=("diffview log detection-order", "diffview log derogatie --format json"),
    )
    p.add_argument("topic", type=_topic, metavar="TOPIC", help=topics)
    p.add_argument("--format", choices=("text", "json"), default="text", help="text or json")

    p = _command(
        sub,
        "compare",
        "semantic diff of a topic between two versions",
        cmd_compare,
        description="The cabinet's sentences on a topic, FROM beside TO, aligned by meaning, "
        "each cited to its source lines. Exit status as diff(1): 0 no differences, "
        "1 differences, 2 trouble.",
        examples=(
            "diffview compare detection-order 2023-10 2024-10",
            "diffview compare versleuteling 2024-10 2026-03 --format inline --color never",
            "diffview compare derogation --format json > derogation.json",
            "diffview compare --files old.txt new.txt",
            "diffview compare --files old.txt new.txt --context 3",
            "diffview compare --files old.txt new.txt --all",
        ),
    )
    p.add_argument("topic", nargs="?", type=_topic, metavar="TOPIC", help=topics)
    p.add_argument(
        "from_", metavar="FROM", nargs="?", help=f"{VERSION_HELP} (default: the first round)"
    )
    p.add_argument("to", metavar="TO", nargs="?", help="as FROM (default: the last round)")
    p.add_argument("--files", nargs=2, metavar=("A", "B"), help="compare two text files")
    p.add_argument(
        "--format",
        choices=FORMATS,
        help="side-by-side (default on a terminal), inline (redline; default in a pipe) or json "
        "(schema at the top of diffview/views/plain.py)",
    )
    p.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="auto (default: on a terminal, unless NO_COLOR is set), always or never",
    )
    p.add_argument("--width", type=_columns, metavar="N", help="columns (default: the terminal's)")
    rows = p.add_mutually_exclusive_group()
    rows.add_argument(
        "--focus",
        action="store_true",
        help="only rows stating a position or paired across the two sides with a change",
    )
    rows.add_argument(
        "--all",
        action="store_true",
        help="every row, the unchanged ones too (by default each run of unchanged sentences "
        "is one line, as in diff(1); the JSON has every row unless --files with --context N)",
    )
    p.add_argument(
        "--context",
        type=_count,
        metavar="N",
        # the default is present.DEFAULT_CONTEXT (not imported here: the parser loads fast)
        help="unchanged rows shown before and after each change (default 1; not with --focus)",
    )

    p = _command(
        sub,
        "positions",
        "what the cabinet holds on each sub-issue of a topic, round by round, cited",
        cmd_positions,
        description="Per sub-issue one line per round: the stance (supports, supports on "
        "conditions, abstains, opposes, undecided, or silent) and the sentences that state it "
        "most directly, cited document:lines; then where the stance moved.",
        examples=(
            "diffview positions detection-order",
            "diffview positions derogation --format json",
            "diffview positions encryption --rules my-topics.toml",
        ),
    )
    p.add_argument("topic", type=_topic, metavar="TOPIC", help=topics)
    p.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table (default) or json (schema in README.md)",
    )
    p.add_argument(
        "--rules",
        metavar="FILE",
        help="topic rules with your own sub-issues (default: the bundled topics.toml)",
    )

    p = _command(
        sub,
        "changelog",
        "markdown changelog of the topics' versions",
        cmd_changelog,
        description="The story as markdown (and HTML): per topic and version pair a summary, "
        "stance changes first, each quote with its citation.",
        examples=(
            "diffview changelog -o changes.md --html changes.html",
            "diffview changelog --topic detectiebevel --from 2023-10 --to 2024-10",
        ),
    )
    p.add_argument(
        "--topic",
        action="append",
        type=_topic,
        help=f"topic, repeatable (default: the followed ones): {topics}",
    )
    p.add_argument(
        "--from", dest="from_", metavar="VERSION", help=f"from this version: {VERSION_HELP}"
    )
    p.add_argument("--to", metavar="VERSION", help="up to this version (default: the last)")
    p.add_argument("-o", "--output", metavar="FILE", help="write markdown here instead of stdout")
    p.add_argument("--html", metavar="FILE", help="also render a standalone HTML page here")
    p.add_argument("--full", action="store_true", help="also list unchanged sentences")
    return parser
