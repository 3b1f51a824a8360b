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


def test_choices_are_read_again_when_reference_data_is_reloaded(store: Store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """On a shared database another user's newer dtlab may reload the reference data, which
    writes nothing to the change log: the choices follow it all the same."""
    import shutil

    from dtlab.db.reference import load_reference, seeds_dir

    with store.read() as s:
        first = form_choices(s)
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), seeds)
    types = seeds / "centre_types.toml"
    text = types.read_text(encoding="utf-8").replace("version = 1", "version = 2", 1)
    types.write_text(text.replace('short_en = "Technology', 'short_en = "Renamed Technology', 1), encoding="utf-8")
    with store.write() as s:
        assert load_reference(s, seeds) == ["centre_types.toml"]
    with store.read() as s:
        again = form_choices(s)
    assert again is not first
    assert any(name.startswith("Renamed") for _id, name in again.centre_types)
