"""The forms' choices are read once and kept until the change log moves: a case screen opened
after a new organisation was recorded offers it."""

from __future__ import annotations

import pytest

from dtlab.db.queries import form_choices
from dtlab.db.store import Store
from dtlab.services.cases import create_case, update_case

pytestmark = pytest.mark.functional


def test_choices_are_kept_until_something_is_written(store: Store) -> None:
    ref = create_case(store, {"title": "Hub", "country": "KE"})
    with store.read() as s:
        first = form_choices(s)
    with store.read() as s:
        assert form_choices(s) is first  # nothing written since: the same read
    update_case(store, ref, {"applicant": "Kenya ICT Authority"})
    with store.read() as s:
        again = form_choices(s)
    assert again is not first and ("Kenya ICT Authority", "Kenya ICT Authority") in again.organisations
    assert again.countries == first.countries
