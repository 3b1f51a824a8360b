"""Opening a case (DtlabApp.open_case): read first, then the screen drawn with the case in it,
from every place a case is opened; a case that is gone said so where the user is; a case open
already shown again, never twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.store import Store
from dtlab.screens.case_list import CaseListScreen
from dtlab.screens.case_view import CaseScreen
from dtlab.services.cases import create_case
from tests.helpers.pilot import notices, settle, text_of

pytestmark = pytest.mark.functional


@pytest.fixture
def two_cases(store: Store) -> list[str]:
    refs = [create_case(store, {"title": title, "country": "KE"}) for title in ("Smart villages", "AI sandbox")]
    store.close()
    return refs


async def test_a_case_opened_from_the_list_is_drawn_with_its_fields_at_once(
        two_cases: list[str], db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The case is read before its screen is made: the screen never reads it again to show it,
    and its summary never says "Loading"."""
    summaries: list[str] = []
    reads: list[str] = []
    real_show, real_load = CaseScreen.show, CaseScreen.load

    async def show(self: CaseScreen, loaded: object) -> None:
        summaries.append(text_of(self, "#case-summary"))  # what it said before the case was in
        await real_show(self, loaded)  # type: ignore[arg-type]

    def load(self: CaseScreen) -> None:
        reads.append(self.ref)
        real_load(self)

    monkeypatch.setattr(CaseScreen, "show", show)
    monkeypatch.setattr(CaseScreen, "load", load)
    app = make_app(str(db_path), Settings(user="tester"), start="cases")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, CaseListScreen)
                     and app.screen.query_one(DataTable).row_count == 2 and app.store is not None)
        app.screen.query_one(DataTable).focus()
        await pilot.press("down", "enter")
        await settle(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.shown_stage is not None)
        screen = app.screen
        assert screen.ref == two_cases[1]
        assert "AI sandbox" in text_of(screen, "#case-summary")
        assert reads == [] and len(summaries) == 1
        form = screen.active_form()
        assert form is not None and form.loaded


async def test_a_case_that_is_gone_is_said_so_where_the_user_is(two_cases: list[str], db_path: Path) -> None:
    app = make_app(str(db_path), Settings(user="tester"), start="cases")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, CaseListScreen) and app.store is not None)
        before, told = list(app.screen_stack), notices(app)
        app.open_case("GVA-2026-9999")
        await settle(pilot, lambda: told == ["no case GVA-2026-9999"], lambda: f"the notice, not {told}")
        assert app.screen_stack == before


async def test_a_case_open_already_is_shown_again_not_opened_twice(
        two_cases: list[str], db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never two screens for one case, and one already open is not read again to be shown."""
    from dtlab.screens import case_view

    reads: list[str] = []
    real_read = case_view.read_case

    def read_case(store: Store, ref: str, with_choices: bool = True) -> case_view.Loaded:
        reads.append(ref)
        return real_read(store, ref, with_choices)

    monkeypatch.setattr(case_view, "read_case", read_case)
    app = make_app(str(db_path), Settings(user="tester"), start="cases")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, CaseListScreen) and app.store is not None)
        app.open_case(two_cases[0])
        await settle(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.shown_stage is not None)
        first = app.screen
        app.open_case(two_cases[0].lower())  # as typed in the palette
        await pilot.pause()
        await settle(pilot, lambda: app.screen is first and not app.workers)
        assert [s for s in app.screen_stack if isinstance(s, CaseScreen)] == [first]
        assert reads == [two_cases[0]]
