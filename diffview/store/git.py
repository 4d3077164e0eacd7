"""Git plumbing for the store: sanitized git processes, the object database, refs.

The store's own config is untrusted: no work-tree command runs on it, every git process
gets no system/global config, no caller GIT_* variables, and `-c` overrides for every
key that could name a program or another directory.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path

from diffview.errors import StoreError
from diffview.store.files import (
    STORE_FORMAT,
)
from diffview.store.paths import BRANCH, check_ref_name

MARKER_KEY = ("diffview", "store")
# Every git invocation (only `init` and `update-ref` remain): no system or global config
# (environment, see `git_env`), and command-line config, which beats the store's own
# `.git/config`, for every key that could name a program or another directory. Those two
# commands read none of them today; the overrides keep it so if git changes. No reflogs
# either: their timestamps would make a rolled-back store differ from the original.
GIT_SAFE_OPTS = tuple(
    arg
    for kv in (
        "core.hooksPath=/dev/null",
        "core.fsmonitor=false",
        "core.pager=cat",
        "core.sshCommand=false",
        "core.askPass=",
        "core.editor=false",
        "core.logAllRefUpdates=false",
        "credential.helper=",
        "diff.external=",
        "gpg.program=false",
        "gc.auto=0",
        "maintenance.auto=false",
    )
    for arg in ("-c", kv)
)

# --- git plumbing ----------------------------------------------------------------------------


def git_env() -> dict[str, str]:
    """The caller's environment without any GIT_* variable (a caller inside a git hook has
    GIT_DIR, GIT_CONFIG_PARAMETERS, ...), without system and global config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return env | GIT_FIXED_ENV


GIT_FIXED_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_ATTR_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "GIT_OPTIONAL_LOCKS": "0",
    "LC_ALL": "C",
}


def git_argv(git_dir: Path | None, *args: str) -> list[str]:
    """The command line of a sanitized git process on `git_dir` (None: `init`)."""
    where = ["--git-dir", str(git_dir)] if git_dir is not None else []
    return ["git", *GIT_SAFE_OPTS, *where, *args]


def run_git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run git with constant arguments only (callers never pass document-derived strings;
    ref names arrive on stdin after `check_ref_name`), on the store's own git directory."""
    return run_git_dir(repo / ".git" if args[0] != "init" else None, *args, stdin=stdin)


def run_git_dir(git_dir: Path | None, *args: str, stdin: bytes | None = None) -> bytes:
    """`run_git` on a git directory (the store's, or an import's quarantine)."""
    cwd = (git_dir or Path(args[-1])).parent
    proc = subprocess.run(
        git_argv(git_dir, *args), input=stdin, capture_output=True, env=git_env(), cwd=cwd
    )
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        where = git_dir or args[-1]
        raise StoreError(f"git {args[0]} failed in {where}: {err[-1] if err else 'no message'}")
    return proc.stdout


def refuse_redirecting_env() -> None:
    """git honours $GIT_OBJECT_DIRECTORY and $GIT_COMMON_DIR (set inside some git hooks): a
    store write must never land in another repository's database."""
    for var in ("GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR"):
        if os.environ.get(var):
            raise StoreError(f"refusing to write the store while ${var} is set; unset it")


def refuse_symlinks(git_dir: Path) -> None:
    """Objects and refs are written by path: a symlink planted in `.git`, `objects/` or
    `refs/` would send those writes outside the store."""
    if git_dir.is_symlink():
        raise StoreError(f"{git_dir} is a symlink; refusing to write through it")
    for sub in ("objects", "refs"):
        top = git_dir / sub
        if top.is_symlink():
            raise StoreError(f"{top} is a symlink; refusing to write through it")
        for root, dirs, _ in os.walk(top):
            for d in dirs:
                if Path(root, d).is_symlink():
                    raise StoreError(f"{Path(root, d)} is a symlink; refusing to write through it")


def init_repo(path: Path, keep_config_of: Path | None = None) -> None:
    """A fresh non-bare repository, no templates (no sample hooks), hooks disabled, marked.

    `keep_config_of`: the store a rebuild replaces; its `.git/config` (remotes, branch
    tracking, the user's settings) is carried over, so a rebuild does not drop `origin`.
    It is no less trusted than before: git still runs with our `-c` overrides, and
    diffview's own settings are written over it."""
    refuse_redirecting_env()
    git_dir = path / ".git"
    path.mkdir(parents=True)
    # An empty template installs no sample hooks; `run_git` drops $GIT_DIR / $GIT_WORK_TREE
    # (set when the caller runs inside a git hook) and any global init.templateDir.
    branch = BRANCH.removeprefix("refs/heads/")
    run_git(path, "init", "--quiet", "--template=", f"--initial-branch={branch}", str(path))
    fresh = (git_dir / "config").read_bytes()
    if keep_config_of is not None and _carry_config(keep_config_of, git_dir / "config"):
        try:
            _mark(path)
            return
        except StoreError:  # a carried config git cannot parse: start afresh
            (git_dir / "config").write_bytes(fresh)
    _mark(path)


def _carry_config(old_store: Path, config: Path) -> bool:
    """Copy the old store's `.git/config` over `config` (a regular file only, never
    through a symlink); False when there is none to keep."""
    old = old_store / ".git" / "config"
    if old.is_symlink() or not old.is_file():
        return False
    config.write_bytes(old.read_bytes())
    return True


def _mark(path: Path) -> None:
    """diffview's settings on the new repository's config: no hooks, no fsmonitor, no
    reflogs, no automatic gc, the store marker (written by `git config`, constant keys)."""
    refuse_redirecting_env()
    refuse_symlinks(path / ".git")
    # A carried config must not send files away; none set is exit 5, and a config git cannot
    # read fails the next call, which init_repo answers by starting afresh.
    with suppress(StoreError):
        run_git(path, "config", "--unset-all", "core.worktree")
    settings = [
        ("core.bare", "false"),
        ("core.hooksPath", "/dev/null"),
        ("core.fsmonitor", "false"),
        ("core.logAllRefUpdates", "false"),
        ("gc.auto", "0"),
        (".".join(MARKER_KEY), "1"),
        (f"{MARKER_KEY[0]}.format", str(STORE_FORMAT)),
    ]
    for key, value in settings:
        run_git(path, "config", key, value)
    (path / ".git" / "description").write_text("diffview store (generated; do not edit)\n")


def read_refs(repo_path: Path) -> dict[str, str]:
    """All refs (loose and packed) of the store, unpeeled (tags give the tag object)."""
    out = run_git(repo_path, "for-each-ref", "--format=%(objectname) %(refname)")
    pairs = (line.split(" ", 1) for line in out.decode().splitlines())
    return {name: sha for sha, name in pairs}


def peeled_tags(repo_path: Path) -> dict[str, str]:
    """Each annotated tag's commit, by ref name, in one process."""
    out = run_git(repo_path, "for-each-ref", "--format=%(*objectname) %(refname)", "refs/tags")
    pairs = (line.split(" ", 1) for line in out.decode().splitlines())
    return {name: sha for sha, name in pairs if sha}


def ours(refs: Mapping[str, str]) -> dict[str, str]:
    """The refs a build writes: the branch and the tags (a clone has remote refs too)."""
    return {n: v for n, v in refs.items() if n == BRANCH or n.startswith("refs/tags/")}


def update_refs(repo_path: Path, new: Mapping[str, str], old: Mapping[str, str]) -> None:
    """One atomic transaction: each ref that moves moves only if it still has the value we
    read."""
    zero = "0" * 40
    buf = [b"start\0"]
    for name in sorted(set(new) | set(old)):
        check_ref_name(name)
        if new.get(name) == old.get(name):  # unchanged: still checked, not written
            buf.append(f"verify {name}\0{old[name]}\0".encode())
        elif name not in new:
            buf.append(f"delete {name}\0{old[name]}\0".encode())
        elif name in old:
            buf.append(f"update {name}\0{new[name]}\0{old[name]}\0".encode())
        else:
            buf.append(f"update {name}\0{new[name]}\0{zero}\0".encode())
    buf.append(b"prepare\0commit\0")
    try:
        run_git(repo_path, "update-ref", "--stdin", "-z", stdin=b"".join(buf))
    except StoreError as exc:
        raise StoreError(f"the store changed under us (ref update refused): {exc}") from None


def checkout(repo_path: Path) -> None:
    """Make the work tree and index match the branch (see `worktree.checkout_head`)."""
    from diffview.store.worktree import checkout_head

    checkout_head(repo_path)


def store_format(path: Path) -> int | None:
    """The format of the store at `path`, None if it is not one. The committed marker
    (`"diffview": "store"` in HEAD's `index.json`) makes a clone a store; a store of
    format 1 had only the config marker `diffview.store = 1` (read from the repository's
    own config file only, so a user's global config cannot make any repo look like one)."""
    git_dir = path / ".git"
    if not git_dir.is_dir():
        return None
    marker = committed_marker(path)
    if marker is not None:
        return marker
    return _config_format(git_dir)


def committed_marker(path: Path) -> int | None:
    """The format `index.json` at the branch declares, None without one."""
    import json

    try:
        data = json.loads(run_git(path, "cat-file", "blob", f"{BRANCH}:index.json"))
    except (StoreError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("diffview") != "store":
        return None
    fmt = data.get("format")
    return fmt if isinstance(fmt, int) else None


def _config_format(git_dir: Path) -> int | None:
    """A format-1 store's config marker, read by `git config --file` from that file only."""
    cfg = git_dir / "config"
    if cfg.is_symlink() or not cfg.is_file():
        return None

    def value(key: str) -> str | None:
        try:
            return run_git_dir(git_dir, "config", "--file", str(cfg), "--get", key).decode()
        except StoreError:  # unset (exit 1) or a broken config: simply not our store
            return None

    if (value(".".join(MARKER_KEY)) or "").strip() != "1":
        return None
    fmt = (value(f"{MARKER_KEY[0]}.format") or "1").strip()
    return int(fmt) if fmt.isdigit() else None


def is_store(path: Path) -> bool:
    """A diffview store of any format (see `store_format`)."""
    return store_format(path) is not None


OLDER_FORMAT = "built by an older diffview (store format {}); run `diffview build`"
