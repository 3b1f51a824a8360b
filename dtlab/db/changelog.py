"""The change log: every insert, update and soft delete of a synchronised row writes an entry in the
same transaction. Two write paths exist and both land here:

- the ORM path: a `before_flush` hook on `DtlabSession` turns pending changes into entries;
- the bulk path: `bulk_insert` writes rows and their entries with `executemany` (demo data, import).

A trigger per table (see `guards.py`) refuses a row whose `change_id` does not name an entry for
that very row, so a code path that forgets the log fails loudly instead of drifting out of sync.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, event, func, insert, inspect, select
from sqlalchemy.orm import Session as _SASession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from ..domain import clock as hlc
from ..domain.ids import new_id
from .models import ChangeLog, Synced

INFO_KEY = "dtlab.log"


class LogError(RuntimeError):
    """A write that cannot be logged (no site, no actor, a hard delete, an append-only update)."""


def to_json(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


@dataclass
class LogCursor:
    """Per-transaction allocation of log ids, sequence numbers and clock values.

    It reads the current maxima once, inside the write transaction (which holds SQLite's write
    lock from its first statement), so two processes can never draw the same numbers."""

    site_id: str
    actor: str
    next_id: int
    next_seq: int
    last_hlc: int

    @classmethod
    def open(cls, session: _SASession, site_id: str, actor: str) -> LogCursor:
        max_id, max_hlc = session.execute(
            select(func.coalesce(func.max(ChangeLog.id), 0), func.coalesce(func.max(ChangeLog.hlc), 0))
        ).one()
        max_seq: int = session.execute(
            select(func.coalesce(func.max(ChangeLog.seq), 0)).where(col(ChangeLog.origin) == site_id)
        ).scalar_one()
        return cls(site_id, actor, (max_id or 0) + 1, max_seq + 1, max_hlc or 0)

    def entry(
        self, table: str, row_id: str, op: str, changes: Mapping[str, Any], case_id: str | None, at: datetime
    ) -> dict[str, Any]:
        self.last_hlc = hlc.tick(self.last_hlc, hlc.wall_ms())
        row = {
            "id": self.next_id,
            "origin": self.site_id,
            "seq": self.next_seq,
            "hlc": self.last_hlc,
            "actor": self.actor,
            "at": at,
            "table_name": table,
            "row_id": row_id,
            "op": op,
            "case_id": case_id,
            "changes": dict(changes),
        }
        self.next_id += 1
        self.next_seq += 1
        return row


def begin_logging(session: _SASession, site_id: str, actor: str) -> None:
    """Mark a session as a logged write session for one site and actor."""
    if not site_id:
        raise LogError("this database has no site yet: run `dtlab init --site CODE`")
    session.info[INFO_KEY] = {"site_id": site_id, "actor": actor, "cursor": None}


def _cursor(session: _SASession) -> LogCursor:
    ctx = session.info.get(INFO_KEY)
    if ctx is None:
        raise LogError("a synchronised row was written outside a logged write session")
    if ctx["cursor"] is None:
        ctx["cursor"] = LogCursor.open(session, ctx["site_id"], ctx["actor"])
    return ctx["cursor"]


def _content_columns(model: type[Synced]) -> list[str]:
    return [c.key for c in inspect(model).column_attrs if c.key not in Synced.BOOKKEEPING]


def _table(model: type[Synced]) -> str:
    return str(model.__tablename__)


def _case_id(obj: Synced) -> str | None:
    key = obj.CASE_KEY
    return getattr(obj, key) if key else None


def _write_entry(session: _SASession, entry: dict[str, Any]) -> None:
    session.execute(insert(ChangeLog).values(**entry))


def _log_insert(session: _SASession, cursor: LogCursor, obj: Synced, now: datetime) -> None:
    if not obj.id:
        obj.id = new_id()
    obj.created_at = obj.created_at or now
    obj.updated_at = now
    obj.updated_by = cursor.actor
    changes = {
        key: [None, to_json(getattr(obj, key))]
        for key in _content_columns(type(obj))
        if getattr(obj, key) is not None
    }
    entry = cursor.entry(_table(type(obj)), obj.id, "insert", changes, _case_id(obj), now)
    _write_entry(session, entry)
    obj.change_id = entry["id"]


def _stored_values(session: _SASession, obj: Synced, keys: list[str]) -> dict[str, Any]:
    table = type(obj).__table__  # type: ignore[attr-defined]
    row = session.execute(select(*[table.c[k] for k in keys]).where(table.c.id == obj.id)).one()
    return dict(zip(keys, row, strict=True))


def _log_update(session: _SASession, cursor: LogCursor, obj: Synced, now: datetime) -> None:
    state = inspect(obj)
    changed: dict[str, tuple[Any, Any]] = {}
    unknown_base: list[str] = []
    for key in _content_columns(type(obj)):
        history = state.attrs[key].history
        if not history.added:
            continue
        new = history.added[0]
        if history.deleted:
            changed[key] = (history.deleted[0], new)
        else:
            unknown_base.append(key)
            changed[key] = (None, new)
    if unknown_base:
        # The attribute was set without being loaded first: read its stored value as the base.
        for key, base in _stored_values(session, obj, unknown_base).items():
            changed[key] = (base, changed[key][1])
    real = {k: (b, n) for k, (b, n) in changed.items() if to_json(b) != to_json(n)}
    if not real:
        # Values set to what they were: not a change. Clear the history so nothing is flushed.
        for key, (base, _new) in changed.items():
            set_committed_value(obj, key, base)
        return
    if obj.APPEND_ONLY:
        raise LogError(f"{_table(type(obj))} are append-only: a written record cannot be changed")
    op = "update"
    if "deleted_at" in real and real["deleted_at"][1] is not None:
        op = "delete"
    obj.updated_at = now
    obj.updated_by = cursor.actor
    changes = {k: [to_json(b), to_json(n)] for k, (b, n) in real.items()}
    entry = cursor.entry(_table(type(obj)), obj.id, op, changes, _case_id(obj), now)
    _write_entry(session, entry)
    obj.change_id = entry["id"]


@event.listens_for(Session, "before_flush")
def _before_flush(session: _SASession, _flush_context: Any, _instances: Any) -> None:
    synced_new = [o for o in session.new if isinstance(o, Synced)]
    synced_dirty = [o for o in session.dirty if isinstance(o, Synced) and session.is_modified(o)]
    synced_deleted = [o for o in session.deleted if isinstance(o, Synced)]
    if synced_deleted:
        raise LogError("synchronised rows are never deleted; set deleted_at (a tombstone) instead")
    if not synced_new and not synced_dirty:
        return
    cursor = _cursor(session)
    now = hlc.utc_now()
    for obj in synced_new:
        _log_insert(session, cursor, obj, now)
    for obj in synced_dirty:
        _log_update(session, cursor, obj, now)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _reset_cursor(session: _SASession) -> None:
    # Maxima read in one transaction are stale in the next.
    ctx = session.info.get(INFO_KEY)
    if ctx is not None:
        ctx["cursor"] = None


def _executemany(session: _SASession, table: Any, records: list[dict[str, Any]]) -> None:
    """INSERT many rows at the driver level, values converted by each column's own type.

    Going through the ORM or Core per-row parameter handling costs several times the insert
    itself; the column types' bind processors keep the stored form identical to ORM writes."""
    conn = session.connection()
    dialect = conn.dialect
    names = list(records[0])
    columns = [table.c[n] for n in names]
    processors = [c.type.bind_processor(dialect) for c in columns]
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    quoted = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
    sql = f"INSERT INTO {table.name} ({quoted}) VALUES ({', '.join([marker] * len(names))})"
    converting = [(i, p) for i, p in enumerate(processors) if p is not None]
    params = []
    for record in records:
        values = [record[n] for n in names]
        for i, process in converting:
            if values[i] is not None:
                values[i] = process(values[i])
        params.append(tuple(values))
    conn.exec_driver_sql(sql, params)  # type: ignore[arg-type]


def _is_temporal(sa_type: Any) -> bool:
    return isinstance(sa_type, (Date, DateTime)) or isinstance(getattr(sa_type, "impl", None), (Date, DateTime))


def bulk_insert(session: _SASession, model: type[Synced], rows: Iterable[dict[str, Any]]) -> int:
    """Insert many rows of one table with their change-log entries, two `executemany` calls.

    Each row is a dict of content columns (an `id` is made when missing; `created_at` and
    `updated_at` may be given); bookkeeping columns are filled here. Returns the rows written."""
    cursor = _cursor(session)
    now = hlc.utc_now()
    table_name = _table(model)
    columns = _content_columns(model)
    # Only date and time values need converting for JSON; checking the column once is cheaper.
    temporal = {c.key for c in inspect(model).column_attrs if c.key in columns and _is_temporal(c.columns[0].type)}
    case_key = model.CASE_KEY
    entries = []
    records = []
    for row in rows:
        record = {k: row.get(k) for k in columns}
        record["id"] = row_id = row.get("id") or new_id()
        changes = {k: [None, v.isoformat() if k in temporal else v]
                   for k, v in record.items() if v is not None and k != "id"}
        at = row.get("created_at") or now
        case_id = row_id if case_key == "id" else (record.get(case_key) if case_key else None)
        entry = cursor.entry(table_name, row_id, "insert", changes, case_id, at)
        record["created_at"] = at
        record["updated_at"] = row.get("updated_at") or at
        record["updated_by"] = cursor.actor
        record["change_id"] = entry["id"]
        entries.append(entry)
        records.append(record)
    if records:
        _executemany(session, ChangeLog.__table__, entries)  # type: ignore[attr-defined]
        _executemany(session, model.__table__, records)  # type: ignore[attr-defined]
    return len(records)
