"""Bring a database to the schema this dtlab expects: Alembic migrations, run on open where the
database allows it (a file: yes; a shared server: only when asked, see `explicit`), with a backup
of a database file before any upgrade and a refusal to touch a newer schema."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

from dtlab.db import dialects
from dtlab.db.dialects import WRITE_OPTION
from dtlab.db.head import SCHEMA_HEAD
from dtlab.i18n import _

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


def _alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def known_revisions() -> list[str]:
    """The revisions up to this dtlab's schema: a migration file past SCHEMA_HEAD (a stale build
    mixing two versions) does not make a newer database look older."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    return [rev.revision for rev in script.iterate_revisions(SCHEMA_HEAD, "base")]


def schema_state(current: str | None) -> str:
    """Where a database at schema `current` stands against this dtlab's: "current", "none" (not
    a dtlab database yet), "older" or "newer" (written by a newer dtlab)."""
    if current == SCHEMA_HEAD:
        return "current"
    if current is None:
        return "none"
    return "older" if current in known_revisions() else "newer"


def _refuse_newer(current: str | None) -> None:
    if schema_state(current) == "newer":
        raise SchemaError(_("this database has schema {schema}, written by a newer dtlab; upgrade dtlab to open "
                            "it").format(schema=current))


def upgrade(engine: Engine, database_file: Path | None, target: str = "head", explicit: bool = False) -> Path | None:
    """Upgrade to `target`; return the backup made of `database_file`, if any. `explicit` is an
    upgrade someone asked for; otherwise it is the one run on open, which a shared database
    refuses (DESIGN.md section 4: a client never upgrades it on its own)."""
    current = current_revision(engine)
    if target == "head" and current == SCHEMA_HEAD:
        return None  # the common case, answered without a lock or importing Alembic
    kind = dialects.of(engine)
    if not explicit and not kind.UPGRADE_ON_OPEN:
        _refuse_newer(current)
        raise SchemaError(_("this database is at schema {schema}, and this dtlab needs {head}; a shared database is "
                            "upgraded only by its administrator: `dtlab db upgrade`, after a pg_dump "
                            "(docs/hq-postgresql.md)").format(schema=current or "none", head=SCHEMA_HEAD))
    from alembic import command

    cfg = _alembic_config(engine)
    # The write lock from the start: when several processes open a new file at once, one
    # migrates and the others wait, then find the work done.
    with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        current = _revision(conn)
        if target == "head" and current == SCHEMA_HEAD:
            return None
        _refuse_newer(current)
        if current is None:
            # (the database's own tables, such as SQLite's sqlite_sequence, are not listed)
            foreign = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
            if foreign:
                shown = ", ".join(sorted(foreign)[:5])
                raise SchemaError(_("this is not a dtlab database (it already has tables: {tables})").format(
                    tables=shown))
        backup = None
        if current is not None and database_file is not None and database_file.exists():
            backup = kind.backup_file(database_file, current)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
    return backup
