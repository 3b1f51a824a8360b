"""Reads of calls for expressions of interest: the site's (synchronised) and the reference
data's, as one list, each with the expressions of interest (cases) that answer it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from dtlab.db.models import Call, Case, Organisation, RefCall
from dtlab.domain.calls import CALL_REF_RE, EoiCount, answer_problem, count_eois, days_late, split_codes
from dtlab.errors import NotFound
from dtlab.i18n import _


@dataclass(frozen=True)
class CallView:
    ref: str
    title: str
    regions: tuple[str, ...]
    scope: str | None
    centre_types: tuple[str, ...]
    opens_on: date | None
    deadline: date
    status: str
    announcement: str | None
    reference: bool  # from the reference data (not editable here)
    eois: EoiCount = EoiCount()

    def as_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "title": self.title, "regions": list(self.regions), "scope": self.scope,
                "centre_types": list(self.centre_types),
                "opens_on": self.opens_on.isoformat() if self.opens_on else None,
                "deadline": self.deadline.isoformat(), "status": self.status, "announcement": self.announcement,
                "reference_data": self.reference, "eois_on_time": self.eois.on_time, "eois_late": self.eois.late}


def _view(row: Call | RefCall, reference: bool, eois: EoiCount) -> CallView:
    return CallView(row.ref, row.title, split_codes(row.regions), row.scope, split_codes(row.centre_types),
                    row.opens_on, row.deadline, row.status, row.announcement, reference, eois)


def _received(session: Session, ref: str | None = None) -> dict[str, list[date | None]]:
    """The dates each call's expressions of interest were received, by call ref (one call's only,
    given its ref)."""
    query = select(col(Case.call_ref), col(Case.received_on)).where(
        col(Case.call_ref).is_not(None), col(Case.deleted_at).is_(None))
    if ref is not None:
        query = query.where(col(Case.call_ref) == ref)
    out: dict[str, list[date | None]] = {}
    for call_ref, received in session.execute(query):
        out.setdefault(call_ref, []).append(received)
    return out


def list_calls(session: Session) -> list[CallView]:
    """Every call, the newest deadline first, each with its expressions of interest counted
    (on time and late apart)."""
    received = _received(session)
    rows: list[Call | RefCall] = [*session.scalars(select(RefCall)),
                                  *session.scalars(select(Call).where(col(Call.deleted_at).is_(None)))]
    views = [_view(row, isinstance(row, RefCall), count_eois(received.get(row.ref, []), row.deadline))
             for row in rows]
    return sorted(views, key=lambda v: (v.deadline, v.ref), reverse=True)


def site_call(session: Session, ref: str) -> Call | None:
    return session.scalars(select(Call).where(Call.ref == ref, col(Call.deleted_at).is_(None))).first()


def held_call(session: Session, ref: str | None) -> Call | RefCall | None:
    """The call of this ref held here: a site's, else the reference data's (None: none)."""
    if not ref:
        return None
    return site_call(session, ref) or session.scalars(select(RefCall).where(RefCall.ref == ref)).first()


def get_call(session: Session, ref: str) -> Call | RefCall:
    """A call by its ref (any case of letters); NotFound names the calls there are."""
    wanted = ref.strip().upper()
    row = held_call(session, wanted)
    if row is None:
        known = sorted([*session.scalars(select(RefCall.ref)),
                        *session.scalars(select(Call.ref).where(col(Call.deleted_at).is_(None)))])
        missing = _("no call {ref} (calls: {refs})") if known else _("no call {ref} (no call is recorded)")
        raise NotFound(missing.format(ref=wanted, refs=", ".join(known)))
    return row


def find_call(session: Session, ref: str) -> CallView:
    """A call by its ref, with its expressions of interest counted; NotFound names the calls there are."""
    row = get_call(session, ref)
    return _view(row, isinstance(row, RefCall), count_eois(_received(session, row.ref).get(row.ref, []),
                                                           row.deadline))


def call_answer(session: Session, ref: str | None, region: str | None) -> tuple[date | None, str | None]:
    """The deadline of the call a request names (None: not a call held here), and why the request
    cannot answer it (cancelled, or not open to its region), in one read."""
    row = held_call(session, ref)
    if row is None:
        return None, None
    return row.deadline, answer_problem(row.ref, row.status, split_codes(row.regions), region)


@dataclass(frozen=True)
class Eoi:
    """An expression of interest: a case answering the call."""

    ref: str
    title: str
    applicant: str | None
    country: str | None
    received_on: date | None
    days_late: int
    late_reason: str | None
    stage: str
    status: str

    def as_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "title": self.title, "applicant": self.applicant, "country": self.country,
                "received_on": self.received_on.isoformat() if self.received_on else None,
                "late": self.days_late > 0, "days_late": self.days_late, "late_reason": self.late_reason,
                "stage": self.stage, "status": self.status}


def call_eois(session: Session, call: CallView, limit: int | None = None) -> list[Eoi]:
    """The expressions of interest answering the call: the late ones (they ask for a reason), then
    those on time, each in the order they were received (the first `limit` of them)."""
    late_first = sa.case((col(Case.received_on) > call.deadline, 0), else_=1)
    rows = session.execute(
        sa.select(col(Case.ref), col(Case.title), col(Organisation.name), col(Case.country), col(Case.received_on),
               col(Case.late_reason), col(Case.stage), col(Case.status))
        .outerjoin(Organisation, col(Organisation.id) == Case.applicant_id)
        .where(col(Case.call_ref) == call.ref, col(Case.deleted_at).is_(None))
        .order_by(late_first, col(Case.received_on), col(Case.ref)).limit(limit))
    return [Eoi(ref, title, applicant, country, received, days_late(received, call.deadline), reason, stage, status)
            for ref, title, applicant, country, received, reason, stage, status in rows]


def highest_call_number(session: Session, site_code: str) -> int:
    """The highest number among this site's calls (0 when it has none)."""
    refs = session.scalars(select(Call.ref).where(col(Call.ref).like(f"{site_code}-C%")))
    numbers = [int(m.group(2)) for m in map(CALL_REF_RE.fullmatch, refs) if m and m.group(1) == site_code]
    return max(numbers, default=0)


def call_choices(session: Session) -> list[tuple[str, str]]:
    """(ref, "ref · title") of every call, for the forms' selects: the open ones first, the newest
    deadline first. Read each time a case or the new-request form opens: no answer is counted."""
    rows: list[Call | RefCall] = [*session.scalars(select(RefCall)),
                                  *session.scalars(select(Call).where(col(Call.deleted_at).is_(None)))]
    rows.sort(key=lambda c: (c.status != "open", -c.deadline.toordinal(), c.ref))
    return [(c.ref, f"{c.ref} · {c.title}") for c in rows]
