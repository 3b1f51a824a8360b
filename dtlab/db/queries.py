"""Read-only summaries used by the command line and the screens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, col, select

from dtlab.collation import sort_key
from dtlab.db import case_counts, dialects
from dtlab.db.calls import call_choices
from dtlab.db.figures import Dashboard, assemble
from dtlab.db.models import (
    Case,
    CentreType,
    ChangeLog,
    Country,
    ExpectedResult,
    Goal,
    GroupOutcome,
    MembershipCategory,
    Organisation,
    PriorityResult,
    Product,
    RefVersion,
    Region,
    RegionalInitiative,
    Sdg,
    TemplateItem,
    ThematicPriority,
    WsisLine,
)
from dtlab.domain.stages import Stage
from dtlab.i18n import language


def _count(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def reference_summary(session: Session) -> dict[str, Any]:
    per_region = dict(session.execute(select(Country.region, func.count()).group_by(Country.region)).all())
    return {
        "goals": _count(session, Goal),
        "centre_types": _count(session, CentreType),
        "membership_categories": _count(session, MembershipCategory),
        "regions": _count(session, Region),
        "member_states": _count(session, Country),
        "member_states_by_region": per_region,
        "thematic_priorities": _count(session, ThematicPriority),
        "regional_initiatives": _count(session, RegionalInitiative),
        "expected_results": _count(session, ExpectedResult),
        "priority_result_links": _count(session, PriorityResult),
        "priority_area_outcomes": _count(session, GroupOutcome),
        "products": _count(session, Product),
        "sdgs": _count(session, Sdg),
        "wsis_action_lines": _count(session, WsisLine),
        "monitoring_template_items": dict(session.execute(
            select(TemplateItem.kind, func.count()).group_by(TemplateItem.kind)).all()),
    }


@dataclass(frozen=True)
class Choices:
    """The options of the forms' selects and completions, read once per screen."""

    # Names in the language in use, as every name of the reference data here.
    countries: list[tuple[str, str]]  # (code, name), in the order of the names
    regions: dict[str, str]  # country code → region
    categories: list[tuple[str, str]]
    centre_types: list[tuple[str, str]]
    goals: list[tuple[str, str]]
    organisations: list[tuple[str, str]]  # (name, name) of every organisation, for completion
    calls: list[tuple[str, str]]  # (ref, "ref · title") of every call for expressions of interest


def centre_types(session: Session, short: bool = False) -> list[tuple[str, str]]:
    """(id, name) of each centre type, in the guide's order; `short`: its name without the words
    every type's name shares ("Technology"), for narrow places (no rule could cut them in every
    language: French puts them first)."""
    field = "short" if short else "name"
    return [(t.id, t.localized(field)) for t in session.scalars(select(CentreType).order_by(col(CentreType.position)))]


# The last choices read, per database, with the marks they were read at: opening a case read
# some six thousand organisations' names each time (a tenth of its time at 100,000 cases).
# Organisations are logged records, so a new log entry is what can change them; reference data
# is reloaded (by this dtlab, or on a shared database by another user's newer one) with new
# digests (not load times: those are kept to the second, and two loads can share one).
_CHOICES: dict[str, tuple[tuple[Any, ...], Choices]] = {}


def form_choices(session: Session) -> Choices:
    """What the forms offer to choose from: countries, categories, centre types, goals and the
    organisations already recorded."""
    where = str(session.get_bind().engine.url)
    mark = (language(), session.scalar(select(func.max(ChangeLog.id))),
            *session.scalars(select(RefVersion.digest).order_by(col(RefVersion.name))))
    held = _CHOICES.get(where)
    if held is not None and held[0] == mark:
        return held[1]
    choices = _read_choices(session)
    _CHOICES[where] = (mark, choices)
    return choices


def _read_choices(session: Session) -> Choices:
    return Choices(
        countries=sorted(((c.code, c.localized("name")) for c in session.scalars(select(Country))),
                         key=lambda country: sort_key(country[1])),
        regions={code: region for code, region in session.execute(select(Country.code, Country.region))},
        categories=[(c.id, c.localized("name")) for c in session.scalars(
            select(MembershipCategory).order_by(col(MembershipCategory.position)))],
        centre_types=centre_types(session, short=True),  # a form's select is narrow
        goals=[(g.id, g.localized("name")) for g in session.scalars(select(Goal).order_by(col(Goal.position)))],
        organisations=[(name, name) for name in session.scalars(
            select(Organisation.name).where(col(Organisation.deleted_at).is_(None)).order_by(col(Organisation.name)))],
        calls=call_choices(session),
    )


def dashboard(session: Session, waiting: int = 8, recent: int = 8) -> Dashboard:
    # The cases waiting longest walk the open cases' index past every centre in operation: a
    # scan's small cache, or each start's connection kept 8 MiB of index pages it reads once.
    with dialects.of(session).scanning(session):
        return _dashboard(session, waiting, recent)


def _dashboard(session: Session, waiting: int, recent: int) -> Dashboard:
    live = col(Case.deleted_at).is_(None)
    counts = session.execute(sa.text(case_counts.READ)).all()  # kept by the database as cases change
    waiting_rows = session.execute(
        select(Case.ref, Case.title, Case.stage, Case.stage_since)
        # A centre in accredited operation is running its period, not waiting on the lab.
        .where(live, col(Case.status) == "open", col(Case.stage) != Stage.OPERATION.value)
        .order_by(col(Case.stage_since)).limit(waiting)).all()
    recent_rows = session.execute(
        sa.select(col(ChangeLog.at), col(ChangeLog.actor), col(ChangeLog.table_name), col(ChangeLog.op),
                  col(Case.ref))
        .join(Case, col(Case.id) == ChangeLog.case_id, isouter=True)
        # The changes of cases, each opened from the list by its ref: a call or an organisation
        # changed has its own screen, and a demo's or an import's calls would push the cases out.
        .where(col(ChangeLog.case_id).is_not(None))
        .order_by(col(ChangeLog.at).desc(), col(ChangeLog.id).desc()).limit(recent)).all()
    return assemble([tuple(r) for r in counts], [dict(r._mapping) for r in waiting_rows],
                    [{"at": r[0], "actor": r[1], "table": r[2], "op": r[3], "ref": r[4]} for r in recent_rows])


def monitoring_templates(session: Session, centre_type: str | None = None,
                         lang: str | None = None) -> list[dict[str, Any]]:
    """Each centre type's template: its results (each with the position of the one it contributes
    to), KPIs (with yearly targets) and milestones; its words in `lang` (by default the language
    in use: English for JSON, which is the same in every language)."""
    types = [(t.id, t.localized("name", lang))
             for t in session.scalars(select(CentreType).order_by(col(CentreType.position)))]
    if centre_type is not None:
        types = [t for t in types if t[0] == centre_type]
    items = list(session.scalars(select(TemplateItem).order_by(col(TemplateItem.kind), col(TemplateItem.position))))
    out = []
    for type_id, name in types:
        mine = [i for i in items if i.centre_type == type_id]
        out.append({
            "centre_type": type_id, "name": name,
            "results": [{"position": i.position, "level": i.level, "title": i.localized("title", lang), "task": i.task,
                         "contributes_to": i.parent} for i in mine if i.kind == "result"],
            "kpis": [{"name": i.localized("title", lang), "unit": i.localized("unit", lang), "targets": i.targets,
                      "task": i.task} for i in mine if i.kind == "kpi"],
            "milestones": [{"title": i.localized("title", lang), "anchor": i.anchor, "months": i.months, "task": i.task}
                           for i in mine if i.kind == "milestone"],
        })
    return out


def thematic_priorities(session: Session) -> list[tuple[str, str]]:
    """(id, title) of each thematic priority, in the plan's order, for choosing a result's link."""
    query = select(ThematicPriority).order_by(col(ThematicPriority.position))
    return [(p.id, p.localized("title")) for p in session.scalars(query)]
