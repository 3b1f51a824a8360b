"""Read-only summaries used by the command line and the screens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from .models import (
    CentreType,
    Country,
    ExpectedResult,
    Goal,
    MembershipCategory,
    PriorityResult,
    Region,
    RegionalInitiative,
    ThematicPriority,
)


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
    }


@dataclass(frozen=True)
class Choices:
    """The options of the forms' selects and completions, read once per screen."""

    countries: list[tuple[str, str]]  # (code, English name)
    regions: dict[str, str]  # country code → region
    categories: list[tuple[str, str]]
    centre_types: list[tuple[str, str]]
    goals: list[tuple[str, str]]


def form_choices(session: Session) -> Choices:
    return Choices(
        countries=[(c.code, c.name_en) for c in session.scalars(select(Country).order_by(col(Country.name_en)))],
        regions={code: region for code, region in session.execute(select(Country.code, Country.region))},
        categories=[(c.id, c.name_en) for c in session.scalars(
            select(MembershipCategory).order_by(col(MembershipCategory.position)))],
        centre_types=[(t.id, t.name_en)
                      for t in session.scalars(select(CentreType).order_by(col(CentreType.position)))],
        goals=[(g.id, g.name_en) for g in session.scalars(select(Goal).order_by(col(Goal.position)))],
    )
