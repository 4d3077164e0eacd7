"""Scale benchmark (issue 13): synthetic corpora of N documents, timed through the CLI.

    .venv/bin/python scripts/bench_scale.py                    # sweep 10, 100, 1000; 3 runs
    .venv/bin/python scripts/bench_scale.py --sizes 10,100 --runs 1 --json out.json
    .venv/bin/python scripts/bench_scale.py --check-determinism

Each corpus is made from the five bundled documents (`versions/`), reproducibly from `--seed`:
distinct dates spread over 2020-01 .. 2026-10 (one round per month), a few percent of the
words of every copy replaced or swapped. For each N it reports the median of `--runs` of:
build into a fresh store, rebuild with nothing changed, a topic compare between two adjacent
rounds cold (no `.git/diffview-cache`, first process after the build) and warm, open (`topics`)
and `log`, the changelog of one pair of rounds, ingest of one more document, the store's size
on disk and its loose objects, and as the yardstick `git fast-import` writing the same
commits and tags into a fresh bare repository (checked to give the same ref ids). Wall time
is per `diffview` process, peak memory the child's own maximum resident set (`wait4`).

diffview is driven only through its console script (the one beside `sys.executable`), never
imported. Everything runs in a temporary directory with git's global and system config off.
The figures of today's code are in the README's performance table (1,000 documents: build
45 s, ingest one 1.4-1.6 s, cold compare ~1 s). The first baseline (store format 1, Dec
2026): 300 documents took 11 min with --runs 1, cold compare and the changelog pair ~200 s
and 5.6 GB each. Against a diffview whose ids stop at 999 a 1,000 size is capped to 999.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "versions"
DIFFVIEW = Path(sys.executable).parent / "diffview"
TOPIC = "detection-order"
FIRST_DAY = dt.date(2020, 1, 1)
LAST_DAY = dt.date(2026, 10, 31)
INGEST_DAY = dt.date(2026, 11, 16)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
PERTURB_RATE = 0.03  # share of eligible words replaced or swapped in each copy
WORD = re.compile(r"[a-zë]{4,}\Z")  # lowercase words only: headings, names, numbers stay
QUESTION_BASE = "000"  # the bundled questions; a copy of 002 answers the latest copy of it
MB = 1024 * 1024
Args = list[str | Path]  # a command line of diffview


@dataclass(frozen=True)
class Floor:
    limit: float
    unit: str
    at_scale_only: bool = True  # the issue sets it on the 1,000-document store


FLOORS: dict[str, Floor] = {
    "build_s": Floor(20.0, "s"),
    "build_ratio": Floor(3.0, "x"),
    "ingest_s": Floor(2.0, "s"),
    "open_s": Floor(0.5, "s"),
    "compare_cold_s": Floor(1.0, "s"),
    "changelog_pair_s": Floor(5.0, "s"),
    "changelog_pair_mb": Floor(300.0, "MB"),
    "bundled_compare_s": Floor(0.2, "s", at_scale_only=False),
}


# --- running children ----------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    seconds: float
    peak_mb: float
    returncode: int
    cpu_seconds: float = 0.0  # the child's user + system time


# a user's store and corpus are not the benchmark's; nor is a switched-off bytecode cache
# (every install has one: without it each process compiles its modules afresh, ~75 ms)
_NOT_PASSED = ("DIFFVIEW_STORE", "DIFFVIEW_VERSIONS", "PYTHONDONTWRITEBYTECODE")


def child_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _NOT_PASSED}
    env.update(GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1", XDG_DATA_HOME=str(tmp))
    env.update(NO_COLOR="1", COLUMNS="120")
    return env


def run(
    cmd: Sequence[str | Path],
    env: dict[str, str],
    *,
    ok: tuple[int, ...] = (0,),
    stdin: IO[bytes] | None = None,
    stdout: Path | None = None,
) -> Measure:
    """Run one process; its wall time, CPU and own peak RSS (`wait4`'s usage)."""
    out = stdout.open("wb") if stdout else subprocess.DEVNULL
    try:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(c) for c in cmd], stdin=stdin, stdout=out, stderr=subprocess.PIPE, env=env
        )
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    finally:
        if stdout:
            out.close()  # type: ignore[union-attr]
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:
        cmdline = " ".join(str(c) for c in cmd)
        raise RuntimeError(f"{cmdline}: exit {proc.returncode}\n{err.decode(errors='replace')}")
    cpu = usage.ru_utime + usage.ru_stime
    return Measure(seconds, usage.ru_maxrss / 1024, proc.returncode, cpu)


def diffview(args: Sequence[str | Path], env: dict[str, str], **kw: Any) -> Measure:
    return run([DIFFVIEW, *args], env, **kw)


def git(*args: str | Path, env: dict[str, str] | None = None) -> bytes:
    return subprocess.run(["git", *map(str, args)], check=True, capture_output=True, env=env).stdout


# --- the synthetic corpus ------------------------------------------------------------------


@dataclass
class Corpus:
    path: Path
    docs: list[dict[str, Any]]
    pair: tuple[str, str]  # two adjacent rounds, both with cabinet documents
    ingest_file: Path
    ingest_doc: dict[str, Any] = field(default_factory=dict)


def bundled_documents() -> dict[str, tuple[dict[str, Any], str]]:
    """id -> (manifest entry, source text) of the five bundled documents."""
    manifest = tomllib.loads((BUNDLED / "manifest.toml").read_text(encoding="utf-8"))
    return {
        d["id"]: (d, (BUNDLED / d["source"]).read_text(encoding="utf-8"))
        for d in manifest["document"]
    }


def perturb(text: str, rng: random.Random, rate: float = PERTURB_RATE) -> str:
    """Replace (with another word of the text) or swap with its neighbour about `rate` of the
    lowercase words; line breaks, headings, numbers and names stay where they are."""
    lines = text.split("\n")
    vocabulary = sorted({w for w in text.split() if WORD.match(w)})
    for i, line in enumerate(lines):
        words = line.split(" ")
        for j, w in enumerate(words):
            if not WORD.match(w) or rng.random() >= rate:
                continue
            if j + 1 < len(words) and WORD.match(words[j + 1]) and rng.random() < 0.5:
                words[j], words[j + 1] = words[j + 1], words[j]
            else:
                words[j] = rng.choice(vocabulary)
        lines[i] = " ".join(words)
    return "\n".join(lines)


def doc_id(i: int, wide: bool) -> str:
    return f"{i:03d}" if i < 1000 or not wide else str(i)


def round_label(round_: str) -> str:
    year, month = round_.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a TOML basic string for these values


def render_manifest(docs: list[dict[str, Any]]) -> str:
    rounds = sorted({d["round"] for d in docs})
    out = ["# Synthetic corpus written by scripts/bench_scale.py.\n\n[rounds]\n"]
    out += [f"{toml_str(r)} = {toml_str(round_label(r))}\n" for r in rounds]
    for d in docs:
        out.append("\n[[document]]\n")
        for key, value in d.items():
            if isinstance(value, list):
                rendered = "[" + ", ".join(toml_str(v) for v in value) + "]"
            else:
                rendered = toml_str(value)
            out.append(f"{key} = {rendered}\n")
    return "".join(out)


def synthetic_entry(
    base: dict[str, Any], new_id: str, day: dt.date, source: str, answers: str | None
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": new_id,
        "source": source,
        "title": f"{base['title']} [synthetic {new_id}, {day.isoformat()}]",
        "short_title": f"{base['short_title']} #{new_id}",
        "kind": base["kind"],
        "date": day.isoformat(),
        "date_precision": "day",
        "round": day.isoformat()[:7],
        "kamerstukken": list(base.get("kamerstukken", [])),
    }
    if answers is not None:
        entry["answers"] = answers
    return entry


def distinct_days(rng: random.Random, n: int) -> list[dt.date]:
    span = (LAST_DAY - FIRST_DAY).days + 1
    if n > span:
        raise SystemExit(f"at most {span} documents (one per day)")
    return sorted(FIRST_DAY + dt.timedelta(days=k) for k in rng.sample(range(span), n))


def adjacent_pair(docs: list[dict[str, Any]], bases: dict[str, str]) -> tuple[str, str]:
    """Two adjacent rounds near the middle, each with a document carrying cabinet statements
    (any copy but of the bundled questions)."""
    rounds = sorted({d["round"] for d in docs})
    cabinet = {d["round"] for d in docs if bases[d["id"]] != QUESTION_BASE}
    pairs = [(a, b) for a, b in pairwise(rounds) if a in cabinet and b in cabinet]
    if not pairs:
        raise SystemExit("no two adjacent rounds with cabinet documents; try another --seed")
    return pairs[len(pairs) // 2]


def generate(out: Path, n: int, seed: int, wide_ids: bool) -> Corpus:
    """Write `n` perturbed copies of the bundled documents and their manifest into `out`, plus
    one more document (outside the corpus) to ingest."""
    bundle = bundled_documents()
    base_ids = sorted(bundle)
    rng = random.Random(f"bench-scale:{seed}:{n}")
    days = distinct_days(rng, n)
    out.mkdir(parents=True)
    docs: list[dict[str, Any]] = []
    bases: dict[str, str] = {}
    last_question: str | None = None
    for i, day in enumerate(days):
        base_id = rng.choice(base_ids)
        base, text = bundle[base_id]
        new_id = doc_id(i, wide_ids)
        data = perturb(text, random.Random(f"{seed}:{n}:{i}")).encode("utf-8")
        source = f"{new_id}_{hashlib.sha256(data).hexdigest()[:16]}.txt"
        (out / source).write_bytes(data)
        answers = last_question if "answers" in base else None
        docs.append(synthetic_entry(base, new_id, day, source, answers))
        bases[new_id] = base_id
        if base_id == QUESTION_BASE:
            last_question = new_id
    (out / "manifest.toml").write_text(render_manifest(docs), encoding="utf-8")
    extra_base, extra_text = bundle[rng.choice([b for b in base_ids if b != QUESTION_BASE])]
    ingest_file = out.parent / f"{out.name}-ingest.txt"
    ingest_file.write_text(perturb(extra_text, random.Random(f"{seed}:{n}:ingest")), "utf-8")
    pair = adjacent_pair(docs, bases) if n > 1 else ("", "")  # n = 1: the id probe
    return Corpus(out, docs, pair, ingest_file, extra_base)


def tree_digest(path: Path) -> str:
    digest = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(f.relative_to(path).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()


def check_determinism(tmp: Path, sizes: list[int], seed: int) -> bool:
    same = True
    for n in sizes:
        a = generate(tmp / f"a{n}" / "versions", n, seed, wide_ids=False)
        b = generate(tmp / f"b{n}" / "versions", n, seed, wide_ids=False)
        digest = tree_digest(a.path.parent)
        equal = digest == tree_digest(b.path.parent) and a.pair == b.pair
        print(f"N={n}: {'identical' if equal else 'DIFFERENT'} (sha256 {digest[:16]})")
        same &= equal
    return same


def accepts_wide_ids(tmp: Path, env: dict[str, str]) -> bool:
    """Does today's diffview build a corpus whose document id is `1000`?"""
    corpus = generate(tmp / "probe" / "versions", 1, 0, wide_ids=False)
    text = (corpus.path / "manifest.toml").read_text(encoding="utf-8")
    (corpus.path / "manifest.toml").write_text(text.replace('"000', '"1000'), encoding="utf-8")
    source = corpus.path / corpus.docs[0]["source"]
    source.rename(corpus.path / f"1{source.name}")
    try:
        diffview(["build", "--versions", corpus.path, "--store", tmp / "probe" / "s"], env)
    except RuntimeError:
        return False
    finally:
        shutil.rmtree(tmp / "probe")
    return True


# --- the yardstick: git fast-import --------------------------------------------------------


class CatFile:
    """Objects of a repository through one `git cat-file --batch` process."""

    def __init__(self, repo: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            ["git", "-C", str(repo), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )

    def read(self, rev: str) -> bytes:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(rev.encode() + b"\n")
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().split()
        data = self.proc.stdout.read(int(header[2]))
        self.proc.stdout.read(1)
        return data

    def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.close()
        self.proc.wait()


def split_object(raw: bytes) -> tuple[dict[bytes, bytes], bytes]:
    head, _, message = raw.partition(b"\n\n")
    fields = dict(line.split(b" ", 1) for line in head.split(b"\n"))
    return fields, message


def data_block(payload: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(payload), payload)


def changed_files(store: Path, commit: str, env: dict[str, str]) -> list[tuple[str, str, str]]:
    """(status, blob, path) of the files a commit changes against its parent."""
    raw = git("-C", store, "diff-tree", "-r", "-z", "--root", "--no-commit-id", commit, env=env)
    parts = raw.rstrip(b"\0").split(b"\0")
    changes = []
    for meta, path in zip(parts[0::2], parts[1::2], strict=True):
        if meta:
            _, _, _, blob, status = meta.decode().split()
            changes.append((status, blob, path.decode()))
    return changes


def write_fast_import_stream(
    store: Path, stream: Path, env: dict[str, str], keep: Callable[[str], bool] | None = None
) -> dict[str, str]:
    """The store's main branch, its rounds' commits (off the branch) and its tags as a
    fast-import stream (blobs once each, every commit with the files it changes); returns the
    refs a faithful import must reproduce. `keep`: which paths go in (all by default; a leaner
    layout is measured by leaving some out, and its refs then differ)."""
    every = ["--reverse", "--topo-order", "main", "--tags"]
    commits = git("-C", store, "rev-list", *every, env=env).decode().split()
    branch = set(git("-C", store, "rev-list", "main", env=env).decode().split())
    numbers = {c: i for i, c in enumerate(commits, start=1)}
    cat = CatFile(store, env)
    marks: dict[str, int] = {}
    with stream.open("wb") as out:
        for number, commit in enumerate(commits, start=1):
            changes = [c for c in changed_files(store, commit, env) if not keep or keep(c[2])]
            for status, blob, _ in changes:
                if status != "D" and blob not in marks:
                    marks[blob] = len(marks) + len(commits) + 1
                    out.write(b"blob\nmark :%d\n" % marks[blob] + data_block(cat.read(blob)))
            fields, message = split_object(cat.read(commit))
            ref = b"refs/heads/main" if commit in branch else b"refs/diffview/rounds"
            out.write(b"commit %s\nmark :%d\n" % (ref, number))
            out.write(b"author %s\ncommitter %s\n" % (fields[b"author"], fields[b"committer"]))
            out.write(data_block(message).rstrip(b"\n") + b"\n")
            if b"parent" in fields:
                out.write(b"from :%d\n" % numbers[fields[b"parent"].decode()])
            for status, blob, path in changes:
                line = f"D {path}" if status == "D" else f"M 100644 :{marks[blob]} {path}"
                out.write(line.encode() + b"\n")
            out.write(b"\n")
        write_tags(store, out, cat, numbers, env)
    cat.close()
    return refs(store, env)


def write_tags(
    store: Path, out: IO[bytes], cat: CatFile, marks: dict[str, int], env: dict[str, str]
) -> None:
    listing = git("-C", store, "for-each-ref", "--format=%(refname:strip=2)", "refs/tags", env=env)
    for name in listing.decode().split():
        fields, message = split_object(cat.read(f"refs/tags/{name}"))
        target = marks[fields[b"object"].decode()]
        out.write(b"tag %s\nfrom :%d\ntagger %s\n" % (name.encode(), target, fields[b"tagger"]))
        out.write(data_block(message))


def refs(repo: Path, env: dict[str, str]) -> dict[str, str]:
    """The branch's and the tags' (the stream's own ref for the rounds' commits is not one)."""
    listing = git("-C", repo, "for-each-ref", "--format=%(refname) %(objectname)", env=env)
    pairs = (line.split(" ") for line in listing.decode().splitlines())
    return {ref: sha for ref, sha in pairs if not ref.startswith("refs/diffview/")}


def time_fast_import(
    stream: Path, work: Path, env: dict[str, str], *options: str
) -> tuple[Measure, bool]:
    """Import `stream` into a fresh bare repository (fast-import `options`, e.g. `--depth=0`);
    the time of the fast-import process, and whether it wrote refs. The repository is left
    in `work/fast-import.git`, for its pack to be measured."""
    bare = work / "fast-import.git"
    shutil.rmtree(bare, ignore_errors=True)
    git("init", "-q", "--bare", "-b", "main", bare, env=env)
    with stream.open("rb") as fh:
        measure = run(["git", "-C", bare, "fast-import", "--quiet", *options], env, stdin=fh)
    return measure, bool(refs(bare, env))


# --- one size ------------------------------------------------------------------------------


def drop_cache(store: Path) -> None:
    shutil.rmtree(store / ".git" / "diffview-cache", ignore_errors=True)


def du_mb(path: Path) -> float:
    return (
        int(subprocess.run(["du", "-sk", str(path)], capture_output=True).stdout.split()[0]) / 1024
    )


def loose_objects(store: Path, env: dict[str, str]) -> int:
    stats = git("-C", store, "count-objects", "-v", env=env).decode()
    return int(re.search(r"^count: (\d+)", stats, re.M).group(1))  # type: ignore[union-attr]


def one_run(corpus: Corpus, work: Path, env: dict[str, str], stream: Path | None) -> dict[str, Any]:
    """Every measurement on a fresh copy of the corpus and a fresh store."""
    shutil.rmtree(work, ignore_errors=True)
    versions = work / "versions"
    shutil.copytree(corpus.path, versions)
    store = work / "store"
    on: Args = ["--versions", versions, "--store", store]
    r: dict[str, Any] = {}
    m = diffview(["build", *on], env)
    r["build_s"], r["build_mb"] = m.seconds, m.peak_mb
    if stream is not None and not stream.exists():
        r["_refs"] = write_fast_import_stream(store, stream, env)
    first, second = corpus.pair
    compare: Args = ["compare", TOPIC, first, second, "--format", "json", *on]
    drop_cache(store)
    m = diffview(compare, env, ok=(0, 1), stdout=work / "compare-cold.json")
    r["compare_cold_s"], r["compare_cold_mb"] = m.seconds, m.peak_mb
    r["compare_warm_s"] = diffview(compare, env, ok=(0, 1), stdout=work / "c.json").seconds
    m = diffview(["build", *on], env)
    r["rebuild_s"], r["rebuild_mb"] = m.seconds, m.peak_mb
    drop_cache(store)
    m = diffview(["topics", "--format", "json", *on], env, stdout=work / "topics.json")
    r["open_s"], r["open_mb"] = m.seconds, m.peak_mb
    r["log_s"] = diffview(["log", TOPIC, "--format", "json", *on], env).seconds
    drop_cache(store)
    pair: Args = ["--topic", TOPIC, "--from", first, "--to", second, "-o", work / "changelog.md"]
    m = diffview(["changelog", *pair, *on], env)
    r["changelog_pair_s"], r["changelog_pair_mb"] = m.seconds, m.peak_mb
    r.update(ingest_one(corpus, versions, store, env))
    return r


def ingest_one(corpus: Corpus, versions: Path, store: Path, env: dict[str, str]) -> dict[str, Any]:
    day = min(INGEST_DAY, dt.date.today())
    base = corpus.ingest_doc
    args: Args = ["ingest", corpus.ingest_file, "--versions", versions, "--store", store]
    args += ["--date", day.isoformat(), "--kind", base["kind"], "--title", "Synthetic ingest"]
    for number in base.get("kamerstukken", []):
        args += ["--kamerstuk", number]
    m = diffview(args, env)
    return {
        "ingest_s": m.seconds,
        "ingest_mb": m.peak_mb,
        "store_mb": du_mb(store),
        "store_git_mb": du_mb(store / ".git"),
        "sources_mb": du_mb(versions),
        "loose_objects": loose_objects(store, env),
    }


def measure_size(
    n: int, runs: int, seed: int, wide_ids: bool, tmp: Path, env: dict[str, str]
) -> dict[str, Any]:
    corpus = generate(tmp / f"corpus-{n}" / "versions", n, seed, wide_ids)
    stream = tmp / f"fast-import-{n}.stream"
    samples: list[dict[str, Any]] = []
    expected: dict[str, str] = {}
    for k in range(runs):
        print(f"  N={n} run {k + 1}/{runs} ...", file=sys.stderr, flush=True)
        sample = one_run(corpus, tmp / f"run-{n}", env, stream)
        expected = sample.pop("_refs", expected)
        fast, _ = time_fast_import(stream, tmp, env)
        sample["fast_import_s"] = fast.seconds
        sample["fast_import_mb"] = fast.peak_mb
        sample["build_ratio"] = sample["build_s"] / fast.seconds
        samples.append(sample)
    same = refs(tmp / "fast-import.git", env) == expected
    result = {key: statistics.median(s[key] for s in samples) for key in samples[0]}
    result.update(
        documents=len(corpus.docs),
        rounds=len({d["round"] for d in corpus.docs}),
        pair=list(corpus.pair),
        fast_import_same_refs=same,
        build_ms_per_doc=1000 * result["build_s"] / len(corpus.docs),
        runs=samples,
    )
    shutil.rmtree(tmp / f"run-{n}", ignore_errors=True)
    shutil.rmtree(corpus.path.parent)
    stream.unlink()
    return result


def bundled_compare(runs: int, tmp: Path, env: dict[str, str]) -> dict[str, float]:
    store = tmp / "bundled-store"
    diffview(["build", "--store", store, "--versions", BUNDLED], env)
    args: Args = ["compare", TOPIC, "2023-10", "2024-10", "--format", "json", "--store", store]
    diffview([*args, "--versions", BUNDLED], env, ok=(0, 1))  # caches warm, as a user's
    times = [
        diffview([*args, "--versions", BUNDLED], env, ok=(0, 1)).seconds
        for _ in range(max(runs, 5))
    ]
    return {"bundled_compare_s": statistics.median(times)}


# --- report --------------------------------------------------------------------------------


ROWS: tuple[tuple[str, str, Callable[[float], str]], ...] = (
    ("build", "build_s", lambda v: f"{v:.2f} s"),
    ("  peak", "build_mb", lambda v: f"{v:.0f} MB"),
    ("  per document", "build_ms_per_doc", lambda v: f"{v:.0f} ms"),
    ("git fast-import", "fast_import_s", lambda v: f"{v:.2f} s"),
    ("  build / fast-import", "build_ratio", lambda v: f"{v:.1f}x"),
    ("rebuild (no change)", "rebuild_s", lambda v: f"{v:.2f} s"),
    ("compare cold", "compare_cold_s", lambda v: f"{v:.2f} s"),
    ("  peak", "compare_cold_mb", lambda v: f"{v:.0f} MB"),
    ("compare warm", "compare_warm_s", lambda v: f"{v:.2f} s"),
    ("open (topics)", "open_s", lambda v: f"{v:.2f} s"),
    ("log", "log_s", lambda v: f"{v:.2f} s"),
    ("changelog one pair", "changelog_pair_s", lambda v: f"{v:.2f} s"),
    ("  peak", "changelog_pair_mb", lambda v: f"{v:.0f} MB"),
    ("ingest one", "ingest_s", lambda v: f"{v:.2f} s"),
    ("  peak", "ingest_mb", lambda v: f"{v:.0f} MB"),
    ("store on disk", "store_mb", lambda v: f"{v:.1f} MB"),
    ("  of which .git", "store_git_mb", lambda v: f"{v:.1f} MB"),
    ("  sources", "sources_mb", lambda v: f"{v:.1f} MB"),
    ("  loose objects", "loose_objects", lambda v: f"{v:.0f}"),
)


def verdict(key: str, value: float, at_scale: bool) -> str:
    floor = FLOORS.get(key)
    if floor is None:
        return ""
    mark = "PASS" if value <= floor.limit else "FAIL"
    where = "" if at_scale or not floor.at_scale_only else " (floor is at 1,000)"
    return f"<= {floor.limit:g} {floor.unit}  {mark}{where}"


def print_report(results: dict[int, dict[str, Any]], bundled: dict[str, float]) -> None:
    sizes = sorted(results)
    docs = [results[n]["documents"] for n in sizes]
    print("\n" + f"{'documents':<24}" + "".join(f"{d:>12}" for d in docs) + "   floor")
    for label, key, fmt in ROWS:
        cells = "".join(f"{fmt(results[n][key]):>12}" for n in sizes)
        print(f"{label:<24}{cells}   {verdict(key, results[sizes[-1]][key], docs[-1] >= 999)}")
    print(f"{'rounds':<24}" + "".join(f"{results[n]['rounds']:>12}" for n in sizes))
    for n in sizes:
        r = results[n]
        same = "same ref ids" if r["fast_import_same_refs"] else "DIFFERENT ref ids"
        print(
            f"N={r['documents']}: compare/changelog pair {' -> '.join(r['pair'])}; "
            f"fast-import gave the {same} as the store"
        )
    growth = " -> ".join(f"{results[n]['build_ms_per_doc']:.0f}" for n in sizes)
    print(f"build growth per document (ms): {growth}")
    b = bundled["bundled_compare_s"]
    print(
        f"bundled `diffview compare --format json`: {b * 1000:.0f} ms   "
        f"{verdict('bundled_compare_s', b, True)}"
    )
    print("verdicts are for the largest size; the issue's floors are set on 1,000 documents")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="comma-separated N (10,100,1000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per size; medians (3)")
    parser.add_argument("--seed", type=int, default=13, help="corpus seed (13)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--check-determinism", action="store_true", help="generate each corpus twice, compare"
    )
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not DIFFVIEW.exists():
        raise SystemExit(f"no diffview console script beside {sys.executable}")
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as name:
        tmp = Path(name)
        env = child_env(tmp)
        if args.check_determinism:
            return 0 if check_determinism(tmp, args.sizes, args.seed) else 1
        wide = max(args.sizes) >= 1000 and accepts_wide_ids(tmp, env)
        sizes = args.sizes if wide else sorted({min(n, 999) for n in args.sizes})
        if sizes != sorted(args.sizes):
            print("ids are three digits today (no id 1000): 1,000 documents capped at 999")
        results = {n: measure_size(n, args.runs, args.seed, wide, tmp, env) for n in sizes}
        bundled = bundled_compare(args.runs, tmp, env)
    print_report(results, bundled)
    if args.json:
        payload = {"seed": args.seed, "wide_ids": wide, "bundled": bundled, "sizes": results}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
