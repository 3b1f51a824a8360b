"""A plan form says everything wrong with it at once, each problem for what it is, and puts the
cursor in the first field named, ready to be typed into (issue 16, point 14)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import Input, Static

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.plans import case_plan
from dtlab.db.store import Store
from dtlab.errors import Invalid, Problems
from dtlab.screens.forms import field_named
from dtlab.services.plans import record_actual, save_milestone, update_kpi
from dtlab.services.results import save_result
from dtlab.widgets.dialogs import ValuesDialog
from tests.helpers.cases import planned_centre
from tests.helpers.pilot import dialog_shown, open_centre, result_form, settle

pytestmark = pytest.mark.functional


def _plan(store: Store, ref: str) -> dict:  # type: ignore[type-arg]
    from dtlab.db.cases import get_case

    with store.read() as s:
        return case_plan(s, get_case(s, ref), date(2025, 6, 1))


def test_a_result_is_refused_for_every_problem_at_once(store: Store) -> None:
    ref = planned_centre(store)
    before = _plan(store, ref)["results"]
    with pytest.raises(Invalid) as refused:
        save_result(store, ref, None, "outcome", " ", priority="nothing", initiative_results="AFR9.9 AFR4.99 x",
                    sdgs="18 4 0")
    assert refused.value.problems == (
        "title: name the result",
        "thematic priority: no priority 'nothing' (see dtlab reference priorities)",
        "initiative results: there is no initiative AFR9 in the WTDC-22 cycle",
        "initiative results: AFR4 has no expected result 99 in the WTDC-22 cycle",
        "initiative results: 'X' is not of the form ARB4 (an initiative) or AFR4.3 (one of its results)",
        "SDGs: '18', '0' are not Sustainable Development Goals (1 to 17)",
    )
    assert str(refused.value) == "; ".join(refused.value.problems)  # one line on the command line
    assert _plan(store, ref)["results"] == before  # nothing written


def test_kpi_and_milestone_saves_say_every_problem(store: Store) -> None:
    ref = planned_centre(store)
    kpi = _plan(store, ref)["kpis"][0]
    with pytest.raises(Invalid) as refused:
        update_kpi(store, ref, kpi["id"], "", "", "lots", {1: "x", 2: "5", 9: "7"})
    assert [p.split(":")[0] for p in refused.value.problems] == ["name", "baseline", "year 1 target", "year"]
    with pytest.raises(Invalid) as refused:
        record_actual(store, ref, kpi["id"], 40, "many")
    assert [p.split(":")[0] for p in refused.value.problems] == ["year", "actual"]
    with pytest.raises(Invalid) as refused:
        save_milestone(store, ref, None, "", "whenever", "", "bogus", done_on="2999-01-01", today=date(2025, 6, 1))
    assert len(refused.value.problems) == 4


@given(st.lists(st.sampled_from(["a: one", "b: two", "c: three"]), max_size=5))
def test_problems_keep_every_refusal_in_order(found: list[str]) -> None:
    problems = Problems()
    for message in found:
        with problems.check():
            raise Invalid(message)
    with problems.check():
        pass  # a check that passes adds nothing
    if not found:
        problems.raise_any()
        return
    with pytest.raises(Invalid) as refused:
        problems.raise_any()
    assert list(refused.value.problems) == found


def test_a_problem_finds_the_field_it_is_about() -> None:
    fields = [("level", "Level", []), ("title", "Result", ""), ("priority", "Priority", []),
              ("initiatives", "Initiatives", ""), ("sdgs", "SDGs", ""), ("y1", "Year 1 target", "")]
    assert field_named("initiative results: AFR9", fields) == "initiatives"
    assert field_named("title: name the result", fields) == "title"
    assert field_named("thematic priority: none", fields) == "priority"
    assert field_named("SDGs: '18'", fields) == "sdgs"
    assert field_named("year 1 target: 'x'", fields) == "y1"
    assert field_named("the plan changed", fields) is None


async def test_the_form_comes_back_with_every_problem_and_the_cursor_in_the_first(store: Store,
                                                                                  db_path: Path) -> None:
    ref = planned_centre(store, launch="2025-12-15", accredited="2026-01-10")
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(100, 34)) as pilot:
        await result_form(pilot, ref)
        app.screen.query_one("#v-initiatives", Input).value = "AFR9.9 AFR4.3"
        app.screen.query_one("#v-sdgs", Input).value = "18 4"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ValuesDialog)
                     and "no initiative AFR9" in str(app.screen.query_one(".dialog-error", Static).render()))
        error = str(app.screen.query_one(".dialog-error", Static).render())
        assert error.splitlines() == ["Initiative results: there is no initiative AFR9 in the WTDC-22 cycle.",
                                      "SDGs: '18' is not a Sustainable Development Goal (1 to 17)"]
        field = app.screen.query_one("#v-initiatives", Input)
        assert app.focused is field
        for key in ("ctrl+u", *"AFR4.3"):  # ctrl+u: clear to the start; the cursor is at the end
            await pilot.press(key)
        assert field.value == "AFR4.3"
        app.screen.query_one("#v-sdgs", Input).value = "4"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: _plan(store, ref)["results"][0]["initiative_results"] == ["AFR4.3"])


async def test_esc_on_a_refused_form_asks_before_losing_what_was_typed(store: Store, db_path: Path) -> None:
    """The newcomer's walk: a result refused by the data layer came back with what was typed;
    Esc then closed it without a word and the text was gone."""
    from dtlab.widgets.dialogs import ConfirmDialog

    ref = planned_centre(store, launch="2025-12-15", accredited="2026-01-10")
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(100, 34)) as pilot:
        await open_centre(pilot, ref, "results")
        await pilot.press("2", "n")
        await dialog_shown(pilot)
        app.screen.query_one("#v-title", Input).value = "My important result text"
        app.screen.query_one("#v-initiatives", Input).value = "AFR9.9"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ValuesDialog)
                     and "no initiative AFR9" in str(app.screen.query_one(".dialog-error", Static).render()))
        reopened = app.screen
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("enter")  # the safe default: keep editing
        await settle(pilot, lambda: app.screen is reopened)
        assert reopened.query_one("#v-title", Input).value == "My important result text"


async def test_a_form_says_what_is_missing_and_what_is_wrong_at_once(store: Store, db_path: Path) -> None:
    ref = planned_centre(store, launch="2025-12-15", accredited="2026-01-10")
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(100, 34)) as pilot:
        await open_centre(pilot, ref, "kpis")
        await pilot.press("3")
        await settle(pilot, lambda: app.focused is app.screen.query_one("#kpi-table"))
        await pilot.press("e")  # the KPI's targets: a name is needed, figures must be numbers
        await dialog_shown(pilot)
        dialog = app.screen
        dialog.query_one("#v-name", Input).value = ""
        dialog.query_one("#v-baseline", Input).value = "lots"
        dialog.query_one("#v-y1", Input).focus()
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "Needed: Indicator" in str(dialog.query_one(".dialog-error", Static).render()))
        said = str(dialog.query_one(".dialog-error", Static).render())
        assert "Baseline" in said and "not a number" in said
        assert app.focused is dialog.query_one("#v-name", Input)


async def test_a_result_with_no_title_and_bad_links_says_all_three_at_once(store: Store, db_path: Path) -> None:
    """The second walk: with the title empty the form said only "Needed: Result", and the bad
    links only on the next try. The first field open takes typing (the level's select did)."""
    ref = planned_centre(store, launch="2025-12-15", accredited="2026-01-10")
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(100, 34)) as pilot:
        await open_centre(pilot, ref, "results")
        await pilot.press("2", "n")
        await dialog_shown(pilot)
        assert app.focused is app.screen.query_one("#v-title", Input)
        app.screen.query_one("#v-initiatives", Input).value = "AFR9.9 X"
        app.screen.query_one("#v-sdgs", Input).value = "18"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ValuesDialog)
                     and "name the result" in str(app.screen.query_one(".dialog-error", Static).render()))
        said = str(app.screen.query_one(".dialog-error", Static).render())
        assert "no initiative AFR9" in said and "Sustainable Development Goal" in said
        assert app.focused is app.screen.query_one("#v-title", Input)
