"""Starting on the case list: the first page is read with sqlite3 before SQLAlchemy loads, the
store opens in the background, and anything the first-page reader may not read falls back to the
ordinary start."""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.cases import list_cases
from dtlab.db.dialects import read_first_page
from dtlab.db.listing import CaseFilter
from dtlab.db.opening import StoreOpening
from dtlab.db.store import Store, StoreError
from dtlab.screens import case_list
from dtlab.screens.case_list import CaseListScreen
from dtlab.services.demo import generate
from tests.helpers.database import fresh_database
from tests.helpers.pilot import settle

pytestmark = pytest.mark.functional


@pytest.fixture
def demo(store: Store) -> Store:
    generate(store, cases=120, seed=11, today=date(2026, 11, 1))
    return store


def test_the_first_page_is_the_case_lists_own_first_page(demo: Store, db_path: Path) -> None:
    from dtlab.db.cases import get_case
    from dtlab.domain.clock import utc_now

    with demo.write() as s:  # a deleted case is not shown by either
        with demo.read() as r:
            first_ref = list_cases(r, CaseFilter(), limit=1)[0]["ref"]
        get_case(s, first_ref).deleted_at = utc_now()
    page = read_first_page(str(db_path), 50)
    assert page is not None
    with demo.read() as s:
        assert page.rows == list_cases(s, CaseFilter(), limit=50)
    assert page.site_code == "GVA" and page.site_id == demo.require_site().id
    assert page.label == demo.label


def test_the_first_page_is_not_read_from_what_the_store_must_open_first(tmp_path: Path, store: Store,
                                                                        db_path: Path) -> None:
    assert read_first_page(str(tmp_path / "missing.db"), 10) is None
    assert not (tmp_path / "missing.db").exists()  # and no file was made
    assert read_first_page(str(tmp_path), 10) is None  # a directory
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    assert read_first_page(str(tmp_path / "junk.db"), 10) is None
    assert read_first_page("postgresql://somewhere/dtlab", 10) is None
    blank = tmp_path / "blank.db"
    Store.open(fresh_database(blank), "tester").close()  # migrated, but no site yet: the site screen comes first
    assert read_first_page(str(blank), 10) is None
    with sqlite3.connect(db_path) as con:  # an older schema: the store migrates it first
        con.execute("UPDATE alembic_version SET version_num = '0009'")
    assert read_first_page(str(db_path), 10) is None
    assert read_first_page(f"sqlite:///{blank}", 10) is None


def test_a_store_opening_opens_once_for_every_thread_that_waits() -> None:
    opened: list[int] = []
    gate = threading.Event()

    def slow_open() -> Store:
        gate.wait(5)
        opened.append(1)
        return "the store"  # type: ignore[return-value]

    opening = StoreOpening(slow_open)
    opening.start()
    results: list[object] = []
    waiters = [threading.Thread(target=lambda: results.append(opening.get())) for _ in range(4)]
    for w in waiters:
        w.start()
    gate.set()
    for w in waiters:
        w.join(5)
    assert opened == [1] and results == ["the store"] * 4


def test_a_store_opening_hands_its_error_to_every_caller_and_close_never_opens() -> None:
    def broken() -> Store:
        raise StoreError("damaged")

    opening = StoreOpening(broken)
    for _ in range(2):
        with pytest.raises(StoreError, match="damaged"):
            opening.get()
    never = StoreOpening(lambda: pytest.fail("closing must not open the store"))
    never.close()
    with pytest.raises(RuntimeError, match="closed before"):
        never.get()


def test_closing_while_the_store_opens_does_not_wait_and_the_store_is_closed_once_open() -> None:
    class Opened:
        closed = False

        def close(self) -> None:
            self.closed = True

    gate, opened = threading.Event(), Opened()

    def slow_open() -> Store:
        gate.wait(5)
        return opened  # type: ignore[return-value]

    opening = StoreOpening(slow_open)
    opening.start()
    opening.close()  # returns at once: the opening is still waiting on the gate
    assert not opened.closed and opening.closed
    gate.set()
    for _ in range(100):
        if opened.closed:
            break
        threading.Event().wait(0.02)
    assert opened.closed


def test_the_terminal_ui_reaches_the_case_list_without_loading_sqlalchemy(tmp_path: Path) -> None:
    """What the first frame needs imports no SQLAlchemy, SQLModel or Alembic (they load in the
    background): this keeps start-up near a bare Textual app's, whatever the database's size."""
    code = ("import sys, dtlab.cli, dtlab.config, dtlab.app, dtlab.screens.case_list,"
            " dtlab.db.dialects.sqlite_first_page;"
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel', 'alembic'));"
            "assert not loaded, loaded")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


async def test_the_list_shows_its_first_page_before_the_store_opens_then_works(
        demo: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    demo.close()
    release = threading.Event()
    real_open = Store.open

    def held_open(target: str | Path, actor: str) -> Store:
        release.wait(10)  # the store is slow to open: the rows must not wait for it
        return real_open(target, actor)

    monkeypatch.setattr(Store, "open", held_open)
    app = make_app(str(db_path), Settings(user="tester"), start="cases")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, CaseListScreen) and app.screen.query("#flt-stage"))
        screen = app.screen
        table = screen.query_one(DataTable)
        assert not release.is_set()
        assert table.row_count == case_list.PAGE and str(table.get_row_at(0)[0]).startswith("GVA-")
        assert app.sub_title == f"GVA · {db_path.resolve()}"
        assert str(screen.query_one("#count").render()) == f"{case_list.PAGE} shown, counting…"
        # A search typed now waits for the store, then narrows the list.
        await pilot.press("slash", *"polytechnic")
        release.set()
        with real_open(db_path, "tester").read() as s:
            expected = len(list_cases(s, CaseFilter(search="polytechnic")))
        assert 0 < expected < 120
        await settle(pilot, lambda: table.row_count == expected)
        assert str(screen.query_one("#count").render()) == f"{expected} cases"
        assert screen.query_one("#search", Input).value == "polytechnic"


async def test_a_store_that_fails_to_open_behind_the_first_page_ends_the_app_with_its_reason(
        demo: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    demo.close()

    def failing_open(target: str | Path, actor: str) -> Store:
        raise StoreError(f"{target}: the disk went away")

    monkeypatch.setattr(Store, "open", failing_open)
    app = make_app(str(db_path), Settings(user="tester"), start="cases")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, lambda: app.return_code is not None)
    assert app.return_code == 2


async def test_the_first_page_is_counted_once_the_store_is_open(demo: Store, db_path: Path) -> None:
    demo.close()
    app = make_app(str(db_path), Settings(user="tester"), start="cases")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, CaseListScreen)
                     and str(app.screen.query_one("#count").render()) == f"{case_list.PAGE} of 120 cases")


@pytest.mark.parametrize("start", ["cases", "dashboard"])
async def test_garbage_is_collected_again_once_the_first_screen_is_drawn(demo: Store, db_path: Path, start: str,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line stops the collector while the app starts; the app turns it back on
    when the first screen is drawn (the fallback timer is put out of reach, so it is not what
    turns it on here)."""
    import gc

    from dtlab import app as app_module

    monkeypatch.setattr(app_module, "COLLECT_AGAIN_BY", 600)
    demo.close()
    gc.disable()
    try:
        app = make_app(str(db_path), Settings(user="tester"), start=start)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, gc.isenabled)
    finally:
        gc.unfreeze()  # what the app froze is this test process's, not an app's
        gc.enable()


def test_the_first_dashboard_is_the_dashboards_own_figures(demo: Store, db_path: Path) -> None:
    """`dtlab` draws the dashboard with figures read by sqlite3 before the store opens: the same
    figures, waiting cases and recent changes as the store's own read."""
    from dtlab.db.dialects import read_first_dashboard
    from dtlab.db.queries import dashboard
    from dtlab.sync.conflicts import open_conflict_count

    first = read_first_dashboard(str(db_path), 30)
    assert first is not None
    assert first.figures.waiting is None  # read by the store a moment later
    with demo.read() as s:
        assert first.figures == dataclasses.replace(dashboard(s, waiting=30, recent=30), waiting=None)
        assert first.conflicts == open_conflict_count(s)
    assert (first.site_code, first.label) == ("GVA", demo.label)
    assert read_first_dashboard(str(db_path.parent / "missing.db"), 5) is None
    assert read_first_dashboard("postgresql://somewhere/dtlab", 5) is None


def test_the_terminal_ui_reaches_the_dashboard_without_loading_sqlalchemy() -> None:
    code = ("import sys, dtlab.cli, dtlab.config, dtlab.app, dtlab.screens.dashboard,"
            " dtlab.db.dialects.sqlite_first_page;"
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel', 'alembic'));"
            "assert not loaded, loaded")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


async def test_the_dashboard_shows_its_figures_before_the_store_opens_then_monitoring(
        demo: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dtlab.screens.dashboard import BarChart, DashboardScreen

    demo.close()
    release = threading.Event()
    real_open = Store.open

    def held_open(target: str | Path, actor: str) -> Store:
        release.wait(10)  # the store is slow to open: the figures must not wait for it
        return real_open(target, actor)

    monkeypatch.setattr(Store, "open", held_open)
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen)
                     and app.screen.query_one("#pipeline", BarChart).data)
        assert not release.is_set()
        assert sum(n for _stage, n in app.screen.query_one("#pipeline", BarChart).data) > 0
        assert app.sub_title == f"GVA · {db_path.resolve()}"
        release.set()
        await settle(pilot, lambda: "Monitoring:" in str(app.screen.query_one("#panel-attention").border_title))
