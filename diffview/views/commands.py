"""What each `diffview` sub-command does: call the core's public functions and print.

Heavy modules (git, Textual, markdown-it, Rich) are imported only by the commands that need
them, so `--help` and a read into a pipe stay fast (`cli.py` parses, `parser.py` declares).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from diffview.errors import DiffviewError, unknown_name
from diffview.sanitize import sanitize_line

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table

    from diffview.model import Comparison, Statement
    from diffview.store.read import Store
    from diffview.views.plain import View

EXIT_SAME, EXIT_DIFFERENT, EXIT_TROUBLE = 0, 1, 2
FORMATS = ("side-by-side", "inline", "json")


# The bundled corpus, `diffview.corpus.load.BUNDLED_VERSIONS` (a test checks they agree),
# named here so that building the parser does not import the corpus and its parser.
BUNDLED_VERSIONS = (Path(__file__).resolve().parent.parent / "versions").resolve()


def bundled_versions() -> Path:
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
        from diffview.positions.table import keep_ahead_after_build

        keep_ahead_after_build(path)
    return Store.open(path)


# --- commands -------------------------------------------------------------------------


def cmd_tui(args: argparse.Namespace) -> int:
    from tui.app import run

    return run(store_path=_store_path(args), versions_dir=Path(args.versions))


BUILD_LINES = 20  # commits a text build lists; the JSON lists all


def cmd_build(args: argparse.Namespace) -> int:
    from diffview.pipeline import build_store

    report = build_store(
        Path(args.versions), _store_path(args), force=args.force, worktree=args.worktree
    )
    if report.changed:  # an unchanged store keeps what it had; a cleared cache fills on use
        from diffview.positions.table import keep_ahead_after_build

        keep_ahead_after_build(report.store_path)
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
    shown = report.commits[-BUILD_LINES:]
    if len(report.commits) > len(shown):  # a thousand lines would bury the summary
        print(
            f"… {len(report.commits) - len(shown)} earlier commits "
            f"(all of them: git -C {report.store_path} log --oneline)"
        )
    for doc_id, sha in shown:
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


def cmd_remove(args: argparse.Namespace) -> int:
    from diffview.corpus.manifest import removal_stamp
    from diffview.remove import remove

    store = _store_path(args)
    removal = remove(args.id, Path(args.versions), store)
    doc = removal.doc
    if args.format == "json":
        _print_json({"id": doc.id, "source": doc.source, "removed": removal_stamp(removal.at)})
        return 0
    print(
        f"removed {doc.id}: {sanitize_line(doc.title)}, with a new commit on top of {store}; "
        f"its earlier commits keep it (git show doc-{doc.id}:sources/{doc.source}), and its "
        f"source stays in {args.versions}, marked removed in manifest.toml, so a build makes "
        "the same history"
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
        raise unknown_name("topic", topic, ordered(store.topics()))
    ids = [d.id for d in store.documents()]
    if doc is not None and doc not in ids:
        raise unknown_name("document", doc, ids)


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _terminal_width() -> int:
    """The terminal's columns ($COLUMNS first); 120 in a pipe."""
    import shutil  # not for JSON: shutil imports the compression modules

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
    view = _rows_view(args)
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
        lead, claimed = _positions_view(store, args.topic, args.from_, args.to)
        view = replace(view, lead=lead, claimed=claimed if view.claimed is not None else None)
    color = _want_color(args.color)
    width = 0 if fmt == "json" else args.width or _terminal_width()
    if fmt == "json":
        out = plain.comparison_to_json(comparison, context=_json_context(args))
    elif not color and (text := _plain_layout(fmt, comparison, width, view)):
        out = text  # a pipe's layout, written without Rich (the same bytes)
    else:
        from diffview.views import render  # Rich: the terminal layouts

        if fmt == "inline":
            out = render.render_inline(comparison, width=width, color=color, view=view)
        else:
            out = render.render_side_by_side(comparison, width=width, color=color, view=view)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return EXIT_DIFFERENT if comparison.has_changes else EXIT_SAME


def _plain_layout(fmt: str, comparison: Comparison, width: int, view: View) -> str | None:
    """The layout without colour, written without Rich (Rich's import and table layout were
    most of a side-by-side process); None when Rich must lay it out (wide characters)."""
    from diffview.views import plain

    if fmt == "inline":
        return plain.render_inline_plain(comparison, width=width, view=view)
    return plain.render_side_by_side_plain(comparison, width=width, view=view)


def _context(args: argparse.Namespace) -> int | None:
    """Unchanged rows shown around each change: `--context`, or every row with `--all`."""
    from diffview import present

    if args.all:
        return None
    return present.DEFAULT_CONTEXT if args.context is None else args.context


def _json_context(args: argparse.Namespace) -> int | None:
    """JSON is for programs, so it lists every row unless asked: the JSON of two files
    collapses unchanged runs only with an explicit `--context N` (a 1 MB pair: 9.9 → 5 MB);
    a topic's JSON always lists every row."""
    return None if args.all or args.context is None or not args.files else args.context


def _rows_view(args: argparse.Namespace) -> View:
    """Which rows the text layouts print: `--focus` (no positions, as for `--files`: the
    changed pairs), `--all`, else the changes with `--context` rows around them."""
    from diffview.views.plain import View

    if args.focus:
        return View(claimed=frozenset())
    return View(context=_context(args))


def _positions_view(
    store: Store, topic: str, from_: str | None, to: str | None
) -> tuple[tuple[str, ...], frozenset[str]]:
    """The positions a topic comparison leads with, and the sentences stating them (the
    focus)."""
    from diffview import present
    from diffview.positions import table as positions

    if not positions.has_positions(topic):
        return (), frozenset()
    versions = store.versions(topic)
    old = store.resolve_version(from_) if from_ else versions[0]
    new = store.resolve_version(to) if to else versions[-1]
    table = positions.topic_positions(store, topic, rounds={old.round, new.round})
    lead = (
        tuple(present.pair_summary(table, old.round, new.round)) if old.round != new.round else ()
    )
    return lead, table.claimed


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

    width = _terminal_width()
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
