"""Readers during rebuilds (not a test: run by hand, the figures go in reviews).

    .venv/bin/python scripts/stress_readers.py [READS]

A writer process rebuilds one store over and over from two corpora whose histories differ
from the first commit on (the bundled one, and a copy with an extra document dated before
all others), so every rebuild removes the objects readers were reading. Meanwhile this
process runs `diffview compare` READS times (default 150) in-process and counts exit codes:
all must be 1 (differences), with no error line and no traceback.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing as mp
import shutil
import sys
import tempfile
from multiprocessing.synchronize import Event as EventType
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _writer(stop: EventType, a: str, b: str, store: str) -> None:  # stop: a multiprocessing Event
    from diffview.pipeline import build_store

    n = 0
    while not stop.is_set():
        build_store(Path(a if n % 2 else b), Path(store))
        n += 1
    print(f"writer: {n} rebuilds", file=sys.stderr)


def main(reads: int) -> int:
    from diffview.ingest import ingest
    from diffview.pipeline import build_store
    from diffview.views.cli import main as diffview

    tmp = Path(tempfile.mkdtemp(prefix="diffview-stress-"))
    a, b, store = tmp / "A", tmp / "B", tmp / "store"
    shutil.copytree(ROOT / "versions", a)
    shutil.copytree(ROOT / "versions", b)
    early = tmp / "early.txt"
    early.write_text(next(a.glob("004_*.txt")).read_text(encoding="utf-8") + "\nExtra.\n")
    build_store(b, store)
    ingest(early, b, store, date="2023-09-01", kind="written-consultation", title="Vroeg")
    stop = mp.get_context("fork").Event()
    writer = mp.get_context("fork").Process(target=_writer, args=(stop, str(a), str(b), str(store)))
    writer.start()
    codes: dict[int, int] = {}
    errors: list[str] = []
    try:
        for _ in range(reads):
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                rc = diffview(["compare", "detection-order", "2023-10", "2024-10",
                               "--format", "json", "--store", str(store)])  # fmt: skip
            codes[rc] = codes.get(rc, 0) + 1
            if err.getvalue().strip():
                errors.append(err.getvalue().strip())
    finally:
        stop.set()
        writer.join()
    print(f"reads: {reads}, exit codes {codes}, error lines {len(errors)}")
    for line in errors[:5]:
        print("  ", line[:200])
    leftovers = sorted(p.name for p in tmp.iterdir())
    print(f"left beside the store: {leftovers}")
    shutil.rmtree(tmp)
    return 0 if codes == {1: reads} and not errors else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 150))
