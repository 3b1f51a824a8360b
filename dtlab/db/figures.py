"""The dashboard's figures: plain data, importable without SQLAlchemy, and put together the same
way from the ORM's rows (`queries.dashboard`) and from the standard library's sqlite3 before the
store has opened (`dialects.read_first_dashboard`), so `dtlab` shows real figures as soon as it is
drawn."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dtlab.domain.stages import Stage


@dataclass(frozen=True)
class Dashboard:
    total: int
    open_by_stage: dict[str, int]  # stage id → open cases, in path order
    ended: dict[str, int]  # withdrawn / declined / closed → cases
    by_region: dict[str, int]  # open cases per region, most first
    # Open cases longest in their stage (ref, title, stage, since); None when not read yet: at a
    # million cases that read takes longer than all the rest, and the first figures do not wait.
    waiting: list[dict[str, Any]] | None
    recent: list[dict[str, Any]]  # latest change-log entries: at, actor, table, op, ref


@dataclass(frozen=True)
class FirstDashboard:
    """The dashboard read before the store is open, with what the app needs of the site."""

    site_id: str
    site_code: str
    label: str  # the database, as the store names it
    figures: Dashboard
    conflicts: int  # open sync conflicts


def assemble(counts: Iterable[tuple[str, str, str | None, int]], waiting: list[dict[str, Any]] | None,
             recent: list[dict[str, Any]]) -> Dashboard:
    """The figures from the live cases counted by (stage, status, region), one pass."""
    open_by_stage = {stage.value: 0 for stage in Stage}
    ended: dict[str, int] = {}
    by_region: dict[str, int] = {}
    total = 0
    for stage, status, region, n in counts:
        total += n
        if status == "open":
            open_by_stage[stage] = open_by_stage.get(stage, 0) + n
            by_region[region or "?"] = by_region.get(region or "?", 0) + n
        else:
            ended[status] = ended.get(status, 0) + n
    regions = dict(sorted(by_region.items(), key=lambda item: (-item[1], item[0])))
    return Dashboard(total, open_by_stage, ended, regions, waiting, recent)
