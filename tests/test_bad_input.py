"""Hostile or broken inputs: each gives one clear line naming the file, and changes nothing."""

from __future__ import annotations

import codecs
import hashlib
import os
from pathlib import Path

import pytest

from diffview.corpus.sources import MAX_BYTES, read_source
from diffview.errors import InputError, LayoutError
from diffview.ingest import ingest

TEXT = "Vraag van de VVD-fractie\nIs het kabinet het eens?\nAntwoord: ja, één keer “zo”.\n"


def tree_hash(path: Path) -> str:
    h = hashlib.sha256()
    if path.exists():
        for p in sorted(path.rglob("*")):
            if p.is_file():
                h.update(str(p.relative_to(path)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- read_source -----------------------------------------------------------------------------


def test_utf8_with_and_without_bom(tmp_path: Path) -> None:
    assert read_source(write(tmp_path, "a.txt", TEXT.encode())) == TEXT
    assert read_source(write(tmp_path, "b.txt", codecs.BOM_UTF8 + TEXT.encode())) == TEXT


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_decoded(tmp_path: Path, codec: str) -> None:
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    assert read_source(write(tmp_path, "u.txt", bom + TEXT.encode(codec))) == TEXT


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"", "file is empty", None),
        (b"  \n\n\t\n", "file is empty", None),
        (b"tekst\nmeer\x00\x01\x02binary", "binary file", 2),
        (b"regel een\nBeste \xe9\xe9n \x93quote\x94\n", "not UTF-8: byte 0xE9 at column 7", 2),
        (b"ok\n\xff\xfe\xfd\x80", "not UTF-8", 2),
    ],
)
def test_refused_files(tmp_path: Path, data: bytes, message: str, line: int | None) -> None:
    path = write(tmp_path, "bad.txt", data)
    with pytest.raises(InputError) as exc:
        read_source(path)
    assert message in str(exc.value) and exc.value.line == line
    assert str(exc.value).startswith(str(path)) and "\n" not in str(exc.value)


def test_cp1252_is_refused_with_a_conversion_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "w.txt", "Het kabinet zegt: “één” – ja.\n".encode("cp1252"))
    with pytest.raises(InputError, match="iconv -f cp1252 -t utf-8"):
        read_source(path)


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:  # sparse: instant to create, 50 MB by size
        fh.truncate(50 * 1024 * 1024)
    with pytest.raises(InputError, match="file too large"):
        read_source(path)
    assert MAX_BYTES < 50 * 1024 * 1024


def test_not_a_regular_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a regular file"):
        read_source(tmp_path)
    with pytest.raises(InputError, match="file not found"):
        read_source(tmp_path / "nope.txt")


# --- ingest refuses before writing anything --------------------------------------------------


@pytest.fixture
def snapshot(versions_copy: Path, tmp_path: Path):
    """Hashes of versions/ and of the store's parent directory, to compare after a refusal."""
    store = tmp_path / "stores" / "store"

    def take() -> tuple[str, str, list[str]]:
        parent = store.parent
        names = sorted(p.name for p in parent.iterdir()) if parent.exists() else []
        return tree_hash(versions_copy), tree_hash(parent), names

    return store, take


def _refused(file: Path, versions: Path, store: Path, take, message: str, **kw) -> InputError:
    before = take()
    with pytest.raises(InputError) as exc:
        ingest(file, versions, store, **{"date": "2026-04-01", "kind": "answers", **kw})
    assert message in str(exc.value), str(exc.value)
    assert "\n" not in str(exc.value)
    assert take() == before
    return exc.value


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "file is empty"),
        (b"abc\x00def", "binary file"),
        ("één “twee”\n".encode("cp1252"), "not UTF-8"),
    ],
)
def test_ingest_refuses_unreadable_files(
    tmp_path: Path, versions_copy: Path, snapshot, data: bytes, message: str
) -> None:
    store, take = snapshot
    file = write(tmp_path, "new.txt", data)
    err = _refused(file, versions_copy, store, take, message)
    assert err.path == str(file)


def test_ingest_refuses_huge_file(tmp_path: Path, versions_copy: Path, snapshot) -> None:
    store, take = snapshot
    file = tmp_path / "huge.txt"
    with open(file, "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    _refused(file, versions_copy, store, take, "file too large")


def test_ingest_refuses_duplicate_content(tmp_path: Path, versions_copy: Path, snapshot) -> None:
    store, take = snapshot
    file = write(tmp_path, "copy.txt", (versions_copy / "003_4a688004c2e20cff.txt").read_bytes())
    _refused(file, versions_copy, store, take, "same content as document 003")


@pytest.mark.parametrize("date", ["5 maart 2026", "2026/04/01", "2026-4-1", "2026-02-30", ""])
def test_ingest_refuses_bad_dates(tmp_path: Path, versions_copy: Path, snapshot, date: str) -> None:
    store, take = snapshot
    file = write(tmp_path, "new.txt", TEXT.encode())
    _refused(file, versions_copy, store, take, "date must be YYYY-MM-DD or YYYY-MM", date=date)


@pytest.mark.parametrize(
    "title", ["twee\nregels", "kleur \x1b[31mrood", "bell\x07", "bidi \u202e", "  "]
)
def test_ingest_refuses_titles_that_are_not_one_printable_line(
    tmp_path: Path, versions_copy: Path, snapshot, title: str
) -> None:
    store, take = snapshot
    file = write(tmp_path, "new.txt", TEXT.encode())
    message = "title is empty" if not title.strip() else "one line without control characters"
    _refused(file, versions_copy, store, take, message, title=title)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"doc_id": "../5"}, "id must be three digits"),
        ({"doc_id": "002"}, "already used"),
        ({"round": "../x"}, "round must look like"),
        ({"kind": "--upload-pack=x"}, "kind must be one of"),
        ({"answers": "999"}, "unknown document '999'"),
    ],
)
def test_ingest_refuses_bad_metadata(
    tmp_path: Path, versions_copy: Path, snapshot, kw: dict, message: str
) -> None:
    store, take = snapshot
    file = write(tmp_path, "new.txt", TEXT.encode())
    _refused(file, versions_copy, store, take, message, **kw)


def test_ingest_refuses_unrecognised_layout(tmp_path: Path, versions_copy: Path, snapshot) -> None:
    store, take = snapshot
    file = write(tmp_path, "prose.txt", b"Dit is gewoon een verhaal.\nZonder vragen.\n")
    before = take()
    with pytest.raises(InputError) as exc:
        ingest(file, versions_copy, store, date="2026-04-01", kind="answers", title="Proza")
    assert isinstance(exc.value, LayoutError) or "layout" in str(exc.value).lower()
    assert take() == before


def test_odd_titles_are_just_text() -> None:
    """`--upload-pack=x` and `../` in a title pass validation as text (they never become
    arguments or paths: the source is stored as <id>_<sha>.txt; see test_ingest)."""
    from diffview.corpus.manifest import check_title

    assert check_title("--upload-pack=x") == "--upload-pack=x"
    assert check_title("../../etc/passwd") == "../../etc/passwd"
    assert os.sep not in "005_0123456789abcdef.txt"


def test_windows_and_mac_line_ends_read_as_plain_lines(tmp_path: Path) -> None:
    crlf, cr = tmp_path / "crlf.txt", tmp_path / "cr.txt"
    crlf.write_bytes(b"Eerste regel.\r\nTweede regel.\r\n")
    cr.write_bytes(b"Eerste regel.\rTweede regel.\r")
    assert read_source(crlf) == read_source(cr) == "Eerste regel.\nTweede regel.\n"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_named_not_called_binary(tmp_path: Path, codec: str) -> None:
    path = write(tmp_path, "u.txt", TEXT.encode(codec))
    with pytest.raises(InputError) as exc:
        read_source(path)
    name = codec.upper().replace("-LE", "LE").replace("-BE", "BE")
    assert str(exc.value) == (
        f"{path}: looks like {name} without a byte-order mark, which cannot be read "
        f"unambiguously; convert it: iconv -f {name} -t UTF-8"
    )


def _timing_out(*args: object, **kwargs: object) -> None:
    raise TimeoutError("regex timed out")


def test_regex_time_out_names_the_file(
    tmp_path: Path, versions_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """A regex budget exceeded on untrusted text is an input error naming the file, for
    ingest (the incoming file, nothing written) and for compare --files."""
    from diffview.views.cli import main

    new = write(tmp_path, "incoming.txt", TEXT.encode())
    store = tmp_path / "store"
    before = tree_hash(versions_copy)
    with monkeypatch.context() as m:
        m.setattr("diffview.corpus.load.parse_document", _timing_out)
        with pytest.raises(InputError) as exc:
            ingest(new, versions_copy, store, date="2026-04-01", kind="answers", title="T")
    assert str(exc.value).startswith(f"{new}: text too pathological to process (parsing")
    assert tree_hash(versions_copy) == before and not store.exists()
    monkeypatch.setattr("diffview.text.sentences._cut_points", _timing_out)
    other = write(tmp_path, "other.txt", TEXT.encode())
    assert main(["compare", "--files", str(new), str(other)]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("diffview: incoming.txt:1: text too pathological") and err.count("\n") == 1
    )


@pytest.mark.parametrize("where", ["/", "/."])
def test_store_at_the_file_system_root_is_one_line(capsys, where: str) -> None:
    from diffview.views.cli import main

    assert main(["build", "--store", where]) == 2
    err = capsys.readouterr().err
    assert (
        err == "diffview: /: cannot be a store; name a directory of its own, e.g. --store /store\n"
    )


def test_store_dot_in_an_empty_folder_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from diffview.views.cli import main

    monkeypatch.chdir(tmp_path)
    for argv in (["build", "--store", "."], ["topics", "--store", "."]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"diffview: {tmp_path} ") and err.count("\n") == 1
        assert "not a diffview store" in err
    assert list(tmp_path.iterdir()) == []
