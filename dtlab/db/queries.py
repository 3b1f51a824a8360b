"""Read-only summaries used by the command line and the screens."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

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
