"""diffview against `git diff --no-index --word-diff` on large revision pairs (run by hand).

    .venv/bin/python scripts/bench_bigdiff.py [--sizes 100,1024] [--repeat 3] [--keep DIR]

A revision pair is one synthetic text (Dutch-like sentences sampled from the seeds' own
vocabulary, Zipf-shaped, 6..34 words, paragraphs of 6 sentences) and a copy with 1% of its
words replaced, both from fixed seeds: the same sizes give the same files on every machine.
Per size it prints, best of `--repeat`:
  * git:                `git diff --no-index --word-diff A B`, whole process;
  * diffview process:   `python -m diffview compare --files A B --format json`, whole process
                        (PYTHONPATH=another/tree measures that tree);
  * diffview in process: `compare_files(A, B)` alone (the diff, no interpreter start, no output);
and the ratio of each diffview figure to git's whole process (the floor: within 10×), with the
change classes found, so a speed-up that changes the answer shows.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from synthetic_text import mutate, seed_vocabulary, synthetic

ROOT = Path(__file__).resolve().parent.parent

KB = 1024


def pair(size_kb: int, where: Path, vocab: tuple[list[str], list[int]]) -> tuple[Path, Path]:
    a, b = where / f"a-{size_kb}k.txt", where / f"b-{size_kb}k.txt"
    text = synthetic(size_kb * KB, 1000 + size_kb, vocab) + "\n"
    a.write_text(text, encoding="utf-8")
    b.write_text(mutate(text, 0.01, 2000 + size_kb, vocab), encoding="utf-8")
    return a, b


def best(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def run(argv: list[str]) -> None:
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def measure_git(git: str | None, a: Path, b: Path, repeat: int) -> float:
    if git is None:
        return float("nan")
    return best(partial(run, [git, "diff", "--no-index", "--word-diff", str(a), str(b)]), repeat)[0]


def cli_argv(a: Path, b: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "diffview",
        "compare",
        "--files",
        str(a),
        str(b),
        "--format",
        "json",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1024", help="pair sizes in KB (default 100,1024)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the pairs here and keep them")
    args = parser.parse_args()
    from diffview.diff.compare import compare_files

    try:
        from diffview.views.plain import summary_line
    except ImportError:  # a tree from before views/plain.py, measured for comparison
        from diffview.views.render import summary_line

    git = shutil.which("git")
    vocab = seed_vocabulary()
    where = args.keep or Path(tempfile.mkdtemp(prefix="diffview-bigdiff-"))
    where.mkdir(parents=True, exist_ok=True)
    print(f"{'pair':>8} {'git':>9} {'diffview':>9} {'×git':>6} {'in proc':>9} {'×git':>6}  found")
    for size in (int(s) for s in args.sizes.split(",")):
        a, b = pair(size, where, vocab)
        g = measure_git(git, a, b, args.repeat)
        p = best(partial(run, cli_argv(a, b)), args.repeat)[0]
        t, c = best(partial(compare_files, a, b), args.repeat)
        print(
            f"{size:>6}KB {g * 1e3:>7.0f}ms {p * 1e3:>7.0f}ms {p / g:>5.1f}× {t * 1e3:>7.0f}ms"
            f" {t / g:>5.1f}×  {summary_line(c)}"  # type: ignore[arg-type]
        )
    if args.keep is None:
        shutil.rmtree(where)


if __name__ == "__main__":
    main()
