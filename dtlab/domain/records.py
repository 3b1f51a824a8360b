"""The rule of every field of every synchronised record, in one table: what value the domain
allows there, however the value arrives. A person's typing goes through `fields` and the use
cases first; a received operation (another site's write, trusted but possibly stolen, compromised
or buggy) goes through this table field by field (`dtlab.sync.admit`), so a bundle cannot store
what a local write could not.

Each rule is a function `(value, Context) -> None` that raises `FieldError`; `value` is the JSON
value an operation carries (dates as ISO text), never None (a cleared field is always allowed,
except those `REQUIRED` on insert). Rules that need reference data (countries, centre types) ask
the context, which the caller fills from its database."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from dtlab.i18n import N_, Translated, _

from .board import MEETING_STATUSES, SETTINGS, Approval, Decision, Matter, Track
from .calls import ANY_CALL_REF_RE, CALL_REF_RE, CALL_STATUSES
from .fields import EMAIL, PAST_DATES, FieldError
from .gates import CLASSIFICATIONS
from .guide import OWNERSHIPS, SCOPES
from .ids import REGIONS, SITE_CODE_RE
from .monitoring import RESULT_LEVELS, Anchor, MilestoneStatus
from .recommend import TIERS
from .rubric import MAX_SCORE
from .stages import Channel, MoveKind, RenewalOutcome, Stage, Status

# The calendar dtlab keeps: dates far enough either side of today for any real case or plan, and
# far enough inside the calendar's ends that date arithmetic on them (an accreditation of a few
# years, a milestone months after launch) cannot overflow.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
# How far a stored time may be ahead of this site's clock: as far as a sender's clock may be.
AHEAD = timedelta(days=1)
# What a person writes as a text field; a bundle line is at most 1 MiB anyway.
TEXT_CHARS = 100_000
ID_CHARS = 36  # the key columns' width (a UUID)

# Conflict decisions say how they went (dtlab.sync.conflicts).
RESOLUTIONS = ("kept", "took incoming", "edited")  # i18n: not shown (stored values)


class Context(Protocol):
    """What rules need from outside the record: reference data and the receiver's clock."""

    today: date
    now: datetime

    def known(self, kind: str) -> Collection[str]:
        """The ids of reference data of this kind (country, centre_type, category, goal, priority,
        rubric, table)."""
        ...


Rule = Callable[[Any, Context], None]


def _fail(field: str, message: str) -> FieldError:
    return FieldError(f"{field}: {message}")


def text(limit: int = TEXT_CHARS) -> Rule:
    def rule(value: Any, _ctx: Context) -> None:
        if not isinstance(value, str):
            raise FieldError(_("{value} is not text").format(value=repr(value)))
        if len(value) > limit:
            raise FieldError(_("text longer than {limit} characters").format(limit=limit))
    return rule


def one_of(allowed: Collection[str]) -> Rule:
    values = tuple(allowed)

    def rule(value: Any, _ctx: Context) -> None:
        if value not in values:
            raise FieldError(_("{value} is not one of {allowed}").format(value=repr(value),
                                                                        allowed=", ".join(map(str, values))))
    return rule


# A value that is not reference data held here, by the kind of reference data.
NOT_KNOWN: Translated[str] = Translated({
    "country": N_("{value} is not a known country"),
    "category": N_("{value} is not a known category"),
    "centre_type": N_("{value} is not a known centre type"),
    "goal": N_("{value} is not a known goal"),
    "priority": N_("{value} is not a known priority"),
    "rubric": N_("{value} is not a known rubric"),
    "table": N_("{value} is not a known table"),
})


def known(kind: str) -> Rule:
    """The id of reference data that exists here."""
    def rule(value: Any, ctx: Context) -> None:
        if not isinstance(value, str) or value not in ctx.known(kind):
            if kind in NOT_KNOWN:
                raise FieldError(NOT_KNOWN[kind].format(value=repr(value)))
            raise FieldError(_("{value} is not a known {kind}").format(value=repr(value), kind=kind.replace("_", " ")))
    return rule


def goals(value: Any, ctx: Context) -> None:
    """Goal ids, comma-separated, as `check_goals` stores them."""
    if not isinstance(value, str):
        raise FieldError(_("{value} is not text").format(value=repr(value)))
    wanted = ctx.known("goal")
    for goal in value.split(","):
        if goal not in wanted:
            raise FieldError(NOT_KNOWN["goal"].format(value=repr(goal)))


def words(token: str, refused: str) -> Rule:
    """Codes separated by single spaces, each of the form `token`, as the use case stores them
    (`services.plans`: "4 9 17", "AFR4.3 AFR4.5"); the reads split them and take them apart.
    `refused` says why a code is not one ("{value} is not …", marked for the catalogue)."""
    pattern = re.compile(token)

    def rule(value: Any, ctx: Context) -> None:
        text()(value, ctx)
        for code in value.split(" "):
            if not pattern.fullmatch(code):
                raise FieldError(_(refused).format(value=repr(code)))
    return rule


def whole(low: int, high: int) -> Rule:
    def rule(value: Any, _ctx: Context) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise FieldError(_("{value} is not a whole number from {low} to {high}").format(
                value=repr(value), low=low, high=high))
    return rule


def number(low: float = -1e15, high: float = 1e15) -> Rule:
    """A finite number a person could have typed (`fields.finite`), within a sane magnitude."""
    def rule(value: Any, _ctx: Context) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FieldError(_("{value} is not a number").format(value=repr(value)))
        if not math.isfinite(value) or not low <= value <= high:
            raise FieldError(_("{value} is not a finite number from {low} to {high}").format(
                value=repr(value), low=f"{low:g}", high=f"{high:g}"))
    return rule


def day(field: str) -> Rule:
    """A date within dtlab's calendar; a date of something that has happened (`PAST_DATES`) not
    after today (a day's grace for the sender's time zone)."""
    past = field in PAST_DATES or field in EXTRA_PAST_DATES

    def rule(value: Any, ctx: Context) -> None:
        if not isinstance(value, str):
            raise FieldError(_("{value} is not a date").format(value=repr(value)))
        try:
            when = date.fromisoformat(value)
        except ValueError:
            raise FieldError(_("{value} is not a date (YYYY-MM-DD)").format(value=repr(value))) from None
        if not EARLIEST <= when <= LATEST:
            raise FieldError(_("{value} is outside {first}-{last}").format(
                value=value, first=EARLIEST.year, last=LATEST.year))
        if past and when > ctx.today + timedelta(days=1):
            raise FieldError(_("{value} is in the future").format(value=value))
    return rule


def moment(value: Any, ctx: Context) -> None:
    """A time something was recorded: ISO 8601 with its offset, not before dtlab's calendar and
    not ahead of the receiver's clock by more than a sender's clock may be."""
    if not isinstance(value, str):
        raise FieldError(_("{value} is not a time").format(value=repr(value)))
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise FieldError(_("{value} is not a time").format(value=repr(value))) from None
    if when.utcoffset() is None:
        raise FieldError(_("{value} has no time zone").format(value=repr(value)))
    if when.date() < EARLIEST or when > ctx.now + AHEAD:
        raise FieldError(_("{value} is before {first} or more than a day ahead").format(
            value=value, first=EARLIEST.year))


def email(value: Any, ctx: Context) -> None:
    text()(value, ctx)
    if not EMAIL.fullmatch(value):
        raise FieldError(_("{value} is not an email address").format(value=repr(value)))


def site_code(value: Any, _ctx: Context) -> None:
    if not isinstance(value, str) or not SITE_CODE_RE.fullmatch(value):
        raise FieldError(_("{value} is not a site code").format(value=repr(value)))


def pattern(regex: re.Pattern[str], refused: str) -> Rule:
    """Text of the form `regex`; `refused` says why a value is not ("{value} is not …", marked)."""
    def rule(value: Any, ctx: Context) -> None:
        text(24)(value, ctx)
        if not regex.fullmatch(value):
            raise FieldError(_(refused).format(value=repr(value)))
    return rule


def centre_types(value: Any, ctx: Context) -> None:
    """Centre type ids, comma-separated, as a call stores the types it is for."""
    text()(value, ctx)
    for centre_type in value.split(","):
        known("centre_type")(centre_type, ctx)


def case_ref(value: Any, ctx: Context) -> None:
    """The form only; whose prefix it may use is the importer's to say (the origin's own)."""
    text(24)(value, ctx)


# Dates of things that have happened beyond the case's own (`fields.PAST_DATES`).
EXTRA_PAST_DATES = frozenset({"done_on", "reported_on", "nominated_on", "approval_on", "decided_on"})

ID = text(ID_CHARS)
NAME = text()
TASK = whole(1, 9)  # the centre tasks of the concept note
POSITION = whole(0, 100_000)
STAGES = one_of([s.value for s in Stage])


def _dates(*names: str) -> dict[str, Rule]:
    return {name: day(name) for name in names}


RULES: dict[str, dict[str, Rule]] = {
    "organisations": {"name": NAME, "country": known("country"), "category": known("category")},
    "contacts": {"organisation_id": ID, "name": NAME, "email": email, "phone": NAME, "role": NAME},
    "cases": {
        "ref": case_ref, "title": NAME, "purpose": text(), "applicant_id": ID, "contact_id": ID,
        "country": known("country"), "region": one_of(REGIONS), "channel": one_of([c.value for c in Channel]),
        "goals": goals, "scope": one_of(SCOPES), "ownership": one_of(OWNERSHIPS),
        "proposed_type": known("centre_type"), "flagships": text(), "assignee": NAME, "stage": STAGES,
        "status": one_of([s.value for s in Status]), "status_reason": text(), "stage_since": moment,
        "agreement_ref": NAME, "signatories": text(), "period_evaluation": text(),
        "renewal_outcome": one_of([o.value for o in RenewalOutcome]), "type_reason": text(),
        "cost_capacity": one_of(TIERS), "membership_reason": text(),
        "call_ref": pattern(ANY_CALL_REF_RE, N_("{value} is not a call's ref")), "late_reason": text(),
        **_dates("received_on", "signed_on", "launch_on", "accredited_on", "period_evaluated_on"),
    },
    "assessments": {"case_id": ID, "needs": text(), "stakeholders": text(), "human_resources": text(),
                    "financial_resources": text(), "findings": text(), "assessor": NAME,
                    **_dates("assessed_on")},
    "evaluations": {"case_id": ID, "evaluator": NAME, "rubric_id": known("rubric"), "revision": whole(1, 10_000),
                    "supersedes": ID, "classification": one_of(CLASSIFICATIONS), "percent": number(0, 100),
                    "comment": text(), "submitted_at": moment},
    "evaluation_scores": {"case_id": ID, "evaluation_id": ID, "criterion": NAME, "score": whole(0, MAX_SCORE),
                          "comment": text()},
    "transitions": {"case_id": ID, "kind": one_of([k.value for k in MoveKind]), "from_stage": STAGES,
                    "to_stage": STAGES, "status": one_of([s.value for s in Status]), "reason": text(),
                    "overridden": text(), "at": moment},
    "notes": {"case_id": ID, "body": text()},
    "decisions": {"case_id": ID, "table_name": known("table"), "row_id": ID, "field": NAME, "seen": text(),
                  "resolution": one_of(RESOLUTIONS), "site": site_code},
    "centres": {"case_id": ID, "name": NAME, "centre_type": known("centre_type"), "host_id": ID,
                "country": known("country"), "scope": one_of(SCOPES), "goals": goals, **_dates("launch_on")},
    "accreditations": {"case_id": ID, "centre_id": ID, "number": whole(1, 1000), "centre_type": known("centre_type"),
                       "outcome": one_of([o.value for o in RenewalOutcome]),
                       **_dates("starts_on", "ends_on", "renewal_due_on")},
    "results": {"case_id": ID, "level": one_of(RESULT_LEVELS), "title": NAME, "position": POSITION,
                "priority_id": known("priority"), "cycle": NAME,
                "initiative_results": words(r"[A-Z]{3}[0-9]+(\.[0-9]+)?",
                                            N_("{value} is not an initiative (ARB4) or one of its results (AFR4.3)")),
                "sdgs": words(r"[1-9]|1[0-7]", N_("{value} is not a Sustainable Development Goal (1 to 17)")),
                "task": TASK,
                # the result one level up, of the same case (`sync.admit` checks both against the database)
                "parent_id": ID, "wsis": words(r"C([1-9]|1[01])", N_("{value} is not a WSIS action line (C1 to C11)"))},
    "kpis": {"case_id": ID, "name": NAME, "unit": NAME, "baseline": number(), "target": number(),
             "result_id": ID, "position": POSITION, "task": TASK},
    "kpi_years": {"case_id": ID, "kpi_id": ID, "year": whole(1, 100), "target": number(), "actual": number(),
                  **_dates("reported_on")},
    "milestones": {"case_id": ID, "title": NAME, "owner": NAME, "status": one_of([s.value for s in MilestoneStatus]),
                   "anchor": one_of([a.value for a in Anchor]), "months": whole(-1200, 1200),
                   "days": whole(-36_500, 36_500), "position": POSITION, "task": TASK,
                   **_dates("due_on", "done_on")},
    "evidence": {"case_id": ID, "milestone_id": ID, "kpi_year_id": ID, "body": text()},
    "calls": {"ref": pattern(CALL_REF_RE, N_("{value} is not a site's call ref (SITE-CN)")), "title": NAME,
              "regions": words("|".join(REGIONS), N_("{value} is not an ITU region")), "scope": one_of(SCOPES),
              "centre_types": centre_types, "status": one_of(CALL_STATUSES), "announcement": text(),
              **_dates("opens_on", "deadline")},
    # The Digital Innovation Board (domain.board), and the lab's settings every site holds alike.
    "board_members": {"name": NAME, "track": one_of([t.value for t in Track]), "title": NAME,
                      "country": known("country"), "institution": NAME,
                      "approval": one_of([a.value for a in Approval]),
                      **_dates("nominated_on", "approval_on", "term_start", "term_end")},
    "board_meetings": {"title": NAME, "place": NAME, "agenda": text(), "status": one_of(MEETING_STATUSES),
                       "minutes_ref": NAME, **_dates("meets_on")},
    "board_items": {"case_id": ID, "meeting_id": ID, "matter": one_of([m.value for m in Matter]),
                    "decision": one_of([d.value for d in Decision]), "reference": NAME, "note": text(),
                    **_dates("decided_on")},
    "settings": {"key": one_of(SETTINGS), "value": text(100)},
}
# Every record's tombstone is a time like any other.
for _fields in RULES.values():
    _fields["deleted_at"] = moment

# Fields a record cannot be without (an insert must carry them, an update cannot clear them), and
# must not be blank: what the use cases require of a person.
REQUIRED: dict[str, frozenset[str]] = {
    "organisations": frozenset({"name"}),
    "contacts": frozenset({"name"}),
    "cases": frozenset({"ref", "title", "country", "stage", "status", "stage_since"}),
    "assessments": frozenset({"case_id"}),
    "evaluations": frozenset({"case_id", "evaluator"}),
    "evaluation_scores": frozenset({"case_id", "evaluation_id", "criterion"}),
    "transitions": frozenset({"case_id", "kind", "to_stage", "status", "at"}),
    "notes": frozenset({"case_id", "body"}),
    "decisions": frozenset({"table_name", "row_id", "field", "seen", "resolution", "site"}),
    "centres": frozenset({"case_id", "name"}),
    "accreditations": frozenset({"case_id", "centre_id", "number", "starts_on", "ends_on", "renewal_due_on"}),
    "results": frozenset({"case_id", "level", "title"}),
    "kpis": frozenset({"case_id", "name"}),
    "kpi_years": frozenset({"case_id", "kpi_id", "year"}),
    "milestones": frozenset({"case_id", "title", "status"}),
    "evidence": frozenset({"case_id", "body"}),
    "calls": frozenset({"ref", "title", "deadline", "status"}),
    "board_members": frozenset({"name", "track", "nominated_on", "approval"}),
    "board_meetings": frozenset({"title", "meets_on", "status"}),
    "board_items": frozenset({"case_id", "matter"}),
    "settings": frozenset({"key", "value"}),
}


@dataclass(frozen=True)
class Problem:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def check_value(table: str, field: str, value: Any, ctx: Context) -> None:
    """Raises FieldError ("field: why") when `value` may not be stored in `table.field`."""
    if value is None:
        if field in REQUIRED.get(table, ()):
            raise _fail(field, _("is required"))
        return
    try:
        RULES[table][field](value, ctx)
    except FieldError as error:
        raise _fail(field, str(error)) from None
    if field in REQUIRED.get(table, ()) and isinstance(value, str) and not value.strip():
        raise _fail(field, _("is required"))
