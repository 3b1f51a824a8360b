"""The case list: filters, sorting, paging as the cursor moves, saved filters."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static

from dtlab import saved_filters
from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.cases import count_cases
from dtlab.db.listing import CaseFilter
from dtlab.db.store import Store
from dtlab.screens import case_list
from dtlab.screens.case_list import CaseListScreen
from dtlab.services.demo import generate
from dtlab.widgets.dialogs import ReasonDialog
from tests.helpers.pilot import dialog_shown, paste, settle

pytestmark = [pytest.mark.functional, pytest.mark.both_databases]  # the screens on either database


async def open_list(pilot) -> CaseListScreen:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.press("f3")
    # The filter selects arrive once the first rows are drawn.
    await settle(pilot, lambda: isinstance(pilot.app.screen, CaseListScreen)
                 and pilot.app.screen.query_one(DataTable).row_count > 0 and pilot.app.screen.query("#flt-stage"))
    return pilot.app.screen


def count_text(screen: CaseListScreen) -> str:
    return str(screen.query_one("#count", Static).render())


@pytest.fixture
def demo(store: Store) -> Store:
    generate(store, cases=300, seed=3, today=date(2026, 11, 1))
    return store


async def test_filters_narrow_the_list_and_escape_clears_them(demo: Store, fresh_target: str) -> None:
    with demo.read() as s:
        expected = count_cases(s, CaseFilter(stage="assessment", region="AFR"))
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_list(pilot)
        screen.query_one("#flt-stage", Select).value = "assessment"
        screen.query_one("#flt-region", Select).value = "AFR"
        table = screen.query_one(DataTable)
        await settle(pilot, lambda: table.row_count == expected)
        assert all(table.get_row_at(i)[3] == "Assessment" for i in range(table.row_count))
        assert count_text(screen) == f"{expected} case{'s' if expected != 1 else ''}"
        screen.query_one("#search", Input).value = "no such case anywhere"
        await settle(pilot, lambda: table.row_count == 0 and "no match" in count_text(screen))
        table.focus()
        await pilot.press("escape")
        await settle(pilot, lambda: table.row_count == case_list.PAGE)
        # The rows come first; their count once the filter has stayed a moment.
        await settle(pilot, lambda: count_text(screen) == f"{case_list.PAGE} of 300 cases")


async def test_rows_load_a_page_at_a_time_as_the_cursor_moves(demo: Store, fresh_target: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(case_list, "PAGE", 50)
    monkeypatch.setattr(case_list, "NEAR_END", 10)
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_list(pilot)
        table = screen.query_one(DataTable)
        assert table.row_count == 50
        await settle(pilot, lambda: count_text(screen) == "50 of 300 cases")
        for _ in range(6):
            await pilot.press("pagedown")
            await pilot.pause()
        await settle(pilot, lambda: table.row_count >= 100)
        refs = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert len(refs) == len(set(refs)), "a page was loaded twice"


async def test_sorting_by_header_and_keys(demo: Store, fresh_target: str) -> None:
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_list(pilot)
        table = screen.query_one(DataTable)
        first = table.get_row_at(0)[0]
        await pilot.press("O")  # reverse the ref order
        await settle(pilot, lambda: table.get_row_at(0)[0] != first)
        assert str(table.columns["ref"].label).endswith("▼")  # type: ignore[index]
        await pilot.click("DataTable", offset=(20, 0))  # the Title header
        await settle(pilot, lambda: screen.sort == "title" and screen.shown_generation == screen.generation
                     and table.row_count > 0)
        titles = [str(table.get_row_at(i)[1]) for i in range(20)]
        assert titles == sorted(titles)


async def test_a_filter_is_saved_under_a_name_and_reopened(demo: Store, fresh_target: str, isolated_dirs: Path) -> None:
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_list(pilot)
        screen.query_one("#flt-region", Select).value = "EUR"
        screen.query_one("#search", Input).value = "sandbox"
        await settle(pilot, lambda: screen.current_filter() == CaseFilter(region="EUR", search="sandbox")
                     and screen.shown_generation == screen.generation)
        screen.query_one(DataTable).focus()
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await paste(pilot, "Europe sandboxes")
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is screen)
        assert saved_filters.load_all() == {"Europe sandboxes": CaseFilter(region="EUR", search="sandbox")}
        await pilot.press("escape")
        await settle(pilot, lambda: screen.current_filter() == CaseFilter())
        await pilot.press("ctrl+o")
        await dialog_shown(pilot)
        dialog = app.screen
        dialog.query_one("#v-name", Select).value = "Europe sandboxes"
        # Clicked once the dialog is drawn with the choice in it, as a person sees it first.
        await settle(pilot, lambda: dialog.query_one("#ok").region.width > 0)
        await pilot.click("#ok")
        await settle(pilot, lambda: screen.current_filter() == CaseFilter(region="EUR", search="sandbox"))


async def test_the_type_filter_offers_the_reference_types(demo: Store, fresh_target: str) -> None:
    with demo.read() as s:
        expected = count_cases(s, CaseFilter(centre_type="initiative"))
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_list(pilot)
        select = screen.query_one("#flt-type", Select)

        def choose() -> bool:  # possible once the types are read from the reference data
            try:
                select.value = "initiative"
            except Exception:
                return False
            return True

        await settle(pilot, choose)
        table = screen.query_one(DataTable)
        await settle(pilot, lambda: count_text(screen).startswith(f"{expected} "))
        assert expected > 0 and table.row_count == min(expected, case_list.PAGE)


async def test_enter_in_the_search_goes_to_the_rows_and_esc_clears_only_the_search(demo: Store,
                                                                                  fresh_target: str) -> None:
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_list(pilot)
        table = screen.query_one(DataTable)
        screen.query_one("#flt-stage", Select).value = "assessment"
        await pilot.press("slash", *"hub")
        search = screen.query_one("#search", Input)
        await settle(pilot, lambda: count_text(screen) != "" and search.value == "hub")
        await pilot.press("enter")
        assert table.has_focus
        await pilot.press("slash", "escape")
        await settle(pilot, lambda: search.value == "" and table.has_focus)
        assert screen.current_filter().stage == "assessment"  # the stage filter stays


async def test_a_case_changed_while_open_shows_its_new_state_on_return(demo: Store, fresh_target: str) -> None:
    from dtlab.db.cases import list_cases
    from dtlab.domain.stages import MoveKind
    from dtlab.screens.case_view import CaseScreen
    from dtlab.services.cases import move_case

    with demo.read() as s:
        shown = list_cases(s, CaseFilter(), limit=case_list.PAGE)  # the rows the list opens with
    ref = next(r["ref"] for r in shown if r["status"] == "open")
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_list(pilot)
        table = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(ref))
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.shown_stage is not None)
        move_case(demo, ref, MoveKind.WITHDRAW, reason="applicant withdrew")  # as another window would
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen and str(table.get_row(ref)[4]) == "Withdrawn")
        assert table.cursor_row == table.get_row_index(ref)  # the user's place is kept


async def test_columns_follow_the_terminal_width(demo: Store, fresh_target: str) -> None:
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_list(pilot)

        def columns() -> dict[str, int]:
            return {str(c.key.value): c.width for c in screen.query_one(DataTable).columns.values()}

        assert "applicant" not in columns() and columns()["title"] == 25
        await pilot.resize_terminal(200, 50)
        await settle(pilot, lambda: "applicant" in columns()
                     and screen.query_one(DataTable).row_count == case_list.PAGE)
        assert columns()["title"] > 80  # the room goes to the title and the applicant, not to blank space
        await pilot.resize_terminal(80, 24)
        await settle(pilot, lambda: "applicant" not in columns() and columns()["title"] == 25)


async def test_home_and_end_move_the_cursor_and_end_reads_on(demo: Store, fresh_target: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(case_list, "PAGE", 50)
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_list(pilot)
        table = screen.query_one(DataTable)
        table.focus()
        await pilot.press("end")
        await settle(pilot, lambda: table.row_count >= 100)  # reaching the last row read reads the next page
        assert table.cursor_row == 49
        await pilot.press("end")
        await settle(pilot, lambda: table.cursor_row == 99 and table.row_count >= 150)
        await pilot.press("home")
        await settle(pilot, lambda: table.cursor_row == 0)


async def test_a_new_sort_keeps_the_count_and_a_failed_count_says_so(demo: Store, fresh_target: str,
                                                                    monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_list(pilot)
        table = screen.query_one(DataTable)
        await settle(pilot, lambda: count_text(screen) == f"{case_list.PAGE} of 300 cases")
        await pilot.press("o")  # the same cases in another order: shown with their count at once
        await settle(pilot, lambda: screen.sort == "title" and screen.shown_generation == screen.generation)
        assert count_text(screen) == f"{case_list.PAGE} of 300 cases"

        def broken(*_args: object) -> int:
            raise RuntimeError("disk I/O error")

        monkeypatch.setattr("dtlab.db.cases.count_cases", broken)
        screen.query_one("#search", Input).value = "a"
        await settle(pilot, lambda: count_text(screen) == f"{table.row_count} shown")


async def test_a_filter_asked_for_before_the_selects_arrive_is_kept(demo: Store, fresh_target: str,
                                                                   monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A saved filter opened (or Esc pressed) while the first page is still being read: the
    selects, mounted once rows are drawn, come up holding it, and the list shows it."""
    import threading

    from dtlab.db import cases

    real_list = cases.list_cases
    release = threading.Event()

    def slow_list(*args: object, **kwargs: object) -> list[dict[str, object]]:
        release.wait(10)  # the first page waits until the filter has been asked for
        return real_list(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cases, "list_cases", slow_list)
    with demo.read() as s:
        expected = count_cases(s, CaseFilter(stage="assessment"))
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("f3")
        await settle(pilot, lambda: isinstance(app.screen, CaseListScreen))
        screen = app.screen
        assert not screen.query("#flt-stage")  # the first page is still being read
        screen.apply_filter(CaseFilter(stage="assessment"))
        release.set()
        table = screen.query_one(DataTable)
        # (A select given a value takes it as it mounts, a moment after it can be found.)
        await settle(pilot, lambda: screen.query("#flt-stage") and table.row_count == expected
                     and screen.query_one("#flt-stage", Select).value == "assessment")
        assert all(table.get_row_at(i)[3] == "Assessment" for i in range(table.row_count))
