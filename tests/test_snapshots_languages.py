"""Snapshots at 80×24 of the main screens in Chinese, Arabic and French (issue 19, point 7): the
dashboard, the case list, a stage view, the evaluation form and the help screen. Chinese labels
take two cells a character, French ones run long, Arabic reads right to left: each picture shows
them fitting. Update with `pytest --snapshot-update` after a deliberate change, and read the SVG."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Static

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.store import Store
from dtlab.i18n import use_language
from dtlab.screens.case_list import CaseListScreen
from dtlab.services.demo import generate
from tests.helpers.pilot import settle

pytestmark = pytest.mark.functional

LANGUAGES = ("zh", "ar", "fr")


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    use_language(request.param)
    yield request.param
    use_language("en")


def demo(store: Store, db_path: Path, cases: int = 40) -> Any:
    generate(store, cases=cases, seed=5, today=date(2026, 11, 1))
    return make_app(str(db_path), Settings(user="tester"))


def list_settled(screen: Any) -> bool:
    return (isinstance(screen, CaseListScreen) and screen.shown_generation == screen.generation
            and screen.query_one(DataTable).row_count > 0 and bool(screen.query("#flt-type"))
            and screen.total is not None)


async def case_list(pilot: Any) -> None:
    pilot.app.sub_title = "demo.db"
    await pilot.pause()
    await pilot.press("f3")
    await settle(pilot, lambda: list_settled(pilot.app.screen))


def test_dashboard(snap_compare, store: Store, db_path: Path, language: str,  # type: ignore[no-untyped-def]
                   monkeypatch: pytest.MonkeyPatch) -> None:
    from dtlab.screens import dashboard as dashboard_screen
    from dtlab.screens.dashboard import BarChart

    app = demo(store, db_path, cases=120)
    monkeypatch.setattr(dashboard_screen, "current_time", lambda: datetime(2026, 11, 1, tzinfo=timezone.utc))

    async def ready(pilot: Any) -> None:
        pilot.app.sub_title = "demo.db"
        screen = pilot.app.screen
        await settle(pilot, lambda: screen.query_one("#pipeline", BarChart).data
                     and screen.query_one("#attention").option_count > 0)

    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)


def test_case_list(snap_compare, store: Store, db_path: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(demo(store, db_path), terminal_size=(80, 24), run_before=case_list)


def test_stage_view(snap_compare, store: Store, db_path: Path, language: str,  # type: ignore[no-untyped-def]
                    monkeypatch: pytest.MonkeyPatch) -> None:
    from dtlab.db.cases import list_cases
    from dtlab.db.listing import CaseFilter
    from dtlab.screens import case_view
    from dtlab.screens.case_view import CaseScreen

    monkeypatch.setattr(case_view, "current_day", lambda: date(2026, 11, 1))
    app = demo(store, db_path)
    with store.read() as s:
        ref = list_cases(s, CaseFilter(stage="renewal", status="open"))[0]["ref"]

    async def open_tab(pilot: Any) -> None:
        pilot.app.sub_title = "demo.db"
        pilot.app.animation_level = "none"
        pilot.app.push_screen(CaseScreen(ref))
        await settle(pilot, lambda: isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.shown_stage)
        tabs = pilot.app.screen.query_one("TabbedContent")
        tabs.active = "tab-operation"
        await settle(pilot, lambda: tabs.active == "tab-operation" and tabs.get_pane("tab-operation").display)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_tab)


def test_evaluation_form(snap_compare, store: Store, db_path: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    from dtlab.domain.stages import Stage
    from dtlab.screens.evaluation import CriterionRow, EvaluationScreen
    from dtlab.services.cases import create_case, update_case
    from dtlab.services.evaluations import save_scores, start_evaluation

    ref = create_case(store, {"title": "Innovation hub", "country": "KE"}, entry_stage=Stage.CONCEPT_DESIGN,
                      entry_reason="assessed offline")
    update_case(store, ref, {"proposed_type": "digital_transformation", "scope": "national",
                             "ownership": "country", "goals": "ecosystem", "flagships": "Smart farming"})
    evaluation = start_evaluation(store, ref, "tester")
    save_scores(store, evaluation, {"national_fit": 3, "goal_fit": 4, "resources": 1})
    app = make_app(str(db_path), Settings(user="tester"))

    async def open_form(pilot: Any) -> None:
        pilot.app.sub_title = "demo.db"
        pilot.app.animation_level = "none"
        await pilot.pause()
        pilot.app.push_screen(EvaluationScreen(evaluation))

        def row_in_view() -> bool:
            screen, row = pilot.app.screen, pilot.app.focused
            if not isinstance(screen, EvaluationScreen) or not isinstance(row, CriterionRow):
                return False
            return row.region.height > 0 and screen.query_one("#criteria").region.contains_region(row.region)

        await settle(pilot, row_in_view)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_form)


def test_help_screen(snap_compare, store: Store, db_path: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    async def help_on_list(pilot: Any) -> None:
        from dtlab.screens.help import HelpScreen

        await case_list(pilot)
        await pilot.press("f1")
        await settle(pilot, lambda: isinstance(pilot.app.screen, HelpScreen)
                     and str(pilot.app.screen.query(Static).first().render()).strip())

    assert snap_compare(demo(store, db_path), terminal_size=(80, 24), run_before=help_on_list)
