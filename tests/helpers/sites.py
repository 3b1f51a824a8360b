"""Sites that exchange bundles, each with its own database and keys, for the sync tests: a
`Site` signs, a `Sealing` site also encrypts to the sites it knows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from dtlab.db.models import SYNCED_MODELS, Synced
from dtlab.db.store import Store
from dtlab.sync.bundle import Rejected
from dtlab.sync.exchange import export_file, import_file
from dtlab.sync.own_keys import identity, signing_key
from dtlab.sync.trust import set_recipient, trust
from tests.helpers.database import fresh_database


class Site:
    """A site with a database of its own: a SQLite file in `tmp`, or (`database="postgresql"`)
    a database on the test server, dropped by `drop` (the `sites` fixture's teardown calls it)."""

    def __init__(self, tmp: Path, code: str, actor: str, database: str = "sqlite"):
        self.code = code
        self.pg_name: str | None = None
        if database == "postgresql":
            from tests.helpers.postgres import fresh_pg_database

            target, self.pg_name = fresh_pg_database()
        else:
            target = str(fresh_database(tmp / f"{code}.db"))
        self.target = target
        self.store = Store.open(target, actor)
        self.store.init_site(code)
        self.key = signing_key(self.store)
        self.tmp = tmp
        self.sent = 0

    def copy_database(self, suffix: str) -> str:
        """A copy of this site's database as it stands (its store's connections closed first):
        a file beside it, or a database cloned from it on the server. Returns its target."""
        self.store.engine.dispose()
        if self.pg_name is None:
            copy = self.tmp / f"{self.code}-{suffix}.db"
            copy.write_bytes(Path(self.target).read_bytes())
            return str(copy)
        from tests.helpers.postgres import clone_database

        return clone_database(self.pg_name)

    def drop(self) -> None:
        """Close the store, and drop a PostgreSQL database."""
        self.store.close()
        if self.pg_name is not None:
            from tests.helpers.postgres import drop_database

            drop_database(self.pg_name)
            self.pg_name = None

    def trusts(self, *others: Site) -> None:
        with self.store.write() as s:
            for other in others:
                trust(s, other.key.public, other.code)

    def export(self, to: str = "HQ", full: bool = False) -> Path:
        self.sent += 1
        path = self.tmp / f"{self.code}-{self.sent}.dtlab"
        export_file(self.store, path, to, full)
        return path

    def take(self, path: Path) -> Any:
        return import_file(self.store, path, hq_site="HQ")

    def state(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every synchronised row's content (its id, fields and tombstone), without the
        bookkeeping of who last wrote it where."""
        out = {}
        with self.store.read() as s:
            for model in SYNCED_MODELS:
                table = model.__table__  # type: ignore[attr-defined]
                cols = [c for c in table.c if c.name == "id" or c.name not in Synced.BOOKKEEPING]
                out[table.name] = sorted(tuple(r) for r in s.execute(table.select().with_only_columns(*cols)))
        return out


class Sealing(Site):
    def __init__(self, tmp: Path, code: str, actor: str, database: str = "sqlite"):
        super().__init__(tmp, code, actor, database)
        self.identity = identity(self.store)

    def knows(self, *others: Sealing) -> None:
        """Trust each other site's signing key and learn its age key, as `keys trust` does with
        the two lines `keys show` prints."""
        self.trusts(*others)
        with self.store.write() as s:
            for other in others:
                set_recipient(s, str(other.identity.to_public()), other.code)

    def seal_for(self, to: str = "HQ") -> Path:
        self.sent += 1
        path = self.tmp / f"{self.code}-{self.sent}.sealed.dtlab"
        export_file(self.store, path, to, sealed=True)
        return path


def refused(hq: Site, bundle: Path, reason: str) -> None:
    """The bundle is rejected for `reason` and the receiving site's state is as it was."""
    before = hq.state()
    with pytest.raises(Rejected, match=reason):
        hq.take(bundle)
    assert hq.state() == before


@contextmanager
def hq_with_laptops(tmp: Path, database: str, *laptops: tuple[str, str]) -> Iterator[tuple[Site, ...]]:
    """HQ on `database` and laptops (code, actor) on SQLite, as the design has them: each laptop
    trusts HQ and HQ trusts each. All dropped after."""
    hq = Site(tmp, "HQ", "hq", database)
    others = [Site(tmp, code, actor) for code, actor in laptops]
    hq.trusts(*others)
    for laptop in others:
        laptop.trusts(hq)
    try:
        yield (hq, *others)
    finally:
        for site in (hq, *others):
            site.drop()
