"""`diffview` command line: a thin view over the core's public functions.

Every sub-command parses its arguments, calls the core, and prints. Errors the user can fix
(`DiffviewError`) become one line on stderr and exit status 2, like diff(1); `compare`
exits 0 when the versions are equal and 1 when they differ. Heavy modules (git, Textual,
markdown-it) are imported only by the commands that need them, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from diffview.errors import DiffviewError
from diffview.sanitize import sanitize_line

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table

    from diffview.model import Statement
    from diffview.store.read import Store
    from diffview.views.plain import View

EXIT_SAME, EXIT_DIFFERENT, EXIT_TROUBLE = 0, 1, 2
FORMATS = ("side-by-side", "inline", "json")


# The bundled corpus, `diffview.corpus.load.BUNDLED_VERSIONS` (a test checks they agree),
# named here so that building the parser does not import the corpus and its parser.
BUNDLED_VERSIONS = (Path(__file__).resolve().parent.parent / "versions").resolve()


def _bundled_versions() -> Path:
    return Path(os.environ.get("DIFFVIEW_VERSIONS", BUNDLED_VERSIONS))


def _store_path(args: argparse.Namespace) -> Path:
    from diffview.store.paths import default_store_path

    return Path(args.store) if args.store else default_store_path()


def _open_store(args: argparse.Namespace) -> Store:
    """Open the store, building it from the bundled corpus on first use."""
    from diffview.store.read import Store

    path = _store_path(args)
    if not path.exists():
        from diffview.pipeline import build_store

        print(f"diffview: building the store at {path} ...", file=sys.stderr)
        build_store(Path(args.versions), path)
    return Store.open(path)


# --- commands -------------------------------------------------------------------------


def cmd_tui(args: argparse.Namespace) -> int:
    from tui.app import run

    return run(store_path=_store_path(args), versions_dir=Path(args.versions))


def cmd_build(args: argparse.Namespace) -> int:
    from diffview.pipeline import build_store

    report = build_store(
        Path(args.versions), _store_path(args), force=args.force, worktree=args.worktree
    )
    if args.format == "json":
        _print_json(
            {
                "action": report.action,
                "store": str(report.store_path),
                "head": report.head,
                "commits": [{"doc": doc_id, "commit": sha} for doc_id, sha in report.commits],
            }
        )
        return 0
    for doc_id, sha in report.commits:
        print(f"{sha[:12]}  doc-{doc_id}")
    print(
        f"{report.action} {report.store_path}: {len(report.commits)} documents, "
        f"head {report.head[:12]} ({report.seconds:.2f} s)"
    )
    return 0


def cmd_export_corpus(args: argparse.Namespace) -> int:
    from diffview.pipeline import export_corpus

    docs = export_corpus(_store_path(args), Path(args.dir))
    print(
        f"wrote {len(docs)} document{'' if len(docs) == 1 else 's'} and manifest.toml to "
        f"{args.dir}; build from it with: diffview build --versions {args.dir}"
    )
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from diffview.ingest import ingest

    doc = ingest(
        Path(args.file),
        Path(args.versions),
        _store_path(args),
        date=args.date,
        title=args.title,
        kind=args.kind,
        doc_id=args.id,
        round=args.round,
        answers=args.answers,
        kamerstukken=args.kamerstuk,
    )
    if args.format == "json":  # the manifest entry, as `topics --format json` names documents
        _print_json(
            {
                "id": doc.id,
                "source": doc.source,
                "title": sanitize_line(doc.title),
                "short_title": sanitize_line(doc.short_title),
                "kind": doc.kind,
                "date": doc.date.isoformat(),
                "round": doc.round,
                "kamerstukken": list(doc.kamerstukken),
                "answers": doc.answers,
            }
        )
        return 0
    print(f"ingested {doc.id}: {sanitize_line(doc.title)} ({doc.date.isoformat()}) as {doc.source}")
    return 0


def _statement_json(s: Statement) -> dict[str, Any]:
    """The store's record of a statement, with the topic names flat (`jq '.[].topics[]'`) and
    their trigger phrases beside them; the line map (offsets into parser text) is left out."""
    from diffview.store.files import statement_to_dict

    data = statement_to_dict(s)
    del data["line_map"]
    data["topics"] = list(s.topic_names)
    data["triggers"] = {t.topic: list(t.triggers) for t in s.topics}
    return data


def _check_known(store: Store, *, topic: str | None = None, doc: str | None = None) -> None:
    """Unknown names are an error, not an empty answer (a typo must not read as "none")."""
    from diffview.corpus.topicnames import ordered

    if topic is not None and topic not in store.topics():
        known = ", ".join(ordered(store.topics()))
        raise DiffviewError(f"unknown topic {topic!r}; known: {known}")
    ids = [d.id for d in store.documents()]
    if doc is not None and doc not in ids:
        raise DiffviewError(f"unknown document {doc!r}; known: {', '.join(ids)}")


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _terminal_width() -> int:
    """The terminal's columns ($COLUMNS first); 120 in a pipe."""
    return shutil.get_terminal_size((120, 24)).columns


def _print_table(table: RenderableType, width: int | None = None) -> None:
    """A Rich table at the terminal's width (or `width`); colour only on a terminal, never
    with NO_COLOR; document text goes in as `Text`, so it is never read as markup."""
    from diffview.views.render import render_table

    columns = width or _terminal_width()
    sys.stdout.write(render_table(table, width=columns, color=_want_color("auto")))


def cmd_statements(args: argparse.Namespace) -> int:
    store = _open_store(args)
    _check_known(store, topic=args.topic, doc=args.doc)
    rows = [
        s
        for s in store.statements(doc=args.doc)
        if (args.topic is None or args.topic in s.topic_names)
        and (args.role is None or s.role == args.role)
    ]
    if args.format == "json":
        _print_json([_statement_json(s) for s in rows])
        return 0
    if args.format == "tsv":  # one line per statement, for grep, cut and spreadsheets
        print("\t".join(("cite", "kind", "role", "speaker", "topics", "text")))
        for s in rows:
            fields = (_cite(s), s.kind, s.role, s.speaker, ",".join(s.topic_names), s.text)
            print("\t".join(" ".join(sanitize_line(f).split()) for f in fields))
    else:
        width = args.width or _terminal_width()
        _print_table(_statements_table(rows, width), width)
    print(f"{len(rows)} statement{'' if len(rows) == 1 else 's'}", file=sys.stderr)
    return 0


def _cite(s: Statement) -> str:
    return f"{s.doc}:{s.lines[0]}-{s.lines[1]}"


def _statements_table(rows: Sequence[Statement], width: int) -> Table:
    """Header row; speakers and topics wrap within their columns, never cut, never run on.
    Below 100 columns speaker and topics share one column, so the text keeps half the width."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    narrow = width < 100
    table = Table(box=box.SIMPLE_HEAD, show_lines=True, pad_edge=False, expand=True)
    table.add_column("statement", no_wrap=True)  # citation, kind, role: one per line
    if narrow:
        table.add_column("speaker / topics", min_width=8, max_width=18)
    else:
        table.add_column("speaker", min_width=8, max_width=18)  # wraps at words, never cut
        table.add_column("topics", min_width=8, overflow="fold")  # one per line
    table.add_column("text", ratio=1, min_width=20, overflow="fold")
    for s in rows:
        speaker = Text(sanitize_line(s.speaker))
        topics = Text("\n".join(sanitize_line(t) for t in s.topic_names) or "—", style="cyan")
        who = [Text("\n").join([speaker, topics])] if narrow else [speaker, topics]
        text = Text(sanitize_line(" ".join(s.text.split())))
        table.add_row(f"{_cite(s)}\n{s.kind}\n{s.role}", *who, text)
    return table


def cmd_topics(args: argparse.Namespace) -> int:
    from diffview.corpus.topicnames import aliases_of, ordered

    store = _open_store(args)
    docs = store.documents()
    counts = store.topic_counts()
    topics = ordered(store.topics())
    if args.format == "json":
        _print_json(
            {
                "documents": [
                    {
                        "id": d.id,
                        "title": sanitize_line(d.title),
                        "short_title": sanitize_line(d.short_title),
                        "round": d.round,
                    }
                    for d in docs
                ],
                "topics": [
                    {
                        "topic": t,
                        "aliases": aliases_of(t),
                        "cabinet_statements": {d.id: counts.get(t, {}).get(d.id, 0) for d in docs},
                        "total": sum(counts.get(t, {}).values()),
                    }
                    for t in topics
                ],
            }
        )
        return 0
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        title="cabinet statements per topic and document",
        title_justify="left",
    )
    table.add_column("topic", no_wrap=True)
    for d in docs:  # in date order; the document's short title says which round
        table.add_column(Text(sanitize_line(f"{d.id} {d.short_title}")), justify="right")
    table.add_column("total", justify="right")
    for topic in topics:
        per_doc = counts.get(topic, {})
        cells = [str(per_doc.get(d.id, 0)) for d in docs]
        table.add_row(Text(sanitize_line(topic)), *cells, str(sum(per_doc.values())))
    _print_table(table)
    return 0


def cmd_log(args: argparse.Namespace) -> int:
    """The versions the app's timeline shows: rounds where the cabinet spoke on the topic."""
    store = _open_store(args)
    _check_known(store, topic=args.topic)
    titles = {d.id: d.short_title for d in store.documents()}
    entries = store.topic_log(args.topic)
    spoken = [e for e in entries if e.statements]
    if args.format == "json":
        _print_json(
            [
                {
                    "round": e.version.round,
                    "label": e.version.label,
                    "tag": e.version.tag,
                    "commit": e.commit,
                    "date": e.date.isoformat(),
                    "cabinet_statements": e.statements,
                    "documents": [
                        {"id": doc, "short_title": titles.get(doc, ""), "cabinet_statements": n}
                        for doc, n in e.per_doc
                        if n
                    ],
                }
                for e in spoken
            ]
        )
        return 0
    for entry in spoken:
        per_doc = ", ".join(f"{doc} {titles.get(doc, '')}: {n}" for doc, n in entry.per_doc if n)
        line = (
            f"{entry.date.isoformat()}  {entry.version.label:<9} {entry.version.tag:<14} "
            f"{entry.commit[:12]}  {entry.statements:>3} cabinet "
            f"statement{'' if entry.statements == 1 else 's'} ({per_doc})"
        )
        print(sanitize_line(line))
    silent = [e.version.label for e in entries if not e.statements]
    if silent:
        print(
            f"(no cabinet statement on {args.topic} in {', '.join(silent)})",
            file=sys.stderr,
        )
    return 0


def _want_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def cmd_compare(args: argparse.Namespace) -> int:
    from diffview.views import plain

    if args.files and args.topic:
        raise DiffviewError("compare takes a TOPIC or --files A B, not both")
    view = plain.View()
    if args.files:
        from diffview.diff import compare

        comparison = compare.compare_files(Path(args.files[0]), Path(args.files[1]))
    else:
        if not args.topic:
            raise DiffviewError("compare needs a TOPIC, or --files A B")
        from diffview.positions import table as positions

        store = _open_store(args)
        comparison = positions.compare_with_evidence(store, args.topic, args.from_, args.to)
    fmt = args.format or ("side-by-side" if sys.stdout.isatty() else "inline")
    if not args.files and fmt != "json":  # JSON carries no lead and no focus
        view = _positions_view(store, args.topic, args.from_, args.to, args.focus)
    color = _want_color(args.color)
    width = args.width or shutil.get_terminal_size((120, 24)).columns
    if fmt == "json":
        out = plain.comparison_to_json(comparison)
    elif (
        fmt == "inline"
        and not color
        and (text := plain.render_inline_plain(comparison, width=width, view=view))
    ):
        out = text  # a pipe's layout, written without Rich (the same bytes)
    else:
        from diffview.views import render  # Rich: the terminal layouts

        if fmt == "inline":
            out = render.render_inline(comparison, width=width, color=color, view=view)
        else:
            out = render.render_side_by_side(comparison, width=width, color=color, view=view)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return EXIT_DIFFERENT if comparison.has_changes else EXIT_SAME


def _positions_view(
    store: Store, topic: str, from_: str | None, to: str | None, focus: bool
) -> View:
    """The positions a topic comparison leads with, and its focus (render.View)."""
    from diffview import present
    from diffview.positions import table as positions
    from diffview.views.plain import View

    if not positions.has_positions(topic):
        return View()
    versions = store.versions(topic)
    old = store.resolve_version(from_) if from_ else versions[0]
    new = store.resolve_version(to) if to else versions[-1]
    table = positions.topic_positions(store, topic, rounds={old.round, new.round})
    lead = (
        tuple(present.pair_summary(table, old.round, new.round)) if old.round != new.round else ()
    )
    return View(lead=lead, claimed=table.claimed if focus else None)


def cmd_positions(args: argparse.Namespace) -> int:
    from diffview.corpus.topics import load_rules
    from diffview.positions import table as positions

    rules = load_rules(Path(args.rules) if args.rules else None)  # checked before any work
    store = _open_store(args)
    table = positions.topic_positions(store, args.topic, rules)
    if args.format == "json":
        print(json.dumps(positions.positions_to_json(table), ensure_ascii=False, indent=2))
        return EXIT_SAME
    from diffview.views import render

    width = shutil.get_terminal_size((120, 24)).columns
    sys.stdout.write(render.render_positions(table, width=width, color=_want_color("auto")))
    return EXIT_SAME


def cmd_changelog(args: argparse.Namespace) -> int:
    """Streams: each pair of rounds is compared, written and dropped before the next."""
    from diffview.corpus.topicnames import followed_topics
    from diffview.views import changelog
    from diffview.views.markdown import html_chunks

    if args.output and args.html and Path(args.output).resolve() == Path(args.html).resolve():
        raise DiffviewError(f"{args.output}: -o and --html name the same file")
    store = _open_store(args)
    topics = args.topic or followed_topics()
    chunks = changelog.changelog_chunks(store, topics, args.from_, args.to, full=args.full)
    first = next(chunks)  # the topics and the range are checked before anything is written
    with ExitStack() as files:
        md_out = sys.stdout if not args.html else None
        if args.output:
            md_out = files.enter_context(open(args.output, "w", encoding="utf-8"))
        html_out = None
        if args.html:
            html_out = files.enter_context(open(args.html, "w", encoding="utf-8"))

        def pieces() -> Iterator[str]:
            for chunk in itertools.chain([first], chunks):
                if md_out is not None:
                    md_out.write(chunk)
                yield chunk

        title = "diffview changelog: " + ", ".join(topics)
        for piece in html_chunks(pieces(), title) if html_out else pieces():
            if html_out is not None:
                html_out.write(piece)
    if args.output:
        print(f"wrote {args.output}", file=sys.stderr)
    if args.html:
        print(f"wrote {args.html}", file=sys.stderr)
    return 0


# --- argument parsing -----------------------------------------------------------------


def _columns(value: str) -> int:
    """A width the layout can honour: a whole number of at least 20 columns."""
    if not value.isdigit() or int(value) < 20:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 20, got {value!r}")
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
        default=str(_bundled_versions()) if top else argparse.SUPPRESS,
        help="corpus directory with manifest.toml (default: the bundled versions/)",
    )


class _HelpFormatter(argparse.HelpFormatter):
    """Prose wrapped to the terminal; indented lines (the examples) kept as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
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
    from diffview.corpus.topicnames import described
    from diffview.model import DOC_KINDS, ROLES

    topics = described()
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
    p.add_argument("file", help="the document as text (UTF-8 or UTF-16), as extracted from its PDF")
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
    p.add_argument("--id", help="document id, three digits (default: the next free number)")
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
    p.add_argument(
        "--focus",
        action="store_true",
        help="only rows stating a position or paired across the two rounds",
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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func = getattr(args, "func", cmd_tui)
    try:
        return func(args)
    except DiffviewError as error:
        print(f"diffview: {sanitize_line(str(error))}", file=sys.stderr)
        return EXIT_TROUBLE
    except BrokenPipeError:  # `diffview log X | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no flush error at exit
        return EXIT_SAME
    except OSError as error:  # unwritable output, read-only store, full disk: one line too
        where = f"{error.filename}: " if error.filename else ""
        print(f"diffview: {sanitize_line(where + (error.strerror or str(error)))}", file=sys.stderr)
        return EXIT_TROUBLE
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug or a library error: exit 2, one line
        # Exit 1 would mean "differences" for compare; a traceback is not for users.
        if os.environ.get("DIFFVIEW_DEBUG"):
            raise
        text = " ".join(str(error).split())[:300]
        print(
            f"diffview: unexpected error ({type(error).__name__}): {sanitize_line(text)} "
            "(DIFFVIEW_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_TROUBLE


if __name__ == "__main__":
    sys.exit(main())
