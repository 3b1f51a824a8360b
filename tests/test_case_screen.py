"""The case screen, driven by keyboard: fill each stage's fields, meet its gate, advance, override,
send back, add notes, and read it all in the history."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from textual.widgets import Input, Select, Static, TabbedContent, TextArea

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.cases import case_detail
from dtlab.db.models import Transition
from dtlab.db.store import Store
from dtlab.domain.stages import Stage
from dtlab.screens.case_view import CaseScreen
from dtlab.services.cases import create_case, update_case
from dtlab.widgets.dialogs import ConfirmDialog, ReasonDialog
from tests.helpers.pilot import dialog_shown, evaluate_by_keyboard, notices, open_case, paste, settle, text_of

pytestmark = [pytest.mark.functional, pytest.mark.both_databases]  # the screens on either database


async def fill(pilot, screen: CaseScreen, values: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Fill each field as a user can: focus it, clear it, paste the value (keys typed one by one
    are what the intake, dialog and evaluation tests press)."""
    for name, value in values.items():
        form = screen.active_form()
        widget = (form if form is not None else screen).query_one(f"#f-{name}")
        widget.focus()
        if isinstance(widget, Select):
            await pilot.pause()
            widget.value = value  # a Select is chosen from a list; typing is covered by Textual itself
        elif isinstance(widget, TextArea):
            widget.text = ""
            await paste(pilot, value, into=widget)
        else:
            assert isinstance(widget, Input)
            widget.value = ""
            await paste(pilot, value, into=widget)


async def save_and_settle(pilot, screen: CaseScreen) -> None:  # type: ignore[no-untyped-def]
    before = screen.loaded
    await pilot.press("ctrl+s")
    await settle(pilot, lambda: screen.loaded is not before)


async def press_and_settle(pilot, screen: CaseScreen, *keys: str) -> None:  # type: ignore[no-untyped-def]
    before = screen.loaded
    await pilot.press(*keys)
    await settle(pilot, lambda: screen.loaded is not before)


def stage_in_db(store: Store, ref: str) -> tuple[str, str]:
    with store.read() as s:
        d = case_detail(s, ref)
    return d["stage"], d["status"]


async def test_walk_a_case_through_every_stage(store: Store, fresh_target: str) -> None:
    ref = create_case(store, {"title": "Innovation hub", "country": "KE"})
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, ref)
        assert "✗ an applicant organisation is recorded" in text_of(screen, "#gate-interest")

        # Advance is refused while the gate is not met, and says why.
        told = notices(app)
        await pilot.press("a")
        await settle(pilot, lambda: told)
        assert "Cannot leave Expression of interest yet" in told[0] and "an applicant organisation" in told[0]
        assert stage_in_db(store, ref) == ("interest", "open")

        steps = [
            ("interest", {"applicant": "Kenya ICT Authority", "channel": "letter", "received_on": "2026-02-01"}),
            ("assessment", {"findings": "Ready to host", "human_resources": "4 staff",
                            "financial_resources": "USD 200k"}),
            ("concept_design", {"proposed_type": "digital_transformation", "scope": "national",
                                "ownership": "country", "goals": "ecosystem"}),
            ("agreement", {"agreement_ref": "BDT/JS/2026/001", "signed_on": "2026-05-01"}),
            ("implementation", {"launch_on": "2026-07-01"}),
            ("operation", {"period_evaluated_on": "2026-10-01"}),
            ("renewal", {"renewal_outcome": "renewed"}),
        ]
        for stage, values in steps:
            assert screen.query_one(TabbedContent).active == f"tab-{stage}"
            await fill(pilot, screen, values)
            await save_and_settle(pilot, screen)
            await pilot.press("escape")  # leave the field so letters act
            if stage == "concept_design":
                await evaluate_by_keyboard(pilot, screen, "3333333")
                await settle(pilot, lambda: "Evaluators (1): Recommend" in text_of(screen, "#extra-concept_design"))
            if stage == "implementation":
                await pilot.press("k")
                await dialog_shown(pilot)
                for name, value in (("name", "Start-ups"), ("baseline", "0"), ("target", "40")):
                    app.screen.query_one(f"#v-{name}", Input).focus()
                    await pilot.press(*value)
                await pilot.press("enter")
                await settle(pilot, lambda: "0 results · 1 KPI: 1 not yet rated" in text_of(screen,
                                                                                          "#extra-implementation"))
            assert "✗" not in text_of(screen, f"#gate-{stage}"), text_of(screen, f"#gate-{stage}")
            if stage == "renewal":
                # Leaving renewal clears the period's fields: it asks first.
                await pilot.press("a")
                await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
                assert "Start a new operation period?" in str(app.screen.query_one(".dialog-text", Static).render())
                await pilot.click("#yes")
                await settle(pilot, lambda: stage_in_db(store, ref) == ("operation", "open"))
                continue
            await press_and_settle(pilot, screen, "a")
        # Renewed: a new operation period begins.
        assert stage_in_db(store, ref) == ("operation", "open")



async def test_bad_values_are_shown_beside_their_field_and_nothing_is_saved(store: Store, fresh_target: str) -> None:
    ref = create_case(store, {"title": "Innovation hub", "country": "KE"})
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, ref)
        await fill(pilot, screen, {"received_on": "2026-13-40"})
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: screen.query_one("#f-received_on").parent.parent.has_class("-invalid"))
        row = screen.query_one("#f-received_on").parent.parent
        assert "is not a date" in str(row.query_one(".field-error", Static).render())
    with store.read() as s:
        assert case_detail(s, ref)["received_on"] is None


async def test_override_back_and_note_land_in_the_history(store: Store, fresh_target: str) -> None:
    ref = create_case(store, {"title": "Innovation hub", "country": "KE"})
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, ref)
        await pilot.press("o")
        await settle(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press("enter")  # a reason is required
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        await paste(pilot, "Director fast-tracked")
        await pilot.press("enter")
        await settle(pilot, lambda: screen.loaded is not None and screen.loaded.detail["stage"] == "assessment")
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await paste(pilot, "Called the focal point")
        await pilot.press("enter")
        await settle(pilot, lambda: "Called the focal point" in text_of(screen, "#notes-text"))
        await pilot.press("b")
        await settle(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press("enter")  # optional reason
        await settle(pilot, lambda: screen.loaded is not None and screen.loaded.detail["stage"] == "interest")
        await pilot.press("h")
        await pilot.pause()
        history = text_of(screen, "#history-text")
        assert "not met: an applicant organisation is recorded" in history
        assert "Advanced from Expression of interest to Preliminary assessment (gate overridden)" in history
        assert "reason: Director fast-tracked" in history
        assert "Sent back from Preliminary assessment to Expression of interest" in history
        assert "Note: Called the focal point" in history
        # The history is ready to scroll; Esc leaves it, not the case.
        assert screen.query_one("#tab-history VerticalScroll").has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
    with store.read() as s:
        kinds = [t.kind for t in s.scalars(select(Transition).order_by(Transition.at))]
    assert kinds == ["advance", "back"]


async def test_leaving_with_unsaved_changes_asks_first(store: Store, fresh_target: str) -> None:
    ref = create_case(store, {"title": "Innovation hub", "country": "KE"})
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, ref)
        await fill(pilot, screen, {"applicant": "Someone"})
        await pilot.press("escape", "escape")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("enter")  # the default is to keep editing
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one("#f-applicant", Input).value == "Someone"


async def test_enter_on_the_list_opens_the_case(store: Store, fresh_target: str) -> None:
    create_case(store, {"title": "Innovation hub", "country": "KE"})
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f3")
        await settle(pilot, lambda: app.screen.query("DataTable") and app.screen.query_one("DataTable").row_count)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.loaded is not None)
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, CaseScreen))


async def test_a_bad_kpi_number_keeps_the_dialog_and_what_was_typed(store: Store, fresh_target: str) -> None:
    ref = create_case(store, {"title": "Hub", "country": "KE"}, Stage.IMPLEMENTATION, "existing centre",
                      entry_override=True)
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, ref)
        await pilot.press("k")
        await dialog_shown(pilot)
        dialog = app.screen
        for name, value in (("name", "People trained"), ("baseline", "abc")):
            dialog.query_one(f"#v-{name}", Input).focus()
            await pilot.press(*value)
        await pilot.press("ctrl+s")
        error = dialog.query_one(".dialog-error", Static)
        await settle(pilot, lambda: str(error.render()).strip())
        assert app.screen is dialog
        assert "baseline must be a number" in str(error.render())
        assert dialog.query_one("#v-name", Input).value == "People trained"


def test_the_moves_on_offer_are_the_paths() -> None:
    """The moves allowed are `plan_move`'s; advancing from renewal stays allowed before the
    outcome is recorded, so pressing it says what is missing (as an unmet gate does). The footer
    shows advance and reopen only where allowed; the other move keys stay live and say why not."""
    from dtlab.screens.case_moves import MOVE_ACTIONS, Loaded

    screen = CaseScreen("GVA-2026-0001")
    moves = ("advance", "override", "back", "withdraw", "decline", "close_case", "reopen")

    def allowed(stage: str, status: str) -> set[str]:
        screen.loaded = Loaded({"stage": stage, "status": status}, [], None, None)
        return {action for action in moves if screen.move_allowed(MOVE_ACTIONS[action])}

    def live(stage: str, status: str) -> set[str]:
        screen.loaded = Loaded({"stage": stage, "status": status}, [], None, None)
        return {action for action in moves if screen.check_action(action, ())}

    assert allowed("interest", "open") == set(moves) - {"back", "reopen"}
    assert allowed("renewal", "open") == set(moves) - {"reopen"}
    assert allowed("assessment", "withdrawn") == {"reopen"}
    assert live("interest", "open") == set(moves) - {"reopen"}
    assert live("assessment", "withdrawn") == set(moves) - {"advance"}


async def test_a_kpi_figure_is_read_as_everywhere_else(store: Store, fresh_target: str) -> None:
    """The KPI dialog reads numbers by the field rule the centre's forms use ("1,200" is 1200)."""
    ref = create_case(store, {"title": "Hub", "country": "KE"}, Stage.IMPLEMENTATION, "existing centre",
                      entry_override=True)
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, ref)
        await pilot.press("k")
        await dialog_shown(pilot)
        for name, value in (("name", "People trained"), ("baseline", "1,200"), ("target", "2500")):
            app.screen.query_one(f"#v-{name}", Input).value = value
        await press_and_settle(pilot, screen, "ctrl+s")
    with store.read() as s:
        kpis = case_detail(s, ref)["kpis"]
    assert [(k["name"], k["baseline"], k["target"]) for k in kpis][-1] == ("People trained", 1200, 2500)


async def test_the_operation_tab_shows_the_accreditation(store: Store, fresh_target: str) -> None:
    ref = create_case(store, {"title": "Partner hub", "country": "KE", "proposed_type": "initiative"},
                      Stage.OPERATION, "an existing partner centre", entry_override=True)
    update_case(store, ref, {"accredited_on": "2024-03-01"})
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, ref)
        shown = text_of(screen, "#extra-operation")
        assert "Period 1: 2024-03-01 → 2027-02-28" in shown and "Renewal due 2026-08-28" in shown


async def test_a_long_value_reads_from_its_start_once_saved_or_left(store: Store, fresh_target: str) -> None:
    """Issue 16, point 15: after typing a long value and saving, the field showed its end."""
    ref = create_case(store, {"title": "Innovation hub", "country": "KE"})
    long = "Minister of ICT, Republic of Kenya; ITU BDT Director for Africa"
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, ref)
        await fill(pilot, screen, {"applicant": long})
        field = screen.query_one("#f-applicant", Input)
        assert field.cursor_position == len(long)  # typing: the end is shown
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: case_detail_of(store, ref)["applicant"] == long)
        assert field.cursor_position == len(long)  # still in the field: typing goes on at the end
        await pilot.press("tab")  # leaving it: it reads from the start
        await settle(pilot, lambda: app.focused is not field)
        assert field.cursor_position == 0
        await pilot.press("shift+tab")  # back in it: the cursor at the end, to type on
        await settle(pilot, lambda: app.focused is field)
        assert field.cursor_position == len(long)


def case_detail_of(store: Store, ref: str) -> dict:  # type: ignore[type-arg]
    with store.read() as s:
        return case_detail(s, ref)


async def test_a_dialog_opens_clear_of_earlier_notifications(store: Store, fresh_target: str) -> None:
    """Issue 16, point 15: a ten-second notification covered a dialog's OK and Cancel."""
    ref = create_case(store, {"title": "Innovation hub", "country": "KE"})
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_case(pilot, ref)
        app.notify("Something happened a moment ago", severity="error", timeout=3600)  # outlasts the wait
        await settle(pilot, lambda: len(app.screen.query("Toast")) == 1)
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await settle(pilot, lambda: len(app.screen.query("Toast")) == 0)


async def test_a_field_changed_meanwhile_is_refused_beside_it_and_saved_again_knowingly(
        store: Store, fresh_target: str) -> None:
    """bob opens the case, `tester` changes its title, bob saves a new title: refused, with who
    changed it and their value beside the field, bob's typing kept; ctrl+s again replaces it."""
    ref = create_case(store, {"title": "Innovation hub", "country": "KE"})
    app = make_app(fresh_target, Settings(user="bob"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_case(pilot, ref)
        update_case(store, ref, {"title": "Digital hub", "purpose": "Research"})  # by another, meanwhile
        await fill(pilot, screen, {"title": "Smart hub", "purpose": "Skills", "assignee": "bob"})
        told = notices(app)
        await pilot.press("ctrl+s")
        rows = {name: screen.query_one(f"#f-{name}").parent.parent for name in ("title", "purpose", "assignee")}
        await settle(pilot, lambda: rows["title"].has_class("-invalid"))
        errors = {name: str(row.query_one(".field-error", Static).render()) for name, row in rows.items()}
        # Each field says who changed it, when and to what; the notice says what to do.
        assert errors["title"].startswith("changed by tester at ") and errors["title"].endswith("to 'Digital hub'")
        assert errors["purpose"].startswith("changed by tester at ") and errors["purpose"].endswith("'Research'")
        assert errors["assignee"] == ""
        assert "someone changed these fields meanwhile" in told[-1] and "ctrl+s again" in told[-1]
        assert screen.query_one("#f-title", Input).value == "Smart hub"  # nothing typed is lost
        with store.read() as s:
            assert (case_detail(s, ref)["title"], case_detail(s, ref)["assignee"]) == ("Digital hub", None)
        await save_and_settle(pilot, screen)
    with store.read() as s:
        saved = case_detail(s, ref)
    assert (saved["title"], saved["purpose"], saved["assignee"]) == ("Smart hub", "Skills", "bob")


async def test_an_applicant_outside_itu_membership_is_said_and_asked_for_at_assessment(
        store: Store, fresh_target: str) -> None:
    from tests.helpers.cases import walk_to

    ref = create_case(store, {"title": "Hub", "country": "KE"})
    walk_to(store, ref, Stage.ASSESSMENT)
    update_case(store, ref, {"applicant": "Acme Ltd", "category": "other"})
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_case(pilot, ref)
        assert "Acme Ltd (not an ITU member)" in text_of(screen, "#case-summary")
        await settle(pilot, lambda: "not an ITU member: a justification" in text_of(screen, "#gate-assessment"))
        await fill(pilot, screen, {"membership_reason": "Invited by the Director as a pilot partner"})
        await save_and_settle(pilot, screen)
        await settle(pilot, lambda: "✓ the applicant is not an ITU member" in text_of(screen, "#gate-assessment"))
    with store.read() as s:
        assert case_detail(s, ref)["membership_reason"] == "Invited by the Director as a pilot partner"
