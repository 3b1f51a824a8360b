"""PostgreSQL: HQ's shared database, written by several staff at once (DESIGN.md section 4).

Every write transaction takes one transaction-scoped advisory lock as its first statement, so
writes are serialised as on SQLite: per-site sequence numbers stay gap-free and commit order is
log order (database sequences would leave holes on rollback and let a reader see 10 before 9
commits). Reads take a snapshot and never wait for a writer. The guards are PL/pgSQL trigger
functions; search is a trigram index (pg_trgm). A shared database is upgraded explicitly
(`dtlab db upgrade`), never by a client that opens it, and is backed up by its administrator.
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
    func,
    text,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlmodel import col

from dtlab.db.dialects import (
    DOING_OPTION,
    LOCK_WAIT_OPTION,
    WAITING_OPTION,
    WRITE_OPTION,
    LockWaitedTooLong,
    UnsupportedDatabase,
    holder_words,
)
from dtlab.db.guards import Refusal
from dtlab.db.models import Case
from dtlab.db.search_terms import CHANGED_CASES, MARK_KEY, contains, has_index, in_short_fields, pending, set_mark
from dtlab.i18n import N_, _

NAME = "postgresql"
BATCH_MIGRATIONS = False  # ALTER TABLE works in place
BIND_MARKER = "%s"  # psycopg's placeholder in statements written for executemany speed
BINDS_PER_STATEMENT = 500  # far under the protocol's 65,535; keeps one statement small
UPGRADE_ON_OPEN = False  # a shared database is upgraded explicitly, by its administrator
MISSING_DRIVER = N_("PostgreSQL needs its driver: pip install 'dtlab[postgres]'")  # said with _ (db.store)
DRIVER_ERRORS: tuple[type[Exception], ...] = ()  # SQLAlchemy wraps every driver error
# The one advisory lock every write transaction takes first: "dtlab-wr" read as a number.
WRITE_LOCK = int.from_bytes(b"dtlab-wr", "big")
LOCK_NOT_AVAILABLE = "55P03"  # SQLSTATE of a lock wait that ran out of lock_timeout


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
        options = conn.get_execution_options()
        if options.get(WRITE_OPTION, False):
            _take_write_lock(conn, options)

    return engine


# Who holds the write lock, as they named their transaction (`application_name`), and since when.
_HOLDER = ("SELECT a.application_name, a.xact_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
           "WHERE l.locktype = 'advisory' AND l.granted AND l.database = "
           "(SELECT oid FROM pg_database WHERE datname = current_database()) "
           f"AND l.classid = {WRITE_LOCK >> 32} AND l.objid = {WRITE_LOCK & 0xFFFFFFFF} AND l.objsubid = 1")
_NAMED = "dtlab: "


def _holder(conn: Any) -> str:
    """The write holding the lock ("an import by amina (since 10:42 UTC)"), as far as the server
    tells; "another writer" when it has just let go or is not a dtlab. In the reader's language:
    the holder named itself in English (`holder_words`)."""
    row = conn.exec_driver_sql(_HOLDER).first()
    if row is None or not (row[0] or "").startswith(_NAMED):
        return _("another writer")
    return holder_words(row[0].removeprefix(_NAMED), row[1])


def _take_write_lock(conn: Any, options: dict[str, Any]) -> None:
    """The write lock, at once if it is free; otherwise say what holds it to whoever waits
    (`on_wait`) and wait at most the write's lock wait."""
    if not conn.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({WRITE_LOCK})").scalar():
        holder = _holder(conn)
        on_wait = options.get(WAITING_OPTION)
        if on_wait is not None:
            on_wait(holder)
        seconds = float(options.get(LOCK_WAIT_OPTION) or 0)
        # At least a millisecond: PostgreSQL reads a lock_timeout of 0 as "wait for ever".
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {max(1, int(seconds * 1000))}")
        try:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
                raise LockWaitedTooLong(holder, seconds) from None
            raise
        conn.exec_driver_sql("SET LOCAL lock_timeout = DEFAULT")
    # What this write is, for a writer that waits for it (`_holder`); back to before at its end.
    doing = options.get(DOING_OPTION)
    if doing:
        conn.exec_driver_sql("SELECT set_config('application_name', %s, true)", (_NAMED + doing,))


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
    raise UnsupportedDatabase(_("dtlab does not back up a PostgreSQL database: its administrator does (pg_dump)"))


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


TRUNCATE_GUARD = "guard_truncate"


def truncate_guards(tables: list[str]) -> list[str]:
    """TRUNCATE removes every row without firing the row guards: a statement trigger on each
    table refuses it, for every role (the application's may not truncate in any case)."""
    refuse = ("RAISE EXCEPTION 'dtlab: % is never truncated; its rows are tombstoned', TG_TABLE_NAME "
              "USING ERRCODE = 'integrity_constraint_violation';")
    return [f"CREATE OR REPLACE FUNCTION {TRUNCATE_GUARD}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {refuse} RETURN NULL; END $$",
            *[f"CREATE TRIGGER {TRUNCATE_GUARD} BEFORE TRUNCATE ON {t} FOR EACH STATEMENT "
              f"EXECUTE FUNCTION {TRUNCATE_GUARD}()" for t in tables]]


def drop_truncate_guards(tables: list[str]) -> list[str]:
    return [*[f"DROP TRIGGER IF EXISTS {TRUNCATE_GUARD} ON {t}" for t in tables],
            f"DROP FUNCTION IF EXISTS {TRUNCATE_GUARD}()"]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def grant_problem(conn: Any, role: str) -> str | None:
    """Why `role` cannot be granted from this connection: GRANT by anyone but the tables' owner
    only warns, and grants nothing."""
    owner, me, superuser = conn.exec_driver_sql(
        "SELECT pg_get_userbyid(d.datdba), current_user, r.rolsuper FROM pg_database d, pg_roles r "
        "WHERE d.datname = current_database() AND r.rolname = current_user").one()
    if me != owner and not superuser:
        return _("only the database's owner ({owner}) may grant; you are connected as {me}: connect as {owner} "
                 "(docs/hq-postgresql.md, step 4)").format(owner=owner, me=me)
    if conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).first() is None:
        return _("there is no role {role} on this server: create it first (docs/hq-postgresql.md, step 2)").format(
            role=repr(role))
    return None


def not_permitted(error: object) -> bool:
    """The server refused the statement for the role's privileges (SQLSTATE 42501)."""
    return getattr(error, "sqlstate", None) == "42501"


def grant_statements(role: str, privileges: dict[str, tuple[str, ...]]) -> list[str]:
    """Exactly `privileges` for `role` on each table: what it had taken back first."""
    who = _ident(role)
    stmts = [f"GRANT USAGE ON SCHEMA public TO {who}"]
    for table, allowed in privileges.items():
        stmts += [f"REVOKE ALL ON {_ident(table)} FROM {who}",
                  f"GRANT {', '.join(allowed)} ON {_ident(table)} TO {who}"]
    return stmts


# --- search: a trigram index -----------------------------------------------------------------------
# As on SQLite, a derived table holds each case's searchable text (ref, title, applicant, country
# code and name) and is brought up to date from the change log at the end of every write
# transaction (under the write lock, so two staff never refresh it at once). A GIN trigram index
# (pg_trgm, a trusted extension) on it, and one on the notes' text, answer ILIKE '%fragment%'
# for any fragment of three characters or more without a scan. Kept by upserts, so the
# application's role needs no DELETE on it. Made by migration 0013: 0002 made no index here.

SEARCH_TABLE = "case_search"
# A query's words never hold a line break, so no word matches across two fields.
_CASE_DOC = (
    "SELECT c.id, concat_ws(E'\\n', c.ref, c.title, o.name, c.country, {names}) "
    "FROM cases c LEFT JOIN organisations o ON o.id = c.applicant_id "
    "LEFT JOIN ref_country k ON k.code = c.country"
)
# A country's names in the six languages (`ref_country.names`, migration 0021); the migration that
# made the index (0013) filled it from its own schema's, the English (0021's load rebuilds it).
_INDEX_CASES = (f"INSERT INTO {SEARCH_TABLE} (case_id, doc) {_CASE_DOC.format(names='k.names')} {{where}} "
                "ON CONFLICT (case_id) DO UPDATE SET doc = EXCLUDED.doc")
_FIRST_INDEX = f"INSERT INTO {SEARCH_TABLE} (case_id, doc) {_CASE_DOC.format(names='k.name_en')}"


def search_ddl() -> list[str]:
    return []  # the index came later: `trigram_search_ddl`, migration 0013


def drop_search_ddl() -> list[str]:
    return []


def trigram_search_ddl() -> list[str]:
    """Create and fill the index (migration 0013); the index is built after the rows are in."""
    return [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        f"CREATE TABLE {SEARCH_TABLE} (case_id TEXT PRIMARY KEY, doc TEXT NOT NULL)",
        _FIRST_INDEX,
        f"CREATE INDEX ix_case_search_doc ON {SEARCH_TABLE} USING gin (doc gin_trgm_ops)",
        "CREATE INDEX ix_notes_body_trgm ON notes USING gin (body gin_trgm_ops)",
        f"INSERT INTO meta (key, value) SELECT '{MARK_KEY}', CAST(coalesce(max(id), 0) AS TEXT) FROM change_log "
        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
    ]


def drop_trigram_search_ddl() -> list[str]:
    # The extension stays: other databases' objects, or the administrator's, may use it.
    return ["DROP INDEX IF EXISTS ix_notes_body_trgm", f"DROP TABLE IF EXISTS {SEARCH_TABLE}",
            f"DELETE FROM meta WHERE key = '{MARK_KEY}'"]


def refresh_search(session: Session) -> None:
    """Index the cases the change log recorded as written since the last refresh (notes are
    indexed where they are stored)."""
    found = pending(session)
    if found is None:
        return
    mark, top = found
    session.execute(text(_INDEX_CASES.format(where=f"WHERE c.id IN ({CHANGED_CASES})")), {"mark": mark})
    set_mark(session, top)


def rebuild_search(session: Session) -> None:
    """Every case's text again (after reference data such as country names changed)."""
    if has_index(session):
        session.execute(text(_INDEX_CASES.format(where="")))


def _ilike_all(column: str, words: list[str], prefix: str) -> tuple[str, dict[str, str]]:
    """`column` holding every word anywhere, regardless of case (LIKE's wildcards taken literally)."""
    binds = {f"{prefix}{n}": contains(w) for n, w in enumerate(words)}
    return " AND ".join(f"{column} ILIKE :{name} ESCAPE '\\'" for name in binds), binds


def search_condition(words: list[str]) -> ColumnElement[Any]:
    """As SQLite's index answers: the words of three characters or more all in the case's own
    fields, or all in one of its notes (there by word prefix, here anywhere in the text); each
    shorter word ("AI", "5G") in the ref or title, or the country code."""
    conditions: list[ColumnElement[Any]] = []
    long_words = [w for w in words if len(w) >= 3]
    if long_words:
        in_doc, doc_binds = _ilike_all("doc", long_words, "search_doc_")
        in_body, body_binds = _ilike_all("body", long_words, "search_note_")
        # One set of ids, so the planner joins it once rather than testing two subqueries per case.
        conditions.append(col(Case.id).in_(text(
            f"SELECT case_id FROM {SEARCH_TABLE} WHERE {in_doc} "
            f"UNION SELECT case_id FROM notes WHERE {in_body}").bindparams(**doc_binds, **body_binds)))
    for short in (w for w in words if len(w) < 3):
        # Trigrams cannot match one or two characters ("AI", "5G"): scan the short fields instead.
        conditions.append(in_short_fields(short))
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
