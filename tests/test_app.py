"""The app shell, driven as a user would: first-run site prompt, the case list and its search."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.store import Store
from dtlab.screens.case_list import CaseListScreen
from dtlab.screens.dashboard import DashboardScreen
from dtlab.screens.site_setup import SiteSetupScreen
from dtlab.services.cases import create_case
from dtlab.services.demo import generate
from tests.helpers.database import fresh_database
from tests.helpers.pilot import settle

pytestmark = pytest.mark.functional


def settings() -> Settings:
    return Settings(user="tester")


async def wait_for_rows(pilot, table: DataTable, rows: int) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot, lambda: table.row_count == rows, lambda: f"{rows} rows in the table, not {table.row_count}")


async def test_first_run_asks_for_the_site_code_once(db_path: Path) -> None:
    app = make_app(str(db_path), settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SiteSetupScreen)
        await pilot.press("x", "enter")
        error = app.screen.query_one("#site-error", Static)
        await settle(pilot, lambda: str(error.render()).strip())
        assert "2 to 8 letters" in str(error.render())
        await pilot.press("backspace", *"nbo1", "enter")
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen))
    store = Store.open(db_path, "tester")
    assert store.site() is not None and store.site().code == "NBO1"  # type: ignore[union-attr]
    store.close()


async def test_case_list_shows_rows_and_search_narrows_it(store: Store, db_path: Path) -> None:
    create_case(store, {"title": "Regulatory sandbox for quokka farmers", "country": "KE"})
    generate(store, cases=30, seed=2)
    app = make_app(str(db_path), settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f3")
        await settle(pilot, lambda: isinstance(app.screen, CaseListScreen))
        table = app.screen.query_one(DataTable)
        await wait_for_rows(pilot, table, 31)
        count = app.screen.query_one("#count", Static)
        assert "31 cases" in str(count.render())
        await pilot.press("slash", *"quokka")
        await wait_for_rows(pilot, table, 1)
        assert str(table.get_row_at(0)[0]).startswith("GVA-")  # a cell is Text: data, never markup
        assert "1 case" in str(count.render())
        await pilot.press("escape")
        assert app.screen.query_one("#search", Input).value == ""
        await wait_for_rows(pilot, table, 31)


async def test_the_ui_can_start_on_the_case_list(store: Store, db_path: Path) -> None:
    """`dtlab tui --open cases`: the first screen is the case list, with its rows."""
    from dtlab.cli.parser import build_parser

    assert build_parser().parse_args(["tui", "--open", "cases"]).open == "cases"
    generate(store, cases=5, seed=2)
    app = make_app(str(db_path), settings(), start="cases")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, CaseListScreen))
        await wait_for_rows(pilot, app.screen.query_one(DataTable), 5)


def shown(screen) -> str:  # type: ignore[no-untyped-def]
    """The text of a screen's Statics as a terminal shows it (tables included)."""
    import io

    from rich.console import Console

    console = Console(width=120, file=io.StringIO(), color_system=None)
    for widget in screen.query(Static):
        console.print(widget.content)
    return console.file.getvalue()  # type: ignore[attr-defined]


async def test_f1_lists_the_keys_of_the_current_screen(store: Store, db_path: Path) -> None:
    from dtlab.screens.help import HelpScreen

    app = make_app(str(db_path), settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f3")
        await settle(pilot, lambda: isinstance(app.screen, CaseListScreen))
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = shown(app.screen)
        assert "Keys: Case list" in text
        assert "Record a new request  (cases.new)" in text and "Type to narrow the list" in text
        assert "Dimmed" not in text and "do not apply right now are dimmed." in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CaseListScreen)


async def test_keys_can_be_remapped_from_the_config(store: Store, db_path: Path) -> None:
    from dtlab.screens.intake import IntakeScreen

    app = make_app(str(db_path), Settings(user="tester", keymap={"dashboard.new": "f5"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("f5")
        await settle(pilot, lambda: isinstance(app.screen, IntakeScreen))


async def test_a_remapped_key_shows_under_its_new_key_in_help_even_dimmed(store: Store, db_path: Path) -> None:
    """F1 lists the keys that do not apply now from the screen's declarations: under the key
    the config gave them, not the default (`p` makes a plan only at set-up and later)."""
    from dtlab.screens.case_view import CaseScreen
    from dtlab.screens.help import HelpScreen
    from dtlab.services.cases import create_case

    ref = create_case(store, {"title": "Hub", "country": "KE"})
    app = make_app(str(db_path), Settings(user="tester", keymap={"case.plan": "f9"}))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.store is not None)
        app.open_case(ref)
        await settle(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.shown_stage is not None)
        await pilot.press("f1")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        lines = [line.strip() for line in shown(app.screen).splitlines() if "(case.plan)" in line]
        assert lines and lines[0].startswith("f9 "), lines


async def test_high_contrast_theme_and_no_color(store: Store, db_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(str(db_path), Settings(user="tester", theme="dtlab-high-contrast"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "dtlab-high-contrast"
        assert app.no_color


async def test_f2_and_f3_show_the_screen_itself_not_a_case_left_open(store: Store, db_path: Path) -> None:
    from dtlab.screens.case_view import CaseScreen
    from dtlab.services.cases import create_case

    create_case(store, {"title": "Hub", "country": "KE"})
    app = make_app(str(db_path), settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f3")
        await settle(pilot, lambda: app.screen.query("DataTable") and app.screen.query_one(DataTable).row_count)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.shown_stage is not None)
        await pilot.press("f2")
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("f3")
        await settle(pilot, lambda: isinstance(app.screen, CaseListScreen))


async def test_the_site_prompt_cannot_be_skipped(db_path: Path) -> None:
    app = make_app(str(fresh_database(db_path)), settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f3", "f2", "ctrl+p")
        await pilot.pause()  # what the keys would have opened, it would have by now
        assert isinstance(app.screen, SiteSetupScreen)


async def test_quitting_over_unsaved_work_asks_first(store: Store, db_path: Path) -> None:
    from dtlab.screens.intake import IntakeScreen
    from dtlab.widgets.dialogs import ConfirmDialog

    app = make_app(str(db_path), settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+n")
        await settle(pilot, lambda: isinstance(app.screen, IntakeScreen) and app.screen.query("#f-title"))
        intake = app.screen
        await pilot.press(*"Half-typed")
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("enter")  # "Keep editing" has the focus
        await settle(pilot, lambda: app.screen is intake)
        assert app.is_running
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.click("#yes")
        await settle(pilot, lambda: not app.is_running)
