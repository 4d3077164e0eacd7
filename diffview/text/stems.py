"""Content stems of a sentence (Dutch Snowball stems without stopwords), and a document's
stem counts: the per-document part of the corpus IDF.

Here, below the store, so that a build can write each document's counts once
(`sentences/<id>.jsonl`) and a compare sums 64 small records instead of re-splitting and
re-stemming 64 documents (`diff.compare`); `diff.similarity` scores with the same function.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import regex
import snowballstemmer

_STEMMER = snowballstemmer.stemmer("dutch")
_WORD = regex.compile(r"[\p{L}\p{N}]+(?:[-‐'’][\p{L}\p{N}]+)*")
_JOINER = regex.compile(r"[-‐'’]")
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


@lru_cache(maxsize=262_144)
def stem(word: str) -> str:
    """Dutch Snowball stem plus trimming of a final -t/-dt (steunt → steun, onthoudt → onthoud).

    Snowball leaves the third-person -t on; alignment and stance both want the verb forms of
    one lemma to meet.
    """
    s: str = _STEMMER.stemWord(word.lower())
    if len(s) >= 5 and s.endswith("t"):
        s = s[:-1]
    return s


_TERMS: dict[str, tuple[str, bool]] = {}  # word as written -> (stem, counts for similarity)
_MAX_TERMS = 262_144


def _term(word: str) -> tuple[str, bool]:
    low = word.lower()
    bare = _JOINER.sub("", low)
    return stem(bare), low not in STOPWORDS and len(bare) > 1


_KNOWN: dict[str, frozenset[str]] = {}  # sentence -> its terms, as a build recorded them


def remember_terms(sentence: str, joined: str) -> None:
    """Let `content_terms(sentence)` answer the space-joined stems a build computed for this
    very sentence (`sentences/<id>.jsonl`): a compare then stems no word of the rounds it
    reads (Snowball is pure Python, ~50 µs a word)."""
    if len(_KNOWN) > _MAX_TERMS:
        _KNOWN.clear()
    _KNOWN[sentence] = frozenset(joined.split())


def content_terms(text: str) -> frozenset[str]:
    """The stem set used for similarity; all stems if the sentence is only stopwords; empty
    when it has no word at all (`diff.similarity.content_stems` then keys it by its text).
    A plain dict caches each word: a build stems every cabinet sentence of the corpus."""
    known = _KNOWN.get(text)
    if known is not None:
        return known
    timeout = None if len(text) <= _SHORT_TEXT else 5.0 + len(text) / 100_000
    words = _WORD.findall(text, timeout=timeout)
    terms = _TERMS
    if len(terms) > _MAX_TERMS:
        terms.clear()
    found = []
    for w in words:
        t = terms.get(w)
        if t is None:
            t = terms[w] = _term(w)
        found.append(t)
    content = frozenset(s for s, keep in found if keep)
    return content or frozenset(s for s, _ in found)


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
