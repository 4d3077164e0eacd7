"""Synthetic Dutch-like text for the benchmarks (no diffview import: a benchmark may measure
another tree): sentences sampled from the seeds' own vocabulary, and revisions of them."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import regex

VERSIONS = Path(__file__).resolve().parent.parent / "versions"
Vocabulary = tuple[list[str], list[int]]


def seed_vocabulary() -> Vocabulary:
    """Every word of two letters or more in the bundled sources, with its count (Zipf)."""
    words: Counter[str] = Counter()
    for f in sorted(VERSIONS.glob("*.txt")):
        words.update(regex.findall(r"\p{L}{2,}", f.read_text(encoding="utf-8").lower()))
    vocab = sorted(words)
    return vocab, [words[w] for w in vocab]


def synthetic(size: int, seed: int, vocab: Vocabulary) -> str:
    """About `size` characters of sentences of 6..34 words, in paragraphs of six."""
    rng = random.Random(seed)
    words, weights = vocab
    out, n = [], 0
    while n < size:
        k = rng.randint(6, 34)
        s = " ".join(rng.choices(words, weights, k=k)).capitalize() + "."
        out.append(s)
        n += len(s) + 1
    return "\n\n".join(" ".join(out[i : i + 6]) for i in range(0, len(out), 6))


def mutate(text: str, fraction: float, seed: int, vocab: Vocabulary) -> str:
    """`fraction` of the words replaced by other words of the vocabulary."""
    rng = random.Random(seed)
    parts = regex.split(r"(\p{L}+)", text)
    idx = list(range(1, len(parts), 2))
    for i in rng.sample(idx, max(1, int(len(idx) * fraction))):
        parts[i] = rng.choice(vocab[0])
    return "".join(parts)
