"""A centre's monitoring plan: its results chain (impacts, outcomes and outputs, and what they serve),
KPIs with yearly targets and reported actuals, milestones, and evidence for both. A plan is made
from its type's template in one action and edited afterwards. Statuses (red/amber/green, overdue,
due soon) are computed on the day they are read (domain.monitoring), never stored."""


from __future__ import annotations

import functools
import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from dtlab.db import dialects
from dtlab.db.cases import get_case
from dtlab.db.centres import STREAM_ROWS, centre_of, iter_accreditations_ending, periods_of
from dtlab.db.models import (
    Case,
    Evidence,
    ExpectedResult,
    Kpi,
    KpiYear,
    Milestone,
    Result,
    ThematicPriority,
)
from dtlab.domain.monitoring import (
    ENDING_SOON_MONTHS,
    Anchor,
    DueRule,
    MilestoneStatus,
    Rag,
    Replanned,
    due_state,
    kpi_status,
    level_due,
    rag,
    rag_rule,
    replan,
    reporting_year_ends,
    reporting_year_starts,
    result_chain,
)
from dtlab.domain.stages import Stage
from dtlab.i18n import N_

PLAN_STAGES = (Stage.IMPLEMENTATION, Stage.OPERATION, Stage.RENEWAL)
MILESTONE_STATUSES = tuple(s.value for s in MilestoneStatus)


def live(model: Any) -> Any:
    return col(model.deleted_at).is_(None)


def plan_editable(case: Case) -> bool:
    """Whether a case's plan can be written: an open case from set-up on (sent back before
    set-up, its centre keeps its plan, read-only)."""
    return case.status == "open" and Stage(case.stage) in PLAN_STAGES


def anchors(case: Case) -> dict[Anchor, date | None]:
    return {Anchor.LAUNCH: case.launch_on, Anchor.ACCREDITATION: case.accredited_on}


def _rule(m: Milestone) -> DueRule:
    """The rule of a relative milestone (one with an anchor)."""
    assert m.anchor is not None
    return DueRule(anchor=Anchor(m.anchor), months=m.months, days=m.days)


def rule_words(m: Milestone) -> str:
    """A milestone's due rule in words: a value of its row, which --json gives too, so in English
    (as the domain's `DueRule.words` is), marked for the front ends that word it."""
    if m.anchor is None:
        return N_("fixed date") if m.due_on else N_("no date yet")
    return _rule(m).words


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
    due: float | None  # the level due by today, while the year runs
    version: int | None  # the change-log entry that last wrote the year (see services.meanwhile)


def first_accreditation(session: Session, case: Case) -> date | None:
    """The day the centre's first accreditation period began (its reporting years count from it)."""
    centre = centre_of(session, case)
    periods = periods_of(session, centre) if centre else []
    return periods[0].starts_on if periods else None


def _evidence(session: Session, case_id: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for e in session.scalars(select(Evidence).where(Evidence.case_id == case_id, live(Evidence))
                             .order_by(col(Evidence.created_at))):
        key = e.milestone_id or e.kpi_year_id or ""
        out.setdefault(key, []).append({"at": e.created_at, "by": e.updated_by, "body": e.body})
    return out


def plan_numbers(session: Session, model: type[Result] | type[Kpi] | type[Milestone], case_id: str) -> dict[str, int]:
    """Each result, KPI or milestone of a plan by the number it goes by (`dtlab case show`, the
    centre screen, `dtlab case remove REF kind N`): its place in the order the plan's items of
    its kind were added, counting those taken out since. So a number never changes when an item
    is added, removed or re-dated, and a second command still reaches the item the first named.
    (Items two sites add at once may share a position: their ids settle the order, the same on
    every site once the bundles are exchanged.)"""
    ids = session.scalars(select(model.id).where(model.case_id == case_id)
                          .order_by(col(model.position), col(model.id)))
    return {item_id: n for n, item_id in enumerate(ids, start=1)}


def _kpi_view(kpi: Kpi, years: list[KpiYear], first_start: date | None, today: date,
              evidence: dict[str, list[dict[str, Any]]], number: int) -> dict[str, Any]:
    dated = [(y, reporting_year_ends(first_start, y.year)) for y in sorted(years, key=lambda y: y.year)]
    rated = [(str(y.year), reporting_year_starts(first_start, y.year), ends, y.target, y.actual)
             for y, ends in dated if first_start is not None and ends is not None and y.target is not None]
    overall, results = kpi_status(kpi.baseline, rated, today)
    by_year = {int(r.period): r for r in results}
    views = []
    for y, ends in dated:
        r = by_year.get(y.year)
        views.append(YearView(y.id, y.year, ends, y.target, y.actual, y.reported_on,
                              r.progress if r else None, (r.status if r else Rag.NOT_YET).value,
                              evidence.get(y.id, []), r.due if r else None, y.change_id))
    return {"id": kpi.id, "number": number, "name": kpi.name, "unit": kpi.unit, "baseline": kpi.baseline,
            "target": kpi.target, "result_id": kpi.result_id, "task": kpi.task, "status": overall.value,
            "years": [v.__dict__ for v in views], "version": kpi_version(kpi, years)}


def kpi_version(kpi: Kpi, years: list[KpiYear]) -> int | None:
    """A KPI's version with its years' (its edit writes them all): the latest change among them."""
    return max((r.change_id for r in [kpi, *years] if r.change_id is not None), default=None)


def _milestone_view(m: Milestone, today: date, evidence: dict[str, list[dict[str, Any]]],
                    number: int) -> dict[str, Any]:
    return {"id": m.id, "number": number, "title": m.title, "owner": m.owner, "status": m.status,
            "due_on": m.due_on, "rule": rule_words(m), "anchor": m.anchor, "months": m.months, "days": m.days,
            "done_on": m.done_on, "task": m.task,
            "state": due_state(m.due_on, MilestoneStatus(m.status), today),
            "evidence": evidence.get(m.id, []), "version": m.change_id}


def case_plan(session: Session, case: Case, today: date) -> dict[str, Any]:
    """The whole plan of a case's centre as the centre view and `dtlab kpis` read it."""
    first_start = first_accreditation(session, case)
    evidence = _evidence(session, case.id)
    results = results_chain(session, case)
    years: dict[str, list[KpiYear]] = {}
    for y in session.scalars(select(KpiYear).where(KpiYear.case_id == case.id, live(KpiYear))):
        years.setdefault(y.kpi_id, []).append(y)
    kpi_numbers = plan_numbers(session, Kpi, case.id)
    milestone_numbers = plan_numbers(session, Milestone, case.id)
    kpis = [_kpi_view(k, years.get(k.id, []), first_start, today, evidence, kpi_numbers[k.id])
            for k in session.scalars(select(Kpi).where(Kpi.case_id == case.id, live(Kpi))
                                     .order_by(col(Kpi.position), col(Kpi.id)))]
    milestones = [_milestone_view(m, today, evidence, milestone_numbers[m.id])
                  for m in session.scalars(select(Milestone).where(Milestone.case_id == case.id, live(Milestone))
                                           .order_by(col(Milestone.due_on).is_(None), col(Milestone.due_on),
                                                     col(Milestone.position)))]
    from_template = any(i["task"] is not None for i in [*results, *kpis, *milestones])
    return {"ref": case.ref, "editable": plan_editable(case), "from_template": from_template,
            "first_accredited_on": first_start, "results": results, "kpis": kpis,
            "milestones": milestones, "rag_rule": rag_rule(),
            "replan": [r.__dict__ for r in replan_preview(session, case)]}


def results_chain(session: Session, case: Case) -> list[dict[str, Any]]:
    """The plan's results read down the chain (`domain.monitoring.result_chain`): each impact,
    its outcomes, their outputs; each with its `depth`, the result it contributes to, and
    `broken` when its stored link leads nowhere it may (a parent removed or changed level on
    another site: shown unlinked, and said), and the `number` it goes by (`plan_numbers`)."""
    priorities = {p.id: (p.title_en, p.group_id) for p in session.scalars(select(ThematicPriority))}
    rows = {r.id: r for r in session.scalars(select(Result).where(Result.case_id == case.id, live(Result))
                                              .order_by(col(Result.position), col(Result.id)))}
    numbers = plan_numbers(session, Result, case.id)
    out = []
    for item in result_chain([(r.id, r.level, r.parent_id) for r in rows.values()]):
        r = rows[item.id]
        parent = rows.get(r.parent_id or "") if not item.broken else None
        title, group = priorities.get(r.priority_id or "", (None, None))
        out.append({"id": r.id, "number": numbers[r.id], "level": r.level, "title": r.title, "depth": item.depth,
                    "parent_id": r.parent_id, "parent": parent.title if parent else None, "broken": item.broken,
                    "priority_id": r.priority_id, "priority": title, "priority_group": group, "cycle": r.cycle,
                    "initiative_results": r.initiative_results.split() if r.initiative_results else [],
                    "sdgs": [int(s) for s in r.sdgs.split()] if r.sdgs else [],
                    "wsis": r.wsis.split() if r.wsis else [], "task": r.task, "version": r.change_id})
    return out


def kpi_report(session: Session, ref: str, today: date) -> dict[str, Any]:
    case = get_case(session, ref)
    plan = case_plan(session, case, today)
    return {"ref": case.ref, "first_accredited_on": plan["first_accredited_on"], "kpis": plan["kpis"],
            "rule": rag_rule()}


def replan_preview(session: Session, case: Case, moved: dict[Anchor, date | None] | None = None) -> list[Replanned]:
    """The open relative milestones whose stored date differs from their rule on the case's
    anchors (or on `moved`, the anchors a pending edit would give): old and new date each."""
    rows = session.scalars(select(Milestone).where(Milestone.case_id == case.id, live(Milestone),
                                                   col(Milestone.anchor).is_not(None))
                           .order_by(col(Milestone.position)))
    return replan([(m.id, m.title, _rule(m), MilestoneStatus(m.status), m.due_on) for m in rows],
                  {**anchors(case), **(moved or {})})


def default_cycle(session: Session) -> str:
    cycles = sorted(set(session.scalars(select(ExpectedResult.cycle))))
    return cycles[-1] if cycles else ""


# --- across the portfolio ------------------------------------------------------------------------


def _portfolio_query(columns: Any, today: date, overdue: bool, due_within: int | None) -> Any:
    query = (select(*columns).select_from(Milestone).join(Case, col(Case.id) == Milestone.case_id)
             .where(live(Milestone), col(Case.deleted_at).is_(None), col(Case.status) == "open",
                    col(Case.stage).in_([s.value for s in PLAN_STAGES]),
                    col(Milestone.status).in_([s.value for s in MilestoneStatus if s.open])))
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
# its centre's first accreditation by the dialect's SQL form of the domain's
# `reporting_year_ends` (a test holds the two to the same dates). The status itself is judged by
# the domain's rule on the rows this returns.
_LATEST_RATED = """
WITH first AS (
    SELECT case_id, MIN(starts_on) AS start FROM accreditations WHERE deleted_at IS NULL GROUP BY case_id
), years AS (
    SELECT y.kpi_id, y.case_id, y.year, y.target, y.actual, k.baseline, k.name, f.start, {ends} AS ends,
           LAG(y.target) OVER (PARTITION BY y.kpi_id ORDER BY y.year) AS previous_target
    FROM kpi_years y JOIN kpis k ON k.id = y.kpi_id JOIN first f ON f.case_id = y.case_id
    WHERE y.deleted_at IS NULL AND k.deleted_at IS NULL AND y.target IS NOT NULL
), rated AS (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY kpi_id ORDER BY ends DESC) AS latest
    FROM years WHERE actual IS NOT NULL OR ends < :today
)
SELECT c.ref, c.title, r.name, r.baseline, r.target, r.actual, r.start, r.year, r.ends, r.previous_target
FROM rated r JOIN cases c ON c.id = r.case_id
WHERE r.latest = 1 AND c.status = 'open' AND c.deleted_at IS NULL AND c.stage IN :stages
"""  # i18n: not shown (SQL)


@functools.cache
def _latest_rated(dialect: str) -> sa.TextualSelect:
    ends = dialects.for_dialect(dialect).reporting_year_end("f.start", "y.year")
    return sa.text(_LATEST_RATED.format(ends=ends)).bindparams(
        sa.bindparam("stages", expanding=True), sa.bindparam("today", type_=sa.Date())).columns(
        start=sa.Date(), ends=sa.Date())


def _by_ref(kpi: dict[str, Any]) -> tuple[str, str]:
    # In Python, not SQL: str order is the byte order SQLite sorts in; PostgreSQL would sort in
    # its server's language, and the two databases would show different KPIs first.
    return kpi["ref"], kpi["kpi"]


def kpis_off_track(session: Session, today: date) -> list[dict[str, Any]]:
    """KPIs of open centres whose status is red, or whose latest ended year went unreported,
    by ref and KPI."""
    return sorted(_off_track(session, today), key=_by_ref)


def _off_track(session: Session, today: date) -> Iterator[dict[str, Any]]:
    """`kpis_off_track` one at a time, as the database gives them: the dashboard counts them
    all and keeps a few, in memory that does not grow with the portfolio."""
    rows = session.execute(_latest_rated(dialects.name_of(session)).execution_options(yield_per=STREAM_ROWS),
                           {"today": today, "stages": [s.value for s in PLAN_STAGES]})
    for ref, title, name, baseline, target, actual, start, year, ends, previous_target in rows:
        base = 0.0 if baseline is None else baseline
        # A year still running is judged on its pace, as on the centre's own page (rag_rule).
        ended = ends < today
        due = None if ended else level_due(base if previous_target is None else previous_target, target,
                                           reporting_year_starts(start, year), ends, today)
        status = rag(base, target, actual, ended, due)
        if status in (Rag.RED, Rag.NO_DATA):
            yield {"ref": ref, "centre": title, "kpi": name, "status": status.value}


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


def attention(session: Session, today: date, months: int = ENDING_SOON_MONTHS, per_kind: int = 15) -> Attention:
    """The counts, and up to `per_kind` items of each kind behind them, so that every kind shows
    however many of another there are. Each kind is read as a stream, counted and cut to its
    first items as it comes: the memory it takes stays flat whatever the portfolio's size."""
    with dialects.of(session).scanning(session):
        return _attention(session, today, months, per_kind)


def _attention(session: Session, today: date, months: int, per_kind: int) -> Attention:
    lapsed: list[dict[str, Any]] = []
    current: list[dict[str, Any]] = []
    counted = {"lapsed": 0, "ending": 0}
    for e in iter_accreditations_ending(session, today, months):
        kind, kept = ("lapsed", lapsed) if e["state"] == "lapsed" else ("ending", current)
        counted[kind] += 1
        if len(kept) < per_kind:
            kept.append(e)
    # The most recently overdue first: the oldest have been seen already, and F4 lists them all.
    overdue = portfolio_milestones(session, today, overdue=True, limit=per_kind, latest_first=True)
    overdue_count = session.scalar(_portfolio_query((func.count(),), today, True, None)) or 0
    off_count = 0

    def each_counted(kpis: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        nonlocal off_count
        for kpi in kpis:
            off_count += 1
            yield kpi

    off = heapq.nsmallest(per_kind, each_counted(_off_track(session, today)), key=_by_ref)
    items: list[dict[str, Any]] = []

    def add(kind: str, rows: list[dict[str, Any]], total: int) -> None:
        """Each row as an item of its kind (present/words.attention_text says it), then how many
        more there are, as an item of kind "more" naming the kind."""
        items.extend({**r, "kind": kind} for r in rows)  # each list is cut to per_kind already
        more = total - len(rows)
        if more > 0:
            items.append({"kind": "more", "of": kind, "count": more, "ref": "", "centre": ""})

    add("lapsed", lapsed, counted["lapsed"])
    add("overdue", overdue, overdue_count)
    add("ending", current, counted["ending"])
    add("kpi", off, off_count)
    return Attention(overdue_count, counted["lapsed"] + counted["ending"], counted["lapsed"], off_count, items)
