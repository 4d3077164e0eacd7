"""Positions: the cabinet's stance per sub-issue and round, derived from the texts and cited.

Two kinds of test: hand-written Dutch sentences (not from the seeds) for each rule of the
claim reader, and the three stories of the bundled corpus, as read from the documents.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

import pytest
from helpers import statement

from diffview.corpus.claims import Claim, claims_of, read_sentence
from diffview.corpus.labels import label_statements
from diffview.corpus.topicnames import BUNDLED_RULES
from diffview.corpus.topics import load_rules
from diffview.errors import InputError
from diffview.model import Evidence, IssueInfo, Position, PositionTable
from diffview.pipeline import build_store
from diffview.positions.table import changes_between, positions_to_json, topic_positions
from diffview.present import cell_text, change_line, table_cell_text
from diffview.store.read import Store
from diffview.views import cli

RULES = load_rules()


def claims(text: str, role: str = "cabinet") -> list[Claim]:
    labelled = label_statements([statement(text, role=role)], RULES)
    return claims_of(labelled, RULES)


def stances(text: str, role: str = "cabinet") -> dict[str, str]:
    return {c.issue: c.stance for c in claims(text, role)}


# --------------------------------------------------------------------------- the reader


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # holder, position words, object; negation before, inside and after the words
        (
            "Het kabinet is geen voorstander van het scannen op onbekend materiaal in chats.",
            {"new-material-grooming": "opposes"},
        ),
        (
            "Nederland stemt niet in met een verplichte detectie in alle berichtendiensten.",
            {"mandatory-detection": "opposes"},
        ),
        (
            "Het kabinet steunt de verlenging van de interim-derogatie niet.",
            {"interim-derogation": "opposes"},
        ),
        (
            "Het kabinet steunt de tijdelijke verlenging van de interim-derogatie.",
            {"interim-derogation": "supports"},
        ),
        # a condition makes support conditional; what the condition rules out is opposed
        (
            "Nederland kan alleen instemmen met een detectiebevel voor bekend materiaal "
            "indien het bevel niet ook grooming omvat.",
            {"known-material": "supports-conditionally", "new-material-grooming": "opposes"},
        ),
        # an abstention on the Council's general approach
        (
            "Het kabinet onthoudt zich bij de stemming over de algemene oriëntatie "
            "van de CSAM-verordening.",
            {"general-approach": "abstains"},
        ),
        # opposing what a sub-issue protects against is supporting the sub-issue
        (
            "Nederland steunt geen voorstellen die end-to-end encryptie onmogelijk maken.",
            {"e2ee-possible": "supports"},
        ),
        # a negation after the verb and the holder (Dutch inversion after "Daarom")
        (
            "Daarom steunt Nederland geen voorstellen die in de praktijk alleen door "
            "client-side scanning kunnen worden uitgevoerd.",
            {"client-side-scanning": "opposes"},
        ),
        # the object of concerns is not the object of the support before it
        (
            "Nederland heeft bij zijn steun voor de tijdelijke derogatie zorgen geuit over "
            "de detectie van grooming.",
            {"interim-derogation": "supports"},
        ),
        # evaluations, working for something, and what must not happen
        (
            "Het kabinet staat positief tegenover het doel van het voorstel voor de "
            "CSAM-verordening.",
            {"general-approach": "supports"},
        ),
        (
            "Het kabinet is van mening dat maatregelen tegen kindermisbruik niet mogen "
            "neerkomen op een verkapte plicht tot detectie in privécommunicatie.",
            {"mandatory-detection": "opposes"},
        ),
        (
            "Volgens het kabinet mag de industrie niet worden gevraagd om tegen kindermisbruik "
            "systemen te bouwen die de encryptie voor alle gebruikers verzwakken.",
            {"e2ee-possible": "supports"},
        ),
        (
            "Nederland zet zich in voor de verlenging van de interim-derogatie.",
            {"interim-derogation": "supports"},
        ),
        # concerns about something are no stance on it, before or after other words
        (
            "Het kabinet heeft zorgen over detectie in versleutelde communicatie en zal "
            "zich inzetten voor waarborgen.",
            {},
        ),
        # not decided yet
        (
            "Het is voor het kabinet nog te onduidelijk of verplichte detectie op een "
            "proportionele manier kan worden uitgevoerd.",
            {"mandatory-detection": "undecided"},
        ),
        # what a condition requires is supported
        (
            "Het kabinet kan het compromisvoorstel steunen, mits de bescherming van "
            "end-to-end-versleutelde communicatie behouden blijft.",
            {"general-approach": "supports-conditionally", "e2ee-possible": "supports"},
        ),
        # "tegen" after a verb of being, with the holder or an adverb between
        (
            "Het kabinet blijft tegen verplichte detectie in alle berichtendiensten.",
            {"mandatory-detection": "opposes"},
        ),
        (
            "Daarom is het kabinet ook tegen een verplichte detectie in alle berichtendiensten.",
            {"mandatory-detection": "opposes"},
        ),
        # a negation in a main clause does not reach into the subordinate one
        (
            "Dat neemt niet weg dat Nederland kritisch is op het compromisvoorstel "
            "over de CSAM-verordening.",
            {"general-approach": "opposes"},
        ),
    ],
)
def test_a_position_has_a_holder_words_polarity_and_object(
    text: str, expected: dict[str, str]
) -> None:
    assert stances(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # other actors' positions
        "Duitsland steunt het voorstel voor de CSAM-verordening.",
        "Een grote groep lidstaten kan het compromisvoorstel over kindermisbruik steunen.",
        "Het Europees Parlement steunt de verlenging van de interim-derogatie.",
        # a question, the legal remedy, a supposition
        "Steunt het kabinet de verlenging van de derogatie?",
        "Gebruikers hebben het recht om bezwaar te maken tegen een detectiebevel op "
        "bekend materiaal.",
        "Stel dat Nederland de CSAM-verordening zou steunen.",
        # "tegen" as a preposition
        "Er zijn extra maatregelen nodig tegen het misbruik van de interim-derogatie.",
        "Het voorstel voor de CSAM-verordening is tegen het licht gehouden.",
        # procedure, not a position
        "Hoe komen wij tot dit standpunt over de CSAM-verordening?",
        "Het Nederlandse standpunt over de CSAM-verordening is met uw Kamer gedeeld.",
    ],
)
def test_not_positions(text: str) -> None:
    assert claims(text) == []


def test_members_questions_are_never_the_cabinets_positions() -> None:
    text = "Wij steunen de verlenging van de interim-derogatie voor vrijwillige detectie."
    assert claims(text, role="parliament") == []
    assert stances(text)["interim-derogation"] == "supports"


def test_a_long_turn_contributes_its_position_sentence_only() -> None:
    filler = "Dank u wel, voorzitter. Ik kom zo op de andere punten van de agenda. " * 5
    position = "Wij steunen de verlenging van de derogatie voor kindermisbruik. "
    text = filler + position + filler
    offsets = ((0, 10), (len(filler), 20), (len(filler + position), 21))
    labelled = label_statements([statement(text, line_map=offsets)], RULES)
    found = claims_of(labelled, RULES)
    assert [(c.issue, c.sentence.lines) for c in found] == [("interim-derogation", (20, 20))]
    assert found[0].triggers[1] == "steunen"


def test_an_object_is_carried_from_the_sentence_before() -> None:
    text = (
        "Het compromisvoorstel beperkt de detectie tot reeds bekend materiaal. "
        "Dit is conform de Nederlandse inzet."
    )
    found = [c for c in claims(text) if c.issue == "known-material"]
    assert [c.stance for c in found] == ["supports"]
    assert found[0].own_object is False


def test_holder_keeps_its_case_and_a_first_person_is_the_speaker() -> None:
    reading = read_sentence("Nederland kan dit voorstel niet steunen.", RULES.lexicon or _no())
    assert reading[0].holder == "Nederland" and reading[0].stance == "opposes"
    reading = read_sentence("Wij onthouden ons actief.", RULES.lexicon or _no(), "Minister X")
    assert reading[0].holder == "Minister X" and reading[0].stance == "abstains"


def test_a_holder_phrase_is_cited_by_who_it_names() -> None:
    lexicon = RULES.lexicon or _no()
    reading = read_sentence(
        "De Nederlandse inzet is om het detectiebevel niet te steunen.", lexicon
    )
    assert [(r.holder, r.stance) for r in reading] == [("Nederland", "opposes")]
    reading = read_sentence("Het kabinetsstandpunt is dat wij het voorstel steunen.", lexicon)
    assert {r.holder for r in reading} == {"het kabinet"}


def test_the_cabinet_is_named_one_way_whoever_spells_it() -> None:
    # one holder column: "Het kabinet", "dit kabinet" and an unnamed cabinet speaker ("wij" in a
    # letter signed by no one) are all "het kabinet"; the previous cabinet stays apart
    lexicon = RULES.lexicon or _no()
    for text, speaker in (
        ("Het kabinet kan dit voorstel niet steunen.", ""),
        ("Dit kabinet kan dit voorstel niet steunen.", ""),
        ("Wij kunnen dit voorstel niet steunen.", "kabinet"),
    ):
        assert {r.holder for r in read_sentence(text, lexicon, speaker)} == {"het kabinet"}
    reading = read_sentence("Het vorige kabinet kon dit voorstel niet steunen.", lexicon)
    assert {r.holder for r in reading} == {"het vorige kabinet"}


def test_a_place_is_not_a_holder() -> None:
    # "in Nederland" says where, not who: the position is the platforms', not the cabinet's
    text = "Aanbieders in Nederland steunen de verlenging van de interim-derogatie."
    assert claims(text) == []
    text = "Het kabinet zal in Nederland de verlenging van de interim-derogatie steunen."
    assert {c.holder for c in claims(text)} == {"het kabinet"}


def _no() -> NoReturn:
    raise AssertionError("the bundled rules have a [positions] table")


# --------------------------------------------------------------------------- rules files


def _rules_with(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "topics.toml"
    path.write_text(BUNDLED_RULES.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            '\n[[topics.derogation.issues]]\nid = "mine"\nphrases = []\n',
            "topics.derogation.issues 'mine': phrases must not be empty",
        ),
        (
            '\n[[topics.derogation.issues]]\nid = "voluntary-detection"\nphrases = ["x"]\n',
            "topics.derogation.issues 'voluntary-detection': duplicated id",
        ),
        (
            "\n[[positions.predicates]]\nregex = 'graag'\nstance = \"enthusiastic\"\n",
            "stance 'enthusiastic' is not one of supports, supports-conditionally",
        ),
    ],
)
def test_bad_rules_are_one_line_naming_file_and_entry(
    tmp_path: Path, extra: str, message: str
) -> None:
    path = _rules_with(tmp_path, extra)
    with pytest.raises(InputError) as caught:
        load_rules(path)
    text = str(caught.value)
    assert text.startswith(str(path)) and message in text and "\n" not in text


def test_duplicated_id_names_its_line(tmp_path: Path) -> None:
    path = _rules_with(
        tmp_path, '\n[[topics.derogation.issues]]\nid = "voluntary-detection"\nphrases = ["x"]\n'
    )
    with pytest.raises(InputError) as caught:
        load_rules(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert caught.value.line is not None
    assert 'id = "voluntary-detection"' in lines[caught.value.line - 1]


def test_cli_refuses_bad_rules_before_touching_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _rules_with(tmp_path, '\n[[topics.derogation.issues]]\nid = "x"\nphrases = []\n')
    store = tmp_path / "store"
    code = cli.main(["positions", "derogation", "--rules", str(path), "--store", str(store)])
    err = capsys.readouterr().err
    assert code == 2 and str(path) in err and len(err.strip().splitlines()) == 1
    assert not store.exists()


def test_a_users_own_sub_issue_gets_positions(tmp_path: Path, bundled: Store) -> None:
    path = _rules_with(
        tmp_path,
        '\n[[topics.derogation.issues]]\nid = "periodic-review"\nlabel = "A periodic review"\n'
        "phrases = ['\\bperiodiek\\w* weegmoment']\n",
    )
    table = topic_positions(bundled, "derogation", load_rules(path))
    assert [i.id for i in table.issues][-1] == "periodic-review"
    assert table.cell("2023-10", "periodic-review").silent


# --------------------------------------------------------------------------- the seeds


def test_a_letter_and_kamervragen_answers_get_positions(
    tmp_path: Path, versions_copy: Path
) -> None:
    """Documents of the new layouts (our own fixtures) are rounds with positions too."""
    from diffview.ingest import ingest

    fixtures = Path(__file__).parent / "fixtures"
    store = tmp_path / "store"
    ingest(fixtures / "kamerbrief-ministerie-2025.txt", versions_copy, store)
    ingest(fixtures / "kamervragen-ministerie-2025.txt", versions_copy, store)
    with Store.open(store) as opened:
        table = topic_positions(opened, "encryption")
        letter = {i.id: table.cell("2025-11", i.id) for i in table.issues}
        answers = {i.id: table.cell("2025-12", i.id) for i in table.issues}
    assert letter["e2ee-possible"].stance == "supports"
    assert letter["client-side-scanning"].stance == "opposes"
    assert answers["client-side-scanning"].stance == "opposes"
    assert answers["client-side-scanning"].evidence[0].doc == "006"
    assert letter["detection-in-e2ee"].silent


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Store:
    from conftest import VERSIONS

    path = tmp_path_factory.mktemp("positions") / "store"
    build_store(VERSIONS, path)
    return Store.open(path)


def _cited(table: PositionTable, round_: str, issue: str) -> list[str]:
    return [e.cite for e in table.cell(round_, issue).evidence]


def test_detection_order_story(bundled: Store) -> None:
    """Oct 2023: known material only, not new material and grooming; Oct 2024: abstains on
    the general approach; Mar 2026: against it, and against mandatory detection."""
    t = topic_positions(bundled, "detection-order")
    assert t.cell("2023-10", "known-material").stance == "supports"
    assert "002:730-731" in _cited(t, "2023-10", "known-material")
    assert t.cell("2023-10", "new-material-grooming").stance == "opposes"
    assert "002:160-162" in _cited(t, "2023-10", "new-material-grooming")
    assert t.cell("2024-10", "new-material-grooming").stance == "opposes"  # restated
    assert t.cell("2024-10", "general-approach").stance == "abstains"
    assert "003:142-147" in _cited(t, "2024-10", "general-approach")
    assert t.cell("2026-03", "general-approach").stance == "opposes"
    assert "004:840" in _cited(t, "2026-03", "general-approach")
    assert t.cell("2026-03", "mandatory-detection").stance == "opposes"
    assert _cited(t, "2026-03", "mandatory-detection") == ["004:1036-1040"]
    assert t.cell("2023-10", "mandatory-detection").silent
    moves = {(c.issue, c.from_round): (c.from_stance, c.to_stance) for c in t.changes}
    assert moves[("general-approach", "2024-10")] == ("abstains", "opposes")


def test_encryption_story(bundled: Store) -> None:
    t = topic_positions(bundled, "encryption")
    assert t.cell("2024-10", "e2ee-possible").stance == "supports"
    assert "003:354-358" in _cited(t, "2024-10", "e2ee-possible")
    assert t.cell("2026-03", "detection-in-e2ee").stance == "opposes"
    assert t.cell("2026-03", "client-side-scanning").stance == "opposes"
    assert _cited(t, "2026-03", "detection-in-e2ee") == ["004:1036-1040"]
    assert all(t.cell("2023-10", i.id).silent for i in t.issues)


def test_derogation_story(bundled: Store) -> None:
    """Mentioned in passing in 2024 (no position), supported in Mar 2026."""
    t = topic_positions(bundled, "derogation")
    for round_ in ("2023-10", "2024-10"):
        assert all(t.cell(round_, i.id).silent for i in t.issues), round_
    cell = t.cell("2026-03", "interim-derogation")
    assert cell.stance == "supports" and cell.holder in ("het kabinet", "Nederland")
    assert {"004:298-299", "004:885-886"} & set(_cited(t, "2026-03", "interim-derogation"))
    new = [c for c in t.changes if c.issue == "interim-derogation"]
    assert [(c.from_stance, c.to_stance, c.move) for c in new] == [(None, "supports", "new")]


def test_every_evidence_sentence_is_the_source_text(bundled: Store) -> None:
    for topic in ("detection-order", "encryption", "derogation"):
        for p in topic_positions(bundled, topic).positions:
            for e in p.evidence:
                source = " ".join(bundled.source_lines(e.doc, *e.lines))
                first_words = e.text.split()[:3]
                assert all(w.rstrip(".,") in source for w in first_words), e.cite


def test_json_schema(bundled: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        cli.main(["positions", "derogation", "--format", "json", "--store", str(bundled.path)]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["topic"] == "derogation" and data["rounds"] == ["2023-10", "2024-10", "2026-03"]
    cell = next(
        p
        for p in data["positions"]
        if p["round"] == "2026-03" and p["issue"] == "interim-derogation"
    )
    assert cell["stance"] == "supports" and cell["holder"]
    assert {"doc", "lines", "text"} <= set(cell["evidence"][0])
    silent = [p for p in data["positions"] if p["round"] == "2023-10"]
    assert {p["stance"] for p in silent} == {"silent"} and all(not p["evidence"] for p in silent)
    change = data["changes"][0]
    assert set(change) >= {"issue", "from", "to", "from_stance", "to_stance"}
    assert data == positions_to_json(topic_positions(bundled, "derogation"))


def test_table_output_reads_as_the_story(
    bundled: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["positions", "detection-order", "--store", str(bundled.path)]) == 0
    out = capsys.readouterr().out
    assert "abstains" in out and "silent" in out and "003:142-147" in out
    assert "Oct 2024 → Mar 2026: The regulation" in " ".join(out.split())


def test_compare_leads_with_positions_and_never_says_removed(
    bundled: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["compare", "derogation", "2024-10", "2026-03", "--store", str(bundled.path)]
    assert cli.main([*args, "--format", "inline", "--width", "120"]) == 1
    out = capsys.readouterr().out
    head = out.split("─" * 20)[0]
    assert "Positions on derogation, Oct 2024 → Mar 2026:" in head
    assert "silent → supports, new position" in " ".join(head.split())
    assert "removed" not in out and "added" not in out
    assert cli.main([*args, "--format", "inline", "--width", "120", "--focus"]) == 1
    focused = capsys.readouterr().out
    assert "focus:" in focused and len(focused) < len(out)


def _fresh_store(tmp_path: Path, versions_dir: Path) -> Path:
    from diffview.positions.table import round_claims

    path = tmp_path / "store"
    build_store(versions_dir, path)
    round_claims.cache_clear()  # claims are kept per open store: start from the files
    return path


def _no_reading(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make running the claim reader over statements fail the test, counting the calls."""
    from diffview.positions import table

    calls: list[int] = []

    def compute(*args: object) -> NoReturn:
        calls.append(1)
        raise AssertionError("claims computed, not read")

    monkeypatch.setattr(table, "_compute", compute)
    return calls


def test_the_build_keeps_each_documents_claims_and_a_table_reads_them(
    tmp_path: Path, versions_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Claims are parse results: the build writes `claims/<id>.jsonl` per document, and a
    positions table or compare in a new process reads them (no claim reader run, no derived
    cache written), the same claims the reader gives over the round's statements."""
    from diffview.positions.table import _compute, stored_claims

    path = _fresh_store(tmp_path, versions_dir)
    with Store.open(path) as store:
        for version in store.versions():
            assert stored_claims(store, version, RULES) == _compute(store, version, RULES)
        expected = positions_to_json(topic_positions(store, "encryption"))
    shutil.rmtree(path / ".git" / "diffview-cache", ignore_errors=True)
    _fresh_store(tmp_path, versions_dir)  # unchanged: clears the per-store memo only
    _no_reading(monkeypatch)
    with Store.open(path) as store:
        assert positions_to_json(topic_positions(store, "encryption")) == expected
    assert not list((path / ".git").glob("diffview-cache/claims-*"))


@pytest.mark.parametrize("digest", ["", "0123456789abcdef"])
def test_claims_of_another_claim_reader_are_read_again(
    tmp_path: Path, versions_dir: Path, digest: str
) -> None:
    """A store built by another diffview (its claim reader's digest differs) or cloned (no
    digest beside the objects): its stored claims are not trusted, the reader runs."""
    from diffview.positions import table

    path = _fresh_store(tmp_path, versions_dir)
    (path / ".git" / "diffview-claims-with").write_text(digest + "\n", encoding="ascii")
    with Store.open(path) as store:
        table.topic_positions(store, "encryption")
    computed = list((path / ".git").glob("diffview-cache/claims-*"))
    assert len(computed) == 3  # one per round, read again (and kept where a reader can)


def test_a_bad_claims_cache_is_ignored(tmp_path: Path, versions_dir: Path) -> None:
    """Where the claims are computed (a clone), they are kept in the derived cache; a cache
    file that is malformed is computed again, and one whose text was tampered with is
    sanitised like the store's text."""
    from diffview.corpus.claims import claims_digest
    from diffview.positions.table import round_claims

    path = _fresh_store(tmp_path, versions_dir)
    (path / ".git" / "diffview-claims-with").unlink()  # as a clone: claims are computed
    with Store.open(path) as store:
        expected = positions_to_json(topic_positions(store, "encryption"))
    cache = path / ".git" / "diffview-cache"
    files = sorted(cache.glob(f"claims-*-{claims_digest(BUNDLED_RULES)}.json"))
    assert len(files) == 3  # one per round, keyed by its commit and the rules
    files[-1].write_text('{"format": 1}\n{"stance": "nonsense"}\n', encoding="utf-8")
    files[-2].write_text(
        files[-2].read_text(encoding="utf-8").replace("Nederland", "Neder\\u001b[31mland"),
        encoding="utf-8",
    )
    round_claims.cache_clear()
    with Store.open(path) as reopened:
        again = positions_to_json(topic_positions(reopened, "encryption"))
    assert "\x1b" not in json.dumps(again, ensure_ascii=False)
    assert [p["stance"] for p in again["positions"]] == [p["stance"] for p in expected["positions"]]


def test_against_a_blind_reading_of_the_seeds(bundled: Store) -> None:
    """An independent hand annotation (tests/annotations-README.md): today recall 0.74 (14 of
    19 cells, the misses are its judgement calls), precision 1.00, nothing in a silent cell."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    from score_positions import score

    annotation = json.loads(
        (Path(__file__).parent / "annotations" / "positions-blind.json").read_text("utf-8")
    )
    result = score(annotation, bundled)
    assert result["recall"] >= 0.7, result["misses"]
    assert result["precision"] >= 0.9, result["wrong"]
    assert result["false_in_silent"] == []


def test_every_cells_evidence_is_a_row_of_the_diff(bundled: Store) -> None:
    """The sentence diff under the positions is their evidence: each cited sentence is on its
    side of the comparison, also when its statement carries another label (003:142-147)."""
    from diffview.positions.table import compare_with_evidence

    for topic in ("detection-order", "encryption", "derogation"):
        table = topic_positions(bundled, topic)
        rounds = [r for r, _ in table.rounds]
        for old, new in zip(rounds, rounds[1:], strict=False):
            if len(bundled.versions(topic)) < 2:
                continue
            comparison = compare_with_evidence(bundled, topic, old, new)
            left = {c for u in comparison.units for s in u.left for c in s.cites.split(", ")}
            right = {c for u in comparison.units for s in u.right for c in s.cites.split(", ")}
            for round_, side in ((old, left), (new, right)):
                for issue in table.issues:
                    for e in table.cell(round_, issue.id).evidence:
                        assert e.cite in side, (topic, round_, issue.id, e.cite)


def _history(stances: list[str | None]) -> PositionTable:
    """One sub-issue over consecutive rounds with the given stances (None: silent)."""
    rounds = tuple((f"2026-0{i + 1}", f"round {i + 1}") for i in range(len(stances)))
    cells = tuple(
        Position(
            "derogation",
            r,
            "interim-derogation",
            stance,  # type: ignore[arg-type]
            "het kabinet" if stance else "",
            (Evidence(f"00{i}", (19, 19), "…"),) if stance else (),
        )
        for i, ((r, _), stance) in enumerate(zip(rounds, stances, strict=True))
    )
    issues = (IssueInfo("interim-derogation", "Interim derogation"),)
    return PositionTable("derogation", rounds, issues, cells, ())


def test_a_reversal_across_a_silent_round_is_a_change_not_a_new_position() -> None:
    table = _history(["supports", None, "opposes"])
    (gone,) = changes_between(table, "2026-01", "2026-02")
    assert gone.move == "not-restated"
    (back,) = changes_between(table, "2026-02", "2026-03")
    assert (back.move, back.from_stance, back.to_stance, back.since) == (
        "changed",
        "supports",
        "opposes",
        "2026-01",
    )
    line = change_line(table, back)
    assert line.startswith("Interim derogation: supports → opposes, last stated round 1")
    assert "(000:19 → 002:19)" in line


def test_a_stance_stated_again_after_silence_is_resumed_and_a_first_one_new() -> None:
    table = _history(["supports", None, "supports"])
    (back,) = changes_between(table, "2026-02", "2026-03")
    assert (back.move, back.since) == ("resumed", "2026-01")
    assert "supports → supports, stated again, last stated round 1" in change_line(table, back)
    table = _history([None, None, "opposes"])
    (first,) = changes_between(table, "2026-02", "2026-03")
    assert (first.move, first.from_stance, first.since) == ("new", None, None)
    assert (
        change_line(table, first) == "Interim derogation: silent → opposes, new position (002:19)"
    )


def test_a_contested_cell_says_so_and_a_stance_carried_from_context_does_not_count() -> None:
    chosen = Evidence("009", (19, 19), "…", triggers=("het kabinet", "steunt niet", "derogatie"))
    own = Evidence("008", (19, 19), "…", triggers=("het kabinet", "steunt", "derogatie"))
    carried = Evidence("008", (30, 30), "…", triggers=("het kabinet", "steunt", "(context)"))
    cell = Position("derogation", "2026-07", "interim-derogation", "opposes", "het kabinet")
    contested = replace(cell, evidence=(chosen,), dissent=(own, carried))
    assert table_cell_text(contested) == ("opposes (009:19); also read as another stance: 008:19")
    settled = replace(contested, dissent=(carried,))
    assert table_cell_text(settled) == cell_text(settled) == "opposes (009:19)"
