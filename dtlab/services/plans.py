"""The monitoring-plan use cases, each in its own transaction: make a plan from its type's
template, report KPI actuals, edit KPIs and milestones, re-plan milestones whose anchor moved,
and take an item out of the plan. The results chain is edited in `services.results`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, func, select

from dtlab.db.cases import get_case
from dtlab.db.centres import accreditation_policy, centre_of
from dtlab.db.models import (
    Case,
    Evidence,
    Kpi,
    KpiYear,
    Milestone,
    Result,
    TemplateItem,
)
from dtlab.db.plans import (
    PLAN_STAGES,
    anchors,
    first_accreditation,
    kpi_version,
    live,
    plan_numbers,
    replan_preview,
)
from dtlab.db.store import Store
from dtlab.domain import fields
from dtlab.domain.clock import utc_now
from dtlab.domain.fields import field_name
from dtlab.domain.ids import derived_id
from dtlab.domain.monitoring import (
    Anchor,
    DueRule,
    MilestoneStatus,
    Replanned,
    even_targets,
    measured_results,
    parse_rule,
    reporting_year_starts,
    template_plan,
)
from dtlab.domain.stages import Stage
from dtlab.errors import Invalid, NotFound, Problems
from dtlab.i18n import N_, Translated, _
from dtlab.services.cases import apply_update, parse_date
from dtlab.services.meanwhile import Seen, check_version


def _plan_case(session: Session, ref: str) -> Case:
    """The case whose plan is written: it must have become a centre and still be open."""
    case = get_case(session, ref)
    if Stage(case.stage) not in PLAN_STAGES or centre_of(session, case) is None:
        raise Invalid(_("{ref} is not a centre yet: a monitoring plan starts at set-up").format(ref=case.ref))
    if case.status != "open":
        raise Invalid(_("{ref} is {status}: its plan is kept as it was").format(ref=case.ref, status=case.status))
    return case


# --- making a plan from the template ----------------------------------------------------------


def _from_template(session: Session, case_id: str) -> bool:
    """Whether the plan already holds items made from a template (they name their task; items
    added by hand do not), so that the template is never applied twice."""
    return any(session.scalar(select(func.count()).select_from(model).where(
        model.case_id == case_id, live(model), col(model.task).is_not(None))) for model in (Result, Kpi, Milestone))


def instantiate_plan(store: Store, ref: str) -> dict[str, int]:
    """Copy the centre type's template into the centre's plan: results, KPIs with a target for
    each year of the first accreditation period, milestones dated from their anchors. Once per
    centre, after any items added by hand; afterwards the plan is edited item by item."""
    with store.write() as session:
        case = _plan_case(session, ref)
        if _from_template(session, case.id):
            raise Invalid(_("{ref} already has a monitoring plan from its template: edit it instead").format(
                ref=case.ref))
        if not case.proposed_type:
            raise Invalid(_("{ref} has no centre type, so no template applies").format(ref=case.ref))
        # The plan's titles in the language of whoever makes it (the template holds all six): from
        # then on they are the centre's own words, edited and synchronised as typed.
        items = [i.model_dump() | {"title_en": i.localized("title")} for i in session.scalars(
            select(TemplateItem).where(TemplateItem.centre_type == case.proposed_type))]
        if not items:
            raise Invalid(_("there is no monitoring-plan template for the type {type}").format(
                type=case.proposed_type))
        planned = template_plan(items, anchors(case), accreditation_policy(session)[0])
        after = {model: _next_position(session, model, case.id) - 1 for model in (Result, Kpi, Milestone)}
        made: dict[int, str] = {}  # a template position → the result made from it
        for r in planned.results:  # each after the result it links up to (the seed's order)
            result = Result(case_id=case.id, level=r.level, title=r.title, position=after[Result] + r.position,
                            task=r.task, parent_id=made.get(r.parent) if r.parent is not None else None)
            session.add(result)
            session.flush()
            made[r.position] = result.id
        by_task = {task: made[position] for task, position in measured_results(planned.results).items()}
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


# --- editing KPIs --------------------------------------------------------------------------------


def parse_number(text: str, label: str) -> float | None:
    """A figure as typed ("1,200", "12.5"); empty is none. Invalid, naming `label`, otherwise."""
    try:
        return fields.parse_number(text, label)
    except fields.FieldError as error:
        raise Invalid(str(error)) from None


def _check_year(session: Session, kpi: Kpi, year: int) -> None:
    """Reporting years run from 1 to one past the last the KPI has (or the policy's period)."""
    years = list(session.scalars(select(KpiYear.year).where(KpiYear.kpi_id == kpi.id, live(KpiYear))))
    last = max([*years, accreditation_policy(session)[0]]) + 1
    if not 1 <= year <= last:
        raise Invalid("year: " + _("reporting years of this KPI run from 1 to {last}").format(last=last))


def _check_year_begun(session: Session, case: Case, year: int, today: date) -> None:
    """An actual is reported for a reporting year that has begun: years count from the centre's
    first accreditation, so there is none before it."""
    first = first_accreditation(session, case)
    if first is None:
        raise Invalid(_("{ref} is not accredited yet: reporting years count from the first accreditation (record "
                        "accredited_on first)").format(ref=case.ref))
    starts = reporting_year_starts(first, year)
    if starts > today:
        raise Invalid("year: " + _("reporting year {year} begins on {day}; report it once it has begun").format(
            year=year, day=starts.isoformat()))


def find_kpi(session: Session, case: Case, name: str) -> Kpi:
    """A KPI of the case by its id, its number in the plan (`plan_numbers`) or a part of its name."""
    kpis = list(session.scalars(select(Kpi).where(Kpi.case_id == case.id, live(Kpi))
                                .order_by(col(Kpi.position), col(Kpi.id))))
    if name.isdigit():
        numbers = plan_numbers(session, Kpi, case.id)
        numbered = next((k for k in kpis if numbers[k.id] == int(name)), None)
        if numbered is not None:
            return numbered
    exact = [k for k in kpis if k.id == name or k.name.lower() == name.lower()]
    found = exact or [k for k in kpis if name.lower() in k.name.lower()]
    if len(found) == 1:
        return found[0]
    if not found and name.isdigit():
        raise NotFound(_("{ref} has no KPI numbered {number} nor named so (dtlab case show {ref} numbers them)").format(
            ref=case.ref, number=name))
    if not found:
        raise NotFound(_("{ref} has no KPI matching {name}").format(ref=case.ref, name=repr(name)))
    raise Invalid(_("{name} matches {n} KPIs of {ref}: {kpis}").format(
        name=repr(name), n=len(found), ref=case.ref, kpis="; ".join(k.name for k in found)))


def record_actual(store: Store, ref: str, kpi_id: str, year: int, actual: str, evidence: str = "",
                  today: date | None = None, seen: Seen | None = None) -> dict[str, Any]:
    """Report a KPI's actual for one reporting year, with an optional evidence note. `seen`: the
    year's version where the figure was typed (refused if it changed since: `meanwhile`)."""
    with store.write() as session:
        case = _plan_case(session, ref)
        kpi = find_kpi(session, case, kpi_id)
        problems = Problems()
        with problems.check():
            _check_year(session, kpi, year)
        with problems.check():
            value = parse_number(actual, "actual")
            if value is not None:
                _check_year_begun(session, case, year, today or date.today())
        problems.raise_any()
        row = session.scalars(select(KpiYear).where(KpiYear.kpi_id == kpi.id, KpiYear.year == year)).first()
        check_version(session, _("year {year} of this KPI").format(year=year), row.change_id if row else None, seen)
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


def _kpi_result(session: Session, case: Case, result_id: str | None) -> str | None:
    """The result a KPI measures: one of its own plan's, of any level (an impact's KPI is rated
    like any other); None for none."""
    if not result_id:
        return None
    row = session.get(Result, result_id)
    if row is None or row.deleted_at is not None or row.case_id != case.id:
        raise Invalid("measures: " + _("{ref} has no such result (a KPI measures a result of its own plan)").format(
            ref=case.ref))
    return row.id


def update_kpi(store: Store, ref: str, kpi_id: str, name: str, unit: str, baseline: str,
               targets: dict[int, str], seen: Seen | None = None, result: str | None = None) -> None:
    """Edit a KPI: its name, unit, baseline, the target of each year (an empty target clears
    it), and the result it measures (`result`: its id; empty: none; None: as it is). The
    end-of-plan target follows the last year's. `seen` as for `record_actual`."""
    with store.write() as session:
        case = _plan_case(session, ref)
        kpi = find_kpi(session, case, kpi_id)
        check_version(session, _("this KPI"), kpi_version(
            kpi, list(session.scalars(select(KpiYear).where(KpiYear.kpi_id == kpi.id)))), seen)
        problems = Problems()
        measures = kpi.result_id
        if result is not None:
            with problems.check():
                measures = _kpi_result(session, case, result)
        with problems.check():
            if not name.strip():
                raise Invalid("name: " + _("name the indicator"))
            _check_unique_name(session, case, name.strip(), kpi.id)
        with problems.check():
            base = parse_number(baseline, "baseline")
        values: dict[int, float | None] = {}
        for year, text in targets.items():
            with problems.check():
                values[year] = parse_number(text, _("year {year} target").format(year=year))
                if values[year] is not None:
                    _check_year(session, kpi, year)
        problems.raise_any()
        kpi.name, kpi.unit = name.strip(), unit.strip() or None
        kpi.baseline = base
        if kpi.result_id != measures:
            kpi.result_id = measures
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
                    target: float | None = None, result: str | None = None) -> str:
    """A KPI added by hand, after the plan's others. A target given here is its end-of-plan
    target: the years of the accreditation period get targets rising evenly to it from the
    baseline, so the KPI is rated from its first year; each can be edited afterwards. `result`:
    the id of the plan's result it measures, of any level (none when empty)."""
    problems = Problems()
    for label, value in (("baseline", baseline), ("target", target)):
        with problems.check():
            try:
                fields.finite(value, label) if value is not None else None
            except fields.FieldError as error:
                raise Invalid(str(error)) from None
    with store.write() as session:
        case = _plan_case(session, ref)
        with problems.check():
            if not name.strip():
                raise Invalid("name: " + _("name the indicator"))
            _check_unique_name(session, case, name.strip())
        measures = None
        with problems.check():
            measures = _kpi_result(session, case, result)
        problems.raise_any()
        kpi = Kpi(case_id=case.id, name=name.strip(), unit=(unit or "").strip() or None, baseline=baseline,
                  target=target, position=_next_position(session, Kpi, case.id), result_id=measures)
        session.add(kpi)
        session.flush()
        if target is not None:
            for year, value in enumerate(even_targets(baseline, target, accreditation_policy(session)[0]), start=1):
                session.add(KpiYear(id=derived_id("kpi-year", kpi.id, year), case_id=case.id, kpi_id=kpi.id,
                                    year=year, target=value))
        return kpi.id


def _check_unique_name(session: Session, case: Case, name: str, kpi_id: str | None = None) -> None:
    """Two KPIs of one plan with the same name cannot be told apart by the people reporting."""
    numbers = plan_numbers(session, Kpi, case.id)
    for other in session.scalars(select(Kpi).where(Kpi.case_id == case.id, live(Kpi))
                                 .order_by(col(Kpi.position), col(Kpi.id))):
        if other.id != kpi_id and other.name.casefold() == name.casefold():
            raise Invalid("name: " + _("{ref} already has the KPI {name} (number {number}): edit that one").format(
                ref=case.ref, name=repr(other.name), number=numbers[other.id]))


def _next_position(session: Session, model: type[Result] | type[Kpi] | type[Milestone], case_id: str) -> int:
    return (session.scalar(select(func.max(model.position)).where(model.case_id == case_id)) or 0) + 1


# --- milestones ----------------------------------------------------------------------------------


def _milestone(session: Session, case: Case, milestone_id: str) -> Milestone:
    m = session.get(Milestone, milestone_id)
    if m is None or m.deleted_at is not None or m.case_id != case.id:
        raise NotFound(_("{ref} has no milestone {milestone}").format(ref=case.ref, milestone=milestone_id))
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
        raise Invalid("due: " + _("a date (YYYY-MM-DD) or an offset such as \"6 months after launch\"")) from None


def due_text(m: dict[str, Any]) -> str:
    """A milestone's due date as its form shows it, and as parse_due reads it back: a rule in its
    English, the language parse_rule reads, whatever the language in use."""
    if not m["anchor"]:
        return str(m["due_on"] or "")
    return DueRule(anchor=Anchor(m["anchor"]), months=m.get("months") or 0, days=m.get("days") or 0).words.english


def _status(text: str) -> MilestoneStatus:
    key = text.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return MilestoneStatus(key)
    except ValueError:
        raise Invalid("status: " + _("one of {statuses}").format(
            statuses=", ".join(s.value.replace("_", " ") for s in MilestoneStatus))) from None


def save_milestone(store: Store, ref: str, milestone_id: str | None, title: str, due: str, owner: str,
                   status: str, evidence: str = "", today: date | None = None, done_on: str = "",
                   seen: Seen | None = None) -> str:
    """Create (no id) or edit a milestone. A relative due date is dated from the case's anchor
    now; a done milestone records the day it was done (`done_on`, or today). `seen` as for
    `record_actual`."""
    today = today or date.today()
    problems = Problems()
    done_day = None
    with problems.check():
        done_day = parse_date(done_on, field_name("done_on")) if done_on.strip() else None
        if done_day is not None and done_day > today:
            raise Invalid(f"{field_name('done_on')}: " + _("a milestone cannot be done in the future"))
    with store.write() as session:
        case = _plan_case(session, ref)
        with problems.check():
            if not title.strip():
                raise Invalid("title: " + _("say what is to be achieved"))
        with problems.check():
            rule = parse_due(due)
        with problems.check():
            new_status = _status(status or "planned")
        problems.raise_any()
        if milestone_id is None:
            m = Milestone(case_id=case.id, title=title.strip(), position=_next_position(session, Milestone, case.id))
            session.add(m)
        else:
            m = _milestone(session, case, milestone_id)
            check_version(session, _("this milestone"), m.change_id, seen)
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
        if m.done_on is not None and case.launch_on is not None and m.done_on < case.launch_on:
            raise Invalid(f"{field_name('done_on')}: " + _("{day} is before the launch date ({launch}); a centre's "
                                                             "milestones come after its launch").format(
                day=m.done_on.isoformat(), launch=case.launch_on.isoformat()))
        session.flush()
        if evidence.strip():
            session.add(Evidence(case_id=case.id, milestone_id=m.id, body=evidence.strip()))
        return m.id


def apply_replan(store: Store, ref: str, accepted: list[Replanned]) -> int:
    """Write the re-planned dates the user accepted. Refused if the plan changed since the
    preview was shown, so nobody accepts dates they have not seen."""
    with store.write() as session:
        return _replan(session, _plan_case(session, ref), accepted)


def update_and_replan(store: Store, ref: str, fields: dict[str, str], accepted: list[Replanned],
                      based_on: dict[str, str] | None = None) -> tuple[dict[str, Any], int]:
    """Save a case's fields (a new launch or accreditation date) and re-plan the milestones the
    user accepted for it, in one transaction: both are written, or neither. `based_on` as for
    `cases.update_case`."""
    with store.write() as session:
        changed = apply_update(session, ref, fields, based_on)
        return changed, _replan(session, _plan_case(session, ref), accepted) if accepted else 0


def _replan(session: Session, case: Case, accepted: list[Replanned]) -> int:
    current = {r.key: r for r in replan_preview(session, case)}
    for r in accepted:
        if current.get(r.key) != r:
            raise Invalid(_("the plan changed since the preview: look at the re-planned dates again"))
    for r in accepted:
        _milestone(session, case, r.key).due_on = r.new
    return len(accepted)


PLAN_ITEMS: dict[str, type[Result] | type[Kpi] | type[Milestone]] = {
    "result": Result, "kpi": Kpi, "milestone": Milestone}
NO_SUCH_ITEM = Translated({"result": N_("{ref} has no such result"), "kpi": N_("{ref} has no such kpi"),
                           "milestone": N_("{ref} has no such milestone")})


@dataclass(frozen=True)
class Removed:
    """What taking an item out of the plan did: its name, and for a result how many KPIs that
    measured it and how many results that linked up to it are now linked to nothing."""

    name: str
    kpis_unlinked: int = 0
    results_unlinked: int = 0


def remove_plan_item(store: Store, ref: str, kind: str, item_id: str) -> Removed:
    """Take a result, KPI or milestone out of the plan. The row is kept as a tombstone, so its
    history (and a KPI's reported years, a milestone's evidence) stays readable; the KPIs that
    measured a removed result and the results that linked up to it are left unlinked, and
    counted in what is returned."""
    model = PLAN_ITEMS[kind]
    with store.write() as session:
        case = _plan_case(session, ref)
        row: Any = session.get(model, item_id)
        if row is None or row.case_id != case.id or row.deleted_at is not None:
            raise NotFound(NO_SUCH_ITEM[kind].format(ref=case.ref))
        row.deleted_at = utc_now()
        kpis = results = 0
        if kind == "kpi":
            for year in session.scalars(select(KpiYear).where(KpiYear.kpi_id == item_id, live(KpiYear))):
                year.deleted_at = row.deleted_at
        if kind == "result":
            for kpi in session.scalars(select(Kpi).where(Kpi.result_id == item_id)):
                kpi.result_id = None
                kpis += kpi.deleted_at is None
            for child in session.scalars(select(Result).where(Result.parent_id == item_id)):
                child.parent_id = None  # the results that contributed to it stay, linked to nothing
                results += child.deleted_at is None
        return Removed(str(getattr(row, "title", None) or getattr(row, "name", "")), kpis, results)
