"""The source of a diffview module, for digests of the code a cached result depends on
(the parser's `corpus.load.rules_digest`, the claim reader's `corpus.claims.claims_digest`):
a digest of the code cannot go stale the way a hand-kept version number can."""

from __future__ import annotations

import inspect
from pathlib import Path
from types import ModuleType


def module_bytes(module: ModuleType) -> bytes:
    """The module's source file, else its source as inspect finds it, else a marker."""
    path = getattr(module, "__file__", None)
    if path:
        try:
            return Path(path).read_bytes()
        except OSError:
            pass
    try:
        return inspect.getsource(module).encode("utf-8")
    except (OSError, TypeError):
        return b"<no source>"
