"""Centres and accreditation periods, kept in step with their case (issue 5's Done-when dates)."""

from __future__ import annotations

from datetime import date

import pytest

from dtlab.db.centres import list_centres
from dtlab.db.history import case_history
from dtlab.db.store import Store
from dtlab.domain.stages import MoveKind, Stage
from dtlab.services.cases import create_case, move_case, update_case
from tests.helpers.cases import evaluate, walk_to

pytestmark = [pytest.mark.unit, pytest.mark.both_databases]


def centre(store: Store, ref: str, today: date) -> dict:  # type: ignore[type-arg]
    with store.read() as s:
        return next(c for c in list_centres(s, today) if c["ref"] == ref)


def at_renewal_of_first_period(store: Store) -> str:
    """A centre accredited on 2024-03-01 whose end-of-period evaluation is done: at renewal."""
    ref = create_case(store, {"title": "Hub", "country": "KE"})
    walk_to(store, ref, Stage.OPERATION)
    update_case(store, ref, {"accredited_on": "2024-03-01", "period_evaluated_on": "2026-06-01"})
    move_case(store, ref, MoveKind.ADVANCE)
    return ref


def test_a_case_becomes_a_centre_at_set_up_and_is_accredited_for_three_years(store: Store) -> None:
    ref = create_case(store, {"title": "Smart villages hub", "country": "KE"})
    walk_to(store, ref, Stage.IMPLEMENTATION)
    c = centre(store, ref, date(2025, 1, 1))
    assert (c["name"], c["centre_type"], c["accreditation"]) == ("Smart villages hub", "digital_transformation",
                                                               "not accredited")
    update_case(store, ref, {"accredited_on": "2024-03-01"})
    c = centre(store, ref, date(2025, 1, 1))
    assert c["period"]["ends_on"] == date(2027, 2, 28) and c["period"]["renewal_due_on"] == date(2026, 8, 28)
    assert c["accreditation"] == "current"
    # Two countdowns, each to its own date: the renewal (shown beside it) and the period's end.
    assert (c["period"]["days_to_renewal"], c["period"]["days_left"]) == (604, 788)
    assert centre(store, ref, date(2026, 9, 1))["accreditation"] == "renewal due"
    lapsed = centre(store, ref, date(2027, 3, 1))
    assert lapsed["accreditation"] == "lapsed" and lapsed["lapsed"]
    # A corrected accreditation date moves the period it opened.
    update_case(store, ref, {"accredited_on": "2024-04-01"})
    assert centre(store, ref, date(2025, 1, 1))["period"]["ends_on"] == date(2027, 3, 31)


def test_a_renewal_starts_the_next_period_and_an_upgrade_keeps_the_old_type(store: Store) -> None:
    ref = at_renewal_of_first_period(store)
    update_case(store, ref, {"renewal_outcome": "renewed"})
    move_case(store, ref, MoveKind.ADVANCE)
    c = centre(store, ref, date(2027, 6, 1))
    assert c["period"]["number"] == 2 and c["period"]["starts_on"] == date(2027, 3, 1)
    assert c["accreditation"] == "current" and not c["lapsed"]
    # Second period: upgraded to another type, through a new concept design.
    update_case(store, ref, {"period_evaluated_on": "2026-07-01"})
    move_case(store, ref, MoveKind.ADVANCE)
    update_case(store, ref, {"renewal_outcome": "upgraded"})
    move_case(store, ref, MoveKind.ADVANCE)
    assert centre(store, ref, date(2027, 6, 1))["accreditation"] == "upgraded"
    update_case(store, ref, {"proposed_type": "research_entrepreneurship", "goals": "trends,entrepreneurship"})
    evaluate(store, ref, "L. Chen")
    move_case(store, ref, MoveKind.ADVANCE)
    update_case(store, ref, {"agreement_ref": "BDT/JS/2026/002", "signed_on": "2026-09-01"})
    move_case(store, ref, MoveKind.ADVANCE)
    update_case(store, ref, {"launch_on": "2026-10-01"})
    move_case(store, ref, MoveKind.ADVANCE)
    update_case(store, ref, {"accredited_on": "2026-11-01"})
    c = centre(store, ref, date(2026, 11, 20))
    assert c["centre_type"] == "research_entrepreneurship"
    assert c["types"] == ["digital_transformation", "research_entrepreneurship"]  # the old type stays
    assert c["period"]["number"] == 3 and c["period"]["starts_on"] == date(2026, 11, 1)
    with store.read() as s:
        changes = [e.changes.get("centre_type") for e in case_history(s, ref) if e.table == "centres"]
    assert ["digital_transformation", "research_entrepreneurship"] in changes


def test_closing_at_renewal_ends_the_periods(store: Store) -> None:
    ref = at_renewal_of_first_period(store)
    update_case(store, ref, {"renewal_outcome": "closed"})
    move_case(store, ref, MoveKind.ADVANCE)
    c = centre(store, ref, date(2027, 6, 1))
    assert c["accreditation"] == "closed" and not c["lapsed"] and c["case_status"] == "closed"



def test_a_renewal_recorded_ahead_keeps_the_centre_current(store: Store) -> None:
    """Renewed in the renewal window, before the period ends: the centre is accredited now, and
    nothing is due, in the list, the timeline and every front end that reads them."""
    from dtlab.db.cases import get_case
    from dtlab.db.centres import centre_timeline

    ref = at_renewal_of_first_period(store)
    update_case(store, ref, {"renewal_outcome": "renewed"})
    move_case(store, ref, MoveKind.ADVANCE)
    today = date(2026, 12, 1)  # in the first period's renewal window, before its end on 2027-02-28
    c = centre(store, ref, today)
    assert c["accreditation"] == "current" and c["period"]["number"] == 2
    with store.read() as s:
        timeline = centre_timeline(s, get_case(s, ref), today)
    assert timeline is not None
    assert [p["state"] for p in timeline["periods"]] == ["current", "upcoming"]
