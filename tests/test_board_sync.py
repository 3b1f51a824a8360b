"""The Board on two sites exchanging bundles: a member of each track nominated in the field and
approved at headquarters; a renewal put to a meeting at HQ and decided, the field receiving it;
the Board policy, set at HQ and received in the field, holding the renewal at its stage on both
sites until the decision; a renewal advanced before the policy arrived kept with a conflict;
concurrent edits of a member merging field by field; invalid Board records refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from dtlab.db.board import list_members, setting_id
from dtlab.db.cases import get_case
from dtlab.db.models import BoardMember, Setting
from dtlab.domain.ids import new_id
from dtlab.domain.stages import MoveKind, Stage
from dtlab.services import board
from dtlab.services.cases import GateRefused, create_case, move_case, update_case
from dtlab.sync.conflicts import conflict_rows
from tests.helpers.cases import walk_to
from tests.helpers.forge import Forger
from tests.helpers.sites import Site, hq_with_laptops, refused

pytestmark = [pytest.mark.functional, pytest.mark.both_databases]

TODAY = date.today()


@pytest.fixture
def sites(tmp_path: Path, database_kind: str) -> Iterator[tuple[Site, Site]]:
    """HQ (on each database in turn) and a field laptop."""
    with hq_with_laptops(tmp_path, database_kind, ("NBO", "amina")) as (hq, field):
        yield hq, field


def members(site: Site) -> dict[str, tuple[str, str]]:
    with site.store.read() as s:
        return {m["name"]: (m["status"], m["approved_by"]) for m in list_members(s, TODAY)}


def stage(site: Site, ref: str) -> str:
    with site.store.read() as s:
        return get_case(s, ref).stage


def test_a_member_of_each_track_nominated_in_the_field_is_approved_at_hq(sites: tuple[Site, Site]) -> None:
    hq, field = sites
    official = board.nominate(field.store, "Aminata Touré", "1", country="SN", title="Minister")
    board.nominate(field.store, "Ken Mori", "2", institution="Open Tech Alliance")
    hq.take(field.export())
    assert members(hq) == {"Aminata Touré": ("nominated", None), "Ken Mori": ("serving", "BDT")}
    board.approve(hq.store, official)
    field.take(hq.export("NBO"))
    assert members(field) == members(hq) == {"Aminata Touré": ("serving", "BDT Director"),
                                             "Ken Mori": ("serving", "BDT")}
    assert field.state() == hq.state()


def test_concurrent_edits_of_a_member_merge_field_by_field(sites: tuple[Site, Site]) -> None:
    hq, field = sites
    official = board.nominate(hq.store, "Li Wei", "1", country="CN")
    field.take(hq.export("NBO"))
    board.approve(hq.store, official, term_end="2029-01-01")
    board.edit_member(field.store, official, title="Vice-Minister", institution="MIIT")
    summary = hq.take(field.export())
    assert summary.conflicts == 0
    field.take(hq.export("NBO"))
    for site in (hq, field):
        with site.store.read() as s:
            m = s.get(BoardMember, official)
            assert m is not None
            assert (m.approval, m.term_end, m.title, m.institution) == ("approved", date(2029, 1, 1), "Vice-Minister",
                                                                        "MIIT")
    assert field.state() == hq.state()


def _renewal(hq: Site, field: Site) -> str:
    """A centre at renewal, its outcome renewed, at HQ and in the field."""
    ref = create_case(hq.store, {"title": "Dakar hub", "country": "SN"})
    walk_to(hq.store, ref, Stage.RENEWAL)
    update_case(hq.store, ref, {"renewal_outcome": "renewed"})
    field.take(hq.export("NBO"))
    return ref


def test_with_the_policy_from_hq_the_renewal_waits_for_the_decision_on_both_sites(sites: tuple[Site, Site]) -> None:
    hq, field = sites
    ref = _renewal(hq, field)
    board.set_board_policy(hq.store, True)
    field.take(hq.export("NBO"))
    for site in (hq, field):
        with pytest.raises(GateRefused, match="Digital Innovation Board"):
            move_case(site.store, ref, MoveKind.ADVANCE)
    # HQ puts the renewal to a meeting and records the decision; the field receives both.
    meeting = board.new_meeting(hq.store, "Board, first session", TODAY, "Geneva", "1. Renewal of the Dakar hub")
    item = board.put_to_board(hq.store, ref, "renewal", meeting)
    board.meeting_held(hq.store, meeting, "MIN-2026-01")
    board.record_decision(hq.store, item, "approved_with_conditions", "DIB-2026/01", note="report yearly")
    field.take(hq.export("NBO"))
    with field.store.read() as s:
        from dtlab.db.cases import case_detail

        (held,) = case_detail(s, ref)["board"]
    assert (held["decision"], held["reference"], held["meeting_title"]) == ("approved_with_conditions", "DIB-2026/01",
                                                                           "Board, first session")
    move_case(field.store, ref, MoveKind.ADVANCE)
    assert hq.take(field.export()).conflicts == 0
    assert stage(hq, ref) == stage(field, ref) == Stage.OPERATION.value
    assert field.state() == hq.state()


def test_a_renewal_advanced_before_the_policy_arrived_is_kept_with_a_conflict(sites: tuple[Site, Site]) -> None:
    hq, field = sites
    ref = _renewal(hq, field)
    board.set_board_policy(hq.store, True)
    move_case(field.store, ref, MoveKind.ADVANCE)  # the field has not heard of the policy yet
    summary = hq.take(field.export())
    assert summary.conflicts == 1
    assert stage(hq, ref) == Stage.OPERATION.value
    with hq.store.read() as s:
        (row,) = conflict_rows(s)
    assert (row["ref"], row["field"], row["incoming"]) == (ref, "stage", "operation")
    assert "Digital Innovation Board" in row["reason"]
    field.take(hq.export("NBO"))
    assert stage(field, ref) == Stage.OPERATION.value


def test_two_sites_setting_the_policy_write_one_record(sites: tuple[Site, Site]) -> None:
    hq, field = sites
    board.set_board_policy(hq.store, True)
    board.set_board_policy(field.store, True)
    assert hq.take(field.export()).conflicts == 0
    field.take(hq.export("NBO"))
    for site in (hq, field):
        with site.store.read() as s:
            (row,) = s.scalars(select(Setting)).all()
            assert (row.id, row.value) == (setting_id("board_decision_before_renewal"), "on")


def _insert(f: Forger, table: str, case_id: str | None = None, row_id: str | None = None, **values: Any) -> None:
    changes = {k: [None, v] for k, v in values.items()}
    if case_id is not None:
        changes["case_id"] = [None, case_id]
    f.add(table, row_id or new_id(), "insert", changes, case_id)


MEMBER = {"name": "Forged", "track": "official", "country": "KE", "nominated_on": "2026-01-10"}
BAD: list[tuple[str, dict[str, Any], str]] = [
    ("a track that does not exist", {**MEMBER, "track": "3"}, "track: '3' is not one of"),
    ("an approval that does not exist", {**MEMBER, "approval": "maybe"}, "approval: 'maybe'"),
    ("a country that does not exist", {**MEMBER, "country": "ZZ"}, "'ZZ' is not a known country"),
    ("a track-1 member serving without approval", {**MEMBER, "term_start": "2026-01-10"}, "cannot serve before"),
    ("a track-2 member awaiting approval", {**MEMBER, "track": "expert", "approval": "pending"}, "nominated by BDT"),
]


@pytest.mark.parametrize(("name", "values", "reason"), BAD, ids=[b[0] for b in BAD])
def test_a_bundle_with_an_invalid_member_is_refused(sites: tuple[Site, Site], tmp_path: Path, name: str,
                                                    values: dict[str, Any], reason: str) -> None:
    hq, field = sites
    create_case(field.store, {"title": "Field case", "country": "KE"})
    forger = Forger(field)
    _insert(forger, "board_members", **values)
    refused(hq, forger.bundle(tmp_path / "bad.dtlab"), reason)
    assert hq.take(field.export()).applied > 0  # the laptop's own bundle still goes through


@pytest.mark.parametrize(("values", "reason"), [
    ({"matter": "coronation"}, "matter: 'coronation'"),
    ({"matter": "renewal", "decision": "maybe", "reference": "x", "decided_on": "2026-01-10"}, "decision: 'maybe'"),
    ({"matter": "renewal", "decision": "approved", "decided_on": "2026-01-10"}, "needs its reference"),
])
def test_a_bundle_with_an_invalid_decision_is_refused(sites: tuple[Site, Site], tmp_path: Path,
                                                      values: dict[str, Any], reason: str) -> None:
    hq, field = sites
    create_case(field.store, {"title": "Field case", "country": "KE"})
    forger = Forger(field)
    _insert(forger, "board_items", forger.first("cases")["row_id"], **values)
    refused(hq, forger.bundle(tmp_path / "bad.dtlab"), reason)


@pytest.mark.parametrize(("row_id", "value", "reason"), [
    (setting_id("board_decision_before_renewal"), "maybe", "'maybe' is not one of on, off"),
    (None, "on", "not under the id every site gives it"),
])
def test_a_bundle_with_an_invalid_setting_is_refused(sites: tuple[Site, Site], tmp_path: Path, row_id: str | None,
                                                     value: str, reason: str) -> None:
    hq, field = sites
    create_case(field.store, {"title": "Field case", "country": "KE"})
    forger = Forger(field)
    _insert(forger, "settings", row_id=row_id, key="board_decision_before_renewal", value=value)
    refused(hq, forger.bundle(tmp_path / "bad.dtlab"), reason)
