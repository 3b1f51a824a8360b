"""Snapshots of the shell's screens at 80×24. Update with `pytest --snapshot-update` after a
deliberate change, and look at the SVG before committing it.

Each `run_before` waits until the screen shows everything its picture holds (rows read, counts
final, the tab shown, the scrolling done); the snapshot plugin then lets pending messages and
animations finish."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static, TabbedContent

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.store import Store
from dtlab.screens.case_list import CaseListScreen
from dtlab.services.demo import generate
from tests.helpers.database import fresh_database
from tests.helpers.pilot import notices, settle

pytestmark = pytest.mark.functional


def app_for(db_path: Path):  # type: ignore[no-untyped-def]
    app = make_app(str(db_path), Settings(user="tester"))
    return app


def list_settled(screen) -> bool:  # type: ignore[no-untyped-def]
    """The case list shows the rows its filter asked for, their final count and the filter selects."""
    return (isinstance(screen, CaseListScreen) and screen.shown_generation == screen.generation
            and screen.query_one(DataTable).row_count > 0 and bool(screen.query("#flt-type"))
            and "counting" not in str(screen.query_one("#count", Static).render()))


async def settle_rows(pilot) -> None:  # type: ignore[no-untyped-def]
    pilot.app.sub_title = "demo.db"  # the real path is a temporary directory
    await pilot.pause()
    await pilot.press("f3")
    await settle(pilot, lambda: list_settled(pilot.app.screen))


def test_case_list(snap_compare, store: Store, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The case list with demo data: refs, titles, countries, stages, statuses and the count."""
    generate(store, cases=40, seed=5, today=date(2026, 11, 1))
    assert snap_compare(app_for(db_path), terminal_size=(80, 24), run_before=settle_rows)


def test_case_list_search(snap_compare, store: Store, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Typing in the search box narrows the list to matching cases."""
    generate(store, cases=40, seed=5, today=date(2026, 11, 1))

    async def search(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle_rows(pilot)
        pilot.app.screen.query_one(Input).cursor_blink = False  # a blinking cursor makes the picture flaky
        await pilot.press("slash", *"sandbox")
        screen = pilot.app.screen
        await settle(pilot, lambda: screen.current_filter().search == "sandbox" and list_settled(screen))

    assert snap_compare(app_for(db_path), terminal_size=(80, 24), run_before=search)


def test_site_setup(snap_compare, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    """First run: the welcome dialog that asks for the site code."""
    app = make_app(str(fresh_database(db_path)), Settings(user="tester"))

    async def blank(pilot) -> None:  # type: ignore[no-untyped-def]
        pilot.app.sub_title = "new.db"
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=blank)


def demo_app_with_case(store: Store, db_path: Path):  # type: ignore[no-untyped-def]
    generate(store, cases=40, seed=5, today=date(2026, 11, 1))
    return make_app(str(db_path), Settings(user="tester"))


STAGE_TABS = ["interest", "assessment", "concept_design", "agreement", "implementation", "operation",
              "renewal"]


@pytest.mark.parametrize("tab", STAGE_TABS)
def test_case_stage_views(snap_compare, store: Store, db_path: Path, tab: str,  # type: ignore[no-untyped-def]
                          monkeypatch) -> None:
    """A case at renewal, on each stage's tab: its fields, and its gate with ✓/✗ per condition."""
    from dtlab.db.cases import list_cases
    from dtlab.db.listing import CaseFilter
    from dtlab.screens import case_view
    from dtlab.screens.case_view import CaseScreen

    monkeypatch.setattr(case_view, "current_day", lambda: date(2026, 11, 1))  # the demo's today

    app = demo_app_with_case(store, db_path)
    with store.read() as s:
        ref = list_cases(s, CaseFilter(stage="renewal", status="open"))[0]["ref"]

    async def open_tab(pilot) -> None:  # type: ignore[no-untyped-def]
        pilot.app.sub_title = "demo.db"
        pilot.app.animation_level = "none"  # the tab underline and scroll would be caught mid-move
        pilot.app.push_screen(CaseScreen(ref))
        await settle(pilot, lambda: isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.shown_stage)
        tabs = pilot.app.screen.query_one("TabbedContent")
        tabs.active = f"tab-{tab}"
        await settle(pilot, lambda: tabs.active == f"tab-{tab}" and tabs.get_pane(f"tab-{tab}").display)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_tab)


def test_intake_form_with_errors(snap_compare, store: Store, db_path: Path,  # type: ignore[no-untyped-def]
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The intake form after saving with no title and a bad country: both errors beside their
    fields, and the received date of a new request already today's."""
    from dtlab.screens import intake
    from dtlab.screens.intake import IntakeScreen

    monkeypatch.setattr(intake, "current_day", lambda: date(2026, 11, 1))

    app = make_app(str(db_path), Settings(user="tester"))

    async def errors(pilot) -> None:  # type: ignore[no-untyped-def]
        pilot.app.sub_title = "demo.db"
        await pilot.pause()
        await pilot.press("ctrl+n")
        await settle(pilot, lambda: isinstance(pilot.app.screen, IntakeScreen) and pilot.app.screen.query("#f-country"))
        pilot.app.screen.query_one("#f-country", Input).focus()
        told = notices(pilot.app)
        await pilot.press(*"XX", "ctrl+s")
        await settle(pilot, lambda: any(m.startswith("Not saved") for m in told))  # shown with the field errors
        pilot.app.screen.query_one("#f-country", Input).cursor_blink = False

    assert snap_compare(app, terminal_size=(80, 24), run_before=errors)


def test_help_screen(snap_compare, store: Store, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    """F1 on the case list: each key with what it does and its binding id, dtlab's own first."""
    generate(store, cases=40, seed=5, today=date(2026, 11, 1))
    app = make_app(str(db_path), Settings(user="tester"))

    async def help_on_list(pilot) -> None:  # type: ignore[no-untyped-def]
        from dtlab.screens.help import HelpScreen

        await settle_rows(pilot)
        await pilot.press("f1")
        await settle(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))

    assert snap_compare(app, terminal_size=(80, 24), run_before=help_on_list)


def design_case_with_evaluations(store: Store) -> str:
    from dtlab.domain.stages import Stage
    from dtlab.services.cases import create_case, update_case
    from tests.helpers.cases import evaluate

    ref = create_case(store, {"title": "Innovation hub", "country": "KE"}, entry_stage=Stage.CONCEPT_DESIGN,
                      entry_reason="assessed offline")
    update_case(store, ref, {"proposed_type": "digital_transformation", "scope": "national",
                             "ownership": "country", "goals": "ecosystem", "flagships": "Smart farming\nE-health"})
    evaluate(store, ref, "A. Mensah", national_fit=4, stakeholders=1)
    evaluate(store, ref, "L. Chen", each=3, stakeholders=4, resources=2)
    return ref


def test_evaluation_form(snap_compare, store: Store, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The evaluation form half filled: scored levels in words, a critical criterion capping the
    classification, the live total."""
    from dtlab.screens.evaluation import CriterionRow, EvaluationScreen
    from dtlab.services.evaluations import save_scores, start_evaluation

    ref = design_case_with_evaluations(store)
    evaluation = start_evaluation(store, ref, "tester")
    save_scores(store, evaluation, {"national_fit": 3, "goal_fit": 4, "resources": 1})
    app = make_app(str(db_path), Settings(user="tester"))

    async def open_form(pilot) -> None:  # type: ignore[no-untyped-def]
        pilot.app.sub_title = "demo.db"
        pilot.app.animation_level = "none"
        await pilot.pause()
        pilot.app.push_screen(EvaluationScreen(evaluation))

        def row_in_view() -> bool:
            """The rows are mounted, the first unscored one has the focus, and the form has been
            scrolled to show it (once the rows are laid out)."""
            screen, row = pilot.app.screen, pilot.app.focused
            if not isinstance(screen, EvaluationScreen) or not isinstance(row, CriterionRow):
                return False
            return row.region.height > 0 and screen.query_one("#criteria").region.contains_region(row.region)

        await settle(pilot, row_in_view)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_form)


@pytest.mark.parametrize("part", ["evaluators", "recommendation"])
def test_concept_review(snap_compare, store: Store, db_path: Path, part: str) -> None:  # type: ignore[no-untyped-def]
    """v on the concept-design tab: two evaluators side by side, their disagreement flagged, the
    consolidated verdict; scrolled down, the centre types ranked with their reasons and the cost tier."""
    from dtlab.screens.case_view import CaseScreen
    from dtlab.screens.concept_review import ConceptReviewScreen

    ref = design_case_with_evaluations(store)
    app = make_app(str(db_path), Settings(user="tester"))

    async def review(pilot) -> None:  # type: ignore[no-untyped-def]
        pilot.app.sub_title = "demo.db"
        pilot.app.animation_level = "none"
        pilot.app.push_screen(CaseScreen(ref))
        await settle(pilot, lambda: isinstance(pilot.app.screen, CaseScreen) and pilot.app.screen.shown_stage)
        await pilot.press("v")
        await settle(pilot, lambda: isinstance(pilot.app.screen, ConceptReviewScreen)
                     and pilot.app.screen.query_one("#review-body").has_focus)
        if part == "recommendation":
            body = pilot.app.screen.query_one("#review-body")
            await pilot.press("end")
            await settle(pilot, lambda: body.max_scroll_y > 0 and body.scroll_y == body.max_scroll_y)

    assert snap_compare(app, terminal_size=(80, 24), run_before=review)


async def _shown(pilot, show, ready) -> None:  # type: ignore[no-untyped-def]
    """Show a screen with a fixed title and no animation, and wait until `ready(screen)`."""
    pilot.app.sub_title = "demo.db"
    pilot.app.animation_level = "none"
    show(pilot.app)
    await settle(pilot, lambda: ready(pilot.app.screen))


def _fix_monitoring_day(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from dtlab.screens import centre, milestones

    for module in (centre, milestones):
        monkeypatch.setattr(module, "current_day", lambda: date(2026, 11, 1))  # the demo's today


def _open_centre_ref(store: Store) -> str:
    """The first open centre in operation whose plan has an overdue milestone."""
    from dtlab.db.plans import portfolio_milestones

    with store.read() as s:
        return next(m["ref"] for m in portfolio_milestones(s, date(2026, 11, 1), overdue=True))


@pytest.mark.parametrize("tab", ["timeline", "results", "kpis", "milestones"])
def test_centre_view(snap_compare, store: Store, db_path: Path, tab: str,  # type: ignore[no-untyped-def]
                     monkeypatch) -> None:
    """A demo centre: its accreditation timeline, results, KPIs with the chart, milestones."""
    from dtlab.screens.centre import CentreScreen

    _fix_monitoring_day(monkeypatch)
    app = demo_app_with_case(store, db_path)
    ref = _open_centre_ref(store)

    detail = {"timeline": "#timeline", "results": "#result-detail", "kpis": "#kpi-chart",
              "milestones": "#milestone-detail"}[tab]

    async def open_tab(pilot) -> None:  # type: ignore[no-untyped-def]
        await _shown(pilot, lambda app: app.push_screen(CentreScreen(ref, tab=tab)),
                     lambda screen: isinstance(screen, CentreScreen) and screen.data is not None
                     and screen.query_one(TabbedContent).active == f"pane-{tab}"
                     and str(screen.query_one(detail, Static).render()).strip())

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_tab)


def test_milestone_view(snap_compare, store: Store, db_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Every overdue milestone of the demo portfolio, with the count per owner."""
    from dtlab.screens.milestones import MilestonesScreen

    _fix_monitoring_day(monkeypatch)
    app = demo_app_with_case(store, db_path)

    async def open_view(pilot) -> None:  # type: ignore[no-untyped-def]
        await _shown(pilot, lambda app: app.action_go("milestones"),
                     lambda screen: isinstance(screen, MilestonesScreen) and screen.loaded is not None
                     and str(screen.query_one("#milestones-detail", Static).render()).strip())

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_view)


@pytest.mark.parametrize("tab", ["bundles", "conflicts"])
def test_sync_screen(snap_compare, tmp_path: Path, tab: str) -> None:  # type: ignore[no-untyped-def]
    """HQ after importing a sealed bundle from Nairobi that edited the same purpose as HQ: the
    bundles sent and received, and the conflict with both sides."""
    from sqlalchemy import text

    from dtlab.screens.sync import SyncScreen
    from dtlab.services.cases import create_case, update_case
    from tests.helpers.sites import Sealing

    hq, nairobi = Sealing(tmp_path, "HQ", "hq"), Sealing(tmp_path, "NBO", "amina")
    hq.knows(nairobi)
    nairobi.knows(hq)
    ref = create_case(hq.store, {"title": "Kenya innovation hub", "country": "KE",
                                 "received_on": "2026-11-02"})
    nairobi.take(hq.seal_for("NBO"))
    update_case(hq.store, ref, {"purpose": "A national hub first"})
    update_case(nairobi.store, ref, {"purpose": "Scale the start-up programme to the coast"})
    hq.take(nairobi.seal_for("HQ"))
    with hq.store.write() as s:  # the clock of the run, fixed for the picture
        s.execute(text("UPDATE bundles SET at = CASE direction WHEN 'sent' THEN '2026-11-20 09:30:00.000000' "
                       "ELSE '2026-11-20 09:10:00.000000' END, file = '/home/hq/bundles/' || direction || '.dtlab', "
                       "id = CASE direction WHEN 'sent' THEN '01a20000-0000-7000-8000-000000000001' "
                       "ELSE '01a20000-0000-7000-8000-000000000002' END"))
        s.execute(text("UPDATE conflicts SET local_at = '2026-11-19 15:02:00.000000', "
                       "incoming_at = '2026-11-20 08:41:00.000000'"))
    for site in (hq, nairobi):
        site.store.close()
    app = make_app(str(tmp_path / "HQ.db"), Settings(user="hq", hq_site="HQ"))

    async def open_tab(pilot) -> None:  # type: ignore[no-untyped-def]
        def show(app) -> None:  # type: ignore[no-untyped-def]
            app.action_go("sync")

        await _shown(pilot, show, lambda screen: isinstance(screen, SyncScreen) and screen.loaded is not None)
        await pilot.press({"bundles": "1", "conflicts": "2"}[tab])
        screen = pilot.app.screen
        detail = screen.query_one(f"#{tab[:-1]}-detail", Static)
        await settle(pilot, lambda: screen.query_one(TabbedContent).active == f"pane-{tab}"
                     and str(detail.render()).strip())

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_tab)


def test_dashboard_snapshot(snap_compare, store: Store, db_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The dashboard with demo data: stages and regions as bars, the longest-waiting cases, the
    latest changes. (One picture, on SQLite: test_dashboard reads the same screen on both.)"""
    from datetime import datetime, timezone

    from dtlab.screens import dashboard as dashboard_screen
    from dtlab.screens.dashboard import BarChart

    generate(store, cases=120, seed=5, today=date(2026, 11, 1))
    monkeypatch.setattr(dashboard_screen, "current_time", lambda: datetime(2026, 11, 1, tzinfo=timezone.utc))
    app = make_app(str(db_path), Settings(user="tester"))

    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        pilot.app.sub_title = "demo.db"
        # Both reads shown: the figures, and the monitoring panel, which has its own.
        await settle(pilot, lambda: pilot.app.screen.query_one("#pipeline", BarChart).data
                     and "Monitoring:" in str(pilot.app.screen.query_one("#panel-attention").border_title))

    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)


def test_board_screen(snap_compare, store: Store, db_path: Path,  # type: ignore[no-untyped-def]
                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The Board (F7): members serving and a nomination awaiting the Director's approval, with
    their track, status and short ids; the policy line; the first member's detail and history."""
    import itertools
    from datetime import datetime, timezone

    from dtlab.db import changelog
    from dtlab.domain import clock
    from dtlab.screens import board_forms as board_screen
    from dtlab.screens.board import BoardScreen
    from dtlab.services import board

    # Ids and times as a real database has them, but the same on every run.
    ids = itertools.count(1)
    monkeypatch.setattr(changelog, "new_id", lambda: f"{next(ids):08x}-7000-7000-8000-000000000000")
    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2026, 11, 1, 9, 30, tzinfo=timezone.utc))
    monkeypatch.setattr(board_screen, "current_day", lambda: date(2026, 11, 1))
    official = board.nominate(store, "Aminata Touré", "1", country="SN", title="Minister of Digital Economy",
                              nominated_on="2026-01-10")
    board.approve(store, official, "2026-02-01")
    board.nominate(store, "Ken Mori", "2", institution="Open Tech Alliance", nominated_on="2026-03-05")
    board.nominate(store, "Li Wei", "1", institution="Tsinghua University", nominated_on="2026-10-20")
    board.new_meeting(store, "Board, first session", "2026-12-01", "Geneva", "1. Renewals")
    board.set_board_policy(store, True)
    app = make_app(str(db_path), Settings(user="tester"))

    async def shown(pilot) -> None:  # type: ignore[no-untyped-def]
        pilot.app.sub_title = "demo.db"
        await pilot.pause()
        await pilot.press("f7")
        await settle(pilot, lambda: isinstance(pilot.app.screen, BoardScreen) and pilot.app.screen.data is not None
                     and "History" in str(pilot.app.screen.query_one("#member-detail", Static).render()))

    assert snap_compare(app, terminal_size=(80, 24), run_before=shown)
