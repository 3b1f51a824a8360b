"""Random work on three sites, exchanged in random orders, converges to one state."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dtlab.db.cases import CaseFilter, create_case, list_cases, update_case
from dtlab.db.store import Store
from dtlab.sync.keys import key_path

from .test_sync import Site

FIELDS = ("purpose", "assignee", "channel")
VALUES = {"purpose": ("A", "B", "C"), "assignee": ("amina", "diego", "li"), "channel": ("letter", "eoi")}

step = st.one_of(
    st.tuples(st.just("new"), st.sampled_from([0, 1, 2])),
    st.tuples(st.just("edit"), st.sampled_from([0, 1, 2]), st.integers(0, 5), st.sampled_from(FIELDS),
              st.integers(0, 2)),
    st.tuples(st.just("send"), st.sampled_from([(1, 0), (2, 0), (0, 1), (0, 2)])),
)


@pytest.fixture(scope="module")
def blank_sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Three initialised databases (HQ and two laptops, trusting each other as the design says)
    and their keys, made once in a data directory of their own and copied for each example."""
    root = tmp_path_factory.mktemp("blank")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(root / "data"))
        sites = [Site(root, "HQ", "hq"), Site(root, "NBO", "amina"), Site(root, "LIM", "diego")]
        sites[0].trusts(sites[1], sites[2])
        sites[1].trusts(sites[0])
        sites[2].trusts(sites[0])
        keys = key_path(sites[0].store.require_site().id).parent
        for s in sites:
            s.store.close()
    return root, keys


def clone(blank: Path, keys: Path, tmp: Path, code: str, actor: str) -> Site:
    shutil.copy(blank / f"{code}.db", tmp / f"{code}.db")
    mine = key_path("x").parent
    if not mine.exists():
        shutil.copytree(keys, mine)
    site = Site.__new__(Site)
    site.code, site.tmp, site.sent = code, tmp, 0
    site.store = Store.open(tmp / f"{code}.db", actor)
    from dtlab.sync.keys import site_key

    site.key = site_key(site.store.require_site().id)
    return site


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=3, max_size=14))
def test_any_exchange_order_converges(blank_sites: Any, tmp_path_factory: pytest.TempPathFactory,
                                      steps: list[tuple[Any, ...]]) -> None:
    blank, keys = blank_sites
    tmp = tmp_path_factory.mktemp("run")
    sites = [clone(blank, keys, tmp, "HQ", "hq"), clone(blank, keys, tmp, "NBO", "amina"),
             clone(blank, keys, tmp, "LIM", "diego")]
    try:
        for s in steps:
            if s[0] == "new":
                create_case(sites[s[1]].store, {"title": f"Case by {sites[s[1]].code}", "country": "KE"})
            elif s[0] == "edit":
                site = sites[s[1]]
                with site.store.read() as session:
                    refs = [r["ref"] for r in list_cases(session, CaseFilter())]
                if refs:
                    field = s[3]
                    values = VALUES[field]
                    update_case(site.store, refs[s[2] % len(refs)], {field: values[s[4] % len(values)]})
            else:
                sender, receiver = sites[s[1][0]], sites[s[1][1]]
                receiver.take(sender.export(receiver.code))
        # Everyone sends to HQ, then HQ to everyone: one state everywhere.
        for laptop in sites[1:]:
            sites[0].take(laptop.export("HQ"))
        for laptop in sites[1:]:
            laptop.take(sites[0].export(laptop.code))
        assert sites[1].state() == sites[0].state() == sites[2].state()
    finally:
        for site in sites:
            site.store.close()
