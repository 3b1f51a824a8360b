"""The intake form: errors beside their fields, nothing saved until valid, a question before
leaving typed work, and a saved request opens as a case."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.cases import count_cases, list_cases
from dtlab.db.listing import CaseFilter
from dtlab.db.store import Store
from dtlab.screens.case_view import CaseScreen
from dtlab.screens.dashboard import DashboardScreen
from dtlab.screens.intake import IntakeScreen
from dtlab.widgets.dialogs import ConfirmDialog
from tests.helpers.pilot import paste, settle

pytestmark = [pytest.mark.functional, pytest.mark.both_databases]  # the screens on either database


def error_of(screen, field: str) -> str:  # type: ignore[no-untyped-def]
    row = screen.query_one(f"#f-{field}").parent.parent
    return str(row.query_one(".field-error", Static).render()) if row.has_class("-invalid") else ""


async def type_in(pilot, screen, fields: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Each field focused, then its value pasted, as a user moving through the form does."""
    for name, value in fields.items():
        field = screen.query_one(f"#f-{name}", Input)
        field.focus()
        await paste(pilot, value, into=field)


async def open_intake(pilot):  # type: ignore[no-untyped-def]
    app = pilot.app
    await settle(pilot, lambda: isinstance(app.screen, DashboardScreen))
    await pilot.press("ctrl+n")
    await settle(pilot, lambda: isinstance(app.screen, IntakeScreen) and app.screen.query("#f-title"))
    return app.screen


async def test_errors_beside_fields_then_a_valid_case_is_created(store: Store, fresh_target: str) -> None:
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_intake(pilot)
        await type_in(pilot, screen, {"country": "XX", "received_on": "2026-02-30"})
        country, received = screen.query_one("#f-country", Input), screen.query_one("#f-received_on", Input)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: error_of(screen, "title"))
        assert error_of(screen, "title") == "a case needs a title"
        assert "'XX' is neither the ISO 3166-1 alpha-2 code nor the name" in error_of(screen, "country")
        assert "is not a date" in error_of(screen, "received_on")
        with store.read() as s:
            assert count_cases(s) == 0

        await type_in(pilot, screen, {"title": "Regulatory sandbox"})
        country.focus()
        country.value = ""
        await pilot.press(*"Ken", "right")  # accept the completion "Kenya (KE)"
        assert country.value == "Kenya (KE)"
        assert "region AFR" in str(screen.query_one("#intake-region", Static).render())
        received.focus()
        received.value = ""
        await paste(pilot, "2026-02-03", into=received)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, CaseScreen))
    with store.read() as s:
        (row,) = list_cases(s, CaseFilter())
    assert (row["title"], row["country"], row["region"], str(row["received_on"])) == (
        "Regulatory sandbox", "KE", "AFR", "2026-02-03")


async def test_leaving_typed_work_asks_first(store: Store, fresh_target: str) -> None:
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_intake(pilot)
        await pilot.press(*"Half-typed")
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("escape")  # stay
        await settle(pilot, lambda: app.screen is screen)
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.click("#yes")
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen))
    with store.read() as s:
        assert count_cases(s) == 0


async def test_an_existing_applicant_completes_and_is_reused(store: Store, fresh_target: str) -> None:
    from dtlab.services.cases import create_case

    create_case(store, {"title": "Earlier request", "country": "KE", "applicant": "Kenya ICT Authority"})
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_intake(pilot)
        await type_in(pilot, screen, {"title": "Second request", "country": "KE"})
        screen.query_one("#f-applicant", Input).focus()
        await pilot.press(*"kenya i", "right")
        assert screen.query_one("#f-applicant", Input).value == "Kenya ICT Authority"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, CaseScreen))
    with store.read() as s:
        from sqlalchemy import func, select

        from dtlab.db.models import Organisation

        assert s.scalar(select(func.count()).select_from(Organisation)) == 1


async def test_tab_takes_the_country_shown_and_the_request_is_received_today(store: Store, fresh_target: str) -> None:
    from datetime import date

    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_intake(pilot)
        assert form.query_one("#f-received_on", Input).value == date.today().isoformat()
        assert not form.has_unsaved_work()  # a default is not typed work: leaving does not ask
        await paste(pilot, "Tech hub", form.query_one("#f-title", Input))
        country = form.query_one("#f-country", Input)
        country.focus()
        await pilot.press(*"Ken")
        await pilot.press("tab")
        await settle(pilot, lambda: country.value == "Kenya (KE)")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, CaseScreen))
    with store.read() as s:
        (row,) = list_cases(s, CaseFilter())
    assert row["country"] == "KE" and row["received_on"] == date.today()


async def test_a_category_outside_itu_membership_is_said_as_it_is_chosen(store: Store, fresh_target: str) -> None:
    """Issue 18: centres are "mainly for ITU members"; the intake says so of the categories
    outside membership as they are offered and chosen, and the case says it in its header."""
    from textual.widgets import Select

    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_intake(pilot)
        await type_in(pilot, screen, {"title": "Pacific hub", "country": "FJ", "applicant": "Acme Pacific Ltd"})
        category = screen.query_one("#f-category", Select)
        await pilot.pause()

        def shown_choice() -> str:
            return str(category.query_one("SelectCurrent #label", Static).render())

        offered = category.query_one("SelectOverlay")  # the list the select opens, as offered
        labels = [str(offered.get_option_at_index(i).prompt) for i in range(offered.option_count)]  # type: ignore[attr-defined]
        assert "Other · not an ITU member" in labels and "Member State" in labels
        category.value = "other"  # chosen from the list; typing into a Select is Textual's own
        await settle(pilot, lambda: "Other · not an ITU member" in shown_choice())
        category.value = "academia"
        await settle(pilot, lambda: "Academia" in shown_choice())
        assert "not an ITU member" not in shown_choice()
        category.value = "un_agency"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.loaded is not None)
        assert "(not an ITU member)" in str(app.screen.query_one("#case-summary", Static).render())
