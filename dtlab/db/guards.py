"""Database-side guards that make the change log impossible to bypass.

Triggers refuse a synchronised row whose `change_id` does not name a change-log entry for that
row, the reuse of an entry on update, hard deletes, updates of append-only records, and any edit
of the log itself. Each guard is written here once, as a `Refusal`: a condition in SQL that every
database reads alike, on NEW and OLD. Each dialect turns refusals into its own trigger DDL
(`dialects.of(bind).create_refusals`), and the migrations run it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    """A trigger that refuses a row change with `message` when `when` holds (always when None).

    `when` is portable SQL on NEW and OLD (subqueries allowed); `message` starts with "dtlab:",
    which is how the change is told apart from other integrity errors. `if_missing` creates the
    trigger only when no trigger of that name exists (the migrations repeat the change log's own
    guards); without it the creation fails on an existing one."""

    name: str
    table: str
    event: str  # INSERT, UPDATE or DELETE
    when: str | None
    message: str
    if_missing: bool = True


# The guards' SQL and messages are the schema's (the migrations install them, the database raises
# them): never translated, hence each line's "i18n: not shown".
_NO_ENTRY = (
    "NOT EXISTS (SELECT 1 FROM change_log WHERE change_log.id = NEW.change_id "  # i18n: not shown (SQL)
    "AND change_log.row_id = NEW.id AND change_log.table_name = '{table}')"
)


def row_guards(tables: dict[str, bool]) -> list[Refusal]:
    """The guards of these synchronised tables (name → append-only), without the log's own."""
    out: list[Refusal] = []
    for table, append_only in tables.items():
        no_entry = _NO_ENTRY.format(table=table)
        out += [
            # An insert over an existing id is SQLite's INSERT OR REPLACE, which deletes the old row
            # without firing delete triggers: refuse it here, while the old row is still visible.
            Refusal(f"guard_{table}_insert", table, "INSERT",
                    f"{no_entry} OR EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id)",  # i18n: not shown (SQL)
                    f"dtlab: {table} row written without a change-log entry of its own"),  # i18n: not shown
            Refusal(f"guard_{table}_delete", table, "DELETE", None,
                    f"dtlab: {table} rows are never deleted; use a tombstone"),  # i18n: not shown
        ]
        if append_only:
            out.append(Refusal(f"guard_{table}_update", table, "UPDATE", None,
                               f"dtlab: {table} are append-only"))  # i18n: not shown
        else:
            # Entries are numbered in the order they are written: an update must name an entry
            # newer than the one that wrote the row, so an old entry cannot be replayed.
            replayed = "NEW.change_id IS NULL OR NEW.change_id <= OLD.change_id OR "  # i18n: not shown (SQL)
            out.append(Refusal(f"guard_{table}_update", table, "UPDATE", replayed + no_entry,
                               f"dtlab: {table} row changed without a change-log entry"))  # i18n: not shown
    return out


def log_guards() -> list[Refusal]:
    return [Refusal(f"guard_change_log_{event.lower()}", "change_log", event, None,
                    "dtlab: the change log is append-only")  # i18n: not shown
            for event in ("UPDATE", "DELETE")]


def guards(tables: dict[str, bool]) -> list[Refusal]:
    """The change log's guards and those of these tables: what a migration that adds
    synchronised tables installs (the log's own are kept if they exist already)."""
    return log_guards() + row_guards(tables)
