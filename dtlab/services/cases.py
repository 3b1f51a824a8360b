"""The case use cases, each in its own transaction: create, edit, move and annotate a case. The
values a person typed pass the field rules of `domain.fields` and are checked against the
reference data here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, func, select

from dtlab.db.calls import call_answer, get_call
from dtlab.db.cases import assessment_of, case_facts, get_case, highest_ref_number
from dtlab.db.models import (
    Assessment,
    Case,
    CentreType,
    Contact,
    Country,
    Goal,
    MembershipCategory,
    Note,
    Organisation,
    Transition,
)
from dtlab.db.ref_languages import country_named
from dtlab.db.store import Store
from dtlab.domain import gates
from dtlab.domain.clock import utc_now
from dtlab.domain.fields import (
    ASSESSMENT_FIELDS,
    CASE_FIELDS,
    CONTACT_FIELDS,
    DATE,
    DATE_ORDER,
    REQUIRED,
    SETTABLE,
    FieldError,
    check_email,
    check_past,
    date_order_problems,
    one_of,
)
from dtlab.domain.fields import parse_date as parse_field_date
from dtlab.domain.guide import OWNERSHIPS, SCOPES
from dtlab.domain.ids import MAX_CASE_NUMBER, CaseRef, derived_id
from dtlab.domain.recommend import TIERS
from dtlab.domain.stages import (
    LATEST_ENTRY,
    SKIPPED_ON_ENTRY,
    Channel,
    MoveKind,
    MoveRefused,
    RenewalOutcome,
    Stage,
    Status,
    cleared_on_leaving,
    entry_overrides,
    plan_move,
)
from dtlab.errors import Invalid, NotFound, Refused
from dtlab.i18n import N_, Translated, _
from dtlab.services.centres import close_period, keep_in_step
from dtlab.services.meanwhile import CONTACT_ATTRS, check_unchanged


class GateRefused(Refused):
    """A gate not met: every unmet condition, for the command line to list one per line."""

    def __init__(self, ref: str, stage: Stage, unmet: list[gates.Condition]):
        self.ref, self.stage, self.unmet = ref, stage, unmet
        super().__init__(_("{ref} cannot leave {stage}: {unmet}").format(
            ref=ref, stage=stage.label, unmet="; ".join(c.text for c in unmet)))


def check_country(session: Session, code: str) -> Country:
    """A Member State by its ISO code or its name in any of the six languages (any case)."""
    text = code.strip()
    country = session.get(Country, text.upper()) if len(text) == 2 else None
    if country is None:
        country = country_named(session, text)  # its name in any of the six languages
    if country is None:
        raise Invalid("country: " + _("{value} is neither the ISO 3166-1 alpha-2 code nor the name of an ITU Member "
                                      "State").format(value=repr(code)))
    return country


def check_goals(session: Session, text: str) -> str | None:
    """Goal ids (separated by commas or spaces), or the goals' English names (any case, separated
    by commas)."""
    rows = list(session.execute(select(Goal.id, Goal.name_en).order_by(col(Goal.position))))
    known = [goal_id for goal_id, _name in rows]
    by_name = {name.lower(): goal_id for goal_id, name in rows}
    goals = set()
    for given in (g.strip() for g in text.split(",")):
        if not given:
            continue
        if given.lower() in by_name:
            goals.add(by_name[given.lower()])
            continue
        for word in given.split():
            _one_of("goals", word, known)
            goals.add(word)
    return ",".join(sorted(goals, key=known.index)) or None


def parse_date(text: str, field: str = "date") -> date:
    """A typed date, or Invalid naming the field."""
    try:
        return parse_field_date(text, field)
    except FieldError as error:
        raise Invalid(str(error)) from None


def _one_of(field: str, value: str, allowed: list[str] | tuple[str, ...]) -> str:
    try:
        return one_of(field, value, allowed)
    except FieldError as error:
        raise Invalid(str(error)) from None


def _convert(session: Session, field: str, raw: str) -> Any:
    """A typed value as stored, or Invalid naming the field: the rules of `domain.fields`, then
    the reference data (countries, goals, centre types, membership categories)."""
    kind = SETTABLE.get(field)
    if kind is None:
        raise Invalid(_("unknown field {field} (known: {known})").format(field=repr(field),
                                                                         known=", ".join(sorted(SETTABLE))))
    value = raw.strip()
    if value == "":
        if field in REQUIRED:
            raise Invalid(f"{field}: {REQUIRED[field]}")
        return None
    try:
        if kind == DATE:
            return check_past(field, parse_field_date(value, field), date.today())
        if field == "contact_email":
            return check_email(field, value)
    except FieldError as error:
        raise Invalid(str(error)) from None
    if kind == "country":
        return check_country(session, value).code
    if kind == "channel":
        return _one_of("channel", value, [c.value for c in Channel])
    if kind == "goals":
        return check_goals(session, value)
    if kind == "scope":
        return _one_of("scope", value, SCOPES)
    if kind == "ownership":
        return _one_of("ownership", value, OWNERSHIPS)
    if kind == "type":
        return _one_of("proposed_type", value, list(session.scalars(select(CentreType.id))))
    if kind == "cost_capacity":
        return _one_of("cost_capacity", value, TIERS)
    if kind == "renewal_outcome":
        return _one_of("renewal_outcome", value, [o.value for o in RenewalOutcome])
    if kind == "category":
        return _one_of("category", value, list(session.scalars(select(MembershipCategory.id))))
    if kind == "call":
        try:
            return get_call(session, value).ref
        except NotFound as error:
            raise Invalid(f"call_ref: {error}") from None
    return value


def _next_ref(session: Session, site_code: str, year: int) -> str:
    number = highest_ref_number(session, site_code, year) + 1
    if number > MAX_CASE_NUMBER:
        # Only this site numbers its refs (a bundle's refs are under their own site's code), so
        # this is a year of this site's own cases, not another site's doing.
        raise Refused(_("{site} has numbered {most} cases in {year}: no case number is left").format(
            site=site_code, most=MAX_CASE_NUMBER, year=year))
    return str(CaseRef(site_code, year, number))


def _organisation(session: Session, name: str, country: str | None, category: str | None) -> Organisation:
    org = session.scalars(
        select(Organisation).where(func.lower(Organisation.name) == name.strip().lower(),
                                   col(Organisation.deleted_at).is_(None))
    ).first()
    if org is None:
        org = Organisation(name=name.strip(), country=country, category=category)
        session.add(org)
        session.flush()
    elif category and org.category != category:
        org.category = category
    return org


def check_new_case(store: Store, fields: dict[str, str]) -> dict[str, str]:
    """Every problem with the values of a new case, by field (empty when it can be created)."""
    problems = {name: message for name, message in REQUIRED.items() if not (fields.get(name) or "").strip()}
    with store.read() as session:
        for name, raw in fields.items():
            if name in problems or raw is None:
                continue
            try:
                _convert(session, name, raw)
            except Invalid as error:
                _field, _sep, message = str(error).partition(": ")
                problems[name] = message or str(error)
    return problems


def create_case(store: Store, fields: dict[str, str], entry_stage: Stage = Stage.INTEREST,
                entry_reason: str | None = None, entry_override: bool = False) -> str:
    """Create a case from raw field values (as typed); returns its ref. A case entering past
    concept design skips the evaluation a partner centre passes: only with `entry_override`."""
    site = store.require_site()
    for name in ("title", "country"):
        if not (fields.get(name) or "").strip():
            raise Invalid(f"{name}: {REQUIRED[name]}")
    if entry_stage is not Stage.INTEREST and not (entry_reason or "").strip():
        # A case that skips the first stages says why (an existing partner centre, …); a bundle's
        # entry is held to the same rule (sync.admit).
        raise Invalid("reason: " + _("entering at {stage} needs a reason").format(stage=entry_stage.label))
    if entry_overrides(entry_stage) and not entry_override:
        raise Invalid("stage: " + _("a partner centre enters at {latest} at the latest, where its design is evaluated "
                                    "like any other; entering at {stage} skips that: enter as an override, with its "
                                    "reason (--override on the command line)").format(
            latest=LATEST_ENTRY.label, stage=entry_stage.label))
    with store.write() as session:
        values = {k: _convert(session, k, v) for k, v in fields.items() if v is not None}
        unknown = set(values) - set(CASE_FIELDS) - set(CONTACT_FIELDS)
        if unknown:
            raise Invalid(_("not a field of a new case: {fields}").format(fields=", ".join(sorted(unknown))))
        country = check_country(session, values["country"])
        year = (values.get("received_on") or utc_now().date()).year
        applicant_name = values.pop("applicant", None)
        category = values.pop("category", None)
        contact = {k: values.pop(k) for k in list(values) if k in CONTACT_FIELDS}
        now = utc_now()
        case = Case(ref=_next_ref(session, site.code, year), region=country.region, stage=entry_stage.value,
                    status=Status.OPEN.value, stage_since=now, **values)
        if applicant_name:
            case.applicant_id = _organisation(session, applicant_name, country.code, category).id
        if contact:
            _set_contact(session, case, contact)
        if case.call_ref:
            _check_answer(session, case)
        session.add(case)
        if entry_stage is not Stage.INTEREST:
            # Entering the path later (e.g. an existing partner centre) is a move worth its record.
            session.flush()
            session.add(Transition(case_id=case.id, kind=MoveKind.ENTER.value, from_stage=None,
                                   to_stage=entry_stage.value, status=Status.OPEN.value, reason=entry_reason,
                                   overridden=SKIPPED_ON_ENTRY if entry_overrides(entry_stage) else None, at=now))
            keep_in_step(session, case)
        return case.ref


def _set_contact(session: Session, case: Case, values: dict[str, Any]) -> dict[str, Any]:
    """Create, edit or unlink the case's contact person; returns what changed."""
    contact = session.get(Contact, case.contact_id) if case.contact_id else None
    if "contact" in values and values["contact"] is None:
        if contact is None:
            return {}
        case.contact_id = None
        return {"contact": None}
    if contact is None:
        if not values.get("contact"):
            raise Invalid("contact: " + _("name the contact person first (contact=NAME)"))
        contact = Contact(organisation_id=case.applicant_id, name=values["contact"])
        session.add(contact)
        session.flush()
        case.contact_id = contact.id
    changed = {}
    for key, value in values.items():
        attr = CONTACT_ATTRS[key]
        if getattr(contact, attr) != value:
            setattr(contact, attr, value)
            changed[key] = value
    return changed


def update_case(store: Store, ref: str, fields: dict[str, str],
                based_on: dict[str, str] | None = None) -> dict[str, Any]:
    """Set fields of a case or its assessment from raw values; returns what changed. `based_on`:
    the value each field had where it was edited (a form), so that a value someone else has set
    since is refused (`meanwhile.ChangedMeanwhile`), not overwritten."""
    with store.write() as session:
        return apply_update(session, ref, fields, based_on)


def apply_update(session: Session, ref: str, fields: dict[str, str],
                 based_on: dict[str, str] | None = None) -> dict[str, Any]:
    """update_case inside a transaction the caller holds, for writes that go with it."""
    case = get_case(session, ref)
    if based_on:
        check_unchanged(session, case, {k: v for k, v in based_on.items() if k in fields})
    values = {k: _convert(session, k, v) for k, v in fields.items()}
    changed: dict[str, Any] = {}
    if "applicant" in values or "category" in values:
        name = values.pop("applicant", None)
        category = values.pop("category", None)
        if name:
            org = _organisation(session, name, case.country, category)
            if case.applicant_id != org.id:
                case.applicant_id = org.id
                changed["applicant"] = org.name
        elif "applicant" in fields:
            case.applicant_id = None
            changed["applicant"] = None
        if "category" in fields and case.applicant_id:
            applicant = session.get(Organisation, case.applicant_id)
            if applicant and applicant.category != category:
                applicant.category = category
                changed["category"] = category
    contact = {k: values.pop(k) for k in list(values) if k in CONTACT_FIELDS}
    if contact:
        changed.update(_set_contact(session, case, contact))
    if "country" in values:
        case.region = check_country(session, values["country"]).region
    assessment_values = {k: v for k, v in values.items() if k in ASSESSMENT_FIELDS}
    for key, value in values.items():
        if key in CASE_FIELDS and getattr(case, key) != value:
            setattr(case, key, value)
            changed[key] = value
    if assessment_values:
        assessment = assessment_of(session, case)
        if assessment is None:
            # One per case on every site, so two sites assessing the same case merge, not collide.
            assessment = Assessment(id=derived_id("assessment", case.id), case_id=case.id)
            session.add(assessment)
        for key, value in assessment_values.items():
            if getattr(assessment, key) != value:
                setattr(assessment, key, value)
                changed[key] = value
    if changed.keys() & {name for pair in DATE_ORDER for name in pair[:2]}:
        assessment = assessment_of(session, case)
        dates = {**case.model_dump(), "assessed_on": assessment.assessed_on if assessment else None}
        problems = date_order_problems(dates)
        if problems:
            raise Invalid("; ".join(problems))
    if "call_ref" in changed:
        _check_answer(session, case)
    if changed:
        keep_in_step(session, case)
    return changed


def _check_answer(session: Session, case: Case) -> None:
    """A request linked to a call must be able to answer it: not a cancelled call, nor one open to
    other regions (a late answer is linked, and flagged: its gate asks the reason)."""
    problem = call_answer(session, case.call_ref, case.region)[1]
    if problem is not None:
        raise Invalid(f"call_ref: {problem}")


# The moves that need a reason, and what a move without one is told.
REASON_NEEDED: Translated[MoveKind] = Translated({
    MoveKind.WITHDRAW: N_("to withdraw a case, give a reason"),
    MoveKind.DECLINE: N_("to decline a case, give a reason"),
    MoveKind.CLOSE: N_("to close a case, give a reason"),
    MoveKind.REOPEN: N_("to reopen a case, give a reason"),
})


@dataclass(frozen=True)
class MoveResult:
    ref: str
    kind: MoveKind
    from_stage: Stage
    to_stage: Stage
    status: Status
    overridden: tuple[str, ...] = ()  # the conditions overridden, in the language in use


def move_case(store: Store, ref: str, kind: MoveKind, reason: str | None = None,
              override: bool = False) -> MoveResult:
    """Advance, send back, end or reopen a case. Advancing checks the gate; an override needs a
    reason and records the conditions it overrode. Ending or reopening a case needs a reason."""
    reason = (reason or "").strip() or None
    if override and not reason:
        raise Invalid(_("an override needs a written reason"))
    if kind in REASON_NEEDED and not reason:
        raise Invalid(REASON_NEEDED[kind])
    with store.write() as session:
        return apply_move(session, get_case(session, ref), kind, reason, override)


def apply_move(session: Session, case: Case, kind: MoveKind, reason: str | None, override: bool = False) -> MoveResult:
    """The move itself, in the caller's transaction: the transition that makes it and the case's
    new stage and status, written together (every site refuses a stage change without its move)."""
    stage, status = Stage(case.stage), Status(case.status)
    outcome = RenewalOutcome(case.renewal_outcome) if case.renewal_outcome else None
    overridden: list[gates.Condition] = []
    if kind is MoveKind.ADVANCE and not status.is_terminal:
        unmet = gates.unmet(case_facts(session, case))
        if unmet and not override:
            raise GateRefused(case.ref, stage, unmet)
        overridden = unmet
    try:
        move = plan_move(kind, stage, status, outcome)
    except MoveRefused as exc:
        raise Invalid(f"{case.ref}: {exc}") from None
    now = utc_now()
    if kind is MoveKind.ADVANCE and stage is Stage.RENEWAL and outcome is not None:
        close_period(session, case, outcome)
    session.add(Transition(
        case_id=case.id, kind=kind.value, from_stage=stage.value, to_stage=move.to_stage.value,
        status=move.status.value, reason=reason, at=now,
        # Kept in English, as every stored word (another site, in another language, syncs it).
        overridden="\n".join(c.english for c in overridden) or None,
    ))
    if move.to_stage is not stage:
        case.stage = move.to_stage.value
        case.stage_since = now
        for key in cleared_on_leaving(stage, move.to_stage):
            setattr(case, key, None)
    if move.status is not status:
        case.status = move.status.value
        case.status_reason = reason if move.status.is_terminal else None
    keep_in_step(session, case)
    return MoveResult(case.ref, kind, stage, move.to_stage, move.status,
                      tuple(c.text for c in overridden))


def add_note(store: Store, ref: str, body: str) -> None:
    if not body.strip():
        raise Invalid("note: " + _("write something"))
    with store.write() as session:
        case = get_case(session, ref)
        session.add(Note(case_id=case.id, body=body.strip()))
