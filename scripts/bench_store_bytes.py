"""What a store's layout costs git (issue 13): bytes per folder, and fast-import's CPU on them.

    .venv/bin/python scripts/bench_store_bytes.py STORE [--without documents,topics] [--depths 50,0]

A build is CPU-bound on both cores: the parse workers and `git fast-import` share them, so
every byte the layout writes is paid for by the parse. This prints, for a store `diffview
build` made (e.g. of `bench_scale.py`'s 1,000 documents):

* per top-level folder, the bytes at HEAD and the bytes of every blob its history wrote (a
  file rewritten on every commit is paid for on every commit);
* `git fast-import` of the store's own commits (`bench_scale.write_fast_import_stream`) into
  a fresh bare repository, CPU (user+sys) and pack size, for each `--depths` (fast-import's
  delta depth: 0 writes no deltas, so every blob is deflated whole), the whole layout and,
  with `--without`, the same commits without those folders.

Not a test: it measures, and the README's performance table quotes it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import child_env, git, time_fast_import, write_fast_import_stream

MB = 1e6


def folder(path: str) -> str:
    return path.split("/", 1)[0]


def bytes_by_folder(store: Path, env: dict[str, str]) -> tuple[Counter[str], Counter[str]]:
    """(bytes at HEAD, bytes of every blob written) per top-level folder."""
    listing = git("-C", store, "ls-tree", "-r", "-l", "-z", "HEAD", env=env)
    head: Counter[str] = Counter()
    for entry in listing.rstrip(b"\0").split(b"\0"):
        meta, path = entry.split(b"\t", 1)
        head[folder(path.decode())] += int(meta.split()[3])
    every = ("main", "--tags")  # the branch and the rounds' commits off it
    raw = git("-C", store, "log", "--raw", "-z", "--no-abbrev", "--format=", *every, env=env)
    written: Counter[str] = Counter()
    sizes = dict(_blob_sizes(store, env))
    parts = raw.split(b"\0")
    for meta, path in zip(parts[0::2], parts[1::2], strict=False):
        fields = meta.strip().split()
        if len(fields) == 5 and fields[4] != b"D":
            written[folder(path.decode())] += sizes.get(fields[3].decode(), 0)
    return head, written


def outside(folders: set[str]) -> Callable[[str], bool]:
    """A path filter: True for paths in none of these top-level folders."""
    return lambda path: folder(path) not in folders


def _blob_sizes(store: Path, env: dict[str, str]) -> list[tuple[str, int]]:
    fmt = "--batch-check=%(objectname) %(objecttype) %(objectsize)"
    out = git("-C", store, "cat-file", "--batch-all-objects", fmt, env=env).decode()
    return [(o, int(n)) for o, t, n in (line.split() for line in out.splitlines()) if t == "blob"]


def fast_import(stream: Path, work: Path, depth: int, env: dict[str, str]) -> tuple[float, float]:
    """CPU seconds of `git fast-import` on `stream` at this delta depth, and its pack in MB
    (zlib level 1, as the store's writer has it)."""
    env = {**env, "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "pack.compression"}
    env["GIT_CONFIG_VALUE_0"] = "1"
    measure, _ = time_fast_import(stream, work, env, f"--depth={depth}")
    packs = (work / "fast-import.git" / "objects" / "pack").glob("*.pack")
    return measure.cpu_seconds, sum(p.stat().st_size for p in packs) / MB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--without", default="", help="folders left out, comma-separated")
    parser.add_argument("--depths", default="50,0", help="fast-import delta depths (50,0)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="diffview-bytes-") as tmp:
        work = Path(tmp)
        env = child_env(work)
        head, written = bytes_by_folder(args.store, env)
        print(f"{'folder':14s} {'at HEAD':>10s} {'written':>10s}")
        for name in sorted(written, key=lambda n: -written[n]):
            print(f"{name:14s} {head[name] / MB:8.1f} MB {written[name] / MB:8.1f} MB")
        layouts = {"whole layout": set[str]()}
        if args.without:
            layouts[f"without {args.without}"] = set(args.without.split(","))
        for label, left_out in layouts.items():
            stream = work / "stream"
            write_fast_import_stream(args.store, stream, env, keep=outside(left_out))
            size = stream.stat().st_size / MB
            for depth in (int(d) for d in args.depths.split(",")):
                cpu, pack = fast_import(stream, work, depth, env)
                print(f"{label}: stream {size:.0f} MB, depth {depth}: {cpu:.1f} s CPU, "
                      f"pack {pack:.0f} MB")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
