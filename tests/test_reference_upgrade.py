"""A database of an older dtlab, upgraded, has its reference data in the six languages and its
cases' index their countries' names in each."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from dtlab.db.cases import list_cases
from dtlab.db.listing import CaseFilter
from dtlab.db.models import Goal
from dtlab.db.store import Store
from tests.helpers.database import make_at_previous_revision

pytestmark = pytest.mark.functional


def test_an_older_database_finds_cases_by_any_name_once_upgraded(db_path: Path) -> None:
    ref = make_at_previous_revision(db_path)
    store = Store.open(db_path, "tester")
    try:
        with store.read() as s:
            assert [r["ref"] for r in list_cases(s, CaseFilter(search="Кения"))] == [ref]
            goal = s.scalars(select(Goal).where(Goal.id == "policy")).one()
            assert goal.localized("name", "ar") == "التجريب في مجال السياسات"
    finally:
        store.close()
