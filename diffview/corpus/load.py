"""Glue between the source files and the statement model: manifest → sources → parse → topics."""

from __future__ import annotations

import gc
import hashlib
import inspect
import os
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.context import BaseContext
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar, overload

import regex

from diffview.corpus import claims as claims_module
from diffview.corpus.codebytes import module_bytes
from diffview.corpus.labels import label_statements
from diffview.corpus.layouts import REGISTRY
from diffview.corpus.manifest import load_manifest_with_rounds
from diffview.corpus.parse import parse_document
from diffview.corpus.sources import load_source
from diffview.corpus.topicnames import BUNDLED_RULES
from diffview.corpus.topics import load_rules
from diffview.errors import regex_timeout
from diffview.model import Document, Statement
from diffview.text import sentences as sentences_module
from diffview.text import stems as stems_module

if TYPE_CHECKING:  # imported when a pool starts: most processes never start one
    from concurrent.futures import Future, ProcessPoolExecutor

# The bundled corpus is `versions/` inside this package, in a checkout and an install alike:
# in the repository `diffview/versions` is a symlink to the top-level versions/ (the one copy),
# a wheel carries the files themselves. Resolved, so messages name the real directory.
BUNDLED_VERSIONS = (Path(__file__).resolve().parent.parent / "versions").resolve()

# Bump to invalidate every cached parse for a reason `rules_digest` cannot see (its sources
# and rules are covered without it).
PARSER_VERSION = 1

# A process pool pays for itself from this many documents on; smaller corpora are parsed in
# process (scripts/bench_parse_pool.py measures both). Forked workers start in ~20 ms with
# the parser loaded; each document then costs the pool ~5 ms of pickling against ~25 ms of
# parsing, half of it saved on two cores. Where workers cannot be forked (a threaded
# process: the app) they start from the fork server, ~0.6 s the first time: many more
# documents are needed to win that back.
POOL_MIN_DOCUMENTS = 8
POOL_MIN_DOCUMENTS_UNFORKED = 64
_CHUNK = 4  # documents per task: few round trips, yet an even spread over the workers

T = TypeVar("T")
# What a caller has done with each parsed document where it was parsed (a pool worker): a
# picklable top-level function of the entry, its source bytes and its statements. The later
# stages hand one down (the store's renderer) so their per-document work runs on both cores
# too, without this layer importing them.
Then = Callable[[Document, bytes, list[Statement]], T]


@dataclass(frozen=True)
class Corpus:
    """Every document of a versions directory and all their statements, in manifest order.

    `sources` holds the bytes the statements were parsed from, read once, so the store keeps
    exactly the text its citations point into; `labels` names the rounds ("Oct 2024").
    """

    documents: tuple[Document, ...]
    statements: tuple[Statement, ...]
    sources: dict[str, bytes] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def of(self, doc_id: str) -> tuple[Statement, ...]:
        return tuple(s for s in self.statements if s.doc == doc_id)


def parse_text(doc: Document, text: str) -> list[Statement]:
    """Parse and label one document's decoded text."""
    return label_statements(parse_document(doc, text), load_rules())


def parse_source(versions_dir: Path, doc: Document) -> tuple[bytes, list[Statement]]:
    """One manifest entry: the source's bytes (as the store keeps them) and its statements.

    A pure function of the source bytes, `doc` and the rules (`rules_digest`), so a cache of
    its result keyed by the bytes' sha256, the entry and the digest is exact. Errors are the
    ones `load_corpus` raises: an `InputError` naming the file (and line), a regex time-out as
    `regex_timeout(path, "parsing")`.
    """
    path = Path(versions_dir) / doc.source
    data, text = load_source(path)
    try:
        return data, parse_text(doc, text)
    except TimeoutError:
        raise regex_timeout(path, "parsing") from None


def load_corpus(versions_dir: Path = BUNDLED_VERSIONS, *, workers: int | None = None) -> Corpus:
    """Parse every document listed in the manifest of `versions_dir`.

    From `POOL_MIN_DOCUMENTS` documents on they are parsed in a pool of `workers` processes
    (default: one per available core), in manifest order all the same; the first failing
    document in manifest order raises, with the message a serial parse gives.
    """
    documents, labels = load_manifest_with_rounds(versions_dir)
    sources: dict[str, bytes] = {}
    statements: list[Statement] = []
    for doc, (data, parsed) in zip(
        documents, parse_documents(versions_dir, documents, workers), strict=True
    ):
        sources[doc.source] = data
        statements.extend(parsed)
    return Corpus(tuple(documents), tuple(statements), sources, labels)


@overload
def parse_documents(
    versions_dir: Path, documents: Sequence[Document], workers: int | None = None
) -> list[tuple[bytes, list[Statement]]]: ...


@overload
def parse_documents(
    versions_dir: Path,
    documents: Sequence[Document],
    workers: int | None = None,
    *,
    then: Then[T],
) -> Iterator[tuple[bytes, list[Statement], T]]: ...


def parse_documents(
    versions_dir: Path,
    documents: Sequence[Document],
    workers: int | None = None,
    *,
    then: Then[T] | None = None,
) -> list[tuple[bytes, list[Statement]]] | Iterator[tuple[bytes, list[Statement], T]]:
    """`parse_source` of each of `documents`, in their order; on both cores when they are
    enough to pay for a pool (`workers`: its size, default the available cores; 1: serial).

    With `then`, each result also carries `then(doc, bytes, statements)`, computed where the
    document was parsed, and the results come as an iterator, each as soon as it and those
    before it are done: the caller works on the first while the workers parse the next
    (the pool is started at once; in process, each is parsed when asked for). Errors, of
    `then` too, are raised where their document's result would come."""
    if then is None:
        parsed = _iter_parsed(versions_dir, documents, workers, _nothing)
        return [(data, stmts) for data, stmts, _ in parsed]
    return _iter_parsed(versions_dir, documents, workers, then)


def _nothing(doc: Document, data: bytes, statements: list[Statement]) -> None:
    """The `then` of a caller that wants the parse alone."""


def _iter_parsed(
    versions_dir: Path,
    documents: Sequence[Document],
    workers: int | None,
    then: Then[T],
) -> Iterator[tuple[bytes, list[Statement], T]]:
    n = available_cores() if workers is None else max(1, workers)
    if n < 2 or len(documents) < POOL_MIN_DOCUMENTS:
        return (_parse_one(versions_dir, doc, then) for doc in documents)
    context = _pool_context()
    if context.get_start_method() != "fork" and len(documents) < POOL_MIN_DOCUMENTS_UNFORKED:
        return (_parse_one(versions_dir, doc, then) for doc in documents)
    return _parse_in_pool(Path(versions_dir), list(documents), n, then, context)


def _parse_one(
    versions_dir: Path, doc: Document, then: Then[T]
) -> tuple[bytes, list[Statement], T]:
    data, statements = parse_source(versions_dir, doc)
    return data, statements, then(doc, data, statements)


def available_cores() -> int:
    """The cores this process may run on (its affinity mask, not the machine's count)."""
    counter = getattr(os, "process_cpu_count", None)  # Python 3.13
    if counter is not None:
        return counter() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _parse_chunk(
    versions_dir: Path, documents: Sequence[Document], then: Then[T]
) -> tuple[list[tuple[bytes, list[Statement], T]], BaseException | None]:
    """A worker's task: the documents in order up to the first error, and that error.

    The worker runs without the cyclic garbage collector, for good (why: `diffview.collector`;
    here it was 5-8% of a worker's CPU, walking the memos again and again)."""
    gc.disable()
    done: list[tuple[bytes, list[Statement], T]] = []
    for doc in documents:
        try:
            done.append(_parse_one(versions_dir, doc, then))
        except Exception as exc:  # noqa: BLE001 - handed back to be raised in manifest order
            return done, exc
    return done, None


def _parse_in_pool(
    versions_dir: Path,
    documents: list[Document],
    workers: int,
    then: Then[T],
    context: BaseContext | None = None,
) -> Iterator[tuple[bytes, list[Statement], T]]:
    """Start the pool and hand it every chunk now; the results come in order."""
    from concurrent.futures import ProcessPoolExecutor

    chunks = [documents[i : i + _CHUNK] for i in range(0, len(documents), _CHUNK)]
    context = context or _pool_context()
    try:
        pool = ProcessPoolExecutor(min(workers, len(chunks)), mp_context=context)
    except (OSError, NotImplementedError):  # no semaphores here (some sandboxes): in process
        return (_parse_one(versions_dir, doc, then) for doc in documents)
    frozen = context.get_start_method() == "fork"
    if frozen:  # forked workers then never walk (and so copy) the heap they inherit
        gc.freeze()
    try:  # forked workers all start at the first submit, with the heap frozen in them
        futures = [pool.submit(_parse_chunk, versions_dir, chunk, then) for chunk in chunks]
    except BaseException:
        pool.shutdown(cancel_futures=True)
        raise
    finally:
        if frozen:
            gc.unfreeze()
    return _pool_results(pool, futures, versions_dir, documents, then)


def _pool_results(
    pool: ProcessPoolExecutor,
    futures: list[Future[tuple[list[tuple[bytes, list[Statement], T]], BaseException | None]]],
    versions_dir: Path,
    documents: list[Document],
    then: Then[T],
) -> Iterator[tuple[bytes, list[Statement], T]]:
    from concurrent.futures.process import BrokenProcessPool

    given = 0
    futures.reverse()  # popped as taken: a result handed on is not kept here too
    with pool:
        try:
            while futures:
                done, error = futures.pop().result()
                given += len(done)
                yield from done
                if error is not None:
                    raise error
        except BrokenProcessPool:  # a worker died (killed, out of memory): finish in process
            for doc in documents[given:]:
                yield _parse_one(versions_dir, doc, then)
        finally:
            for future in futures:
                future.cancel()


def _pool_context() -> BaseContext:
    """How workers start. `fork` (~20 ms for two workers, which inherit the compiled rules)
    only on Linux in a process with one thread: a forked child of a threaded process (the
    app builds from a worker thread) can inherit a lock another thread held. Otherwise the
    fork server (started once per process, the parser imported in it once; ~0.6 s the
    first time) or, where there is none, `spawn`."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and _one_thread():
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


def _one_thread() -> bool:
    """True when this process runs no thread but the main one: the hazard is a thread of
    ours (the app's build worker, Textual's own) holding a lock at the fork. Python's count,
    not the kernel's: a native helper thread appears there now and then on this machine
    (no diffview dependency starts one during a build) and would only cost the fork server's
    start."""
    import threading

    return threading.active_count() == 1


# ------------------------------------------------------------------------------ rules digest


def rules_digest() -> str:
    """sha256 naming everything a parse result depends on besides its source and manifest
    entry: the bundled topic rules' bytes, the source of every diffview module the parser
    reaches, the `regex` and Unicode versions, and `PARSER_VERSION`.

    Source, not a hand-kept version number alone: a parser change that forgot to bump the
    number would serve stale statements from a cache (and the store's commit ids would then
    depend on what was cached), whereas a digest of the code cannot go stale. The price is a
    full re-parse after any change to those modules, even an output-neutral one.
    """
    h = hashlib.sha256()
    h.update(f"diffview-parser {PARSER_VERSION}\n".encode())
    h.update(f"regex {regex.__version__}\nunicode {unicodedata.unidata_version}\n".encode())
    h.update(b"topics.toml\n" + BUNDLED_RULES.read_bytes() + b"\n")
    for module in _parser_modules():
        h.update(f"module {module.__name__}\n".encode())
        h.update(module_bytes(module) + b"\n")
    return h.hexdigest()


def _parser_modules() -> list[ModuleType]:
    """This module and every diffview module it reaches through module-level names (a module,
    or a function or class defined in one), plus the layouts of the registry and the modules
    that cut and stem the sentences the store records: the code that can change a parse or
    what a build writes of it. Found by walking, so moving a module needs no list kept here."""
    package = __name__.split(".")[0]
    start = [sys.modules[__name__], *(sys.modules[lay.detect.__module__] for lay in REGISTRY)]
    # what the store writes beside each parse (sentence spans, stem counts, claims) is
    # theirs too
    start += [sentences_module, stems_module, claims_module]
    seen: dict[str, ModuleType] = {}
    todo = list(start)
    while todo:
        module = todo.pop()
        if module.__name__ in seen:
            continue
        seen[module.__name__] = module
        for value in vars(module).values():
            if inspect.ismodule(value):
                name = value.__name__
            elif inspect.isfunction(value) or inspect.isclass(value):
                name = value.__module__
            else:
                continue
            if (name == package or name.startswith(package + ".")) and name in sys.modules:
                todo.append(sys.modules[name])
    return [seen[name] for name in sorted(seen)]
