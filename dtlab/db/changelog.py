"""The change log: every insert, update and soft delete of a synchronised row writes an entry in the
same transaction. Two write paths exist and both land here:

- the ORM path: a `before_flush` hook on `engine.DtlabSession` turns pending changes into entries
  (`install_log_hooks`, called when an engine is made: sessions of other classes are not logged);
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

from sqlalchemy import Connection, Date, DateTime, event, func, insert, inspect, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session as _SASession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col

from dtlab.db import dialects
from dtlab.db.columns import compact_json, shape, storage
from dtlab.db.models import SYNCED_BY_TABLE, ChangeLog, Synced
from dtlab.domain import clock as hlc
from dtlab.domain.ids import new_id

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

    def reserve(self, n: int) -> tuple[int, int, int]:
        """The first log id, sequence number and clock value of a block of `n` entries.

        Clock values within the block are consecutive integers: when the counter overflows it
        carries into the milliseconds, exactly as `tick` would."""
        first_hlc = hlc.tick(self.last_hlc, hlc.wall_ms())
        first = (self.next_id, self.next_seq, first_hlc)
        self.next_id += n
        self.next_seq += n
        self.last_hlc = first_hlc + n - 1
        return first

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
        # Store.write asks for the site before it begins: a LogError is a bug, never a user's word.
        raise LogError("this database has no site yet: run `dtlab init --site CODE`")  # i18n: not shown (bug)
    session.info[INFO_KEY] = {"site_id": site_id, "actor": actor, "cursor": None}


def _cursor(session: _SASession) -> LogCursor:
    ctx = session.info.get(INFO_KEY)
    if ctx is None:
        raise LogError("a synchronised row was written outside a logged write session")  # i18n: not shown (bug)
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
        raise LogError(  # the services refuse such a change first: met here, it is a bug
            f"{_table(type(obj))} are append-only: a written record cannot be changed")  # i18n: not shown (bug)
    if obj.FIXED & real.keys():
        fixed = ", ".join(sorted(obj.FIXED & real.keys()))
        raise LogError(f"{_table(type(obj))} records keep the {fixed} they were written with")  # i18n: not shown (bug)
    op = "update"
    if "deleted_at" in real and real["deleted_at"][1] is not None:
        op = "delete"
    obj.updated_at = now
    obj.updated_by = cursor.actor
    changes = {k: [to_json(b), to_json(n)] for k, (b, n) in real.items()}
    entry = cursor.entry(_table(type(obj)), obj.id, op, changes, _case_id(obj), now)
    _write_entry(session, entry)
    obj.change_id = entry["id"]


def _before_flush(session: _SASession, _flush_context: Any, _instances: Any) -> None:
    synced_new = [o for o in session.new if isinstance(o, Synced)]
    synced_dirty = [o for o in session.dirty if isinstance(o, Synced) and session.is_modified(o)]
    synced_deleted = [o for o in session.deleted if isinstance(o, Synced)]
    if synced_deleted:
        raise LogError(  # no service deletes a row: met here, it is a bug
            "synchronised rows are never deleted; set deleted_at (a tombstone) instead")  # i18n: not shown (bug)
    if not synced_new and not synced_dirty:
        return
    cursor = _cursor(session)
    now = hlc.utc_now()
    for obj in synced_new:
        _log_insert(session, cursor, obj, now)
    for obj in synced_dirty:
        _log_update(session, cursor, obj, now)


def _reset_cursor(session: _SASession) -> None:
    # Maxima read in one transaction are stale in the next.
    ctx = session.info.get(INFO_KEY)
    if ctx is not None:
        ctx["cursor"] = None


def install_log_hooks(session_class: type[_SASession]) -> None:
    """Make every flush of a session of this class write the change log (once per class: calling
    again changes nothing). Registered on dtlab's own class, never on SQLAlchemy's or SQLModel's,
    so no other session in the process is touched."""
    if event.contains(session_class, "before_flush", _before_flush):
        return
    event.listen(session_class, "before_flush", _before_flush)
    event.listen(session_class, "after_commit", _reset_cursor)
    event.listen(session_class, "after_rollback", _reset_cursor)


def _is_temporal(sa_type: Any) -> bool:
    return isinstance(sa_type, (Date, DateTime)) or isinstance(getattr(sa_type, "impl", None), (Date, DateTime))


@dataclass
class PreparedRows:
    """Rows of one table made ready for the driver, with the change-log entries they need.

    Everything but the log's numbering is here: ids, sequence numbers, clock values, the actor and
    the origin are assigned by `write_prepared` inside the write transaction. Preparing needs no
    database, so it can run in another process (see services/demo.py)."""

    table: str
    columns: list[str]  # the driver-ready values of each record follow this order
    records: list[tuple[Any, ...]]
    row_ids: list[str]
    case_ids: list[str | None]
    ats: list[Any]  # each entry's time, already in the driver's form
    changes: list[str]  # each entry's field changes, already JSON text


def prepare_rows(model: type[Synced], rows: Iterable[dict[str, Any]], dialect: Dialect,
                 now: datetime | None = None) -> PreparedRows:
    """Each row is a dict of content columns (an `id` is made when missing; `created_at` and
    `updated_at` may be given). Values go through each column's own type, so the stored form is
    the one the ORM writes."""
    now = now or hlc.utc_now()
    table = model.__table__  # type: ignore[attr-defined]
    content = _content_columns(model)
    columns = ["id", *content, "created_at", "updated_at"]
    # The dialect's own implementation of each type: the generic DateTime has no bind processor,
    # and the driver's default adapter would store another text form than the ORM does.
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]
    converting = [(i, p) for i, p in enumerate(processors) if p is not None]
    at_type = ChangeLog.__table__.c["at"].type  # type: ignore[attr-defined]
    at_processor = at_type.dialect_impl(dialect).bind_processor(dialect)
    temporal = {name for name in content if _is_temporal(table.c[name].type)}
    case_key = model.CASE_KEY
    prepared = PreparedRows(_table(model), [*columns, "updated_by", "change_id"], [], [], [], [], [])
    for row in rows:
        row_id = row.get("id") or new_id()
        values = [row.get(name) for name in content]
        changes = {name: [None, v.isoformat() if name in temporal else v]
                   for name, v in zip(content, values, strict=True) if v is not None}
        at = row.get("created_at") or now
        record = [row_id, *values, at, row.get("updated_at") or at]
        for i, process in converting:
            if record[i] is not None:
                record[i] = process(record[i])
        prepared.records.append(tuple(record))
        prepared.row_ids.append(row_id)
        prepared.case_ids.append(row_id if case_key == "id" else (row.get(case_key) if case_key else None))
        prepared.ats.append(at_processor(at) if at_processor else at)
        prepared.changes.append(compact_json(changes))
    return prepared


def _insert_sql(dialect: Dialect, table: str, columns: list[str] | tuple[str, ...]) -> str:
    marker = dialects.of(dialect).BIND_MARKER
    quoted = ", ".join(dialect.identifier_preparer.quote(c) for c in columns)
    return f"INSERT INTO {table} ({quoted}) VALUES ({', '.join([marker] * len(columns))})"  # i18n: not shown (SQL)


LOG_COLUMNS = ["id", "origin", "seq", "hlc", "actor", "at", "table_name", "row_id", "op", "case_id", "changes"]


def write_prepared(session: _SASession, prepared: PreparedRows) -> int:
    """Number the entries from the transaction's log cursor and insert entries, then rows."""
    n = len(prepared.records)
    if not n:
        return 0
    cursor = _cursor(session)
    first_id, first_seq, first_hlc = cursor.reserve(n)
    origin, actor, table = cursor.site_id, cursor.actor, prepared.table
    entries = [
        (first_id + i, origin, first_seq + i, first_hlc + i, actor, prepared.ats[i], table, prepared.row_ids[i],
         "insert", prepared.case_ids[i], prepared.changes[i])
        for i in range(n)
    ]
    records = [(*record, actor, first_id + i) for i, record in enumerate(prepared.records)]
    conn = session.connection()
    conn.exec_driver_sql(_insert_sql(conn.dialect, "change_log", LOG_COLUMNS), entries)
    conn.exec_driver_sql(_insert_sql(conn.dialect, table, prepared.columns), records)
    return n


def bulk_insert(session: _SASession, model: type[Synced], rows: Iterable[dict[str, Any]]) -> int:
    """Insert many rows of one table with their change-log entries: two `executemany` calls."""
    return write_prepared(session, prepare_rows(model, rows, session.connection().dialect))


def held_ids(conn: Connection, table: str, ids: list[str]) -> set[str]:
    """Which of these ids the table holds (`table` is a synchronised table's name)."""
    kind = dialects.of(conn)
    marker, per = kind.BIND_MARKER, kind.BINDS_PER_STATEMENT
    found: set[str] = set()
    for start in range(0, len(ids), per):
        chunk = tuple(ids[start:start + per])
        sql = f"SELECT id FROM {table} WHERE id IN ({', '.join([marker] * len(chunk))})"  # i18n: not shown (SQL)
        found.update(row[0] for row in conn.exec_driver_sql(sql, chunk))
    return found


ROW_BOOKKEEPING = ("id", "created_at", "updated_at", "updated_by", "change_id")


def write_received(conn: Connection, entries: list[tuple[int, dict[str, Any]]]) -> None:
    """Write operations received from another site that insert records this database has never
    held, each with the log id it is given: their log entries, then the records, created and
    last written when the operation was made, by its actor.

    Values are turned into what the driver stores once per column type (`columns.storage`) and
    handed over as plain tuples. A field an insert leaves out gets its column's default, as a
    single insert would. The operations have been checked against the schema
    (`dtlab.sync.verify.check_against_schema`): their tables and fields are real."""
    if not entries:
        return
    dialect = conn.dialect
    # An entry's time and its record's creation are columns of one type; many operations share
    # a time (a case and its records are made together), so each text is converted once.
    to_moment = storage(ChangeLog, dialect)["at"] or (lambda text: text)
    moments: dict[str, Any] = {}
    for _entry_id, op in entries:
        if op["at"] not in moments:
            moments[op["at"]] = to_moment(op["at"])
    conn.exec_driver_sql(_insert_sql(dialect, "change_log", LOG_COLUMNS), [
        (entry_id, op["origin"], op["seq"], op["hlc"], op["actor"], moments[op["at"]], op["table"], op["row_id"],
         op["op"], op["case_id"], compact_json(op["changes"]))
        for entry_id, op in entries])
    # Records in the bundle's order, a statement per run of one table and set of fields: a
    # record that points to another is refused unless that one came first, whatever the batch.
    run_key: tuple[str, tuple[str, ...]] | None = None
    run: list[tuple[Any, ...]] = []
    for entry_id, op in entries:
        model = SYNCED_BY_TABLE[op["table"]]
        convert, defaults = storage(model, dialect), shape(model).defaults
        values = {name: new for name, (_old, new) in op["changes"].items()}
        for name, value in defaults.items():
            values.setdefault(name, value)
        at = moments[op["at"]]
        row = [op["row_id"], at, at, op["actor"], entry_id]
        for name, value in values.items():
            to_store = convert[name]
            row.append(to_store(value) if to_store is not None and value is not None else value)
        key = (op["table"], tuple(values))
        if key != run_key and run:
            _insert_run(conn, run_key, run)  # type: ignore[arg-type]
            run = []
        run_key = key
        run.append(tuple(row))
    if run:
        _insert_run(conn, run_key, run)  # type: ignore[arg-type]


def _insert_run(conn: Connection, key: tuple[str, tuple[str, ...]], rows: list[tuple[Any, ...]]) -> None:
    table, fields = key
    conn.exec_driver_sql(_insert_sql(conn.dialect, table, ROW_BOOKKEEPING + fields), rows)
