"""Small factories and checks shared by the test modules (imported as `helpers`)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import pytest

from diffview.errors import StoreError
from diffview.model import Removal, Statement, TopicLogEntry, Version
from diffview.text.normalize import normalize_lines
from diffview.views.cli import main

if TYPE_CHECKING:
    from _typeshed import TraceFunction


def statement(
    text: str,
    *,
    sid: str = "s1",
    doc: str = "002",
    line_map: tuple[tuple[int, int], ...] = ((0, 1),),
    role: str = "cabinet",
    when: date = date(2023, 10, 17),
    source: str = "",
) -> Statement:
    """A cabinet answer with `text`, its lines taken from `line_map`."""
    return Statement(
        id=sid,
        doc=doc,
        source=source or f"{doc}_test.txt",
        date=when,
        kind="answer",
        speaker="kabinet",
        party=None,
        role=role,
        text=text,
        lines=(line_map[0][1], line_map[-1][1]),
        line_map=line_map,
    )


def seed_statement(versions_dir: Path, prefix: str, first: int, last: int) -> Statement:
    """Source lines first..last of a seed as one cabinet statement, joined by the pipeline's
    own `normalize_lines`, so sentences cite the real lines."""
    path = next(versions_dir.glob(f"{prefix}_*.txt"))
    raw = path.read_text(encoding="utf-8").splitlines()
    norm = normalize_lines([(n, raw[n - 1]) for n in range(first, last + 1)])
    return statement(
        norm.text, sid=f"{prefix}-{first}", doc=prefix, line_map=norm.line_map, source=path.name
    )


def tree_hash(path: Path) -> str:
    """Hash of every file's path and bytes under `path` (a store or versions/)."""
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(path)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def git(repo: Path, *args: str) -> str:
    out = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True)
    return out.stdout.decode()


class EmptyReader:
    """What a fake store adds to `model.StoreReader` when its test does not read it: no
    statements, no sources, no log (a fake subclasses this and answers the rest)."""

    head = "f" * 40

    def close(self) -> None:
        return None

    def removals(self) -> list[Removal]:
        return []

    def statements(
        self, doc: str | None = None, at: str | Version | None = None
    ) -> list[Statement]:
        return []

    def topic_statements(self, topic: str, version: str | Version) -> list[Statement]:
        return []

    def statement(self, statement_id: str) -> Statement:
        raise StoreError(f"unknown statement {statement_id!r}")

    def source_lines(self, doc_id: str, first: int, last: int) -> list[str]:
        return []

    def topic_counts(self) -> dict[str, dict[str, int]]:
        return {}

    def topic_log(self, topic: str) -> list[TopicLogEntry]:
        return []


def killed_at_line(
    step: int | None, traced: tuple[str, ...], work: Callable[[], object], steps: Path
) -> None:
    """Run `work` in this (child) process and SIGKILL it at the `step`-th line executed in
    the `traced` modules; None: run to the end and write the number of such lines to
    `steps`, so a test can spread its kill points over them."""
    count = 0

    def tracer(frame: FrameType, event: str, arg: Any) -> TraceFunction | None:  # sys.settrace
        nonlocal count
        if not frame.f_code.co_filename.endswith(traced):
            return None
        if event == "line":
            count += 1
            if count == step:
                os.kill(os.getpid(), signal.SIGKILL)
        return tracer

    sys.settrace(tracer)
    try:
        work()
    finally:
        sys.settrace(None)
    steps.write_text(str(count))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`diffview ARGV…` in this process: exit code, stdout, stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
