"""The `diffview` command line as a user drives it: exit codes, formats, errors on one line."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run, tree_hash

from diffview.views.cli import main
from diffview.views.parser import build_parser


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus built once for the whole module."""
    path = tmp_path_factory.mktemp("cli") / "store"
    assert main(["build", "--store", str(path)]) == 0
    return path


def run_on(store: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`run` against the module's store (options are accepted after the sub-command's)."""
    return run(capsys, *argv, "--store", str(store))


def test_a_long_build_lists_its_last_commits_and_says_where_the_rest_are(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from diffview.views import commands

    monkeypatch.setattr(commands, "BUILD_LINES", 2)
    code, out, _ = run_on(store, capsys, "build")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 4
    assert lines[0] == f"… 3 earlier commits (all of them: git -C {store} log --oneline)"
    assert lines[1].endswith("doc-001") and lines[2].endswith("doc-004")


def test_build_reports_one_commit_per_document(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_on(store, capsys, "build")
    assert code == 0
    assert out.splitlines()[-1].startswith(f"unchanged {store}: 5 documents")
    code, out, _ = run_on(store, capsys, "build", "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["action"] == "unchanged"
    assert [c["doc"] for c in report["commits"]] == ["000", "002", "003", "001", "004"]
    log = subprocess.run(
        ["git", "-C", str(store), "log", "--date=short", "--format=%ad %s"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert [line[:10] for line in log] == [
        "2026-03-02",
        "2024-10-09",
        "2024-10-08",
        "2023-10-17",
        "2023-10-12",
    ]


def test_statements_json_has_the_documented_fields(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_on(store, capsys, "statements", "--doc", "002", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert rows, "002 has statements"
    required = {"id", "doc", "source", "date", "kind", "speaker", "role", "topics", "text", "lines"}
    for row in rows:
        assert required <= row.keys()
        assert row["source"] == "002_d229cc705638e600.txt"
        first, last = row["lines"]
        assert 1 <= first <= last
    answers = [r for r in rows if r["kind"] == "answer"]
    assert answers and all(r["answers"] for r in answers)
    # The first CSAM answer of 002 is the hand-annotated span 113-128.
    assert any(r["lines"] == [113, 128] and "detection-order" in r["topics"] for r in answers)


def test_statements_filters_by_topic_and_role(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_on(
        store,
        capsys,
        "statements",
        "--topic",
        "derogation",
        "--role",
        "cabinet",
        "--format",
        "json",
    )
    rows = json.loads(out)
    assert code == 0 and rows
    assert all(r["role"] == "cabinet" and "derogation" in r["topics"] for r in rows)
    assert {r["doc"] for r in rows} >= {"004"}


def test_topics_counts_cabinet_statements(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_on(store, capsys, "topics", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [d["id"] for d in data["documents"]] == ["000", "002", "003", "001", "004"]
    table = {t["topic"]: t for t in data["topics"]}
    for topic in ("detection-order", "encryption", "derogation"):
        assert table[topic]["total"] == sum(table[topic]["cabinet_statements"].values()) > 0
    assert table["detection-order"]["cabinet_statements"]["000"] == 0  # 000 holds questions only
    assert table["encryption"]["aliases"] == ["versleuteling", "encryptie"]


def test_topics_table_is_labelled_by_document_and_in_rules_order(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_on(store, capsys, "topics")
    assert code == 0
    assert "SO JBZ-Raad" in out and "Debate" in out and "(questions)" in out  # not bare ids
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if "topic" in line and "total" in line)
    rows = [line.split()[0] for line in lines[header + 2 :] if line.strip()]
    # the topic file's order (the three followed ones, then csam-other), not alphabetical
    assert rows == ["detection-order", "encryption", "derogation", "csam-other", "non-csam"]


def test_log_lists_the_versions_the_app_shows_newest_first(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from diffview.store.read import Store
    from tui import backend

    for topic in ("detection-order", "encryption", "derogation"):
        code, out, err = run_on(store, capsys, "log", topic)
        assert code == 0
        dates = [line.split()[0] for line in out.splitlines()]
        assert dates == sorted(dates, reverse=True)
        app_rows = backend.version_rows(Store.open(store), topic)
        labels = [f"round-{row.version.round}" for row in reversed(app_rows)]
        assert [line.split()[3] for line in out.splitlines()] == labels
        for line, row in zip(out.splitlines(), reversed(app_rows), strict=True):
            assert f" {row.cabinet_statements} cabinet statement" in line
    # derogation: the cabinet said nothing in Oct 2023, so that round is no version of it
    assert "Oct 2023" not in out and "0 cabinet" not in out
    assert "Oct 2023" in err


def test_log_json_and_a_dutch_topic_name(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_on(store, capsys, "log", "derogatie", "--format", "json")
    assert code == 0
    entries = json.loads(out)
    assert [e["round"] for e in entries] == ["2026-03", "2024-10"]
    assert all(e["cabinet_statements"] == sum(d["cabinet_statements"] for d in e["documents"])
               for e in entries)  # fmt: skip


def test_statements_table_has_a_header_whole_speakers_and_a_topics_column(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_on(store, capsys, "statements", "--doc", "004", "--width", "120")
    assert code == 0 and err.strip().endswith("statements")
    lines = out.splitlines()
    header = next(line for line in lines if "speaker" in line)
    assert header.split() == ["statement", "speaker", "topics", "text"]
    _, records, _ = run_on(store, capsys, "statements", "--doc", "004", "--format", "json")
    speakers = {r["speaker"] for r in json.loads(records)}
    assert "Minister van Justitie en Veiligheid" in speakers
    words = set(out.split())
    assert all(set(speaker.split()) <= words for speaker in speakers)  # wrapped, never cut
    assert "derogationDank" not in out and "non-csamDe" not in out
    assert all(len(line) <= 120 for line in lines)


def test_statements_table_on_80_columns_keeps_the_text_readable(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_on(store, capsys, "statements", "--doc", "004", "--width", "80")
    lines = out.splitlines()
    header = next(line for line in lines if "speaker" in line)
    assert code == 0 and header.split() == ["statement", "speaker", "/", "topics", "text"]
    text_at = header.index("text")
    assert 80 - text_at >= 40  # the text keeps half the width
    assert all(len(line) <= 80 for line in lines)


def test_statements_tsv_keeps_one_line_per_statement(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_on(
        store, capsys, "statements", "--topic", "versleuteling", "--format", "tsv"
    )
    header, *rows = out.splitlines()
    assert code == 0 and header.split("\t") == ["cite", "kind", "role", "speaker", "topics", "text"]
    assert rows and all(len(r.split("\t")) == 6 for r in rows)
    assert all("encryption" in r.split("\t")[4] for r in rows)
    assert any(r.split("\t")[3] == "Minister van Justitie en Veiligheid" for r in rows)


@pytest.mark.parametrize(
    ("alias", "topic"),
    [("detectiebevel", "detection-order"), ("versleuteling", "encryption"),
     ("encryptie", "encryption"), ("derogatie", "derogation"), ("Encryption", "encryption")],
)  # fmt: skip
def test_dutch_topic_names_mean_the_topic(
    store: Path, capsys: pytest.CaptureFixture[str], alias: str, topic: str
) -> None:
    assert run_on(store, capsys, "log", alias) == run_on(store, capsys, "log", topic)
    code, out, _ = run_on(store, capsys, "compare", alias, "--format", "json")
    assert code == 1 and json.loads(out)["topic"] == topic
    code, out, _ = run_on(store, capsys, "statements", "--topic", alias, "--format", "json")
    assert code == 0 and all(topic in r["topics"] for r in json.loads(out))


def _sub_parsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {"": parser, **action.choices}


def test_every_command_and_option_explains_itself() -> None:
    for name, parser in _sub_parsers().items():
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help and action.help != argparse.SUPPRESS, (name, action.dest)
        text = parser.format_help()
        assert "examples:" in text, name
        assert "FROM_" not in text and "from_" not in text, name


def test_help_lists_the_topics_and_their_dutch_names(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["compare", "--help"], ["statements", "--help"], ["log", "--help"]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        out = capsys.readouterr().out
        assert exit_info.value.code == 0
        flat = " ".join(out.split())
        assert "detection-order (detectiebevel" in flat and "derogation (derogatie)" in flat
        assert "encryption (versleuteling, encryptie)" in flat and "csam-other" in flat
    main_help = _sub_parsers()["changelog"].format_help()
    assert "--from VERSION" in main_help and "--to VERSION" in main_help


@pytest.mark.parametrize("argv", [["topics"], ["statements", "--doc", "004"]])
def test_tables_honour_no_color_on_a_terminal(
    store: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR")
    _, out, _ = run_on(store, capsys, *argv)
    assert "\x1b[" in out  # a terminal gets a bold header
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = run_on(store, capsys, *argv)
    assert "\x1b" not in out


def test_compare_summary_comes_first_and_one_sided_rows_have_no_score(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_on(
        store, capsys, "compare", "detection-order", "2023-10", "2024-10", "--color", "never"
    )
    lines = out.splitlines()
    assert code == 1 and "Topic: detection-order" in lines[0]
    lead = lines[: next(i for i, line in enumerate(lines) if line.startswith("─"))]
    assert lead[3].startswith("Positions on detection-order")  # positions first, then
    assert "stance change" in lead[-1] and "new in this round" in lead[-1]  # the summary
    assert "stance change" not in lines[-1]
    # rounds of different documents: one-sided rows are new / not repeated, with no score
    meta = [line for line in lines if line.startswith(("new in this round", "not repeated"))]
    assert meta and not any("0.00" in line for line in meta)
    assert not any(line.split()[:1] in (["added"], ["removed"]) for line in lines)


def test_unknown_topic_is_one_line_and_exit_2(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_on(store, capsys, "log", "no-such-topic")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no-such-topic" in err and "detection-order" in err


def test_not_a_store_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other"
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    code, _, err = run(capsys, "topics", "--store", str(other))
    assert code == 2 and str(other) in err


def test_help_does_not_import_the_ui() -> None:
    code = (
        "import sys; from diffview.views.parser import build_parser; build_parser(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'git', 'tui')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.strip() == "[]"


def test_the_parser_names_the_bundled_corpus_without_importing_it() -> None:
    from diffview.corpus.load import BUNDLED_VERSIONS
    from diffview.views import commands

    assert commands.BUNDLED_VERSIONS == BUNDLED_VERSIONS


# What a read prints to a pipe needs no app, no Rich and no parser: the modules it must not load.
HEAVY: tuple[str, ...] = ("textual", "tui", "rich", "markdown_it", "diffview.corpus.parse")
HEAVY += (
    "diffview.corpus.load",
    "diffview.corpus.layouts",
    "diffview.pipeline",
    "diffview.ingest",
    "diffview.views.render",
)


@pytest.mark.parametrize(
    "argv",
    [
        ("compare", "detection-order", "--format", "json"),
        ("compare", "detection-order", "--format", "json", "--focus"),
        ("compare", "detection-order"),  # a pipe's default: inline, no colour
        ("compare", "encryption", "--format", "inline", "--focus", "--width", "60"),
        ("positions", "detection-order", "--format", "json"),
        ("statements", "--doc", "002", "--format", "json"),
        ("statements", "--topic", "encryption", "--format", "tsv"),
        ("log", "detection-order"),
        ("log", "detection-order", "--format", "json"),
    ],
)
def test_reads_into_a_pipe_import_no_ui_rich_or_parser(store: Path, argv: tuple[str, ...]) -> None:
    code = (
        "import sys, io; from diffview.views.cli import main; "
        "out, sys.stdout = sys.stdout, io.StringIO(); "
        f"main({[*argv, '--store', str(store)]!r}); sys.stdout = out; "
        f"print(sorted(m for m in sys.modules if m.startswith({HEAVY!r})))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


# --- compare ---------------------------------------------------------------------------


@pytest.mark.parametrize("topic", ["detection-order", "encryption", "derogation", "non-csam"])
def test_compare_inline_in_a_pipe_is_richs_layout(
    store: Path, capsys: pytest.CaptureFixture[str], topic: str
) -> None:
    """Written without Rich, the pipe's layout is the one Rich lays out, byte for byte."""
    from diffview.positions.table import compare_with_evidence
    from diffview.store.read import Store
    from diffview.views import commands, render
    from diffview.views.plain import View

    opened = Store.open(store)
    comparison = compare_with_evidence(opened, topic, None, None)
    for width, focus in ((120, False), (120, True), (47, False)):
        extra = ("--width", str(width), *(("--focus",) if focus else ()))
        code, out, _ = run_on(store, capsys, "compare", topic, "--format", "inline", *extra)
        lead, claimed = commands._positions_view(opened, topic, None, None)
        view = View(lead=lead, claimed=claimed) if focus else View(lead=lead, context=1)
        expected = render.render_inline(comparison, width=width, color=False, view=view)
        assert code == 1 and out == expected


def test_compare_topic_json_and_exit_1(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_on(
        store, capsys, "compare", "detection-order", "2023-10", "2024-10", "--format", "json"
    )
    assert code == 1  # differences, like diff(1)
    data = json.loads(out)
    assert data["from"]["docs"] == ["000", "002"] and data["to"]["docs"] == ["003", "001"]
    stance_words = {w for u in data["units"] for f in u["stance"] for w in f["added"]}
    assert "onthouden" in stance_words  # the Oct 2024 abstention


def test_compare_files_identical_is_exit_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = tmp_path / "a.txt"
    a.write_text("Het kabinet steunt het voorstel. Dat is al zo.\n", encoding="utf-8")
    code, out, _ = run(capsys, "compare", "--files", str(a), str(a), "--format", "inline")
    assert code == 0
    assert "2 unchanged" in out


REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def revision(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A revision of one bundled document: its two "niet kunnen steunen" lose the "niet"."""
    where = tmp_path_factory.mktemp("revision")
    a, b = where / "a.txt", where / "b.txt"
    text = next((REPO / "versions").glob("004_*.txt")).read_text(encoding="utf-8")
    a.write_text(text, encoding="utf-8")
    assert text.count("niet kunnen steunen") == 2
    b.write_text(text.replace("niet kunnen steunen", "kunnen steunen"), encoding="utf-8")
    return str(a), str(b)


def _rows(out: str) -> list[str]:
    """The row meta lines (`unchanged 1.00`, `reworded 0.75 ⚑ ...`) and collapsed runs."""
    return [
        line
        for line in out.splitlines()
        if line.startswith(("unchanged 1.00", "reworded 0."))
        or re.match(r"… \d+ unchanged sentences \(", line)
    ]


@pytest.mark.parametrize("fmt", ["inline", "side-by-side"])
def test_compare_files_revision_shows_changes_in_context_as_diff_does(
    revision: tuple[str, str], capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """Two words changed in a 450-sentence document: the two changes, one unchanged sentence
    on each side of them, each longer unchanged run one line, cited FROM → TO."""
    a, b = revision
    argv = ("compare", "--files", a, b, "--format", fmt, "--color", "never", "--width", "120")
    code, out, _ = run(capsys, *argv)
    assert code == 1
    assert "2 reworded · 451 unchanged" in out  # the summary still counts every row
    assert len(out.splitlines()) < 60
    rows = [r.split(" ")[0] for r in _rows(out)]
    assert rows == [
        *("…", "unchanged", "reworded", "unchanged"),
        *("…", "unchanged", "reworded", "unchanged", "…"),
    ]
    runs = [line for line in out.splitlines() if line.startswith("… ")]
    assert runs[0].startswith("… 341 unchanged sentences (a.txt:2-838 → b.txt:2-838)")
    assert out.rstrip().endswith("(--context N shows N around each change, --all every row)")
    assert "447 unchanged sentences collapsed" in out


def test_compare_files_all_context_and_focus_choose_the_rows(
    revision: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = revision
    base = ("compare", "--files", a, b, "--format", "inline", "--color", "never")
    _, out, _ = run(capsys, *base, "--all")
    assert sum(r.startswith("unchanged") for r in _rows(out)) == 451 and "collapsed" not in out
    _, out, _ = run(capsys, *base, "--context", "0")
    assert [r.split(" ")[0] for r in _rows(out)] == ["…", "reworded", "…", "reworded", "…"]
    _, out, _ = run(capsys, *base, "--context", "3")
    assert sum(r.startswith("unchanged") for r in _rows(out)) == 12
    _, out, _ = run(capsys, *base, "--focus")  # no positions: the changed pairs only
    assert [r.split(" ")[0] for r in _rows(out)] == ["reworded", "reworded"]
    assert "focus: 2 of 453 rows; 451 hidden" in out
    with pytest.raises(SystemExit) as exit_:
        main([*base, "--focus", "--all"])
    assert exit_.value.code == 2


def test_compare_files_json_collapses_runs_when_given_a_context(
    revision: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Given `--context`, the JSON of two files has the rows the inline layout prints, a
    collapsed run saying how many rows and which lines, in that layout's words; by default
    (a program reads it) and with `--all` it lists every row."""
    a, b = revision
    base = ("compare", "--files", a, b)
    _, out, _ = run(capsys, *base, "--format", "json", "--context", "1")
    data = json.loads(out)
    assert data["schema"] == 2
    assert data["summary_reads"] == {"reworded": 2, "unchanged": 451}  # every row counted
    units = data["units"]
    assert [u.get("collapsed", u["change"]) for u in units] == [
        *(341, "unchanged", "reworded", "unchanged"),
        *(91, "unchanged", "reworded", "unchanged", 15),
    ]
    first = units[0]
    assert (first["change"], first["from"], first["to"]) == (
        "unchanged",
        "a.txt:2-838",
        "b.txt:2-838",
    )
    _, inline, _ = run(capsys, *base, "--format", "inline", "--color", "never", "--width", "400")
    runs = [line for line in inline.splitlines() if line.startswith("… ")]
    assert [u["reads"] for u in units if "collapsed" in u] == runs
    _, out, _ = run(capsys, *base, "--format", "json", "--context", "0")
    assert [u.get("collapsed", u["change"]) for u in json.loads(out)["units"]][1::2] == [
        "reworded",
        "reworded",
    ]
    for every_row in (["--all"], []):
        _, out, _ = run(capsys, *base, "--format", "json", *every_row)
        every = json.loads(out)["units"]
        assert len(every) == 453 and not any("collapsed" in u for u in every)
        assert {u["reads"] for u in every} == {"reworded", "unchanged"}


def test_compare_topic_json_reads_what_the_other_views_say(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Between rounds of different documents a one-sided unit keeps its class in `change`
    but reads "new in this round" / "not repeated", and the summary counts those words."""
    _, out, _ = run_on(store, capsys, "compare", "derogation", "--format", "json")
    data = json.loads(out)
    reads = {(u["change"], u["reads"]) for u in data["units"]}
    assert reads == {("added", "new in this round"), ("removed", "not repeated")}
    summary = data["summary"]
    assert data["summary_reads"] == {
        "new in this round": summary["added"],
        "not repeated": summary["removed"],
    }
    _, text, _ = run_on(store, capsys, "compare", "derogation", "--format", "inline")
    line = f"{summary['added']} new in this round · {summary['removed']} not repeated"
    assert line in text and "added" not in text.split("─")[0]


def test_compare_files_stance_change_inline_without_color(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Het kabinet steunt het voorstel.\n", encoding="utf-8")
    b.write_text("Het kabinet steunt het voorstel niet.\n", encoding="utf-8")
    code, out, _ = run(
        capsys, "compare", "--files", str(a), str(b), "--format", "inline", "--color", "never"
    )
    assert code == 1
    assert "{+niet+}" in out and "\x1b" not in out
    assert "a.txt:1" in out and "b.txt:1" in out


def test_compare_color_always_and_no_color(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Nederland stemt in.\n", encoding="utf-8")
    b.write_text("Nederland onthoudt zich.\n", encoding="utf-8")
    _, out, _ = run(capsys, "compare", "--files", str(a), str(b), "--color", "always")
    assert "\x1b[" in out
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = run(capsys, "compare", "--files", str(a), str(b), "--color", "auto")
    assert "\x1b" not in out


def test_compare_side_by_side_fits_the_width(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_on(
        store, capsys, "compare", "encryption", "--format", "side-by-side", "--width", "90"
    )
    assert code == 1
    assert max(len(line) for line in out.splitlines()) <= 90


def test_compare_escapes_never_reach_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Het kabinet steunt \x1b]52;c;ZXZpbA==\x07 het voorstel.\n", encoding="utf-8")
    b.write_text("Het kabinet \u202esteunt\u202c [bold red]niet[/] het voorstel.\n", "utf-8")
    for fmt in ("side-by-side", "inline", "json"):
        _, out, _ = run(capsys, "compare", "--files", str(a), str(b), "--format", fmt)
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
        assert "[bold red]" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", "no-such-topic"], "unknown topic 'no-such-topic'"),
        (["compare", "encryption", "2024-10", "2024-10"], "same version"),
        (["compare", "encryption", "2026-03", "2024-10"], "FROM Mar 2026 is later than TO"),
        (["compare", "encryption", "1999-01"], "1999-01"),
        (["compare", "encryption", "202", "2024-10"], "unknown version '202'"),  # no guessing
        (["compare"], "TOPIC"),
        (["positions", "csam-other"], "csam-other has no sub-issues, so no positions"),
        (["positions", "no-such-topic"], "unknown topic 'no-such-topic'"),
    ],
)
def test_compare_trouble_is_exit_2(
    store: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run_on(store, capsys, *args)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "args",
    [
        ["compare", "encrypton"],
        ["log", "encrypton"],
        ["statements", "--topic", "encrypton"],
        ["changelog", "--topic", "encrypton"],
    ],
)
def test_a_typo_in_a_topic_reads_the_same_in_every_command(
    store: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, _, err = run_on(store, capsys, *args)
    assert code == 2
    assert "unknown topic 'encrypton' (known: detection-order, encryption, derogation," in err


def test_compare_missing_file_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = tmp_path / "a.txt"
    a.write_text("Tekst.\n", encoding="utf-8")
    code, _, err = run(capsys, "compare", "--files", str(a), str(tmp_path / "nope.txt"))
    assert code == 2 and "nope.txt" in err


# --- changelog -------------------------------------------------------------------------


def test_changelog_writes_markdown_and_html(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    md, html = tmp_path / "c.md", tmp_path / "c.html"
    code, _, err = run_on(store, capsys, "changelog", "-o", str(md), "--html", str(html))
    assert code == 0 and str(md) in err and str(html) in err
    text = md.read_text(encoding="utf-8")
    for topic in ("detection-order", "encryption", "derogation"):
        assert f"## Topic: {topic}" in text
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert run_on(store, capsys, "changelog", "-o", str(md))[0] == 0
    assert md.read_text(encoding="utf-8") == text  # byte-identical on a second run


def test_changelog_streams_the_same_bytes_as_one_render(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Written pair by pair, the markdown and the HTML page are the ones rendered at once, for
    the whole history of every topic, on stdout as in files; a bad range writes nothing."""
    from diffview.store.read import Store
    from diffview.views.changelog import changelog_markdown
    from diffview.views.markdown import markdown_to_html

    topics = ["detection-order", "encryption", "derogation", "csam-other", "non-csam"]
    whole = changelog_markdown(Store.open(store), topics, full=True)
    md, html = tmp_path / "c.md", tmp_path / "c.html"
    argv = [a for t in topics for a in ("--topic", t)] + ["--full"]
    assert run_on(store, capsys, "changelog", *argv, "-o", str(md), "--html", str(html))[0] == 0
    assert md.read_text(encoding="utf-8") == whole
    title = "diffview changelog: " + ", ".join(topics)
    assert html.read_text(encoding="utf-8") == markdown_to_html(whole, title)
    code, out, _ = run_on(store, capsys, "changelog", *argv)
    assert code == 0 and out == whole
    bad = tmp_path / "bad.md"
    code, out, err = run_on(store, capsys, "changelog", "--from", "2026-03", "--to", "2023-10")
    assert code == 2 and out == "" and "later than" in err
    code, _, _ = run_on(store, capsys, "changelog", "--from", "1999-01", "-o", str(bad))
    assert code == 2 and not bad.exists()


def test_bundled_changelog_example_is_current(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """versions/CHANGELOG.md is what `./run changelog -o versions/CHANGELOG.md` writes."""
    out = tmp_path / "CHANGELOG.md"
    assert run_on(store, capsys, "changelog", "-o", str(out))[0] == 0
    example = Path(__file__).resolve().parent.parent / "versions" / "CHANGELOG.md"
    assert out.read_bytes() == example.read_bytes(), "regenerate the example (README)"


# --- ingest ----------------------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_ingest_adds_a_round_and_bad_input_changes_nothing(
    versions_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A one-answer document in the `Antwoord:` layout becomes round 2026-06; a wrong date
    afterwards is refused on one line and leaves versions/ and the store as they were."""
    store = tmp_path / "store"
    common = ["--versions", str(versions_copy), "--store", str(store)]
    assert run(capsys, "build", *common)[0] == 0
    source = FIXTURES / "so-2026-06-single-answer.txt"
    code, out, _ = run(
        capsys, "ingest", str(source), "--date", "2026-06-12", "--title", "SO juni 2026", *common
    )
    assert code == 0 and out.startswith("ingested 005: SO juni 2026 (2026-06-12)")
    code, out, _ = run(capsys, "statements", "--doc", "005", "--format", "json", *common)
    answer = next(r for r in json.loads(out) if r["kind"] == "answer")
    assert answer["role"] == "cabinet" and answer["lines"] == [8, 9]
    assert {"encryption", "detection-order"} <= set(answer["topics"])
    code, out, _ = run(
        capsys, "compare", "encryption", "2026-03", "2026-06", "--format", "json", *common
    )
    assert code == 1
    assert any(s["doc"] == "005" for u in json.loads(out)["units"] for s in u["right"])

    before = (tree_hash(versions_copy), tree_hash(store))
    other = tmp_path / "other.txt"
    other.write_text(source.read_text(encoding="utf-8").replace("Ja.", "Nee."), "utf-8")
    code, out, err = run(capsys, "ingest", str(other), "--date", "12-06-2026", *common)
    assert code == 2 and out == "" and err.count("\n") == 1 and "12-06-2026" in err
    assert (tree_hash(versions_copy), tree_hash(store)) == before


def test_ingest_refuses_a_store_built_from_another_corpus(
    versions_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Extending it would rebuild it from this corpus and silently replace its history."""
    other = tmp_path / "other-versions"
    shutil.copytree(versions_copy, other)
    store = tmp_path / "store"
    assert run(capsys, "build", "--versions", str(other), "--store", str(store))[0] == 0
    source = FIXTURES / "so-2026-06-single-answer.txt"
    common = ["--date", "2026-06-12", "--store", str(store)]
    assert run(capsys, "ingest", str(source), *common, "--versions", str(other))[0] == 0
    before = (tree_hash(versions_copy), tree_hash(store))
    code, _, err = run(capsys, "ingest", str(source), *common, "--versions", str(versions_copy))
    assert code == 2 and "built from another corpus" in err and err.count("\n") == 1
    assert (tree_hash(versions_copy), tree_hash(store)) == before


@pytest.mark.parametrize(
    ("text", "date", "message"),
    [
        ("Vragen en opmerkingen van de leden van de VVD-fractie\n\nx?\n\nAntwoord: Ja.\n",
         "1800-01-01", "before 1990"),
        ("Vragen en opmerkingen van de leden van de VVD-fractie\n\nx?\n\nAntwoord: Ja.\n",
         "1989-12-31", "before 1990"),
        ("Vragen en opmerkingen van de leden van de VVD-fractie\n\nx?\n\nAntwoord: Ja.\n",
         "2999-01-01", "in the future"),
        ("hallo wereld, dit is geen Kamerstuk\n", "2026-06-01", "no known layout"),
    ],
)  # fmt: skip
def test_ingest_errors_name_the_users_file(
    versions_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    date: str,
    message: str,
) -> None:
    source = tmp_path / "mine.txt"
    source.write_text(text, encoding="utf-8")
    store = tmp_path / "store"
    args = ["--versions", str(versions_copy), "--store", str(store)]
    code, _, err = run(capsys, "ingest", str(source), "--date", date, "--kind", "answers", *args)
    assert code == 2 and err.startswith(f"diffview: {source}") and message in err
    assert err.count("\n") == 1 and not list(versions_copy.glob("005_*"))


def test_ingest_refuses_a_round_years_from_the_documents_date(
    versions_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "mine.txt"
    source.write_text(
        "Vragen en opmerkingen van de leden van de VVD-fractie\n\nx?\n\nAntwoord: Ja.\n", "utf-8"
    )
    args = ["--versions", str(versions_copy), "--store", str(tmp_path / "store")]
    manifest = (versions_copy / "manifest.toml").read_bytes()
    code, _, err = run(
        capsys,
        "ingest",
        str(source),
        "--date",
        "2026-03-02",
        "--round",
        "2062-03",
        "--kind",
        "answers",
        *args,
    )
    assert code == 2 and "round 2062-03 is 432 months from the document's date 2026-03-02" in err
    assert (versions_copy / "manifest.toml").read_bytes() == manifest


def test_compare_refuses_a_width_it_cannot_honour(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = tmp_path / "a.txt"
    a.write_text("Tekst.\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", "--files", str(a), str(a), "--width", "-5"])
    assert exit_info.value.code == 2 and "--width" in capsys.readouterr().err


def test_a_closed_pipe_is_not_trouble(store: Path) -> None:
    """`diffview log T | head -1`: the reader stops early; no message, no error status."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "diffview", "statements", "--store", str(store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stdout.readline()
    proc.stdout.close()  # like `head -1` exiting
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and b"Error" not in err and b"Broken pipe" not in err


def test_ingest_refuses_a_crlf_copy_of_a_document(
    versions_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "copy.txt"
    raw = (versions_copy / "004_a860574c1c53ee3c.txt").read_bytes()
    source.write_bytes(raw.replace(b"\n", b"\r\n"))
    args = ["--versions", str(versions_copy), "--store", str(tmp_path / "store")]
    code, _, err = run(capsys, "ingest", str(source), "--date", "2026-03-20", *args)
    assert code == 2 and "same content as document 004" in err


def test_changelog_between_two_documents_of_one_round(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "changelog", "--store", str(store), "--topic", "detection-order",
        "--from", "003", "--to", "001",
    )  # fmt: skip
    assert code == 0 and "(as of 003)" in out and "(as of 001)" in out
    assert "nothing to compare" not in out


def test_ingest_takes_the_kamerstuk_its_head_states(
    versions_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from diffview.corpus.manifest import load_manifest

    source = tmp_path / "so.txt"
    fixture = (FIXTURES / "so-2026-06-single-answer.txt").read_text(encoding="utf-8")
    source.write_text("32317 JBZ-Raad\nNr. 1001  Verslag\n\n" + fixture, encoding="utf-8")
    args = ["--versions", str(versions_copy), "--store", str(tmp_path / "store")]
    code, out, _ = run(
        capsys, "ingest", str(source), "--date", "2026-06-12", "--format", "json", *args
    )
    assert code == 0 and json.loads(out)["kamerstukken"] == ["32317 nr. 1001"]
    assert load_manifest(versions_copy)[-1].kamerstukken == ("32317 nr. 1001",)

    other = tmp_path / "other.txt"
    other.write_text(fixture.replace("Ja.", "Nee."), encoding="utf-8")
    code, _, err = run(
        capsys, "ingest", str(other), "--date", "2026-06-13", "--kamerstuk", "x1", *args
    )
    assert code == 2 and err.count("\n") == 1 and "x1" in err and str(other) in err
    code, _, _ = run(
        capsys, "ingest", str(other), "--date", "2026-06-13", "--kamerstuk", "32317", *args
    )
    assert code == 0 and load_manifest(versions_copy)[-1].kamerstukken == ("32317",)


def test_an_unexpected_error_is_one_line_and_exit_2(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library error (here: a simulated one from the comparison) must not exit 1, which
    for compare means "differences", nor print a traceback."""
    from diffview.positions import table as positions

    def boom(*args: object, **kwargs: object) -> None:
        raise ValueError("SHA b'0123' could not be resolved, git said:\nfatal: bad object")

    monkeypatch.setattr(positions, "compare_with_evidence", boom)
    code, out, err = run_on(store, capsys, "compare", "detection-order")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("diffview: unexpected error (ValueError)")
    assert "Traceback" not in err


def _compare_in_a_process(store: Path, *argv: str) -> tuple[str, list[str]]:
    """A compare's output in a fresh process, and which of the stemmer and the aligner it
    imported."""
    code = (
        "import io, json, sys; from diffview.views.cli import main; "
        "out, sys.stdout = sys.stdout, io.StringIO(); "
        f"main({[*argv, '--store', str(store)]!r}); text = sys.stdout.getvalue(); "
        "sys.stdout = out; "
        "print(json.dumps([text, [m for m in ('snowballstemmer', 'diffview.diff.align') "
        "if m in sys.modules]]))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    text, imported = json.loads(result.stdout)
    return text, imported


PAIR = ("compare", "detection-order", "2023-10", "2024-10")


def test_a_compare_reads_the_stems_an_earlier_one_made(store: Path) -> None:
    """Stemming was most of a compare's own work: a process that aligns reads the stems an
    earlier one made from the store's cache (and imports no stemmer); a bad stems file is
    ignored. The output is the same every time."""
    cache = store / ".git" / "diffview-cache"

    def aligned() -> tuple[str, list[str]]:
        for kept in cache.glob("comparison-*.json"):
            kept.unlink()
        return _compare_in_a_process(store, *PAIR, "--format", "json")

    for old in cache.glob("stems-*.json"):
        old.unlink()
    first, imported = aligned()
    assert "snowballstemmer" in imported and list(cache.glob("stems-*.json"))
    second, imported = aligned()
    assert second == first and imported == ["diffview.diff.align"]
    for table in cache.glob("stems-*.json"):
        table.write_bytes(b'{"steunt": 1}')
    third, imported = aligned()
    assert third == first and "snowballstemmer" in imported


@pytest.mark.parametrize("fmt", ["json", "inline", "side-by-side"])
def test_a_second_compare_reads_the_first_ones_comparison(store: Path, fmt: str) -> None:
    """The same two commits, rules and code give the same comparison: the next process
    reads it from the store's cache (no aligner imported) and prints the same bytes; a
    kept comparison that does not read back is ignored and written again."""
    argv = (*PAIR, "--format", fmt, "--color", "always", "--width", "120")
    cache = store / ".git" / "diffview-cache"
    for kept in cache.glob("comparison-*.json"):
        kept.unlink()
    first, imported = _compare_in_a_process(store, *argv)
    assert "diffview.diff.align" in imported and len(list(cache.glob("comparison-*.json"))) == 1
    second, imported = _compare_in_a_process(store, *argv)
    assert second == first and imported == []
    for kept in cache.glob("comparison-*.json"):
        kept.write_bytes(b'{"units": [{"left": 1}]}')
    third, imported = _compare_in_a_process(store, *argv)
    assert third == first and "diffview.diff.align" in imported
    fourth, imported = _compare_in_a_process(store, *argv)
    assert fourth == first and imported == []


def test_the_derived_cache_keeps_the_most_recently_used_entries_within_its_bound(
    store: Path, tmp_path: Path
) -> None:
    """Past its bound the cache drops what was used longest ago (a read counts as a use)
    and keeps the newest; nothing but its own entries is counted or removed."""
    from diffview.store.read import Store

    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    cache = copy / ".git" / "diffview-cache"
    shutil.rmtree(cache)
    cache.mkdir()
    (cache / "notes.txt").write_bytes(b"x" * 5000)  # not an entry: never evicted
    with Store.open(copy) as opened:
        opened.cache_bound = 3000
        for age, name in enumerate(["a.json", "b.json", "c.json"]):
            opened.cache_put(name, bytes([97 + age]) * 1000)
            os.utime(cache / name, ns=(10**18 + age, 10**18 + age))  # a oldest, then b, c
        assert opened.cache_get("a.json") == b"a" * 1000  # a is now the most recent
        opened.cache_put("d.json", b"d" * 1000)
        assert sorted(p.name for p in cache.iterdir()) == [
            "a.json",
            "c.json",
            "d.json",
            "notes.txt",
        ]
        assert opened.cache_get("b.json") is None


def test_a_compare_after_eviction_prints_the_same(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An evicted comparison is only time lost: the next compare works it out again, the same."""
    from diffview.store import read

    argv = (*PAIR, "--format", "json")
    code, before, err = run_on(store, capsys, *argv)
    assert code == 1, err  # as diff(1): the rounds differ
    cache = store / ".git" / "diffview-cache"
    assert list(cache.glob("comparison-*.json"))
    monkeypatch.setattr(read, "CACHE_BOUND", 1)
    with read.Store.open(store) as opened:
        opened.cache_put("filler.json", b"{}")
    assert [p.name for p in cache.glob("*.json")] == ["filler.json"]
    code, after, _ = run_on(store, capsys, *argv)
    assert code == 1 and after == before


def test_a_build_keeps_what_the_first_compare_of_each_adjacent_pair_reads(
    tmp_path: Path,
) -> None:
    """A new user's first compare of any topic's adjacent rounds reads what the build kept
    (no aligner imported) and prints what aligning it afresh prints."""
    path = tmp_path / "store"
    assert main(["build", "--store", str(path)]) == 0
    pairs = [
        ("detection-order", "2023-10", "2024-10"),
        ("detection-order", "2024-10", "2026-03"),
        ("encryption", "2024-10", "2026-03"),
        ("non-csam", "2023-10", "2024-10"),
    ]
    kept = {p: _compare_in_a_process(path, "compare", *p, "--format", "json") for p in pairs}
    assert all(imported == [] for _, imported in kept.values())
    shutil.rmtree(path / ".git" / "diffview-cache")
    for pair, (text, _) in kept.items():
        fresh, imported = _compare_in_a_process(path, "compare", *pair, "--format", "json")
        assert "diffview.diff.align" in imported and fresh == text


def _imported_by(argv: list[str], modules: tuple[str, ...]) -> list[str]:
    code = (
        "import sys, io; from diffview.views.cli import main; "
        "out, sys.stdout = sys.stdout, io.StringIO(); main(sys.argv[1:]); sys.stdout = out; "
        f"print([m for m in {modules!r} if m in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return [str(m) for m in json.loads(result.stdout.replace("'", '"'))]


def test_reading_a_kept_comparison_or_two_files_compiles_no_topic_rules(
    store: Path, tmp_path: Path
) -> None:
    """The topic rules' compiler (the phrase patterns of topics.toml) is for labelling and
    claims: a compare that reads a kept comparison, or diffs two files, never imports it."""
    rules = ("diffview.corpus.topics", "diffview.corpus.issue_rules")
    argv = [*PAIR, "--format", "json", "--store", str(store)]
    main(argv)  # kept now, if it was not
    assert _imported_by(argv, rules) == []
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Het kabinet steunt het voorstel. Dat is helder.\n", encoding="utf-8")
    b.write_text("Het kabinet steunt het voorstel niet. Dat is helder.\n", encoding="utf-8")
    assert _imported_by(["compare", "--files", str(a), str(b), "--format", "json"], rules) == []


def test_two_files_as_json_read_no_topic_names_and_no_positions(tmp_path: Path) -> None:
    """`compare --files --format json` needs neither the topic names the help lists (the
    rules file's settings) nor the positions."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Het kabinet steunt het voorstel. Dat is helder.\n", encoding="utf-8")
    b.write_text("Het kabinet steunt het voorstel niet. Dat is helder.\n", encoding="utf-8")
    unneeded = ("tomllib", "diffview.corpus.topicnames", "diffview.positions.table")
    assert _imported_by(["compare", "--files", str(a), str(b), "--format", "json"], unneeded) == []
