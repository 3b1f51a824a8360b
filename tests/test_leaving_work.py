"""One rule for leaving unsaved work, on every way out (an F-key, ctrl+q, Esc, opening what is
already open), never two forms for the same thing, and dialogs whose keys do what they say."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Button, Input

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.store import Store
from dtlab.screens.case_list import CaseListScreen
from dtlab.screens.case_view import CaseScreen
from dtlab.screens.dashboard import DashboardScreen
from dtlab.screens.intake import IntakeScreen
from dtlab.services.cases import create_case
from dtlab.widgets.dialogs import ConfirmDialog, ValuesDialog
from tests.helpers.pilot import dialog_shown, open_case, paste, settle

pytestmark = [pytest.mark.functional, pytest.mark.both_databases]  # the screens on either database


async def typed_request(pilot) -> IntakeScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    await settle(pilot, lambda: isinstance(app.screen, DashboardScreen))
    await pilot.press("ctrl+n")
    await settle(pilot, lambda: isinstance(app.screen, IntakeScreen) and app.screen.query("#f-title"))
    form = app.screen
    await paste(pilot, "Smart villages hub", form.query_one("#f-title", Input))
    return form


def question(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(".dialog-text").render())


async def test_an_f_key_asks_before_leaving_a_typed_request_and_leaves_nothing_behind(
        store: Store, fresh_target: str) -> None:
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        form = await typed_request(pilot)
        await pilot.press("f3")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "Unsaved changes in the new request will be lost" in question(app)
        await pilot.press("enter")  # Keep editing is the highlighted answer
        await settle(pilot, lambda: app.screen is form)
        assert form.query_one("#f-title", Input).value == "Smart villages hub"
        await pilot.press("f3")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(app.screen, CaseListScreen))
        # Back home, the dashboard itself: no form left waiting behind it.
        await pilot.press("f2")
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert not any(isinstance(s, IntakeScreen) for s in app.screen_stack)
        await pilot.press("ctrl+q")  # nothing unsaved anywhere: quits at once
        await settle(pilot, lambda: app.return_code is not None or not app.is_running)


async def test_ctrl_q_asks_about_a_typed_request_after_moving_away_and_back(store: Store, fresh_target: str) -> None:
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        form = await typed_request(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "will be lost" in question(app)
        await pilot.press("n")
        await settle(pilot, lambda: app.screen is form)
        assert app.is_running


async def test_an_edited_case_field_is_asked_about_by_f_keys_and_the_palette(store: Store, fresh_target: str) -> None:
    ref = create_case(store, {"title": "Hub", "country": "KE"})
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_case(pilot, ref)
        title = screen.query_one("#form-interest #f-title", Input)
        title.focus()
        title.value = ""
        await paste(pilot, "Hub for smart villages", title)
        await settle(pilot, lambda: screen.has_unsaved_work())
        await pilot.press("f3")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert f"Unsaved changes in {ref} (" in question(app)
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)
        app.action_go("dashboard")  # the palette's "Dashboard" runs the same action
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen and screen.has_unsaved_work())


async def test_never_two_forms_for_the_same_thing(store: Store, fresh_target: str) -> None:
    ref = create_case(store, {"title": "Hub", "country": "KE"})
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_case(pilot, ref)
        app.open_screen(CaseScreen(ref.lower()))  # the palette or the dashboard opening it again
        await pilot.pause()
        assert [s for s in app.screen_stack if isinstance(s, CaseScreen)] == [screen]
        app.open_screen(IntakeScreen())
        await settle(pilot, lambda: isinstance(app.screen, IntakeScreen))
        first = app.screen
        app.open_screen(IntakeScreen())
        await pilot.pause()
        assert [s for s in app.screen_stack if isinstance(s, IntakeScreen)] == [first]
        # The case again, from the form above it: the form, unchanged, closes without asking.
        app.open_screen(CaseScreen(ref))
        await settle(pilot, lambda: app.screen is screen)


class DialogApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Button("host")


async def test_enter_moves_through_a_form_and_saves_only_from_its_last_field(store: Store, fresh_target: str) -> None:
    results: list[object] = []
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen))
        app.push_screen(ValuesDialog("Add a KPI", [("name", "Name", ""), ("unit", "Unit", ""),
                                                  ("target", "Target", "")]), results.append)
        await dialog_shown(pilot)
        dialog = app.screen
        await paste(pilot, "organisations", dialog.query_one("#v-name", Input))
        await pilot.press("enter")
        assert dialog.query_one("#v-unit", Input).has_focus and app.screen is dialog and not results
        # Esc over typed values asks; Keep editing keeps them.
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "“Add a KPI”" in question(app)
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is dialog)
        await pilot.press("enter")  # unit → target
        await paste(pilot, "40", dialog.query_one("#v-target", Input))
        await pilot.press("enter")  # the last field: saves
        await settle(pilot, lambda: bool(results))
        assert results == [{"name": "organisations", "unit": "", "target": "40"}]


async def test_a_confirmation_answers_with_enter_arrows_and_letters() -> None:
    answers: list[bool | None] = []
    async with DialogApp().run_test() as pilot:
        app = pilot.app
        app.push_screen(ConfirmDialog("Submit?", yes="Submit", no="Keep editing"), answers.append)
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert app.screen.query_one("#yes", Button).has_focus  # the action asked for
        await pilot.press("right")
        assert app.screen.query_one("#no", Button).has_focus
        await pilot.press("left", "enter")
        await settle(pilot, lambda: answers == [True])
        app.push_screen(ConfirmDialog("Discard?", safe=True), answers.append)
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert app.screen.query_one("#no", Button).has_focus  # losing work is never the default
        await pilot.press("enter")
        await settle(pilot, lambda: answers == [True, False])
        app.push_screen(ConfirmDialog("Discard?", safe=True), answers.append)
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await settle(pilot, lambda: answers == [True, False, True])


async def test_a_key_that_cannot_act_says_why(store: Store, fresh_target: str) -> None:
    """b at the first stage, and r on a centre with nothing to re-plan: a sentence, not silence."""
    from dtlab.screens.centre import CentreScreen
    from tests.helpers.cases import planned_centre
    from tests.helpers.pilot import notices

    ref = create_case(store, {"title": "Hub", "country": "KE"})
    centre = planned_centre(store)
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        told = notices(app)
        screen = await open_case(pilot, ref)
        screen.query_one("Tabs").focus()
        await pilot.press("b")
        await settle(pilot, lambda: any("back" in m.lower() for m in told), lambda: str(told))
        assert app.screen is screen
        app.open_screen(CentreScreen(centre))
        await settle(pilot, lambda: isinstance(app.screen, CentreScreen) and app.screen.data is not None)
        await pilot.press("r")
        await settle(pilot, lambda: any("Nothing to re-plan" in m for m in told), lambda: str(told))
