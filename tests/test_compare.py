"""compare: classes, counts, stance flags, files, versions via a fake store, seed passages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import cast

import pytest
from helpers import EmptyReader, seed_statement

from diffview.diff.compare import (
    collapse_repeats,
    compare_files,
    compare_sentences,
    compare_texts,
    compare_versions,
)
from diffview.diff.stance import stance_flags, stance_of_one_side
from diffview.errors import DiffviewError, InputError
from diffview.model import (
    CHANGE_CLASSES,
    AlignedUnit,
    Document,
    Sentence,
    StanceFlag,
    Statement,
    StoreReader,
    Version,
)
from diffview.text.sentences import sentences_of

# -- helpers -------------------------------------------------------------------------------


def sent(text: str, i: int, doc: str = "A") -> Sentence:
    return Sentence(text, doc, f"{doc}.txt", f"{doc}-s", (i + 1, i + 1), i)


def seq(texts: list[str], doc: str) -> list[Sentence]:
    return [sent(t, i, doc) for i, t in enumerate(texts)]


# -- stance ----------------------------------------------------------------------------------


def test_stance_negation_modality_position() -> None:
    flags = {
        f.kind: f for f in stance_flags("Nederland kan het steunen.", "Nederland zal niet steunen.")
    }
    assert flags["negation"].added == ("niet",) and flags["negation"].removed == ()
    assert flags["modality"].removed == ("kan",) and flags["modality"].added == ("zal",)
    assert "position" not in flags  # steunen on both sides


def test_stance_position_verbs_and_particles() -> None:
    (flag,) = stance_flags("Nederland stemt in met het voorstel.", "Nederland onthoudt zich.")
    assert flag.kind == "position"
    assert flag.removed == ("stemt in",) and flag.added == ("onthoudt",)


def test_stance_ignores_reordering_and_inflection() -> None:
    assert stance_flags("Het kabinet steunt dit niet.", "Het kabinet steunen dit niet.") == ()
    assert stance_flags("Niet nu, maar later.", "Nu niet, later wel.") == ()


def test_one_sided_stance_needs_a_position_word() -> None:
    assert stance_of_one_side("Dit kan niet.", "right") == ()
    flags = stance_of_one_side("Wij zullen dit niet steunen.", "right")
    assert {f.kind for f in flags} == {"position", "negation"}


# -- compare_sentences -------------------------------------------------------------------------

BASE = [
    "Het kabinet steunt het voorstel voor een detectiebevel op bekend materiaal.",
    "Nieuw materiaal en grooming vallen buiten het detectiebevel.",
    "De Commissie moet een nieuw voorstel doen.",
    "Client-side scanning is de enige manier om end-to-end encryptie te behouden.",
]


def test_classes_counts_and_stance() -> None:
    b = [
        BASE[1],
        "De Commissie zou een nieuw voorstel moeten doen.",  # reworded (modality)
        BASE[0],  # moved
        "Een geheel nieuwe zin over de tijdelijke derogatie.",  # added
    ]
    c = compare_sentences(seq(BASE, "A"), seq(b, "B"), topic="t", from_label="x", to_label="y")
    by_change = {u.change: u for u in c.units}
    assert set(c.counts) == set(CHANGE_CLASSES)
    assert c.counts["unchanged"] == 1 and c.counts["moved"] == 1
    assert c.counts["added"] == 1 and c.counts["removed"] == 1
    assert c.counts["reworded"] + c.counts["rewritten"] == 1
    edited = by_change.get("reworded") or by_change["rewritten"]
    assert any(f.kind == "modality" for f in edited.stance)
    assert by_change["moved"].moved and by_change["moved"].score == 1.0
    assert by_change["added"].score == 0.0 and by_change["removed"].right == ()
    assert [u.right[0].index for u in c.units if u.right] == [0, 1, 2, 3]  # B's reading order
    assert c.has_changes


def test_counts_of_one_added_and_one_removed() -> None:
    c = compare_sentences(seq(BASE, "A"), seq(BASE[:3] + ["Nederland steunt dit niet."], "B"))
    assert {k: v for k, v in c.class_counts.items() if v} == {
        "unchanged": 3,
        "added": 1,
        "removed": 1,
    }
    assert len(c.stance_units) == 1


# -- texts and files -----------------------------------------------------------------------------


def test_compare_texts_self_and_sanitising() -> None:
    text = "Eerste zin.\nTweede zin met \x1b]52;c;Y2xpcA==\x07 escape.\n\nDerde zin.\n"
    c = compare_texts(text, text)
    assert not c.has_changes and c.counts["unchanged"] == 3
    shown = " ".join(s.text for u in c.units for s in u.right)
    assert "\x1b" not in shown and "<U+001B>" in shown


def test_compare_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Nederland steunt het voorstel.\nDat is alles.\n", encoding="utf-8")
    b.write_text("Nederland steunt het voorstel niet.\nDat is alles.\n", encoding="utf-8")
    c = compare_files(a, b)
    assert c.from_docs == ("a.txt",) and c.to_docs == ("b.txt",)
    changed = [u for u in c.units if u.change != "unchanged"]
    assert len(changed) == 1 and changed[0].left[0].cite == "a.txt:1"
    assert changed[0].stance[0].kind == "negation"
    with pytest.raises(InputError):
        compare_files(tmp_path / "missing.txt", b)


# -- versions (fake store with the ARCHITECTURE.md reading API) ---------------------------------


def _doc(i: str, rnd: str) -> Document:
    return Document(i, f"{i}.txt", "t", "t", "answers", date(2023, 1, 1), "day", rnd)


def _stmt(doc: str, text: str, role: str = "cabinet") -> Statement:
    return Statement(
        f"{doc}-{role}",
        doc,
        f"{doc}.txt",
        date(2023, 1, 1),
        "answer",
        "kabinet",
        None,
        role,
        text,
        (1, 1),
        ((0, 1),),
    )


@dataclass
class FakeStore(EmptyReader):
    rounds: dict[str, list[Statement]]

    def _versions(self) -> list[Version]:
        return [Version(r, f"label {r}", (_doc(r[-2:], r),), f"round-{r}") for r in self.rounds]

    def topics(self) -> list[str]:
        return ["detection-order", "encryption"]

    def versions(self, topic: str | None = None) -> list[Version]:
        return self._versions() if topic in (None, "detection-order") else []

    def resolve_version(self, spec: str | Version) -> Version:
        for v in self._versions():
            if v.round == spec or v == spec:
                return v
        raise DiffviewError(f"unknown version {spec!r}")

    def topic_statements(self, topic: str, version: str | Version) -> list[Statement]:
        """As the store does: the cabinet's statements only."""
        v = self.resolve_version(version)
        return [s for s in self.rounds[v.round] if s.role == "cabinet"]

    def documents(self) -> list[Document]:
        return [d for v in self._versions() for d in v.docs]

    def statements(
        self, doc: str | None = None, at: str | Version | None = None
    ) -> list[Statement]:
        return [s for ss in self.rounds.values() for s in ss if doc in (None, s.doc)]

    def statement(self, statement_id: str) -> Statement:
        return next(s for s in self.statements() if s.id == statement_id)


STORE = FakeStore(
    {
        "2023-10": [_stmt("10", "Nederland steunt detectie op bekend materiaal.")],
        "2024-10": [
            _stmt("10", "Nederland onthoudt zich van stemming."),
            _stmt("10", "Een vraag van de Kamer.", role="parliament"),
        ],
        "2026-03": [_stmt("03", "Nederland steunt verplichte detectie niet.")],
    }
)


def test_compare_versions_defaults_first_and_last() -> None:
    c = compare_versions(STORE, "detection-order")
    assert (c.from_label, c.to_label) == ("label 2023-10", "label 2026-03")
    assert c.from_docs == ("10",) and c.to_docs == ("03",) and c.topic == "detection-order"
    assert c.has_changes


def test_compare_versions_specs_and_cabinet_only() -> None:
    c = compare_versions(STORE, "detection-order", "2023-10", "2024-10")
    texts = [s.text for u in c.units for s in u.right]
    assert texts == ["Nederland onthoudt zich van stemming."]
    assert any(f.kind == "position" for u in c.units for f in u.stance)


def test_compare_versions_errors() -> None:
    with pytest.raises(DiffviewError, match="same version"):
        compare_versions(STORE, "detection-order", "2024-10", "2024-10")
    with pytest.raises(DiffviewError, match="unknown topic 'no-such-topic'"):
        compare_versions(STORE, "no-such-topic")
    with pytest.raises(DiffviewError, match="no cabinet statements"):
        compare_versions(STORE, "encryption")
    with pytest.raises(DiffviewError, match="only one version"):
        compare_versions(FakeStore({"2023-10": []}), "detection-order")


# -- real seed text -----------------------------------------------------------------------------


def _flags(unit: AlignedUnit, kind: str) -> list[StanceFlag]:
    return [f for f in unit.stance if f.kind == kind]


def test_seed_detection_order_oct2023_to_oct2024(versions_dir: Path) -> None:
    """002:113-128 + 002:318-324 (Oct 2023: known material only, 'conform de Nederlandse
    inzet') against 003:135-151 (Oct 2024 Q&A: 'zich te onthouden', 'niet steunen') and
    001:1033-1049 (Minister Van Weel in the debate: 'Actief onthouden is wat wij nu doen')."""
    a = sentences_of(
        [
            seed_statement(versions_dir, "002", 113, 128),
            seed_statement(versions_dir, "002", 318, 324),
        ]
    )
    b = sentences_of(
        [
            seed_statement(versions_dir, "003", 135, 151),
            seed_statement(versions_dir, "001", 1033, 1049),
        ]
    )
    c = compare_sentences(a, b, topic="detection-order")
    # the new abstention, cited to 003:142-147
    abstain = [
        u
        for u in c.units
        if u.right and "onthouden van het innemen van een positie" in u.right[0].text
    ]
    assert abstain and abstain[0].right[0].cite == "003:142-147"
    assert any("onthouden" in f.added for f in _flags(abstain[0], "position"))
    not_support = [u for u in c.units if u.right and "oriëntatie niet steunen" in u.right[0].text]
    assert not_support and any("steunen" in f.added for f in _flags(not_support[0], "position"))
    assert any("niet" in f.added for f in _flags(not_support[0], "negation"))
    # the dropped acceptance of detection on known material only
    known = [
        u
        for u in c.units
        if u.left and "alleen detectie op reeds bekend materiaal" in u.left[0].text
    ]
    assert known and known[0].change in ("removed", "rewritten", "reworded")
    assert known[0].left[0].cite == "002:123-125"
    assert any(f.removed for f in _flags(known[0], "position"))
    conform = [
        u for u in c.units if u.left and u.left[0].text == "Dit is conform de Nederlandse inzet."
    ]
    assert conform and _flags(conform[0], "position")[0].removed == ("inzet",)
    # and the Oct 2023 refusal of new material ('stemt niet in') is no longer there
    refusal = [u for u in c.units if u.left and "stemt niet in" in u.left[0].text]
    assert refusal and any("stemt in" in f.removed for f in _flags(refusal[0], "position"))


def test_seed_encryption_oct2024_to_mar2026(versions_dir: Path) -> None:
    """003:350-364 (Oct 2024: motie-Van Raan, client-side scanning the only technical way)
    against 004:1030-1043 (Mar 2026: no room for proposals that require detection in
    end-to-end encrypted environments, i.e. client-side scanning)."""
    a = sentences_of([seed_statement(versions_dir, "003", 350, 364)])
    b = sentences_of([seed_statement(versions_dir, "004", 1030, 1043)])
    c = compare_sentences(a, b, topic="encryption")
    refusal = [u for u in c.units if u.right and "versleutelde omgevingen" in u.right[0].text]
    assert refusal and refusal[0].right[0].cite == "004:1036-1040"
    unit = refusal[0]
    assert unit.change != "unchanged" and unit.stance
    if unit.left:  # paired with the Oct 2024 motie-Van Raan sentence: a large rewrite
        assert "motie-Van Raan" in unit.left[0].text
        assert any("verplichten" in f.added for f in _flags(unit, "modality"))
        assert any(op.op == 1 and "client-side scanning" in op.text for op in unit.ops)
    else:
        assert any("ondersteunen" in f.added for f in _flags(unit, "position"))
    general = [u for u in c.units if u.right and "niet kunnen steunen" in u.right[0].text]
    assert general and any("steunen" in f.added for f in _flags(general[0], "position"))


def test_seed_same_questions_in_two_layouts(versions_dir: Path) -> None:
    """000:25-38 and 002:100-111 hold the same D66 question in two layouts ('Minister' vs
    'minister', 'Kamerstuk 26 643' vs '26643', line-break hyphenation): all unchanged."""
    a = sentences_of([seed_statement(versions_dir, "000", 25, 38)])
    b = sentences_of([seed_statement(versions_dir, "002", 100, 111)])
    c = compare_sentences(a, b)
    assert len(a) == len(b) == 6
    assert c.counts["unchanged"] == 6 and not c.has_changes


# -- repeated sentences ----------------------------------------------------------------------


def _sentence(text: str, line: int) -> Sentence:
    return Sentence(text, "003", "003.txt", f"003-a{line:03d}", (line, line), line)


def test_a_version_repeating_a_paragraph_shows_it_once_with_every_place_cited() -> None:
    repeated = "Daarom is in het kabinet besloten om zich te onthouden."
    kept = collapse_repeats(
        [_sentence(repeated, 586), _sentence("Iets anders.", 600), _sentence(repeated, 820)]
    )
    assert [s.text for s in kept] == [repeated, "Iets anders."]
    assert kept[0].also == ("003:820",) and kept[0].cites == "003:586, 003:820"


def test_between_files_a_repeated_sentence_is_a_difference(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Het kabinet steunt dit. Dat is alles.\n", encoding="utf-8")
    b.write_text("Het kabinet steunt dit. Dat is alles. Het kabinet steunt dit.\n", "utf-8")
    c = compare_files(a, b)
    assert c.class_counts["added"] == 1 and c.has_changes


def test_a_text_repeating_a_passage_pairs_copy_with_copy() -> None:
    """Five copies of one paragraph, one word changed in the first copy: one reworded
    sentence, nothing moved (pairing copies by occurrence alone would shift them all)."""
    passage = "Het kabinet steunt het voorstel van de Commissie. Dat is bekend. De Kamer vraagt. "
    a = passage * 5
    b = passage.replace("steunt", "steunt niet", 1) + passage * 4
    counts = {k: v for k, v in compare_texts(a, b).class_counts.items() if v}
    assert counts == {"unchanged": 14, "reworded": 1}


def test_the_legal_remedy_bezwaar_maken_is_not_a_position() -> None:
    """003:1263: users may `bezwaar maken` (appeal); that is no change of the cabinet's stance."""
    assert stance_of_one_side("Gebruikers kunnen bezwaar te maken tegen het bevel.", "right") == ()
    assert stance_of_one_side("Er staat bezwaar en beroep open.", "right") == ()
    flags = stance_of_one_side("Onze bezwaren en zorgen blijven bestaan.", "right")
    assert [f.added for f in flags if f.kind == "position"] == [("bezwaren",)]


def test_two_files_are_revisions_with_added_and_removed_rows() -> None:
    """`compare --files`: one text revised, so a sentence one side lacks was added or removed
    (only rounds of different documents say "new in this round" / "not repeated")."""
    from diffview.diff.compare import compare_texts
    from diffview.present import change_label

    c = compare_texts(
        "Het kabinet steunt het voorstel. De Raad vergadert in juni.",
        "Het kabinet steunt het voorstel. Nederland onthoudt zich van stemming.",
        "oud.txt",
        "nieuw.txt",
    )
    assert not c.across_documents
    labels = {change_label(u, c) for u in c.units if not (u.left and u.right)}
    assert labels and labels <= {"added", "removed"}


class _Rounds:
    """Just the rounds of a store: what the corpus weights' window is chosen from."""

    def __init__(self, versions: list[Version]) -> None:
        self._versions = versions

    def versions(self, topic: str | None = None) -> list[Version]:
        return self._versions


def test_corpus_weights_count_a_window_of_documents_up_to_the_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A long history does not make a cold compare read every document: the weights come
    from the latest documents up to the compared round (later ones never count)."""
    from diffview.diff import compare

    docs = [
        Document(f"{i:03d}", f"{i:03d}_x.txt", "t", "t", "answers", date(2020, m, 1), "day", r)
        for i, (m, r) in enumerate([(1, "2020-01"), (1, "2020-01"), (2, "2020-02"), (3, "2020-03")])
    ]
    versions = [
        Version("2020-01", "Jan", tuple(docs[:2]), "round-2020-01"),
        Version("2020-02", "Feb", (docs[2],), "round-2020-02"),
        Version("2020-03", "Mar", (docs[3],), "round-2020-03"),
    ]
    store = cast("StoreReader", _Rounds(versions))  # only its versions are read
    assert compare._idf_documents(store, versions[1]) == ["000", "001", "002"]
    monkeypatch.setattr(compare, "IDF_WINDOW", 2)
    assert compare._idf_documents(store, versions[1]) == ["001", "002"]
    assert compare._idf_documents(store, versions[2]) == ["002", "003"]
