"""Case operations shared by the command line and the screens: create, edit, move, read."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Integer, func
from sqlmodel import Session, col, select

from ..domain import gates
from ..domain.clock import utc_now
from ..domain.guide import OWNERSHIPS, SCOPES, consistency_problems
from ..domain.ids import CaseRef, derived_id, parse_ref
from ..domain.recommend import TIERS
from ..domain.stages import Channel, MoveKind, MoveRefused, RenewalOutcome, Stage, Status, plan_move
from .centres import close_period, keep_in_step, list_centres
from .concept import (
    CaseEvaluations,
    Recommendation,
    case_evaluations,
    case_recommendation,
    evaluations_json,
    recommendation_json,
)
from .listing import CaseFilter
from .models import (
    Assessment,
    Case,
    CentreType,
    Contact,
    Country,
    Goal,
    Kpi,
    MembershipCategory,
    Note,
    Organisation,
    Transition,
)
from .reference import centre_type_rules
from .search import search_condition
from .store import Store


class NotFound(Exception):
    pass


class Invalid(ValueError):
    """A value a rule refuses; the message names the field."""


class GateRefused(Exception):
    def __init__(self, ref: str, stage: Stage, unmet: list[gates.Condition]):
        self.ref, self.stage, self.unmet = ref, stage, unmet
        super().__init__(f"{ref} cannot leave {stage.label}: " + "; ".join(c.text for c in unmet))


# --- value parsing and validation ----------------------------------------------------------------


def parse_date(text: str, field: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(f"{field}: {text!r} is not a date (expected YYYY-MM-DD)") from None


def _folded(name: str) -> str:
    """A name compared without case, accents or punctuation ("Côte d'Ivoire" = "cote divoire")."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def check_country(session: Session, code: str) -> Country:
    """A Member State by its ISO code or its English name (any case)."""
    text = code.strip()
    country = session.get(Country, text.upper()) if len(text) == 2 else None
    if country is None and len(text) > 2:
        wanted = _folded(text)
        country = next((c for c in session.scalars(select(Country)) if _folded(c.name_en) == wanted), None)
    if country is None:
        raise Invalid(f"country: {code!r} is neither the ISO 3166-1 alpha-2 code nor the name of an ITU Member State")
    return country


def _one_of(field: str, value: str, allowed: list[str] | tuple[str, ...]) -> str:
    if value not in allowed:
        raise Invalid(f"{field}: {value!r} is not one of {', '.join(allowed)}")
    return value


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


EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")  # a sanity check, not RFC 5322

# The fields `case set` accepts: name → (record, parser). Text fields take any string.
TEXT = "text"
DATE = "date"
CASE_FIELDS: dict[str, str] = {
    "title": TEXT, "purpose": TEXT, "applicant": "applicant", "category": "category", "country": "country",
    "channel": "channel", "received_on": DATE, "goals": "goals", "scope": "scope", "ownership": "ownership",
    "proposed_type": "type", "flagships": TEXT, "assignee": TEXT, "agreement_ref": TEXT, "signatories": TEXT,
    "signed_on": DATE, "launch_on": DATE, "accredited_on": DATE, "period_evaluated_on": DATE,
    "period_evaluation": TEXT, "renewal_outcome": "renewal_outcome", "type_reason": TEXT,
    "cost_capacity": "cost_capacity",
}
ASSESSMENT_FIELDS: dict[str, str] = {
    "needs": TEXT, "stakeholders": TEXT, "human_resources": TEXT, "financial_resources": TEXT,
    "findings": TEXT, "assessed_on": DATE, "assessor": TEXT,
}
CONTACT_FIELDS: dict[str, str] = {"contact": TEXT, "contact_email": TEXT, "contact_phone": TEXT, "contact_role": TEXT}
SETTABLE = {**CASE_FIELDS, **ASSESSMENT_FIELDS, **CONTACT_FIELDS}
REQUIRED = {"title": "a case needs a title", "country": "a case needs a host country"}
# Dates of things that have happened; a launch date may be planned ahead.
PAST_DATES = frozenset({"received_on", "assessed_on", "signed_on", "accredited_on", "period_evaluated_on"})


def _convert(session: Session, field: str, raw: str) -> Any:
    kind = SETTABLE.get(field)
    if kind is None:
        raise Invalid(f"unknown field {field!r} (known: {', '.join(sorted(SETTABLE))})")
    value = raw.strip()
    if value == "":
        if field in REQUIRED:
            raise Invalid(f"{field}: {REQUIRED[field]}")
        return None
    if kind == DATE:
        day = parse_date(value, field)
        if field in PAST_DATES and day > date.today():
            raise Invalid(f"{field}: {day.isoformat()} is in the future; record it once it has happened")
        return day
    if field == "contact_email" and not EMAIL.fullmatch(value):
        raise Invalid(f"contact_email: {value!r} is not an email address")
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
    return value


# --- reading -------------------------------------------------------------------------------------


def get_case(session: Session, ref: str) -> Case:
    try:
        canonical = str(parse_ref(ref))
    except ValueError as exc:
        raise NotFound(str(exc)) from None
    case = session.scalars(select(Case).where(Case.ref == canonical, col(Case.deleted_at).is_(None))).first()
    if case is None:
        raise NotFound(f"no case {canonical}")
    return case


def _assessment(session: Session, case: Case) -> Assessment | None:
    return session.scalars(select(Assessment).where(Assessment.case_id == case.id)).first()


def case_facts(session: Session, case: Case, evaluations: CaseEvaluations | None = None,
               recommendation: Recommendation | None = None) -> gates.CaseFacts:
    applicant = session.get(Organisation, case.applicant_id) if case.applicant_id else None
    assessment = _assessment(session, case)
    evaluations = evaluations or case_evaluations(session, case)
    recommendation = recommendation or case_recommendation(session, case, assessment)
    kpis = session.scalar(select(func.count()).select_from(Kpi).where(
        Kpi.case_id == case.id, col(Kpi.baseline).is_not(None), col(Kpi.target).is_not(None),
        col(Kpi.deleted_at).is_(None),
    )) or 0
    problems: tuple[str, ...] = ()
    if case.proposed_type:
        rule = centre_type_rules(session).get(case.proposed_type)
        if rule is not None:
            problems = tuple(consistency_problems(rule, case.scope, case.ownership))
    best = recommendation.best
    return gates.CaseFacts(
        stage=Stage(case.stage),
        applicant=applicant.name if applicant else None,
        country=case.country,
        channel=case.channel,
        received_on=case.received_on,
        findings=assessment.findings if assessment else None,
        human_resources=assessment.human_resources if assessment else None,
        financial_resources=assessment.financial_resources if assessment else None,
        proposed_type=case.proposed_type,
        type_problems=problems,
        evaluations_counted=sum(1 for v in evaluations.evaluations if v.counts),
        consolidated_classification=evaluations.classification,
        recommended_type=best.type_id if best else None,
        recommended_name=best.name if best else None,
        type_reason=case.type_reason,
        agreement_ref=case.agreement_ref,
        signed_on=case.signed_on,
        launch_on=case.launch_on,
        kpis_with_targets=kpis,
        period_evaluated_on=case.period_evaluated_on,
        renewal_outcome=RenewalOutcome(case.renewal_outcome) if case.renewal_outcome else None,
    )


def _filtered(query: Any, flt: CaseFilter, dialect: str) -> Any:
    query = query.where(col(Case.deleted_at).is_(None))
    if flt.stage:
        query = query.where(Case.stage == flt.stage)
    if flt.region:
        query = query.where(Case.region == flt.region)
    if flt.status:
        query = query.where(Case.status == flt.status)
    if flt.centre_type:
        query = query.where(Case.proposed_type == flt.centre_type)
    if flt.assignee:
        query = query.where(col(Case.assignee).ilike(flt.assignee.strip() + "%"))
    if flt.search:
        condition = search_condition(dialect, flt.search)
        if condition is not None:
            query = query.where(condition)
    return query


# The columns a list can be sorted by; the ref breaks ties, so paging never skips or repeats a row.
SORTS = ("ref", "title", "country", "stage", "status", "centre_type", "applicant", "assignee", "received_on",
         "updated_at")


def _sort_keys(sort: str, dialect: str) -> list[Any]:
    if sort not in SORTS:
        raise Invalid(f"sort: {sort!r} is not one of {', '.join(SORTS)}")
    refs = list(ref_order(dialect))
    if sort == "ref":
        return refs
    if sort == "stage":
        # Path order, not alphabetical order of the ids.
        return [sa.case({s.value: s.position for s in Stage}, value=col(Case.stage), else_=99), *refs]
    renamed = {"applicant": col(Organisation.name), "centre_type": col(Case.proposed_type)}
    column = renamed[sort] if sort in renamed else getattr(Case, sort)
    # Empty, not NULL: a row-value comparison with NULL is never true, so keyset paging would stop
    # there. Read back as the stored text, so the position compares exactly as the column sorts.
    return [func.coalesce(column, sa.literal_column("''"), type_=sa.String()), *refs]


def list_cases(session: Session, flt: CaseFilter = CaseFilter(), limit: int | None = None,
               offset: int = 0, sort: str = "ref", descending: bool = False,
               after: tuple[Any, ...] | None = None) -> list[dict[str, Any]]:
    """One page of the list. `after` is the `position` of the last row of the previous page: the
    next page starts right after it without counting the rows before (keyset paging), so page
    1,000 costs what page 1 costs."""
    dialect = _dialect(session)
    keys = _sort_keys(sort, dialect)
    query = _filtered(_list_select(keys), flt, dialect)
    if after is not None:
        if len(after) != len(keys):
            raise Invalid("the page position does not belong to this sort")
        here, there = sa.tuple_(*keys), sa.tuple_(*[sa.literal(v, k.type) for k, v in zip(keys, after, strict=True)])
        query = query.where(here < there if descending else here > there)
    query = query.order_by(*[k.desc() for k in keys] if descending else keys).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    rows = []
    for row in session.execute(query):
        values = dict(row._mapping)
        values["position"] = tuple(values.pop(f"_k{i}") for i in range(len(keys)))
        rows.append(values)
    return rows


def _list_select(keys: list[Any]) -> Any:
    return sa.select(
        col(Case.ref), col(Case.title), col(Case.country), col(Case.region), col(Case.stage), col(Case.status),
        col(Case.proposed_type).label("centre_type"), col(Organisation.name).label("applicant"),
        col(Case.assignee), col(Case.received_on), col(Case.updated_at),
        *[k.label(f"_k{i}") for i, k in enumerate(keys)],
    ).join(Organisation, col(Organisation.id) == Case.applicant_id, isouter=True)


def list_row(session: Session, ref: str, flt: CaseFilter = CaseFilter()) -> dict[str, Any] | None:
    """One case as the list shows it, or None when it no longer matches the filter."""
    dialect = _dialect(session)
    query = _filtered(_list_select([]), flt, dialect).where(col(Case.ref) == ref)
    row = session.execute(query).first()
    return dict(row._mapping) if row is not None else None


def ref_order(dialect: str) -> tuple[Any, ...]:
    """Sort keys that put refs in number order within a site and year (…-9999 before …-10000)."""
    ref = col(Case.ref)
    # Constants inlined, not bound: SQLite uses an expression index only for the same literal text
    # (migration 0004 creates it).
    dash: Any = sa.literal_column("'-'")
    four: Any = sa.literal_column("4")
    one: Any = sa.literal_column("1")
    first_dash = func.instr(ref, dash) if dialect == "sqlite" else func.strpos(ref, dash)
    return func.substr(ref, one, first_dash + four), func.length(ref), ref


def count_cases(session: Session, flt: CaseFilter = CaseFilter()) -> int:
    # No join: every filter reads the cases table (the applicant is searched through the index).
    query = select(func.count()).select_from(Case)
    return int(session.scalar(_filtered(query, flt, _dialect(session))) or 0)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _condition(c: gates.Condition) -> dict[str, Any]:
    return {"condition": c.code, "text": c.text, "met": c.met}


def stage_checklists(facts: gates.CaseFacts) -> dict[Stage, list[gates.Condition]]:
    """Every stage's gate evaluated on the case as it is now: the current stage's tells what is
    missing; a passed stage's shows whether later edits undid something; a future stage's, what
    lies ahead."""
    return {stage: gates.checklist(dataclasses.replace(facts, stage=stage)) for stage in Stage}


def case_detail(session: Session, ref: str, today: date | None = None) -> dict[str, Any]:
    case = get_case(session, ref)
    applicant = session.get(Organisation, case.applicant_id) if case.applicant_id else None
    contact = session.get(Contact, case.contact_id) if case.contact_id else None
    assessment = _assessment(session, case)
    evaluations = case_evaluations(session, case)
    recommendation = case_recommendation(session, case, assessment)
    facts = case_facts(session, case, evaluations, recommendation)
    data = case.model_dump(exclude={"change_id", "deleted_at", "applicant_id", "contact_id"})
    data["centre_type"] = case.proposed_type
    data["goals"] = case.goals.split(",") if case.goals else []
    data["applicant"] = applicant.name if applicant else None
    data["category"] = applicant.category if applicant else None
    data["contact"] = contact.model_dump(include={"name", "email", "phone", "role"}) if contact else None
    data["assessment"] = (
        assessment.model_dump(include=set(ASSESSMENT_FIELDS)) if assessment else None
    )
    data.update(evaluations_json(evaluations, session))
    data["recommendation"] = recommendation_json(recommendation)
    centre = list_centres(session, today or date.today(), case.id)
    data["centre"] = centre[0] if centre else None
    data["kpis"] = [
        k.model_dump(include={"name", "unit", "baseline", "target"})
        for k in session.scalars(select(Kpi).where(Kpi.case_id == case.id))
    ]
    data["gate"] = [_condition(c) for c in gates.checklist(facts)]
    data["checklists"] = {stage.value: [_condition(c) for c in conditions]
                          for stage, conditions in stage_checklists(facts).items()}
    data["notes"] = [
        {"at": n.created_at, "author": n.updated_by, "body": n.body}
        for n in session.scalars(select(Note).where(Note.case_id == case.id).order_by(col(Note.created_at)))
    ]
    return data


# --- writing -------------------------------------------------------------------------------------


def highest_ref_number(session: Session, site_code: str, year: int) -> int:
    """The highest case number this site has used in `year` (0 if none). Call it inside the write
    transaction that will use the next number, so no other writer can take it meanwhile."""
    prefix = CaseRef(site_code, year, 0).prefix
    number = func.cast(func.substr(col(Case.ref), len(prefix) + 1), Integer)
    # A range on the ref's unique index rather than LIKE, which SQLite would not index here.
    in_year = (col(Case.ref) >= prefix) & (col(Case.ref) < prefix[:-1] + ".")
    return int(session.scalar(sa.select(func.max(number)).where(in_year)) or 0)


def _next_ref(session: Session, site_code: str, year: int) -> str:
    return str(CaseRef(site_code, year, highest_ref_number(session, site_code, year) + 1))


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
                entry_reason: str | None = None) -> str:
    """Create a case from raw field values (as typed); returns its ref."""
    site = store.require_site()
    if not (fields.get("title") or "").strip():
        raise Invalid("title: a case needs a title")
    if not (fields.get("country") or "").strip():
        raise Invalid("country: a case needs a host country")
    with store.write() as session:
        values = {k: _convert(session, k, v) for k, v in fields.items() if v is not None}
        unknown = set(values) - set(CASE_FIELDS) - set(CONTACT_FIELDS)
        if unknown:
            raise Invalid(f"not a field of a new case: {', '.join(sorted(unknown))}")
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
        session.add(case)
        if entry_stage is not Stage.INTEREST:
            # Entering the path later (e.g. an existing partner centre) is a move worth its record.
            session.flush()
            session.add(Transition(case_id=case.id, kind=MoveKind.ENTER.value, from_stage=None,
                                   to_stage=entry_stage.value, status=Status.OPEN.value, reason=entry_reason,
                                   at=now))
            keep_in_step(session, case)
        return case.ref


CONTACT_ATTRS = {"contact": "name", "contact_email": "email", "contact_phone": "phone", "contact_role": "role"}


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
            raise Invalid("contact: name the contact person first (contact=NAME)")
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


def update_case(store: Store, ref: str, fields: dict[str, str]) -> dict[str, Any]:
    """Set fields of a case or its assessment from raw values; returns what changed."""
    with store.write() as session:
        return apply_update(session, ref, fields)


def apply_update(session: Session, ref: str, fields: dict[str, str]) -> dict[str, Any]:
    """update_case inside a transaction the caller holds, for writes that go with it."""
    case = get_case(session, ref)
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
        assessment = _assessment(session, case)
        if assessment is None:
            # One per case on every site, so two sites assessing the same case merge, not collide.
            assessment = Assessment(id=derived_id("assessment", case.id), case_id=case.id)
            session.add(assessment)
        for key, value in assessment_values.items():
            if getattr(assessment, key) != value:
                setattr(assessment, key, value)
                changed[key] = value
    if changed:
        keep_in_step(session, case)
    return changed


@dataclass(frozen=True)
class MoveResult:
    ref: str
    kind: MoveKind
    from_stage: Stage
    to_stage: Stage
    status: Status
    overridden: tuple[str, ...] = ()


def move_case(store: Store, ref: str, kind: MoveKind, reason: str | None = None,
              override: bool = False) -> MoveResult:
    """Advance, send back, end or reopen a case. Advancing checks the gate; an override needs a
    reason and records the conditions it overrode. Ending or reopening a case needs a reason."""
    reason = (reason or "").strip() or None
    if override and not reason:
        raise Invalid("an override needs a written reason")
    if kind in (MoveKind.WITHDRAW, MoveKind.DECLINE, MoveKind.CLOSE, MoveKind.REOPEN) and not reason:
        raise Invalid(f"to {kind.value} a case, give a reason")
    with store.write() as session:
        case = get_case(session, ref)
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
            overridden="\n".join(c.text for c in overridden) or None,
        ))
        if move.to_stage is not stage:
            case.stage = move.to_stage.value
            case.stage_since = now
            if stage is Stage.RENEWAL:
                # A new period or a new design starts: the outcome belonged to the one that ended.
                case.renewal_outcome = None
                case.period_evaluated_on = None
                case.period_evaluation = None
                if move.to_stage is Stage.CONCEPT_DESIGN:
                    # An upgrade goes through the path again: a new agreement and a new set-up.
                    for key in ("agreement_ref", "signatories", "signed_on", "launch_on"):
                        setattr(case, key, None)
        if move.status is not status:
            case.status = move.status.value
            case.status_reason = reason if move.status.is_terminal else None
        keep_in_step(session, case)
        return MoveResult(case.ref, kind, stage, move.to_stage, move.status,
                          tuple(c.text for c in overridden))


def add_note(store: Store, ref: str, body: str) -> None:
    if not body.strip():
        raise Invalid("note: write something")
    with store.write() as session:
        case = get_case(session, ref)
        session.add(Note(case_id=case.id, body=body.strip()))


CLASSIFICATIONS = gates.CLASSIFICATIONS
