"""PostgreSQL: HQ's shared database, written by several staff at once (DESIGN.md section 4).

Every write transaction takes one transaction-scoped advisory lock as its first statement, so
writes are serialised as on SQLite: per-site sequence numbers stay gap-free and commit order is
log order (database sequences would leave holes on rollback and let a reader see 10 before 9
commits). Reads take a snapshot and never wait for a writer. The guards are PL/pgSQL trigger
functions; search scans with ILIKE (no extension needed). A shared database is upgraded
explicitly, never by a client that opens it, and is backed up by its administrator.

Not done yet (the PostgreSQL issue): the command that upgrades a shared database; a search index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Engine,
    Text,
    and_,
    cast,
    create_engine,
    event,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased
from sqlmodel import col

from dtlab.db.dialects import WRITE_OPTION, UnsupportedDatabase
from dtlab.db.guards import Refusal
from dtlab.db.models import Case, Country, Note, Organisation
from dtlab.db.search_terms import contains, in_ref_or_title

NAME = "postgresql"
BATCH_MIGRATIONS = False  # ALTER TABLE works in place
BIND_MARKER = "%s"  # psycopg's placeholder in statements written for executemany speed
BINDS_PER_STATEMENT = 500  # far under the protocol's 65,535; keeps one statement small
UPGRADE_ON_OPEN = False  # a shared database is upgraded explicitly, by its administrator
MISSING_DRIVER = "PostgreSQL needs its driver: pip install 'dtlab[postgres]'"
DRIVER_ERRORS: tuple[type[Exception], ...] = ()  # SQLAlchemy wraps every driver error
# The one advisory lock every write transaction takes first: "dtlab-wr" read as a number.
WRITE_LOCK = int.from_bytes(b"dtlab-wr", "big")


# --- engines and transactions ---------------------------------------------------------------------


def make_engine(url: str, json_serializer: Callable[[Any], str]) -> Engine:
    engine = create_engine(url, json_serializer=json_serializer, pool_pre_ping=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Every session in UTC with ISO dates, whatever the server's or the role's settings (and
        # leaving any `options` of the URL alone): times are read back as their text for an
        # export and for sorting (`stored_text`, `sort_text`), in the form `stored_time_iso` reads.
        with dbapi_conn.cursor() as cur:
            cur.execute("SET TIME ZONE 'UTC'; SET datestyle TO ISO")
        dbapi_conn.commit()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # READ COMMITTED (the default): each later statement of the transaction sees every write
        # committed before the lock was granted. A snapshot taken before (REPEATABLE READ) would
        # not, and two writers would draw the same sequence numbers.
        if conn.get_execution_options().get(WRITE_OPTION, False):
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")

    return engine


def for_bulk_work(session: Session) -> None:
    """Nothing to set: the server's shared buffers serve every session alike."""


@contextmanager
def scanning(session: Session) -> Iterator[None]:
    """Nothing to set: the server bounds a query's sort memory itself (work_mem)."""
    yield


def read_options() -> dict[str, Any]:
    return {"isolation_level": "REPEATABLE READ"}  # one snapshot for all the reads of a session


def database_file(url: str) -> Path | None:
    return None  # a server, not a file


def backup_file(path: Path, revision: str) -> Path:
    raise UnsupportedDatabase("dtlab does not back up a PostgreSQL database: its administrator does (pg_dump)")


def means_damaged(message: str) -> bool:
    return False  # a server reports its own problems; nothing says "this is not a database"


# --- guards ---------------------------------------------------------------------------------------


def _quoted(message: str) -> str:
    # RAISE's message is a format string: % is its placeholder.
    return "'" + message.replace("'", "''").replace("%", "%%") + "'"


def create_refusals(refusals: list[Refusal]) -> list[str]:
    """A trigger function and a row trigger per refusal. A trigger's WHEN cannot hold a subquery
    here, so the condition is tested in the function. The error's SQLSTATE is an integrity
    violation, as SQLite's RAISE(ABORT) is, so both reach dtlab as an IntegrityError."""
    stmts = []
    for r in refusals:
        refuse = f"RAISE EXCEPTION {_quoted(r.message)} USING ERRCODE = 'integrity_constraint_violation';"
        body = f"IF {r.when} THEN {refuse} END IF;" if r.when else refuse
        row = "OLD" if r.event == "DELETE" else "NEW"  # a BEFORE trigger returning NULL skips the row
        stmts.append(f"CREATE OR REPLACE FUNCTION {r.name}() RETURNS trigger LANGUAGE plpgsql AS "
                     f"$$ BEGIN {body} RETURN {row}; END $$")
        stmts.append(f"CREATE {'OR REPLACE ' if r.if_missing else ''}TRIGGER {r.name} BEFORE {r.event} ON {r.table} "
                     f"FOR EACH ROW EXECUTE FUNCTION {r.name}()")
    return stmts


def drop_refusals(refusals: list[Refusal]) -> list[str]:
    stmts = []
    for r in refusals:
        stmts += [f"DROP TRIGGER IF EXISTS {r.name} ON {r.table}", f"DROP FUNCTION IF EXISTS {r.name}()"]
    return stmts


# --- search: a scan, no index ---------------------------------------------------------------------


def search_ddl() -> list[str]:
    return []


def drop_search_ddl() -> list[str]:
    return []


def refresh_search(session: Session) -> None:
    return None  # nothing derived to keep


def rebuild_search(session: Session) -> None:
    return None


def _in_case(word: str) -> ColumnElement[Any]:
    """The word in what SQLite's case index holds, scanned: ref, title, applicant, country code
    and name."""
    pattern = contains(word)
    # Aliases, correlated to the case only: the list joins the applicant itself.
    applicant, country = aliased(Organisation), aliased(Country)
    return or_(
        in_ref_or_title(word),
        col(Case.country).ilike(pattern, escape="\\"),
        exists(select(1).where(col(applicant.id) == Case.applicant_id,
                               col(applicant.name).ilike(pattern, escape="\\")).correlate(Case)),
        exists(select(1).where(col(country.code) == Case.country,
                               col(country.name_en).ilike(pattern, escape="\\")).correlate(Case)),
    )


def search_condition(words: list[str]) -> ColumnElement[Any]:
    """As SQLite's index answers: the words of three characters or more all in the case's own
    fields, or all in one of its notes (there by word prefix, here anywhere in the text); each
    shorter word ("AI", "5G") in the ref or title, or the country code."""
    conditions: list[ColumnElement[Any]] = []
    long_words = [w for w in words if len(w) >= 3]
    if long_words:
        note = aliased(Note)
        in_note = and_(*[col(note.body).ilike(contains(w), escape="\\") for w in long_words])
        conditions.append(or_(and_(*[_in_case(w) for w in long_words]),
                              exists(select(1).where(col(note.case_id) == Case.id, in_note).correlate(Case))))
    for short in (w for w in words if len(w) < 3):
        conditions.append(or_(in_ref_or_title(short), col(Case.country) == short.upper()))
    return and_(*conditions)


# --- sort keys and dates --------------------------------------------------------------------------


def position(text: Any, fragment: Any) -> ColumnElement[Any]:
    """Where `fragment` first occurs in `text`, from 1; 0 when it does not."""
    return func.strpos(text, fragment)


def sort_text(column: Any) -> ColumnElement[Any]:
    """A column as text that sorts byte by byte, as on SQLite: a date or time as its ISO text
    (sessions are in UTC), compared in the "C" collation, not the server's language's, so that
    both databases list cases in one order and a page's position means the same on both."""
    return cast(column, Text).collate("C")


def ref_order_index_ddl() -> list[str]:
    # The expressions of `cases.ref_order`, so the unfiltered list reads its first page from it.
    # (No PostgreSQL database was made before this form: dtlab did not run on one.)
    return ["CREATE INDEX ix_cases_ref_order ON cases ((CAST(substr(ref, 1, strpos(ref, '-') + 4) AS TEXT) "
            'COLLATE "C"), length(ref), (CAST(ref AS TEXT) COLLATE "C"))']


def drop_ref_order_index_ddl() -> list[str]:
    return ["DROP INDEX IF EXISTS ix_cases_ref_order"]


# --- counts kept by the database (db/case_counts.py) -------------------------------------------


def case_counts_triggers() -> list[str]:
    """One row trigger after a case is written: the case taken off its old count, put on its new.
    Concurrent writers queue on a count's row, as they already queue on the write lock."""
    body = ("IF TG_OP = 'UPDATE' AND OLD.deleted_at IS NULL THEN "
            "UPDATE case_counts SET n = n - 1 WHERE stage = OLD.stage AND status = OLD.status "
            "AND region = coalesce(OLD.region, ''); END IF; "
            "IF NEW.deleted_at IS NULL THEN "
            "INSERT INTO case_counts (stage, status, region, n) "
            "VALUES (NEW.stage, NEW.status, coalesce(NEW.region, ''), 1) "
            "ON CONFLICT (stage, status, region) DO UPDATE SET n = case_counts.n + 1; END IF;")
    return [f"CREATE OR REPLACE FUNCTION count_cases() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {body} RETURN NULL; END $$",
            "CREATE TRIGGER count_cases AFTER INSERT OR UPDATE OF stage, status, region, deleted_at ON cases "
            "FOR EACH ROW EXECUTE FUNCTION count_cases()"]


def drop_case_counts_triggers() -> list[str]:
    return ["DROP TRIGGER IF EXISTS count_cases ON cases", "DROP FUNCTION IF EXISTS count_cases()"]


def reporting_year_end(start: str, year: str) -> str:
    """SQL for `domain.monitoring.reporting_year_ends(start, year)`. PostgreSQL turns 29 February
    plus whole years into 28 February in a common year; `add_years` gives 1 March, so a day is
    added back when the day of the month fell."""
    moved = f"(CAST({start} AS date) + make_interval(years => {year}))"
    return (f"(CAST({moved} AS date) + CASE WHEN EXTRACT(DAY FROM {moved}) < EXTRACT(DAY FROM CAST({start} AS date)) "
            f"THEN 1 ELSE 0 END - 1)")


# --- reading the change log for an export


def stored_text(column: ColumnElement[Any]) -> ColumnElement[str]:
    """A time or JSON column as text: `json` keeps the text it was given, and a time is written
    as SQLite stores it ("2026-11-23 09:15:02.123456", UTC: sessions are in UTC), the one form
    `stored_time_iso` reads. PostgreSQL's own text of a time drops the fraction's trailing zeros."""
    if isinstance(getattr(column.type, "impl", column.type), DateTime):  # a decorated type by what it stores
        return func.to_char(column, "YYYY-MM-DD HH24:MI:SS.US")
    return cast(column, Text)


def unindexed(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """PostgreSQL's planner chooses a scan by itself when most of the log is read."""
    return column
