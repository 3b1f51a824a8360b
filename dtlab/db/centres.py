"""Centres and their accreditation periods, kept in step with the case they come from.

A case that reaches set-up becomes a centre. Recording its accreditation date opens the first
three-year period. The renewal stage's outcome closes the current period: renewed opens the next
period straight after it; upgraded waits for the new type's accreditation date; closed ends the
centre's periods. Whether a period is current, due for renewal or lapsed is computed from the
dates each time it is read (domain.monitoring), never stored."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ..domain.ids import derived_id
from ..domain.monitoring import AccreditationPeriod, accreditation_period, add_months, next_period
from ..domain.stages import RenewalOutcome, Stage
from ..domain.words import short_type_name
from .models import Accreditation, Case, Centre, Meta, Organisation
from .reference import centre_type_rules

YEARS = 3  # the seed's accredited period
RENEWAL_LEAD_MONTHS = 6
POLICY_KEYS = {"accreditation_years": YEARS, "renewal_lead_months": RENEWAL_LEAD_MONTHS}


def accreditation_policy(session: Session) -> tuple[int, int]:
    """The length of a period in years and how many months before its end re-accreditation
    falls due: the lab's defaults unless this database sets its own (`dtlab policy`). Periods
    already opened keep the dates they were given."""
    values = []
    for key, default in POLICY_KEYS.items():
        row = session.get(Meta, key)
        values.append(int(row.value) if row is not None else default)
    return values[0], values[1]


def set_policy(session: Session, years: int | None = None, lead_months: int | None = None) -> tuple[int, int]:
    current_years, current_lead = accreditation_policy(session)
    years = current_years if years is None else years
    lead_months = current_lead if lead_months is None else lead_months
    accreditation_period(date(2000, 1, 1), years, lead_months)  # the domain refuses what makes no sense
    if lead_months >= years * 12:
        raise ValueError("re-accreditation must fall due within the period")
    session.merge(Meta(key="accreditation_years", value=str(years)))
    session.merge(Meta(key="renewal_lead_months", value=str(lead_months)))
    return years, lead_months


def centre_of(session: Session, case: Case) -> Centre | None:
    return session.scalars(select(Centre).where(Centre.case_id == case.id)).first()


def periods_of(session: Session, centre: Centre) -> list[Accreditation]:
    return list(session.scalars(select(Accreditation).where(
        Accreditation.centre_id == centre.id, col(Accreditation.deleted_at).is_(None))
        .order_by(col(Accreditation.number))))


def _period(row: Accreditation) -> AccreditationPeriod:
    return AccreditationPeriod(row.number, row.starts_on, row.ends_on, row.renewal_due_on)


def _period_row(centre: Centre, period: AccreditationPeriod) -> Accreditation:
    return Accreditation(case_id=centre.case_id, centre_id=centre.id, number=period.number,
                         centre_type=centre.centre_type, starts_on=period.starts_on, ends_on=period.ends_on,
                         renewal_due_on=period.renewal_due_on)


def keep_in_step(session: Session, case: Case) -> None:
    """After a write to the case (inside its transaction): create its centre once it reaches
    set-up, follow its launch date, scope, goals and (after an upgrade's set-up) its type, and
    open an accreditation period when an accreditation date is recorded."""
    centre = centre_of(session, case)
    reached = Stage(case.stage).position >= Stage.IMPLEMENTATION.position
    if centre is None:
        if not reached:
            return
        # One per case on every site: two sites opening it make one record, which sync merges.
        centre = Centre(id=derived_id("centre", case.id), case_id=case.id, name=case.title,
                        centre_type=case.proposed_type, host_id=case.applicant_id, country=case.country,
                        scope=case.scope, goals=case.goals, launch_on=case.launch_on)
        session.add(centre)
        session.flush()
    if reached:
        for field in ("centre_type", "scope", "goals", "launch_on", "country"):
            value = case.proposed_type if field == "centre_type" else getattr(case, field)
            if value is not None and getattr(centre, field) != value:
                setattr(centre, field, value)
    if case.accredited_on is None:
        return
    periods = periods_of(session, centre)
    last = periods[-1] if periods else None
    years, lead = accreditation_policy(session)
    if last is None or last.outcome == RenewalOutcome.UPGRADED.value:
        number = last.number + 1 if last else 1
        session.add(_period_row(centre, accreditation_period(case.accredited_on, years, lead, number)))
    elif last.outcome is None and _starts_from_accreditation(periods) and last.starts_on != case.accredited_on:
        # The accreditation date was corrected: the period it opened follows it.
        period = accreditation_period(case.accredited_on, years, lead, last.number)
        last.starts_on, last.ends_on, last.renewal_due_on = period.starts_on, period.ends_on, period.renewal_due_on


def _starts_from_accreditation(periods: list[Accreditation]) -> bool:
    """Whether the last period was opened by an accreditation date (the first, or the first after
    an upgrade), not by a renewal."""
    return len(periods) == 1 or periods[-2].outcome == RenewalOutcome.UPGRADED.value


def close_period(session: Session, case: Case, outcome: RenewalOutcome) -> None:
    """The renewal stage decided: the current period ends with this outcome; a renewal opens the
    next period from the day after it."""
    centre = centre_of(session, case)
    periods = periods_of(session, centre) if centre else []
    if centre is None or not periods or periods[-1].outcome is not None:
        return
    last = periods[-1]
    last.outcome = outcome.value
    if outcome is RenewalOutcome.RENEWED:
        session.add(_period_row(centre, next_period(_period(last), *accreditation_policy(session))))
    elif outcome is RenewalOutcome.UPGRADED:
        case.accredited_on = None  # the new type is accredited anew once it is set up


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
            "period": None, "accreditation": "not accredited", "lapsed": False,
        }
        if last is not None:
            period = _period(last)
            state = period.state(today, renewed=last.outcome == RenewalOutcome.RENEWED.value)
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


def accreditations_ending(session: Session, today: date, months: int = 6) -> list[dict[str, Any]]:
    """Open centres whose current period ends within `months` (or has already ended without
    an outcome: lapsed), soonest first."""
    horizon = add_months(today, months)
    query = (sa.select(col(Accreditation.number), col(Accreditation.starts_on), col(Accreditation.ends_on),
                       col(Accreditation.renewal_due_on), col(Case.ref), col(Case.title))
             .join(Case, col(Case.id) == Accreditation.case_id)
             .where(col(Accreditation.ends_on) <= horizon, col(Accreditation.outcome).is_(None),
                    col(Accreditation.deleted_at).is_(None), col(Case.status) == "open",
                    col(Case.deleted_at).is_(None))
             .order_by(col(Accreditation.ends_on), col(Case.ref)))
    out = []
    for number, starts_on, ends_on, due_on, ref, title in session.execute(query):
        period = AccreditationPeriod(number, starts_on, ends_on, due_on)
        out.append({"ref": ref, "centre": title, "number": number, "ends_on": ends_on,
                    "days_left": period.days_left(today), "state": period.state(today)})
    return out


def centre_timeline(session: Session, case: Case, today: date) -> dict[str, Any] | None:
    """The case's centre with every accreditation period it has had, each in its state on
    `today`, for the centre view."""
    centre = centre_of(session, case)
    if centre is None:
        return None
    names = {t: short_type_name(rule.name) for t, rule in centre_type_rules(session).items()}
    host = session.get(Organisation, centre.host_id) if centre.host_id else None
    periods = []
    for row in periods_of(session, centre):
        period = _period(row)
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
