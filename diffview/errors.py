"""User-facing errors: one line, naming the file and line where there is one.

The CLI prints `str(error)` and exits non-zero; nothing else is shown to the user, so the
message must be complete on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class DiffviewError(Exception):
    """Anything the user can fix: bad input, unknown topic, locked store."""


class InputError(DiffviewError):
    """A problem in a source file, reported as `FILE:LINE: message`."""

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str, int | None]]:
        # Rebuilt from its parts, so that it crosses a process boundary (a parse pool) intact.
        return (type(self), (self.path, self.message, self.line))


def regex_timeout(path: str | Path, what: str, line: int | None = None) -> InputError:
    """The error for a regex time budget exceeded on untrusted text: it names the file."""
    return InputError(
        path, f"text too pathological to process ({what}: regex timed out); check the file", line
    )


def unknown_name(kind: str, name: str, known: Iterable[str]) -> DiffviewError:
    """The one wording of a typo'd topic or document in every command; `repr` escapes any
    control character a user's argument carries."""
    return DiffviewError(f"unknown {kind} {name!r} (known: {', '.join(known) or 'none'})")


class LayoutError(InputError):
    """No layout rule recognises the document: refuse rather than produce garbage."""


class StoreError(DiffviewError):
    """The store is missing, locked, not a diffview store, or was changed under us."""
