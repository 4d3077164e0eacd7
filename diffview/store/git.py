"""Git plumbing for the store: sanitized git processes, the object database, refs.

The store's own config is untrusted: no work-tree command runs on it, every git process
gets no system/global config, no caller GIT_* variables, and `-c` overrides for every
key that could name a program or another directory.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from io import BytesIO
from pathlib import Path
from typing import Any

from diffview.errors import StoreError
from diffview.store.files import (
    STORE_FORMAT,
)
from diffview.store.paths import check_ref_name
from diffview.store.plan import BRANCH

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


def run_git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run git with constant arguments only (callers never pass document-derived strings;
    ref names arrive on stdin after `check_ref_name`), on the store's own git directory."""
    git_dir = ["--git-dir", str(repo / ".git")] if args[0] != "init" else []
    cmd = ["git", *GIT_SAFE_OPTS, *git_dir, *args]
    proc = subprocess.run(
        cmd, input=stdin, capture_output=True, env=git_env(), check=False, cwd=repo.parent
    )
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise StoreError(f"git {args[0]} failed in {repo}: {err[-1] if err else 'no message'}")
    return proc.stdout


def _refuse_redirecting_env() -> None:
    """GitPython, like git, honours $GIT_OBJECT_DIRECTORY and $GIT_COMMON_DIR (set inside
    some git hooks): a store write must never land in another repository's database."""
    for var in ("GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR"):
        if os.environ.get(var):
            raise StoreError(f"refusing to write the store while ${var} is set; unset it")


def open_repo(path: Path) -> Any:
    """The store's repository, for writing, through GitPython (see `safe_repo`)."""
    _refuse_redirecting_env()
    _refuse_symlinks(Path(path) / ".git")
    return safe_repo(path)


def _refuse_symlinks(git_dir: Path) -> None:
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


def safe_repo(path: Path) -> Any:
    """A GitPython `Repo` whose git processes (`cat-file` reading objects) get the same
    sanitized environment and `-c` overrides as `run_git`: the caller's GIT_* variables
    blanked, no system or global config."""
    from git import Repo

    repo = Repo(path)
    mine = ("GIT_DIR", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY")  # refused or pinned
    blank = {k: "" for k in os.environ if k.startswith("GIT_") and k not in mine}
    pinned = {"GIT_WORK_TREE": str(path), "GIT_INDEX_FILE": str(Path(path, ".git", "index"))}
    repo.git.update_environment(**(blank | pinned | GIT_FIXED_ENV))
    repo.git.set_persistent_git_options(c=list(GIT_SAFE_OPTS[1::2]))
    return repo


def init_repo(path: Path) -> Any:
    """A fresh non-bare repository, no templates (no sample hooks), hooks disabled, marked."""
    _refuse_redirecting_env()
    git_dir = path / ".git"
    path.mkdir(parents=True)
    # An empty template installs no sample hooks; `run_git` drops $GIT_DIR / $GIT_WORK_TREE
    # (set when the caller runs inside a git hook) and any global init.templateDir.
    branch = BRANCH.removeprefix("refs/heads/")
    run_git(path, "init", "--quiet", "--template=", f"--initial-branch={branch}", str(path))
    repo = open_repo(path)
    with repo.config_writer("repository") as cfg:
        cfg.set_value("core", "hooksPath", "/dev/null")
        cfg.set_value("core", "fsmonitor", "false")
        cfg.set_value("core", "logAllRefUpdates", "false")
        cfg.set_value("gc", "auto", "0")
        cfg.set_value(MARKER_KEY[0], MARKER_KEY[1], "1")
        cfg.set_value(MARKER_KEY[0], "format", str(STORE_FORMAT))
    (git_dir / "description").write_text("diffview store (generated; do not edit)\n")
    return repo


def write_objects(repo: Any, objects: Mapping[str, tuple[str, bytes]]) -> list[Path]:
    """Store the planned objects the repository lacks, as loose objects (zlib, temp file +
    rename, read-only, as git does) through gitdb, GitPython's object database; return the
    new files. Not `repo.odb.store`: in GitPython 3.2 that runs one `git hash-object`
    process per object (0.35 s for the 86 objects of the bundled corpus; gitdb: 0.03 s)."""
    from gitdb import LooseObjectDB
    from gitdb.base import IStream

    loose = LooseObjectDB(repo.odb.root_path())
    packed = any(Path(loose.root_path(), "pack").glob("*.idx"))  # a user ran `git gc`
    written: list[Path] = []
    for sha, (kind, data) in objects.items():
        binsha = bytes.fromhex(sha)
        if loose.has_object(binsha) or (packed and _in_pack(repo.odb, binsha)):
            continue
        stored = loose.store(IStream(kind, len(data), BytesIO(data))).binsha
        if stored != binsha:
            raise StoreError(f"git stored {kind} {stored.hex()} where {sha} was planned")
        written.append(Path(loose.db_path(loose.object_path(sha))))
    return written


def _in_pack(odb: Any, binsha: bytes) -> bool:
    """Packed objects are invisible to the loose `has_object`: ask git (`cat-file`)."""
    try:
        odb.info(binsha)
    except ValueError:  # GitPython: "SHA could not be resolved"
        return False
    return True


def read_refs(repo_path: Path) -> dict[str, str]:
    """All refs (loose and packed) of the store, unpeeled (tags give the tag object)."""
    with open_repo(repo_path) as repo:
        return {ref.path: ref.dereference_recursive(repo, ref.path) for ref in repo.references}


def update_refs(repo_path: Path, new: Mapping[str, str], old: Mapping[str, str]) -> None:
    """One atomic transaction: each ref moves only if it still has the value we read."""
    zero = "0" * 40
    buf = [b"start\0"]
    for name in sorted(set(new) | set(old)):
        check_ref_name(name)
        if name not in new:
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
    """Make the worktree and index match the branch (the store is generated: local edits
    go), in Python from the object database: `git read-tree -u` would honour filters and
    `core.worktree` from the store's own config (see worktree.py)."""
    from diffview.store.worktree import commit_tree_files, write_worktree

    with open_repo(repo_path) as repo:
        head = read_refs(repo_path).get(BRANCH)
        if head is None:
            raise StoreError(f"{repo_path}: no {BRANCH}")
        files = commit_tree_files(repo.odb, head)
    write_worktree(repo_path, files)


def is_store(path: Path) -> bool:
    """A git repository whose own config marks it `diffview.store.read = 1` (read by GitPython;
    only the repository's file, so a user's global config cannot make any repo look like
    one)."""
    from git.config import GitConfigParser

    cfg = path / ".git" / "config"
    if not cfg.is_file():
        return False
    reader = GitConfigParser(str(cfg), read_only=True)
    try:
        return str(reader.get_value(MARKER_KEY[0], MARKER_KEY[1], "")) == "1"
    except Exception:  # noqa: BLE001 - a broken config is simply not our store
        return False
