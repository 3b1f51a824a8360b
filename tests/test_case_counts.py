"""The counts the database keeps of its cases (db/case_counts.py) equal a count of the cases,
whatever writes them: a new case, a move, a country from another region, a case that arrives in
a bundle, a database upgraded from before the table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dtlab.db import case_counts
from dtlab.db.queries import dashboard
from dtlab.db.store import Store
from dtlab.domain.stages import MoveKind
from dtlab.errors import Invalid, NotFound
from dtlab.services.cases import create_case, move_case, update_case
from tests.helpers.database import fresh_database, make_at_previous_revision
from tests.helpers.sites import Site

pytestmark = [pytest.mark.unit, pytest.mark.both_databases]


# What the kept table must equal: the live cases counted.
RECOUNT = "SELECT stage, status, region, count(*) FROM cases WHERE deleted_at IS NULL GROUP BY stage, status, region"


def kept_and_counted(store: Store) -> tuple[Counter[tuple[str, str, str | None]], Counter[tuple[str, str, str | None]]]:
    with store.read() as s:
        kept = Counter({(a, b, c): n for a, b, c, n in s.execute(sa.text(case_counts.READ))})
        counted = Counter({(a, b, c): n for a, b, c, n in s.execute(sa.text(RECOUNT))})
    return kept, counted


# Countries of four regions.
COUNTRIES = ("KE", "FR", "BR", "JP")
ACTIONS = ("create", "advance", "back", "withdraw", "reopen", "country", "tombstone", "restore")
steps = st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 5), st.sampled_from(COUNTRIES)),
                 min_size=1, max_size=25)


def set_tombstone(store: Store, ref: str, gone: bool) -> None:
    """A case set aside or brought back, as a bundle's tombstone does: a logged write."""
    from sqlmodel import select

    from dtlab.db.models import Case
    from dtlab.domain.clock import utc_now

    with store.write() as session:
        case = session.scalars(select(Case).where(Case.ref == ref)).one()
        case.deleted_at = utc_now() if gone else None


@contextmanager
def fresh_store(kind: str, tmp: Path) -> Iterator[Store]:
    """A database of site GVA on `kind`, dropped (PostgreSQL) or left to its directory after."""
    name = None
    if kind == "postgresql":
        from tests.helpers.postgres import drop_database, fresh_pg_database

        target, name = fresh_pg_database()
    else:
        target = str(fresh_database(tmp / "c.db"))
    store = Store.open(target, "tester")
    try:
        store.init_site("GVA")
        yield store
    finally:
        store.close()
        if name is not None:
            drop_database(name)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_kept_counts_equal_the_cases_after_any_writes(tmp_path_factory: pytest.TempPathFactory, database_kind: str,
                                                      steps: list[tuple[str, int, str]]) -> None:
    refs: list[str] = []
    with fresh_store(database_kind, tmp_path_factory.mktemp("counts")) as store:
        for action, which, country in steps:
            if action == "create" or not refs:
                refs.append(create_case(store, {"title": f"Case {len(refs)}", "country": country}))
                continue
            ref = refs[which % len(refs)]
            try:
                if action == "country":
                    update_case(store, ref, {"country": country})
                elif action in ("tombstone", "restore"):
                    set_tombstone(store, ref, action == "tombstone")
                elif action in ("advance", "back"):
                    move_case(store, ref, MoveKind(action), reason="test", override=True)
                else:
                    move_case(store, ref, MoveKind(action), reason="test")
            except (Invalid, NotFound):
                pass  # a move the case's state refuses, or of a case set aside: nothing written
            kept, counted = kept_and_counted(store)
            assert kept == counted


def test_cases_that_arrive_in_a_bundle_are_counted(tmp_path: Path) -> None:
    hq, field = Site(tmp_path, "HQ", "hq"), Site(tmp_path, "NBO", "amina")
    try:
        hq.trusts(field)
        refs = [create_case(field.store, {"title": f"Field case {i}", "country": c})
                for i, c in enumerate(("KE", "KE", "FR"))]
        move_case(field.store, refs[0], MoveKind.WITHDRAW, reason="no funding")
        hq.take(field.export())
        kept, counted = kept_and_counted(hq.store)
        assert kept == counted and sum(kept.values()) == 3
        with hq.store.read() as s:
            figures = dashboard(s)
        assert figures.total == 3 and figures.ended == {"withdrawn": 1}
        assert figures.by_region == {"AFR": 1, "EUR": 1}  # the withdrawn case is not open
    finally:
        hq.store.close()
        field.store.close()


def test_an_upgrade_counts_the_cases_already_there(db_path: Path) -> None:
    make_at_previous_revision(db_path)
    store = Store.open(db_path, "tester")  # upgrades to head
    try:
        kept, counted = kept_and_counted(store)
        assert kept == counted and sum(kept.values()) == 1
    finally:
        store.close()
