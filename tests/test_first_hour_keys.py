"""What a new user meets in the first hour, by key (issue 16, points 17 and 18): nothing cut
without "…", the footer within the screen, every key of a screen in F1, ←/→ from a tab's text to
the next tab, and a key with nothing to do here saying so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.widgets import DataTable, Footer, TabbedContent

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.store import Store
from dtlab.screens.case_list import CaseListScreen
from dtlab.screens.centre import CentreScreen
from dtlab.screens.help import HelpScreen
from dtlab.screens.milestones import MilestonesScreen
from dtlab.screens.sync import SyncScreen
from dtlab.services.cases import create_case
from tests.helpers.cases import planned_centre
from tests.helpers.pilot import notices, open_case, open_centre, settle

pytestmark = pytest.mark.functional

LONG_TITLE = "A digital transformation acceleration centre for the Pacific island states"


def _footer_fits(app: Any) -> bool:
    footer = app.screen.query_one(Footer)
    keys = [w for w in footer.children if getattr(w, "action", None)]
    return footer.max_scroll_x == 0 and any(w.action == "help" for w in keys)


async def test_every_main_screen_keeps_its_footer_within_80_columns(store: Store, db_path: Path) -> None:
    ref = planned_centre(store)
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: _footer_fits(app), "the dashboard's footer within the screen")
        for key, screen in (("f3", CaseListScreen), ("f4", MilestonesScreen), ("f5", SyncScreen)):
            await pilot.press(key)
            await settle(pilot, lambda screen=screen: isinstance(app.screen, screen) and _footer_fits(app),
                         f"the footer of {screen.__name__} within 80 columns, F1 Help in it")
        await open_case(pilot, ref)
        await settle(pilot, lambda: _footer_fits(app), "the case screen's footer within 80 columns")
        app.push_screen(CentreScreen(ref))
        await settle(pilot, lambda: isinstance(app.screen, CentreScreen) and _footer_fits(app))


async def test_a_long_title_ends_in_an_ellipsis_in_the_list(store: Store, db_path: Path) -> None:
    create_case(store, {"title": LONG_TITLE, "country": "FJ"})
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await settle(pilot, lambda: isinstance(app.screen, CaseListScreen)
                     and app.screen.query_one(DataTable).row_count == 1)
        cell = app.screen.query_one(DataTable).get_row_at(0)[1]
        assert isinstance(cell, Text) and cell.overflow == "ellipsis" and cell.no_wrap
        shown = app.screen.query_one(DataTable).render_line(1).text
        assert "…" in shown and LONG_TITLE[:20] in shown


async def test_f1_lists_every_key_of_the_screen_dimming_those_that_do_not_apply(store: Store,
                                                                             db_path: Path) -> None:
    ref = create_case(store, {"title": "Hub", "country": "KE"})
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(100, 40)) as pilot:
        await open_case(pilot, ref)
        await pilot.press("f1")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = {keys: enabled for keys, _what, enabled in app.screen.rows}
        # m, p and k apply to a centre, not to a case at interest: listed all the same, dimmed.
        assert rows["m"] is False and rows["p"] is False and rows["k"] is False
        assert rows["a"] is True and rows["←"] and rows["→"]


async def test_right_arrow_in_the_history_goes_on_to_the_notes(store: Store, db_path: Path) -> None:
    ref = create_case(store, {"title": "Hub", "country": "KE"})
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, ref)
        await pilot.press("h")
        await settle(pilot, lambda: screen.query_one(TabbedContent).active == "tab-history"
                     and app.focused is screen.query_one("#tab-history PaneScroll"))
        await pilot.press("right")
        await settle(pilot, lambda: screen.query_one(TabbedContent).active == "tab-notes"
                     and app.focused is screen.query_one("#tab-notes PaneScroll"))
        await pilot.press("left")
        await settle(pilot, lambda: screen.query_one(TabbedContent).active == "tab-history")


async def test_n_on_the_timeline_says_where_items_are_added(store: Store, db_path: Path) -> None:
    ref = planned_centre(store)
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_centre(pilot, ref, "timeline")
        told = notices(app)
        await pilot.press("n")
        await settle(pilot, lambda: told)
        assert "on its own tab" in told[0]
        assert isinstance(app.screen, CentreScreen) and app.screen.active_tab() == "timeline"


@pytest.mark.parametrize("size, whole", [((200, 50), True), ((80, 24), False)])
async def test_evaluator_names_are_whole_where_there_is_room(store: Store, db_path: Path, size: tuple[int, int],
                                                             whole: bool) -> None:
    from dtlab.screens.concept_review import ConceptReviewScreen
    from tests.helpers.cases import design_case, evaluate

    ref = design_case(store)
    evaluate(store, ref, "Amina Mensah")
    evaluate(store, ref, "Jorge Rivera", each=2)
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=size) as pilot:
        await open_case(pilot, ref)
        await pilot.press("v")
        await settle(pilot, lambda: isinstance(app.screen, ConceptReviewScreen) and "mean" in _text(app.screen))
        header = next(line for line in _text(app.screen).splitlines() if line.rstrip().endswith("mean"))
        if whole:
            assert "Amina Mensah" in header and "Jorge Rivera" in header
        else:
            assert "…" in header and len(header) <= size[0]


def _text(screen: Any) -> str:
    """The evaluators' table as the terminal shows it, at the screen's width."""
    import io

    from rich.console import Console

    console = Console(width=screen.size.width, file=io.StringIO(), color_system=None)
    console.print(screen.query_one("#review-evaluations").content)
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_a_saved_filter_is_described_in_the_lists_words() -> None:
    from dtlab.db.listing import CaseFilter
    from dtlab.screens.case_list import describe_filter

    said = describe_filter(CaseFilter(stage="implementation", status="withdrawn", centre_type="initiative"),
                           {"initiative": "Innovation Initiative"})
    assert "stage Set-up" in said and "status Withdrawn" in said and "implementation" not in said
    assert "centre type Innovation Initiative" in said and "initiative," not in said


async def test_d_on_a_desk_with_cases_says_why_it_does_nothing(store: Store, db_path: Path) -> None:
    create_case(store, {"title": "Hub", "country": "KE"})
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: _footer_fits(app))
        told = notices(app)
        await pilot.press("d")
        await settle(pilot, lambda: told)
        assert "empty database" in told[0]
    with store.read() as s:
        from dtlab.db.cases import count_cases
        from dtlab.db.listing import CaseFilter

        assert count_cases(s, CaseFilter()) == 1


async def test_every_column_of_the_list_shows_its_sort_arrow(store: Store, db_path: Path) -> None:
    """The newcomer's walk: sorted by CC, the 2-wide column cut its arrow, and nothing said the sort."""
    create_case(store, {"title": "Hub", "country": "KE"})
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await settle(pilot, lambda: isinstance(app.screen, CaseListScreen)
                     and app.screen.query_one(DataTable).row_count == 1)
        screen = app.screen
        for _ in screen.shown_columns:
            label = next(str(c.label) for c in screen.query_one(DataTable).columns.values()
                         if str(c.key.value) == screen.sort)
            width = next(c.width for c in screen.query_one(DataTable).columns.values()
                         if str(c.key.value) == screen.sort)
            assert label.endswith(("▲", "▼")) and len(label) <= width
            await pilot.press("o")
            await pilot.pause()


async def test_enter_in_the_search_opens_the_one_case_found(store: Store, db_path: Path) -> None:
    from dtlab.screens.case_view import CaseScreen

    app = _two_cases(store, db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _on_the_list(pilot, 2)
        await pilot.press("slash", *"andes")
        await settle(pilot, lambda: app.screen.query_one(DataTable).row_count == 1 and app.screen.total == 1)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.ref.endswith("0001"))
        # Opened as from its row: the list refreshes that row when the user comes back.
        assert app.screen_stack[-2].opened_ref == app.screen.ref


async def test_esc_on_a_select_leaves_the_field_not_the_case(store: Store, db_path: Path) -> None:
    from textual.widgets import Select

    from dtlab.screens.case_view import CaseScreen

    ref = create_case(store, {"title": "Hub", "country": "KE"})
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_case(pilot, ref)
        select = screen.query_one("#f-channel", Select)
        select.focus()
        await settle(pilot, lambda: select.has_focus or select.has_focus_within)
        await pilot.press("enter")  # its list open
        await settle(pilot, lambda: select.expanded)
        await pilot.press("escape")  # closes the list
        await settle(pilot, lambda: not select.expanded)
        await pilot.press("escape")  # leaves the field
        await settle(pilot, lambda: not (select.has_focus or select.has_focus_within))
        assert app.screen is screen and isinstance(app.screen, CaseScreen)


async def test_a_long_title_keeps_the_case_header_to_two_lines_with_an_ellipsis(store: Store,
                                                                               db_path: Path) -> None:
    ref = create_case(store, {"title": LONG_TITLE + " and its neighbours across the ocean", "country": "FJ"})
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, ref)
        header = screen.query_one("#case-summary")
        await settle(pilot, lambda: "Expression of interest" in header.render_line(1).text)
        first, second = header.render_line(0).text.rstrip(), header.render_line(1).text.rstrip()
        assert first.endswith("…") and ref in first
        assert "Expression of interest" in second and "FJ" in second


async def test_slash_starts_a_new_search(store: Store, db_path: Path) -> None:
    """The second walk: / kept the last search and typing was appended to it."""
    from textual.widgets import Input

    app = _two_cases(store, db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _on_the_list(pilot, 2)
        await pilot.press("slash", *"andes", "down")
        await settle(pilot, lambda: app.screen.query_one(DataTable).row_count == 1)
        await pilot.press("slash", *"sahel")
        await settle(pilot, lambda: app.screen.query_one("#search", Input).value == "sahel")


def _two_cases(store: Store, db_path: Path) -> Any:
    create_case(store, {"title": "Andes hub", "country": "PE"})
    create_case(store, {"title": "Sahel hub", "country": "ML"})
    return make_app(str(db_path), Settings(user="tester"))


async def _on_the_list(pilot: Any, rows: int) -> None:
    """F3, and wait until the list shows its rows."""
    app = pilot.app
    await pilot.press("f3")
    await settle(pilot, lambda: isinstance(app.screen, CaseListScreen)
                 and app.screen.query_one(DataTable).row_count == rows)


async def test_an_empty_keys_tab_and_the_note_dialog_say_what_to_do(store: Store, db_path: Path) -> None:
    """The second walk: F5's Keys tab was an empty table with no word, and the note dialog had
    no key line."""
    from tests.helpers.pilot import text_of

    ref = create_case(store, {"title": "Hub", "country": "KE"})
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await settle(pilot, lambda: isinstance(app.screen, SyncScreen) and app.screen.loaded is not None)
        await pilot.press("3")
        await settle(pilot, lambda: "No trusted sites yet" in text_of(app.screen, "#key-line"))
        screen = await open_case(pilot, ref)
        await pilot.press("n")
        await settle(pilot, lambda: app.screen is not screen and app.screen.query(".dialog-keys"))
        assert "Esc: Cancel" in text_of(app.screen, ".dialog-keys")
