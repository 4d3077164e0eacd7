"""The `diffview` command line as a user drives it: exit codes, formats, errors on one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from diffview.cli import main


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus built once for the whole module."""
    path = tmp_path_factory.mktemp("cli") / "store"
    assert main(["build", "--store", str(path)]) == 0
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_build_reports_one_commit_per_document(store: Path, capsys) -> None:
    code, out, _ = run(capsys, "build", "--store", str(store))
    assert code == 0
    assert out.splitlines()[-1].startswith(f"unchanged {store}: 5 documents")
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


def test_statements_json_has_the_documented_fields(store: Path, capsys) -> None:
    code, out, _ = run(
        capsys, "statements", "--store", str(store), "--doc", "002", "--format", "json"
    )
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


def test_statements_filters_by_topic_and_role(store: Path, capsys) -> None:
    code, out, _ = run(
        capsys,
        "statements",
        "--store",
        str(store),
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


def test_topics_table_counts_cabinet_statements(store: Path, capsys) -> None:
    code, out, _ = run(capsys, "topics", "--store", str(store))
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split() == ["topic", "000", "002", "003", "001", "004", "total"]
    table = {row.split()[0]: [int(n) for n in row.split()[1:]] for row in rows}
    for topic in ("detection-order", "encryption", "derogation"):
        assert table[topic][-1] == sum(table[topic][:-1]) > 0
    assert table["detection-order"][0] == 0  # 000 holds questions only


def test_log_lists_versions_newest_first(store: Path, capsys) -> None:
    code, out, _ = run(capsys, "log", "detection-order", "--store", str(store))
    assert code == 0
    dates = [line.split()[0] for line in out.splitlines()]
    assert dates == sorted(dates, reverse=True)
    assert "round-2023-10" in out and "round-2026-03" in out


def test_unknown_topic_is_one_line_and_exit_2(store: Path, capsys) -> None:
    code, out, err = run(capsys, "log", "no-such-topic", "--store", str(store))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no-such-topic" in err and "detection-order" in err


def test_not_a_store_is_refused(tmp_path: Path, capsys) -> None:
    other = tmp_path / "other"
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    code, _, err = run(capsys, "topics", "--store", str(other))
    assert code == 2 and str(other) in err


def test_help_does_not_import_the_ui() -> None:
    code = (
        "import sys; from diffview.cli import build_parser; build_parser(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'git', 'tui')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert out.strip() == "[]"
