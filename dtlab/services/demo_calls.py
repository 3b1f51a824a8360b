"""The demo's calls for expressions of interest: one a year, closing on 30 June, and each demo
request for a country-owned regional centre answering its year's call, as such a request must
(its interest gate asks for the call). A few come in the fortnight after a deadline: late, taken
with a reason. Nothing here draws from the demo's random stream, so the rest of the demo stays
as it was."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from dtlab.db.models import Call
from dtlab.domain.calls import CallStatus, needs_call
from dtlab.domain.stages import Channel
from dtlab.services.calls import add_call

TITLE = "Regional Acceleration Centres {year}: call for expressions of interest"
LATE_DAYS = 14  # a request this many days after a deadline answers that call, late
LATE_REASON = "Sent before the deadline; held up in the host ministry's mail (confirmed by the BDT regional office)."
# Where a built case holds the year of the call it answers until the writer names the call.
CALL_YEAR = "_call_year"


def _deadline(year: int) -> date:
    return date(year, 6, 30)


def answer_call(case: dict[str, Any]) -> None:
    """Mark a country-owned regional request with the year of the call it answers: its year's,
    or last year's, late, when it came within a fortnight of that deadline."""
    if not needs_call(case["ownership"], case["scope"]):
        return
    received: date = case["received_on"]
    year, late = received.year, False
    if received > _deadline(year):
        late = received <= _deadline(year) + timedelta(days=LATE_DAYS)
        year += 0 if late else 1
    case[CALL_YEAR] = year
    case["channel"] = Channel.EOI.value
    if late:
        case["late_reason"] = LATE_REASON


def link_calls(session: Session, site_code: str, cases: list[dict[str, Any]], today: date) -> None:
    """Name the call of each marked case, making a year's call the first time it is needed (a
    second `dtlab demo` finds it by its title), in the writer's transaction."""
    refs = {title: ref for title, ref in session.execute(
        select(col(Call.title), col(Call.ref)).where(col(Call.deleted_at).is_(None)))}
    for case in cases:
        year = case.pop(CALL_YEAR, None)
        if year is None:
            continue
        title = TITLE.format(year=year)
        if title not in refs:
            deadline = _deadline(year)
            refs[title] = add_call(session, site_code, dict(
                title=title, deadline=deadline, opens_on=date(year - 1, 9, 1), scope="regional",
                centre_types="research_entrepreneurship,digital_transformation",
                status=(CallStatus.OPEN if deadline >= today else CallStatus.CLOSED).value,
                announcement=f"BDT circular, September {year - 1}")).ref
        case["call_ref"] = refs[title]
