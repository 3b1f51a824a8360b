"""Bring a database to the schema this dtlab expects: Alembic migrations, run on open, with a
backup of a SQLite file before any upgrade and a refusal to touch a newer schema."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

from dtlab.db.engine import WRITE_OPTION
from dtlab.db.head import SCHEMA_HEAD

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class SchemaError(RuntimeError):
    pass


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return _revision(conn)


def _revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def known_revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    return [rev.revision for rev in script.walk_revisions()]


def backup_sqlite(path: Path, revision: str) -> Path:
    """A consistent copy of the file (SQLite's online backup, so the WAL is included)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.backup-{revision}-{stamp}")
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    os.chmod(target, 0o600)
    return target


def upgrade(engine: Engine, sqlite_file: Path | None, target: str = "head") -> Path | None:
    """Upgrade to `target`; return the backup made, if any."""
    if target == "head" and current_revision(engine) == SCHEMA_HEAD:
        return None  # the common case, answered without a lock or importing Alembic
    from alembic import command

    cfg = _alembic_config(engine)
    # The write lock from the start: when several processes open a new file at once, one
    # migrates and the others wait, then find the work done.
    with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        current = _revision(conn)
        if target == "head" and current == SCHEMA_HEAD:
            return None
        if current is not None and current not in known_revisions():
            raise SchemaError(
                f"this database has schema {current}, written by a newer dtlab; upgrade dtlab to open it"
            )
        if current is None:
            foreign = [t for t in inspect(conn).get_table_names()
                       if not t.startswith("sqlite_") and t != "alembic_version"]
            if foreign:
                shown = ", ".join(sorted(foreign)[:5])
                raise SchemaError(f"this is not a dtlab database (it already has tables: {shown})")
        backup = None
        if current is not None and sqlite_file is not None and sqlite_file.exists():
            backup = backup_sqlite(sqlite_file, current)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
    return backup
