"""Centres and their accreditation periods, kept in step with the case they come from.

A case that reaches set-up becomes a centre. Recording its accreditation date opens the first
three-year period. The renewal stage's outcome closes the current period: renewed opens the next
period straight after it; upgraded waits for the new type's accreditation date; closed ends the
centre's periods. Whether a period is current, due for renewal or lapsed is computed from the
dates each time it is read (domain.monitoring), never stored."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session, col, select

from dtlab.db import dialects
from dtlab.db.models import Accreditation, Case, Centre, Meta, Organisation
from dtlab.db.queries import centre_types
from dtlab.domain.monitoring import ENDING_SOON_MONTHS, AccreditationPeriod, accreditation_state, add_months
from dtlab.domain.policy import ACCREDITATION_YEARS, RENEWAL_LEAD_MONTHS
from dtlab.domain.stages import RenewalOutcome

# Rows fetched at a time where a read is streamed across the portfolio (SQLAlchemy's ORM
# session otherwise buffers a whole result before handing over its first row).
STREAM_ROWS = 1000

# Where a database keeps its own policy (domain.policy has the lab's defaults and the rules).
POLICY_KEYS = ("accreditation_years", "renewal_lead_months")


def accreditation_policy(session: Session) -> tuple[int, int]:
    """The length of a period in years and how many months before its end re-accreditation
    falls due: the lab's defaults unless this database sets its own (`dtlab policy`). Periods
    already opened keep the dates they were given."""
    years, lead = (session.get(Meta, key) for key in POLICY_KEYS)
    return (int(years.value) if years is not None else ACCREDITATION_YEARS,
            int(lead.value) if lead is not None else RENEWAL_LEAD_MONTHS)


def centre_of(session: Session, case: Case) -> Centre | None:
    return session.scalars(select(Centre).where(Centre.case_id == case.id)).first()


def as_period(row: Accreditation) -> AccreditationPeriod:
    return AccreditationPeriod(row.number, row.starts_on, row.ends_on, row.renewal_due_on)


def periods_of(session: Session, centre: Centre) -> list[Accreditation]:
    return list(session.scalars(select(Accreditation).where(
        Accreditation.centre_id == centre.id, col(Accreditation.deleted_at).is_(None))
        .order_by(col(Accreditation.number))))


def list_centres(session: Session, today: date, case_id: str | None = None) -> list[dict[str, Any]]:
    """Every centre (or the case's) with its current accreditation period and its state on `today`."""
    query = (select(Centre, Case.ref, Case.status).join(Case, col(Case.id) == Centre.case_id)
             .where(col(Centre.deleted_at).is_(None)).order_by(col(Case.ref)))
    if case_id is not None:
        query = query.where(Centre.case_id == case_id)
    rows = session.execute(query).all()
    periods: dict[str, list[Accreditation]] = {}
    periods_query = select(Accreditation).where(col(Accreditation.deleted_at).is_(None))
    if case_id is not None:
        periods_query = periods_query.where(Accreditation.case_id == case_id)
    for p in session.scalars(periods_query.order_by(col(Accreditation.number))):
        periods.setdefault(p.centre_id, []).append(p)
    out = []
    for centre, ref, status in rows:
        mine = periods.get(centre.id, [])
        last = mine[-1] if mine else None
        entry: dict[str, Any] = {
            "ref": ref, "name": centre.name, "centre_type": centre.centre_type, "country": centre.country,
            "scope": centre.scope, "goals": centre.goals.split(",") if centre.goals else [],
            "launch_on": centre.launch_on, "case_status": status,
            "types": list(dict.fromkeys(p.centre_type for p in mine if p.centre_type)),
            # A state, as the period's are ("lapsed", "closed"): a value, worded by the front ends.
            "period": None, "accreditation": "not accredited", "lapsed": False,  # i18n: not shown (a state code)
        }
        if last is not None:
            period = as_period(last)
            state = accreditation_state(period, today, renewed=last.outcome == RenewalOutcome.RENEWED.value,
                                        previous=as_period(mine[-2]) if len(mine) > 1 else None)
            if last.outcome in (RenewalOutcome.CLOSED.value, RenewalOutcome.UPGRADED.value):
                state = last.outcome
            entry["period"] = {"number": last.number, "starts_on": last.starts_on, "ends_on": last.ends_on,
                               "renewal_due_on": last.renewal_due_on, "outcome": last.outcome,
                               "days_left": period.days_left(today),
                               "days_to_renewal": (last.renewal_due_on - today).days}
            entry["accreditation"] = state
            entry["lapsed"] = state == "lapsed"
        out.append(entry)
    return out


def accreditations_ending(session: Session, today: date, months: int = ENDING_SOON_MONTHS) -> list[dict[str, Any]]:
    """Open centres whose current period ends within `months` (or has already ended without
    an outcome: lapsed), soonest first."""
    return list(iter_accreditations_ending(session, today, months))


def iter_accreditations_ending(session: Session, today: date,
                               months: int = ENDING_SOON_MONTHS) -> Iterator[dict[str, Any]]:
    """`accreditations_ending` one at a time, as the database gives them."""
    horizon = add_months(today, months)
    query = (sa.select(col(Accreditation.number), col(Accreditation.starts_on), col(Accreditation.ends_on),
                       col(Accreditation.renewal_due_on), col(Case.ref), col(Case.title))
             .join(Case, col(Case.id) == Accreditation.case_id)
             .where(col(Accreditation.ends_on) <= horizon, col(Accreditation.outcome).is_(None),
                    col(Accreditation.deleted_at).is_(None),
                    # Read from the open periods' end dates (ix_accreditations_open_ends) and each
                    # one's case by its key: SQLite chose to walk every open case instead, 5 s at
                    # a million cases against 1.
                    dialects.of(session).unindexed(cast(Any, col(Case.status))) == "open",
                    col(Case.deleted_at).is_(None))
             .order_by(col(Accreditation.ends_on), col(Case.ref)))
    # Streamed: the session would otherwise hold every row before the first is used.
    rows = session.execute(query.execution_options(yield_per=STREAM_ROWS))
    for number, starts_on, ends_on, due_on, ref, title in rows:
        period = AccreditationPeriod(number, starts_on, ends_on, due_on)
        yield {"ref": ref, "centre": title, "number": number, "ends_on": ends_on,
               "days_left": period.days_left(today), "state": period.state(today)}


def centre_timeline(session: Session, case: Case, today: date) -> dict[str, Any] | None:
    """The case's centre with every accreditation period it has had, each in its state on
    `today`, for the centre view."""
    centre = centre_of(session, case)
    if centre is None:
        return None
    names = dict(centre_types(session, short=True))  # in the language in use
    host = session.get(Organisation, centre.host_id) if centre.host_id else None
    periods = []
    for row in periods_of(session, centre):
        period = as_period(row)
        state = period.state(today, renewed=row.outcome == RenewalOutcome.RENEWED.value)
        if row.outcome in (RenewalOutcome.CLOSED.value, RenewalOutcome.UPGRADED.value):
            state = row.outcome
        periods.append({"number": row.number, "starts_on": row.starts_on, "ends_on": row.ends_on,
                        "renewal_due_on": row.renewal_due_on, "outcome": row.outcome, "state": state,
                        "days_left": period.days_left(today), "centre_type": row.centre_type,
                        "type_name": names.get(row.centre_type or "", "no type")})
    return {"ref": case.ref, "name": centre.name, "centre_type": centre.centre_type,
            "type_name": names.get(centre.centre_type or "", "no type"), "host": host.name if host else None,
            "country": centre.country, "scope": centre.scope, "launch_on": centre.launch_on,
            "status": case.status, "stage": case.stage, "periods": periods,
            "lapsed": bool(periods) and periods[-1]["state"] == "lapsed"}
