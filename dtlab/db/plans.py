"""A centre's monitoring plan: its results framework (outputs and outcomes and what they serve),
KPIs with yearly targets and reported actuals, milestones, and evidence for both. A plan is made
from its type's template in one action and edited afterwards. Statuses (red/amber/green, overdue,
due soon) are computed on the day they are read (domain.monitoring), never stored."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from ..domain.clock import utc_now
from ..domain.ids import derived_id
from ..domain.monitoring import (
    RAG_RULE,
    Anchor,
    DueRule,
    MilestoneStatus,
    Rag,
    Replanned,
    due_state,
    kpi_status,
    parse_rule,
    rag,
    replan,
    reporting_year_ends,
    template_plan,
)
from ..domain.stages import Stage
from .cases import Invalid, NotFound, apply_update, get_case, parse_date
from .centres import accreditation_policy, accreditations_ending, centre_of, periods_of
from .models import (
    Case,
    Evidence,
    ExpectedResult,
    Kpi,
    KpiYear,
    Milestone,
    Result,
    TemplateItem,
    ThematicPriority,
)
from .store import Store

PLAN_STAGES = (Stage.IMPLEMENTATION, Stage.OPERATION, Stage.RENEWAL)
LEVELS = ("output", "outcome")
MILESTONE_STATUSES = tuple(s.value for s in MilestoneStatus)
STATUS_WORDS = {"planned": "Planned", "in_progress": "In progress", "done": "Done", "missed": "Missed",
                "cancelled": "Cancelled"}


def _live(model: Any) -> Any:
    return col(model.deleted_at).is_(None)


def plan_editable(case: Case) -> bool:
    """Whether a case's plan can be written: an open case from set-up on (sent back before
    set-up, its centre keeps its plan, read-only)."""
    return case.status == "open" and Stage(case.stage) in PLAN_STAGES


def _plan_case(session: Session, ref: str) -> Case:
    """The case whose plan is written: it must have become a centre and still be open."""
    case = get_case(session, ref)
    if Stage(case.stage) not in PLAN_STAGES or centre_of(session, case) is None:
        raise Invalid(f"{case.ref} is not a centre yet: a monitoring plan starts at set-up")
    if case.status != "open":
        raise Invalid(f"{case.ref} is {case.status}: its plan is kept as it was")
    return case


def anchors(case: Case) -> dict[Anchor, date | None]:
    return {Anchor.LAUNCH: case.launch_on, Anchor.ACCREDITATION: case.accredited_on}


def _rule(m: Milestone) -> DueRule:
    """The rule of a relative milestone (one with an anchor)."""
    assert m.anchor is not None
    return DueRule(anchor=Anchor(m.anchor), months=m.months, days=m.days)


def rule_words(m: Milestone) -> str:
    if m.anchor is None:
        return "fixed date" if m.due_on else "no date yet"
    return _rule(m).words


# --- making a plan from the template ----------------------------------------------------------


def _from_template(session: Session, case_id: str) -> bool:
    """Whether the plan already holds items made from a template (they name their task; items
    added by hand do not), so that the template is never applied twice."""
    return any(session.scalar(select(func.count()).select_from(model).where(
        model.case_id == case_id, _live(model), col(model.task).is_not(None))) for model in (Result, Kpi, Milestone))


def instantiate_plan(store: Store, ref: str) -> dict[str, int]:
    """Copy the centre type's template into the centre's plan: results, KPIs with a target for
    each year of the first accreditation period, milestones dated from their anchors. Once per
    centre, after any items added by hand; afterwards the plan is edited item by item."""
    with store.write() as session:
        case = _plan_case(session, ref)
        if _from_template(session, case.id):
            raise Invalid(f"{case.ref} already has a monitoring plan from its template: edit it instead")
        if not case.proposed_type:
            raise Invalid(f"{case.ref} has no centre type, so no template applies")
        items = [i.model_dump() for i in session.scalars(
            select(TemplateItem).where(TemplateItem.centre_type == case.proposed_type))]
        if not items:
            raise Invalid(f"there is no monitoring-plan template for the type {case.proposed_type}")
        planned = template_plan(items, anchors(case), accreditation_policy(session)[0])
        after = {model: _next_position(session, model, case.id) - 1 for model in (Result, Kpi, Milestone)}
        by_task: dict[int, str] = {}
        for r in planned.results:
            result = Result(case_id=case.id, level=r.level, title=r.title, position=after[Result] + r.position,
                            task=r.task)
            session.add(result)
            session.flush()
            by_task.setdefault(r.task, result.id)
        for k in planned.kpis:
            kpi = Kpi(case_id=case.id, name=k.name, unit=k.unit, target=k.targets[-1] if k.targets else None,
                      result_id=by_task.get(k.task), position=after[Kpi] + k.position, task=k.task)
            session.add(kpi)
            session.flush()
            for number, target in enumerate(k.targets, start=1):
                session.add(KpiYear(id=derived_id("kpi-year", kpi.id, number), case_id=case.id, kpi_id=kpi.id,
                                    year=number, target=target))
        for m in planned.milestones:
            session.add(Milestone(case_id=case.id, title=m.title, anchor=m.rule.anchor.value if m.rule.anchor else None,
                                  months=m.rule.months, due_on=m.due_on, position=after[Milestone] + m.position,
                                  task=m.task))
        return {"results": len(planned.results), "kpis": len(planned.kpis), "milestones": len(planned.milestones)}


# --- reading a plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearView:
    id: str
    year: int
    ends_on: date | None
    target: float | None
    actual: float | None
    reported_on: date | None
    progress: float | None
    status: str
    evidence: list[dict[str, Any]]


def _first_start(session: Session, case: Case) -> date | None:
    centre = centre_of(session, case)
    periods = periods_of(session, centre) if centre else []
    return periods[0].starts_on if periods else None


def _evidence(session: Session, case_id: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for e in session.scalars(select(Evidence).where(Evidence.case_id == case_id, _live(Evidence))
                             .order_by(col(Evidence.created_at))):
        key = e.milestone_id or e.kpi_year_id or ""
        out.setdefault(key, []).append({"at": e.created_at, "by": e.updated_by, "body": e.body})
    return out


def _kpi_view(kpi: Kpi, years: list[KpiYear], first_start: date | None, today: date,
              evidence: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    dated = [(y, reporting_year_ends(first_start, y.year)) for y in sorted(years, key=lambda y: y.year)]
    rated = [(str(y.year), ends, y.target, y.actual) for y, ends in dated if ends is not None and y.target is not None]
    overall, results = kpi_status(kpi.baseline, rated, today)
    by_year = {int(r.period): r for r in results}
    views = []
    for y, ends in dated:
        r = by_year.get(y.year)
        views.append(YearView(y.id, y.year, ends, y.target, y.actual, y.reported_on,
                              r.progress if r else None, (r.status if r else Rag.NOT_YET).value,
                              evidence.get(y.id, [])))
    return {"id": kpi.id, "name": kpi.name, "unit": kpi.unit, "baseline": kpi.baseline, "target": kpi.target,
            "result_id": kpi.result_id, "task": kpi.task, "status": overall.value,
            "years": [v.__dict__ for v in views]}


def _milestone_view(m: Milestone, today: date, evidence: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {"id": m.id, "title": m.title, "owner": m.owner, "status": m.status, "due_on": m.due_on,
            "rule": rule_words(m), "anchor": m.anchor, "months": m.months, "days": m.days,
            "done_on": m.done_on, "task": m.task,
            "state": due_state(m.due_on, MilestoneStatus(m.status), today),
            "evidence": evidence.get(m.id, [])}


def case_plan(session: Session, case: Case, today: date) -> dict[str, Any]:
    """The whole plan of a case's centre as the centre view and `dtlab kpis` read it."""
    first_start = _first_start(session, case)
    evidence = _evidence(session, case.id)
    priorities = {p.id: p.title_en for p in session.scalars(select(ThematicPriority))}
    results = [{"id": r.id, "level": r.level, "title": r.title, "priority_id": r.priority_id,
                "priority": priorities.get(r.priority_id or ""), "cycle": r.cycle,
                "initiative_results": r.initiative_results.split() if r.initiative_results else [],
                "sdgs": [int(s) for s in r.sdgs.split()] if r.sdgs else [], "task": r.task}
               for r in session.scalars(select(Result).where(Result.case_id == case.id, _live(Result))
                                        .order_by(col(Result.level).desc(), col(Result.position), col(Result.id)))]
    years: dict[str, list[KpiYear]] = {}
    for y in session.scalars(select(KpiYear).where(KpiYear.case_id == case.id, _live(KpiYear))):
        years.setdefault(y.kpi_id, []).append(y)
    kpis = [_kpi_view(k, years.get(k.id, []), first_start, today, evidence)
            for k in session.scalars(select(Kpi).where(Kpi.case_id == case.id, _live(Kpi))
                                     .order_by(col(Kpi.position), col(Kpi.id)))]
    milestones = [_milestone_view(m, today, evidence)
                  for m in session.scalars(select(Milestone).where(Milestone.case_id == case.id, _live(Milestone))
                                           .order_by(col(Milestone.due_on).is_(None), col(Milestone.due_on),
                                                     col(Milestone.position)))]
    from_template = any(i["task"] is not None for i in [*results, *kpis, *milestones])
    return {"ref": case.ref, "editable": plan_editable(case), "from_template": from_template,
            "first_accredited_on": first_start, "results": results, "kpis": kpis,
            "milestones": milestones, "rag_rule": RAG_RULE,
            "replan": [r.__dict__ for r in replan_preview(session, case)]}


def kpi_report(session: Session, ref: str, today: date) -> dict[str, Any]:
    case = get_case(session, ref)
    plan = case_plan(session, case, today)
    return {"ref": case.ref, "first_accredited_on": plan["first_accredited_on"], "kpis": plan["kpis"],
            "rule": RAG_RULE}


# --- editing KPIs --------------------------------------------------------------------------------


def parse_number(text: str, label: str) -> float | None:
    """A figure as typed ("1,200", "12.5"); empty is none. Invalid, naming `label`, otherwise."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise Invalid(f"{label}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise Invalid(f"{label}: must be a finite number")
    return value


def _check_year(session: Session, kpi: Kpi, year: int) -> None:
    """Reporting years run from 1 to one past the last the KPI has (or the policy's period)."""
    years = list(session.scalars(select(KpiYear.year).where(KpiYear.kpi_id == kpi.id, _live(KpiYear))))
    last = max([*years, accreditation_policy(session)[0]]) + 1
    if not 1 <= year <= last:
        raise Invalid(f"year: reporting years of this KPI run from 1 to {last}")


def find_kpi(session: Session, case: Case, name: str) -> Kpi:
    """A KPI of the case by its id, its position in the plan (1, 2, …) or a part of its name."""
    kpis = list(session.scalars(select(Kpi).where(Kpi.case_id == case.id, _live(Kpi))
                                .order_by(col(Kpi.position), col(Kpi.id))))
    if name.isdigit() and 1 <= int(name) <= len(kpis):
        return kpis[int(name) - 1]
    exact = [k for k in kpis if k.id == name or k.name.lower() == name.lower()]
    found = exact or [k for k in kpis if name.lower() in k.name.lower()]
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFound(f"{case.ref} has no KPI matching {name!r}")
    raise Invalid(f"{name!r} matches {len(found)} KPIs of {case.ref}: " + "; ".join(k.name for k in found))


def record_actual(store: Store, ref: str, kpi_id: str, year: int, actual: str, evidence: str = "",
                  today: date | None = None) -> dict[str, Any]:
    """Report a KPI's actual for one reporting year, with an optional evidence note."""
    with store.write() as session:
        case = _plan_case(session, ref)
        kpi = find_kpi(session, case, kpi_id)
        _check_year(session, kpi, year)
        value = parse_number(actual, "actual")
        row = session.scalars(select(KpiYear).where(KpiYear.kpi_id == kpi.id, KpiYear.year == year)).first()
        if row is None:
            row = KpiYear(id=derived_id("kpi-year", kpi.id, year), case_id=case.id, kpi_id=kpi.id, year=year)
            session.add(row)
        if row.actual != value:
            row.actual = value
            row.reported_on = (today or date.today()) if value is not None else None
        session.flush()
        if evidence.strip():
            session.add(Evidence(case_id=case.id, kpi_year_id=row.id, body=evidence.strip()))
        return {"kpi": kpi.name, "year": year, "actual": value}


def update_kpi(store: Store, ref: str, kpi_id: str, name: str, unit: str, baseline: str,
               targets: dict[int, str]) -> None:
    """Edit a KPI: its name, unit, baseline and the target of each year (an empty target clears
    it). The end-of-plan target follows the last year's."""
    with store.write() as session:
        case = _plan_case(session, ref)
        kpi = find_kpi(session, case, kpi_id)
        if not name.strip():
            raise Invalid("name: name the indicator")
        values = {year: parse_number(text, f"year {year} target") for year, text in targets.items()}
        for year, value in values.items():
            if value is not None:
                _check_year(session, kpi, year)
        kpi.name, kpi.unit = name.strip(), unit.strip() or None
        kpi.baseline = parse_number(baseline, "baseline")
        rows = {y.year: y for y in session.scalars(select(KpiYear).where(KpiYear.kpi_id == kpi.id))}
        for year, value in values.items():
            row = rows.get(year)
            if row is None:
                if value is None:
                    continue
                row = rows[year] = KpiYear(id=derived_id("kpi-year", kpi.id, year), case_id=case.id, kpi_id=kpi.id,
                                           year=year)
                session.add(row)
            if row.target != value:
                row.target = value
        set_years = sorted(y for y, r in rows.items() if r.target is not None)
        kpi.target = rows[set_years[-1]].target if set_years else kpi.target


def add_kpi_to_plan(store: Store, ref: str, name: str, unit: str = "", baseline: float | None = None,
                    target: float | None = None) -> str:
    """A KPI added by hand, after the plan's others, with an end-of-plan target if given; its
    yearly targets are set by editing it."""
    for label, value in (("baseline", baseline), ("target", target)):
        if value is not None and not math.isfinite(value):
            raise Invalid(f"{label}: must be a finite number")
    with store.write() as session:
        case = _plan_case(session, ref)
        if not name.strip():
            raise Invalid("name: name the indicator")
        kpi = Kpi(case_id=case.id, name=name.strip(), unit=(unit or "").strip() or None, baseline=baseline,
                  target=target, position=_next_position(session, Kpi, case.id))
        session.add(kpi)
        session.flush()
        return kpi.id


def _next_position(session: Session, model: type[Result] | type[Kpi] | type[Milestone], case_id: str) -> int:
    return (session.scalar(select(func.max(model.position)).where(model.case_id == case_id)) or 0) + 1


# --- milestones ----------------------------------------------------------------------------------


def _milestone(session: Session, case: Case, milestone_id: str) -> Milestone:
    m = session.get(Milestone, milestone_id)
    if m is None or m.deleted_at is not None or m.case_id != case.id:
        raise NotFound(f"{case.ref} has no milestone {milestone_id}")
    return m


def parse_due(text: str) -> DueRule | None:
    """A due date as people write it: a date (2027-03-31), or an offset from an anchor as
    domain.monitoring.parse_rule reads it ("6 months after launch", "6m launch"). Empty: no date."""
    text = text.strip()
    if not text:
        return None
    if text[:1].isdigit() and "-" in text[1:5]:
        return DueRule(fixed=parse_date(text, "due"))
    try:
        return parse_rule(text)
    except ValueError:
        raise Invalid("due: a date (YYYY-MM-DD) or an offset such as \"6 months after launch\"") from None


def due_text(m: dict[str, Any]) -> str:
    """A milestone's due date as its form shows it, and as parse_due reads it back."""
    return str(m["rule"]) if m["anchor"] else str(m["due_on"] or "")


def _status(text: str) -> MilestoneStatus:
    key = text.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return MilestoneStatus(key)
    except ValueError:
        raise Invalid("status: one of " + ", ".join(STATUS_WORDS.values()).lower()) from None


def save_milestone(store: Store, ref: str, milestone_id: str | None, title: str, due: str, owner: str,
                   status: str, evidence: str = "", today: date | None = None, done_on: str = "") -> str:
    """Create (no id) or edit a milestone. A relative due date is dated from the case's anchor
    now; a done milestone records the day it was done (`done_on`, or today)."""
    today = today or date.today()
    done_day = parse_date(done_on, "done on") if done_on.strip() else None
    if done_day is not None and done_day > today:
        raise Invalid("done on: a milestone cannot be done in the future")
    with store.write() as session:
        case = _plan_case(session, ref)
        if not title.strip():
            raise Invalid("title: say what is to be achieved")
        rule = parse_due(due)
        new_status = _status(status or "planned")
        if milestone_id is None:
            m = Milestone(case_id=case.id, title=title.strip(), position=_next_position(session, Milestone, case.id))
            session.add(m)
        else:
            m = _milestone(session, case, milestone_id)
        m.title, m.owner = title.strip(), owner.strip() or None
        if rule is None:
            m.anchor, m.months, m.days, m.due_on = None, 0, 0, None
        elif rule.fixed is not None:
            m.anchor, m.months, m.days, m.due_on = None, 0, 0, rule.fixed
        else:
            assert rule.anchor is not None
            if (m.anchor, m.months, m.days) != (rule.anchor.value, rule.months, rule.days) or milestone_id is None:
                m.anchor, m.months, m.days = rule.anchor.value, rule.months, rule.days
                m.due_on = rule.due(anchors(case))
        if m.status != new_status.value:
            m.status = new_status.value
            m.done_on = (done_day or today) if new_status is MilestoneStatus.DONE else None
        elif new_status is MilestoneStatus.DONE and done_day is not None:
            m.done_on = done_day
        session.flush()
        if evidence.strip():
            session.add(Evidence(case_id=case.id, milestone_id=m.id, body=evidence.strip()))
        return m.id


def replan_preview(session: Session, case: Case, moved: dict[Anchor, date | None] | None = None) -> list[Replanned]:
    """The open relative milestones whose stored date differs from their rule on the case's
    anchors (or on `moved`, the anchors a pending edit would give): old and new date each."""
    rows = session.scalars(select(Milestone).where(Milestone.case_id == case.id, _live(Milestone),
                                                   col(Milestone.anchor).is_not(None))
                           .order_by(col(Milestone.position)))
    return replan([(m.id, m.title, _rule(m), MilestoneStatus(m.status), m.due_on) for m in rows],
                  {**anchors(case), **(moved or {})})


def apply_replan(store: Store, ref: str, accepted: list[Replanned]) -> int:
    """Write the re-planned dates the user accepted. Refused if the plan changed since the
    preview was shown, so nobody accepts dates they have not seen."""
    with store.write() as session:
        return _replan(session, _plan_case(session, ref), accepted)


def update_and_replan(store: Store, ref: str, fields: dict[str, str], accepted: list[Replanned]) -> tuple[
        dict[str, Any], int]:
    """Save a case's fields (a new launch or accreditation date) and re-plan the milestones the
    user accepted for it, in one transaction: both are written, or neither."""
    with store.write() as session:
        changed = apply_update(session, ref, fields)
        return changed, _replan(session, _plan_case(session, ref), accepted) if accepted else 0


def _replan(session: Session, case: Case, accepted: list[Replanned]) -> int:
    current = {r.key: r for r in replan_preview(session, case)}
    for r in accepted:
        if current.get(r.key) != r:
            raise Invalid("the plan changed since the preview: look at the re-planned dates again")
    for r in accepted:
        _milestone(session, case, r.key).due_on = r.new
    return len(accepted)


# --- the results framework -----------------------------------------------------------------------


INITIATIVE_RESULT = re.compile(r"^([A-Z]{3}\d+)\.(\d+)$")


def _initiative_results(session: Session, text: str, cycle: str) -> str | None:
    codes = text.replace(",", " ").upper().split()
    for code in codes:
        match = INITIATIVE_RESULT.match(code)
        if not match:
            raise Invalid(f"initiative results: {code!r} is not of the form AFR4.3 (initiative, result number)")
        if session.get(ExpectedResult, (cycle, match[1], int(match[2]))) is None:
            raise Invalid(f"initiative results: {match[1]} has no expected result {match[2]} in the {cycle} cycle")
    return " ".join(dict.fromkeys(codes)) or None


def _sdgs(text: str) -> str | None:
    numbers = text.replace(",", " ").split()
    for n in numbers:
        if not n.isdigit() or not 1 <= int(n) <= 17:
            raise Invalid(f"SDGs: {n!r} is not a Sustainable Development Goal (1 to 17)")
    return " ".join(dict.fromkeys(str(int(n)) for n in numbers)) or None


def save_result(store: Store, ref: str, result_id: str | None, level: str, title: str, priority: str = "",
                initiative_results: str = "", cycle: str = "", sdgs: str = "") -> str:
    """Create (no id) or edit an output or outcome and its links, each checked against the
    reference data of its plan cycle."""
    with store.write() as session:
        case = _plan_case(session, ref)
        if level not in LEVELS:
            raise Invalid("level: output or outcome")
        if not title.strip():
            raise Invalid("title: name the result")
        priority_id = priority.strip() or None
        if priority_id is not None and session.get(ThematicPriority, priority_id) is None:
            raise Invalid(f"thematic priority: no priority {priority_id!r} (see dtlab reference)")
        cycle = cycle.strip() or default_cycle(session)
        links = _initiative_results(session, initiative_results, cycle)
        if result_id is None:
            row = Result(case_id=case.id, level=level, title=title.strip(),
                         position=_next_position(session, Result, case.id))
            session.add(row)
        else:
            found = session.get(Result, result_id)
            if found is None or found.case_id != case.id or found.deleted_at is not None:
                raise NotFound(f"{case.ref} has no result {result_id}")
            row = found
        row.level, row.title, row.priority_id = level, title.strip(), priority_id
        row.initiative_results, row.cycle = links, cycle if links else None
        row.sdgs = _sdgs(sdgs)
        session.flush()
        return row.id


PLAN_ITEMS: dict[str, type[Result] | type[Kpi] | type[Milestone]] = {
    "result": Result, "kpi": Kpi, "milestone": Milestone}


def remove_plan_item(store: Store, ref: str, kind: str, item_id: str) -> str:
    """Take a result, KPI or milestone out of the plan. The row is kept as a tombstone, so its
    history (and a KPI's reported years, a milestone's evidence) stays readable; KPIs that
    measured a removed result are left unlinked."""
    model = PLAN_ITEMS[kind]
    with store.write() as session:
        case = _plan_case(session, ref)
        row: Any = session.get(model, item_id)
        if row is None or row.case_id != case.id or row.deleted_at is not None:
            raise NotFound(f"{case.ref} has no such {kind}")
        row.deleted_at = utc_now()
        if kind == "kpi":
            for year in session.scalars(select(KpiYear).where(KpiYear.kpi_id == item_id, _live(KpiYear))):
                year.deleted_at = row.deleted_at
        if kind == "result":
            for kpi in session.scalars(select(Kpi).where(Kpi.result_id == item_id)):
                kpi.result_id = None
        return str(getattr(row, "title", None) or getattr(row, "name", ""))


def default_cycle(session: Session) -> str:
    cycles = sorted(set(session.scalars(select(ExpectedResult.cycle))))
    return cycles[-1] if cycles else ""


# --- across the portfolio ------------------------------------------------------------------------


def _portfolio_query(columns: Any, today: date, overdue: bool, due_within: int | None) -> Any:
    query = (select(*columns).select_from(Milestone).join(Case, col(Case.id) == Milestone.case_id)
             .where(_live(Milestone), col(Case.deleted_at).is_(None), col(Case.status) == "open",
                    col(Case.stage).in_([s.value for s in PLAN_STAGES]),
                    col(Milestone.status).in_(["planned", "in_progress"])))
    if overdue:
        query = query.where(col(Milestone.due_on) < today)
    if due_within is not None:
        query = query.where(col(Milestone.due_on) <= today + timedelta(days=due_within))
    return query


MILESTONE_ORDERS = {"due": (), "owner": (Milestone.owner,), "region": (Case.region,)}


def portfolio_milestones(session: Session, today: date, overdue: bool = False, due_within: int | None = None,
                         limit: int | None = None, latest_first: bool = False,
                         order: str = "due") -> list[dict[str, Any]]:
    """Open milestones of every open centre, soonest first (within each owner or region when
    ordered by one), with their centre, region and owner. `overdue` keeps those past due;
    `due_within` those due in the next so many days (overdue included, since they are due)."""
    due = col(Milestone.due_on).desc() if latest_first else col(Milestone.due_on)
    groups = [col(c).is_(None) for c in MILESTONE_ORDERS[order]] + [col(c) for c in MILESTONE_ORDERS[order]]
    query = (_portfolio_query((Milestone, Case.ref, Case.title, Case.region), today, overdue, due_within)
             .order_by(*groups, col(Milestone.due_on).is_(None), due, col(Case.ref), col(Milestone.position))
             .limit(limit))
    out = []
    for m, ref, title, region in session.execute(query):
        out.append({"id": m.id, "ref": ref, "centre": title, "region": region, "title": m.title, "owner": m.owner,
                    "status": m.status, "due_on": m.due_on, "rule": rule_words(m),
                    "state": due_state(m.due_on, MilestoneStatus(m.status), today)})
    return out


def milestone_groups(session: Session, today: date, by: str, overdue: bool = False,
                     due_within: int | None = None) -> list[tuple[str, int]]:
    """How many of those milestones each owner (or region) has, most first."""
    column = col(Milestone.owner) if by == "owner" else col(Case.region)
    query = (_portfolio_query((column, func.count()), today, overdue, due_within)
             .group_by(column).order_by(func.count().desc(), column))
    return [(name or "—", n) for name, n in session.execute(query)]


def milestone_counts(session: Session, today: date, soon_days: int = 30) -> dict[str, int]:
    """How many open milestones there are, how many are overdue and how many fall due soon."""
    def count(overdue: bool, due_within: int | None) -> int:
        return session.scalar(_portfolio_query((func.count(),), today, overdue, due_within)) or 0

    overdue = count(True, None)
    return {"open": count(False, None), "overdue": overdue, "due_soon": count(False, soon_days) - overdue}


# Each KPI's latest rated year (reported, or ended), the year its status comes from, dated from
# its centre's first accreditation as domain.monitoring.reporting_year_ends does: SQLite's date
# arithmetic turns 29 February plus whole years into 1 March, as add_years does. The status itself
# is judged by the domain's rule on the rows this returns.
_LATEST_RATED = sa.text("""
WITH first AS (
    SELECT case_id, MIN(starts_on) AS start FROM accreditations WHERE deleted_at IS NULL GROUP BY case_id
), years AS (
    SELECT y.kpi_id, y.case_id, y.target, y.actual, k.baseline, k.name,
           date(f.start, '+' || y.year || ' years', '-1 day') AS ends
    FROM kpi_years y JOIN kpis k ON k.id = y.kpi_id JOIN first f ON f.case_id = y.case_id
    WHERE y.deleted_at IS NULL AND k.deleted_at IS NULL AND y.target IS NOT NULL
), rated AS (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY kpi_id ORDER BY ends DESC) AS latest
    FROM years WHERE actual IS NOT NULL OR ends < :today
)
SELECT c.ref, c.title, r.name, r.baseline, r.target, r.actual
FROM rated r JOIN cases c ON c.id = r.case_id
WHERE r.latest = 1 AND c.status = 'open' AND c.deleted_at IS NULL AND c.stage IN :stages
""").bindparams(sa.bindparam("stages", expanding=True))


def kpis_off_track(session: Session, today: date) -> list[dict[str, Any]]:
    """KPIs of open centres whose status is red, or whose latest ended year went unreported."""
    rows = session.execute(_LATEST_RATED, {"today": today.isoformat(),
                                           "stages": [s.value for s in PLAN_STAGES]})
    out = []
    for ref, title, name, baseline, target, actual in rows:
        status = rag(0.0 if baseline is None else baseline, target, actual, period_ended=True)
        if status in (Rag.RED, Rag.NO_DATA):
            out.append({"ref": ref, "centre": title, "kpi": name, "status": status.value})
    return sorted(out, key=lambda r: (r["ref"], r["kpi"]))


@dataclass(frozen=True)
class Attention:
    """What the dashboard shows of monitoring: the counts, and the items behind them, most
    urgent first (lapsed accreditations, overdue milestones, accreditations ending, KPIs off
    track)."""

    overdue_milestones: int
    accreditations_ending: int
    lapsed: int
    kpis_off_track: int
    items: list[dict[str, Any]]


def attention(session: Session, today: date, months: int = 6, per_kind: int = 15) -> Attention:
    """The counts, and up to `per_kind` items of each kind behind them, so that every kind shows
    however many of another there are."""
    ending = accreditations_ending(session, today, months)
    # The most recently overdue first: the oldest have been seen already, and F4 lists them all.
    overdue = portfolio_milestones(session, today, overdue=True, limit=per_kind, latest_first=True)
    overdue_count = session.scalar(_portfolio_query((func.count(),), today, True, None)) or 0
    off = kpis_off_track(session, today)
    lapsed = [e for e in ending if e["state"] == "lapsed"]
    current = [e for e in ending if e["state"] != "lapsed"]
    items: list[dict[str, Any]] = []

    def add(kind: str, rows: list[dict[str, Any]], text: Callable[[dict[str, Any]], str], what: str) -> None:
        items.extend({"kind": kind, "ref": r["ref"], "text": text(r), "centre": r["centre"]} for r in rows[:per_kind])
        if len(rows) > per_kind:
            items.append({"kind": "more", "ref": "", "text": f"… and {len(rows) - per_kind:,} more {what}",
                          "centre": ""})

    add("lapsed", lapsed, lambda e: f"accreditation lapsed on {e['ends_on']}", "lapsed accreditations")
    add("overdue", overdue, lambda m: f"overdue since {m['due_on']}: {m['title']}", "")
    if overdue_count > len(overdue):
        items.append({"kind": "more", "ref": "", "text": f"… and {overdue_count - len(overdue):,} more overdue "
                      "milestones (F4 lists them all)", "centre": ""})
    add("ending", current, lambda e: f"accreditation ends {e['ends_on']} ({e['days_left']} days)",
        "accreditations ending (dtlab centres)")
    add("kpi", off, lambda k: f"KPI {k['status']}: {k['kpi']}", "KPIs off track")
    return Attention(overdue_count, len(ending), len(lapsed), len(off), items)
