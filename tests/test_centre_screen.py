"""The centre view and the milestone view, driven by keyboard: an actual recorded against a KPI
and a milestone completed change what the dashboard counts; a launch date moved re-plans the
milestones only once the user accepts the preview."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest
from rich.text import Text
from textual.widgets import DataTable, Input, OptionList, Static

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.cases import get_case
from dtlab.db.plans import case_plan
from dtlab.db.store import Store
from dtlab.screens import case_view, centre, dashboard, milestones
from dtlab.screens.case_view import CaseScreen
from dtlab.screens.centre import CentreScreen
from dtlab.screens.dashboard import DashboardScreen
from dtlab.screens.milestones import MilestonesScreen
from dtlab.screens.replan_dialog import ReplanDialog
from dtlab.widgets.dialogs import ConfirmDialog, ReasonDialog, ValuesDialog
from tests.helpers.cases import planned_centre
from tests.helpers.pilot import dialog_shown, paste, result_form, settle

pytestmark = [pytest.mark.functional, pytest.mark.both_databases]  # the screens on either database

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (centre, milestones, case_view):
        monkeypatch.setattr(module, "current_day", lambda: TODAY)
    monkeypatch.setattr(dashboard, "current_time", lambda: datetime(2026, 6, 1, 12, tzinfo=timezone.utc))


def plan_now(store: Store, ref: str) -> dict[str, Any]:
    with store.read() as s:
        return case_plan(s, get_case(s, ref), TODAY)


def attention_title(app: Any) -> str:
    return Text.from_markup(str(app.screen.query_one("#panel-attention").border_title)).plain


async def test_recording_an_actual_and_completing_a_milestone_change_the_dashboard(
        store: Store, fresh_target: str) -> None:
    ref = planned_centre(store, launch="2024-01-15", accredited="2024-03-01")
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen) and "Monitoring:" in attention_title(app))
        # All three milestones are overdue; both KPIs went unreported for the year that ended.
        assert "3 overdue milestones · 2 KPIs off track" in attention_title(app)
        items = app.screen.query_one("#attention", OptionList)
        assert "overdue since 2025-03-01: Annual results report to BDT" in str(items.get_option_at_index(0).prompt)
        # Enter on an item opens the centre at the tab that needs attention, on that milestone.
        overdue = app.screen.attention_items[0]["id"]
        items.focus()
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, CentreScreen) and app.screen.data is not None)
        assert app.screen.active_tab() == "milestones"
        table = app.screen.query_one("#milestone-table", DataTable)
        await settle(pilot, lambda: table.row_count == 3)
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == overdue
        assert table.cursor_row != 0  # not simply the first row: the report is the last due

        await pilot.press("3")
        await settle(pilot, lambda: app.focused is app.screen.query_one("#kpi-table"))
        await pilot.press("enter")
        await dialog_shown(pilot)
        # The year offered is the one that ended without an actual: year 2 (to 2026-02-28).
        await pilot.click("#v-actual")
        await pilot.press(*"38", "tab")
        await paste(pilot, "Platform register")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, CentreScreen)
                     and app.screen.data is not None and app.screen.data.plan["kpis"][0]["status"] == "green")
        kpi = plan_now(store, ref)["kpis"][0]
        assert kpi["years"][1]["actual"] == 38 and kpi["years"][1]["evidence"][0]["body"] == "Platform register"
        assert "● green" in str(app.screen.query_one("#kpi-chart", Static).render())

        await pilot.press("4")
        await settle(pilot, lambda: app.focused is app.screen.query_one("#milestone-table"))
        # The third is dated from the accreditation: "12 months after the start of accreditation".
        await pilot.press("home", "down", "down", "d")
        await settle(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press(*"Minutes", "enter")
        await settle(pilot, lambda: isinstance(app.screen, CentreScreen) and app.screen.data is not None
                     and app.screen.data.plan["milestones"][2]["status"] == "done")
        done = plan_now(store, ref)["milestones"][2]
        assert done["rule"] == "12 months after the start of accreditation"
        assert done["done_on"] == TODAY and done["evidence"][0]["body"] == "Minutes"

        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen)
                     and "2 overdue milestones · 1 KPI off track" in attention_title(app))


async def test_moving_the_launch_asks_before_replanning(store: Store, fresh_target: str) -> None:
    ref = planned_centre(store, launch="2025-01-15", accredited="2025-09-01")  # after the launches tried
    before = [m["due_on"] for m in plan_now(store, ref)["milestones"]]
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(CaseScreen(ref))
        await settle(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.shown_stage is not None)
        launch = app.screen.query_one("#form-implementation #f-launch_on", Input)
        launch.value = "2025-03-15"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ReplanDialog))
        shown = str(app.screen.query_one(".dialog-text", Static).render())
        assert "2025-04-15 → 2025-06-15" in shown and "2025-10-15 → 2025-12-15" in shown
        # Back to the form: nothing written.
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, CaseScreen))
        assert [m["due_on"] for m in plan_now(store, ref)["milestones"]] == before
        with store.read() as s:
            assert get_case(s, ref).launch_on == date(2025, 1, 15)
        # Accepted: the date is saved and the launch milestones follow it; the other anchor's stays.
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ReplanDialog))
        await pilot.press("y")
        await settle(pilot, lambda: plan_now(store, ref)["milestones"][0]["due_on"] == date(2025, 6, 15))
        dues = {m["rule"]: m["due_on"] for m in plan_now(store, ref)["milestones"]}
        assert dues["9 months after launch"] == date(2025, 12, 15)
        assert dues["12 months after the start of accreditation"] == date(2026, 9, 1)
        # Kept: the date is saved, the milestones keep theirs, and the plan says they no longer follow.
        launch.value = "2025-04-15"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ReplanDialog))
        await pilot.press("k")
        await settle(pilot, lambda: plan_now(store, ref)["replan"] != [])
        with store.read() as s:
            assert get_case(s, ref).launch_on == date(2025, 4, 15)
        assert plan_now(store, ref)["milestones"][0]["due_on"] == date(2025, 6, 15)
        await settle(pilot, lambda: "no longer follow their anchor" in str(
            app.screen.query_one("#extra-implementation", Static).render()))


async def test_the_milestone_view_filters_and_opens_the_centre(store: Store, fresh_target: str) -> None:
    ref = planned_centre(store, launch="2025-12-15", accredited="2026-01-10")
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("f4")
        await settle(pilot, lambda: isinstance(app.screen, MilestonesScreen) and app.screen.loaded is not None)
        table = app.screen.query_one("#milestones-table", DataTable)
        assert table.row_count == 1  # overdue: three months after launch, 2026-03-15
        summary = str(app.screen.query_one("#milestones-summary", Static).render())
        assert "Overdue: 1 milestone " in summary and "3 open in all" in summary
        await pilot.press("a")
        await settle(pilot, lambda: table.row_count == 3)
        await pilot.press("g", "g")  # ordered by region
        assert "By region" in str(app.screen.query_one("#milestones-groups").border_title)
        table.focus()
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, CentreScreen) and app.screen.data is not None)
        assert app.screen.ref == ref and app.screen.active_tab() == "milestones"


async def test_a_new_centre_makes_its_plan_with_one_key(store: Store, fresh_target: str) -> None:
    from dtlab.domain.stages import Stage
    from dtlab.services.cases import create_case, update_case
    from tests.helpers.cases import walk_to

    ref = create_case(store, {"title": "Fresh hub", "country": "GH"})
    walk_to(store, ref, Stage.IMPLEMENTATION)
    update_case(store, ref, {"launch_on": "2026-05-01"})
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(CaseScreen(ref))
        await settle(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.shown_stage is not None)
        assert "Not made from the template yet" in str(app.screen.query_one("#extra-implementation", Static).render())
        await pilot.press("p")
        await settle(pilot, lambda: len(plan_now(store, ref)["kpis"]) == 2)
        await settle(pilot, lambda: "2 KPIs" in str(app.screen.query_one("#extra-implementation", Static).render()))
        await pilot.press("m")
        await settle(pilot, lambda: isinstance(app.screen, CentreScreen) and app.screen.data is not None)
        await pilot.press("4")
        await settle(pilot, lambda: app.focused is app.screen.query_one("#milestone-table"))
        table = app.screen.query_one("#milestone-table", DataTable)
        assert table.row_count == 3
        # A milestone that does not apply leaves the plan, after a confirmation.
        await pilot.press("x")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.click("#yes")
        await settle(pilot, lambda: len(plan_now(store, ref)["milestones"]) == 2)
        await settle(pilot, lambda: table.row_count == 2)


async def test_a_refused_form_comes_back_as_typed(store: Store, fresh_target: str) -> None:
    ref = planned_centre(store, launch="2025-12-15", accredited="2026-01-10")
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        await result_form(pilot, ref)
        app.screen.query_one("#v-initiatives", Input).value = "AFR4.99"
        app.screen.query_one("#v-sdgs", Input).value = "4 9"
        await pilot.press("ctrl+s")
        # Refused by the data rules: the form is back with what was typed and why.
        await settle(pilot, lambda: isinstance(app.screen, ValuesDialog)
                     and "no expected result 99" in str(app.screen.query_one(".dialog-error", Static).render()))
        assert app.screen.query_one("#v-initiatives", Input).value == "AFR4.99"
        assert app.screen.query_one("#v-sdgs", Input).value == "4 9"
        app.screen.query_one("#v-initiatives", Input).value = "AFR4.3"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: plan_now(store, ref)["results"][0]["initiative_results"] == ["AFR4.3"])
        assert plan_now(store, ref)["results"][0]["sdgs"] == [4, 9]


async def test_a_milestone_changed_meanwhile_is_refused_in_the_dialog_then_saved_knowingly(
        store: Store, fresh_target: str) -> None:
    """bob opens a milestone's dialog, `tester` changes the milestone, bob saves: the dialog comes
    back with what bob typed and who changed it; saving again writes bob's values."""
    from dtlab.services.plans import due_text, save_milestone
    from tests.helpers.pilot import open_centre

    ref = planned_centre(store, launch="2025-12-15", accredited="2026-01-10")
    app = make_app(fresh_target, Settings(user="bob"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_centre(pilot, ref, tab="milestones")
        table = screen.query_one("#milestone-table", DataTable)
        await settle(pilot, lambda: table.row_count == 3)
        table.focus()
        await pilot.press("home", "enter")
        await dialog_shown(pilot)
        first = plan_now(store, ref)["milestones"][0]
        save_milestone(store, ref, first["id"], first["title"], due_text(first), "Amina", first["status"])  # meanwhile
        app.screen.query_one("#v-owner", Input).value = "Bob"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ValuesDialog)
                     and "changed by tester" in str(app.screen.query_one(".dialog-error", Static).render()))
        assert "since you opened it" in str(app.screen.query_one(".dialog-error", Static).render())
        assert app.screen.query_one("#v-owner", Input).value == "Bob"  # what bob typed is kept
        assert plan_now(store, ref)["milestones"][0]["owner"] == "Amina"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: plan_now(store, ref)["milestones"][0]["owner"] == "Bob")
