"""Calls for expressions of interest: how regional centres owned by a country qualify.

The BDT circular: "the qualification of regional centres owned by a country will be based on an
open and transparent call for expressions of interest"; the first call closed on 15 March 2023.
A call has a deadline; an expression of interest (a case linked to the call) received after it is
late: counted apart, and taken beyond the interest stage only with a recorded reason."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum

from .guide import SCOPES
from .ids import REGIONS, SITE_CODE_RE
from .said import _


class CallStatus(str, Enum):
    OPEN = "open"  # taking expressions of interest (until its deadline)
    CLOSED = "closed"  # its selection is done
    CANCELLED = "cancelled"


CALL_STATUSES = tuple(s.value for s in CallStatus)

# A call made at a site is named like a case, under the site's own code, so two sites never
# give the same name: GVA-C1, GVA-C2, … The calls of the reference data carry their own.
CALL_REF_RE = re.compile(r"([A-Z][A-Z0-9]{1,7})-C([0-9]{1,5})")
MAX_CALL_NUMBER = 99_999
# Any call's ref, a site's or the reference data's (e.g. ITU-2023): how a case names its call.
ANY_CALL_REF_RE = re.compile(r"[A-Z][A-Z0-9]{1,7}-[A-Z0-9]{1,12}")


def call_ref(site_code: str, number: int) -> str:
    if not SITE_CODE_RE.match(site_code) or not 1 <= number <= MAX_CALL_NUMBER:
        raise ValueError(_("no call ref for {site} number {number}").format(site=repr(site_code), number=number))
    return f"{site_code}-C{number}"


def call_ref_site(ref: str) -> str | None:
    """The site code a site's call ref is under (None: not a site's call ref)."""
    match = CALL_REF_RE.fullmatch(ref)
    return match.group(1) if match else None


def needs_call(ownership: str | None, scope: str | None) -> bool:
    """Whether a request must come through a call: a regional centre owned by a country."""
    return ownership == "country" and scope == "regional"


def days_late(received_on: date | None, deadline: date | None) -> int:
    """How many days after the deadline an expression of interest came (0: on time or unknown)."""
    if received_on is None or deadline is None:
        return 0
    return max(0, (received_on - deadline).days)


def days_to_deadline(deadline: date, today: date) -> int:
    """Days left to send an expression of interest (0 on the deadline's day, negative after)."""
    return (deadline - today).days


def taking_interest(status: str, deadline: date, today: date, opens_on: date | None = None) -> bool:
    """Whether the call takes expressions of interest on time today (it has opened, and its
    deadline has not passed)."""
    return status == CallStatus.OPEN.value and today <= deadline and (opens_on is None or opens_on <= today)


def answer_problem(ref: str, status: str, regions: tuple[str, ...], region: str | None) -> str | None:
    """Why a request cannot answer the call: a call cancelled, or not open to the request's region
    (None: it can). A `Said`: a gate's condition quotes it, and an override stores that in English."""
    if status == CallStatus.CANCELLED.value:
        return _("{call} was cancelled").format(call=ref)
    if regions and region is not None and region not in regions:
        return _("{call} is open to {regions}, and this request is from {region}").format(
            call=ref, regions=", ".join(regions), region=region)
    return None


@dataclass(frozen=True)
class CallFacts:
    """A call's own fields, as typed or received, for `call_problems`."""

    title: str | None
    deadline: date | None
    opens_on: date | None = None
    regions: tuple[str, ...] = ()
    scope: str | None = None
    status: str = CallStatus.OPEN.value


def call_problems(call: CallFacts) -> dict[str, str]:
    """What is wrong with a call, by field (empty: it can be stored)."""
    problems: dict[str, str] = {}
    if not (call.title or "").strip():
        problems["title"] = _("a call needs a title")
    if call.deadline is None:
        problems["deadline"] = _("a call needs a deadline")
    elif call.opens_on is not None and call.opens_on > call.deadline:
        problems["opens_on"] = _("the call opens ({opens}) after its deadline ({deadline})").format(
            opens=call.opens_on, deadline=call.deadline)
    unknown = [r for r in call.regions if r not in REGIONS]
    if unknown:
        problems["regions"] = _("{codes}: not an ITU region ({regions})").format(
            codes=", ".join(unknown), regions=", ".join(REGIONS))
    if call.scope is not None and call.scope not in SCOPES:
        problems["scope"] = _("{value} is not one of {allowed}").format(value=repr(call.scope),
                                                                       allowed=", ".join(SCOPES))
    if call.status not in CALL_STATUSES:
        problems["status"] = _("{value} is not one of {allowed}").format(value=repr(call.status),
                                                                        allowed=", ".join(CALL_STATUSES))
    return problems


def split_codes(text: str | None) -> tuple[str, ...]:
    """Codes stored as one text ("AFR ARB", "technology,initiative"), separated by spaces or
    commas, in their order, without repeats."""
    seen: dict[str, None] = {}
    for code in re.split(r"[\s,]+", text or ""):
        if code:
            seen.setdefault(code, None)
    return tuple(seen)


@dataclass(frozen=True)
class EoiCount:
    on_time: int = 0
    late: int = 0


def count_eois(received: Iterable[date | None], deadline: date) -> EoiCount:
    """The expressions of interest a call received, on time and late apart (an EoI with no date
    received yet counts as on time: nothing says it is late)."""
    on_time = late = 0
    for day in received:
        if days_late(day, deadline):
            late += 1
        else:
            on_time += 1
    return EoiCount(on_time, late)
