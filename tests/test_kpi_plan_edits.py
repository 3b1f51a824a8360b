"""A KPI's targets as a user gives them: a target given when the KPI is added is rated from the
first year; a year still running is rated on its pace; one name per KPI; a plan from the template
can be completed and trimmed from the command line, and the set-up gate says what is missing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dtlab.db.cases import get_case
from dtlab.db.plans import case_plan, kpis_off_track
from dtlab.db.store import Store
from dtlab.errors import Invalid
from dtlab.launch import main
from dtlab.services.plans import add_kpi_to_plan, record_actual, update_kpi
from tests.helpers.cases import planned_centre

pytestmark = pytest.mark.unit


def kpi_named(store: Store, ref: str, name: str, today: date) -> dict:
    with store.read() as s:
        return next(k for k in case_plan(s, get_case(s, ref), today)["kpis"] if k["name"] == name)


def test_a_target_given_with_a_new_kpi_sets_every_years_target(store: Store) -> None:
    ref = planned_centre(store, launch="2025-01-15", accredited="2025-03-01")
    add_kpi_to_plan(store, ref, "Start-ups supported", "count", None, 1000)
    kpi = kpi_named(store, ref, "Start-ups supported", date(2025, 6, 1))
    assert [(y["year"], y["target"]) for y in kpi["years"]] == [(1, 333), (2, 667), (3, 1000)]
    assert kpi["target"] == 1000
    # Reported, it is rated at once: not "not yet rated" for want of a yearly target.
    record_actual(store, ref, "Start-ups supported", 1, "340", today=date(2026, 3, 2))
    assert kpi_named(store, ref, "Start-ups supported", date(2026, 3, 2))["status"] == "green"


def test_targets_rise_from_the_baseline_and_keep_decimals_where_given(store: Store) -> None:
    ref = planned_centre(store)
    add_kpi_to_plan(store, ref, "Share of women founders", "%", 20.5, 40)
    kpi = kpi_named(store, ref, "Share of women founders", date(2025, 6, 1))
    assert [y["target"] for y in kpi["years"]] == [27.0, 33.5, 40.0]


def test_a_kpi_name_is_used_once_per_plan(store: Store) -> None:
    ref = planned_centre(store)
    add_kpi_to_plan(store, ref, "Start-ups supported")
    with pytest.raises(Invalid, match="already has the KPI 'Start-ups supported'"):
        add_kpi_to_plan(store, ref, "  start-ups SUPPORTED ")
    add_kpi_to_plan(store, ref, "Jobs created")
    with pytest.raises(Invalid, match="already has the KPI"):
        update_kpi(store, ref, "Jobs created", "Start-ups supported", "", "", {})


def test_a_year_in_progress_is_rated_on_its_pace_here_and_on_the_dashboard(store: Store) -> None:
    """1 of a year's target of 2 in month two: on pace, green, not off track. The same figure
    when the year has ended is red, and counted off track."""
    ref = planned_centre(store, launch="2025-11-15", accredited="2026-01-01")
    add_kpi_to_plan(store, ref, "Flagship partners", "", 0, 6)  # years: 2, 4, 6
    record_actual(store, ref, "Flagship partners", 1, "1", today=date(2026, 2, 20))
    early, late = date(2026, 2, 28), date(2027, 1, 5)
    kpi = kpi_named(store, ref, "Flagship partners", early)
    assert kpi["status"] == "green" and kpi["years"][0]["due"] < 1
    with store.read() as s:
        assert not any(r["kpi"] == "Flagship partners" for r in kpis_off_track(s, early))
        assert any(r["kpi"] == "Flagship partners" and r["status"] == "red" for r in kpis_off_track(s, late))
    assert kpi_named(store, ref, "Flagship partners", late)["status"] == "red"


# --- the command line ----------------------------------------------------------------------------


@pytest.fixture
def centre(store: Store) -> tuple[Store, str]:
    """A centre at set-up whose plan comes from the template: KPIs with targets, no baselines."""
    from dtlab.domain.stages import Stage
    from dtlab.services.cases import create_case, update_case
    from dtlab.services.plans import instantiate_plan

    ref = create_case(store, {"title": "Hub", "country": "KE"}, entry_stage=Stage.IMPLEMENTATION,
                      entry_reason="an existing partner centre", entry_override=True)
    update_case(store, ref, {"proposed_type": "initiative", "launch_on": "2026-01-10"})
    instantiate_plan(store, ref)
    return store, ref


def cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_template_plan_is_completed_and_trimmed_from_the_command_line(
        centre: tuple[Store, str], db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store, ref = centre
    code, _, err = cli(capsys, db_path, "case", "advance", ref)
    assert code == 3 and "none of its 2 KPIs has both yet" in err
    code, out, err = cli(capsys, db_path, "case", "kpi", ref, "1", "--baseline", "5", "--year-target", "2=60",
                         "--target", "80")
    assert code == 0, err
    assert "KPI saved" in out
    kpi = kpi_named(store, ref, "Partners taking part in the flagship initiative", date(2026, 6, 1))
    assert kpi["baseline"] == 5 and [y["target"] for y in kpi["years"]][1:] == [60, 80] and kpi["target"] == 80
    code, out, _ = cli(capsys, db_path, "case", "show", ref)
    assert "baseline 5 · target 80" in " ".join(out.split())
    code, out, err = cli(capsys, db_path, "case", "kpi", ref, "--name", kpi["name"].upper())
    assert code == 3 and "already has the KPI" in err and "(number 1)" in err
    code, out, err = cli(capsys, db_path, "case", "remove", ref, "kpi", "2")
    assert code == 0 and "taken out of the plan: People reached" in out
    code, out, err = cli(capsys, db_path, "case", "remove", ref, "milestone", "9")
    assert code == 3 and "has no milestone 9: its milestones are numbered 1-2" in err
    assert cli(capsys, db_path, "case", "advance", ref)[0] == 0


def test_a_kpi_edit_needs_a_kpi_or_a_name(centre: tuple[Store, str], db_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    _, ref = centre
    code, _, err = cli(capsys, db_path, "case", "kpi", ref, "--baseline", "3")
    assert code == 2 and "needs --name" in err
    code, _, err = cli(capsys, db_path, "case", "kpi", ref, "1", "--year-target", "two=3")
    assert code == 2 and "is not YEAR=VALUE" in err
