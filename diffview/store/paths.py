"""Where a store lives and which git names are safe to give git."""

from __future__ import annotations

import os
import re
from pathlib import Path

from diffview.errors import StoreError

BRANCH = "refs/heads/main"  # the store's one branch (here: readers need it, not the planner)
# in .git: the claim reader's digest (`corpus.claims.claims_digest`) of `claims/<id>.jsonl`
CLAIMS_WITH = "diffview-claims-with"
# A topic's name: it becomes a path (`topics/<topic>.md`), so the planner and the readers
# take no other
TOPIC_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}\Z")

# --- paths -----------------------------------------------------------------------------------


def default_store_path() -> Path:
    """$DIFFVIEW_STORE, else $XDG_DATA_HOME/diffview/store, else ~/.local/share/diffview/store."""
    explicit = os.environ.get("DIFFVIEW_STORE")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg and Path(xdg).is_absolute() else None
    if base is None:
        base = Path.home() / ".local" / "share"
    return base / "diffview" / "store"


# --- ref names -------------------------------------------------------------------------------

_REF_BAD = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//")


def check_ref_name(name: str) -> str:
    """Validate a full ref name by `git check-ref-format` rules (plus: ASCII only, no leading
    dash), so that nothing we pass to git can be read as an option or a revision range."""
    parts = name.split("/")
    ok = (
        name.startswith("refs/")
        and name.isascii()
        and not _REF_BAD.search(name)
        and not name.endswith((".", "/", ".lock"))
        and name != "@"
        and all(p and not p.startswith((".", "-")) and not p.endswith(".lock") for p in parts)
    )
    if not ok:
        raise StoreError(f"refusing unsafe git ref name {name!r}")
    return name


def tag_ref(tag: str) -> str:
    return check_ref_name(f"refs/tags/{tag}")


def real_store_path(store_path: Path) -> Path:
    """The directory a store path names: through a symlink, its target, so a rebuild swaps
    the target and the link keeps pointing at the current store."""
    path = Path(store_path).expanduser().absolute()
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def keep_beside_objects(target: Path, data: bytes) -> None:
    """Write derived data in the store's `.git` (a cache, a digest, stats): atomically, and
    best effort: never part of a commit, so a read-only store or a full disk just skips it."""
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(exist_ok=True)
        temp.write_bytes(data)
        os.replace(temp, target)
    except OSError:
        temp.unlink(missing_ok=True)


def read_beside_objects(target: Path, pattern: re.Pattern[str]) -> str:
    """A digest `keep_beside_objects` wrote, or "" when it is absent, unreadable or not of
    `pattern` (the store's `.git` is untrusted)."""
    try:
        value = target.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return value if pattern.fullmatch(value) else ""
