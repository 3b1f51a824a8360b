"""The dashboard: a welcome on an empty database with demo data one key away, then the pipeline,
regions, waiting cases and recent changes; the palette opens a case by a piece of its title."""

from __future__ import annotations

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import OptionList, Static

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db import plans
from dtlab.db.cases import count_cases
from dtlab.db.store import Store
from dtlab.screens.case_view import CaseScreen
from dtlab.screens.dashboard import BarChart, DashboardScreen, bar
from dtlab.services.cases import create_case
from dtlab.services.demo import generate
from tests.helpers.pilot import settle

pytestmark = [pytest.mark.functional, pytest.mark.both_databases]  # the screens on either database


def test_bars_use_eighths_and_never_overflow() -> None:
    assert bar(10, 10, 5) == "█████"
    assert bar(1, 16, 2) == "▏"
    assert bar(0, 10, 5) == ""
    assert all(len(bar(n, 97, 12)) <= 12 for n in range(98))


async def test_empty_database_welcomes_and_loads_demo_data_with_one_key(store: Store, fresh_target: str) -> None:
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen.has_class("-empty"))
        welcome = str(app.screen.query_one("#welcome", Static).render())
        assert "no cases yet" in welcome and "demo" in welcome
        await pilot.press("d")
        await settle(pilot, lambda: not app.screen.has_class("-empty"))
        chart = app.screen.query_one("#pipeline", BarChart)
        assert chart.data and sum(n for _label, n in chart.data) > 0
    with store.read() as s:
        assert count_cases(s) == 500


async def test_counts_follow_the_database(store: Store, fresh_target: str) -> None:
    generate(store, cases=60, seed=2)
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: app.screen.query_one("#pipeline", BarChart).data)
        before = dict(app.screen.query_one("#pipeline", BarChart).data)["Interest"]
        ref = create_case(store, {"title": "Walk-in request", "country": "KE"})
        await pilot.press("ctrl+r")
        await settle(pilot, lambda: dict(app.screen.query_one("#pipeline", BarChart).data)["Interest"] == before + 1)
        recent = app.screen.query_one("#recent", OptionList)
        await settle(pilot, lambda: "new case" in str(recent.get_option_at_index(0).prompt))
        # Enter on a recent change opens its case.
        recent.focus()
        recent.highlighted = 0
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.shown_stage is not None)
        assert app.screen.ref == ref


async def test_palette_opens_a_case_by_part_of_its_title(store: Store, fresh_target: str) -> None:
    ref = create_case(store, {"title": "Quokka conservation sandbox", "country": "AU"})
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("ctrl+p")
        await settle(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"quokka")
        commands = app.screen.query_one(CommandList)
        # Enter takes the highlighted command: wait until it is the case found by its title.
        await settle(pilot, lambda: commands.highlighted is not None
                     and "Quokka" in str(commands.get_option_at_index(commands.highlighted).prompt))
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.shown_stage is not None)
        assert app.screen.ref == ref


async def test_a_chart_not_read_yet_says_so_and_an_empty_one_says_nothing_yet() -> None:
    from textual.app import App, ComposeResult

    class Charts(App[None]):
        def compose(self) -> ComposeResult:
            yield BarChart(id="unread")
            yield BarChart(id="empty")

    app = Charts()
    async with app.run_test(size=(40, 6)) as pilot:
        app.query_one("#empty", BarChart).data = []
        await pilot.pause()
        assert str(app.query_one("#unread", BarChart).render()) == "reading…"
        assert str(app.query_one("#empty", BarChart).render()) == "nothing yet"


async def test_the_figures_do_not_wait_for_the_monitoring_panel(store: Store, fresh_target: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    generate(store, cases=60, seed=2)
    release = threading.Event()
    real_attention = plans.attention

    def slow_attention(session, today):  # type: ignore[no-untyped-def]
        release.wait(10)  # a large database: monitoring takes a second or more
        return real_attention(session, today)

    monkeypatch.setattr(plans, "attention", slow_attention)
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen)
                     and app.screen.query_one("#pipeline", BarChart).data)
        attention_list = app.screen.query_one("#attention", OptionList)
        assert "reading…" in str(attention_list.get_option_at_index(0).prompt)
        release.set()
        await settle(pilot, lambda: "reading…" not in str(attention_list.get_option_at_index(0).prompt))


async def test_a_failed_read_is_said_in_one_line_and_the_app_goes_on(store: Store, fresh_target: str,
                                                                     monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(session, today):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk I/O error\n[SQL: SELECT ...]")

    monkeypatch.setattr(plans, "attention", broken)
    app = make_app(fresh_target, Settings(user="tester"))
    told: list[str] = []
    notify = app.notify
    app.notify = lambda message, **kw: (told.append(str(message)), notify(message, **kw))[1]  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: "disk I/O error" in told)
        assert isinstance(app.screen, DashboardScreen) and app.is_running
        await settle(pilot, lambda: app.screen.query_one("#pipeline", BarChart).data is not None)  # the rest is read
