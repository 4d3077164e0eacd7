"""A topic comparison kept in the store's derived cache, so the next process reads it.

A comparison of two versions is a pure function of their commits (the statements, and the
corpus IDF over the history up to TO), the topic, the rules and diffview's own code: the same
key gives the same comparison, byte for byte. Aligning two rounds costs a whole `diffview
compare` most of its time (0.1 s on the bundled corpus, seconds at 1,000 documents); reading
it back, milliseconds. The key hashes every source file of the package but its views, so an
upgrade or an edit of diffview never reads an older comparison. A cache file that does not
read back as a comparison is ignored (and rewritten).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from contextlib import suppress
from functools import cache
from importlib.machinery import PathFinder
from pathlib import Path
from typing import Any

from diffview.errors import DiffviewError
from diffview.model import (
    AlignedUnit,
    Comparison,
    DerivedCache,
    Sentence,
    StanceFlag,
    StoreReader,
    WordOp,
)

KEPT_FORMAT = 1  # bump when the file's layout changes
_PACKAGE = Path(__file__).resolve().parent.parent
_OUTSIDE_THE_KEY = frozenset({"views", "__pycache__", "versions"})  # what no comparison reads
# The libraries whose code shapes a comparison: the files of theirs that do (a library's
# version is in one of them), not the 30 languages of Snowball.
_LIBRARY_FILES = {
    "regex": ("__init__.py", "_main.py", "_regex_core.py"),
    "diff_match_patch": ("__version__.py", "diff_match_patch.py"),
    "snowballstemmer": ("__init__.py", "among.py", "basestemmer.py", "dutch_stemmer.py"),
}


@cache
def code_digest() -> str:
    """sha256 of diffview's own source files (views aside), its rules files and the
    libraries that shape a comparison: any of them changing makes kept comparisons stale."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(_PACKAGE):
        dirs[:] = sorted(d for d in dirs if d not in _OUTSIDE_THE_KEY)
        for name in sorted(f for f in files if f.endswith((".py", ".toml"))):
            path = Path(root, name)
            digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes())
    for library, names in _LIBRARY_FILES.items():
        spec = PathFinder.find_spec(library)
        for location in (spec.submodule_search_locations or []) if spec else []:
            for name in names:
                with suppress(OSError):
                    digest.update(name.encode() + b"\0" + Path(location, name).read_bytes())
    return digest.hexdigest()


def _name(store: StoreReader, cache: DerivedCache, topic: str, from_: Any, to: Any) -> str:
    """The cache file of this comparison; DiffviewError when a version does not resolve
    (the comparison itself then says why, as without a cache)."""
    versions = store.versions(topic)
    if not versions:
        raise DiffviewError(topic)
    old = versions[0] if from_ is None else store.resolve_version(from_)
    new = versions[-1] if to is None else store.resolve_version(to)
    key = [topic, cache.commit_of(old), cache.commit_of(new), code_digest()]
    key += [",".join(d.id for d in v.docs) for v in (old, new)]
    digest = hashlib.sha256("\0".join(key).encode()).hexdigest()[:32]
    return f"comparison-{KEPT_FORMAT}-{digest}.json"


def is_kept(store: StoreReader, topic: str, from_spec: str | None, to_spec: str | None) -> bool:
    """True when the store's cache holds this comparison (or cannot hold any): nothing to
    compute ahead."""
    if not isinstance(store, DerivedCache):
        return True
    try:
        return store.cache_get(_name(store, store, topic, from_spec, to_spec)) is not None
    except DiffviewError:
        return True


def kept_comparison(
    store: StoreReader,
    topic: str,
    from_spec: str | None,
    to_spec: str | None,
    compute: Callable[[], Comparison],
) -> Comparison:
    """`compute()`, or the comparison an earlier process kept for the same key."""
    if not isinstance(store, DerivedCache):
        return compute()
    try:
        name = _name(store, store, topic, from_spec, to_spec)
    except DiffviewError:
        return compute()
    data = store.cache_get(name)
    if data is not None:
        with suppress(ValueError, KeyError, TypeError, IndexError):
            return comparison_from_dict(json.loads(data))
    comparison = compute()
    store.cache_put(name, json.dumps(comparison_to_dict(comparison), ensure_ascii=False).encode())
    return comparison


# -- a comparison as plain data, and back ------------------------------------------------------


def _sentence(s: Sentence) -> list[Any]:
    return [s.text, s.doc, s.source, s.statement_id, list(s.lines), s.index, list(s.also)]


def comparison_to_dict(c: Comparison) -> dict[str, Any]:
    """Every field of the comparison (the views' JSON leaves some out), for `from_dict`."""
    return {
        "topic": c.topic,
        "labels": [c.from_label, c.to_label],
        "docs": [list(c.from_docs), list(c.to_docs)],
        "counts": c.counts,
        "revision": c.revision,
        "units": [
            {
                "change": u.change,
                "left": [_sentence(s) for s in u.left],
                "right": [_sentence(s) for s in u.right],
                "score": u.score,
                "ops": [[op.op, op.text] for op in u.ops],
                "stance": [[f.kind, list(f.removed), list(f.added)] for f in u.stance],
                "moved": u.moved,
                "related": list(u.related),
                "note": u.note,
            }
            for u in c.units
        ],
    }


def _typed(value: Any, kind: type) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
    return value


def _strs(values: Any) -> tuple[str, ...]:
    return tuple(_typed(v, str) for v in _typed(values, list))


def _sentence_from(d: Any) -> Sentence:
    text, doc, source, statement_id, lines, index, also = _typed(d, list)
    first, last = _typed(lines, list)
    return Sentence(
        _typed(text, str),
        _typed(doc, str),
        _typed(source, str),
        _typed(statement_id, str),
        (_typed(first, int), _typed(last, int)),
        _typed(index, int),
        _strs(also),
    )


def _unit_from(d: Any) -> AlignedUnit:
    return AlignedUnit(
        change=_typed(d["change"], str),
        left=tuple(_sentence_from(s) for s in _typed(d["left"], list)),
        right=tuple(_sentence_from(s) for s in _typed(d["right"], list)),
        score=_typed(d["score"], float),
        ops=tuple(WordOp(_typed(op, int), _typed(text, str)) for op, text in d["ops"]),
        stance=tuple(
            StanceFlag(_typed(kind, str), _strs(removed), _strs(added))
            for kind, removed, added in d["stance"]
        ),
        moved=_typed(d["moved"], bool),
        related=_strs(d["related"]),
        note=_typed(d["note"], str),
    )


def comparison_from_dict(d: Any) -> Comparison:
    """The comparison `comparison_to_dict` wrote; TypeError/ValueError/KeyError on anything
    else."""
    from_label, to_label = _typed(d["labels"], list)
    from_docs, to_docs = _typed(d["docs"], list)
    counts = {_typed(k, str): _typed(v, int) for k, v in _typed(d["counts"], dict).items()}
    return Comparison(
        topic=_typed(d["topic"], str),
        from_label=_typed(from_label, str),
        to_label=_typed(to_label, str),
        from_docs=_strs(from_docs),
        to_docs=_strs(to_docs),
        units=tuple(_unit_from(u) for u in _typed(d["units"], list)),
        counts=counts,
        revision=_typed(d["revision"], bool),
    )
