"""Reading cases: one case by its ref, the list a page at a time (filtered, searched, sorted),
the facts its gates look at, and everything `case show` says about it."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Integer, func
from sqlmodel import Session, col, select

from dtlab.db import dialects
from dtlab.db.board import board_policy, gate_items, list_items
from dtlab.db.calls import call_answer, held_call
from dtlab.db.centres import list_centres
from dtlab.db.concept import (
    CaseEvaluations,
    Recommendation,
    case_evaluations,
    case_recommendation,
    evaluations_json,
    recommendation_json,
)
from dtlab.db.listing import CaseFilter
from dtlab.db.models import Assessment, Case, Contact, Kpi, Note, Organisation
from dtlab.db.reference import centre_type_rules
from dtlab.db.search import search_condition
from dtlab.domain import gates
from dtlab.domain.calls import days_late
from dtlab.domain.fields import ASSESSMENT_FIELDS
from dtlab.domain.guide import consistency_problems
from dtlab.domain.ids import CaseRef, parse_ref
from dtlab.domain.stages import RenewalOutcome, Stage
from dtlab.errors import Invalid, NotFound
from dtlab.i18n import _


def get_case(session: Session, ref: str) -> Case:
    try:
        canonical = str(parse_ref(ref))
    except ValueError as exc:
        raise NotFound(str(exc)) from None
    case = session.scalars(select(Case).where(Case.ref == canonical, col(Case.deleted_at).is_(None))).first()
    if case is None:
        raise NotFound(_("no case {ref}").format(ref=canonical))
    return case


def assessment_of(session: Session, case: Case) -> Assessment | None:
    return session.scalars(select(Assessment).where(Assessment.case_id == case.id)).first()


# What `case_facts` reads, by table (None: any field of it): a write to one of these can meet or
# unmeet a gate. The sync engine asks it of a write a field site had not seen when it advanced a
# case (`sync.admit`); keep it in step with `case_facts` and `case_recommendation`.
GATE_READS: dict[str, frozenset[str] | None] = {
    "cases": frozenset({
        "stage", "status", "applicant_id", "country", "channel", "received_on", "proposed_type", "scope",
        "ownership", "cost_capacity", "goals", "flagships", "type_reason", "agreement_ref", "signed_on",
        "launch_on", "period_evaluated_on", "renewal_outcome", "membership_reason", "call_ref", "late_reason",
        "deleted_at"}),
    "assessments": None, "evaluations": None, "evaluation_scores": None, "kpis": None, "transitions": None,
    # The Board's items of the case; the Board policy is a setting of no case (`sync.admit` asks it apart).
    "board_items": None,
}


def case_facts(session: Session, case: Case, evaluations: CaseEvaluations | None = None,
               recommendation: Recommendation | None = None, gate: Stage | None = None) -> gates.CaseFacts:
    """What the gates read of a case. With `gate`, only what that stage's gate reads is read (the
    rest left empty): an import judges each advance of a full bundle on its gate alone, and the
    evaluations and the recommendation, the costly part, matter to the concept design's only."""
    reads = gates.GATE_READS[gate] if gate is not None else gates.ALL_FACTS
    applicant = session.get(Organisation, case.applicant_id) if case.applicant_id and "applicant" in reads else None
    assessment = assessment_of(session, case) if reads & {"assessment", "recommendation"} else None
    if "evaluations" in reads:
        evaluations = evaluations or case_evaluations(session, case)
    if "recommendation" in reads:
        recommendation = recommendation or case_recommendation(session, case, assessment)
    kpis = session.scalar(select(func.count()).select_from(Kpi).where(
        Kpi.case_id == case.id, col(Kpi.baseline).is_not(None), col(Kpi.target).is_not(None),
        col(Kpi.deleted_at).is_(None),
    )) or 0 if "kpis" in reads else 0
    # All the plan's KPIs matter only when none is complete (the gate then says so); the query
    # is saved otherwise.
    kpis_in_plan = kpis
    if not kpis and "kpis" in reads:
        kpis_in_plan = session.scalar(select(func.count()).select_from(Kpi).where(
            Kpi.case_id == case.id, col(Kpi.deleted_at).is_(None))) or 0
    answer = call_answer(session, case.call_ref, case.region) if "call" in reads else (None, None)
    problems: tuple[str, ...] = ()
    if case.proposed_type and "recommendation" in reads:
        rule = centre_type_rules(session).get(case.proposed_type)
        if rule is not None:
            problems = tuple(consistency_problems(rule, case.scope, case.ownership))
    best = recommendation.best if recommendation is not None else None
    board_required = "board" in reads and board_policy(session)
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
        evaluations_counted=sum(1 for v in evaluations.evaluations if v.counts) if evaluations else 0,
        consolidated_classification=evaluations.classification if evaluations else None,
        recommended_type=best.type_id if best else None,
        recommended_name=best.name if best else None,
        type_reason=case.type_reason,
        agreement_ref=case.agreement_ref,
        signed_on=case.signed_on,
        launch_on=case.launch_on,
        kpis_with_targets=kpis,
        kpis_in_plan=kpis_in_plan,
        period_evaluated_on=case.period_evaluated_on,
        renewal_outcome=RenewalOutcome(case.renewal_outcome) if case.renewal_outcome else None,
        applicant_category=applicant.category if applicant else None,
        membership_reason=case.membership_reason,
        ownership=case.ownership,
        scope=case.scope,
        call_ref=case.call_ref,
        call_deadline=answer[0],
        call_problem=answer[1],
        late_reason=case.late_reason,
        board_required=board_required,
        board_items=gate_items(session, case) if board_required else (),
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
        raise Invalid(_("sort: {sort} is not one of {sorts}").format(sort=repr(sort), sorts=", ".join(SORTS)))
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
    text = dialects.for_dialect(dialect).sort_text(column)
    return [func.coalesce(text, sa.literal_column("''"), type_=sa.String()), *refs]


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
            raise Invalid(_("the page position does not belong to this sort"))
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
    """Sort keys that put refs in number order within a site and year (…-9999 before …-10000):
    the site-and-year prefix, then the length, then the ref. `dialect` names the database."""
    ref = col(Case.ref)
    # Constants inlined, not bound: SQLite uses an expression index only for the same literal text
    # (migration 0004 creates it from the dialect's `ref_order_index_ddl`).
    dash: Any = sa.literal_column("'-'")
    four: Any = sa.literal_column("4")
    one: Any = sa.literal_column("1")
    kind = dialects.for_dialect(dialect)
    first_dash = kind.position(ref, dash)
    return kind.sort_text(func.substr(ref, one, first_dash + four)), func.length(ref), kind.sort_text(ref)


def count_cases(session: Session, flt: CaseFilter = CaseFilter()) -> int:
    # No join: every filter reads the cases table (the applicant is searched through the index).
    query = select(func.count()).select_from(Case)
    return int(session.scalar(_filtered(query, flt, _dialect(session))) or 0)


def _dialect(session: Session) -> str:
    return dialects.name_of(session)


def _condition(c: gates.Condition) -> dict[str, Any]:
    return {"condition": c.code, "text": c.text, "met": c.met}


def stage_checklists(facts: gates.CaseFacts) -> dict[Stage, list[gates.Condition]]:
    """Every stage's gate evaluated on the case as it is now: the current stage's tells what is
    missing; a passed stage's shows whether later edits undid something; a future stage's, what
    lies ahead."""
    return {stage: gates.checklist(dataclasses.replace(facts, stage=stage)) for stage in Stage}


def _ordered(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The row's fields `names`, in that order (see case_detail)."""
    return {name: getattr(row, name) for name in names}


def case_detail(session: Session, ref: str, today: date | None = None) -> dict[str, Any]:
    case = get_case(session, ref)
    applicant = session.get(Organisation, case.applicant_id) if case.applicant_id else None
    contact = session.get(Contact, case.contact_id) if case.contact_id else None
    assessment = assessment_of(session, case)
    evaluations = case_evaluations(session, case)
    recommendation = case_recommendation(session, case, assessment)
    facts = case_facts(session, case, evaluations, recommendation)
    # In the model's own order: model_dump follows the order the row's attributes were loaded in,
    # which differed from one run to another (and `--json` must be the same bytes every time).
    hidden = {"change_id", "deleted_at", "applicant_id", "contact_id"}
    data = {name: getattr(case, name) for name in type(case).model_fields if name not in hidden}
    data["centre_type"] = case.proposed_type
    data["goals"] = case.goals.split(",") if case.goals else []
    data["applicant"] = applicant.name if applicant else None
    data["category"] = applicant.category if applicant else None
    data["contact"] = _ordered(contact, ("name", "email", "phone", "role")) if contact else None
    data["assessment"] = (
        _ordered(assessment, tuple(ASSESSMENT_FIELDS)) if assessment else None
    )
    data.update(evaluations_json(evaluations, session))
    data["recommendation"] = recommendation_json(recommendation)
    centre = list_centres(session, today or date.today(), case.id)
    data["centre"] = centre[0] if centre else None
    data["kpis"] = [
        _ordered(k, ("name", "unit", "baseline", "target"))
        for k in session.scalars(select(Kpi).where(Kpi.case_id == case.id))
    ]
    data["call"] = _call_summary(session, case)
    data["gate"] = [_condition(c) for c in gates.checklist(facts)]
    data["checklists"] = {stage.value: [_condition(c) for c in conditions]
                          for stage, conditions in stage_checklists(facts).items()}
    data["board"] = list_items(session, case.id)
    data["notes"] = [
        {"at": n.created_at, "author": n.updated_by, "body": n.body}
        for n in session.scalars(select(Note).where(Note.case_id == case.id).order_by(col(Note.created_at)))
    ]
    return data


def _call_summary(session: Session, case: Case) -> dict[str, Any] | None:
    """The call the request answers: its title, deadline and how late the request came."""
    if not case.call_ref:
        return None
    call = held_call(session, case.call_ref)
    if call is None:  # a call no longer held (the reference data's, removed from the seed file)
        return {"ref": case.call_ref, "title": None, "deadline": None, "days_late": 0}
    return {"ref": call.ref, "title": call.title, "deadline": call.deadline,
            "days_late": days_late(case.received_on, call.deadline)}


def highest_ref_number(session: Session, site_code: str, year: int) -> int:
    """The highest case number this site has used in `year` (0 if none). Call it inside the write
    transaction that will use the next number, so no other writer can take it meanwhile."""
    prefix = CaseRef(site_code, year, 0).prefix
    number = func.cast(func.substr(col(Case.ref), len(prefix) + 1), Integer)
    # A range on the ref's unique index rather than LIKE, which SQLite would not index here.
    in_year = (col(Case.ref) >= prefix) & (col(Case.ref) < prefix[:-1] + ".")
    return int(session.scalar(sa.select(func.max(number)).where(in_year)) or 0)
