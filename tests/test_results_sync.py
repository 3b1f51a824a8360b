"""The results chain travels in bundles: a result's link up the chain and its WSIS lines made at
one site arrive at the others and merge field by field; a bundle whose result links where no
local save could (to a result of the wrong level, to another case's result, to an unknown WSIS
line) is refused with one reason and nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from dtlab.db.cases import get_case
from dtlab.db.models import Case, Result
from dtlab.db.plans import case_plan
from dtlab.domain.ids import new_id
from dtlab.services.cases import create_case
from dtlab.services.results import save_result
from dtlab.sync.conflicts import open_conflicts
from tests.helpers.cases import planned_centre
from tests.helpers.forge import Forger
from tests.helpers.sites import Site, hq_with_laptops, refused


@pytest.fixture
def sites(tmp_path: Path, database_kind: str) -> Iterator[tuple[Site, ...]]:
    """HQ (on each database in turn) and two laptops."""
    with hq_with_laptops(tmp_path, database_kind, ("NBO", "amina"), ("LIM", "diego")) as three:
        yield three


def chain(site: Site, ref: str) -> list[dict[str, Any]]:
    with site.store.read() as s:
        from datetime import date

        return case_plan(s, get_case(s, ref), date(2026, 6, 1))["results"]


@pytest.mark.functional
@pytest.mark.both_databases
def test_a_chain_made_at_one_site_arrives_at_the_others(sites: tuple[Site, Site, Site]) -> None:
    hq, nairobi, lima = sites
    ref = planned_centre(nairobi.store)
    outcome = next(r for r in chain(nairobi, ref) if r["level"] == "outcome")
    impact = save_result(nairobi.store, ref, None, "impact", "Digital divide reduced", sdgs="9 17", wsis="C2 C7")
    save_result(nairobi.store, ref, outcome["id"], "outcome", outcome["title"], parent=impact)
    hq.take(nairobi.export())
    lima.take(hq.export("LIM"))
    for site in (hq, lima):
        got = chain(site, ref)
        at = next(n for n, r in enumerate(got) if r["id"] == impact)
        assert [(r["level"], r["depth"]) for r in got[at:at + 2]] == [("impact", 0), ("outcome", 1)]
        assert got[at]["wsis"] == ["C2", "C7"] and got[at + 1]["parent_id"] == impact
    # Field by field: Lima relinks the WSIS lines while HQ renames the impact; no conflict.
    save_result(lima.store, ref, impact, "impact", "Digital divide reduced", sdgs="9 17", wsis="C2 C7 C11")
    save_result(hq.store, ref, impact, "impact", "Digital divide reduced in the Andes", sdgs="9 17", wsis="C2 C7")
    hq.take(lima.export())
    nairobi.take(hq.export("NBO"))
    for site in (hq, nairobi):
        top = next(r for r in chain(site, ref) if r["id"] == impact)
        assert (top["title"], top["wsis"]) == ("Digital divide reduced in the Andes", ["C2", "C7", "C11"])
    with hq.store.read() as s:
        assert not open_conflicts(s)


@pytest.mark.functional
def test_a_concurrent_level_change_merges_and_the_link_shows_broken(sites: tuple[Site, Site, Site]) -> None:
    """HQ turns an outcome into an impact while the laptop links an output to it: neither site
    could have known, so the bundle is taken and the chain says the link leads nowhere."""
    hq, nairobi, _lima = sites
    ref = planned_centre(nairobi.store)
    hq.take(nairobi.export())
    results = chain(hq, ref)
    outcome = next(r for r in results if r["level"] == "outcome")
    output = next(r for r in results if r["level"] == "output" and r["parent_id"] != outcome["id"])
    for below in (r for r in results if r["parent_id"] == outcome["id"]):  # HQ unlinks the template's output first
        save_result(hq.store, ref, below["id"], "output", below["title"], parent="")
    save_result(hq.store, ref, outcome["id"], "impact", outcome["title"], parent="")
    save_result(nairobi.store, ref, output["id"], "output", output["title"], parent=outcome["id"])
    hq.take(nairobi.export())
    linked = next(r for r in chain(hq, ref) if r["id"] == output["id"])
    assert linked["broken"] and linked["depth"] == 0


# --- refused bundles ------------------------------------------------------------------------------


@pytest.fixture
def pair(trusting: tuple[Site, Site]) -> tuple[Site, Site]:
    return trusting


def _result(f: Forger, case_id: str, **values: Any) -> str:
    row_id = new_id()
    f.add("results", row_id, "insert", {k: [None, v] for k, v in {"case_id": case_id, "title": "Result",
                                                                   **values}.items()}, case_id)
    return row_id


def _case_ids(field: Site) -> list[str]:
    with field.store.read() as s:
        return [c.id for c in s.scalars(select(Case).order_by(Case.ref))]


@pytest.mark.functional
def test_an_output_whose_parent_is_an_output_is_refused(pair: tuple[Site, Site], tmp_path: Path) -> None:
    hq, field = pair
    case_id = _case_ids(field)[0]
    f = Forger(field)
    first = _result(f, case_id, level="output")
    _result(f, case_id, level="output", parent_id=first)
    refused(hq, f.bundle(tmp_path / "bad.dtlab"), "an output links up to an outcome, not to an output")


@pytest.mark.functional
def test_a_parent_in_another_case_is_refused(pair: tuple[Site, Site], tmp_path: Path) -> None:
    hq, field = pair
    create_case(field.store, {"title": "Second case", "country": "KE"})
    first_case, second_case = _case_ids(field)
    f = Forger(field)
    elsewhere = _result(f, second_case, level="outcome")
    _result(f, first_case, level="output", parent_id=elsewhere)
    refused(hq, f.bundle(tmp_path / "bad.dtlab"), "links up only to a result of the same centre's plan")


@pytest.mark.functional
def test_an_unknown_wsis_line_is_refused(pair: tuple[Site, Site], tmp_path: Path) -> None:
    hq, field = pair
    f = Forger(field)
    _result(f, _case_ids(field)[0], level="impact", wsis="C7 C99")
    refused(hq, f.bundle(tmp_path / "bad.dtlab"), "wsis: 'C99' is not a WSIS action line")


@pytest.mark.functional
def test_a_level_change_that_strands_its_children_is_refused(pair: tuple[Site, Site], tmp_path: Path) -> None:
    hq, field = pair
    case_id = _case_ids(field)[0]
    f = Forger(field)
    outcome = _result(f, case_id, level="outcome")
    _result(f, case_id, level="output", parent_id=outcome)
    f.add("results", outcome, "update", {"level": ["outcome", "impact"]}, case_id)
    refused(hq, f.bundle(tmp_path / "bad.dtlab"), "it becomes an impact, but results of level output link up")


@pytest.mark.functional
def test_a_parent_not_held_is_refused_and_a_good_chain_is_taken(pair: tuple[Site, Site], tmp_path: Path) -> None:
    hq, field = pair
    case_id = _case_ids(field)[0]
    f = Forger(field)
    _result(f, case_id, level="output", parent_id=new_id())
    refused(hq, f.bundle(tmp_path / "bad.dtlab"), "that is not held here")
    good = Forger(field)
    impact = _result(good, case_id, level="impact", wsis="C1")
    outcome = _result(good, case_id, level="outcome", parent_id=impact)
    _result(good, case_id, level="output", parent_id=outcome)
    assert hq.take(good.bundle(tmp_path / "good.dtlab")).applied > 0
    with hq.store.read() as s:
        assert s.get(Result, outcome).parent_id == impact  # type: ignore[union-attr]
