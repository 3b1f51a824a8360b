"""The calls screen (F6) and a request's Call field, driven by keyboard: the calls with their
deadlines and answers counted on time and late, a call opened from its form, a late request
flagged until its reason is written, and a request opened from its call."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable, Input, Select, Static

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.calls import find_call, list_calls
from dtlab.db.cases import get_case
from dtlab.db.store import Store
from dtlab.screens import calls as calls_screen
from dtlab.screens.calls import CallsScreen
from dtlab.screens.case_view import CaseScreen
from dtlab.services.calls import create_call
from dtlab.services.cases import create_case
from tests.helpers.pilot import dialog_shown, notices, open_case, paste, settle, text_of

pytestmark = [pytest.mark.functional, pytest.mark.both_databases]  # the screens on either database

TODAY = date(2025, 3, 1)


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calls_screen, "current_day", lambda: TODAY)


def _cells(table: DataTable) -> list[str]:  # type: ignore[type-arg]
    return [" | ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


def _regional(store: Store, received: str, call: str | None = None, title: str = "Regional hub") -> str:
    fields = {"title": title, "country": "KE", "applicant": "Ministry of ICT", "channel": "eoi",
              "received_on": received, "scope": "regional", "ownership": "country"}
    if call:
        fields["call_ref"] = call
    return create_case(store, fields)


async def test_the_calls_screen_counts_answers_and_opens_a_call(store: Store, fresh_target: str) -> None:
    create_call(store, {"title": "Regional centres 2025", "deadline": "2025-03-31", "regions": "AFR ARB"})
    on_time = _regional(store, "2025-02-10", "GVA-C1", "Nairobi hub")
    late = _regional(store, "2023-03-20", "ITU-2023", "Cairo lab")
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await settle(pilot, lambda: isinstance(app.screen, CallsScreen) and app.screen.loaded is not None)
        screen = app.screen
        calls = _cells(screen.query_one("#calls-table", DataTable))
        assert calls[0].startswith("GVA-C1 | 2025-03-31 | 30 days left | 1 | 0")
        assert calls[1].startswith("ITU-2023 | 2023-03-15 | closed | 0 | 1")
        assert "2 calls, 1 taking expressions of interest" in text_of(screen, "#calls-summary")
        eois = _cells(screen.query_one("#eois-table", DataTable))
        assert eois[0].startswith(f"{on_time} | 2025-02-10 | on time | Interest | Open")
        # The reference call, highlighted: its late answer flagged, its reason still missing.
        await pilot.press("down")
        await settle(pilot, lambda: "ITU-2023" in text_of(screen, "#call-facts"))
        assert "answers: 0 on time, 1 late" in text_of(screen, "#call-facts")
        assert _cells(screen.query_one("#eois-table", DataTable))[0].startswith(f"{late} | 2023-03-20 | 5 days late !")
        # e on the reference call says why it is not edited here.
        told = notices(app)
        await pilot.press("e")
        await settle(pilot, lambda: told)
        assert "reference data" in told[0]

        # n opens a call from its form.
        await pilot.press("n")
        dialog = await dialog_shown(pilot)
        for name, value in (("title", "Americas 2025"), ("deadline", "2025-06-30"), ("regions", "AMS")):
            dialog.query_one(f"#v-{name}", Input).focus()
            await paste(pilot, value)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is screen and any(
            row.startswith("GVA-C2") for row in _cells(screen.query_one("#calls-table", DataTable))))
        with store.read() as s:
            made = find_call(s, "GVA-C2")
        assert (made.title, made.deadline, made.regions, made.status) == ("Americas 2025", date(2025, 6, 30),
                                                                          ("AMS",), "open")

        # The new call is highlighted first (the latest deadline); the next is GVA-C1. Enter on the
        # calls table moves to its answers; Enter on an answer opens its case.
        await settle(pilot, lambda: screen.current == "GVA-C2" and "Americas 2025" in text_of(screen, "#call-facts"))
        await pilot.press("down")
        await settle(pilot, lambda: screen.current == "GVA-C1")
        await pilot.press("enter")
        await settle(pilot, lambda: app.focused is screen.query_one("#eois-table"))
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.shown_stage is not None)
        assert app.screen.ref == on_time


async def test_a_call_form_refused_keeps_what_was_typed(store: Store, fresh_target: str) -> None:
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f6")
        await settle(pilot, lambda: isinstance(app.screen, CallsScreen) and app.screen.loaded is not None)
        await pilot.press("n")
        dialog = await dialog_shown(pilot)
        for name, value in (("title", "Bad dates"), ("deadline", "2025-01-31"), ("opens_on", "2025-02-01"),
                            ("regions", "AFR XYZ")):
            dialog.query_one(f"#v-{name}", Input).focus()
            await paste(pilot, value)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is not dialog and isinstance(app.screen, type(dialog)))
        error = str(app.screen.query_one(".dialog-error", Static).render())
        assert "opens (2025-02-01) after its deadline" in error and "XYZ: not an ITU region" in error
        assert app.screen.query_one("#v-title", Input).value == "Bad dates"
    with store.read() as s:
        assert [c.ref for c in list_calls(s)] == ["ITU-2023"]  # nothing saved


async def test_a_request_links_its_call_on_the_interest_tab(store: Store, fresh_target: str) -> None:
    create_call(store, {"title": "Regional centres 2025", "deadline": "2025-01-31"})
    ref = _regional(store, "2025-02-03")
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, ref)
        assert "✗ a country-owned regional centre answers a call" in text_of(screen, "#gate-interest")
        select = screen.query_one("#f-call_ref", Select)
        select.focus()
        await pilot.pause()
        select.value = "GVA-C1"
        before = screen.loaded
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: screen.loaded is not before)
        gate = text_of(screen, "#gate-interest")
        assert "✓ a country-owned regional centre answers a call" in gate
        assert "✗ the expression of interest came 3 days after the deadline of GVA-C1" in gate
        with store.read() as s:
            assert get_case(s, ref).call_ref == "GVA-C1"
