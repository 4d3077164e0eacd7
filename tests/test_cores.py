"""Work on two cores: the same results, in order, whether a forked child ran half or not."""

from __future__ import annotations

import os

from diffview.positions.cores import can_fork, run_on_two_cores


def test_jobs_come_back_in_order_whoever_ran_them() -> None:
    jobs = [lambda n=n: f"{n}:{os.getpid()}".encode() for n in range(5)]
    results = run_on_two_cores(jobs)
    assert [r.split(b":")[0] for r in results] == [b"0", b"1", b"2", b"3", b"4"]
    pids = {r.split(b":")[1] for r in results}
    assert len(pids) == (2 if can_fork() else 1)  # the second half ran in a child


def test_a_job_failing_in_the_child_is_run_again_here() -> None:
    parent = os.getpid()

    def only_here() -> bytes:
        if os.getpid() != parent:
            raise RuntimeError("not in the child")
        return b"here"

    assert run_on_two_cores([lambda: b"first", only_here]) == [b"first", b"here"]
