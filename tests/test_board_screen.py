"""The Board screen (F7) and the case's Board key, driven by keyboard: a member of each track
nominated and the track-1 nomination approved; a meeting planned, a renewal put to it from its
case, held at its gate by the policy until the decision recorded on the Board screen."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.board import list_members
from dtlab.db.cases import get_case
from dtlab.db.models import BoardItem, BoardMeeting
from dtlab.db.store import Store
from dtlab.domain.stages import Stage
from dtlab.screens import board_forms as board_screen
from dtlab.screens import case_view
from dtlab.screens.case_view import CaseScreen
from dtlab.services import board
from dtlab.services.cases import create_case, update_case
from dtlab.widgets.dialogs import ConfirmDialog
from tests.helpers.cases import walk_to
from tests.helpers.pilot import board_shown, dialog_shown, notices, open_case, paste, settle, text_of

pytestmark = pytest.mark.functional

TODAY = date.today()


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(board_screen, "current_day", lambda: TODAY)
    monkeypatch.setattr(case_view, "current_day", lambda: TODAY)


async def choose(pilot, downs: int) -> None:  # type: ignore[no-untyped-def]
    """Open the focused select, go down `downs` options past its prompt, take it, go on."""
    await pilot.press("enter", *["down"] * downs, "enter", "tab")


def statuses(store: Store) -> dict[str, str]:
    with store.read() as s:
        return {m["name"]: m["status"] for m in list_members(s, TODAY)}


async def test_nominating_each_track_and_approving_the_track_1_nomination(store: Store, fresh_target: str) -> None:
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await board_shown(pilot)
        assert "No members yet" in text_of(screen, "#member-detail")
        for name, downs, country, institution in (("Aminata Touré", 1, "SN", ""),
                                                  ("Ken Mori", 2, "", "Open Tech Alliance")):
            await pilot.press("n")
            await dialog_shown(pilot)
            await paste(pilot, name)
            await pilot.press("enter")
            await choose(pilot, downs)
            await pilot.press("enter")  # no title
            if country:
                await paste(pilot, country)
            await pilot.press("enter")
            if institution:
                await paste(pilot, institution)
            await pilot.press("ctrl+s")
            await settle(pilot, lambda name=name: app.screen is screen and name in statuses(store))
        assert statuses(store) == {"Aminata Touré": "nominated", "Ken Mori": "serving"}
        await settle(pilot, lambda: screen.query_one("#members-table").row_count == 2)
        # Serving first: the expert nominated by BDT; then the nomination awaiting the Director.
        await pilot.press("1", "down")
        await settle(pilot, lambda: "Aminata Touré" in text_of(screen, "#member-detail"))
        assert "awaiting the BDT Director's approval" in text_of(screen, "#member-detail")
        await pilot.press("a")
        dialog = await dialog_shown(pilot)
        assert "Approve: Aminata Touré" in str(dialog.query_one(".dialog-title").render())
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: statuses(store)["Aminata Touré"] == "serving")
        await settle(pilot, lambda: "2 serving" in text_of(screen, "#board-summary"))
        await pilot.press("up")  # both serving now: by name
        await settle(pilot, lambda: "by BDT Director" in text_of(screen, "#member-detail"))
        assert "Approval: pending → approved" in text_of(screen, "#member-detail")
        # A track-2 member has no approval to give: a says so rather than nothing.
        told = notices(app)
        await pilot.press("down")
        await settle(pilot, lambda: "Ken Mori" in text_of(screen, "#member-detail"))
        await pilot.press("x")
        await pilot.pause()
        assert statuses(store)["Ken Mori"] == "serving" and not any("declined" in t for t in told)


async def test_a_renewal_is_put_to_a_meeting_and_held_at_its_gate_until_the_decision(
        store: Store, fresh_target: str) -> None:
    ref = create_case(store, {"title": "Dakar hub", "country": "SN"})
    walk_to(store, ref, Stage.RENEWAL)
    update_case(store, ref, {"renewal_outcome": "renewed"})
    board.set_board_policy(store, True)
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await board_shown(pilot)
        assert "Policy (p) on" in text_of(screen, "#board-summary")
        await pilot.press("m")
        await dialog_shown(pilot)
        await paste(pilot, "Board, first session")
        await pilot.press("enter")
        await paste(pilot, TODAY.isoformat())
        await pilot.press("enter")
        await paste(pilot, "Geneva")
        await pilot.press("enter")
        await paste(pilot, "Renewal of the Dakar hub")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: screen.data is not None and len(screen.data.meetings) == 1)
        # From the case: t puts it to the Board, the renewal and the planned meeting offered.
        case = await open_case(pilot, ref)
        await settle(pilot, lambda: "not put to the Board" in text_of(case, "#extra-renewal"))
        await pilot.press("t")
        dialog = await dialog_shown(pilot)
        assert dialog.values() == {"matter": "renewal", "meeting": screen.data.meetings[0]["id"]}
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "awaiting the Board" in text_of(case, "#extra-renewal"))
        told = notices(app)
        await pilot.press("a")  # the gate first: no question asked of a move it refuses
        await settle(pilot, lambda: any("Cannot leave" in t for t in told))
        assert any("Digital Innovation Board" in t for t in told)
        with store.read() as s:
            assert get_case(s, ref).stage == Stage.RENEWAL.value
        # On the Board screen, the meeting's agenda and its item; d records the decision.
        screen = await board_shown(pilot)
        await pilot.press("2")
        await settle(pilot, lambda: "Dakar hub" in text_of(screen, "#meeting-detail"))
        assert "Renewal of the Dakar hub" in text_of(screen, "#meeting-detail")
        await pilot.press("d")
        await dialog_shown(pilot)
        await choose(pilot, 1)  # approved (the matter is chosen: the one on the meeting)
        await paste(pilot, "DIB-2026/01")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "approved · DIB-2026/01" in text_of(screen, "#meeting-detail"))
        with store.read() as s:
            item = s.scalars(select(BoardItem)).one()
            meeting = s.scalars(select(BoardMeeting)).one()
        assert (item.decision, item.reference, item.decided_on, item.meeting_id) == (
            "approved", "DIB-2026/01", TODAY, meeting.id)
        case = await open_case(pilot, ref)
        await settle(pilot, lambda: "approved · DIB-2026/01" in text_of(case, "#extra-renewal"))
        await advance(pilot)
        await settle(pilot, lambda: _stage(store, ref) == Stage.OPERATION.value)
        await settle(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.shown_stage is Stage.OPERATION)


async def advance(pilot) -> None:  # type: ignore[no-untyped-def]
    """a, and yes to the renewal's question (it starts a new period)."""
    await pilot.press("a")
    await settle(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
    await pilot.press("y")


def _stage(store: Store, ref: str) -> str:
    with store.read() as s:
        return get_case(s, ref).stage
