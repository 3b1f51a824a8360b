"""What a trusted site's bundle cannot do to calls, the Board and the results chain, found by an
attacker's review: pass one record off as another by inserting over it, change a decision once
recorded, approve without a date, hold a meeting in the future, link a result to itself, bring a
removed record back, or name a call not held; and what two honest sites' edits must never do:
stop their exchange."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlmodel import select

from dtlab.db.cases import get_case
from dtlab.db.models import BoardItem, BoardMember, Result
from dtlab.domain.ids import new_id
from dtlab.domain.stages import Stage
from dtlab.services import board
from dtlab.services.calls import create_call, edit_call
from dtlab.services.cases import create_case, update_case
from dtlab.services.results import save_result
from dtlab.sync.bundle import Rejected
from tests.helpers.cases import planned_centre, walk_to
from tests.helpers.forge import Forger
from tests.helpers.sites import Site, hq_with_laptops

pytestmark = pytest.mark.functional


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[tuple[Site, Site]]:
    with hq_with_laptops(tmp_path, "sqlite", ("NBO", "amina")) as (hq, field):
        yield hq, field


def forger(field: Site) -> Forger:
    """Operations written by hand after the field site's own latest ones."""
    create_case(field.store, {"title": "filler", "country": "KE"})  # something new to export
    f = Forger(field)
    f.ops = [op for op in f.ops if op["origin"] == f.origin]
    return f


def refused(hq: Site, f: Forger, out: Path, reason: str) -> None:
    with pytest.raises(Rejected, match=reason):
        hq.take(f.bundle(out))


def test_two_honest_edits_of_a_call_never_stop_the_exchange(tmp_path: Path) -> None:
    """Each edit is a valid local write; merged, the call opens after its deadline. Refusing that
    combination would refuse every later bundle of both sites."""
    with hq_with_laptops(tmp_path, "sqlite", ("NBO", "amina"), ("LIM", "diego")) as (hq, nbo, lim):
        ref = create_call(hq.store, {"title": "Call", "deadline": "2026-06-30"})
        nbo.take(hq.export("NBO"))
        lim.take(hq.export("LIM"))
        edit_call(nbo.store, ref, {"deadline": "2026-03-01"})
        edit_call(lim.store, ref, {"opens_on": "2026-04-01"})
        hq.take(nbo.export())
        hq.take(lim.export())
        lim.take(hq.export("LIM"))
        nbo.take(hq.export("NBO"))


def test_an_insert_over_a_held_record_keeps_its_case_and_fixed_fields(sites: tuple[Site, Site],
                                                                      tmp_path: Path) -> None:
    hq, field = sites
    ref = planned_centre(hq.store)
    impact = save_result(hq.store, ref, None, "impact", "HQ impact")
    item = board.put_to_board(hq.store, ref, "accreditation")  # a centre in set-up
    expert = board.nominate(hq.store, "Expert", "2", institution="KTH")
    field.take(hq.export("NBO"))
    mine = create_case(field.store, {"title": "Field case", "country": "KE"})
    walk_to(field.store, mine, Stage.OPERATION)
    hq.take(field.export())
    with field.store.read() as s:
        other, held = get_case(s, mine).id, get_case(s, mine)
        since = held.stage_since.isoformat()
    attempts = [
        ("results", impact, {"case_id": [None, other], "level": [None, "impact"], "title": [None, "moved"]}, other,
         "another case_id"),
        ("board_items", item, {"case_id": [None, other], "matter": [None, "closure"]}, other, "another case_id"),
        ("board_members", expert, {"name": [None, "Expert"], "track": [None, "official"], "country": [None, "KE"],
                                   "nominated_on": [None, "2026-01-01"], "approval": [None, "pending"]}, None,
         "another track"),
        ("cases", other, {"ref": [None, mine], "title": [None, "Field case"], "country": [None, "KE"],
                          "stage": [None, "interest"], "status": [None, "open"], "stage_since": [None, since]}, other,
         "another stage"),
    ]
    for n, (table, row_id, changes, case_id, reason) in enumerate(attempts):
        f = forger(field)
        f.add(table, row_id, "insert", changes, case_id)
        refused(hq, f, tmp_path / f"over-{n}.dtlab", reason)
    with hq.store.read() as s:
        assert s.get(Result, impact).title == "HQ impact"  # type: ignore[union-attr]
        assert s.get(BoardItem, item).matter == "accreditation"  # type: ignore[union-attr]
        assert s.get(BoardMember, expert).track == "expert"  # type: ignore[union-attr]
        assert get_case(s, mine).stage == Stage.OPERATION.value


def test_the_board_s_rules_hold_for_a_site_s_own_edits(sites: tuple[Site, Site], tmp_path: Path) -> None:
    hq, field = sites
    official = board.nominate(field.store, "Official", "1", country="KE", nominated_on="2026-01-10")
    declined = board.nominate(field.store, "Other", "1", country="GH", nominated_on="2026-01-10")
    board.decline(field.store, declined, on="2026-01-12")
    meeting = board.new_meeting(field.store, "DIB 2026/1", "2026-01-20")
    hq.take(field.export())
    attempts = [
        ("board_members", official, {"approval": ["pending", "approved"]}, "needs the date of the decision"),
        ("board_members", official, {"country": ["KE", None]}, "nominated by a country or an institution"),
        ("board_members", declined, {"approval": ["declined", "approved"], "approval_on": ["2026-01-12", "2026-01-13"]},
         "had decided"),
        ("board_meetings", meeting, {"meets_on": ["2026-01-20", "2199-12-31"], "status": ["planned", "held"]},
         "cannot have been held yet"),
    ]
    for n, (table, row_id, changes, reason) in enumerate(attempts):
        f = forger(field)
        f.add(table, row_id, "update", changes, None)
        refused(hq, f, tmp_path / f"board-{n}.dtlab", reason)
    with hq.store.read() as s:
        assert s.get(BoardMember, official).approval == "pending"  # type: ignore[union-attr]


def test_a_recorded_decision_is_never_rewritten(sites: tuple[Site, Site], tmp_path: Path) -> None:
    hq, field = sites
    ref = planned_centre(field.store)
    item = board.put_to_board(field.store, ref, "accreditation")  # a centre in set-up
    board.record_decision(field.store, item, "not_approved", "DIB-1/2026", decided_on="2026-02-01")
    upgrade = board.put_to_board(field.store, ref, "accreditation")  # put again, undecided
    hq.take(field.export())
    with field.store.read() as s:
        case_id = get_case(s, ref).id
    f = forger(field)
    f.add("board_items", item, "update", {"decision": ["not_approved", "approved"]}, case_id)
    refused(hq, f, tmp_path / "rewrite.dtlab", "changes the Board's decision once recorded")
    f = forger(field)
    f.add("board_items", upgrade, "update",
          {"decision": [None, "approved_with_conditions"], "reference": [None, "DIB-2"],
           "decided_on": [None, "2026-02-02"]}, case_id)
    refused(hq, f, tmp_path / "conditions.dtlab", "say the conditions")


def test_a_result_never_links_to_itself_and_nothing_removed_comes_back(sites: tuple[Site, Site],
                                                                      tmp_path: Path) -> None:
    hq, field = sites
    ref = planned_centre(field.store)
    impact = save_result(field.store, ref, None, "impact", "Impact")
    hq.take(field.export())
    with field.store.read() as s:
        case_id = get_case(s, ref).id
        outcome = next(r.id for r in s.scalars(select(Result).where(Result.case_id == case_id,
                                                                    Result.level == "outcome")))
    f = forger(field)
    f.add("results", impact, "update", {"parent_id": [None, impact]}, case_id)
    refused(hq, f, tmp_path / "self.dtlab", "cannot contribute to itself")
    f = forger(field)
    f.add("results", outcome, "update", {"parent_id": [None, impact]}, case_id)
    f.add("results", impact, "update", {"level": ["impact", "outcome"], "parent_id": [None, outcome]}, case_id)
    # A loop (outcome → impact → outcome) is refused by the level rule: levels rise up the chain.
    refused(hq, f, tmp_path / "loop.dtlab", "impact")
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    f = forger(field)
    f.add("results", impact, "delete", {"deleted_at": [None, now]}, case_id)
    hq.take(f.bundle(tmp_path / "removed.dtlab"))
    f.add("results", impact, "update", {"deleted_at": [now, None]}, case_id)
    refused(hq, f, tmp_path / "back.dtlab", "brings back")


def test_a_request_names_only_a_call_held(sites: tuple[Site, Site], tmp_path: Path) -> None:
    """A late answer advanced before the bundle brings its call would pass its gate unjudged."""
    hq, field = sites
    ref = create_case(field.store, {"title": "EoI", "country": "KE"})
    update_case(field.store, ref, {"applicant": "Kenya ICT Authority", "channel": "letter",
                                   "received_on": "2025-03-01"})
    hq.take(field.export())
    with field.store.read() as s:
        case_id = get_case(s, ref).id
    f = forger(field)
    f.add("cases", case_id, "update", {"call_ref": [None, "NBO-C1"]}, case_id)
    f.add("calls", new_id(), "insert", {"ref": [None, "NBO-C1"], "title": [None, "Call"],
                                        "deadline": [None, "2025-01-01"], "status": [None, "open"]}, None)
    refused(hq, f, tmp_path / "late.dtlab", "names call NBO-C1, which is not held here")
