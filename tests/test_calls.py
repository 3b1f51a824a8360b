"""Calls for expressions of interest: a call with its deadline, requests answering it on time and
late (counted apart, and taken beyond the interest stage only with a reason), and a country-owned
regional request refused at its gate without a call; on the command line, and across two sites."""

from __future__ import annotations

import contextlib
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dtlab.db.calls import call_eois, find_call, list_calls
from dtlab.db.cases import get_case
from dtlab.db.store import Store
from dtlab.domain import gates
from dtlab.domain.calls import CallFacts, call_problems, count_eois, days_late, needs_call
from dtlab.domain.stages import MoveKind, Stage
from dtlab.errors import Invalid, NotFound, Refused
from dtlab.launch import main
from dtlab.services.calls import create_call, edit_call, link_case, set_call_status
from dtlab.services.cases import GateRefused, create_case, move_case, update_case
from dtlab.sync.bundle import Rejected
from tests.helpers.forge import Forger
from tests.helpers.sites import Site

pytestmark = [pytest.mark.functional, pytest.mark.both_databases]  # the use cases on either database

DEADLINE = date(2025, 3, 31)


# --- the rules ---------------------------------------------------------------------------------

@given(st.dates(), st.dates())
def test_late_is_any_day_after_the_deadline(received: date, deadline: date) -> None:
    late = days_late(received, deadline)
    assert (late > 0) == (received > deadline)
    assert late == max(0, (received - deadline).days)


@given(st.lists(st.one_of(st.none(), st.dates())), st.dates())
def test_answers_are_counted_once_on_time_or_late(received: list[date | None], deadline: date) -> None:
    count = count_eois(received, deadline)
    assert count.on_time + count.late == len(received)
    assert count.late == sum(1 for day in received if day is not None and day > deadline)


def test_only_a_country_owned_regional_centre_needs_a_call() -> None:
    assert needs_call("country", "regional")
    assert not needs_call("country", "national")
    assert not needs_call("itu", "regional")
    assert not needs_call(None, None)


def test_a_call_says_every_problem_at_once() -> None:
    problems = call_problems(CallFacts(title=" ", deadline=date(2025, 1, 1), opens_on=date(2025, 2, 1),
                                       regions=("AFR", "MARS"), scope="planetary", status="maybe"))
    assert set(problems) == {"title", "opens_on", "regions", "scope", "status"}
    assert "MARS" in problems["regions"]
    assert call_problems(CallFacts(title="Regional centres", deadline=DEADLINE, regions=("AFR",))) == {}


def _interest(**facts: object) -> list[gates.Condition]:
    base: dict[str, object] = dict(stage=Stage.INTEREST, applicant="Ministry", country="KE", channel="eoi",
                                   received_on=date(2025, 1, 10))
    return gates.unmet(gates.CaseFacts(**{**base, **facts}))  # type: ignore[arg-type]


def test_the_interest_gate_asks_a_country_owned_regional_request_for_its_call() -> None:
    unmet = _interest(ownership="country", scope="regional")
    assert [c.code for c in unmet] == ["call"]
    assert "call for expressions of interest" in unmet[0].text
    assert _interest(ownership="country", scope="regional", call_ref="GVA-C1", call_deadline=DEADLINE) == []
    # A national centre, or an ITU-owned one, comes by letter: no call asked.
    assert _interest(ownership="country", scope="national") == []
    # A call named but not held here (a bundle's link before its call) does not meet it.
    held_not = _interest(ownership="country", scope="regional", call_ref="NBO-C4")
    assert "NBO-C4 is not a call held here" in held_not[0].text


def test_a_late_answer_needs_its_reason_to_leave_interest() -> None:
    late = dict(call_ref="GVA-C1", call_deadline=DEADLINE, received_on=DEADLINE + timedelta(days=5))
    unmet = _interest(**late)
    assert [c.code for c in unmet] == ["late_reason"]
    assert "5 days after the deadline of GVA-C1 (2025-03-31)" in unmet[0].text
    assert _interest(**late, late_reason="Postal delay, documented") == []
    assert _interest(**late, late_reason="   ")[0].code == "late_reason"
    assert _interest(call_ref="GVA-C1", call_deadline=DEADLINE, received_on=DEADLINE) == []  # the day itself


# --- the use cases -----------------------------------------------------------------------------

def _regional(store: Store, received: str, call: str | None = None) -> str:
    fields = {"title": "Regional hub", "country": "KE", "applicant": "Ministry of ICT", "channel": "eoi",
              "received_on": received, "scope": "regional", "ownership": "country"}
    if call:
        fields["call_ref"] = call
    return create_case(store, fields)


def test_an_answer_on_time_and_one_late_with_its_reason(store: Store) -> None:
    ref = create_call(store, {"title": "Regional centres 2025", "deadline": "2025-03-31", "regions": "afr, arb",
                              "centre_types": "digital_transformation", "scope": "regional"})
    assert ref == "GVA-C1"
    assert create_call(store, {"title": "Another", "deadline": "2025-06-30"}) == "GVA-C2"
    on_time = _regional(store, "2025-03-31", call="gva-c1")
    late = _regional(store, "2025-04-04", call="GVA-C1")
    move_case(store, on_time, MoveKind.ADVANCE)
    with pytest.raises(GateRefused, match="4 days after the deadline of GVA-C1"):
        move_case(store, late, MoveKind.ADVANCE)
    link_case(store, "GVA-C1", late, late_reason="Sent on time; the mail was held at customs")
    move_case(store, late, MoveKind.ADVANCE)
    with store.read() as s:
        call = find_call(s, "gva-c1")
        assert call.regions == ("AFR", "ARB") and call.eois.on_time == 1 and call.eois.late == 1
        eois = {e.ref: e for e in call_eois(s, call)}
        assert eois[late].days_late == 4 and eois[late].late_reason.startswith("Sent on time")
        assert eois[on_time].days_late == 0
        assert get_case(s, late).stage == Stage.ASSESSMENT.value


def test_a_country_owned_regional_request_is_refused_at_its_gate_without_a_call(store: Store) -> None:
    ref = _regional(store, "2025-01-10")
    with pytest.raises(GateRefused, match="the call is linked"):
        move_case(store, ref, MoveKind.ADVANCE)
    # The gate may be overridden like any other, with a reason, recorded.
    result = move_case(store, ref, MoveKind.ADVANCE, reason="Invited directly by the BDT Director", override=True)
    assert any("call" in text for text in result.overridden)


def test_the_2023_call_is_reference_data_and_is_not_edited_here(store: Store) -> None:
    with store.read() as s:
        first = find_call(s, "ITU-2023")
    assert first.reference and first.deadline == date(2023, 3, 15)
    assert set(first.centre_types) == {"research_entrepreneurship", "digital_transformation"}
    with pytest.raises(Refused, match="reference data"):
        edit_call(store, "ITU-2023", {"title": "Changed"})
    late = _regional(store, "2023-03-20", call="ITU-2023")
    with pytest.raises(GateRefused, match="5 days after the deadline of ITU-2023"):
        move_case(store, late, MoveKind.ADVANCE)


def test_wrong_values_are_refused_each_named(store: Store) -> None:
    with pytest.raises(Invalid) as refused:
        create_call(store, {"title": "", "deadline": "31/03/2025", "regions": "AFR XYZ", "centre_types": "museum"})
    assert {p.partition(":")[0] for p in refused.value.problems} == {"title", "deadline", "regions", "centre_types"}
    with pytest.raises(NotFound, match="no call GVA-C9"):
        link_case(store, "GVA-C9", _regional(store, "2025-01-10"))
    ref = _regional(store, "2025-01-10")
    with pytest.raises(Invalid, match="call_ref: no call NOPE-1"):
        update_case(store, ref, {"call_ref": "nope-1"})
    with pytest.raises(Invalid, match="status"):
        set_call_status(store, "ITU-2023", "paused")
    with store.read() as s:
        assert [c.ref for c in list_calls(s)] == ["ITU-2023"]  # nothing half made


# --- the command line --------------------------------------------------------------------------

def _run(db: str, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--db", db, *argv])
    return code, out.getvalue(), err.getvalue()


def test_the_calls_commands(store: Store, fresh_target: str) -> None:
    code, out, _err = _run(fresh_target, "calls", "new", "--title", "Regional 2025", "--deadline", "2025-03-31",
                           "--regions", "AFR,ARB", "--types", "digital_transformation")
    assert (code, out.strip()) == (0, "GVA-C1")
    ref = _regional(store, "2025-04-02")
    code, _out, err = _run(fresh_target, "case", "advance", ref)
    assert code == 3 and "the call is linked" in err
    code, out, _err = _run(fresh_target, "calls", "link", "GVA-C1", ref)
    assert code == 0 and "2 days late" in out and "--late-reason" in out
    code, _out, err = _run(fresh_target, "case", "advance", ref)
    assert code == 3 and "2 days after the deadline" in err
    assert _run(fresh_target, "calls", "link", "GVA-C1", ref, "--late-reason", "Courier strike")[0] == 0
    assert _run(fresh_target, "case", "advance", ref)[0] == 0
    code, out, _err = _run(fresh_target, "calls", "show", "GVA-C1", "--json")
    shown = json.loads(out)
    assert (shown["eois_on_time"], shown["eois_late"]) == (0, 1)
    assert shown["eois"][0] | {"ref": ref, "late": True, "days_late": 2, "late_reason": "Courier strike",
                               "stage": "assessment"} == shown["eois"][0]
    code, out, _err = _run(fresh_target, "calls", "show", "GVA-C1", "--today", "2025-03-01")
    assert "Late (counted apart)" in out and "2 days late: Courier strike" in out and "30 days left" in out
    code, out, _err = _run(fresh_target, "calls", "list", "--format", "csv")
    assert out.splitlines()[0].startswith("call,deadline") and "ITU-2023" in out
    assert _run(fresh_target, "calls", "close", "GVA-C1")[0] == 0
    code, out, _err = _run(fresh_target, "calls", "list")
    assert "GVA-C1" in out and "closed" in out
    code, _out, err = _run(fresh_target, "calls", "edit", "ITU-2023", "--title", "x")
    assert code == 3 and "reference data" in err
    code, out, _err = _run(fresh_target, "case", "show", ref)
    assert "GVA-C1 · Regional 2025 (deadline 2025-03-31; 2 days late)" in out and "Courier strike" in out


# --- two sites ---------------------------------------------------------------------------------

def test_a_call_and_its_answers_travel_and_merge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    hq, field = Site(tmp_path, "HQ", "hq"), Site(tmp_path, "NBO", "amina")
    hq.trusts(field)
    field.trusts(hq)
    create_call(field.store, {"title": "East Africa 2025", "deadline": "2025-03-31", "regions": "AFR"})
    ref = _regional(field.store, "2025-04-03", call="NBO-C1")
    link_case(field.store, "NBO-C1", ref, late_reason="Ministry reshuffle")
    move_case(field.store, ref, MoveKind.ADVANCE)
    hq.take(field.export())
    with hq.store.read() as s:
        call = find_call(s, "NBO-C1")
        assert (call.title, call.eois.late) == ("East Africa 2025", 1)
        assert get_case(s, ref).stage == Stage.ASSESSMENT.value
    # HQ extends the deadline while the field renames the call: both kept, field by field.
    edit_call(hq.store, "NBO-C1", {"deadline": "2025-04-30"})
    edit_call(field.store, "NBO-C1", {"title": "East Africa 2025 (extended)"})
    field.take(hq.export("NBO"))
    hq.take(field.export())
    for site in (hq, field):
        with site.store.read() as s:
            call = find_call(s, "NBO-C1")
            assert (call.title, call.deadline) == ("East Africa 2025 (extended)", date(2025, 4, 30))
            assert (call.eois.on_time, call.eois.late) == (1, 0)  # on time now, by the new deadline
    hq.store.close()
    field.store.close()


def test_a_bundle_is_held_to_the_rules_of_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    hq, field = Site(tmp_path, "HQ", "hq"), Site(tmp_path, "NBO", "amina")
    hq.trusts(field)
    field.trusts(hq)
    _regional(field.store, "2025-01-10")
    good = {"title": [None, "Calls"], "deadline": [None, "2025-03-31"], "status": [None, "open"]}
    cases = [
        ({**good, "ref": [None, "HQ-C1"]}, "not under its site's own code"),
        ({**good, "ref": [None, "NBO-C1"], "opens_on": [None, "2025-05-01"]}, "opens"),
        ({**good, "ref": [None, "NBO-C1"], "regions": [None, "AFR MARS"]}, "not an ITU region"),
        ({**good, "ref": [None, "NBO-C1"], "centre_types": [None, "technology,museum"]}, "not a known centre type"),
        ({**good, "ref": [None, "NBO-1"]}, "not a site's call ref"),
    ]
    for n, (changes, reason) in enumerate(cases):
        forger = Forger(field)
        forger.add("calls", f"01a2524a-0000-7000-8000-00000000000{n}", "insert", changes, None)
        with pytest.raises(Rejected, match=reason):
            hq.take(forger.bundle(tmp_path / f"bad-{n}.dtlab"))
    # A country-owned regional request that advances without its call is refused like a local move.
    forger = Forger(field)
    case = forger.first("cases")
    forger.add("transitions", "01a2524a-0000-7000-8000-0000000000aa", "insert",
               {"case_id": [None, case["row_id"]], "kind": [None, "advance"], "from_stage": [None, "interest"],
                "to_stage": [None, "assessment"], "status": [None, "open"], "at": [None, case["at"]]},
               case["row_id"])
    forger.add("cases", case["row_id"], "update", {"stage": ["interest", "assessment"]}, case["row_id"])
    with pytest.raises(Rejected, match="the call is linked"):
        hq.take(forger.bundle(tmp_path / "no-call.dtlab"))
    with hq.store.read() as s:
        assert list_calls(s)[0].ref == "ITU-2023" and len(list_calls(s)) == 1
    hq.store.close()
    field.store.close()


def test_a_request_answers_only_a_call_it_can(store: Store) -> None:
    """Not a cancelled call, nor one open to other regions; and a call that no longer fits (it was
    cancelled after the link) does not meet the gate."""
    create_call(store, {"title": "Africa only", "deadline": "2025-03-31", "regions": "AFR"})
    create_call(store, {"title": "Americas", "deadline": "2025-03-31", "regions": "AMS"})
    kenya = _regional(store, "2025-03-01")
    with pytest.raises(Invalid, match="GVA-C2 is open to AMS, and this request is from AFR"):
        link_case(store, "GVA-C2", kenya)
    with pytest.raises(Invalid, match="open to AMS"):
        _regional(store, "2025-03-01", call="GVA-C2")
    link_case(store, "GVA-C1", kenya)
    set_call_status(store, "GVA-C1", "cancelled")
    with pytest.raises(GateRefused, match="the call is linked .*: GVA-C1 was cancelled"):
        move_case(store, kenya, MoveKind.ADVANCE)
    with pytest.raises(Invalid, match="GVA-C1 was cancelled"):
        link_case(store, "GVA-C1", _regional(store, "2025-03-02"))


def test_a_call_takes_answers_from_its_opening_to_its_deadline() -> None:
    from dtlab.domain.calls import taking_interest
    from dtlab.present.call_words import deadline_words

    opens, deadline = date(2025, 1, 10), date(2025, 3, 31)
    assert not taking_interest("open", deadline, date(2025, 1, 9), opens)
    assert taking_interest("open", deadline, date(2025, 1, 10), opens)
    assert taking_interest("open", deadline, deadline, opens)
    assert not taking_interest("open", deadline, deadline + timedelta(days=1), opens)
    assert not taking_interest("closed", deadline, date(2025, 2, 1), opens)
    assert deadline_words(deadline, "open", date(2025, 1, 5), opens) == "opens in 5 days"
    assert deadline_words(deadline, "open", date(2025, 3, 30), opens) == "1 day left"
    assert deadline_words(deadline, "open", deadline, opens) == "last day today"
    assert deadline_words(deadline, "open", date(2026, 2, 4), opens) == "passed 310 days ago"


def test_case_new_takes_the_late_reason_or_says_it_is_needed(store: Store, fresh_target: str) -> None:
    create_call(store, {"title": "Regional 2025", "deadline": "2025-03-31"})
    argv = ["case", "new", "--title", "Late hub", "--country", "KE", "--received", "2025-04-03", "--scope",
            "regional", "--ownership", "country", "--call", "GVA-C1"]
    code, out, err = _run(fresh_target, *argv)
    assert code == 0 and "came 3 days after the deadline of GVA-C1" in err and "--late-reason" in err
    code, out, err = _run(fresh_target, *argv, "--late-reason", "Courier strike")
    assert code == 0 and err == ""
    with store.read() as s:
        assert get_case(s, out.strip()).late_reason == "Courier strike"
