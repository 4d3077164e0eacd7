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

import os
import shutil
import struct
import tempfile
from collections.abc import Mapping
from pathlib import Path

from diffview.errors import StoreError
from diffview.store.git import run_git_dir
from diffview.store.plan import Plan, person

QUARANTINE = "diffview-import-"
_IMPORT_REF = "refs/diffview/import"


def write_plan(repo: Path, plan: Plan, old_refs: Mapping[str, str]) -> tuple[list[Path], int]:
    """Write the plan's new commits and tags into `repo`'s object database as one pack
    (no ref moves); return the pack files it added and its number of objects."""
    git_dir = repo / ".git"
    scratch = Path(tempfile.mkdtemp(prefix=QUARANTINE, dir=git_dir))
    try:
        _init_quarantine(scratch, git_dir / "objects")
        marks = scratch / "marks"
        stream = _stream(plan, old_refs)
        run_git_dir(scratch, "fast-import", "--quiet", "--done", f"--export-marks={marks}",
                    stdin=stream)  # fmt: skip
        _verify(plan, scratch, marks)
        return _move_pack(scratch / "objects" / "pack", git_dir / "objects" / "pack")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


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


def _stream(plan: Plan, old_refs: Mapping[str, str]) -> bytes:
    """The fast-import commands: each commit with the files it changes, then the tags
    that move (only their final objects: a round tag moving on within the plan would
    only leave dangling tag objects)."""
    out = [b"feature done\n"]
    marks: dict[str, int] = {}
    for i, c in enumerate(plan.commits, start=1):
        marks[c.sha] = i
        out += [f"commit {_IMPORT_REF}\nmark :{i}\n".encode()]
        who = person(c.ts)
        out += [b"author " + who + b"\n", b"committer " + who + b"\n"]
        out.append(_data(c.message.encode("utf-8")))
        if c.parent:
            parent = f":{marks[c.parent]}" if c.parent in marks else c.parent
            out.append(f"from {parent}\n".encode())
        for path, data in c.files:
            out.append(f"M 100644 inline {path}\n".encode())
            out.append(_data(data))
        out.append(b"\n")
    for ref, tag in plan.tags.items():
        if old_refs.get(ref) == tag.sha:
            continue
        target = f":{marks[tag.target]}" if tag.target in marks else tag.target
        out.append(f"tag {tag.name}\nfrom {target}\n".encode())
        out += [b"tagger " + person(tag.ts) + b"\n", _data(tag.message.encode("utf-8"))]
    out.append(b"done\n")
    return b"".join(out)


def _verify(plan: Plan, scratch: Path, marks: Path) -> None:
    """fast-import's ids must be the planned ones: otherwise determinism is broken."""
    written = dict(line.split(" ", 1) for line in marks.read_text().splitlines() if line)
    for i, c in enumerate(plan.commits, start=1):
        if written.get(f":{i}", "").strip() != c.sha:
            raise StoreError(f"git wrote commit {written.get(f':{i}')} where {c.sha} was planned")
    refs = run_git_dir(scratch, "for-each-ref", "--format=%(objectname) %(refname)")
    got = dict(line.split(" ", 1)[::-1] for line in refs.decode().splitlines())
    for ref, tag in plan.tags.items():
        if got.get(ref, tag.sha) != tag.sha:  # absent: unchanged, not written
            raise StoreError(f"git wrote tag {got[ref]} where {tag.sha} was planned")


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
