"""The use cases of calls for expressions of interest, each in its own transaction: open a call,
edit it, close or cancel it, and link a request to the call it answers. Values are typed text,
checked here as a form's are (one problem per field)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, select

from dtlab.db.calls import get_call, highest_call_number, site_call
from dtlab.db.models import Call, CentreType
from dtlab.db.store import Store
from dtlab.domain.calls import CALL_STATUSES, MAX_CALL_NUMBER, CallFacts, call_problems, call_ref, split_codes
from dtlab.domain.fields import FieldError
from dtlab.domain.fields import parse_date as parse_field_date
from dtlab.errors import Invalid, Refused
from dtlab.i18n import _
from dtlab.services.cases import apply_update

# The fields a call is made and edited with, as typed.
CALL_FIELDS = ("title", "regions", "scope", "centre_types", "opens_on", "deadline", "status", "announcement")


def _day(field: str, raw: str, problems: dict[str, str]) -> date | None:
    try:
        return parse_field_date(raw, field)
    except FieldError as error:
        problems[field] = str(error).partition(": ")[2] or str(error)
        return None


def _values(session: Session, typed: dict[str, str], current: dict[str, Any]) -> dict[str, Any]:
    """The typed fields as stored, over the call's current values; Invalid with every problem."""
    unknown = set(typed) - set(CALL_FIELDS)
    if unknown:
        raise Invalid(_("not a field of a call: {unknown} (fields: {fields})").format(
            unknown=", ".join(sorted(unknown)), fields=", ".join(CALL_FIELDS)))
    problems: dict[str, str] = {}
    values = dict(current)
    for field, raw in typed.items():
        text = (raw or "").strip()
        if field in ("opens_on", "deadline"):
            values[field] = _day(field, text, problems) if text else None
        elif field == "regions":
            codes = tuple(c.upper() for c in split_codes(text))
            values[field] = " ".join(codes) or None
        elif field == "centre_types":
            codes = split_codes(text)
            known = list(session.scalars(select(CentreType.id)))
            wrong = [c for c in codes if c not in known]
            if wrong:
                problems[field] = _("{codes}: not a centre type ({known})").format(codes=", ".join(wrong),
                                                                                   known=", ".join(known))
            values[field] = ",".join(codes) or None
        elif field == "status":
            values[field] = text.lower() or None
        else:
            values[field] = text or None
    facts = CallFacts(title=values.get("title"), deadline=values.get("deadline"), opens_on=values.get("opens_on"),
                      regions=split_codes(values.get("regions")), scope=values.get("scope"),
                      status=values.get("status") or "")
    for field, message in call_problems(facts).items():
        problems.setdefault(field, message)
    if problems:
        each = tuple(f"{k}: {v}" for k, v in problems.items())
        raise Invalid("; ".join(each), each)
    return values


def create_call(store: Store, typed: dict[str, str]) -> str:
    """Open a call (status open unless given); returns its ref, e.g. GVA-C3."""
    site = store.require_site()
    with store.write() as session:
        return add_call(session, site.code, _values(session, {"status": "open", **typed}, {})).ref


def add_call(session: Session, site_code: str, values: dict[str, Any]) -> Call:
    """A new call of checked values, under the site's next call number, in the caller's transaction."""
    number = highest_call_number(session, site_code) + 1
    if number > MAX_CALL_NUMBER:
        raise Refused(_("{site} has numbered {most} calls: no call number is left").format(
            site=site_code, most=MAX_CALL_NUMBER))
    call = Call(ref=call_ref(site_code, number), **values)
    session.add(call)
    session.flush()
    return call


def _held(session: Session, ref: str) -> Call:
    found = get_call(session, ref)  # NotFound names the calls there are
    call = site_call(session, found.ref)
    if call is None:
        raise Refused(_("{call} is a call of the reference data (seeds/calls.toml): it is the same on every site "
                        "and is not edited here").format(call=found.ref))
    return call


def edit_call(store: Store, ref: str, typed: dict[str, str]) -> dict[str, Any]:
    """Set fields of a site's call; returns what changed."""
    with store.write() as session:
        call = _held(session, ref)
        current = call.model_dump(include=set(CALL_FIELDS))
        values = _values(session, typed, current)
        changed = {k: v for k, v in values.items() if current.get(k) != v}
        for key, value in changed.items():
            setattr(call, key, value)
        return changed


def set_call_status(store: Store, ref: str, status: str) -> str:
    if status not in CALL_STATUSES:
        raise Invalid("status: " + _("{value} is not one of {allowed}").format(value=repr(status),
                                                                              allowed=", ".join(CALL_STATUSES)))
    edit_call(store, ref, {"status": status})
    return status


def link_case(store: Store, call: str, case_ref: str, late_reason: str | None = None) -> dict[str, Any]:
    """Record that the case answers the call (with the reason a late one is taken, if given);
    returns what changed on the case."""
    with store.write() as session:
        fields = {"call_ref": get_call(session, call).ref}  # NotFound (exit 2) names the calls there are
        if late_reason is not None:
            fields["late_reason"] = late_reason
        return apply_update(session, case_ref, fields)
