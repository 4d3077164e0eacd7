"""Word-level diff of two aligned sentences: diff-match-patch on word tokens.

diff-match-patch has no word mode, so we use its own line-mode trick on words: every distinct
token (word, whitespace run, punctuation mark) becomes one code point, the two code-point
strings are diffed (`diff_main(checklines=False)` + `diff_cleanupSemantic`), and the ops are
mapped back to text. A change is then always a whole word, never half of one.

Spelling variants are not a change. Two texts are *variant-equal* when their `squash` forms
are equal: case folded, every quote/apostrophe style unified, whitespace and hyphens/dashes
removed, diacritics dropped (the rules of `normalize.canonical_term`). So
`end-to-end encryptie` = `end-to-endencryptie` = `End-to-end-encryptie`, and
`Kamerstuk 32 317` = `Kamerstuk 32317`. Folding stops at real differences: `één` ≠ `een`
(stress on a short word), `1 2 oktober` ≠ `12 oktober` (two numbers).

The rule for ops (tested in tests/test_properties.py):
  * tokens are compared by their canonical key (`token_key`: case, quotes, hyphens), and after
    the diff every changed run (deletes and inserts between two equal runs) whose deleted and
    inserted texts are variant-equal is turned into an equal run;
  * every equal op carries the text of the RIGHT side;
  * hence `rebuild(ops, "right") == right` exactly, and
    `squash(rebuild(ops, "left")) == squash(left)`; when no variant was folded the left text is
    rebuilt exactly too (`rebuild(ops, "left") == left`).
Only ever diff aligned sentences, never whole documents (see STYLE.md for the measured cost).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import accumulate

import regex
from diff_match_patch import diff_match_patch

from diffview.model import WordOp

# Up to this many tokens on both sides together a pair is diffed exactly by diff-match-patch
# with no time-out: its worst case (two unrelated 1,000-token sentences) is ~1 s, and a
# clock would make the ops depend on the machine's load. Longer pairs go to difflib, whose
# junk heuristic keeps them near linear; both are deterministic.
EXACT_TOKENS = 2000

_TOKEN = regex.compile(
    r"\s+"
    r"|[\p{L}\p{M}\p{N}]+(?:(?:[-‐‑'’]|(?<=\p{N})[.,/](?=\p{N}))[\p{L}\p{M}\p{N}]+)*"
    r"|<U\+[0-9A-F]{4,6}>"  # a sanitised control character stays one token
    r"|.",
    regex.DOTALL,
)
# `_TOKEN` on ASCII text, in stdlib `re` (a third of the cost): there the classes are
# [A-Za-z0-9] and the regex module's whitespace (no \x1c-\x1f, which `re`'s \s has).
_ASCII_TOKEN = re.compile(
    r"[\t\n\x0b\x0c\r ]+"
    r"|[A-Za-z0-9]+(?:(?:[-']|(?<=[0-9])[.,/](?=[0-9]))[A-Za-z0-9]+)*"
    r"|<U\+[0-9A-F]{4,6}>"
    r"|.",
    re.DOTALL,
)
_QUOTES = str.maketrans({c: "'" for c in "'‘’‚‛\"“”„«»′″`´"})
_SQUASH_DROP = regex.compile(r"[\s\-‐‑‒–—―\p{Mn}]+")
# What _SQUASH_DROP drops below U+0300 (whitespace, the hyphen), the marks of U+0300-U+036F
# and the dashes: `re`, no Unicode property, so C speed.
_LATIN_DROP = re.compile("[\t\n\x0b\x0c\r \x85\xa0\\-\u0300-\u036f\u2010-\u2015]+")
_HYPHENS = regex.compile(r"[\-‐‑]")


# A sentence-sized text is matched without a regex time-out: the diff's patterns are linear
# (character classes, delimited repeats), so on this many characters they end in microseconds,
# while the `regex` module's time-out bookkeeping triples the cost of every call. Longer texts
# (a whole file compared as one sentence) keep a time-out that grows with their length.
SHORT_TEXT = 4_096


def regex_timeout_for(text: str) -> float | None:
    """The time-out for one linear-pattern call on `text`: none when it is short."""
    return None if len(text) <= SHORT_TEXT else 5.0 + len(text) / 100_000


def tokenize(text: str) -> list[str]:
    """Words (hyphenated compounds and numbers like `1.000` whole), whitespace runs, marks.

    `"".join(tokenize(t)) == t` for every string.
    """
    if text.isascii() and len(text) <= SHORT_TEXT:
        return _ASCII_TOKEN.findall(text)
    return _TOKEN.findall(text, timeout=regex_timeout_for(text))


@lru_cache(maxsize=65_536)
def token_key(token: str) -> str:
    """What two tokens must share to be 'the same word': case, quote style, hyphens ignored.

    Cached: a text repeats its words, and a revision pair repeats whole sentences."""
    if token.isspace():
        return " "
    folded = token.casefold().translate(_QUOTES)
    if "-" in folded or "‐" in folded or "‑" in folded:
        folded = _HYPHENS.sub("", folded)
    return folded or token


def squash(text: str) -> str:
    """Variant-insensitive form of a text (see module docstring).

    The equivalences of `normalize.canonical_term` (case, diacritics, spaces, hyphens,
    quotes), computed locally at C speed: it keys every sentence of a 5 MB text for the
    exact-match pass, where canonical_term's full inline normalisation would cost seconds.
    Texts reaching it are already normalised (Kamerstuk numbers, bullets, soft hyphens).
    Two folds stop where they would hide a real difference: a space between digits goes
    only before a group of three (`32 317` = `32317`, but `1 2 oktober` ≠ `12 oktober`), and
    an accent on a word of at most four letters is Dutch stress, kept (`één` ≠ `een`,
    `vóór` ≠ `voor`; `privé` = `prive`).
    """
    folded = _folded(text)
    if folded.isascii():  # the common case, at C speed (a regex call costs ~20 µs)
        folded = folded.replace('"', "'").replace("`", "'").replace("-", "")
        return "".join(folded.split())
    quick = folded.translate(_QUICK_FOLD)  # Latin letters with marks that are never stress
    if quick.isascii():
        return quick
    return _squash_unicode(text, folded)


def _folded(text: str) -> str:
    """Case folded, a space between two numbers kept (see `squash`)."""
    folded = text.casefold()
    if _DIGIT_SPACE.search(folded):
        folded = _DIGIT_GAP.sub(_KEPT_GAP, folded)
    return folded


def _squash_unicode(text: str, folded: str) -> str:
    """`squash` of any text, from its `_folded` form: the Unicode rules in full."""
    timeout = regex_timeout_for(text)
    folded = folded.translate(_QUOTES)
    if _STRESS_LETTER.search(folded):
        folded = _protect_stressed(folded)
    decomposed = unicodedata.normalize("NFD", folded)
    # Latin text decomposes to marks of U+0300-U+036F only: dropped with `re` at C speed;
    # when nothing at or above U+0300 is left (stressed letters unprotected) that is the
    # whole drop, else the full Unicode pass decides.
    dropped = _LATIN_DROP.sub("", decomposed).translate(_UNPROTECT)
    if dropped and max(dropped) >= "\u0300":
        dropped = _SQUASH_DROP.sub("", decomposed, timeout=timeout).translate(_UNPROTECT)
    return unicodedata.normalize("NFC", dropped)


# A space between digits that is not a thousands / Kamerstuk group (`32 317`) separates
# two numbers; `_KEPT_GAP` (not whitespace, not a word character) keeps it in the key.
_DIGIT_GAP = re.compile(r"(?<=\d)\s+(?=\d)(?!\d{3}(?!\d))")
_DIGIT_SPACE = re.compile(r"\d\s")  # the cheap test: most sentences have no such gap
_KEPT_GAP = "\u2063"
# Short words with an acute or grave accent: the accent is stress (één, vóór, dé, wél).
_STRESS_LETTERS = "áéíóúàèìòù"
_STRESSED = regex.compile(
    r"(?<![\p{L}\p{M}])(?=[\p{L}\p{M}]{1,4}(?![\p{L}\p{M}]))"
    rf"[\p{{L}}\p{{M}}]*[{_STRESS_LETTERS}][\p{{L}}\p{{M}}]*"
)
_STRESS_LETTER = re.compile(f"[{_STRESS_LETTERS}]")  # no stressed letter: no pass
_PROTECT = str.maketrans({c: chr(0xE000 + i) for i, c in enumerate(_STRESS_LETTERS)})
_UNPROTECT = str.maketrans({chr(0xE000 + i): c for i, c in enumerate(_STRESS_LETTERS)})


def _quick_fold() -> dict[int, str | None]:
    """What `_squash_unicode` makes of each character of a text it turns into ASCII without
    a stressed letter: quotes to "'", whitespace, hyphens and dashes dropped, a lower-case
    Latin letter with marks (ë, ç, ô; not the stress letters) as its base letter. One
    `str.translate`: a text left with anything else takes the full path."""
    table: dict[int, str | None] = {ord(c): "'" for c in "'‘’‚‛\"“”„«»′″`´"}
    table.update(
        dict.fromkeys(map(ord, "\t\n\x0b\x0c\r \x85\xa0-\u2010\u2011\u2012\u2013\u2014\u2015"))
    )
    for cp in range(0xC0, 0x250):
        c = chr(cp)
        parts = unicodedata.normalize("NFD", c)
        if c in _STRESS_LETTERS or c.casefold() != c or len(parts) < 2 or not parts[0].isascii():
            continue
        if all("\u0300" <= m <= "\u036f" for m in parts[1:]):
            table[cp] = parts[0]
    return table


_QUICK_FOLD = _quick_fold()


def _protect_stressed(text: str) -> str:
    """`_STRESSED`'s words with their stressed letters as private-use stand-ins that NFD
    does not decompose. A word of at most four letters starts at most three before its
    stressed letter, so `_STRESSED` is tried only there (a scan of the whole sentence with
    its look-arounds costs ~50 µs); the words found are those of `_STRESSED.sub`."""
    pieces: list[str] = []
    written = tried = 0  # text[:written] is in pieces; no match starts before `tried`
    for letter in _STRESS_LETTER.finditer(text):
        p = letter.start()
        for start in range(max(tried, p - 3), p + 1):
            word = _STRESSED.match(text, start)
            if word is not None:
                pieces += (text[written:start], word.group().translate(_PROTECT))
                written = tried = word.end()
                break
        else:
            tried = max(tried, p + 1)
    pieces.append(text[written:])
    return "".join(pieces)


def _code_point(i: int) -> str:
    """The i-th code point used to stand for a token, skipping surrogates."""
    cp = 0x100 + i
    if cp >= 0xD800:
        cp += 0x800
    return chr(cp)


_MADE = 4096  # the code points of a sentence pair's distinct tokens, made once
_CODE_POINTS = tuple(map(_code_point, range(_MADE)))


def _encode(tokens: Sequence[str], table: dict[str, str], keys: Callable[[str], str]) -> str:
    """One code point per token (same key, same code point), numbered in order of first
    appearance: the loops run in C (`map`, `dict.fromkeys`), not once per token in Python."""
    keyed = list(map(keys, tokens))
    new = [k for k in dict.fromkeys(keyed) if k not in table] if table else dict.fromkeys(keyed)
    n = len(table)
    if n + len(new) <= _MADE:
        table.update(zip(new, _CODE_POINTS[n : n + len(new)], strict=True))
    else:
        table.update((k, _code_point(n + i)) for i, k in enumerate(new))
    return "".join(map(table.__getitem__, keyed))


def _code_point_diffs(a: str, b: str) -> list[tuple[int, str]]:
    """diff-match-patch ops (-1, 0, 1) between two code-point strings, semantically cleaned;
    the same ops on any machine (see EXACT_TOKENS)."""
    exact = len(a) + len(b) <= EXACT_TOKENS
    if exact:
        replaced = _one_replaced(a, b)
        if replaced is not None:
            return replaced
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # no deadline: the result never depends on the clock
    diffs = dmp.diff_main(a, b, False) if exact else _difflib_diffs(a, b)
    dmp.diff_cleanupSemantic(diffs)
    return diffs


def _one_replaced(a: str, b: str) -> list[tuple[int, str]] | None:
    """diff-match-patch's cleaned ops where `b` is `a` with one token replaced by another
    (the commonest revision): the shared head, a delete, an insert, the shared tail. Its
    passes leave those as they are (a single delete and insert of different code points
    have no overlap, and no equality lies between edits), so they are not run."""
    head = common_prefix(a, b)
    tail = min(common_prefix(a[::-1], b[::-1]), len(a) - head, len(b) - head)
    if len(a) - head - tail != 1 or len(b) - head - tail != 1:
        return None
    diffs = [(0, a[:head])] if head else []
    diffs += [(-1, a[head : head + 1]), (1, b[head : head + 1])]
    if tail:
        diffs.append((0, a[len(a) - tail :]))
    return diffs


def _difflib_diffs(a: str, b: str) -> list[tuple[int, str]]:
    diffs: list[tuple[int, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b).get_opcodes():
        if tag == "equal":
            diffs.append((0, a[i1:i2]))
            continue
        if i2 > i1:
            diffs.append((-1, a[i1:i2]))
        if j2 > j1:
            diffs.append((1, b[j1:j2]))
    return diffs


def common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix: slices compared in C, halving the range."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _shared_ends(left: str, right: str) -> tuple[int, int]:
    """(k, n): `left` and `right` share their first k and their last n characters, and both
    tokenisations cut there: at the start of a space after a letter or digit (k) and at a
    letter or digit after a space (n from the end), so no token crosses either cut."""
    p = common_prefix(left, right)
    k = left.rfind(" ", 0, p)
    while k > 0 and not left[k - 1].isalnum():
        k = left.rfind(" ", 0, k)
    k = max(k, 0)
    shared = common_prefix(left[::-1], right[::-1])
    shared = min(shared, len(left) - k, len(right) - k)
    m = left.find(" ", len(left) - shared)
    while m != -1 and not left[m + 1 : m + 2].isalnum():
        m = left.find(" ", m + 1)
    return k, 0 if m == -1 else len(left) - m - 1


def _tokens_of_both(left: str, right: str) -> tuple[list[str], list[str], int, int]:
    """`tokenize` of both texts, the right one's shared head and tail taken from the left's
    (they are the same tokens): only the changed middle of a sentence is tokenised twice.
    Also how many tokens the head and the tail hold."""
    lt = tokenize(left)
    k, n = _shared_ends(left, right)
    if not k and not n:
        return lt, tokenize(right), 0, 0
    ends = list(accumulate(map(len, lt)))
    head = bisect_right(ends, k)
    tail = len(lt) - bisect_left(ends, len(left) - n) - 1
    middle = tokenize(right[k : len(right) - n])
    return lt, lt[:head] + middle + lt[len(lt) - tail :], head, tail


def _token_ops(
    left: list[str], right: list[str], head: int = 0, tail: int = 0
) -> list[tuple[int, list[str], list[str]]]:
    """Diff token lists; each op keeps its left and right tokens (equal ops have both).
    The first `head` and last `tail` tokens of both are the same tokens: their code points
    are the left's (first appearance is still the order of the whole right list)."""
    table: dict[str, str] = {}
    a = _encode(left, table, token_key)
    if head or tail:
        middle = _encode(right[head : len(right) - tail], table, token_key)
        b = a[:head] + middle + a[len(a) - tail :]
    else:
        b = _encode(right, table, token_key)
    diffs = _code_point_diffs(a, b)
    out: list[tuple[int, list[str], list[str]]] = []
    i = j = 0
    for op, chars in diffs:
        n = len(chars)
        if op == 0:
            out.append((0, left[i : i + n], right[j : j + n]))
            i, j = i + n, j + n
        elif op == -1:
            out.append((-1, left[i : i + n], []))
            i += n
        else:
            out.append((1, [], right[j : j + n]))
            j += n
    return out


def _runs(ops: Iterable[tuple[int, list[str], list[str]]]) -> list[tuple[int, str, str]]:
    """Group into alternating equal runs (kind 0) and change runs (kind 2): (kind, left, right)."""
    runs: list[tuple[int, str, str]] = []
    for op, lt, rt in ops:
        kind = 0 if op == 0 else 2
        l_text, r_text = "".join(lt), "".join(rt)
        if runs and runs[-1][0] == kind:
            k, pl, pr = runs[-1]
            runs[-1] = (k, pl + l_text, pr + r_text)
        else:
            runs.append((kind, l_text, r_text))
    return runs


def word_diff(left: str, right: str) -> tuple[WordOp, ...]:
    """Word ops turning `left` into `right`; variant spellings count as equal (right's text)."""
    if left == right:
        return (WordOp(0, right),) if right else ()
    return ops_of_runs(_runs(_token_ops(*_tokens_of_both(left, right))))


def ops_of_runs(runs: Iterable[tuple[int, str, str]]) -> tuple[WordOp, ...]:
    """Word ops from runs of (kind, left text, right text): a changed run whose two sides
    squash alike is equal (right's spelling)."""
    ops: list[WordOp] = []
    for kind, l_text, r_text in runs:
        if kind == 0 or squash(l_text) == squash(r_text):
            _push(ops, WordOp(0, r_text))
        else:
            _push(ops, WordOp(-1, l_text))
            _push(ops, WordOp(1, r_text))
    return tuple(ops)


def _push(ops: list[WordOp], op: WordOp) -> None:
    """Append, merging with a previous op of the same kind; drop empty texts."""
    if not op.text:
        return
    if ops and ops[-1].op == op.op:
        ops[-1] = WordOp(op.op, ops[-1].text + op.text)
    else:
        ops.append(op)


def rebuild(ops: Iterable[WordOp], side: str) -> str:
    """The text of one side: 'left' joins equal+delete ops, 'right' joins equal+insert ops."""
    keep = {"left": (0, -1), "right": (0, 1)}[side]
    return "".join(o.text for o in ops if o.op in keep)


def changed_fraction(ops: Sequence[WordOp]) -> float:
    """Share of word tokens (not spaces or marks) that were deleted or inserted, 0..1."""
    changed = total = 0
    for o in ops:
        words = sum(1 for t in tokenize(o.text) if t[0].isalnum())
        total += words if o.op != 0 else 2 * words
        if o.op != 0:
            changed += words
    return changed / total if total else 0.0
