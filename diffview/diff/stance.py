"""Stance flags: did negation, modality or a position word change between two texts?

A reworded sentence can flip the cabinet's position with one word ("steunt" → "steunt niet",
"kan" → "zal", "stemt in" → "onthoudt zich"). Word diffs show that, but it drowns among
stylistic edits; these flags point a reader at the edits that change what is promised or
refused.

How: each side is tokenised, each word stemmed (Dutch Snowball, with the same light `-t`
trimming as alignment), and counted per category when its stem is in that category's list;
`removed` = words on the left whose stem is beyond the right's count, `added` the other way
round (multiset difference on stems, so moving "niet" inside a sentence, or "steunt" becoming
"steunen", is not a change). Separable verbs ("stemt ...
in", "wijst ... af") are recognised by `PARTICLE_VERBS` within a short window.

The word lists below are the one place to extend; they are written as ordinary Dutch words
and stemmed at import, so any inflection the stemmer folds is covered.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import cache

import regex

from diffview.diff.worddiff import SHORT_TEXT, regex_timeout_for
from diffview.model import StanceFlag
from diffview.text.stems import stem


def word_list(text: str) -> list[str]:
    """Words of a whitespace-separated list: keeps long word lists readable in the source."""
    return text.split()


NEGATION_WORDS = word_list("niet geen nooit noch niets nergens niemand geenszins allerminst")

# Modality is about verbs of obligation, possibility, permission, volition and the future,
# keyed by lemma: "dient" and "moet" state the same obligation, "kan" and "kunnen" the same
# possibility. Adjectives ("mogelijke", "noodzakelijk", "wenselijk") are not modality.
MODAL_LEMMAS: dict[str, str] = {
    **dict.fromkeys(word_list("kan kunnen kon konden kunt"), "kunnen"),
    **dict.fromkeys(word_list("zal zullen zult zou zouden"), "zullen"),
    **dict.fromkeys(word_list("moet moeten moest moesten dient dienen diende dienden"), "moeten"),
    **dict.fromkeys(word_list("mag mogen mocht mochten"), "mogen"),
    **dict.fromkeys(word_list("wil willen wilde wilden"), "willen"),
    **dict.fromkeys(word_list("hoeft hoeven hoefde hoefden"), "hoeven"),
    # the verb, not the adjective "verplichte (detectie)"
    **dict.fromkeys(word_list("verplicht verplichten verplichtte verplichtten"), "verplichten"),
}
MODALITY_WORDS = list(MODAL_LEMMAS)

# Reversals without a negation word: a pair of antonyms, or a word and its on-/in- form
# ("voldoende" / "onvoldoende", "aanvaardbaar" / "onaanvaardbaar"); flagged as negation.
ANTONYMS = (
    ("positief", "negatief"),
    ("positieve", "negatieve"),
    ("onderkennen", "ontkennen"),
    ("onderkent", "ontkent"),
    ("steunen", "afwijzen"),
    ("steunt", "wijst"),
    ("voldoende", "onvoldoende"),
    ("voorstander", "tegenstander"),
)
ANTONYM_PREFIXES = ("on", "in")
# The prefix reverses adjectives only ("instemmen" is not "in" + "stemmen" reversed): the base
# must end like a Dutch adjective and be long enough ("onder" is not "on" + "der").
ADJECTIVE_ENDINGS = tuple(
    word_list("baar bare lijk lijke ig ige ief ieve aal ale end ende ent ente eel ele aat ate isch")
)
ANTONYM_MIN_BASE = 5

POSITION_WORDS = word_list("""
    steun steunt steunen steunde steunden ondersteunt ondersteunen ondersteuning
    instemmen instemming instemt ingestemd onthouden onthoudt onthouding onthield
    voorstander voorstanders tegenstander tegenstanders kritisch kritische
    verzet verzetten verzette akkoord accepteren accepteert accepteerde acceptabel
    aanvaarden aanvaardt aanvaardbaar onaanvaardbaar afwijzen afwijst afwijzing afgewezen
    tegenstemmen tegenstemt weigeren weigert bezwaar bezwaren
    voorbehoud goedkeuren goedkeuring verwerpen verwerpt
""")

# Nouns matched as written, not by stem: Snowball drops the participle's "ge-", so the stem
# of "inzet" (the Dutch negotiating position) is also that of "ingezet" (deployed).
EXACT_POSITION_WORDS = frozenset(word_list("inzet standpunt"))

# verb stem -> particle that makes it a position verb when it follows within the window
PARTICLE_VERBS = {"stem": "in", "stemt": "in", "stemd": "in", "wijst": "af", "wijs": "af"}
PARTICLE_WINDOW = 6

CATEGORIES = ("negation", "modality", "position")

_WORD = regex.compile(r"[\p{L}\p{M}]+(?:[-'’][\p{L}\p{M}]+)*")
# `_WORD` on lower-cased ASCII text (no marks, no curly apostrophe, letters a-z): a third of
# the cost, and lowering ASCII changes no word's extent.
_ASCII_WORD = re.compile(r"[a-z]+(?:[-'][a-z]+)*")


@cache
def _lists() -> dict[str, frozenset[str]]:
    """The category word lists; position words by stem (made on first use, not at import)."""
    return {
        "negation": frozenset(w for w in NEGATION_WORDS),  # exact words: stems would blur them
        "modality": frozenset(MODALITY_WORDS),  # exact words, keyed by lemma
        "position": frozenset(stem(w) for w in POSITION_WORDS),
    }


# "niet" and "geen" negate the same clause in two constructions ("kan niet oordelen" / "kan
# geen oordeel geven"): one key, so trading one for the other is no flip.
NEGATION_KEY = {"geen": "niet"}


@cache
def _antonym_stems() -> frozenset[tuple[str, str]]:
    return frozenset((stem(a), stem(b)) for a, b in ANTONYMS) | frozenset(
        (stem(b), stem(a)) for a, b in ANTONYMS
    )


# Only words that share their first letters with a listed word can have a listed stem, so
# only those are stemmed.
_PREFIX = 3


@cache
def _prefixes() -> frozenset[str]:
    return frozenset(w[:_PREFIX] for w in (*POSITION_WORDS, *PARTICLE_VERBS, *_lists()["position"]))


# Words that count without a stem: a word neither here nor sharing a listed prefix is in no
# category, so `_category_words` passes it by.
_PLAIN_LISTED = frozenset(NEGATION_WORDS) | frozenset(MODAL_LEMMAS) | EXACT_POSITION_WORDS


def _words(text: str) -> list[str]:
    """The words of a text, lower-cased, in reading order."""
    if text.isascii() and len(text) <= SHORT_TEXT:  # most sentences: stdlib `re`, lowered once
        return _ASCII_WORD.findall(text.lower())
    return [w.lower() for w in _WORD.findall(text, timeout=regex_timeout_for(text))]


def _category_words(words: list[str]) -> dict[str, list[tuple[str, str]]]:
    """(key, word) per category in reading order; the key is the stem (the word for
    negation), so inflections of one verb ("steunt"/"steunen") cancel out."""
    lists, prefixes = _lists(), _prefixes()
    found: dict[str, list[tuple[str, str]]] = {c: [] for c in CATEGORIES}
    for i, w in enumerate(words):
        listed = w[:_PREFIX] in prefixes
        if not listed and w not in _PLAIN_LISTED:
            continue  # no stem to look up and no listed word: nothing below can match
        s = stem(w) if listed else ""
        if w in lists["negation"]:
            found["negation"].append((NEGATION_KEY.get(w, w), w))
        if w in MODAL_LEMMAS:
            found["modality"].append((MODAL_LEMMAS[w], w))
        if _legal_remedy(words, i):
            continue
        if w in EXACT_POSITION_WORDS or s in lists["position"]:
            found["position"].append((w if w in EXACT_POSITION_WORDS else s, w))
        elif s in PARTICLE_VERBS and PARTICLE_VERBS[s] in words[i + 1 : i + 1 + PARTICLE_WINDOW]:
            particle = PARTICLE_VERBS[s]
            found["position"].append((f"{s} {particle}", f"{w} {particle}"))
    return found


# "bezwaar (te) maken" / "bezwaar en beroep" is the legal remedy open to a user, not the
# cabinet's objection: not a position word there.
REMEDY_WORDS = frozenset(word_list("bezwaar bezwaren"))
REMEDY_FOLLOWERS = (("en", "beroep"),)
REMEDY_WINDOW = 4  # "bezwaar (hier tegen) (te) maken": "maken" within this many words


def _legal_remedy(words: list[str], i: int) -> bool:
    if words[i] not in REMEDY_WORDS:
        return False
    after = tuple(words[i + 1 : i + 1 + REMEDY_WINDOW])
    return "maken" in after or any(after[: len(f)] == f for f in REMEDY_FOLLOWERS)


def _minus(a: list[tuple[str, str]], b: list[tuple[str, str]]) -> tuple[str, ...]:
    """Words of `a` whose keys are not matched in `b` (multiset difference, a's order)."""
    if not a or not b:  # most sentences have no word of a category: no count to make
        return tuple(w for _, w in a)
    left = Counter(k for k, _ in b)
    out = []
    for k, w in a:
        if left[k]:
            left[k] -= 1
        else:
            out.append(w)
    return tuple(out)


def _antonym(a: str, b: str) -> bool:
    """Word `b` reverses word `a`: a listed antonym pair (by stem), or one is the other with
    an on-/in- prefix on an adjective ("voldoende" / "onvoldoende")."""
    if (stem(a), stem(b)) in _antonym_stems():
        return True
    for x, y in ((a, b), (b, a)):
        for prefix in ANTONYM_PREFIXES:
            if y == prefix + x and len(x) >= ANTONYM_MIN_BASE and x.endswith(ADJECTIVE_ENDINGS):
                return True
    return False


def reversals(left: str, right: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Words of `left` and `right` that reverse each other (one side only has each)."""
    return _reversals(_words(left), _words(right))


def _reversals(lw: list[str], rw: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # A stem one side lacks is a stem of words only that side has: a revision shares most
    # words, so only those are looked at (each stem keyed by the last word that has it).
    lonly, ronly = set(lw).difference(rw), set(rw).difference(lw)
    if not lonly or not ronly:
        return (), ()
    ls = set(map(stem, [w for w in lw if len(w) > 2]))
    rs = set(map(stem, [w for w in rw if len(w) > 2]))
    only_l = {s: w for w in lw if w in lonly and len(w) > 2 and (s := stem(w)) not in rs}
    only_r = {s: w for w in rw if w in ronly and len(w) > 2 and (s := stem(w)) not in ls}
    removed: list[str] = []
    added: list[str] = []
    for wl in only_l.values():
        for wr in only_r.values():
            if _antonym(wl, wr) and wl not in removed and wr not in added:
                removed.append(wl)
                added.append(wr)
    return tuple(removed), tuple(added)


def stance_flags(
    left: str, right: str, categories: Sequence[str] = CATEGORIES
) -> tuple[StanceFlag, ...]:
    """Flags for each category whose words differ between `left` and `right`; a reversal by
    antonym ("voldoende" → "onvoldoende") is a negation flag."""
    left_words, right_words = _words(left), _words(right)
    lw, rw = _category_words(left_words), _category_words(right_words)
    flags = []
    for cat in categories:
        removed, added = _minus(lw[cat], rw[cat]), _minus(rw[cat], lw[cat])
        if cat == "negation" and left and right:
            rev_removed, rev_added = _reversals(left_words, right_words)
            removed, added = removed + rev_removed, added + rev_added
        if removed or added:
            flags.append(StanceFlag(cat, removed, added))
    return tuple(flags)


def stance_of_one_side(text: str, side: str) -> tuple[StanceFlag, ...]:
    """Flags for a sentence that only exists on one side (added or removed).

    Only when it has a position word: a new or dropped sentence with "niet" or "kan" in it is
    no news by itself, but one that says "onthouden" or "niet steunen" is. The negation flag is
    then added too, so "niet steunen" does not read as "steunen".
    """
    cats = ("position", "negation")
    flags = stance_flags(text, "", cats) if side == "left" else stance_flags("", text, cats)
    if not any(f.kind == "position" for f in flags):
        return ()
    return flags
