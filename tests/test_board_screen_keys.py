"""The Board screen's keys as a newcomer meets them at 80×24: the visible tab's table has the keys
(on opening, after a dialog, after 1 2 3; tab goes to the detail and back, never through hidden
widgets), the cursor stays on the record acted on, a key that does not apply says why, a refused
form keeps what was typed, each tab's footer shows its own keys; a matter awaiting the Board is
moved (v) and its meeting re-dated (e); on the case screen, the renewal's gate is checked before its
question, and t offers only the matters the stage allows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from textual.widgets import Input

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.board import list_items, list_meetings, list_members
from dtlab.db.store import Store
from dtlab.domain.stages import Stage
from dtlab.screens import board_forms as board_screen
from dtlab.screens import case_view
from dtlab.screens.board import BoardScreen
from dtlab.services import board
from dtlab.services.cases import create_case, update_case
from dtlab.widgets.dialogs import ConfirmDialog, ValuesDialog
from tests.helpers.cases import walk_to
from tests.helpers.pilot import board_shown, dialog_shown, notices, open_case, paste, settle, text_of

pytestmark = pytest.mark.functional

TODAY = date.today()


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(board_screen, "current_day", lambda: TODAY)
    monkeypatch.setattr(case_view, "current_day", lambda: TODAY)


def table_focused(app: Any, tab: str) -> bool:
    return isinstance(app.screen, BoardScreen) and app.focused is app.screen.query_one(f"#{tab}-table")


def live_keys(app: Any) -> set[str]:
    """The screen's keys that act now (what the footer is drawn from, `KeysFooter.keys_on_show`):
    the tab's own and the Board-wide ones, not another tab's."""
    return {binding.action for _key, (_node, binding, enabled, _tip) in app.screen.active_bindings.items() if enabled}


async def test_the_visible_table_keeps_the_keys_and_the_cursor_stays_on_the_record(store: Store,
                                                                                   fresh_target: str) -> None:
    board.nominate(store, "Ken Mori", "2", institution="Open Tech Alliance")
    board.nominate(store, "Aminata Touré", "1", country="SN")
    board.new_meeting(store, "Board, first session", TODAY + timedelta(days=20))
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await board_shown(pilot)
        await settle(pilot, lambda: table_focused(app, "members"), "the members' table focused on opening")
        # Each tab's keys act on its own table; another tab's are left out (and out of the footer).
        await settle(pilot, lambda: {"nominate", "approve", "end_term", "policy"} <= live_keys(app))
        assert not {"edit_meeting", "held", "move_item"} & live_keys(app)
        # The track-2 member serves, listed first; its institution is shown.
        await settle(pilot, lambda: "Institution: Open Tech Alliance" in text_of(screen, "#member-detail"))
        told = notices(app)
        await pilot.press("a")  # no approval for a track-2 member: said, not nothing
        await settle(pilot, lambda: any("track 2" in t for t in told))
        # A dialog closed: ↓ still moves the row.
        await pilot.press("n")
        await dialog_shown(pilot)
        await pilot.press("escape")
        await settle(pilot, lambda: table_focused(app, "members"), "the table focused after the dialog")
        await pilot.press("down")
        await settle(pilot, lambda: "Aminata Touré" in text_of(screen, "#member-detail"))
        # Approved, she moves up among those serving; the cursor goes with her.
        await pilot.press("a")
        await dialog_shown(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: _status(store, "Aminata Touré") == "serving")
        await settle(pilot, lambda: "by BDT Director" in text_of(screen, "#member-detail"))
        assert "Aminata Touré" in text_of(screen, "#member-detail")
        await settle(pilot, lambda: table_focused(app, "members"))
        # Tab: the detail, then back to the table; never the tab bar or a hidden tab's widgets.
        await pilot.press("tab")
        assert app.focused is not None and app.focused.has_class("board-detail")
        await pilot.press("tab")
        assert table_focused(app, "members")
        await pilot.press("2")
        await settle(pilot, lambda: table_focused(app, "meetings"), "the meetings' table focused after 2")
        await settle(pilot, lambda: {"new_meeting", "edit_meeting", "held", "decide"} <= live_keys(app))
        assert not {"approve", "decline", "end_term"} & live_keys(app)
        await pilot.press("3")
        await settle(pilot, lambda: table_focused(app, "items"), "the matters' table focused after 3")


def _status(store: Store, name: str) -> str:
    with store.read() as s:
        return next(m["status"] for m in list_members(s, TODAY) if m["name"] == name)


async def test_a_refused_held_keeps_the_form_and_a_waiting_matter_is_moved_and_its_meeting_redated(
        store: Store, fresh_target: str) -> None:
    ref = create_case(store, {"title": "Dakar hub", "country": "SN"})
    walk_to(store, ref, Stage.OPERATION)
    first = board.new_meeting(store, "Board, first session", TODAY + timedelta(days=20))
    later = board.new_meeting(store, "Board, second session", TODAY + timedelta(days=40))
    item = board.put_to_board(store, ref, "renewal", first)
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await board_shown(pilot)
        await pilot.press("2")
        await settle(pilot, lambda: table_focused(app, "meetings"))
        # h on a future meeting: refused in the form, with what was typed.
        await pilot.press("h")
        await dialog_shown(pilot)
        await paste(pilot, "MIN-2026-01")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ValuesDialog)
                     and "cannot have been held yet" in str(app.screen.query_one(".dialog-error").render()))
        assert app.screen.values() == {"minutes": "MIN-2026-01"}
        await pilot.press("escape")  # what was typed is unsaved: leaving asks
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await settle(pilot, lambda: app.screen is screen)
        # v on the Matters tab moves the waiting matter to the second session.
        await pilot.press("3")
        await settle(pilot, lambda: table_focused(app, "items"))
        await pilot.press("v")
        dialog = await dialog_shown(pilot)
        assert dialog.values() == {"meeting": first}
        await pilot.press("enter", "down", "enter")  # the list opens on the meeting it is on: the next one
        await settle(pilot, lambda: isinstance(app.screen, ValuesDialog) and app.screen.values()["meeting"] == later)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: _meeting_of(store, item) == later)
        # e on the Meetings tab moves the second session to today: the matter can then be decided.
        await pilot.press("2")
        await settle(pilot, lambda: table_focused(app, "meetings"))
        await pilot.press("down")
        await settle(pilot, lambda: "second session" in text_of(screen, "#meeting-detail"))
        await pilot.press("e")
        dialog = await dialog_shown(pilot)
        assert dialog.values()["meets_on"] == (TODAY + timedelta(days=40)).isoformat()
        await pilot.press("enter")  # from the title to the date
        date_field = dialog.query_one("#v-meets_on", Input)
        await settle(pilot, lambda: app.focused is date_field)
        date_field.value = TODAY.isoformat()  # typed over
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: _meets_on(store, later) == TODAY)


def _meeting_of(store: Store, item: str) -> str | None:
    with store.read() as s:
        return next(i["meeting_id"] for i in list_items(s) if i["id"] == item)


def _meets_on(store: Store, meeting: str) -> date:
    with store.read() as s:
        return next(m["meets_on"] for m in list_meetings(s) if m["id"] == meeting)


async def test_the_renewals_gate_is_checked_before_its_question(store: Store, fresh_target: str) -> None:
    ref = create_case(store, {"title": "Dakar hub", "country": "SN"})
    walk_to(store, ref, Stage.RENEWAL)
    update_case(store, ref, {"renewal_outcome": "renewed"})
    board.set_board_policy(store, True)
    early = create_case(store, {"title": "Early", "country": "KE"})
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        case = await open_case(pilot, ref)
        told = notices(app)
        await pilot.press("a")
        await settle(pilot, lambda: any("Cannot leave" in t and "Digital Innovation Board" in t for t in told))
        assert not isinstance(app.screen, ConfirmDialog)
        # t offers the matters a case in renewal can put, the outcome's first.
        await pilot.press("t")
        dialog = await dialog_shown(pilot)
        assert dialog.values()["matter"] == "renewal"
        offered = next(spec for name, _label, spec in dialog.fields if name == "matter")
        assert [value for value, _label in offered] == ["renewal", "upgrade", "closure"]
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is case)
        await open_case(pilot, early)
        await pilot.press("t")
        await settle(pilot, lambda: any("no matter of the case goes to the Board yet" in t for t in told))
        assert not isinstance(app.screen, ValuesDialog)

