"""HQ is one site for all its staff (issue 17, point 5 and its "done when"): two staff on two
data directories share one HQ database and, through a key directory an administrator deploys,
HQ's keys. Both import, edit and export; a laptop takes HQ's bundles from either; a bundle sealed
to HQ opens for both; nobody's dtlab makes a second HQ key. Run with HQ on SQLite and on
PostgreSQL: the end state is the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dtlab.db.cases import case_detail, list_cases
from dtlab.db.store import Store
from dtlab.services.cases import add_note, create_case, update_case
from dtlab.sync.exchange import export_file, import_file
from dtlab.sync.keys import KeyProblem, key_path
from dtlab.sync.own_keys import identity, signing_key
from dtlab.sync.trust import set_recipient, trust
from tests.helpers.sites import Sealing

pytestmark = [pytest.mark.functional, pytest.mark.both_databases]


class Staff:
    """One HQ staff member: a connection to HQ's database as themselves, and their own data
    directory, made current (with the key directory they use) while they act."""

    def __init__(self, target: str, name: str, home: Path, monkeypatch: pytest.MonkeyPatch):
        self.store = Store.open(target, name)
        self.home, self.monkeypatch, self.key_dir = home, monkeypatch, ""

    def acting(self) -> Store:
        self.monkeypatch.setenv("XDG_DATA_HOME", str(self.home))
        if self.key_dir:
            self.monkeypatch.setenv("DTLAB_KEY_DIR", self.key_dir)
        else:
            self.monkeypatch.delenv("DTLAB_KEY_DIR", raising=False)
        return self.store


@pytest.fixture
def hq_target(database_kind: str, tmp_path: Path) -> Iterator[str]:
    if database_kind == "sqlite":
        from tests.helpers.database import fresh_database

        yield str(fresh_database(tmp_path / "hq.db"))
        return
    from tests.helpers.postgres import drop_database, fresh_pg_database

    url, name = fresh_pg_database()
    yield url
    drop_database(name)


def summary(store: Store) -> list[tuple[object, ...]]:
    """What a person reads of each case, without the ids each run draws anew."""
    with store.read() as s:
        rows = []
        for r in list_cases(s, sort="title"):
            d = case_detail(s, r["ref"])
            rows.append((d["ref"], d["title"], d["purpose"], tuple(n["body"] for n in d["notes"])))
        return rows


def test_two_hq_staff_share_hq_and_its_keys(hq_target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared_keys = tmp_path / "hq-keys"  # the directory the administrator deploys
    amina = Staff(hq_target, "amina", tmp_path / "amina", monkeypatch)
    bob = Staff(hq_target, "bob", tmp_path / "bob", monkeypatch)
    amina.key_dir = str(shared_keys)
    amina.acting().init_site("HQ")
    hq_key, hq_identity = signing_key(amina.store), identity(amina.store)  # made once, for the site
    assert key_path(amina.store.require_site().id).parent == shared_keys

    # bob, before the administrator gives him HQ's keys: refused, and no second key is made.
    with pytest.raises(KeyProblem, match="never makes a second key"):
        signing_key(bob.acting())
    with pytest.raises(KeyProblem, match="never makes a second key"):
        export_file(bob.store, tmp_path / "refused.dtlab", "NBO")
    assert not (tmp_path / "bob").exists() and not (tmp_path / "refused.dtlab").exists()
    bob.key_dir = str(shared_keys)
    assert signing_key(bob.acting()).id == hq_key.id

    # A laptop that knows HQ's keys, and HQ (through amina) knowing the laptop's.
    def on_laptop() -> None:
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "laptop"))
        monkeypatch.delenv("DTLAB_KEY_DIR", raising=False)

    on_laptop()
    laptop = Sealing(tmp_path, "NBO", "diego")
    with laptop.store.write() as s:
        trust(s, hq_key.public, "HQ")
        set_recipient(s, str(hq_identity.to_public()), "HQ")
    with amina.acting().write() as s:
        trust(s, laptop.key.public, "NBO")
        set_recipient(s, str(laptop.identity.to_public()), "NBO")

    # Two sealed bundles from the laptop: one opened by each staff member.
    on_laptop()
    first = create_case(laptop.store, {"title": "Kenya hub", "country": "KE"})
    sealed_one = laptop.seal_for("HQ")
    assert import_file(amina.acting(), sealed_one, hq_site="HQ").applied > 0
    on_laptop()
    second = create_case(laptop.store, {"title": "Nairobi lab", "country": "KE"})
    sealed_two = laptop.seal_for("HQ")
    assert import_file(bob.acting(), sealed_two, hq_site="HQ").applied > 0

    # Both edit (different fields of one case merge) and both export back to the laptop.
    update_case(amina.acting(), first, {"purpose": "Skills for SMEs"})
    add_note(bob.acting(), first, "Met the ministry")
    update_case(bob.store, second, {"purpose": "Research"})
    own = create_case(bob.store, {"title": "Geneva desk", "country": "CH"})
    for staff in (amina, bob):
        bundle = export_file_of(staff, tmp_path / f"from-{staff.store.actor}.dtlab")
        on_laptop()
        laptop.take(bundle)  # sealed to the laptop, signed by HQ's one key

    assert summary(laptop.store) == summary(amina.store) == [
        (own, "Geneva desk", None, ()),
        (first, "Kenya hub", "Skills for SMEs", ("Met the ministry",)),
        (second, "Nairobi lab", "Research", ()),
    ]
    assert (own, first, second) == ("HQ-2026-0001", "NBO-2026-0001", "NBO-2026-0002")
    assert len(list(shared_keys.iterdir())) == 2  # one signing key, one age identity: the site's
    for staff in (amina, bob):
        staff.store.close()
    laptop.drop()


def export_file_of(staff: Staff, path: Path) -> Path:
    export_file(staff.acting(), path, "NBO", sealed=True)
    return path
