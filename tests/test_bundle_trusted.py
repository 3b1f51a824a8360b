"""A trusted laptop (stolen, compromised or buggy) signs operations no local write could make:
each bundle is refused with one reason (exit 4) and nothing written, so HQ never stores, nor
relays, what its own users could not."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from dtlab.db.columns import compact_json
from dtlab.db.models import Case, Evaluation
from dtlab.domain.ids import new_id
from dtlab.errors import BundleRejected, Refused
from dtlab.launch import main
from dtlab.services.cases import add_note, create_case, update_case
from dtlab.sync.bundle import Rejected
from tests.helpers.cases import design_case, evaluate
from tests.helpers.forge import Forger
from tests.helpers.sites import Site, refused

pytestmark = pytest.mark.functional

YEAR = date.today().year


@pytest.fixture
def pair(trusting: tuple[Site, Site]) -> tuple[Site, Site]:
    return trusting


def _case_update(changes: dict[str, list[Any]]) -> Any:
    def forge(f: Forger) -> None:
        case = f.first("cases")
        f.add("cases", case["row_id"], "update", changes, case["row_id"])
    return forge


def _insert(table: str, **values: Any) -> Any:
    def forge(f: Forger) -> None:
        case_id = f.first("cases")["row_id"]
        f.add(table, new_id(), "insert", {k: [None, v] for k, v in {"case_id": case_id, **values}.items()}, case_id)
    return forge


def _case_insert(**values: Any) -> Any:
    def forge(f: Forger) -> None:
        f.first("cases")["changes"].update({k: [None, v] for k, v in values.items()})
    return forge


FUTURE = (date.today() + timedelta(days=30)).isoformat()
OUTSIDE: list[tuple[str, Any, str]] = [
    ("a stage that does not exist", _case_update({"stage": ["interest", "nonsense"]}), "stage: 'nonsense' is not"),
    ("an ownership that does not exist", _case_update({"ownership": [None, "mine"]}), "ownership: 'mine'"),
    ("a status that does not exist", _case_update({"status": ["open", "exploded"]}), "status: 'exploded'"),
    ("a channel that does not exist", _case_update({"channel": [None, "pigeon"]}), "channel: 'pigeon'"),
    ("a country that does not exist", _case_update({"country": ["KE", "ZZ"]}), "'ZZ' is not a known country"),
    ("a centre type that does not exist", _case_update({"proposed_type": [None, "castle"]}), "known centre type"),
    ("a goal that does not exist", _case_update({"goals": [None, "ecosystem,world_peace"]}), "known goal"),
    ("a date in the year 9999", _case_update({"launch_on": [None, "9999-12-31"]}), "outside 1900-2199"),
    ("a received date in the future", _case_update({"received_on": [None, FUTURE]}), "in the future"),
    ("a blank title", _case_update({"title": ["Field case", "  "]}), "title: is required"),
    ("a case without a country", _case_insert(country=None), "country: is required"),
    ("a region that does not exist", _case_update({"region": ["AFR", "MARS"]}), "region"),
    ("a stage_since in 9999", _case_update({"stage_since": [None, "9999-01-01T00:00:00+00:00"]}), "a day ahead"),
    ("a milestone status that does not exist", _insert("milestones", title="Launch", status="exploded"),
     "status: 'exploded'"),
    ("a rubric score of 99", _insert("evaluation_scores", evaluation_id=new_id(), criterion="need", score=99),
     "score: 99 is not a whole number from 0 to 4"),
    ("a task outside the concept note", _insert("kpis", name="Reach", task=12), "task: 12"),
    ("a milestone done in the future", _insert("milestones", title="Launch", status="done", done_on=FUTURE),
     "in the future"),
    ("a result level that does not exist", _insert("results", level="goal", title="Things"), "level: 'goal'"),
    ("an empty note", _insert("notes", body=""), "body: is required"),
    ("an SDG that does not exist", _insert("results", level="output", title="Things", sdgs="4 18"),
     "'18' is not a Sustainable Development Goal"),
    ("a WSIS action line that does not exist", _insert("results", level="output", title="Things", wsis="C1 C12"),
     "'C12' is not a WSIS action line"),
    ("an initiative result not of its form", _insert("results", level="output", title="Things",
                                                     initiative_results="[/]"),
     "not an initiative \\(ARB4\\) or one of its results"),
]


@pytest.mark.parametrize(("name", "forge", "reason"), OUTSIDE, ids=[c[0] for c in OUTSIDE])
def test_values_outside_the_domain_are_refused(pair: tuple[Site, Site], tmp_path: Path, name: str, forge: Any,
                                               reason: str) -> None:
    hq, field = pair
    forger = Forger(field)
    forge(forger)
    refused(hq, forger.bundle(tmp_path / "bad.dtlab"), reason)
    assert hq.take(field.export()).applied > 0  # the laptop's own bundle still goes through


def test_infinity_is_refused_and_never_written(pair: tuple[Site, Site], tmp_path: Path) -> None:
    """`1e999` reads as infinity: refused, so HQ's log never holds a value that is not JSON."""
    hq, field = pair
    forger = Forger(field)
    _insert("kpis", name="Reach", target=123456.5)(forger)
    refused(hq, forger.bundle(tmp_path / "inf.dtlab", patch=(b"123456.5", b"1e999")), "finite|Infinity|not JSON")
    with pytest.raises(ValueError):
        compact_json({"target": [None, float("inf")]})
    with pytest.raises(ValueError):
        compact_json(float("nan"))


def test_a_refusal_is_exit_4_with_one_line(pair: tuple[Site, Site], tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    hq, field = pair
    forger = Forger(field)
    _case_update({"stage": ["interest", "nonsense"]})(forger)
    bad = forger.bundle(tmp_path / "bad.dtlab")
    assert main(["--db", str(hq.tmp / "HQ.db"), "import", str(bad)]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("dtlab: ")


REFS: list[tuple[str, str, str]] = [
    ("HQ's prefix", f"HQ-{YEAR}-0001", "not under its site's own code"),
    ("a number near 2^63", f"NBO-{YEAR}-9223372036854775806", "beyond 99999|longer than 24"),
    ("a number past the bound", f"NBO-{YEAR}-100000", "beyond 99999"),
    ("no number", f"NBO-{YEAR}-", "not a case ref"),
    ("lower case", f"nbo-{YEAR}-0001", "not a case ref as dtlab writes it"),
    ("zeros in front", f"NBO-{YEAR}-00001", "not a case ref as dtlab writes it"),
    ("a year before the calendar", "NBO-1850-0001", "implausible year"),
    ("a year ahead", f"NBO-{YEAR + 5}-0001", "implausible year"),
    ("markup", "[/]", "not a case ref"),
]


@pytest.mark.parametrize(("name", "ref", "reason"), REFS, ids=[c[0] for c in REFS])
def test_a_case_ref_is_its_sites_own(pair: tuple[Site, Site], tmp_path: Path, name: str, ref: str,
                                     reason: str) -> None:
    hq, field = pair
    forger = Forger(field)
    forger.first("cases")["changes"]["ref"][1] = ref
    refused(hq, forger.bundle(tmp_path / "ref.dtlab"), reason)


def test_a_ref_never_changes_and_hq_keeps_numbering(pair: tuple[Site, Site], tmp_path: Path) -> None:
    hq, field = pair
    forger = Forger(field)
    case = forger.first("cases")
    old = case["changes"]["ref"][1]
    forger.add("cases", case["row_id"], "update", {"ref": [old, f"HQ-{YEAR}-9999"]}, case["row_id"])
    refused(hq, forger.bundle(tmp_path / "squat.dtlab"), "keep the ref they were written with")
    assert create_case(hq.store, {"title": "At HQ", "country": "KE"}) == f"HQ-{YEAR}-0001"


def test_local_numbering_stops_at_its_bound(tmp_path: Path) -> None:
    site = Site(tmp_path, "GVA", "hq")
    with site.store.write() as s:  # the last number taken (a ref is fixed once written: made so)
        s.add(Case(ref=f"GVA-{YEAR}-99999", title="Last", country="CH", stage="interest", status="open",
                   stage_since=datetime.now(timezone.utc)))
    with pytest.raises(Refused, match="no case number is left"):
        create_case(site.store, {"title": "One too many", "country": "CH"})
    site.store.close()


def _jump(f: Forger, **transition: Any) -> None:
    case_id = f.first("cases")["row_id"]
    if transition:
        f.add("transitions", new_id(), "insert", {k: [None, v] for k, v in {
            "case_id": case_id, "at": f.ops[-1]["at"], "status": "open", **transition}.items()}, case_id)
    to = transition.get("to_stage", "operation")
    f.add("cases", case_id, "update", {"stage": ["interest", to]}, case_id)


MOVES: list[tuple[str, dict[str, Any], str]] = [
    ("no transition at all", {}, "without a transition"),
    ("a jump the path does not have", {"kind": "advance", "from_stage": "interest", "to_stage": "operation"},
     "no advance move from interest to operation"),
    ("an unmet gate and no override", {"kind": "advance", "from_stage": "interest", "to_stage": "assessment"},
     "unmet gate"),
    ("an override without a reason", {"kind": "advance", "from_stage": "interest", "to_stage": "assessment",
                                      "overridden": "the applicant"}, "needs a reason"),
    ("a move from a stage the case is not at", {"kind": "advance", "from_stage": "implementation",
                                                "to_stage": "operation"}, "the case is at interest here"),
    ("an entry into a case that exists", {"kind": "enter", "to_stage": "concept_design", "reason": "a partner"},
     "without a transition"),
]


@pytest.mark.parametrize(("name", "transition", "reason"), MOVES, ids=[c[0] for c in MOVES])
def test_a_stage_changes_only_with_its_move(pair: tuple[Site, Site], tmp_path: Path, name: str,
                                            transition: dict[str, Any], reason: str) -> None:
    hq, field = pair
    forger = Forger(field)
    _jump(forger, **transition)
    refused(hq, forger.bundle(tmp_path / "jump.dtlab"), reason)


def test_an_override_with_its_reason_is_a_move_a_person_can_make(pair: tuple[Site, Site], tmp_path: Path) -> None:
    hq, field = pair
    forger = Forger(field)
    _jump(forger, kind="advance", from_stage="interest", to_stage="assessment", overridden="the applicant",
          reason="agreed by phone")
    assert hq.take(forger.bundle(tmp_path / "override.dtlab")).applied > 0
    with hq.store.read() as s:
        assert s.scalars(select(Case)).one().stage == "assessment"


def _submitted(hq: Site, field: Site) -> tuple[Forger, str]:
    """A case HQ designed, evaluated and submitted at the laptop, the laptop's bundle taken."""
    ref = design_case(hq.store)
    field.take(hq.export("NBO"))
    evaluate(field.store, ref, "amina")
    hq.take(field.export())
    forger = Forger(field)
    forger.ops = [op for op in forger.ops if op["origin"] == forger.origin]
    with hq.store.read() as s:
        (evaluation,) = s.scalars(select(Evaluation)).all()
    return forger, evaluation.id


def test_a_submitted_evaluation_is_locked_for_a_sender_that_saw_it(pair: tuple[Site, Site], tmp_path: Path) -> None:
    hq, field = pair
    forger, evaluation = _submitted(hq, field)
    score = next(op for op in forger.ops if op["table"] == "evaluation_scores")
    forger.ops = [forger.ops[-1]]
    forger.add("evaluation_scores", score["row_id"], "update", {"score": [3, 0]}, score["case_id"])
    refused(hq, forger.bundle(tmp_path / "rescore.dtlab"), "submitted and locked")
    forger.ops.pop()
    forger.add("evaluations", evaluation, "update", {"classification": ["revise", "recommend"]}, score["case_id"])
    refused(hq, forger.bundle(tmp_path / "reclassify.dtlab"), "submitted and locked|set by its submission")


def test_derived_fields_are_never_taken_from_a_bundle(pair: tuple[Site, Site], tmp_path: Path) -> None:
    """A submission whose classification and percentage are not what its scores give."""
    hq, field = pair
    ref = design_case(hq.store)
    field.take(hq.export("NBO"))
    evaluate(field.store, ref, "amina", each=1)
    path = field.export()
    forger = Forger.__new__(Forger)
    forger.site, forger.path = field, path
    from tests.helpers.forge import read

    forger.manifest, forger.ops = read(path)
    forger.origin = forger.manifest["origin"]["id"]
    forger.ops = [op for op in forger.ops if op["origin"] == forger.origin]
    submit = next(op for op in forger.ops if op["table"] == "evaluations" and "submitted_at" in op["changes"]
                  and op["op"] == "update")
    submit["changes"]["classification"] = [None, "recommend"]
    submit["changes"]["percent"] = [None, 100.0]
    refused(hq, forger.bundle(tmp_path / "verdict.dtlab"), "its scores give")
    assert hq.take(path).applied > 0


def test_a_decision_is_its_own_sites(pair: tuple[Site, Site], tmp_path: Path) -> None:
    hq, field = pair
    forger = Forger(field)
    case_id = forger.first("cases")["row_id"]
    forger.add("decisions", new_id(), "insert", {k: [None, v] for k, v in {
        "case_id": case_id, "table_name": "cases", "row_id": case_id, "field": "title", "seen": "x:1",
        "resolution": "kept", "site": "HQ"}.items()}, case_id)
    refused(hq, forger.bundle(tmp_path / "decision.dtlab"), "deciding site's own")


def test_a_bundle_for_another_site_is_refused(pair: tuple[Site, Site], tmp_path: Path) -> None:
    hq, field = pair
    refused(hq, Forger(field, to="LIM").bundle(tmp_path / "lima.dtlab"), "addressed to 'LIM'")


def test_an_operations_time_is_bounded_like_its_clock(pair: tuple[Site, Site], tmp_path: Path) -> None:
    hq, field = pair
    forger = Forger(field)
    forger.ops[-1]["at"] = "9999-01-01T00:00:00+00:00"
    refused(hq, forger.bundle(tmp_path / "at.dtlab"), "a day ahead")


def test_a_record_belongs_to_the_case_it_names(pair: tuple[Site, Site], tmp_path: Path) -> None:
    hq, field = pair
    other = create_case(field.store, {"title": "Other case", "country": "KE"})
    forger = Forger(field)
    cases = [op["row_id"] for op in forger.ops if op["table"] == "cases"]
    assert len(cases) == 2 and other
    forger.add("notes", new_id(), "insert", {"case_id": [None, cases[0]], "body": [None, "hidden"]}, cases[1])
    refused(hq, forger.bundle(tmp_path / "elsewhere.dtlab"), "not the case its record belongs to")


def test_a_record_cannot_move_to_another_case(pair: tuple[Site, Site], tmp_path: Path) -> None:
    hq, field = pair
    ref = create_case(field.store, {"title": "Other case", "country": "KE"})
    update_case(field.store, ref, {"findings": "Ready"})
    hq.take(field.export())
    forger = Forger(field)
    with hq.store.read() as s:
        first = s.scalars(select(Case).where(Case.ref != ref)).one().id
    with hq.store.read() as s:
        from dtlab.db.models import Assessment

        held = s.scalars(select(Assessment)).one()
    forger.ops = forger.ops[-1:]
    forger.add("assessments", held.id, "update", {"case_id": [held.case_id, first]}, first)
    refused(hq, forger.bundle(tmp_path / "move.dtlab"), "cannot move to another case")


def test_a_note_id_used_twice_is_refused(pair: tuple[Site, Site], tmp_path: Path) -> None:
    hq, field = pair
    ref = create_case(field.store, {"title": "Other case", "country": "KE"})
    add_note(field.store, ref, "first call")
    hq.take(field.export())
    forger = Forger(field)
    with hq.store.read() as s:
        from dtlab.db.models import Note

        note = s.scalars(select(Note)).one()
    forger.ops = forger.ops[-1:]
    forger.add("notes", note.id, "insert", {"case_id": [None, note.case_id], "body": [None, "rewritten"]},
               note.case_id, hlc=1)
    before = hq.state()
    with pytest.raises(BundleRejected, match="held here already"):
        hq.take(forger.bundle(tmp_path / "reused.dtlab"))
    assert hq.state() == before


def test_what_hq_relays_stays_readable(pair: tuple[Site, Site], tmp_path: Path) -> None:
    """A valid bundle goes through HQ to another laptop, whose reads all work."""
    hq, field = pair
    lima = Site(tmp_path, "LIM", "diego")
    hq.trusts(lima)
    lima.trusts(hq)
    hq.take(field.export())
    lima.take(hq.export("LIM"))
    with lima.store.read() as s:
        assert len(s.scalars(select(Case)).all()) == 1
    with pytest.raises(Rejected, match="addressed"):
        field.take(hq.export("LIM"))
    assert json.loads(compact_json({"a": 1.5})) == {"a": 1.5}
    lima.store.close()
