"""The Board's ways out and its words, through `dtlab board …`: a matter put to a future meeting
is moved or its meeting re-dated, then decided; a matter must fit the case's stage (and one is
suggested); a member recorded by mistake ends the day the term began; the listings show the
institution and whole ids away from a terminal; `dtlab board` alone says where the Board stands."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from dtlab.cli.tables import Column, print_table
from dtlab.db.board import list_meetings, list_members
from dtlab.domain.stages import MoveKind, Stage
from dtlab.launch import main
from dtlab.services import board
from dtlab.services.cases import create_case, move_case, update_case
from tests.helpers.cases import walk_to

pytestmark = [pytest.mark.unit, pytest.mark.both_databases]

TODAY = date.today()


def cli(capsys: pytest.CaptureFixture[str], store, *args: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(["--db", store.engine.url.render_as_string(hide_password=False), *args])
    out, err = capsys.readouterr()
    return code, out, err


def _case_at(store, stage: Stage, **fields: str) -> str:  # type: ignore[no-untyped-def]
    ref = create_case(store, {"title": f"Hub at {stage.value}", "country": "SN"})
    walk_to(store, ref, stage)
    if fields:
        update_case(store, ref, fields)
    return ref


def test_a_matter_put_to_a_future_meeting_is_moved_or_its_meeting_redated_then_decided(store, capsys) -> None:  # type: ignore[no-untyped-def]
    ref = _case_at(store, Stage.RENEWAL, renewal_outcome="renewed")
    first = board.new_meeting(store, "Board, first session", TODAY + timedelta(days=30))
    second = board.new_meeting(store, "Board, second session", TODAY + timedelta(days=60))
    code, out, err = cli(capsys, store, "board", "put", ref, "--meeting", first[:13])
    assert code == 0, err
    item = out.split(":")[0]
    # The first refusal says the way out.
    code, _, err = cli(capsys, store, "board", "decide", item, "--decision", "approved", "--reference", "DIB-1")
    assert code == 3 and f"dtlab board move {item}" in err and f"dtlab board meeting edit {first[:13]}" in err
    # Put to another meeting, the waiting matter moves there (it is not put twice).
    code, out, err = cli(capsys, store, "board", "put", ref, "--matter", "renewal", "--meeting", second[:13])
    assert code == 0 and "moved to this meeting" in out, err
    code, _, err = cli(capsys, store, "board", "put", ref, "--matter", "renewal", "--meeting", second[:13])
    assert code == 3 and "on that meeting's agenda already" in err
    code, out, err = cli(capsys, store, "board", "move", item, "--meeting", first[:13])
    assert code == 0, err
    # The first session met earlier than planned: its date changed, the decision is recorded at it.
    met = TODAY - timedelta(days=1)
    code, _, err = cli(capsys, store, "board", "meeting", "edit", first[:13], "--on", met.isoformat())
    assert code == 0, err
    code, out, err = cli(capsys, store, "board", "decide", item, "--decision", "approved_with_conditions",
                         "--reference", "DIB-1", "--on", met.isoformat(), "--note", "report yearly")
    assert code == 0, err
    assert "the Board's decision recorded: approved with conditions (DIB-1" in out
    # Decided at it, the meeting met: it is recorded held, and said so.
    assert "'Board, first session' is recorded held" in out
    with store.read() as s:
        status = {m["title"]: (m["status"], m["meets_on"], m["items"]) for m in list_meetings(s)}
    assert status == {"Board, first session": ("held", met, 1),
                      "Board, second session": ("planned", second_day(store), 0)}
    # A decided matter stays where it was decided; a meeting is not moved after a decision at it.
    code, _, err = cli(capsys, store, "board", "move", item, "--no-meeting")
    assert code == 3 and "decided this matter already" in err
    code, _, err = cli(capsys, store, "board", "meeting", "edit", first[:13], "--on", TODAY.isoformat())
    assert code == 3 and "cannot be on" in err
    move_case(store, ref, MoveKind.ADVANCE)


def second_day(store) -> date:  # type: ignore[no-untyped-def]
    with store.read() as s:
        return next(m["meets_on"] for m in list_meetings(s) if m["title"] == "Board, second session")


def test_a_matter_must_fit_the_cases_stage_and_the_stage_suggests_one(store, capsys) -> None:  # type: ignore[no-untyped-def]
    early = _case_at(store, Stage.ASSESSMENT)
    code, _, err = cli(capsys, store, "board", "put", early, "--matter", "renewal")
    assert code == 3 and "this case is in Preliminary assessment" in err
    code, _, err = cli(capsys, store, "board", "put", early)
    assert code == 3 and "no matter of it goes to the Board yet" in err
    agreement = _case_at(store, Stage.AGREEMENT)
    code, _, err = cli(capsys, store, "board", "put", agreement, "--matter", "closure")
    assert code == 3 and "(it can put: accreditation)" in err
    for ref, expected in ((agreement, "accreditation"), (_case_at(store, Stage.OPERATION), "renewal"),
                          (_case_at(store, Stage.RENEWAL, renewal_outcome="upgraded"), "upgrade"),
                          (_case_at(store, Stage.RENEWAL, renewal_outcome="closed"), "closure")):
        code, out, err = cli(capsys, store, "board", "put", ref, "--json")
        assert code == 0 and json.loads(out)["matter"] == expected, err
    withdrawn = _case_at(store, Stage.OPERATION)
    move_case(store, withdrawn, MoveKind.WITHDRAW, reason="no longer pursued")
    code, _, err = cli(capsys, store, "board", "put", withdrawn, "--matter", "closure")
    assert code == 3 and "the case is withdrawn" in err


def test_a_member_recorded_by_mistake_ends_the_day_the_term_began(store, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(capsys, store, "board", "nominate", "--name", "Wrong Person", "--track", "2",
                         "--institution", "Nowhere")
    assert code == 0, err
    member = out.split(":")[0]
    code, out, err = cli(capsys, store, "board", "end-term", member)
    assert code == 0, err
    assert "no day served" in out
    with store.read() as s:
        assert [m["status"] for m in list_members(s, TODAY)] == ["term_ended"]
    code, out, _ = cli(capsys, store, "board", "end-term", "--help")
    assert "recorded by mistake" in " ".join(out.split())


def test_the_listings_show_the_institution_whole_ids_and_the_country_by_name(store, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli(capsys, store, "board", "nominate", "--name", "Ken Mori", "--track", "2",
                       "--institution", "Open Tech Alliance")
    assert code == 0, err
    code, out, err = cli(capsys, store, "board", "nominate", "--name", "Aminata Touré", "--track", "1",
                         "--country", "senegal", "--on", (TODAY - timedelta(days=1)).isoformat())
    assert code == 0, err
    with store.read() as s:
        members = {m["name"]: m for m in list_members(s, TODAY)}
    assert members["Aminata Touré"]["country"] == "SN"
    expert = members["Ken Mori"]["id"]
    code, out, _ = cli(capsys, store, "board", "member", expert[:13])
    assert "Open Tech Alliance" in out
    code, out, _ = cli(capsys, store, "board", "members")
    assert "Open Tech Alliance" in out and expert in out  # a pipe: every value whole
    assert "1 member serving, 1 awaiting the BDT Director's approval\n" in out
    code, out, _ = cli(capsys, store, "board", "members", "--format", "csv")
    assert f"{expert},Ken Mori,2 expert,BDT,Open Tech Alliance," in out
    meeting = board.new_meeting(store, "Session", TODAY + timedelta(days=9))
    code, out, _ = cli(capsys, store, "board", "meetings", "--format", "csv")
    assert meeting in out
    code, out, _ = cli(capsys, store, "board", "meeting", "new", "--title", "Last week's", "--on",
                       (TODAY - timedelta(days=7)).isoformat())
    assert "is past: once it met, record it held" in out


def test_a_summary_is_one_line_away_from_a_terminal(capsys) -> None:  # type: ignore[no-untyped-def]
    print_table([Column("id")], [["x"]], "3 members serving, 2 awaiting the BDT Director's approval")
    assert capsys.readouterr().out.splitlines()[-1] == "3 members serving, 2 awaiting the BDT Director's approval"


def test_board_alone_says_where_the_board_stands(store, capsys) -> None:  # type: ignore[no-untyped-def]
    board.nominate(store, "Ken Mori", "2", institution="Open Tech Alliance")
    board.new_meeting(store, "Board, first session", TODAY + timedelta(days=9))
    code, out, err = cli(capsys, store, "board")
    assert code == 0, err
    assert "1 member serving" in out and "Next meeting:" in out and "Board, first session" in out
    assert "Policy:" in out
