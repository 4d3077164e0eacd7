"""Work split over both cores: a forked child runs half of the jobs while this process runs
the rest.

Why: a cold compare reads the claims of two rounds (phrase rules over ~6,000 sentences,
0.3 s of one core), and the machine has two. Only where a fork is safe and cheap: Linux,
this process running one thread (the CLI; the app's workers run threads, and run the jobs
here), two cores to use. The child gets its inputs by the fork (no store, no git: the caller
loads what the jobs read first), returns bytes through a pipe and exits without running any
of this process's exit handlers; a child that fails leaves its jobs to this process, so the
results are the same either way.
"""

from __future__ import annotations

import os
import struct
import sys
import threading
from collections.abc import Callable, Sequence

Job = Callable[[], bytes]
_LENGTH = struct.Struct("!Q")


def can_fork() -> bool:
    """A fork is safe (one thread, Linux) and worth it (two cores to run on)."""
    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return False
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except (AttributeError, OSError):
        return False


def run_on_two_cores(jobs: Sequence[Job]) -> list[bytes]:
    """Every job's bytes, in order: the second half run by a forked child when `can_fork`,
    the first half (and any the child could not run) here."""
    if len(jobs) < 2 or not can_fork():
        return [job() for job in jobs]
    half = len(jobs) // 2
    theirs = jobs[half:]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its half, then out without the parent's exit handlers
        os.close(read_end)
        status = 1
        try:
            with os.fdopen(write_end, "wb") as out:
                for job in theirs:
                    data = job()
                    out.write(_LENGTH.pack(len(data)) + data)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    pipe = os.fdopen(read_end, "rb")
    received: list[bytes] | None = None
    try:
        ours = [job() for job in jobs[:half]]
        received = _read_all(pipe.read(), len(theirs))
    finally:
        pipe.close()  # before waiting: a child blocked on a full pipe then ends
        _, status = os.waitpid(pid, 0)
    if status != 0 or received is None:
        received = [job() for job in theirs]  # the child failed: the same work, here
    return ours + received


def _read_all(data: bytes, count: int) -> list[bytes] | None:
    out: list[bytes] = []
    at = 0
    for _ in range(count):
        if at + _LENGTH.size > len(data):
            return None
        (size,) = _LENGTH.unpack_from(data, at)
        at += _LENGTH.size
        if at + size > len(data):
            return None
        out.append(data[at : at + size])
        at += size
    return out if at == len(data) else None
