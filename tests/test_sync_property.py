"""Random work on three sites (new cases, edits, a shared centre's milestones edited and
removed), exchanged in random orders, converges to one state: with HQ on SQLite, and with HQ on
PostgreSQL beside two SQLite laptops."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dtlab.db.cases import get_case, list_cases
from dtlab.db.listing import CaseFilter
from dtlab.db.plans import case_plan
from dtlab.db.store import Store
from dtlab.domain.stages import Stage
from dtlab.services.cases import create_case, update_case
from dtlab.services.plans import instantiate_plan, remove_plan_item, save_milestone
from dtlab.sync.keys import key_path
from tests.helpers.cases import walk_to
from tests.helpers.sites import Site

pytestmark = pytest.mark.functional

FIELDS = ("purpose", "assignee", "channel")
VALUES = {"purpose": ("A", "B", "C"), "assignee": ("amina", "diego", "li"), "channel": ("letter", "eoi")}

edit = st.tuples(st.just("edit"), st.sampled_from([0, 1, 2]), st.just(0), st.sampled_from(FIELDS),
                 st.integers(0, 2))
step = st.one_of(
    # Edits of the shared case come three times as often as anything else: concurrent edits of
    # one field are what a wrong merge gets wrong.
    edit, edit, edit,
    st.tuples(st.just("new"), st.sampled_from([0, 1, 2])),
    st.tuples(st.just("send"), st.sampled_from([(1, 0), (2, 0), (0, 1), (0, 2)])),
    # The shared centre's milestones: edited on one site, removed (a tombstone) on another.
    st.tuples(st.just("owner"), st.sampled_from([0, 1, 2]), st.integers(0, 2), st.sampled_from(["Ana", "Ben"])),
    st.tuples(st.just("remove"), st.sampled_from([0, 1, 2]), st.integers(0, 2)),
)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def blank_sites(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, str | None]]:
    """Three initialised databases (HQ and two laptops, trusting each other as the design says)
    and their keys, made once in a data directory of their own and copied for each example. HQ
    is on SQLite, or on PostgreSQL (a database each example clones; its name is the third item)."""
    hq_kind = request.param
    if hq_kind == "postgresql":
        from tests.helpers.postgres import server_url

        server_url()  # skipped (or failed, where CI requires it) without a server
    root = tmp_path_factory.mktemp("blank")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(root / "data"))
        sites = [Site(root, "HQ", "hq", hq_kind), Site(root, "NBO", "amina"), Site(root, "LIM", "diego")]
        sites[0].trusts(sites[1], sites[2])
        sites[1].trusts(sites[0])
        sites[2].trusts(sites[0])
        # Every site starts with one centre and its plan from HQ.
        ref = create_case(sites[0].store, {"title": "Shared centre", "country": "KE"})
        walk_to(sites[0].store, ref, Stage.IMPLEMENTATION)
        instantiate_plan(sites[0].store, ref)
        for laptop in sites[1:]:
            laptop.take(sites[0].export(laptop.code))
        keys = key_path(sites[0].store.require_site().id).parent
        for s in sites:
            s.store.close()
    yield root, keys, sites[0].pg_name
    sites[0].drop()


def clone(blank: Path, keys: Path, tmp: Path, code: str, actor: str, pg_name: str | None = None) -> Site:
    """A copy of a blank site: its file, or a database cloned from its PostgreSQL one."""
    if pg_name is None:
        shutil.copy(blank / f"{code}.db", tmp / f"{code}.db")
        target = str(tmp / f"{code}.db")
    else:
        from tests.helpers.postgres import clone_database

        target = clone_database(pg_name)
    mine = key_path("x").parent
    if not mine.exists():
        shutil.copytree(keys, mine)
    site = Site.__new__(Site)
    site.code, site.tmp, site.sent, site.target = code, tmp, 0, target
    site.pg_name = None if pg_name is None else target.rsplit("/", 1)[1]
    site.store = Store.open(target, actor)
    from dtlab.sync.own_keys import signing_key

    site.key = signing_key(site.store)
    return site


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=3, max_size=14), last=st.permutations([1, 2]),
       clash=st.tuples(st.sampled_from(FIELDS), st.integers(0, 2), st.integers(0, 2), st.integers(0, 14)))
def test_any_exchange_order_converges(blank_sites: Any, tmp_path_factory: pytest.TempPathFactory,
                                      steps: list[tuple[Any, ...]], last: list[int],
                                      clash: tuple[str, int, int, int]) -> None:
    # Every example has the two laptops edit one field somewhere in it, so that most examples
    # hold edits made without seeing each other (whatever the sends around them).
    field, one, other, at = clash
    steps = [*steps[:at], ("edit", 1, 0, field, one), ("edit", 2, 0, field, other), *steps[at:]]
    blank, keys, hq_database = blank_sites
    tmp = tmp_path_factory.mktemp("run")
    sites = [clone(blank, keys, tmp, "HQ", "hq", hq_database), clone(blank, keys, tmp, "NBO", "amina"),
             clone(blank, keys, tmp, "LIM", "diego")]
    try:
        for s in steps:
            if s[0] == "new":
                create_case(sites[s[1]].store, {"title": f"Case by {sites[s[1]].code}", "country": "KE"})
            elif s[0] == "edit":
                # Always the shared centre's case, which every site holds: edits made without
                # seeing each other are the point.
                site = sites[s[1]]
                with site.store.read() as session:
                    shared = list_cases(session, CaseFilter(search="Shared centre"))[0]["ref"]
                values = VALUES[s[3]]
                update_case(site.store, shared, {s[3]: values[s[4] % len(values)]})
            elif s[0] in ("owner", "remove"):
                site = sites[s[1]]
                with site.store.read() as session:
                    case = list_cases(session, CaseFilter(search="Shared centre"))[0]["ref"]
                    plan = case_plan(session, get_case(session, case), date(2026, 1, 1))
                if plan["milestones"]:
                    m = plan["milestones"][s[2] % len(plan["milestones"])]
                    if s[0] == "owner":
                        save_milestone(site.store, case, m["id"], m["title"], m["rule"], s[3], m["status"])
                    else:
                        remove_plan_item(site.store, case, "milestone", m["id"])
            else:
                sender, receiver = sites[s[1][0]], sites[s[1][1]]
                receiver.take(sender.export(receiver.code))
        # Everyone sends to HQ, in either order, then HQ to everyone: one state everywhere.
        for i in last:
            sites[0].take(sites[i].export("HQ"))
        for i in last:
            sites[i].take(sites[0].export(sites[i].code))
        assert sites[1].state() == sites[0].state() == sites[2].state()
    finally:
        for site in sites:
            site.drop()
