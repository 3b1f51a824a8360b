"""Switching language in the running app (issue 19, point 4): chosen in the palette, every screen
speaks it at once or when next shown, nothing typed is lost, and the choice is kept for the next
start. And every main screen's footer fits 80 columns in every language (point 5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Footer, Input

from dtlab import i18n
from dtlab.app import make_app
from dtlab.config import Settings, load_settings
from dtlab.db.store import Store
from dtlab.i18n import LANGUAGES, use_language
from dtlab.screens.calls import CallsScreen
from dtlab.screens.case_list import CaseListScreen
from dtlab.screens.centre import CentreScreen
from dtlab.screens.dashboard import DashboardScreen
from dtlab.screens.intake import IntakeScreen
from dtlab.screens.language import switch_language
from dtlab.screens.milestones import MilestonesScreen
from dtlab.screens.sync import SyncScreen
from dtlab.widgets.fields import FieldRow
from tests.helpers.cases import planned_centre
from tests.helpers.pilot import open_case, paste, settle
from tests.helpers.screen_words import drawn_lines

pytestmark = pytest.mark.functional


@pytest.fixture(autouse=True)
def english_after() -> Any:
    yield
    use_language("en")


def said_in(code: str, message: str) -> str:
    """`message` as the catalogue of `code` says it."""
    here = i18n.language()
    try:
        use_language(code)
        return str(i18n._(message))
    finally:
        use_language(here)


def drawn(app: Any) -> str:
    return "\n".join(drawn_lines(app))


async def test_the_palette_switches_language_and_keeps_what_was_typed(store: Store, db_path: Path) -> None:
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("ctrl+n")
        await settle(pilot, lambda: isinstance(app.screen, IntakeScreen) and app.screen.query("#f-title"))
        title = app.screen.query_one("#f-title", Input)
        await paste(pilot, "Réseau d'innovation du Sahel", into=title)
        await pilot.press("ctrl+p")
        await pilot.press(*"Français")
        await settle(pilot, lambda: "Français" in drawn(app), "the French command in the palette")
        await pilot.press("enter")
        await settle(pilot, lambda: i18n.language() == "fr" and said_in("fr", "Save") in drawn(app),
                     lambda: "the form redrawn in French:\n" + drawn(app))
        assert isinstance(app.screen, IntakeScreen)
        await settle(pilot, lambda: app.screen.query("#f-title")
                     and app.screen.query_one("#f-title", Input).value == "Réseau d'innovation du Sahel",
                     "the typed title kept through the redraw")
        assert said_in("fr", "New request") in drawn(app)
        # A select's fixed choices, made when their module loaded, are said in French too.
        channel = next(row for row in app.screen.query(FieldRow) if row.spec.name == "channel")
        assert said_in("fr", "Letter of interest") in [str(label) for _value, label in channel.options]
        # Still unsaved: leaving asks first, in French.
        assert app.screen.form is not None and app.screen.form.dirty
    assert load_settings().language == "fr"


async def test_every_main_screen_speaks_the_new_language(store: Store, db_path: Path) -> None:
    ref = planned_centre(store)
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("f3")
        await settle(pilot, lambda: isinstance(app.screen, CaseListScreen)
                     and app.screen.query_one(DataTable).row_count == 1)
        await pilot.press("slash")
        await paste(pilot, ref[:3], into=app.screen.query_one("#search", Input))
        await settle(pilot, lambda: app.screen.query_one(DataTable).row_count == 1)
        await switch_language(app, "zh")
        # The list drawn again: its columns and rows, the search as typed.
        await settle(pilot, lambda: app.screen.query_one(DataTable).row_count == 1
                     and said_in("zh", "Title") in drawn(app), lambda: drawn(app))
        assert app.screen.query_one("#search", Input).value == ref[:3]
        # The other modes were drawn in English: each speaks Chinese when shown.
        for key, screen, word in (("f2", DashboardScreen, "Help"), ("f4", MilestonesScreen, "Help"),
                                  ("f5", SyncScreen, "Help"), ("f6", CallsScreen, "Help")):
            await pilot.press(key)
            await settle(pilot, lambda screen=screen, word=word: isinstance(app.screen, screen)
                         and said_in("zh", word) in drawn(app), lambda: drawn(app))
        case = await open_case(pilot, ref)
        await switch_language(app, "ar")
        await settle(pilot, lambda: said_in("ar", "Help") in drawn(app) and case.shown_stage is not None,
                     lambda: drawn(app))
        app.push_screen(CentreScreen(ref))
        await settle(pilot, lambda: isinstance(app.screen, CentreScreen) and said_in("ar", "Help") in drawn(app))


def _footer_fits(app: Any) -> bool:
    footer = app.screen.query_one(Footer)
    keys = [w for w in footer.children if getattr(w, "action", None)]
    return footer.max_scroll_x == 0 and any(w.action == "help" for w in keys)


@pytest.mark.parametrize("code", [c for c in LANGUAGES if c != "en"])
async def test_every_main_screen_keeps_its_footer_within_80_columns(code: str, store: Store, db_path: Path) -> None:
    ref = planned_centre(store)
    use_language(code)
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: _footer_fits(app), "the dashboard's footer within the screen")
        for key, screen in (("f3", CaseListScreen), ("f4", MilestonesScreen), ("f5", SyncScreen),
                            ("f6", CallsScreen)):
            await pilot.press(key)
            await settle(pilot, lambda screen=screen: isinstance(app.screen, screen) and _footer_fits(app),
                         lambda: f"the footer of {app.screen} within 80 columns, F1 in it:\n" + drawn(app))
        await open_case(pilot, ref)
        await settle(pilot, lambda: _footer_fits(app), lambda: "the case screen's footer:\n" + drawn(app))
        app.push_screen(CentreScreen(ref))
        await settle(pilot, lambda: isinstance(app.screen, CentreScreen) and _footer_fits(app),
                     lambda: "the centre's footer:\n" + drawn(app))
