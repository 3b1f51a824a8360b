"""Demo data obeys the rules: every gate a case passed is met by the records it carries."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from dtlab.db.cases import case_facts
from dtlab.db.models import Case, ChangeLog, Transition
from dtlab.db.store import Store
from dtlab.domain import gates
from dtlab.domain.stages import STAGE_ORDER, Stage
from dtlab.services.demo import generate
from tests.helpers.database import fresh_database

pytestmark = pytest.mark.functional


def test_demo_cases_satisfy_the_gates_they_passed(store: Store) -> None:
    report = generate(store, cases=300, seed=3, today=date(2026, 11, 1))
    assert report.cases == 300
    with store.read() as s:
        cases = list(s.scalars(select(Case)))
        for case in cases:
            facts = case_facts(s, case)
            for passed in STAGE_ORDER[: Stage(case.stage).position]:
                assert gates.unmet(dataclasses.replace(facts, stage=passed)) == [], (case.ref, passed)
            advances = s.scalar(select(func.count()).select_from(Transition).where(
                Transition.case_id == case.id, Transition.kind == "advance"))
            assert advances == Stage(case.stage).position
            assert case.received_on is not None and case.received_on <= date(2026, 11, 1)
        stages = Counter(c.stage for c in cases)
        statuses = Counter(c.status for c in cases)
        regions = Counter(c.region for c in cases)
    assert set(stages) == {s.value for s in Stage}
    assert set(statuses) == {"open", "withdrawn", "declined", "closed"}
    assert len(regions) == 6


def test_every_demo_row_is_in_the_change_log(store: Store) -> None:
    from dtlab.db.models import SYNCED_MODELS

    generate(store, cases=50, seed=1)
    with store.read() as s:
        for model in SYNCED_MODELS:
            rows = s.scalar(select(func.count()).select_from(model)) or 0
            logged = s.scalar(select(func.count()).select_from(ChangeLog).where(
                ChangeLog.table_name == model.__tablename__, ChangeLog.op == "insert")) or 0
            assert logged == rows, model.__tablename__
        assert s.scalar(select(func.count()).select_from(Case)) == 50


def test_demo_continues_refs_and_reports_progress(store: Store) -> None:
    seen: list[tuple[int, int]] = []
    generate(store, cases=20, seed=1, today=date(2026, 11, 1))
    generate(store, cases=20, seed=1, today=date(2026, 11, 1), progress=lambda d, t: seen.append((d, t)))
    with store.read() as s:
        refs = list(s.scalars(select(Case.ref)))
    assert len(refs) == len(set(refs)) == 40
    assert seen[-1] == (20, 20)


def test_the_second_process_makes_the_same_data(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Large loads build rows in another process; the result must not depend on which path ran."""
    from dtlab.services import demo

    def load(name: str) -> list[tuple[str, str, str, str]]:
        s = Store.open(fresh_database(tmp_path / name), "tester")
        s.init_site("GVA")
        generate(s, cases=120, seed=9, today=date(2026, 11, 1))
        with s.read() as session:
            rows = session.execute(select(Case.ref, Case.title, Case.country, Case.stage).order_by(Case.ref))
            result = [tuple(r) for r in rows]
            log = session.scalar(select(func.count()).select_from(ChangeLog))
        s.close()
        assert log and log > 120
        return result  # type: ignore[return-value]

    in_process = load("a.db")
    calls = []
    real = demo._from_process

    def spy(plan):  # type: ignore[no-untyped-def]
        calls.append(plan.cases)
        return real(plan)

    monkeypatch.setattr(demo, "PARALLEL_FROM", 1)
    monkeypatch.setattr(demo, "_from_process", spy)
    assert load("b.db") == in_process
    assert calls == [120]
