"""diffview against `git diff --no-index --word-diff` on large revision pairs (run by hand).

    .venv/bin/python scripts/bench_bigdiff.py [--sizes 100,1024] [--repeat 3] [--keep DIR]
        [--trees OTHER_TREE,...]

A revision pair is one synthetic text (Dutch-like sentences sampled from the seeds' own
vocabulary, Zipf-shaped, 6..34 words, paragraphs of 6 sentences) and a copy with 1% of its
words replaced, both from fixed seeds: the same sizes give the same files on every machine.
Per size it prints the median of `--repeat` runs of CPU time (user + sys: the machine is
shared, and a process waiting for a core costs no CPU):
  * git:                `git diff --no-index --word-diff A B`, whole process;
  * diffview process:   `python -m diffview compare --files A B --format json --context 1`,
                        whole process,
                        run in the pairs' folder with the bytecode cache on (as an install
                        has it: PYTHONDONTWRITEBYTECODE would compile every module each
                        run), once unmeasured first; `--trees` adds other source trees
                        (each run on PYTHONPATH), interleaved with this one run by run, so
                        a before/after shares the machine's load;
  * diffview in process: `compare_files(A, B)` alone (the diff, no interpreter start, no output);
  * json:               `comparison_to_json` of that comparison as the process writes it
                        (schema 2: unchanged runs collapsed, context 1);
and the ratio of each diffview figure to git's whole process (the floor: within 10×), with the
change classes found, so a speed-up that changes the answer shows. Then, as a bound on what
diffing only the changed paragraphs could save (hunks, as git's line diff makes them):
`compare_texts` of only the paragraphs the two files do not share in order (difflib's
matching blocks of paragraphs), with its classes.
"""

from __future__ import annotations

import argparse
import difflib
import os
import resource
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


def median(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median CPU seconds of `fn` (this process's), and its last result."""
    times, result = [], None
    for _ in range(repeat):
        t = time.process_time()
        result = fn()
        times.append(time.process_time() - t)
    return sorted(times)[len(times) // 2], result


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(argv: list[str], tree: Path | None = None) -> float:
    """CPU seconds (user + sys) of one child process running `argv` (with `tree` first on
    its path, from a folder that is no source tree)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    before = _children_cpu()
    subprocess.run(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
        env=env,
        cwd=Path(argv[-1]).parent if tree is None else tempfile.gettempdir(),
    )
    return _children_cpu() - before


def median_run(argv: list[str], repeat: int) -> float:
    return sorted(run(argv) for _ in range(repeat))[repeat // 2]


def median_runs(argv: list[str], trees: list[Path], repeat: int) -> list[float]:
    """Per tree the median CPU of `argv`, the trees taking turns; a first unmeasured run
    each writes its bytecode cache."""
    for tree in trees:
        run(argv, tree)
    times: list[list[float]] = [[] for _ in trees]
    for _ in range(repeat):
        for k, tree in enumerate(trees):
            times[k].append(run(argv, tree))
    return [sorted(t)[repeat // 2] for t in times]


def measure_git(git: str | None, a: Path, b: Path, repeat: int) -> float:
    if git is None:
        return float("nan")
    return median_run([git, "diff", "--no-index", "--word-diff", str(a), str(b)], repeat)


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
        "--context",
        "1",
    ]


def changed_paragraphs(a: str, b: str) -> tuple[str, str]:
    """Each text without the paragraphs both hold in order (what a hunk diff skips)."""
    pa, pb = a.split("\n\n"), b.split("\n\n")
    shared_a: set[int] = set()
    shared_b: set[int] = set()
    for block in difflib.SequenceMatcher(None, pa, pb, autojunk=False).get_matching_blocks():
        shared_a.update(range(block.a, block.a + block.size))
        shared_b.update(range(block.b, block.b + block.size))
    keep_a = (p for i, p in enumerate(pa) if i not in shared_a)
    return "\n\n".join(keep_a), "\n\n".join(p for i, p in enumerate(pb) if i not in shared_b)


def _json(write: Callable[..., str], comparison: object) -> str:
    """What `compare --files --format json --context 1` writes: unchanged runs collapsed around each
    change (a tree from before schema 2 writes every unit)."""
    try:
        return write(comparison, context=1)
    except TypeError:
        return write(comparison)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1024", help="pair sizes in KB (default 100,1024)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the pairs here and keep them")
    parser.add_argument(
        "--trees", default="", help="other source trees whose whole process to time beside"
    )
    args = parser.parse_args()
    trees = [ROOT, *(Path(t).resolve() for t in args.trees.split(",") if t)]
    from diffview.diff.compare import compare_files, compare_texts
    from diffview.views.plain import comparison_to_json

    try:
        from diffview.views.plain import summary_line
    except ImportError:  # a tree from before views/plain.py, measured for comparison
        from diffview.views.render import summary_line

    git = shutil.which("git")
    vocab = seed_vocabulary()
    where = args.keep or Path(tempfile.mkdtemp(prefix="diffview-bigdiff-"))
    where.mkdir(parents=True, exist_ok=True)
    print("CPU (user+sys), median of", args.repeat)
    print(
        f"{'pair':>8} {'git':>9} {'diffview':>9} {'×git':>6} {'in proc':>9} {'×git':>6}"
        f" {'json':>7}  found"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        a, b = pair(size, where, vocab)
        g = measure_git(git, a, b, args.repeat)
        p, *others = median_runs(cli_argv(a, b), trees, args.repeat)
        t, c = median(partial(compare_files, a, b), args.repeat)
        j = median(partial(_json, comparison_to_json, c), args.repeat)[0]
        print(
            f"{size:>6}KB {g * 1e3:>7.0f}ms {p * 1e3:>7.0f}ms {p / g:>5.1f}× {t * 1e3:>7.0f}ms"
            f" {t / g:>5.1f}× {j * 1e3:>5.0f}ms  {summary_line(c)}"  # type: ignore[arg-type]
        )
        for tree, other in zip(trees[1:], others, strict=True):
            print(f"{'':>18} {other * 1e3:>7.0f}ms {other / g:>5.1f}×  whole process of {tree}")
        ca, cb = changed_paragraphs(a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8"))
        h, hc = median(partial(compare_texts, ca, cb), args.repeat)
        print(
            f"{'':>38} {h * 1e3:>7.0f}ms {h / g:>5.1f}×          changed paragraphs only:"
            f" {summary_line(hc)}"  # type: ignore[arg-type]
        )
    if args.keep is None:
        shutil.rmtree(where)


if __name__ == "__main__":
    main()
