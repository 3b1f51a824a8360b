"""The results framework's reference data as the command line and the forms read it: the thematic
priority areas with their objective, outcomes and products, the priorities in each, the SDGs and
the WSIS action lines (all loaded from seeds/ by `db.reference`)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from dtlab.db.models import GroupOutcome, PriorityGroup, Product, Sdg, ThematicPriority, WsisLine
from dtlab.db.ref_languages import keyed, said
from dtlab.i18n import N_

__all__ = ["priority_areas", "priority_objectives", "products", "said", "sdgs", "wsis_lines"]


def priority_areas(session: Session) -> list[dict[str, Any]]:
    """Each thematic priority area in the plan's order: its objective, the impact it serves, its
    outcomes, its priorities, and how many products it has (`products` lists them)."""
    outcomes: dict[str, list[dict[str, Any]]] = {}
    for o in session.scalars(select(GroupOutcome).order_by(col(GroupOutcome.group_id), col(GroupOutcome.number))):
        outcomes.setdefault(o.group_id, []).append({"number": o.number, **keyed(o, "title")})
    priorities: dict[str | None, list[dict[str, Any]]] = {}
    for p in session.scalars(select(ThematicPriority).order_by(col(ThematicPriority.position))):
        priorities.setdefault(p.group_id, []).append({"id": p.id, **keyed(p, "title")})
    counts: dict[str, int] = {}
    for product in session.scalars(select(Product)):
        counts[product.group_id] = counts.get(product.group_id, 0) + 1
    areas = [{"id": g.id, **keyed(g, "title"), **keyed(g, "objective"), **keyed(g, "impact"),
              "outcomes": outcomes.get(g.id, []), "priorities": priorities.get(g.id, []),
              "products": counts.get(g.id, 0)}
             for g in session.scalars(select(PriorityGroup).order_by(col(PriorityGroup.position)))]
    if priorities.get(None):  # named only in the action plan's Figure 2, in no area
        # A title like the areas' own (English in `title_en`, as --json gives it): marked for the
        # front ends, which word it.
        areas.append({"id": None, "title_en": N_("In no priority area"), "title_zh": "", "objective_en": "",
                      "objective_zh": "", "impact_en": "", "outcomes": [], "priorities": priorities[None],
                      "products": 0})
    return areas


def products(session: Session, group: str | None = None) -> list[dict[str, Any]]:
    """Every product (output) of the priority areas, or of one, in each area's order; `priority`
    is the priority it is attributed to, or None for a product kept at area level."""
    titles = {p.id: p.title_en for p in session.scalars(select(ThematicPriority))}
    order = {g.id: g.position for g in session.scalars(select(PriorityGroup))}
    query = select(Product)
    if group is not None:
        query = query.where(Product.group_id == group)
    rows = sorted(session.scalars(query), key=lambda p: (order.get(p.group_id, 0), p.number))
    return [{"group": p.group_id, "number": p.number, "priority": p.priority_id,
             "priority_title": titles.get(p.priority_id or ""), **keyed(p, "title")}
            for p in rows]


def sdgs(session: Session) -> list[dict[str, Any]]:
    return [{"number": g.number, **keyed(g, "name")}
            for g in session.scalars(select(Sdg).order_by(col(Sdg.number)))]


def wsis_lines(session: Session) -> list[dict[str, Any]]:
    return [{"code": w.code, **keyed(w, "name")}
            for w in session.scalars(select(WsisLine).order_by(col(WsisLine.position)))]


def priority_objectives(session: Session) -> dict[str, tuple[str, str]]:
    """Thematic priority id → (its area's title, the area's objective), for a form to show what
    a result linked to the priority serves."""
    groups = {g.id: (g.localized("title"), g.localized("objective")) for g in session.scalars(select(PriorityGroup))}
    return {p.id: groups[p.group_id] for p in session.scalars(select(ThematicPriority))
            if p.group_id in groups}
