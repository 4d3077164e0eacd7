"""Read a source document's bytes and decode them, refusing what we cannot read faithfully.

Every later stage cites source *lines*, so guessing an encoding wrongly would put wrong
characters behind correct-looking citations. We therefore accept only what we can decode
unambiguously (UTF-8 with or without BOM, UTF-16 with BOM) and refuse everything else with
a message that says what is wrong, where, and how to fix it.
"""

from __future__ import annotations

import codecs
import stat
from pathlib import Path

from diffview.errors import InputError

MAX_BYTES = 20 * 1024 * 1024  # the largest seed is ~110 KB; 20 MB leaves room, bounds memory

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def read_source(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """The decoded text of `path`, or `InputError` naming the file (and line) of the problem."""
    return load_source(path, max_bytes)[1]


def load_source(path: Path, max_bytes: int = MAX_BYTES) -> tuple[bytes, str]:
    """The raw bytes and the decoded text of `path` (ingest needs both: hash and parse)."""
    path = Path(path)
    data = _read_bounded(path, max_bytes)
    return data, decode_source(path, data)


def read_bytes(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of `path` under the same checks (exists, regular file, size limit)."""
    return _read_bounded(Path(path), max_bytes)


def decode_source(path: str | Path, data: bytes) -> str:
    """Decode bytes already read (e.g. a blob from the store) with the same strict rules."""
    if not data.strip():
        raise InputError(path, "file is empty")
    text = _decode(Path(path), data)
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise InputError(path, "binary file (NUL character): not a text document", line)
    if not text.strip():
        raise InputError(path, "file is empty")
    # Windows (CRLF) and old Mac (CR) line ends count as one line end each, so line numbers
    # match what an editor shows and no stray CR reaches the text. (The store keeps the
    # source bytes as they were.)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_bounded(path: Path, max_bytes: int) -> bytes:
    """Read at most `max_bytes` (+1 to detect overflow); check size and type before reading."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(path, "not a regular file")
    if st.st_size > max_bytes:
        raise InputError(path, f"file too large ({_mb(st.st_size)}; the limit is {_mb(max_bytes)})")
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # grew after stat
        raise InputError(path, f"file too large (over {_mb(max_bytes)})")
    return data


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _decode(path: Path, data: bytes) -> str:
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                line = _line_of(data, exc.start, name)
                raise InputError(
                    path, f"invalid {name} despite its byte-order mark", line
                ) from None
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16:
            raise InputError(
                path,
                f"looks like {utf16} without a byte-order mark, which cannot be read "
                f"unambiguously; convert it: iconv -f {utf16} -t UTF-8",
            )
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError(path, "binary file (NUL byte): not a text document", line)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, data, exc) from None


def _utf16_without_bom(data: bytes) -> str | None:
    """'UTF-16LE' / 'UTF-16BE' when the NUL bytes sit where UTF-16 puts the high byte of
    Latin text (most of one parity, almost none of the other) and the bytes decode; a hint
    for the message only, never a guess we decode with."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    for name, high, low in (
        ("UTF-16LE", zeros_odd, zeros_even),
        ("UTF-16BE", zeros_even, zeros_odd),
    ):
        if high >= 0.5 and low <= 0.02:
            try:
                data.decode(name.lower().replace("utf-16", "utf-16-"))
            except UnicodeDecodeError:
                return None
            return name
    return None


def _line_of(data: bytes, offset: int, encoding: str) -> int:
    """1-based line of byte `offset`; for UTF-16 count encoded newlines."""
    if encoding == "UTF-16":
        head = data[:offset]
        return (head.count(b"\n\x00") or head.count(b"\x00\n")) + 1
    return data[:offset].count(b"\n") + 1


def _not_utf8(path: Path, data: bytes, exc: UnicodeDecodeError) -> InputError:
    """Explain an undecodable byte; we do not guess legacy code pages (cp1252 vs cp1250 vs
    latin-1 cannot be told apart reliably, and a wrong guess corrupts quotes and accents)."""
    line_start = data.rfind(b"\n", 0, exc.start) + 1
    line = data[: exc.start].count(b"\n") + 1
    column = exc.start - line_start + 1
    byte = data[exc.start]
    hint = ""
    if _looks_like_cp1252(data):
        hint = " (it looks like Windows-1252; convert it: iconv -f cp1252 -t utf-8)"
    return InputError(
        path,
        f"not UTF-8: byte 0x{byte:02X} at column {column}{hint}; "
        "save the file as UTF-8 (or UTF-16 with BOM) and try again",
        line,
    )


def _looks_like_cp1252(data: bytes) -> bool:
    """A hint only (we still refuse): high bytes all map to letters/punctuation in cp1252."""
    high = {b for b in data if b >= 0x80}
    try:
        decoded = bytes(sorted(high)).decode("cp1252")
    except UnicodeDecodeError:
        return False
    return all(ch.isalpha() or ch in "‘’“”–—…€•" for ch in decoded)
