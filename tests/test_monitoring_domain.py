"""Accreditation periods, milestone dates and KPI status, on hand-made cases (leap years and
missing actuals included)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dtlab.domain.monitoring import (
    Anchor,
    DueRule,
    MilestoneStatus,
    Rag,
    accreditation_period,
    add_months,
    add_years,
    due_state,
    kpi_status,
    level_due,
    next_period,
    parse_rule,
    rag,
    replan,
)

pytestmark = pytest.mark.unit


def test_the_issue_example_period() -> None:
    period = accreditation_period(date(2024, 3, 1))
    assert period.ends_on == date(2027, 2, 28)
    assert period.renewal_due_on == date(2026, 8, 28)  # six months before the end
    renewed = next_period(period)
    assert (renewed.number, renewed.starts_on, renewed.ends_on) == (2, date(2027, 3, 1), date(2030, 2, 28))


def test_a_period_that_ends_in_a_leap_year_keeps_its_29_february() -> None:
    # 2025-03-01 + 3 years = 2028-03-01; the day before is the leap day.
    assert accreditation_period(date(2025, 3, 1)).ends_on == date(2028, 2, 29)


def test_a_period_that_starts_on_a_leap_day() -> None:
    period = accreditation_period(date(2024, 2, 29))
    # 2027 has no 29 February: the next period would start on 1 March, so this one ends on 28 February.
    assert period.ends_on == date(2027, 2, 28)
    assert next_period(period).starts_on == date(2027, 3, 1)


def test_configurable_length_and_lead_time() -> None:
    period = accreditation_period(date(2024, 1, 15), years=2, renewal_lead_months=3)
    assert (period.ends_on, period.renewal_due_on) == (date(2026, 1, 14), date(2025, 10, 14))
    with pytest.raises(ValueError, match="at least one year"):
        accreditation_period(date(2024, 1, 15), years=0)


def test_states_through_a_period() -> None:
    period = accreditation_period(date(2024, 3, 1))
    assert period.state(date(2024, 2, 28)) == "upcoming"
    assert period.state(date(2025, 1, 1)) == "current"
    assert period.state(date(2026, 8, 28)) == "renewal due"
    assert period.state(date(2027, 2, 28)) == "renewal due"  # the last day still counts
    assert period.state(date(2027, 3, 1)) == "lapsed"
    assert period.state(date(2027, 3, 1), renewed=True) == "renewed"


def test_month_arithmetic_clamps_to_the_month_end() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 8, 31), -6) == date(2024, 2, 29)
    assert add_months(date(2024, 12, 15), 1) == date(2025, 1, 15)
    assert add_years(date(2024, 2, 29), 1) == date(2025, 3, 1)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)), st.integers(1, 5))
def test_consecutive_periods_leave_no_gap_and_no_overlap(start: date, years: int) -> None:
    first = accreditation_period(start, years=years)
    second = next_period(first, years=years)
    assert (second.starts_on - first.ends_on).days == 1
    assert first.starts_on <= first.renewal_due_on <= first.ends_on


def test_relative_due_dates_follow_their_anchor() -> None:
    rule = DueRule(anchor=Anchor.LAUNCH, months=6)
    assert rule.due({Anchor.LAUNCH: date(2025, 8, 31)}) == date(2026, 2, 28)
    assert rule.due({Anchor.LAUNCH: None}) is None
    assert rule.words == "6 months after launch"
    assert DueRule(anchor=Anchor.ACCREDITATION, days=-10).words == "10 days before the start of accreditation"
    assert DueRule(fixed=date(2026, 1, 1)).words == "on 2026-01-01"
    with pytest.raises(ValueError, match="either fixed or relative"):
        DueRule(fixed=date(2026, 1, 1), anchor=Anchor.LAUNCH)


def test_overdue_and_due_soon_are_computed() -> None:
    today = date(2026, 11, 22)
    assert due_state(date(2026, 11, 21), MilestoneStatus.PLANNED, today) == "overdue"
    assert due_state(date(2026, 11, 22), MilestoneStatus.IN_PROGRESS, today) == "due soon"
    assert due_state(date(2026, 12, 22), MilestoneStatus.PLANNED, today) == "due soon"  # 30 days
    assert due_state(date(2026, 12, 23), MilestoneStatus.PLANNED, today) == "scheduled"
    assert due_state(date(2026, 1, 1), MilestoneStatus.DONE, today) == "closed"
    assert due_state(None, MilestoneStatus.PLANNED, today) == "unscheduled"


def test_moving_an_anchor_replans_only_open_relative_milestones() -> None:
    # Dated on a launch of 2026-01-31 and an accreditation of 2026-03-01.
    milestones = [
        ("m1", "Hire the centre manager", DueRule(anchor=Anchor.LAUNCH, months=1), MilestoneStatus.PLANNED,
         date(2026, 2, 28)),
        ("m2", "First flagship pilot", DueRule(anchor=Anchor.LAUNCH, months=6), MilestoneStatus.DONE,
         date(2026, 7, 31)),
        ("m3", "Board meeting", DueRule(fixed=date(2026, 6, 1)), MilestoneStatus.PLANNED, date(2026, 6, 1)),
        ("m4", "Annual report", DueRule(anchor=Anchor.ACCREDITATION, months=12), MilestoneStatus.PLANNED,
         date(2027, 3, 1)),
    ]
    moved = replan(milestones, {Anchor.LAUNCH: date(2026, 3, 31), Anchor.ACCREDITATION: date(2026, 3, 1)})
    assert [(r.key, r.old, r.new) for r in moved] == [("m1", date(2026, 2, 28), date(2026, 4, 30))]
    # Once accepted, nothing is left to re-plan; an anchor cleared leaves the milestone without a date.
    accepted = [(k, t, r, s, date(2026, 4, 30) if k == "m1" else d) for k, t, r, s, d in milestones]
    assert replan(accepted, {Anchor.LAUNCH: date(2026, 3, 31), Anchor.ACCREDITATION: date(2026, 3, 1)}) == []
    cleared = replan(accepted, {Anchor.LAUNCH: date(2026, 3, 31), Anchor.ACCREDITATION: None})
    assert [(r.key, r.new) for r in cleared] == [("m4", None)]


@pytest.mark.parametrize(("baseline", "target", "actual", "expected"), [
    (0, 100, 95, Rag.GREEN),     # 95 % of the way
    (0, 100, 90, Rag.GREEN),     # exactly at the green line
    (0, 100, 75, Rag.AMBER),
    (0, 100, 59, Rag.RED),
    (50, 10, 14, Rag.GREEN),     # a KPI that should go down: 36 of 40 = 90 %
    (50, 10, 30, Rag.RED),       # 20 of 40 = 50 %
    (20, 20, 20, Rag.GREEN),     # a level held
    (20, 20, 19, Rag.RED),
])
def test_rag_from_target_and_actual(baseline: float, target: float, actual: float, expected: Rag) -> None:
    assert rag(baseline, target, actual, period_ended=True) is expected


def test_missing_actuals_are_no_data_once_the_period_ended() -> None:
    today = date(2026, 11, 22)
    periods = [("2025", date(2025, 1, 1), date(2025, 12, 31), 40.0, 38.0),
               ("2026", date(2026, 1, 1), date(2026, 12, 31), 80.0, None)]
    status, results = kpi_status(0.0, periods, today)
    # 2026 has not ended: not rated yet, so the KPI shows 2025's green.
    assert status is Rag.GREEN and [r.status for r in results] == [Rag.GREEN, Rag.NOT_YET]
    status, results = kpi_status(0.0, periods, date(2027, 1, 5))
    assert status is Rag.NO_DATA  # the year ended and nobody reported
    assert kpi_status(0.0, [], today)[0] is Rag.NOT_YET


def test_a_year_in_progress_is_judged_on_its_pace() -> None:
    """1 of a year's target of 2 in month two is ahead of pace, not red; the same figure at the
    end of the year is half the target, red."""
    year = [("1", date(2026, 1, 1), date(2026, 12, 31), 2.0, 1.0)]
    status, (result,) = kpi_status(0.0, year, date(2026, 2, 28))
    assert status is Rag.GREEN and result.progress == 0.5 and result.due is not None and result.due < 0.4
    assert kpi_status(0.0, year, date(2027, 1, 1))[0] is Rag.RED
    # In year 2 the level due rises from year 1's target: 2 at the start of the year, 4 at its end.
    two = [("1", date(2026, 1, 1), date(2026, 12, 31), 2.0, 2.0), ("2", date(2027, 1, 1), date(2027, 12, 31), 4.0, 2.0)]
    status, results = kpi_status(0.0, two, date(2027, 1, 20))
    assert status is Rag.GREEN and results[1].due is not None and 2.0 < results[1].due < 2.2
    assert kpi_status(0.0, two, date(2027, 7, 31))[0] is Rag.AMBER  # about 3.16 due: 63 % of the way
    assert kpi_status(0.0, two, date(2027, 11, 30))[0] is Rag.RED  # about 3.83 due: 52 %


@given(start_level=st.floats(-1e6, 1e6), target=st.floats(-1e6, 1e6), offset=st.integers(-30, 400))
def test_the_level_due_runs_from_the_start_level_to_the_target(start_level: float, target: float,
                                                               offset: int) -> None:
    starts, ends = date(2026, 3, 1), date(2027, 2, 28)
    due = level_due(start_level, target, starts, ends, starts + timedelta(days=offset))
    low, high = sorted((start_level, target))
    assert low - 1e-6 <= due <= high + 1e-6
    if starts + timedelta(days=offset) >= ends:
        assert due == target


@given(anchor=st.sampled_from(list(Anchor)), months=st.integers(-36, 36), days=st.integers(0, 60),
       before=st.booleans())
def test_a_due_rule_reads_back_from_its_words(anchor: Anchor, months: int, days: int, before: bool) -> None:
    """What the screens and `case show` say of a rule is what the forms and the command line
    read back, so a milestone can be saved again unchanged."""
    sign = -1 if before else 1
    rule = DueRule(anchor=anchor, months=sign * abs(months), days=sign * days)
    assert parse_rule(rule.words) == rule


def test_due_rules_as_people_write_them() -> None:
    assert parse_rule("6m launch") == DueRule(anchor=Anchor.LAUNCH, months=6)
    assert parse_rule("-30 days accreditation") == DueRule(anchor=Anchor.ACCREDITATION, days=-30)
    assert parse_rule("12 months after accreditation") == DueRule(anchor=Anchor.ACCREDITATION, months=12)
    for bad in ("soon", "6 months after lunch", "after launch", ""):
        with pytest.raises(ValueError):
            parse_rule(bad)
