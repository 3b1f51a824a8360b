"""Database-side guards that make the change log impossible to bypass.

SQLite triggers refuse a synchronised row whose `change_id` does not name a change-log entry for
that row, the reuse of an entry on update, hard deletes, updates of append-only records, and any
edit of the log itself. The DDL is built here, once per dialect, and run by the migrations."""

from __future__ import annotations

from dtlab.db.models import SYNCED_MODELS

_NO_ENTRY = (
    "NOT EXISTS (SELECT 1 FROM change_log WHERE change_log.id = NEW.change_id "
    "AND change_log.row_id = NEW.id AND change_log.table_name = '{table}')"
)


def _sqlite_table_guards(table: str, append_only: bool) -> list[str]:
    no_entry = _NO_ENTRY.format(table=table)
    stmts = [
        # An insert over an existing id is INSERT OR REPLACE, which deletes the old row without
        # firing delete triggers: refuse it here, while the old row is still visible.
        f"CREATE TRIGGER IF NOT EXISTS guard_{table}_insert BEFORE INSERT ON {table} "
        f"WHEN {no_entry} OR EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id) "
        f"BEGIN SELECT RAISE(ABORT, 'dtlab: {table} row written without a change-log entry of its own'); END",
        f"CREATE TRIGGER IF NOT EXISTS guard_{table}_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'dtlab: {table} rows are never deleted; use a tombstone'); END",
    ]
    if append_only:
        stmts.append(
            f"CREATE TRIGGER IF NOT EXISTS guard_{table}_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'dtlab: {table} are append-only'); END"
        )
    else:
        stmts.append(
            f"CREATE TRIGGER IF NOT EXISTS guard_{table}_update BEFORE UPDATE ON {table} "
            # Entries are numbered in the order they are written: an update must name an entry
            # newer than the one that wrote the row, so an old entry cannot be replayed.
            f"WHEN NEW.change_id IS NULL OR NEW.change_id <= OLD.change_id OR {no_entry} "
            f"BEGIN SELECT RAISE(ABORT, 'dtlab: {table} row changed without a change-log entry'); END"
        )
    return stmts


def _sqlite_log_guards() -> list[str]:
    return [
        "CREATE TRIGGER IF NOT EXISTS guard_change_log_update BEFORE UPDATE ON change_log "
        "BEGIN SELECT RAISE(ABORT, 'dtlab: the change log is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS guard_change_log_delete BEFORE DELETE ON change_log "
        "BEGIN SELECT RAISE(ABORT, 'dtlab: the change log is append-only'); END",
    ]


def current_tables() -> dict[str, bool]:
    """Synchronised tables of the current models, each with whether it is append-only."""
    return {m.__tablename__: m.APPEND_ONLY for m in SYNCED_MODELS}  # type: ignore[misc]


def guard_ddl(dialect: str, tables: dict[str, bool]) -> list[str]:
    """The statements that install the guards for these tables (name → append-only).

    Migrations pass the table list as it was at their revision, never `current_tables()`."""
    if dialect != "sqlite":
        raise NotImplementedError(f"change-log guards are not written for {dialect} yet")
    stmts = _sqlite_log_guards()
    for table, append_only in tables.items():
        stmts += _sqlite_table_guards(table, append_only)
    return stmts


def drop_guard_ddl(dialect: str, tables: dict[str, bool]) -> list[str]:
    if dialect != "sqlite":
        raise NotImplementedError(f"change-log guards are not written for {dialect} yet")
    names = ["guard_change_log_update", "guard_change_log_delete"]
    for table in tables:
        names += [f"guard_{table}_{op}" for op in ("insert", "update", "delete")]
    return [f"DROP TRIGGER IF EXISTS {n}" for n in names]
