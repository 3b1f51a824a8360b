"""The text charts of the centre view: the accreditation timeline and a KPI's years."""

from __future__ import annotations

from datetime import date

import pytest

from dtlab.present.charts import kpi_chart, period_bar, timeline

pytestmark = pytest.mark.unit


def test_a_period_bar_marks_today_and_the_renewal_window() -> None:
    bar = period_bar(date(2024, 3, 1), date(2027, 2, 28), date(2026, 8, 28), date(2025, 9, 1), 30).plain
    assert len(bar) == 30 and bar.count("▼") == 1
    assert bar.index("▼") == 15  # half way through the period
    assert bar.endswith("┄" * 5) and set(bar[:15]) == {"━"}
    ended = period_bar(date(2024, 3, 1), date(2027, 2, 28), date(2026, 8, 28), date(2027, 6, 1), 30).plain
    assert set(ended) == {"━"}  # all elapsed, no today mark past the end
    ahead = period_bar(date(2024, 3, 1), date(2027, 2, 28), date(2026, 8, 28), date(2024, 1, 1), 30).plain
    assert "▼" not in ahead and "━" not in ahead


def test_the_timeline_says_each_periods_state() -> None:
    periods = [
        {"number": 1, "starts_on": date(2021, 3, 1), "ends_on": date(2024, 2, 29), "renewal_due_on": date(2023, 8, 29),
         "state": "renewed", "days_left": -400, "type_name": "Technology"},
        {"number": 2, "starts_on": date(2024, 3, 1), "ends_on": date(2027, 2, 28), "renewal_due_on": date(2026, 8, 28),
         "state": "renewal due", "days_left": 180, "type_name": "Technology"},
    ]
    text = timeline(periods, date(2021, 1, 10), date(2026, 9, 1), 80).plain
    assert "Launched 2021-01-10" in text
    assert "Period 1 2021-03-01" in text and "renewed" in text
    assert "renewal due · 180 days left in the period (due since 2026-08-28)" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "Not accredited yet" in timeline([], None, date(2026, 1, 1), 80).plain


def test_a_kpi_chart_puts_the_actual_against_the_target() -> None:
    kpi = {"name": "SMEs served", "unit": "SMEs", "baseline": None, "status": "red", "years": [
        {"year": 1, "ends_on": date(2025, 2, 28), "target": 10.0, "actual": 10.0, "progress": 1.0, "status": "green"},
        {"year": 2, "ends_on": date(2026, 2, 28), "target": 20.0, "actual": 5.0, "progress": 0.25, "status": "red"},
        {"year": 3, "ends_on": None, "target": None, "actual": None, "progress": None, "status": "not yet rated"},
    ]}
    lines = kpi_chart(kpi, 70).plain.splitlines()
    assert lines[0] == "SMEs served (SMEs) · baseline not measured · ● red"
    year1, year2, year3 = lines[1:]
    assert "10/10 100% ● green" in year1 and "5/20 25% ● red" in year2 and "(not dated)" in year3
    # Same scale for every year: year 2's target mark sits at the far end, year 1's half way.
    assert year2.index("┆") > year1.index("┆")
    assert year1.count("█") > year2.count("█")
