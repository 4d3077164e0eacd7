"""Properties over generated texts: ops rebuild both sides, self-compare, shuffles are moves."""

from __future__ import annotations

import random

from hypothesis import example, given, settings
from hypothesis import strategies as st

from diffview.diff import stance, worddiff
from diffview.diff.compare import compare_sentences, compare_texts
from diffview.diff.worddiff import (
    _runs,
    _token_ops,
    _tokens_of_both,
    ops_of_runs,
    rebuild,
    squash,
    tokenize,
    word_diff,
)
from diffview.model import Sentence, WordOp
from diffview.text.sentences import split_sentences, word_list
from diffview.text.stems import stem

WORDS = [
    "het",
    "kabinet",
    "steunt",
    "niet",
    "geen",
    "detectiebevel",
    "end-to-end",
    "encryptie",
    "end-to-endencryptie",
    "Nederland",
    "zal",
    "kan",
    "onthouden",
    "materiaal",
    "bekend",
    "Kamerstuk",
    "32",
    "317",
    "32317",
    "client-side",
    "scanning",
    "derogatie",
    "‘motie’",
    "'motie'",
    "De",
    "de",
    "privé",
    "prive",
    "1.000",
    "nr.",
    "o.a.",
    "—",
    "-",
]
SETTINGS = settings(max_examples=80, deadline=None)

word = st.sampled_from(WORDS) | st.text(alphabet="abcé-' .,", min_size=1, max_size=6)
phrase = st.lists(word, min_size=0, max_size=14).map(" ".join)
sentence_text = st.lists(st.sampled_from(WORDS), min_size=3, max_size=12).map(
    lambda ws: " ".join(ws).capitalize() + "."
)


@SETTINGS
@given(phrase, phrase)
def test_ops_rebuild_both_sides(left: str, right: str) -> None:
    ops = word_diff(left, right)
    assert rebuild(ops, "right") == right
    assert squash(rebuild(ops, "left")) == squash(left)
    assert all(op.text for op in ops)
    assert all(ops[i].op != ops[i + 1].op for i in range(len(ops) - 1))


def _whole_token_ops(left: str, right: str) -> tuple[WordOp, ...]:
    """`word_diff` with both texts tokenised and encoded whole (before the shared head and
    tail were taken from the left side's tokens)."""
    if left == right:
        return (WordOp(0, right),) if right else ()
    return ops_of_runs(_runs(_token_ops(tokenize(left), tokenize(right))))


edited = st.tuples(phrase, phrase, phrase, phrase).map(
    lambda p: (f"{p[0]} {p[1]} {p[3]}", f"{p[0]} {p[2]} {p[3]}")
)


@SETTINGS
@example(("Het kabinet steunt het voorstel niet.", "Het kabinet steunt dit voorstel niet."))
@given(edited | st.tuples(phrase, phrase))
def test_shared_head_and_tail_change_no_op(pair: tuple[str, str]) -> None:
    """A revised sentence shares its start and end with the old one: taking their tokens
    from one side gives the ops of tokenising both whole, every token where it was."""
    left, right = pair
    lt, rt, head, tail = _tokens_of_both(left, right)
    assert (lt, rt) == (tokenize(left), tokenize(right))
    assert lt[:head] == rt[:head] and lt[len(lt) - tail :] == rt[len(rt) - tail :]
    assert word_diff(left, right) == _whole_token_ops(left, right)


@SETTINGS
@given(phrase | st.text(alphabet="aZé'-’ .,\u0301", max_size=40))
def test_stance_words_of_ascii_text_as_of_any(text: str) -> None:
    """The stance words of an ASCII sentence (stdlib `re`, lowered once) are those the
    Unicode pattern finds, lowered one by one."""
    expected = [w.lower() for w in stance._WORD.findall(text)]
    assert stance._words(text) == expected


@SETTINGS
@given(phrase | st.text(alphabet="aEëïçôéÉ e\u0301'’“-–\xa0\t12ĳß", max_size=30))
def test_squash_of_latin_letters_as_the_full_unicode_rules(text: str) -> None:
    """The one-translate squash of a text with Latin letters with marks (ë, ç) is what the
    full rules (decomposition, stressed short words) make of it."""
    assert squash(text) == worddiff._squash_unicode(text, worddiff._folded(text))


def _all_stem_reversals(lw: list[str], rw: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`stance._reversals` stemming every word of both sides (before it looked only at the
    words one side lacks)."""
    ls = {stem(w): w for w in lw if len(w) > 2}
    rs = {stem(w): w for w in rw if len(w) > 2}
    only_l = {s: w for s, w in ls.items() if s not in rs}
    only_r = {s: w for s, w in rs.items() if s not in ls}
    removed: list[str] = []
    added: list[str] = []
    for wl in only_l.values():
        for wr in only_r.values():
            if stance._antonym(wl, wr) and wl not in removed and wr not in added:
                removed.append(wl)
                added.append(wr)
    return tuple(removed), tuple(added)


reversal_words = st.lists(
    st.sampled_from(
        word_list("""positief negatief positieve steunen steunt steun afwijzen wijst voldoende
        onvoldoende zeker onzeker de het kabinet is ontkennen onderkennen onderkent""")
    ),
    max_size=12,
)


@SETTINGS
@given(reversal_words, reversal_words)
def test_reversals_from_the_words_one_side_lacks(lw: list[str], rw: list[str]) -> None:
    """Antonym flips found from the words only one side has are those of stemming all."""
    assert stance._reversals(lw, rw) == _all_stem_reversals(lw, rw)


codes = st.text(alphabet="ĀāĂăĄ", max_size=12)


@SETTINGS
@given(codes, st.sampled_from("ĀāĂăĄ"), st.sampled_from("ĀāĂăĄ"), codes)
def test_one_token_replaced_as_diff_match_patch_makes_it(
    head: str, old: str, new: str, tail: str
) -> None:
    """One token replaced: the ops written directly are diff-match-patch's, cleaned."""
    from diff_match_patch import diff_match_patch

    a, b = head + old + tail, head + new + tail
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0
    expected = dmp.diff_main(a, b, False)
    dmp.diff_cleanupSemantic(expected)
    assert worddiff._code_point_diffs(a, b) == [tuple(d) for d in expected]


# words of one length: a space moved within a changed run ("d dd" / "dd d") is a fold of
# `squash` (spaces are a variant, as in "end to end" / "end-to-end"), so it cannot occur here
plain = st.lists(st.text(alphabet="abcd", min_size=2, max_size=2), max_size=12).map(" ".join)


@SETTINGS
@given(plain, plain)
@example("a a d dd", "a a dd d")  # a space moved: folded, shown in TO's spelling
def test_exact_left_rebuild_without_foldable_characters(left: str, right: str) -> None:
    """No case, quotes, hyphens or moved spaces to fold: both sides rebuild exactly."""
    ops = word_diff(left, right)
    assert rebuild(ops, "right") == right
    if left.replace(" ", "") != right.replace(" ", ""):
        assert rebuild(ops, "left") == left


def _sentences(texts: list[str], doc: str) -> list[Sentence]:
    return [Sentence(t, doc, doc, f"{doc}-s", (i + 1, i + 1), i) for i, t in enumerate(texts)]


@SETTINGS
@given(st.lists(sentence_text, min_size=0, max_size=12), st.lists(sentence_text, max_size=12))
def test_every_unit_rebuilds_its_sentences(a_texts: list[str], b_texts: list[str]) -> None:
    c = compare_sentences(_sentences(a_texts, "A"), _sentences(b_texts, "B"))
    left_seen = sorted(s.index for u in c.units for s in u.left)
    right_seen = sorted(s.index for u in c.units for s in u.right)
    assert left_seen == list(range(len(a_texts))) and right_seen == list(range(len(b_texts)))
    for u in c.units:
        lt, rt = " ".join(s.text for s in u.left), " ".join(s.text for s in u.right)
        assert rebuild(u.ops, "right") == rt
        assert squash(rebuild(u.ops, "left")) == squash(lt)
    assert sum(c.counts.values()) == len(c.units)


@SETTINGS
@given(st.lists(sentence_text, min_size=1, max_size=15))
def test_self_compare_is_all_unchanged(texts: list[str]) -> None:
    text = " ".join(texts)
    c = compare_texts(text, text)
    assert not c.has_changes
    assert c.counts["unchanged"] == len(split_sentences(text))
    assert all(u.score == 1.0 and not u.stance for u in c.units)


@SETTINGS
@given(st.lists(sentence_text, min_size=2, max_size=15, unique=True), st.randoms())
def test_shuffle_reports_moves_not_additions(texts: list[str], rnd: random.Random) -> None:
    shuffled = list(texts)
    rnd.shuffle(shuffled)
    c = compare_sentences(_sentences(texts, "A"), _sentences(shuffled, "B"))
    assert c.counts["added"] == 0 and c.counts["removed"] == 0
    assert c.counts["moved"] + c.counts["unchanged"] == len(texts)
    if shuffled != texts:
        assert c.counts["moved"] >= 1
    else:
        assert c.counts["moved"] == 0
