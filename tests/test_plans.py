"""A centre's monitoring plan: made from its template, edited, reported against, re-planned only
when the user accepts, and read across the portfolio."""

from __future__ import annotations

from datetime import date

import pytest

from dtlab.db.cases import get_case
from dtlab.db.centres import accreditations_ending
from dtlab.db.history import case_history
from dtlab.db.plans import case_plan, kpis_off_track, milestone_groups, portfolio_milestones, replan_preview
from dtlab.db.store import Store
from dtlab.domain.monitoring import Anchor
from dtlab.domain.stages import Stage
from dtlab.errors import Invalid, NotFound, UsageError
from dtlab.present.history import history_lines
from dtlab.services.cases import create_case, update_case
from dtlab.services.centres import set_policy
from dtlab.services.plans import (
    apply_replan,
    instantiate_plan,
    parse_due,
    record_actual,
    save_milestone,
    update_and_replan,
    update_kpi,
)
from dtlab.services.results import save_result
from tests.helpers.cases import planned_centre, walk_to

pytestmark = [pytest.mark.unit, pytest.mark.both_databases]


def plan(store: Store, ref: str, today: date) -> dict:  # type: ignore[type-arg]
    with store.read() as s:
        return case_plan(s, get_case(s, ref), today)


def test_the_template_becomes_the_centres_plan_in_one_action(store: Store) -> None:
    ref = planned_centre(store)
    p = plan(store, ref, date(2025, 6, 1))
    assert len(p["results"]) == 5 and len(p["kpis"]) == 2 and len(p["milestones"]) == 3
    # Its results come linked up the chain: the impact, its two outcomes, an output under each.
    assert [(r["number"], r["level"], r["depth"]) for r in p["results"]] == [
        (1, "impact", 0), (2, "outcome", 1), (4, "output", 2), (3, "outcome", 1), (5, "output", 2)]
    # Each KPI measures the output serving its task, not the outcome or impact above it.
    assert [k["result_id"] for k in p["kpis"]] == [r["id"] for r in p["results"] if r["level"] == "output"]
    kpi = p["kpis"][0]
    assert [y["target"] for y in kpi["years"]] == [20, 40, 60] and kpi["target"] == 60
    assert kpi["years"][0]["ends_on"] == date(2026, 2, 28)
    # Relative milestones are dated from the case's launch and accreditation dates.
    rules = {m["rule"]: m["due_on"] for m in p["milestones"]}
    assert rules["3 months after launch"] == date(2025, 4, 15)
    assert rules["12 months after the start of accreditation"] == date(2026, 3, 1)
    with pytest.raises(Invalid, match="already has a monitoring plan"):
        instantiate_plan(store, ref)


def test_a_plan_made_in_chinese_takes_the_templates_chinese_titles(store: Store) -> None:
    from dtlab.i18n import use_language

    ref = create_case(store, {"title": "Andes hub", "country": "PE"})
    walk_to(store, ref, Stage.IMPLEMENTATION)
    update_case(store, ref, {"launch_on": "2025-01-15", "accredited_on": "2025-03-01"})
    use_language("zh")
    try:
        instantiate_plan(store, ref)
    finally:
        use_language("en")
    planned = plan(store, ref, date(2026, 1, 1))
    titles = [r["title"] for r in planned["results"]] + [m["title"] for m in planned["milestones"]]
    assert titles and all(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in titles), titles


def test_a_plan_is_refused_before_set_up(store: Store) -> None:
    ref = create_case(store, {"title": "Early", "country": "PE"})
    with pytest.raises(Invalid, match="not a centre yet"):
        instantiate_plan(store, ref)


def test_recording_actuals_rates_the_kpi(store: Store) -> None:
    ref = planned_centre(store)
    kpi = plan(store, ref, date(2026, 6, 1))["kpis"][0]
    # Year 1 ended on 2026-02-28 without a report: no data, which is off track.
    assert kpi["status"] == "no data"
    with store.read() as s:
        assert any(r["ref"] == ref for r in kpis_off_track(s, date(2026, 6, 1)))
    record_actual(store, ref, "1", 1, "19", evidence="Annual report p. 4", today=date(2026, 3, 10))
    kpi = plan(store, ref, date(2026, 6, 1))["kpis"][0]
    assert kpi["status"] == "green" and kpi["years"][0]["actual"] == 19
    assert kpi["years"][0]["evidence"][0]["body"] == "Annual report p. 4"
    assert kpi["years"][0]["reported_on"] == date(2026, 3, 10)
    with store.read() as s:
        assert not any(r["ref"] == ref and r["kpi"] == kpi["name"] for r in kpis_off_track(s, date(2026, 6, 1)))
    with pytest.raises(Invalid, match="not a number"):
        record_actual(store, ref, "1", 2, "lots")


def test_editing_a_kpi_moves_its_end_of_plan_target(store: Store) -> None:
    ref = planned_centre(store)
    kpi = plan(store, ref, date(2025, 6, 1))["kpis"][1]
    update_kpi(store, ref, kpi["id"], "SMEs served", "SMEs", "4", {1: "12", 2: "", 3: "40", 4: "55"})
    kpi = plan(store, ref, date(2025, 6, 1))["kpis"][1]
    assert (kpi["name"], kpi["baseline"], kpi["target"]) == ("SMEs served", 4, 55)
    assert [(y["year"], y["target"]) for y in kpi["years"]] == [(1, 12), (2, None), (3, 40), (4, 55)]


def test_completing_a_milestone_records_the_day_and_its_evidence(store: Store) -> None:
    ref = planned_centre(store)
    m = plan(store, ref, date(2025, 6, 1))["milestones"][0]
    assert m["state"] == "overdue"  # 3 months after a January launch
    save_milestone(store, ref, m["id"], m["title"], "3 months after launch", "Dr Quispe", "done",
                   evidence="Senate minutes 2025-04-10", today=date(2025, 6, 1))
    m = plan(store, ref, date(2025, 6, 1))["milestones"][0]
    assert (m["status"], m["done_on"], m["owner"], m["state"]) == ("done", date(2025, 6, 1), "Dr Quispe", "closed")
    assert m["evidence"][0]["body"] == "Senate minutes 2025-04-10"
    # The history names the milestone the change and the evidence are about.
    with store.read() as s:
        lines = "\n".join(history_lines(case_history(s, ref)))
    assert f'Changed the milestone "{m["title"]}"' in lines
    assert f'Recorded evidence for the milestone "{m["title"]}"' in lines
    # A done date given is kept, and one in the future refused.
    save_milestone(store, ref, m["id"], m["title"], "3 months after launch", "Dr Quispe", "done",
                   today=date(2025, 6, 1), done_on="2025-04-12")
    assert plan(store, ref, date(2025, 6, 1))["milestones"][0]["done_on"] == date(2025, 4, 12)
    with pytest.raises(Invalid, match="future"):
        save_milestone(store, ref, m["id"], m["title"], "", "", "done", today=date(2025, 6, 1), done_on="2025-07-01")


def test_moving_the_launch_replans_only_when_accepted(store: Store) -> None:
    ref = planned_centre(store, accredited="2025-09-01")  # after every launch date tried here
    before = {m["id"]: m["due_on"] for m in plan(store, ref, date(2025, 1, 1))["milestones"]}
    with store.read() as s:
        preview = replan_preview(s, get_case(s, ref), {Anchor.LAUNCH: date(2025, 3, 15)})
    assert [(r.old, r.new) for r in preview] == [(date(2025, 4, 15), date(2025, 6, 15)),
                                                  (date(2025, 10, 15), date(2025, 12, 15))]
    update_case(store, ref, {"launch_on": "2025-03-15"})
    # The dates stay until the preview is accepted.
    assert {m["id"]: m["due_on"] for m in plan(store, ref, date(2025, 1, 1))["milestones"]} == before
    assert len(plan(store, ref, date(2025, 1, 1))["replan"]) == 2
    assert apply_replan(store, ref, preview) == 2
    after = {m["rule"]: m["due_on"] for m in plan(store, ref, date(2025, 1, 1))["milestones"]}
    assert after["3 months after launch"] == date(2025, 6, 15)
    assert after["12 months after the start of accreditation"] == date(2026, 9, 1)  # another anchor
    assert plan(store, ref, date(2025, 1, 1))["replan"] == []


def test_a_stale_preview_is_refused(store: Store) -> None:
    ref = planned_centre(store, accredited="2025-09-01")
    update_case(store, ref, {"launch_on": "2025-03-15"})
    with store.read() as s:
        preview = replan_preview(s, get_case(s, ref))
    update_case(store, ref, {"launch_on": "2025-05-15"})
    with pytest.raises(Invalid, match="changed since the preview"):
        apply_replan(store, ref, preview)
    # A date and the re-plan that goes with it are saved together, or not at all.
    with pytest.raises(Invalid, match="changed since the preview"):
        update_and_replan(store, ref, {"launch_on": "2025-06-15"}, preview)
    with store.read() as s:
        assert get_case(s, ref).launch_on == date(2025, 5, 15)


def test_due_dates_are_read_as_people_write_them() -> None:
    assert parse_due("6 months after launch").words == "6 months after launch"
    assert parse_due("-30 days accreditation").words == "30 days before the start of accreditation"
    assert parse_due("2027-03-31").fixed == date(2027, 3, 31)
    assert parse_due("") is None
    with pytest.raises(Invalid, match="offset"):
        parse_due("soon")


def test_results_link_to_priorities_initiative_results_and_sdgs(store: Store) -> None:
    ref = planned_centre(store)
    result = plan(store, ref, date(2025, 6, 1))["results"][-1]
    save_result(store, ref, result["id"], "output", result["title"], priority="digital_economy",
                initiative_results="afr4.3, AFR1.2", sdgs="9, 17")
    saved = next(r for r in plan(store, ref, date(2025, 6, 1))["results"] if r["id"] == result["id"])
    assert saved["initiative_results"] == ["AFR4.3", "AFR1.2"] and saved["sdgs"] == [9, 17]
    assert saved["cycle"] == "WTDC-22" and saved["priority"]
    with pytest.raises(Invalid, match="no expected result 99"):
        save_result(store, ref, None, "outcome", "x", initiative_results="AFR4.99")
    # The Arab States' initiatives have no numbered results: a centre links to the whole initiative.
    arab = save_result(store, ref, None, "outcome", "Regional digital skills", initiative_results="arb4 ARB1")
    linked = next(r for r in plan(store, ref, date(2025, 6, 1))["results"] if r["id"] == arab)
    assert linked["initiative_results"] == ["ARB4", "ARB1"]
    with pytest.raises(Invalid, match="there is no initiative ARB9 in the WTDC-22 cycle"):
        save_result(store, ref, None, "outcome", "x", initiative_results="ARB9")
    with pytest.raises(Invalid, match="1 to 17"):
        save_result(store, ref, None, "outcome", "x", sdgs="18")


def test_portfolio_views_find_overdue_and_ending(store: Store) -> None:
    ref = planned_centre(store, launch="2024-01-15", accredited="2024-03-01")
    with store.read() as s:
        overdue = portfolio_milestones(s, date(2025, 1, 1), overdue=True)
        soon = portfolio_milestones(s, date(2025, 1, 1), due_within=90)
        ending = accreditations_ending(s, date(2026, 10, 1))
        not_yet = accreditations_ending(s, date(2026, 8, 1))
    assert [m["ref"] for m in overdue] == [ref] * 2
    with store.read() as s:
        assert milestone_groups(s, date(2025, 1, 1), "region", overdue=True) == [("AMS", 2)]
        assert milestone_groups(s, date(2025, 1, 1), "owner") == [("—", 3)]
    assert [m["state"] for m in soon] == ["overdue", "overdue", "scheduled"]
    assert [e["ref"] for e in ending] == [ref] and ending[0]["ends_on"] == date(2027, 2, 28)
    assert not_yet == []


def test_the_accreditation_policy_is_configurable(store: Store) -> None:
    assert set_policy(store, years=2, lead_months=9) == (2, 9)
    with pytest.raises(UsageError):
        set_policy(store, years=1, lead_months=12)
    ref = planned_centre(store, launch="2024-01-15", accredited="2024-03-01")
    p = plan(store, ref, date(2025, 6, 1))
    assert len(p["kpis"][0]["years"]) == 2  # the template's three years of targets, cut to the period
    from dtlab.db.centres import list_centres
    with store.read() as s:
        period = next(c for c in list_centres(s, date(2025, 1, 1)) if c["ref"] == ref)["period"]
    assert period["ends_on"] == date(2026, 2, 28) and period["renewal_due_on"] == date(2025, 5, 28)


@pytest.mark.parametrize("today", [date(2025, 3, 1), date(2026, 2, 28), date(2026, 11, 1), date(2028, 2, 29)])
def test_the_portfolios_kpis_off_track_agree_with_each_centres_plan(store: Store, today: date) -> None:
    """The dashboard's count reads every centre's KPIs in one query; each centre's own plan
    judges them one by one. Both must name the same KPIs, on any day."""
    from dtlab.db.cases import list_cases
    from dtlab.db.listing import CaseFilter
    from dtlab.services.demo import generate

    generate(store, cases=150, seed=7, today=date(2026, 11, 1))
    with store.read() as s:
        portfolio = {(r["ref"], r["kpi"], r["status"]) for r in kpis_off_track(s, today)}
        one_by_one = set()
        for row in list_cases(s, CaseFilter(status="open")):
            if row["stage"] not in ("implementation", "operation", "renewal"):
                continue
            for k in case_plan(s, get_case(s, row["ref"]), today)["kpis"]:
                if k["status"] in ("red", "no data"):
                    one_by_one.add((row["ref"], k["name"], k["status"]))
    assert portfolio == one_by_one
    assert portfolio or today == date(2025, 3, 1)  # the demo has KPIs off track once years have ended


def test_items_leave_the_plan_and_their_history_stays(store: Store) -> None:
    from dtlab.services.plans import remove_plan_item

    ref = planned_centre(store)
    p = plan(store, ref, date(2025, 6, 1))
    result = next(r for r in p["results"] if any(k["result_id"] == r["id"] for k in p["kpis"]))
    assert remove_plan_item(store, ref, "result", result["id"]).name == result["title"]
    remove_plan_item(store, ref, "milestone", p["milestones"][0]["id"])
    p2 = plan(store, ref, date(2025, 6, 1))
    assert len(p2["results"]) == len(p["results"]) - 1 and len(p2["milestones"]) == len(p["milestones"]) - 1
    assert all(k["result_id"] != result["id"] for k in p2["kpis"])  # left unlinked, not removed
    with store.read() as s:
        lines = "\n".join(history_lines(case_history(s, ref)))
    assert f'Deleted the output "{result["title"]}"' in lines
    with pytest.raises(NotFound):
        remove_plan_item(store, ref, "milestone", p["milestones"][0]["id"])


def test_reporting_years_stay_in_range(store: Store) -> None:
    ref = planned_centre(store)
    kpi = plan(store, ref, date(2025, 6, 1))["kpis"][0]
    with pytest.raises(Invalid, match="from 1 to 4"):
        record_actual(store, ref, kpi["id"], 99, "5")
    with pytest.raises(Invalid, match="from 1 to 4"):
        update_kpi(store, ref, kpi["id"], kpi["name"], "", "", {0: "5"})
    update_kpi(store, ref, kpi["id"], kpi["name"], "", "", {4: "80"})  # one year past the period: a renewal's
    record_actual(store, ref, kpi["id"], 5, "")  # and then the next


def test_the_template_joins_kpis_added_by_hand_once(store: Store) -> None:
    from dtlab.services.plans import add_kpi_to_plan

    ref = create_case(store, {"title": "Hand-made", "country": "PE"})
    walk_to(store, ref, Stage.IMPLEMENTATION)
    add_kpi_to_plan(store, ref, "Start-ups supported", "count", 0, 40)
    instantiate_plan(store, ref)
    names = [k["name"] for k in plan(store, ref, date(2025, 6, 1))["kpis"]]
    assert names[0] == "Start-ups supported" and len(names) == 3  # the hand-made KPI stays first
    with pytest.raises(Invalid, match="already has a monitoring plan"):
        instantiate_plan(store, ref)


def test_recent_changes_say_a_removed_kpi_was_removed(store: Store) -> None:
    from dtlab.db.queries import dashboard
    from dtlab.present.words import describe_change
    from dtlab.services.plans import remove_plan_item

    ref = planned_centre(store)
    kpi = plan(store, ref, date(2025, 6, 1))["kpis"][0]
    remove_plan_item(store, ref, "kpi", kpi["id"])
    with store.read() as s:
        latest = dashboard(s, recent=5).recent
    said = [describe_change(r["table"], r["op"]) for r in latest]
    assert "KPI removed" in said and "KPI edited" not in said


def test_a_launch_date_saved_once_is_in_the_history_once(store) -> None:  # type: ignore[no-untyped-def]
    """The newcomer's walk: one save showed as "Changed the case / Launch date" and again as
    "Changed the centre / Launch date" (the centre follows its case)."""
    from dtlab.db.history import case_history
    from dtlab.present.history import history_lines
    from dtlab.services.cases import update_case
    from tests.helpers.cases import planned_centre

    ref = planned_centre(store)
    update_case(store, ref, {"launch_on": "2025-02-01"})
    with store.read() as s:
        lines = history_lines(case_history(s, ref))
    assert sum("Launch date: 2025-01-15 → 2025-02-01" in line for line in lines) == 1
    assert not any("Changed the centre" in line for line in lines[:3])


def test_the_centre_is_named_after_its_case_as_it_is_renamed(store: Store) -> None:
    """The second walk: after a rename the centre screen, F4 and `dtlab centres` kept the old name."""
    from dtlab.db.cases import get_case
    from dtlab.db.centres import centre_of

    ref = planned_centre(store)
    update_case(store, ref, {"title": "Andes digital hub, renamed"})
    with store.read() as s:
        assert centre_of(s, get_case(s, ref)).name == "Andes digital hub, renamed"  # type: ignore[union-attr]
