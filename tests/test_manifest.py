"""The manifest: the bundled entries, strict validation with line numbers, a faithful writer."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diffview.corpus.manifest import (
    add_document,
    load_manifest,
    load_manifest_with_rounds,
    parse_user_date,
    render_manifest,
    rounds,
    toml_string,
)
from diffview.errors import InputError


def test_bundled_manifest(versions_dir: Path) -> None:
    docs = load_manifest(versions_dir)
    assert [d.id for d in docs] == ["000", "002", "003", "001", "004"]
    by_id = {d.id: d for d in docs}
    assert by_id["002"].answers == "000" and by_id["002"].date == date(2023, 10, 17)
    assert by_id["001"].kamerstukken == ("32317 nr. 904",)
    assert by_id["003"].kamerstukken == ("34843 nr. 114",)
    assert by_id["000"].date < date(2023, 10, 17) and by_id["000"].date_precision == "month"
    assert (by_id["004"].date, by_id["004"].date_precision) == (date(2026, 3, 2), "month")
    assert {d.source for d in docs} == {p.name for p in versions_dir.glob("*.txt")}


def test_rounds_and_labels(versions_dir: Path) -> None:
    docs, labels = load_manifest_with_rounds(versions_dir)
    got = [(v.round, v.label, [d.id for d in v.docs], v.tag) for v in rounds(docs, labels)]
    assert got == [
        ("2023-10", "Oct 2023", ["000", "002"], "round-2023-10"),
        ("2024-10", "Oct 2024", ["003", "001"], "round-2024-10"),
        ("2026-03", "Mar 2026", ["004"], "round-2026-03"),
    ]


def _edit(versions: Path, old: str, new: str) -> None:
    path = versions / "manifest.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('id = "002"', 'id = "000"', "duplicate id '000'"),
        ('date = "2023-10-17"', 'date = "17-10-2023"', "date must be YYYY-MM-DD"),
        ('date = "2023-10-17"', 'date = "2023-02-30"', "does not exist"),
        ('kind = "answers"', 'kind = "memo"', "kind must be one of"),
        ('source = "002_d229cc705638e600.txt"', 'source = "../002.txt"', "plain file name"),
        ('source = "002_d229cc705638e600.txt"', 'source = "sub/002.txt"', "plain file name"),
        ('source = "002_d229cc705638e600.txt"', 'source = "missing.txt"', "not found"),
        ('answers = "000"', 'answers = "999"', "answers unknown id '999'"),
        ('round = "2023-10"', 'round = "oct"', "round must look like"),
        ('round = "2023-10"', 'round = "2032-10"', "round 2032-10 is 108 months from"),
        ('round = "2023-10"', 'round = "1923-10"', "round 1923-10 is 1200 months from"),
        ('date = "2023-10-17"', 'date = "2999-10-17"', "date 2999-10-17 is in the future"),
        ('date = "2023-10-17"', 'date = "1923-10-17"', "before 1990: a typo?"),
        ('title = "Antwoorden', 'title = "\\u001b[31mAntwoorden', "control characters"),
        (
            'kamerstukken = ["32317"]\nanswers',
            'kamerstukken = ["32317 nr 1"]\nanswers',
            "kamerstuk",
        ),
    ],
)
def test_invalid_entries_name_manifest_and_line(
    versions_copy: Path, old: str, new: str, message: str
) -> None:
    _edit(versions_copy, old, new)
    with pytest.raises(InputError) as exc:
        load_manifest(versions_copy)
    assert message in str(exc.value)
    assert exc.value.path.endswith("manifest.toml")
    assert exc.value.line is not None and "\n" not in str(exc.value)


def test_symlinked_source_leaving_versions_is_refused(versions_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("x")
    link = versions_copy / "link.txt"
    link.symlink_to(outside)
    _edit(versions_copy, 'source = "002_d229cc705638e600.txt"', 'source = "link.txt"')
    with pytest.raises(InputError, match="leaves versions"):
        load_manifest(versions_copy)


def test_toml_syntax_error_has_line(versions_copy: Path) -> None:
    _edit(versions_copy, 'kind = "answers"', "kind = answers")
    with pytest.raises(InputError) as exc:
        load_manifest(versions_copy)
    assert "not valid TOML" in str(exc.value) and exc.value.line is not None


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="manifest not found"):
        load_manifest(tmp_path)


@given(st.text())
def test_toml_string_round_trips(value: str) -> None:
    assert tomllib.loads(f"v = {toml_string(value)}")["v"] == value


def test_writer_is_deterministic_and_round_trips(versions_copy: Path) -> None:
    docs, labels = load_manifest_with_rounds(versions_copy)
    text = render_manifest(docs, labels)
    assert text == render_manifest(list(reversed(docs)), labels)
    (versions_copy / "manifest.toml").write_text(text)
    assert load_manifest_with_rounds(versions_copy) == (docs, labels)


def test_add_document_keeps_header_and_validates(versions_copy: Path) -> None:
    docs = load_manifest(versions_copy)
    (versions_copy / "005_x.txt").write_text("tekst\n")
    new = replace(
        docs[-1],
        id="005",
        source="005_x.txt",
        title='Titel met "quotes" en \\ en --upload-pack=x',
        date=date(2026, 4, 1),
        round="2026-04",
    )
    add_document(versions_copy, new, label="Apr 2026")
    text = (versions_copy / "manifest.toml").read_text()
    assert text.startswith("# diffview manifest")
    docs2, labels = load_manifest_with_rounds(versions_copy)
    assert docs2[-1] == new and labels["2026-04"] == "Apr 2026"
    before = text
    with pytest.raises(InputError, match="duplicate id"):
        add_document(versions_copy, new)
    assert (versions_copy / "manifest.toml").read_text() == before
    assert not list(versions_copy.glob(".manifest.toml.*"))


def test_parse_user_date() -> None:
    assert parse_user_date("2026-03") == (date(2026, 3, 1), "month")
    assert parse_user_date("2026-03-05") == (date(2026, 3, 5), "day")
    for bad in ("5 maart 2026", "2026/03/05", "2026-13", "2026-03-05T00:00", ""):
        with pytest.raises(ValueError):
            parse_user_date(bad)


def test_importing_the_manifest_leaves_the_umask_alone(tmp_path: Path) -> None:
    """Setting the umask to read it races with other threads (the app builds in a worker);
    the corpus files still get the modes the user's umask asks for."""
    code = (
        "import os; os.umask(0o027); real = os.umask\n"
        "def refuse(mask): raise AssertionError('umask set')\n"
        "os.umask = refuse\n"
        "import diffview.corpus.manifest as m; from pathlib import Path\n"
        "p = m.write_temp_beside(Path(os.environ['T']) / 'x', b'1')\n"
        "print(oct(real(0o027)), oct(p.stat().st_mode & 0o777))"
    )
    env = {**os.environ, "T": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.split() == ["0o27", "0o640"], out.stderr
