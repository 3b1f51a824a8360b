"""The centre side of a case's writes, inside the case's transaction: the centre follows its
case, accreditation periods open and close with the path, and the policy for new periods is set."""

from __future__ import annotations

from sqlmodel import Session

from dtlab.db.centres import POLICY_KEYS, accreditation_policy, as_period, centre_of, periods_of
from dtlab.db.models import Accreditation, Case, Centre, Meta
from dtlab.db.store import Store
from dtlab.domain.ids import derived_id
from dtlab.domain.monitoring import CENTRE_FOLLOWS_CASE, AccreditationPeriod, accreditation_period, next_period
from dtlab.domain.policy import check_policy
from dtlab.domain.stages import RenewalOutcome, Stage
from dtlab.errors import UsageError


def set_policy(store: Store, years: int | None = None, lead_months: int | None = None) -> tuple[int, int]:
    """The policy for periods opened from now on; what is not given stays. UsageError when it
    makes no sense (a period shorter than a year, notice longer than the period)."""
    with store.write() as session:
        current_years, current_lead = accreditation_policy(session)
        years = current_years if years is None else years
        lead_months = current_lead if lead_months is None else lead_months
        try:
            check_policy(years, lead_months)
        except ValueError as error:
            raise UsageError(str(error)) from None
        session.merge(Meta(key=POLICY_KEYS[0], value=str(years)))
        session.merge(Meta(key=POLICY_KEYS[1], value=str(lead_months)))
        return years, lead_months


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
        # The centre's name is its case's title (nothing names a centre apart): a rename of the
        # case left the centre screen, F4 and `dtlab centres` with the old one.
        for field, case_field in CENTRE_FOLLOWS_CASE.items():
            value = getattr(case, case_field)
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
        session.add(_period_row(centre, next_period(as_period(last), *accreditation_policy(session))))
    # An upgrade's period waits for the new type's accreditation date (the move clears the old one:
    # domain.stages.cleared_on_leaving).
