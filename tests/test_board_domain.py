"""The Digital Innovation Board's rules, pure: a member's status from approval and term, the
rules of a member's and an item's record, the renewal gate's Board condition, short ids."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dtlab.domain import gates
from dtlab.domain.board import (
    Approval,
    Decision,
    Item,
    Matter,
    Member,
    MemberStatus,
    Track,
    check_setting,
    item_problems,
    member_problems,
    short_ids,
    status,
)
from dtlab.domain.stages import RenewalOutcome, Stage

pytestmark = pytest.mark.unit

D = date(2026, 3, 1)


def test_a_track_1_member_is_nominated_until_the_director_approves_then_serves_their_term() -> None:
    nominated = Member(Track.OFFICIAL, D, country="SN")
    assert status(nominated, D + timedelta(days=30)) is MemberStatus.NOMINATED
    approved = Member(Track.OFFICIAL, D, Approval.APPROVED, D + timedelta(days=5), country="SN",
                      term_start=D + timedelta(days=10), term_end=date(2028, 3, 1))
    assert status(approved, D + timedelta(days=6)) is MemberStatus.APPROVED
    assert status(approved, D + timedelta(days=10)) is MemberStatus.SERVING
    assert status(approved, date(2028, 3, 1)) is MemberStatus.TERM_ENDED
    declined = Member(Track.OFFICIAL, D, Approval.DECLINED, D, institution="Univ. of Dakar")
    assert status(declined, D) is MemberStatus.DECLINED
    assert member_problems(nominated) == member_problems(approved) == member_problems(declined) == []


def test_a_track_2_member_is_decided_by_the_bdt_nomination_itself() -> None:
    expert = Member(Track.EXPERT, D, Approval.APPROVED, D, institution="Partner", term_start=D)
    assert member_problems(expert) == [] and status(expert, D) is MemberStatus.SERVING
    (problem,) = member_problems(Member(Track.EXPERT, D))
    assert problem.startswith("approval:") and "nominated by BDT" in problem


@pytest.mark.parametrize(("member", "field"), [
    (Member(Track.OFFICIAL, D), "country"),  # nominated by nobody
    (Member(Track.OFFICIAL, D, country="SN", term_start=D), "term_start"),  # serving before approval
    (Member(Track.OFFICIAL, D, Approval.APPROVED, None, country="SN"), "approval_on"),
    (Member(Track.OFFICIAL, D, Approval.APPROVED, D - timedelta(days=1), country="SN"), "approval_on"),
    (Member(Track.OFFICIAL, D, Approval.PENDING, D, country="SN"), "approval_on"),
    (Member(Track.OFFICIAL, D, Approval.APPROVED, D, country="SN", term_start=D - timedelta(days=1)), "term_start"),
    (Member(Track.OFFICIAL, D, Approval.APPROVED, D, country="SN", term_start=D, term_end=D - timedelta(days=1)),
     "term_end"),
    (Member(Track.OFFICIAL, D, Approval.DECLINED, D, country="SN", term_start=D), "term_start"),
])
def test_a_members_record_that_breaks_a_rule_says_which_field(member: Member, field: str) -> None:
    assert [p.partition(":")[0] for p in member_problems(member)] == [field]


dates = st.dates(date(2000, 1, 1), date(2100, 1, 1))


@given(track=st.sampled_from(Track), approval=st.sampled_from(Approval), nominated=dates,
       decided=st.none() | dates, start=st.none() | dates, end=st.none() | dates, today=dates)
def test_no_valid_member_serves_without_an_approval_or_outside_their_term(
        track: Track, approval: Approval, nominated: date, decided: date | None, start: date | None,
        end: date | None, today: date) -> None:
    m = Member(track, nominated, approval, decided, country="SN", term_start=start, term_end=end)
    if member_problems(m):
        return
    if status(m, today) is MemberStatus.SERVING:
        assert m.approval is Approval.APPROVED and m.approval_on is not None and m.approval_on >= m.nominated_on
        assert (m.term_start or m.approval_on) <= today and (m.term_end is None or today < m.term_end)
    if m.approval is not Approval.APPROVED:
        assert status(m, today) in (MemberStatus.NOMINATED, MemberStatus.DECLINED)
        assert track is Track.OFFICIAL  # a track-2 member is never awaiting anyone


def test_a_decision_has_its_reference_and_a_date_not_before_its_meeting() -> None:
    assert item_problems(None, None, None) == []
    assert item_problems(Decision.APPROVED, "DIB-1", D, meeting_on=D) == []
    assert [p.partition(":")[0] for p in item_problems(Decision.DEFERRED, "", None)] == ["reference", "decided_on"]
    assert "before the meeting" in item_problems(Decision.APPROVED, "DIB-1", D, meeting_on=D + timedelta(days=1))[0]
    assert item_problems(None, None, D)[0].startswith("decided_on:")


def _renewal(outcome: RenewalOutcome | None, *items: Item, required: bool = True) -> list[gates.Condition]:
    return gates.unmet(gates.CaseFacts(stage=Stage.RENEWAL, renewal_outcome=outcome, board_required=required,
                                       board_items=items))


def test_with_the_policy_the_renewal_gate_asks_for_the_boards_approval_of_the_matter_its_outcome_names() -> None:
    assert _renewal(RenewalOutcome.RENEWED, required=False) == []
    (c,) = _renewal(RenewalOutcome.RENEWED)
    assert c.code == "board_decision" and "put the case to the Board" in c.text
    assert "no decision recorded yet" in _renewal(RenewalOutcome.RENEWED, Item(Matter.RENEWAL, None))[0].text
    approved = Item(Matter.RENEWAL, Decision.APPROVED, "DIB-2026/3", D)
    assert _renewal(RenewalOutcome.RENEWED, approved) == []
    # An approval of the renewal is not one of the upgrade; the latest word counts.
    assert _renewal(RenewalOutcome.UPGRADED, approved)[0].code == "board_decision"
    later = Item(Matter.RENEWAL, Decision.DEFERRED, "DIB-2026/4", D + timedelta(days=1))
    assert "deferred" in _renewal(RenewalOutcome.RENEWED, approved, later)[0].text
    assert _renewal(RenewalOutcome.UPGRADED, Item(Matter.UPGRADE, Decision.APPROVED_WITH_CONDITIONS, "x", D)) == []
    assert _renewal(RenewalOutcome.RENEWED, Item(Matter.RENEWAL, Decision.NOT_APPROVED, "x", D))[0].code \
        == "board_decision"
    # A closure is not held back; no outcome yet: the outcome's own condition says what is missing.
    assert _renewal(RenewalOutcome.CLOSED) == []
    assert [c.code for c in _renewal(None)] == ["renewal_outcome"]


def test_a_setting_takes_only_the_values_its_key_allows() -> None:
    check_setting("board_decision_before_renewal", "on")
    for key, value in (("board_decision_before_renewal", "yes"), ("colour", "on")):
        with pytest.raises(ValueError):
            check_setting(key, value)


@given(st.lists(st.uuids(), min_size=1, max_size=40, unique=True), st.integers(4, 12))
def test_each_short_id_starts_its_id_and_no_other(ids: list[uuid.UUID], least: int) -> None:
    texts = [str(u) for u in ids]
    short = short_ids(texts, least)
    for text in texts:
        prefix = short[text]
        assert text.startswith(prefix) and len(prefix.replace("-", "")) >= min(least - 1, 32)
        assert not prefix.endswith("-")
        assert [t for t in texts if t.startswith(prefix)] == [text]
