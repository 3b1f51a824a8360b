"""Schema migrations: upgrade without loss, a backup first, and a refusal of newer schemas."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dtlab.db import migrate
from dtlab.db.cases import list_cases
from dtlab.db.engine import make_engine
from dtlab.db.history import case_history
from dtlab.db.listing import CaseFilter
from dtlab.db.store import Store, StoreError
from tests.helpers.database import make_at_previous_revision

pytestmark = pytest.mark.functional


def test_schema_head_constant_matches_alembic() -> None:
    revisions = migrate.known_revisions()
    assert revisions[0] == migrate.SCHEMA_HEAD  # walk_revisions starts at the head


def test_fresh_database_is_at_head_without_backup(db_path: Path) -> None:
    Store.open(db_path, "tester").close()
    assert migrate.current_revision(make_engine(f"sqlite:///{db_path}")) == migrate.SCHEMA_HEAD
    assert not list(db_path.parent.glob("*.backup-*"))


def test_previous_revision_upgrades_without_loss(db_path: Path) -> None:
    ref = make_at_previous_revision(db_path)
    store = Store.open(db_path, "tester")
    try:
        with store.read() as s:
            history = case_history(s, ref)
            found = [r["ref"] for r in list_cases(s, CaseFilter(search="sandbox"))]
            by_note = [r["ref"] for r in list_cases(s, CaseFilter(search="focal"))]
        assert [h.table for h in history] == ["organisations", "cases", "notes"]
        # Still searchable after the round trip.
        assert found == [ref] and by_note == [ref]
    finally:
        store.close()
    backups = list(db_path.parent.glob(f"{db_path.name}.backup-{migrate.known_revisions()[1]}-*"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("SELECT count(*) FROM cases").fetchone() == (1,)
    assert backups[0].stat().st_mode & 0o077 == 0


def test_newer_schema_is_refused_untouched(db_path: Path) -> None:
    Store.open(db_path, "tester").close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StoreError, match="written by a newer dtlab"):
        Store.open(db_path, "tester")
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("9999",)


def test_a_file_that_is_not_a_database(db_path: Path) -> None:
    db_path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a dtlab database or is damaged"):
        Store.open(db_path, "tester")


def test_downgrade_and_upgrade_round_trip(db_path: Path) -> None:
    from alembic import command

    def schema_objects() -> set[tuple[str, str]]:
        with sqlite3.connect(db_path) as conn:
            return set(conn.execute("SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'index')"))

    Store.open(db_path, "tester").close()
    fresh = schema_objects()
    engine = make_engine(f"sqlite:///{db_path}")
    cfg = migrate._alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, migrate.known_revisions()[1])
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine, db_path)
    assert migrate.current_revision(engine) == migrate.SCHEMA_HEAD
    # Every guard, lock and index is back, none lost by a table rebuild on the way down.
    assert schema_objects() == fresh


def test_a_sqlite_file_of_another_application_is_refused_untouched(db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    with pytest.raises(StoreError, match="not a dtlab database .*photos"):
        Store.open(db_path, "tester")
    with sqlite3.connect(db_path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert tables == ["photos"]


OPEN = "import sys; from dtlab.db.store import Store; Store.open(sys.argv[1], 'x').close()"


def test_several_processes_opening_a_new_file_at_once(tmp_path: Path) -> None:
    import subprocess
    import sys

    target = tmp_path / "new.db"
    procs = [subprocess.Popen([sys.executable, "-c", OPEN, str(target)], stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    assert migrate.current_revision(make_engine(f"sqlite:///{target}")) == migrate.SCHEMA_HEAD


def test_a_database_past_this_dtlabs_schema_is_newer_even_beside_a_stray_migration(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A stale build held the next version's migration file with this version's head: the
    database written by the next version read as "older", and `db upgrade` as up to date."""
    revisions = migrate.known_revisions()
    monkeypatch.setattr(migrate, "SCHEMA_HEAD", revisions[1])  # this dtlab: one before the files' head
    assert migrate.schema_state(revisions[0]) == "newer"
    assert migrate.schema_state(revisions[2]) == "older"
