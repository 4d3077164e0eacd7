"""Topic names as people use them: the rules file's order and the Dutch names."""

from __future__ import annotations

from pathlib import Path

from diffview.corpus.topicnames import ALIASES, canonical, described, followed_topics, ordered
from diffview.corpus.topics import load_rules


def test_order_is_the_rules_files() -> None:
    rules = load_rules()
    names = ["non-csam", "csam-other", "encryption", "derogation", "detection-order", "zz-new"]
    assert ordered(names) == [*rules.names, rules.other, rules.non_csam, "zz-new"]
    assert followed_topics() == list(rules.names)


def test_a_topic_added_to_the_rules_is_followed_without_a_second_list(tmp_path: Path) -> None:
    rules = tmp_path / "topics.toml"
    rules.write_text('[settings]\ntopics = ["b-topic", "a-topic"]\n', encoding="utf-8")
    assert followed_topics(rules) == ["b-topic", "a-topic"]
    assert ordered(["csam-other", "a-topic", "b-topic"], rules) == [
        "b-topic",
        "a-topic",
        "csam-other",
    ]


def test_dutch_names_and_case_are_understood() -> None:
    assert canonical("detectiebevel") == "detection-order"
    assert canonical("Versleuteling") == canonical("encryptie") == "encryption"
    assert canonical("derogatie") == "derogation"
    assert canonical("Encryption") == "encryption"
    assert canonical("no-such-topic") == "no-such-topic"  # for the caller to refuse
    assert set(ALIASES.values()) <= set(followed_topics())
    assert "detection-order (detectiebevel" in described()
