"""The rules every value of a case passes, wherever it comes from (a form, the command line, a
bundle): which fields exist and of what kind, which are required, which dates must have happened,
what an email address and a number look like. Checks that need reference data (a country, a goal,
a centre type) are made by the use cases with these kinds."""

from __future__ import annotations

import math
import re
from datetime import date

from dtlab.i18n import N_, Translated, _


class FieldError(ValueError):
    """A value a field rule refuses; the message names the field ("received_on: …")."""


# The kinds of field: plain text, a date, or a value checked against a list or reference data.
TEXT = "text"
DATE = "date"

CASE_FIELDS: dict[str, str] = {
    "title": TEXT, "purpose": TEXT, "applicant": "applicant", "category": "category", "country": "country",
    "channel": "channel", "received_on": DATE, "goals": "goals", "scope": "scope", "ownership": "ownership",
    "proposed_type": "type", "flagships": TEXT, "assignee": TEXT, "agreement_ref": TEXT, "signatories": TEXT,
    "signed_on": DATE, "launch_on": DATE, "accredited_on": DATE, "period_evaluated_on": DATE,
    "period_evaluation": TEXT, "renewal_outcome": "renewal_outcome", "type_reason": TEXT,
    "cost_capacity": "cost_capacity", "membership_reason": TEXT, "call_ref": "call", "late_reason": TEXT,
}
ASSESSMENT_FIELDS: dict[str, str] = {
    "needs": TEXT, "stakeholders": TEXT, "human_resources": TEXT, "financial_resources": TEXT,
    "findings": TEXT, "assessed_on": DATE, "assessor": TEXT,
}
CONTACT_FIELDS: dict[str, str] = {"contact": TEXT, "contact_email": TEXT, "contact_phone": TEXT, "contact_role": TEXT}
# The fields `case set` and the case screen accept, with their kind.
SETTABLE: dict[str, str] = {**CASE_FIELDS, **ASSESSMENT_FIELDS, **CONTACT_FIELDS}
REQUIRED: Translated[str] = Translated({"title": N_("a case needs a title"),
                                        "country": N_("a case needs a host country")})
# Dates of things that have happened; a launch date may be planned ahead.
PAST_DATES = frozenset({"received_on", "assessed_on", "signed_on", "accredited_on", "period_evaluated_on"})

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")  # a sanity check, not RFC 5322


def field_name(field: str) -> str:
    """A field's id as a problem names it where the id has words ("decided_on: …" is said "decided
    on: …"): untranslated, since the forms find the field by it, whatever the language."""
    return field.replace("_", " ")


def parse_date(text: str, field: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise FieldError(f"{field}: " + _("{value} is not a date (expected YYYY-MM-DD)").format(
            value=repr(text))) from None


def check_past(field: str, day: date, today: date) -> date:
    """A date of something that has happened is not in the future."""
    if field in PAST_DATES and day > today:
        raise FieldError(f"{field}: " + _("{day} is in the future; record it once it has happened").format(
            day=day.isoformat()))
    return day


# Dates that follow one another in a case's life: (earlier field, later field, why the later is
# refused). A date before the one it follows is a typing slip; both must be known to compare.
DATE_ORDER = (
    ("received_on", "assessed_on", N_("{after} is before the date the request was received ({before})")),
    ("launch_on", "accredited_on", N_("{after} is before the launch date ({before})")),
    ("accredited_on", "period_evaluated_on", N_("{after} is before the accreditation date ({before})")),
)


def date_order_problems(values: dict[str, object]) -> list[str]:
    """Each pair of `values` out of its order, as one sentence."""
    problems = []
    for earlier, later, why in DATE_ORDER:
        before, after = values.get(earlier), values.get(later)
        if isinstance(before, date) and isinstance(after, date) and after < before:
            problems.append(f"{later}: " + _(why).format(after=after.isoformat(), before=before.isoformat()))
    return problems


def check_email(field: str, text: str) -> str:
    if not EMAIL.fullmatch(text):
        raise FieldError(f"{field}: " + _("{value} is not an email address").format(value=repr(text)))
    return text


def one_of(field: str, value: str, allowed: list[str] | tuple[str, ...]) -> str:
    if value not in allowed:
        raise FieldError(f"{field}: " + _("{value} is not one of {allowed}").format(value=repr(value),
                                                                               allowed=", ".join(allowed)))
    return value


def finite(value: float, label: str) -> float:
    """A number a person can read back: not infinite, not NaN (neither compares or sorts)."""
    if not math.isfinite(value):
        raise FieldError(f"{label}: " + _("must be a finite number"))
    return value


def parse_number(text: str, label: str) -> float | None:
    """A number typed by a person ("12", "2.5", "1,200"); empty clears it."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise FieldError(f"{label}: " + _("{value} is not a number").format(value=repr(text))) from None
    return finite(value, label)


def number_words(value: float | None, missing: str = "—") -> str:
    """A number as people write it: 3, not 3.0; one decimal when it has any (2.5, 71.9)."""
    if value is None:
        return missing
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def field_text(value: object) -> str:
    """A stored value as a form holds it: empty for none, a list joined by commas, dates in ISO.
    The case screen loads its fields so, and a save compares what it was based on so."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    return str(value)
