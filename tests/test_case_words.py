"""The case screens' words pass through the catalogue whole: in a pseudo-language that brackets
every message, each sentence the case list, the case's tabs and the centre write comes out
bracketed as one piece, values inside, and nothing of their English is left outside."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dtlab.db.listing import CaseFilter
from dtlab.screens.case_list import describe_filter
from dtlab.screens.case_tabs import centre_markup, evaluations_markup, saved_message
from tests.helpers.pseudo_language import bracket, speak

pytestmark = pytest.mark.unit


@pytest.fixture
def bracketed(monkeypatch: pytest.MonkeyPatch) -> None:
    speak(monkeypatch, bracket)


def centre_detail(days_to_renewal: int, days_left: int) -> dict[str, Any]:
    period = {"number": 2, "starts_on": date(2024, 3, 1), "ends_on": date(2027, 2, 28),
              "renewal_due_on": date(2026, 9, 1), "days_to_renewal": days_to_renewal, "days_left": days_left}
    return {"centre": {"period": period, "accreditation": "current", "lapsed": False, "types": ["hub"]}}


def test_a_filter_is_said_a_whole_part_at_a_time(bracketed: None) -> None:
    assert describe_filter(CaseFilter(search="hub", region="AFR"), {}) == "⟦search hub⟧, ⟦region AFR⟧"
    assert describe_filter(CaseFilter(), {}) == "⟦everything⟧"


def test_saving_says_what_was_saved_in_one_sentence(bracketed: None) -> None:
    assert saved_message({}) == "⟦Nothing changed.⟧"
    assert saved_message({"title": "x"}).startswith("⟦Saved: ") and saved_message({"title": "x"}).endswith("⟧")


def test_the_accreditation_lines_are_translated_with_their_values(bracketed: None) -> None:
    lines = centre_markup(centre_detail(days_to_renewal=12, days_left=300)).splitlines()
    assert lines[1] == "[b]⟦Accreditation⟧[/b]"
    assert lines[2] == "⟦Period 2: 2024-03-01 → 2027-02-28⟧ · [b]⟦current⟧[/]"
    assert lines[3] == "⟦Renewal due 2026-09-01⟧ · ⟦in 12 days⟧"


def test_a_single_day_is_said_in_the_singular() -> None:
    assert centre_markup(centre_detail(days_to_renewal=1, days_left=200)).splitlines()[3].endswith(" · in 1 day")
    assert centre_markup(centre_detail(days_to_renewal=-3, days_left=1)).splitlines()[3].endswith(" · ends in 1 day")


def test_the_verdict_lines_keep_their_markup_outside_the_messages(bracketed: None) -> None:
    detail = {"consolidated": None, "evaluations": [{"state": "draft"}],
              "recommendation": {"ranking": [], "best": None, "request": {"scope": None, "ownership": None},
                                 "cost": {"tier": "high", "points": 5, "drivers": []}}}
    lines = evaluations_markup(detail).splitlines()
    assert lines[2] == "⟦Evaluators: none submitted yet⟧ · ⟦1 draft⟧"
    assert lines[3] == "⟦Best fit: [dim]⟦set the scope and ownership first⟧[/]⟧"
    assert lines[4] == "⟦Cost tier: ⟦high⟧⟧"
