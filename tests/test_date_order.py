"""Dates that cannot be: an accreditation before the launch, an evaluation before the
accreditation, an assessment before the request, a milestone done before the launch, an actual
for a reporting year that has not begun (or before any accreditation). Each is refused with a
sentence that names both dates; a launch still ahead reads as planned."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dtlab.db.store import Store
from dtlab.domain.fields import DATE_ORDER, date_order_problems
from dtlab.errors import Invalid
from dtlab.present.charts import timeline
from dtlab.services.cases import update_case
from dtlab.services.plans import add_kpi_to_plan, record_actual, save_milestone
from tests.helpers.cases import planned_centre

pytestmark = pytest.mark.unit

days = st.dates(date(2000, 1, 1), date(2030, 12, 31))


@given(values=st.fixed_dictionaries({name: st.none() | days for pair in DATE_ORDER for name in pair[:2]}))
def test_a_problem_is_named_exactly_when_a_later_date_comes_first(values: dict[str, date | None]) -> None:
    problems = date_order_problems(dict(values))
    out_of_order = [later for earlier, later, _ in DATE_ORDER
                    if values[earlier] and values[later] and values[later] < values[earlier]]
    assert [p.partition(":")[0] for p in problems] == out_of_order


def test_an_accreditation_before_the_launch_is_refused(store: Store) -> None:
    ref = planned_centre(store, launch="2025-01-15", accredited="2025-03-01")
    with pytest.raises(Invalid, match=r"accredited_on: 2025-01-01 is before the launch date \(2025-01-15\)"):
        update_case(store, ref, {"accredited_on": "2025-01-01"})
    with pytest.raises(Invalid, match="is before the launch date"):
        update_case(store, ref, {"launch_on": "2025-06-01"})  # the later date moved, the same rule
    with pytest.raises(Invalid, match=r"period_evaluated_on: 2025-02-01 is before the accreditation date"):
        update_case(store, ref, {"period_evaluated_on": "2025-02-01"})
    update_case(store, ref, {"launch_on": "2025-03-01"})  # the same day is fine


def test_an_assessment_before_the_request_is_refused(store: Store) -> None:
    ref = planned_centre(store)  # received 2025-02-01
    with pytest.raises(Invalid, match="assessed_on: 2025-01-20 is before the date the request was received"):
        update_case(store, ref, {"assessed_on": "2025-01-20"})


def test_a_milestone_done_before_the_launch_is_refused(store: Store) -> None:
    ref = planned_centre(store, launch="2025-01-15")
    with pytest.raises(Invalid, match=r"done on: 2024-12-01 is before the launch date \(2025-01-15\)"):
        save_milestone(store, ref, None, "Platform convened", "", "", "done", done_on="2024-12-01",
                       today=date(2025, 6, 1))
    save_milestone(store, ref, None, "Platform convened", "", "", "done", done_on="2025-02-01",
                   today=date(2025, 6, 1))


def test_an_actual_waits_for_its_reporting_year(store: Store) -> None:
    unaccredited = planned_centre(store, accredited=None)
    add_kpi_to_plan(store, unaccredited, "Partners", "", 0, 6)
    with pytest.raises(Invalid, match="is not accredited yet: reporting years count from the first accreditation"):
        record_actual(store, unaccredited, "Partners", 1, "3", today=date(2025, 6, 1))
    ref = planned_centre(store, accredited="2025-03-01")
    add_kpi_to_plan(store, ref, "Partners", "", 0, 6)
    with pytest.raises(Invalid, match="reporting year 2 begins on 2026-03-01"):
        record_actual(store, ref, "Partners", 2, "3", today=date(2025, 6, 1))
    record_actual(store, ref, "Partners", 1, "3", today=date(2025, 6, 1))
    record_actual(store, ref, "Partners", 2, "", today=date(2025, 6, 1))  # clearing is always allowed


def test_a_launch_ahead_reads_as_planned() -> None:
    assert "Launch planned for 2027-01-15" in timeline([], date(2027, 1, 15), date(2026, 12, 7), 80).plain
    assert "Launched 2026-01-15" in timeline([], date(2026, 1, 15), date(2026, 12, 7), 80).plain
