"""The Digital Innovation Board through its use cases and `dtlab board …`: a member of each
track from nomination to serving, a meeting with its agenda and items, a renewal put to it and
decided, and the policy that holds the renewal at its stage until the decision."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from dtlab.db.board import gate_items, list_members
from dtlab.db.cases import case_detail, get_case
from dtlab.domain.stages import MoveKind, Stage
from dtlab.errors import Invalid, NotFound, Refused
from dtlab.launch import main
from dtlab.services import board
from dtlab.services.cases import GateRefused, create_case, move_case, update_case
from tests.helpers.cases import walk_to

pytestmark = [pytest.mark.unit, pytest.mark.both_databases]

TODAY = date.today()


def cli(capsys: pytest.CaptureFixture[str], store, *args: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(["--db", store.engine.url.render_as_string(hide_password=False), *args])
    out, err = capsys.readouterr()
    return code, out, err


def statuses(store) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with store.read() as s:
        return {m["name"]: m["status"] for m in list_members(s, TODAY)}


def test_a_member_of_each_track_goes_from_nomination_to_serving(store, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(capsys, store, "board", "nominate", "--name", "Aminata Touré", "--track", "1",
                         "--country", "sn", "--title", "Minister of Digital Economy", "--on", "2026-01-10")
    assert code == 0, err
    assert "awaiting the BDT Director's approval" in out
    official = out.split(":")[0]
    code, out, _ = cli(capsys, store, "board", "nominate", "--name", "Ken Mori", "--track", "expert",
                       "--institution", "Open Tech Alliance")
    assert code == 0 and "nominated by BDT" in out
    assert statuses(store) == {"Aminata Touré": "nominated", "Ken Mori": "serving"}
    # Track 2 has no approval step: the Director cannot approve it; track 1 waits for the Director.
    expert = out.split(":")[0]
    code, _, err = cli(capsys, store, "board", "approve", expert)
    assert code == 3 and "nominated by BDT, which is the decision" in err
    # Named by the start of its id, as the listing shows it (the start both share is refused as such).
    shown = {m["name"]: m["short_id"] for m in json.loads(cli(capsys, store, "board", "members", "--json")[1])}
    common = official[:8]
    if shown["Ken Mori"].startswith(common):
        code, _, err = cli(capsys, store, "board", "approve", common)
        assert code == 3 and "the start of several ids" in err
    code, out, err = cli(capsys, store, "board", "approve", shown["Aminata Touré"], "--on", "2026-02-01")
    assert code == 0, err
    assert "approved by the BDT Director on 2026-02-01" in out
    assert statuses(store) == {"Aminata Touré": "serving", "Ken Mori": "serving"}
    code, _, err = cli(capsys, store, "board", "decline", official)
    assert code == 3 and "approved on 2026-02-01 already" in err
    listed = json.loads(cli(capsys, store, "board", "members", "--json")[1])
    by_name = {m["name"]: m for m in listed}
    assert by_name["Aminata Touré"]["country"] == "SN" and by_name["Aminata Touré"]["approved_by"] == "BDT Director"
    assert by_name["Ken Mori"]["approved_by"] == "BDT" and by_name["Ken Mori"]["nominated_by"] == "BDT"
    assert all(m["id"].startswith(m["short_id"]) for m in listed)
    code, out, _ = cli(capsys, store, "board", "members")
    assert by_name["Ken Mori"]["short_id"] in out and "2 members serving" in out
    # Its own history says who nominated and who approved.
    code, out, _ = cli(capsys, store, "board", "member", official)
    assert "Recorded the Board member" in out and "Approval: pending → approved" in out
    board.end_term(store, official, TODAY)
    assert statuses(store)["Aminata Touré"] == "term_ended"


def test_a_nomination_that_breaks_a_rule_is_refused_with_the_reason(store) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid, match="nominated by a country or an institution"):
        board.nominate(store, "Nobody's nominee", "1")
    with pytest.raises(Invalid, match="country: 'ZZ'"):
        board.nominate(store, "X", "1", country="ZZ")
    with pytest.raises(Invalid, match="in the future"):
        board.nominate(store, "X", "1", country="KE", nominated_on=TODAY + timedelta(days=3))
    member = board.nominate(store, "Y", "1", country="KE", nominated_on="2026-01-10")
    with pytest.raises(Invalid, match="decision .* comes before the nomination"):
        board.approve(store, member, "2026-01-01")
    with pytest.raises(Invalid, match="term start: the term .* cannot begin before the approval"):
        board.approve(store, member, "2026-01-20", term_start="2026-01-15")
    with pytest.raises(NotFound):
        board.approve(store, "ffffffff")
    board.decline(store, member, "2026-01-20")
    assert statuses(store)["Y"] == "declined"
    with pytest.raises(Refused, match="only an approved member"):
        board.end_term(store, member)


def _renewal_case(store) -> str:  # type: ignore[no-untyped-def]
    ref = create_case(store, {"title": "Dakar hub", "country": "SN"})
    walk_to(store, ref, Stage.RENEWAL)
    update_case(store, ref, {"renewal_outcome": "renewed"})
    return ref


def test_with_the_policy_on_a_renewal_waits_for_the_boards_decision(store, capsys) -> None:  # type: ignore[no-untyped-def]
    ref = _renewal_case(store)
    assert cli(capsys, store, "board", "policy", "--require-decision", "on")[1].endswith(": on\n")
    with pytest.raises(GateRefused) as refused:
        move_case(store, ref, MoveKind.ADVANCE)
    assert [c.code for c in refused.value.unmet] == ["board_decision"]
    code, out, err = cli(capsys, store, "board", "meeting", "new", "--title", "Board, first session", "--on",
                         TODAY.isoformat(), "--place", "Geneva", "--agenda", "1. Renewals\n2. AOB")
    assert code == 0, err
    meeting = out.split(":")[0]
    code, out, err = cli(capsys, store, "board", "put", ref, "--matter", "renewal", "--meeting", meeting)
    assert code == 0, err
    item = out.split(":")[0]
    code, _, err = cli(capsys, store, "board", "put", ref, "--matter", "renewal")
    assert code == 3 and "before the Board already" in err
    with pytest.raises(GateRefused, match="no decision recorded yet"):
        move_case(store, ref, MoveKind.ADVANCE)
    code, out, _ = cli(capsys, store, "board", "meeting", "show", meeting)
    assert "1. Renewals" in out and f"{ref} renewal: awaiting the Board" in out
    code, _, err = cli(capsys, store, "board", "decide", item, "--decision", "approved", "--reference", " ")
    assert code == 3 and "needs its reference" in err
    code, out, err = cli(capsys, store, "board", "decide", item, "--decision", "approved", "--reference",
                         "DIB-2026/01")
    assert code == 0, err
    code, out, _ = cli(capsys, store, "case", "show", ref)
    assert "Digital Innovation Board" in out and "renewal: approved · DIB-2026/01" in out
    assert "✓ the Digital Innovation Board has approved the renewal" in out
    move_case(store, ref, MoveKind.ADVANCE)
    with store.read() as s:
        case = get_case(s, ref)
        assert case.stage == Stage.OPERATION.value
        # The next round of renewal asks again: this round's decision was of the period that ended.
        assert len(gate_items(s, case)) == 0 and len(case_detail(s, ref)["board"]) == 1
    code, out, _ = cli(capsys, store, "case", "history", ref)
    assert "Recorded the matter put to the Board" in out and "Board decision: — → approved" in out
    assert "Meeting: Board, first session" in out


def test_an_override_with_a_reason_passes_the_boards_condition_and_the_policy_can_be_turned_off(store) -> None:  # type: ignore[no-untyped-def]
    ref = _renewal_case(store)
    board.set_board_policy(store, True)
    result = move_case(store, ref, MoveKind.ADVANCE, reason="the Board meets next month; the Director agreed",
                       override=True)
    assert any("Digital Innovation Board" in text for text in result.overridden)
    other = _renewal_case(store)
    assert board.set_board_policy(store, False) and not board.set_board_policy(store, False)
    move_case(store, other, MoveKind.ADVANCE)


def test_a_decision_before_its_meeting_or_on_a_held_meeting_is_refused(store) -> None:  # type: ignore[no-untyped-def]
    ref = create_case(store, {"title": "Hub", "country": "KE"})
    walk_to(store, ref, Stage.OPERATION)  # where an accreditation, a renewal and a closure fit
    meeting = board.new_meeting(store, "Next session", TODAY + timedelta(days=20))
    item = board.put_to_board(store, ref, "accreditation", meeting)
    with pytest.raises(Invalid, match="comes before the meeting"):
        board.record_decision(store, item, "approved", "DIB-9")
    with pytest.raises(Refused, match="cannot have been held yet"):
        board.meeting_held(store, meeting)
    with pytest.raises(Invalid, match="conditions"):
        board.record_decision(store, board.put_to_board(store, ref, "closure"), "approved_with_conditions", "D-1")
    past = board.new_meeting(store, "Last session", TODAY - timedelta(days=3))
    board.meeting_held(store, past, "MIN-7")
    with pytest.raises(Refused, match="was held already"):
        board.put_to_board(store, ref, "renewal", past)


def test_a_decided_item_is_refused_again_naming_its_decision_in_words(store) -> None:  # type: ignore[no-untyped-def]
    ref = create_case(store, {"title": "Hub", "country": "KE"})
    walk_to(store, ref, Stage.OPERATION)
    item = board.put_to_board(store, ref, "renewal")
    board.record_decision(store, item, "approved_with_conditions", "DIB-4", note="report yearly")
    with pytest.raises(Refused, match=r"recorded already \(approved with conditions, DIB-4\)"):
        board.record_decision(store, item, "approved", "DIB-5")
    with pytest.raises(Refused, match=r"decided this matter already \(approved with conditions, DIB-4\)"):
        board.move_item(store, item)
