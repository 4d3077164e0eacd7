"""Content stems of a sentence (Dutch Snowball stems without stopwords), and a document's
stem counts: the per-document part of the corpus IDF.

Here, below the store, so that a build can write each document's counts once
(`sentences/<id>.jsonl`) and a compare sums 64 small records instead of re-splitting and
re-stemming 64 documents (`diff.compare`); `diff.similarity` scores with the same function.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.machinery import PathFinder
from pathlib import Path
from typing import Any

import regex

from diffview.model import DerivedCache, Statement
from diffview.text.sentences import clean_sentence, split_sentences

Splitter = Callable[[str], Sequence[tuple[int, int]]]
_WORD = regex.compile(r"[\p{L}\p{N}]+(?:[-‐'’][\p{L}\p{N}]+)*")
_JOINERS = str.maketrans(dict.fromkeys("-‐'’"))  # dropped inside a word: no regex call
# `_WORD` on ASCII text, where its classes are [A-Za-z0-9] and its joiners - and ': the
# standard library's engine runs that about three times as fast (most sentences are ASCII).
# Unambiguous (no joiner is a word character), so linear: no time budget needed.
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+(?:['-][A-Za-z0-9]+)*")


def _words(text: str, timeout: float | None) -> list[str]:
    if text.isascii():
        return _ASCII_WORD.findall(text)
    return _WORD.findall(text, timeout=timeout)


_SHORT_TEXT = 4_096  # as diff.worddiff: no regex time-out below this length


def _word_list(text: str) -> list[str]:
    """Words of a whitespace-separated list (as `diff.stance.word_list`)."""
    return text.split()


STOPWORDS = frozenset(
    _word_list("""
    de het een en of van in op te ter ten dat die dit deze der des is zijn was waren wordt
    worden werd werden word ben bent heeft hebben had hadden heb hebt aan bij met voor door
    over naar uit om tot als dan ook er hier daar waar wat wie welke welk zo maar nog al wel
    dus toch reeds zich zij ze hij wij we u uw ik je jij hun haar hem ons onze mijn zijn
    men na onder tegen tussen binnen zonder sinds vanaf tijdens omdat doordat zodat indien
    wanneer terwijl hoe daarom daarmee daarbij daarvan daarin daarop hierbij hiervan hierin
    hierop waarbij waarvan waarin waarop worden geworden zal mede nu even eens steeds
    niet geen
    """)
)


# Stemming is pure Python (~50 µs a word): a compare of two rounds stems a thousand words.
# The stems already made are kept in the store's derived cache (`stems_kept_in`), so the next
# process reads them (and imports no stemmer) instead of making them again.
_KNOWN: dict[str, str] = {}  # lower-cased word -> stem, read from a cache
_LEARNED: dict[str, str] = {}  # stems made by this process
MAX_KNOWN_STEMS = 200_000  # a cache file stops growing here (about 5 MB)


@cache
def _stemmer() -> Any:
    import snowballstemmer  # only on a word no cache knows (its import loads 30 languages)

    return snowballstemmer.stemmer("dutch")


@lru_cache(maxsize=262_144)
def stem(word: str) -> str:
    """Dutch Snowball stem plus trimming of a final -t/-dt (steunt → steun, onthoudt → onthoud).

    Snowball leaves the third-person -t on; alignment and stance both want the verb forms of
    one lemma to meet.
    """
    low = word.lower()
    known = _KNOWN.get(low)
    if known is not None:
        return known
    s: str = _stemmer().stemWord(low)
    if len(s) >= 5 and s.endswith("t"):
        s = s[:-1]
    _LEARNED[low] = s
    return s


@cache
def _stem_table_name() -> str:
    """The cache file of stems, named by what makes them: the Snowball Dutch stemmer's
    source and this module's (`stem`), so another stemmer never reads this one's stems."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    spec = PathFinder.find_spec("snowballstemmer")
    for location in (spec.submodule_search_locations or []) if spec else []:
        for name in ("dutch_stemmer.py", "basestemmer.py"):
            with suppress(OSError):
                digest.update((Path(location) / name).read_bytes())
    return f"stems-{digest.hexdigest()[:16]}.json"


def _read_stems(cache: DerivedCache) -> None:
    """Stems from the cache, when it holds a mapping of words to stems (else none)."""
    data = cache.cache_get(_stem_table_name())
    if data is None:
        return
    with suppress(ValueError):
        table = json.loads(data)
        if isinstance(table, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in table.items()
        ):
            _KNOWN.update(table)


@contextmanager
def stems_kept_in(cache: object) -> Iterator[None]:
    """Within: stems come from `cache` (a store's `DerivedCache`) where it has them; after:
    the stems made meanwhile are added to it. Anything else as `cache`: no cache."""
    if not isinstance(cache, DerivedCache):
        yield
        return
    if not _KNOWN:
        _read_stems(cache)
    yield
    # copies: the app's workers stem on other threads meanwhile
    fresh = {w: s for w, s in _LEARNED.copy().items() if w not in _KNOWN}
    if fresh and len(_KNOWN) < MAX_KNOWN_STEMS:
        _KNOWN.update(fresh)
        table = json.dumps(_KNOWN.copy(), sort_keys=True, ensure_ascii=False)
        cache.cache_put(_stem_table_name(), table.encode())


_TERMS: dict[str, tuple[str, bool]] = {}  # word as written -> (stem, counts for similarity)
_MAX_TERMS = 262_144


def _term(word: str) -> tuple[str, bool]:
    low = word.lower()
    bare = low.translate(_JOINERS)
    return stem(bare), low not in STOPWORDS and len(bare) > 1


# Stem sets by sentence: revisions of a document repeat most of its sentences (3 in 4 of a
# synthetic corpus's cabinet sentences), and a build counts every document's. Bounded.
_SENTENCE_TERMS: dict[str, frozenset[str]] = {}
_MAX_SENTENCE_TERMS = 32_768


def content_terms(text: str) -> frozenset[str]:
    """The stem set used for similarity; all stems if the sentence is only stopwords; empty
    when it has no word at all (`diff.similarity.content_stems` then keys it by its text).
    Kept by sentence, and each distinct word is looked up once, in a plain dict: a build
    counts the stems of every cabinet sentence of the corpus."""
    found = _SENTENCE_TERMS.get(text)
    if found is None:
        if len(_SENTENCE_TERMS) >= _MAX_SENTENCE_TERMS:
            _SENTENCE_TERMS.clear()
        found = _SENTENCE_TERMS[text] = _content_terms(text)
    return found


def _content_terms(text: str) -> frozenset[str]:
    timeout = None if len(text) <= _SHORT_TEXT else 5.0 + len(text) / 100_000
    terms = _TERMS
    if len(terms) > _MAX_TERMS:
        terms.clear()
    get = terms.get
    found = [get(w) or terms.setdefault(w, _term(w)) for w in set(_words(text, timeout))]
    content = frozenset([s for s, keep in found if keep])
    return content or frozenset([s for s, _ in found])


def content_stem_sequence(text: str) -> list[str]:
    """The content stems of a text in word order, repeats kept (phrase features, such as
    stem bigrams, need the order that `content_terms` drops)."""
    found = (_term(w) for w in _words(text, 5.0 + len(text) / 100_000))
    return [s for s, keep in found if keep]


@dataclass(frozen=True)
class StemCounts:
    """How many of a document's cabinet sentences contain each stem: summed over documents,
    the document frequencies of `diff.similarity.corpus_weights`. `wordless` are the
    sentences without a word (the similarity keys them by their squashed text)."""

    sentences: int
    counts: dict[str, int]
    wordless: tuple[str, ...] = ()


STEMS_FORMAT = 1  # bump when content_terms or the record changes (the files are committed)


def stem_counts(sentences: Iterable[tuple[str, frozenset[str]]]) -> StemCounts:
    """The counts of sentences given with their `content_terms`."""
    n = 0
    counts: Counter[str] = Counter()
    wordless: list[str] = []
    for text, terms in sentences:
        n += 1
        if terms:
            counts.update(terms)
        else:
            wordless.append(text)
    return StemCounts(n, dict(sorted(counts.items())), tuple(wordless))


def cabinet_stem_counts(
    statements: Iterable[Statement], split: Splitter = split_sentences
) -> StemCounts:
    """The stem counts of a document's cabinet sentences (as `text.sentences.sentences_of`
    cuts them): the record a build writes, rendered in the parse worker that parsed the
    document (`store.plan.render_for`), so on both cores. `split`: `split_sentences` or a
    memo of it, so a build that cut the texts for the document file does not cut them
    again."""
    texts = (
        clean_sentence(s.text[a:b])
        for s in statements
        if s.role == "cabinet"
        for a, b in split(s.text)
    )
    return stem_counts((t, content_terms(t)) for t in texts if t)
