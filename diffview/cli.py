"""`diffview` command line: a thin view over the core's public functions.

Every sub-command parses its arguments, calls the core, and prints. Errors the user can fix
(`DiffviewError`) become one line on stderr and exit status 2, like diff(1); `compare`
exits 0 when the versions are equal and 1 when they differ. Heavy modules (git, Textual,
markdown-it) are imported only by the commands that need them, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from diffview.errors import DiffviewError
from diffview.sanitize import sanitize_line

if TYPE_CHECKING:
    from diffview.model import Statement

EXIT_SAME, EXIT_DIFFERENT, EXIT_TROUBLE = 0, 1, 2
FORMATS = ("side-by-side", "inline", "json")


def _bundled_versions() -> Path:
    from diffview.corpus import BUNDLED_VERSIONS

    return Path(os.environ.get("DIFFVIEW_VERSIONS", BUNDLED_VERSIONS))


def _store_path(args: argparse.Namespace) -> Path:
    from diffview.store import default_store_path

    return Path(args.store) if args.store else default_store_path()


def _open_store(args: argparse.Namespace):  # -> Store (imported lazily)
    """Open the store, building it from the bundled corpus on first use."""
    from diffview.store import Store, build_store

    path = _store_path(args)
    if not path.exists():
        print(f"diffview: building the store at {path} ...", file=sys.stderr)
        build_store(Path(args.versions), path)
    return Store.open(path)


# --- commands -------------------------------------------------------------------------


def cmd_tui(args: argparse.Namespace) -> int:
    from tui.app import run

    return run(store_path=_store_path(args), versions_dir=Path(args.versions))


def cmd_build(args: argparse.Namespace) -> int:
    from diffview.store import build_store

    report = build_store(Path(args.versions), _store_path(args))
    for doc_id, sha in report.commits:
        print(f"{sha[:12]}  doc-{doc_id}")
    print(
        f"{report.action} {report.store_path}: {len(report.commits)} documents, "
        f"head {report.head[:12]} ({report.seconds:.2f} s)"
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
    )
    print(f"ingested {doc.id}: {sanitize_line(doc.title)} ({doc.date.isoformat()}) as {doc.source}")
    return 0


def _statement_json(s: Statement) -> dict:
    """The store's record of a statement, with the topic names flat (`jq '.[].topics[]'`) and
    their trigger phrases beside them; the line map (offsets into parser text) is left out."""
    from diffview.storefiles import statement_to_dict

    data = statement_to_dict(s)
    del data["line_map"]
    data["topics"] = list(s.topic_names)
    data["triggers"] = {t.topic: list(t.triggers) for t in s.topics}
    return data


def _check_known(store, *, topic: str | None = None, doc: str | None = None) -> None:
    """Unknown names are an error, not an empty answer (a typo must not read as "none")."""
    if topic is not None and topic not in store.topics():
        raise DiffviewError(f"unknown topic {topic!r}; known: {', '.join(store.topics())}")
    ids = [d.id for d in store.documents()]
    if doc is not None and doc not in ids:
        raise DiffviewError(f"unknown document {doc!r}; known: {', '.join(ids)}")


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
        print(json.dumps([_statement_json(s) for s in rows], ensure_ascii=False, indent=2))
        return 0
    # On a terminal each row fits the width; in a pipe rows keep their whole text (for grep).
    width = shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else None
    for s in rows:
        cite = f"{s.doc}:{s.lines[0]}-{s.lines[1]}"
        head = f"{cite:<14}{s.kind:<9}{s.role:<11}{s.speaker[:24]:<25}{','.join(s.topic_names):<34}"
        line = sanitize_line(head + " ".join(s.text.split()))  # first, so cuts are honest
        if width is not None and len(line) > width:
            line = line[: max(width - 1, len(head) + 10)] + "…"
        print(line)
    print(f"{len(rows)} statement{'' if len(rows) == 1 else 's'}", file=sys.stderr)
    return 0


def cmd_topics(args: argparse.Namespace) -> int:
    store = _open_store(args)
    docs = store.documents()
    counts = store.topic_counts()
    header = f"{'topic':<18}" + "".join(f"{d.id:>6}" for d in docs) + f"{'total':>7}"
    print(header)
    for topic in store.topics():
        per_doc = counts.get(topic, {})
        cells = "".join(f"{per_doc.get(d.id, 0):>6}" for d in docs)
        print(f"{topic:<18}{cells}{sum(per_doc.values()):>7}")
    print("(cabinet statements per document)", file=sys.stderr)
    return 0


def cmd_log(args: argparse.Namespace) -> int:
    store = _open_store(args)
    _check_known(store, topic=args.topic)
    for entry in store.topic_log(args.topic):
        per_doc = ", ".join(f"{doc}: {n}" for doc, n in entry.per_doc)
        line = (
            f"{entry.date.isoformat()}  {entry.version.label:<9} {entry.version.tag:<14} "
            f"{entry.commit[:12]}  {entry.statements:>3} cabinet "
            f"statement{'' if entry.statements == 1 else 's'} ({per_doc})"
        )
        print(sanitize_line(line))
    return 0


def _want_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def cmd_compare(args: argparse.Namespace) -> int:
    from diffview import compare, render

    if args.files and args.topic:
        raise DiffviewError("compare takes a TOPIC or --files A B, not both")
    if args.files:
        comparison = compare.compare_files(Path(args.files[0]), Path(args.files[1]))
    else:
        if not args.topic:
            raise DiffviewError("compare needs a TOPIC, or --files A B")
        store = _open_store(args)
        comparison = compare.compare_versions(store, args.topic, args.from_, args.to)
    fmt = args.format or ("side-by-side" if sys.stdout.isatty() else "inline")
    color = _want_color(args.color)
    width = args.width or shutil.get_terminal_size((120, 24)).columns
    if fmt == "json":
        out = render.comparison_to_json(comparison)
    elif fmt == "inline":
        out = render.render_inline(comparison, width=width, color=color)
    else:
        out = render.render_side_by_side(comparison, width=width, color=color)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return EXIT_DIFFERENT if comparison.has_changes else EXIT_SAME


def cmd_changelog(args: argparse.Namespace) -> int:
    from diffview import changelog

    if args.output and args.html and Path(args.output).resolve() == Path(args.html).resolve():
        raise DiffviewError(f"{args.output}: -o and --html name the same file")
    store = _open_store(args)
    topics = args.topic or ["detection-order", "encryption", "derogation"]
    md = changelog.changelog_markdown(store, topics, args.from_, args.to, full=args.full)
    if args.output:
        Path(args.output).write_text(md, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    elif not args.html:
        sys.stdout.write(md)
    if args.html:
        title = "diffview changelog: " + ", ".join(topics)
        Path(args.html).write_text(changelog.markdown_to_html(md, title), encoding="utf-8")
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
        default=None if top else argparse.SUPPRESS,
        help="store path (default: $DIFFVIEW_STORE, else $XDG_DATA_HOME/diffview/store, "
        "else ~/.local/share/diffview/store)",
    )
    parser.add_argument(
        "--versions",
        default=str(_bundled_versions()) if top else argparse.SUPPRESS,
        help="corpus directory with manifest.toml (default: the bundled versions/)",
    )


def _command(
    sub: argparse._SubParsersAction,
    name: str,
    summary: str,
    func: Callable[[argparse.Namespace], int],
) -> argparse.ArgumentParser:
    """A sub-command that runs `func` and takes the common options."""
    parser = sub.add_parser(name, help=summary)
    _common(parser)
    parser.set_defaults(func=func)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="diffview",
        description="How the Dutch cabinet's wording on the EU CSAM regulation changed.",
    )
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    _command(sub, "tui", "open the terminal app (the default)", cmd_tui)
    _command(sub, "build", "build the git-backed store from the corpus", cmd_build)

    p = _command(sub, "ingest", "add a document to the corpus and the store", cmd_ingest)
    p.add_argument("file")
    p.add_argument("--date", required=True, help="YYYY-MM-DD (or YYYY-MM)")
    p.add_argument("--title")
    p.add_argument("--kind", help="written-consultation, answers, debate-report, ...")
    p.add_argument("--id", help="document id (default: next free number)")
    p.add_argument("--round", help="round it belongs to, e.g. 2026-03 (default: its month)")
    p.add_argument("--answers", help="id of the document it answers or revises")

    p = _command(sub, "statements", "list statements", cmd_statements)
    p.add_argument("--doc")
    p.add_argument("--topic")
    p.add_argument("--role", choices=("parliament", "cabinet", "chair"))
    p.add_argument("--format", choices=("table", "json"), default="table")

    _command(sub, "topics", "topics with cabinet statements per document", cmd_topics)

    p = _command(sub, "log", "the versions of a topic, newest first", cmd_log)
    p.add_argument("topic")

    p = _command(sub, "compare", "semantic diff of a topic between two versions", cmd_compare)
    p.add_argument("topic", nargs="?")
    p.add_argument("from_", metavar="FROM", nargs="?", help="round (2023-10), doc id or tag")
    p.add_argument("to", metavar="TO", nargs="?")
    p.add_argument("--files", nargs=2, metavar=("A", "B"), help="compare two text files")
    p.add_argument("--format", choices=FORMATS)
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    p.add_argument("--width", type=_columns, help="columns (default: the terminal's)")

    p = _command(sub, "changelog", "markdown changelog of the topics' versions", cmd_changelog)
    p.add_argument("--topic", action="append", help="topic (repeatable; default: the three)")
    p.add_argument("--from", dest="from_")
    p.add_argument("--to")
    p.add_argument("-o", "--output", help="write markdown here instead of stdout")
    p.add_argument("--html", help="also render a standalone HTML page here")
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
    except Exception as error:  # noqa: BLE001 - a bug or a library error: exit 2, one line
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
