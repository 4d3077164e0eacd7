"""Writing the planned objects at git's speed: one `git fast-import` into a quarantine.

Why fast-import: it is git itself (no new dependency), writes one delta-compressed pack
(the 1,000-document store was 17,000 loose objects through gitdb), and hashes in C. Given
the same author/committer/tagger lines and message bytes it writes commits and tags byte
for byte as `plan.py` plans them; every id it reports is checked against the plan, so
determinism is verified on each write, not assumed.

Why a quarantine: fast-import moves the refs it writes, and the store's refs must only
move by compare-and-swap (`git.update_refs`). So it runs on a scratch git directory inside
the store's `.git` (`diffview-import-*`) that borrows the store's objects through
`objects/info/alternates` (an append's parent commit is found there, and objects already
packed are not written again); its pack is then moved into the store's `objects/pack`
and the scratch directory deleted. Its config is ours, never the store's.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from diffview.errors import StoreError
from diffview.store.git import git_argv, git_env, ours, read_refs, run_git_dir
from diffview.store.plan import Plan, PlannedCommit, person

QUARANTINE = "diffview-import-"
_IMPORT_REF = "refs/diffview/import"
# In .git while an append's pack is in the store and its refs have not moved yet: a writer
# killed there leaves a pack nothing reaches, which the next writer removes (`drop_dead_pack`).
PENDING = "diffview-pending-pack.json"


class FastImport:
    """A running `git fast-import` on a quarantine of `repo`: commits are fed as they are
    planned (git compresses while Python renders: the two use both cores, and no commit's
    files stay in memory), then `finish` writes the tags, checks every id against the plan
    and moves the pack into the store. Nothing is visible in the store before `finish`."""

    def __init__(self, repo: Path, old_refs: Mapping[str, str]) -> None:
        git_dir = repo / ".git"
        self.pack_dir = git_dir / "objects" / "pack"
        self.old_refs = dict(old_refs)
        self.scratch = Path(tempfile.mkdtemp(prefix=QUARANTINE, dir=git_dir))
        self._marks: dict[str, int] = {}
        try:
            _init_quarantine(self.scratch, git_dir / "objects")
            self._err = (self.scratch / "stderr").open("wb")
            # every blob streamed as it comes, never deltified against the one before it
            # (fast-import's only delta base, whatever its path): 10.2 -> 6.8 s of git's
            # CPU for the 1,000-document store, its pack 102 -> 126 MB
            argv = git_argv(self.scratch, "fast-import", "--quiet", "--done",
                            "--big-file-threshold=1k",
                            f"--export-marks={self.scratch / 'marks'}")  # fmt: skip
            self._proc = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._err,
                env=git_env(), cwd=git_dir,
            )  # fmt: skip
            self._send(b"feature done\n")
        except BaseException:
            self.abort()
            raise

    def _send(self, data: bytes) -> None:
        try:
            self._proc.stdin.write(data)  # type: ignore[union-attr]
        except (BrokenPipeError, OSError):
            self._fail()

    def _fail(self) -> None:
        self._proc.wait()
        self._err.close()
        err = (self.scratch / "stderr").read_text(errors="replace").strip().splitlines()
        self.abort()
        raise StoreError(f"git fast-import failed: {err[-1] if err else 'no message'}")

    def commit(self, c: PlannedCommit) -> None:
        self._marks[c.sha] = mark = len(self._marks) + 1
        out = [f"commit {_IMPORT_REF}\nmark :{mark}\n".encode()]
        who = person(c.ts)
        out += [b"author " + who + b"\n", b"committer " + who + b"\n"]
        out.append(_data(c.message.encode("utf-8")))
        if c.parent:
            out.append(f"from {self._ref(c.parent)}\n".encode())
        out += [f"D {path}\n".encode() for path in c.deleted]
        for path, data in c.files:
            out += [f"M 100644 inline {path}\n".encode(), _data(data)]
        out.append(b"\n")
        self._send(b"".join(out))

    def _ref(self, sha: str) -> str:
        return f":{self._marks[sha]}" if sha in self._marks else sha

    def finish(
        self, plan: Plan, refs: tuple[Mapping[str, str], Mapping[str, str]] | None = None
    ) -> tuple[list[Path], int]:
        """Write the tags that move (their final objects only: a round tag moving on
        within the plan would leave dangling tag objects), check, move the pack in.
        `refs`: (old, new) of an append into the store itself, recorded before the pack
        moves in, so that the pack of a writer killed before its refs moved is found."""
        try:
            for ref, tag in plan.tags.items():
                if self.old_refs.get(ref) != tag.sha:
                    head = f"tag {tag.name}\nfrom {self._ref(tag.target)}\n".encode()
                    who = b"tagger " + person(tag.ts) + b"\n"
                    self._send(head + who + _data(tag.message.encode("utf-8")))
            self._send(b"done\n")
            self._proc.stdin.close()  # type: ignore[union-attr]
            if self._proc.wait() != 0:
                self._fail()
            self._err.close()
            _verify(plan, self.scratch, self._marks)
            src = self.scratch / "objects" / "pack"
            if refs is not None:
                _write_pending(self.pack_dir.parent.parent, src, *refs)
            return _move_pack(src, self.pack_dir)
        finally:
            self.abort()

    def abort(self) -> None:
        """Stop git (if running) and remove the quarantine."""
        proc = getattr(self, "_proc", None)
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        err = getattr(self, "_err", None)
        if err is not None:
            err.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


def _init_quarantine(scratch: Path, objects: Path) -> None:
    """A bare git directory by hand (no `git init`, no templates) whose objects fall back
    to the store's."""
    for sub in ("objects/pack", "objects/info", "refs/heads", "refs/tags"):
        (scratch / sub).mkdir(parents=True)
    (scratch / "HEAD").write_text("ref: refs/heads/main\n")
    # unpackLimit 0: a pack even for a few objects (by default fast-import writes fewer
    # than 100 as loose objects); compression 1: zlib was most of its time, for a pack
    # a few percent larger
    config = "[core]\n\trepositoryformatversion = 0\n\tbare = true\n"
    config += "[fastimport]\n\tunpackLimit = 0\n[pack]\n\tcompression = 1\n"
    (scratch / "config").write_text(config)
    (scratch / "objects" / "info" / "alternates").write_text(f"{objects.absolute()}\n")


def _data(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload + b"\n"


def _verify(plan: Plan, scratch: Path, marks: Mapping[str, int]) -> None:
    """fast-import's ids must be the planned ones: otherwise determinism is broken."""
    text = (scratch / "marks").read_text() if marks else ""
    written = dict(line.split(" ", 1) for line in text.splitlines() if line)
    for sha, mark in marks.items():
        got = written.get(f":{mark}", "").strip()
        if got != sha:
            raise StoreError(f"git wrote commit {got} where {sha} was planned")
    refs = run_git_dir(scratch, "for-each-ref", "--format=%(objectname) %(refname)")
    tags = dict(line.split(" ", 1)[::-1] for line in refs.decode().splitlines())
    for ref, tag in plan.tags.items():
        if tags.get(ref, tag.sha) != tag.sha:  # absent: unchanged, not written
            raise StoreError(f"git wrote tag {tags[ref]} where {tag.sha} was planned")


def _move_pack(src: Path, dest: Path) -> tuple[list[Path], int]:
    """Move the pack into the store (pack first, index last: git finds a pack by its
    index); return the files and the number of objects the index lists."""
    moved: list[Path] = []
    count = 0
    for idx in sorted(src.glob("pack-*.idx")):
        pack = idx.with_suffix(".pack")
        with idx.open("rb") as fh:  # v2 index: magic, version, 256 fan-out entries
            fh.seek(8 + 255 * 4)
            count += struct.unpack(">I", fh.read(4))[0]
        for f in (pack, idx):
            os.replace(f, dest / f.name)
            moved.append(dest / f.name)
    return moved, count


# --- a pack whose refs never moved -----------------------------------------------------------


def _write_pending(
    git_dir: Path, src: Path, old: Mapping[str, str], new: Mapping[str, str]
) -> None:
    """Record the packs about to move in and the refs before and after (fsynced, renamed)."""
    names = sorted(f.name for f in src.glob("pack-*") if f.suffix in (".pack", ".idx"))
    data = json.dumps({"packs": names, "old": dict(old), "new": dict(new)}).encode()
    tmp = git_dir / f".{PENDING}.{os.getpid()}.tmp"
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, git_dir / PENDING)


def clear_pending(repo: Path) -> None:
    """The append's refs moved (or its pack was removed): nothing is pending any more."""
    (repo / ".git" / PENDING).unlink(missing_ok=True)


def drop_dead_pack(repo: Path) -> bool:
    """Remove the pack of an append killed after its pack moved in but before its refs
    moved (no ref reaches its objects); the caller holds the store lock, before any write
    (a later fast-import would reuse those objects instead of writing them again). Refs
    that moved elsewhere meanwhile (a `git pull`): the pack is kept, it is harmless.
    Returns whether a pack was removed."""
    git_dir = repo / ".git"
    record = git_dir / PENDING
    for stale in git_dir.glob(f".{PENDING}.*.tmp"):
        stale.unlink(missing_ok=True)
    if record.is_symlink() or not record.is_file():
        return False
    try:
        entry = json.loads(record.read_bytes())
        names = [str(n) for n in entry["packs"]]
        old, new = dict(entry["old"]), dict(entry["new"])
    except (OSError, ValueError, KeyError, TypeError):
        record.unlink()  # unreadable: keep the packs, they are harmless
        return False
    now = ours(read_refs(repo))
    dead = now == old and now != new
    if dead:
        pack_dir = git_dir / "objects" / "pack"
        for name in sorted(names, key=lambda n: not n.endswith(".idx")):  # index first
            if name.startswith("pack-") and "/" not in name:
                (pack_dir / name).unlink(missing_ok=True)
    record.unlink()
    return dead
