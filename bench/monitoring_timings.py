"""Ad-hoc timings of the monitoring reads on an existing database (median of 5 runs each): the
dashboard's monitoring panel and its parts, the milestone view, one centre's plan.

    .venv/bin/python -m bench.monitoring_timings PATH.db   (from the repository root)

Make the database with `dtlab --db PATH.db init --site HQ && dtlab --db PATH.db demo --cases 100000`.
Issue 7 replaces this with `make bench`, which measures against baselines in the same run."""

from __future__ import annotations

import sys
from datetime import date

from bench.list_timings import median_ms
from dtlab.db.cases import get_case
from dtlab.db.centres import accreditations_ending
from dtlab.db.plans import (
    attention,
    case_plan,
    kpis_off_track,
    milestone_counts,
    milestone_groups,
    portfolio_milestones,
)
from dtlab.db.store import Store


def main(path: str) -> None:
    store = Store.open(path, "bench")
    today = date.today()
    with store.read() as s:
        ref = portfolio_milestones(s, today, limit=1)[0]["ref"]
        rows = [
            ("dashboard monitoring panel (all below)", lambda: attention(s, today)),
            ("  KPIs off track, whole portfolio", lambda: kpis_off_track(s, today)),
            ("  accreditations ending within 6 months", lambda: accreditations_ending(s, today)),
            ("milestone view: overdue, first 2,000", lambda: portfolio_milestones(s, today, overdue=True, limit=2000)),
            ("milestone view: counts", lambda: milestone_counts(s, today)),
            ("milestone view: per owner", lambda: milestone_groups(s, today, "owner")),
            ("one centre's plan", lambda: case_plan(s, get_case(s, ref), today)),
        ]
        for label, action in rows:
            print(f"{label:<44} {median_ms(action):8.1f} ms")
    store.close()


if __name__ == "__main__":
    main(sys.argv[1])
