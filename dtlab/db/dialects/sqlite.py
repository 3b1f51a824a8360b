"""SQLite: a file on a laptop, written by one process at a time.

The connection runs in WAL mode (readers never wait for the writer), with foreign keys on and a
busy timeout, and a write transaction takes the write lock at BEGIN. The guards are triggers that
RAISE(ABORT); search is an FTS5 trigram index kept from the change log.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    String,
    and_,
    create_engine,
    event,
    func,
    literal_column,
    or_,
    text,
    type_coerce,
)
from sqlalchemy.engine import make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from dtlab.db.dialects import WRITE_OPTION, UnsupportedDatabase
from dtlab.db.guards import Refusal
from dtlab.db.models import Case
from dtlab.db.search_terms import CHANGED_CASES, MARK_KEY, has_index, in_short_fields, pending, set_mark
from dtlab.i18n import N_, _

NAME = "sqlite"
BATCH_MIGRATIONS = True  # SQLite alters little in place: Alembic copies the table instead
UPGRADE_ON_OPEN = True  # a file has one user: it is migrated (after a backup) when opened
MISSING_DRIVER = ""  # the standard library's
BIND_MARKER = "?"  # the driver's placeholder in the few statements written for executemany speed
BINDS_PER_STATEMENT = 500  # well under SQLite's limit of bound parameters (999 in old builds)
# PRAGMAs run on the raw connection as it connects, outside SQLAlchemy's wrapping of errors.
DRIVER_ERRORS: tuple[type[Exception], ...] = (sqlite3.DatabaseError,)
BUSY_TIMEOUT_S = 30.0


# --- engines and transactions ---------------------------------------------------------------------


def url_of_file(path: Path) -> str:
    return f"sqlite:///{path.expanduser().resolve()}"


def database_file(url: str) -> Path | None:
    parsed = make_url(url)
    if not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _configure(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself, so writes can ask for IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        # The busy timeout first: switching a new file to WAL needs a lock another process may hold.
        cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        # 8 MiB of pages per connection: the terminal UI holds a few connections at once, and at
        # 64 MiB each a start on a million cases peaked at 787 MiB; bulk work asks for more.
        cur.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A write transaction takes the write lock at BEGIN: a deferred transaction that later
        # upgrades to a writer fails at once with "database is locked" when another writer is
        # active, instead of waiting out the busy timeout.
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_conn: Any, record: Any) -> None:
        # A connection given a bulk cache goes back to the pool with its usual one: after one
        # import from the sync screen, the app kept 64 MiB of pages on it for good.
        if record.info.pop(BULK_CACHE_SET, False) and dbapi_conn is not None:
            dbapi_conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")


def make_engine(url: str, json_serializer: Callable[[Any], str]) -> Engine:
    engine = create_engine(url, json_serializer=json_serializer,
                           connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False})
    _configure(engine)
    return engine


CACHE_KIB = 8 * 1024  # each connection's page cache
BULK_CACHE_KIB = 64 * 1024  # a connection's cache for an import, an export or a demo


BULK_CACHE_SET = "dtlab_bulk_cache"  # in a pooled connection's info: set back when it is returned


def for_bulk_work(session: Session) -> None:
    """A larger page cache for this session's connection, until the session gives it back to
    the pool: an import's index upkeep and an export's scans of the log re-read the same pages."""
    connection = session.connection()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    connection.connection.info[BULK_CACHE_SET] = True


# A connection's cache while it reads across the whole portfolio for a few figures. SQLite's
# sorters and window functions hold as much as the page cache in memory before spilling to
# disk: the dashboard's monitoring panel, three sorts deep, raised the app's peak by 37 MiB at a
# million cases with 8 MiB, by 9 with 1, and ran no slower (each page is read once).
SCAN_CACHE_KIB = 1024


@contextmanager
def scanning(session: Session) -> Iterator[None]:
    """The session's connection with a small cache for the reads within, its own after."""
    connection = session.connection()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{SCAN_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size=-{CACHE_KIB}")


def read_options() -> dict[str, Any]:
    return {}  # WAL: a reader sees the last commit before its first read, and never waits


def backup_file(path: Path, revision: str) -> Path:
    """A consistent copy of the file (SQLite's online backup, so the WAL is included), readable
    by its owner only, named after the revision it holds."""
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


def means_damaged(message: str) -> bool:
    return "file is not a database" in message or "malformed" in message


# --- guards ---------------------------------------------------------------------------------------


def _quoted(message: str) -> str:
    return "'" + message.replace("'", "''") + "'"


def create_refusals(refusals: list[Refusal]) -> list[str]:
    return [
        f"CREATE TRIGGER {'IF NOT EXISTS ' if r.if_missing else ''}{r.name} BEFORE {r.event} ON {r.table} "
        f"{f'WHEN {r.when} ' if r.when else ''}BEGIN SELECT RAISE(ABORT, {_quoted(r.message)}); END"
        for r in refusals
    ]


def drop_refusals(refusals: list[Refusal]) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {r.name}" for r in refusals]


# --- search ---------------------------------------------------------------------------------------
# An FTS5 table with the trigram tokenizer indexes each case's ref, title, applicant and country
# (code and name), so any fragment of three characters or more is found without scanning; notes
# have a word index of their own. The index is derived data: `refresh_search` brings it up to date
# from the change log at the end of every write transaction, in set-based statements, so every
# write path (ORM, bulk, sync) keeps it current and a bulk load costs one pass, not a trigger per
# row.

FTS_TABLE = "cases_fts"
NOTES_FTS = "notes_fts"

_CASE_DOC = (
    "SELECT c.rowid, c.ref, c.title, coalesce(o.name, ''), "
    "coalesce(c.country, '') || ' ' || coalesce({names}, '') "
    "FROM cases c LEFT JOIN organisations o ON o.id = c.applicant_id "
    "LEFT JOIN ref_country k ON k.code = c.country"
)
# A country's names in the six languages (`ref_country.names`, migration 0021); the migration that
# made the index (0002) filled it from its own schema's, the English (0021's load rebuilds it).
_INDEX_CASES = f"INSERT INTO {FTS_TABLE}(rowid, ref, title, applicant, country) {_CASE_DOC.format(names='k.names')}"
_FIRST_INDEX = f"INSERT INTO {FTS_TABLE}(rowid, ref, title, applicant, country) {_CASE_DOC.format(names='k.name_en')}"
_INDEX_NOTES = f"INSERT INTO {NOTES_FTS}(rowid, body) SELECT rowid, body FROM notes"


def search_ddl() -> list[str]:
    """Create and fill the index (run by the migration that introduces it)."""
    return [
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(ref, title, applicant, country, tokenize='trigram')",
        # Notes are longer prose: a word index, matched by word prefix, costs a fraction of trigrams.
        f"CREATE VIRTUAL TABLE {NOTES_FTS} USING fts5(body)",
        _FIRST_INDEX,
        _INDEX_NOTES,
        f"INSERT OR REPLACE INTO meta(key, value) "
        f"SELECT '{MARK_KEY}', CAST(coalesce(max(id), 0) AS TEXT) FROM change_log",
    ]


def drop_search_ddl() -> list[str]:
    return [f"DROP TABLE IF EXISTS {FTS_TABLE}", f"DROP TABLE IF EXISTS {NOTES_FTS}",
            f"DELETE FROM meta WHERE key = '{MARK_KEY}'"]


def truncate_guards(tables: list[str]) -> list[str]:
    return []  # SQLite has no TRUNCATE: its DELETE without WHERE fires the row guards


def drop_truncate_guards(tables: list[str]) -> list[str]:
    return []


NO_ROLES = N_("a SQLite file has no roles: who may use it is who may read and write the file")


def grant_problem(conn: Any, role: str) -> str | None:
    return _(NO_ROLES)


def not_permitted(error: object) -> bool:
    return False  # a file's permissions are met on opening it, not per statement


def grant_statements(role: str, privileges: dict[str, tuple[str, ...]]) -> list[str]:
    raise UnsupportedDatabase(_(NO_ROLES))


def trigram_search_ddl() -> list[str]:
    return []  # SQLite's trigram index is the FTS5 table above, made by migration 0002


def drop_trigram_search_ddl() -> list[str]:
    return []


def refresh_search(session: Session) -> None:
    """Index what the change log recorded since the last refresh."""
    found = pending(session)
    if found is None:
        return
    mark, top = found
    params = {"mark": mark}
    session.execute(text(
        f"DELETE FROM {FTS_TABLE} WHERE rowid IN (SELECT rowid FROM cases WHERE id IN ({CHANGED_CASES}))"), params)
    session.execute(text(f"{_INDEX_CASES} WHERE c.id IN ({CHANGED_CASES})"), params)
    # Notes are append-only: new ones are added, none change.
    session.execute(text(
        f"{_INDEX_NOTES} WHERE id IN (SELECT row_id FROM change_log WHERE id > :mark "
        f"AND table_name = 'notes' AND op = 'insert')"), params)
    set_mark(session, top)


def rebuild_search(session: Session) -> None:
    if not has_index(session):
        return
    session.execute(text(f"DELETE FROM {FTS_TABLE}"))
    session.execute(text(f"DELETE FROM {NOTES_FTS}"))
    session.execute(text(_INDEX_CASES))
    session.execute(text(_INDEX_NOTES))


def _fts_phrase(fragment: str) -> str:
    return '"' + fragment.replace('"', '""') + '"'


def search_condition(words: list[str]) -> ColumnElement[Any]:
    conditions: list[ColumnElement[Any]] = []
    long_words = [w for w in words if len(w) >= 3]
    if long_words:
        match = " AND ".join(_fts_phrase(w) for w in long_words)
        # A case matches on its own fields or on one of its notes.
        conditions.append(or_(
            literal_column("cases.rowid").in_(
                text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts").bindparams(fts=match)),
            Case.id.in_(  # type: ignore[attr-defined]
                text(f"SELECT notes.case_id FROM notes WHERE notes.rowid IN "
                     f"(SELECT rowid FROM {NOTES_FTS} WHERE {NOTES_FTS} MATCH :notes_fts)").bindparams(
                         notes_fts=" AND ".join(_fts_phrase(w) + "*" for w in long_words))),
        ))
    for short in (w for w in words if len(w) < 3):
        # Trigrams cannot match one or two characters ("AI", "5G"): scan the short fields instead.
        conditions.append(in_short_fields(short))
    return and_(*conditions)


# --- sort keys and dates --------------------------------------------------------------------------


def position(text: Any, fragment: Any) -> ColumnElement[Any]:
    """Where `fragment` first occurs in `text`, from 1; 0 when it does not."""
    return func.instr(text, fragment)


# The expressions of `cases.ref_order`, written out: SQLite uses an expression index only for a
# query that repeats its very expressions, constants inlined.
REF_ORDER_INDEX = (
    "CREATE INDEX ix_cases_ref_order ON cases "
    "(substr(ref, 1, instr(ref, '-') + 4), length(ref), ref)"
)


def sort_text(column: Any) -> ColumnElement[Any]:
    """A column as text that sorts byte by byte: SQLite stores dates and times as ISO text, and
    compares text with its binary collation already."""
    return column


def ref_order_index_ddl() -> list[str]:
    return [REF_ORDER_INDEX]


def drop_ref_order_index_ddl() -> list[str]:
    return ["DROP INDEX IF EXISTS ix_cases_ref_order"]


# --- counts kept by the database (db/case_counts.py) -------------------------------------------
# An upsert in the trigger: the first case of a (stage, status, region) adds its row. A write that
# names one of the four columns without changing it takes one off and puts it back.
_COUNT_ONE = ("INSERT INTO case_counts (stage, status, region, n) SELECT NEW.stage, NEW.status, "
              "coalesce(NEW.region, ''), 1 WHERE NEW.deleted_at IS NULL "
              "ON CONFLICT (stage, status, region) DO UPDATE SET n = n + 1;")


def case_counts_triggers() -> list[str]:
    return [
        f"CREATE TRIGGER count_cases_insert AFTER INSERT ON cases BEGIN {_COUNT_ONE} END",
        "CREATE TRIGGER count_cases_update AFTER UPDATE OF stage, status, region, deleted_at ON cases BEGIN "
        "UPDATE case_counts SET n = n - 1 WHERE OLD.deleted_at IS NULL AND stage = OLD.stage "
        f"AND status = OLD.status AND region = coalesce(OLD.region, ''); {_COUNT_ONE} END",
    ]


def drop_case_counts_triggers() -> list[str]:
    return ["DROP TRIGGER IF EXISTS count_cases_insert", "DROP TRIGGER IF EXISTS count_cases_update"]


def reporting_year_end(start: str, year: str) -> str:
    """SQL for `domain.monitoring.reporting_year_ends(start, year)` on a start date stored as ISO
    text: SQLite's date arithmetic turns 29 February plus whole years into 1 March in a common
    year, as `add_years` does."""
    return f"date({start}, '+' || {year} || ' years', '-1 day')"


# --- reading the change log for an export


def stored_text(column: ColumnElement[Any]) -> ColumnElement[str]:
    """A time or JSON column read as the text SQLite stores ("2026-11-23 09:15:02.000000", UTC, as
    SQLAlchemy writes it; JSON as written), without the column type's conversion: an export of a
    million operations then copies text instead of parsing and serialising every value."""
    return type_coerce(column, String)


class _Unindexed(FunctionElement[Any]):
    name = "unindexed"
    inherit_cache = True


@compiles(_Unindexed)
def _unindexed(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return "+" + compiler.process(element.clauses, **kw)  # a unary plus hides the column's index


def unindexed(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """The column in a condition the planner will not answer from an index: for reading most of
    the log in id order, where SQLite would otherwise walk the index and sort, and wherever
    another table's index is the better way in and SQLite, without statistics, guesses wrong."""
    return _Unindexed(column)
