"""Ad-hoc timings of the case list's reads on an existing database (median of 5 runs each).

    .venv/bin/python bench/list_timings.py PATH.db

Make the database with `dtlab --db PATH.db init --site HQ && dtlab --db PATH.db demo --cases 100000`.
Issue 7 replaces this with `make bench`, which measures against baselines in the same run."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from dtlab.db.cases import case_detail, count_cases, list_cases
from dtlab.db.listing import CaseFilter
from dtlab.db.store import Store


def median_ms(action: Callable[[], Any], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return sorted(times)[runs // 2] * 1000


def main(path: str) -> None:
    store = Store.open(path, "bench")
    with store.read() as s:
        first = list_cases(s, limit=200)
        after = first[-1]["position"]
        ref = list_cases(s, CaseFilter(stage="concept_design"), limit=1)[0]["ref"]
        rows = [
            ("count of all cases", lambda: count_cases(s)),
            ("first page (200 rows, ref order)", lambda: list_cases(s, limit=200)),
            ("next page by keyset", lambda: list_cases(s, limit=200, after=after)),
            ("first page, stage filter", lambda: list_cases(s, CaseFilter(stage="assessment"), limit=200)),
            ("first page, search 'hub'", lambda: list_cases(s, CaseFilter(search="hub"), limit=200)),
            ("first page, sorted by title", lambda: list_cases(s, limit=200, sort="title")),
            ("one case with its evaluations", lambda: case_detail(s, ref)),
        ]
        for label, action in rows:
            print(f"{label:36s} {median_ms(action):8.1f} ms")
    store.close()


if __name__ == "__main__":
    main(sys.argv[1])
