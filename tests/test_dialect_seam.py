"""The dialect seam: every database difference lives in dtlab/db/dialects/, and what each dialect
module gives means the same as the rule it stands for.

Tests marked for PostgreSQL run against the server named by DTLAB_TEST_POSTGRESQL (a URL such as
postgresql+psycopg://user@/scratch?host=/tmp, with psycopg installed); without it they skip."""

from __future__ import annotations

import ast
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from dtlab.db import dialects
from dtlab.db.cases import ref_order
from dtlab.db.dialects import postgresql, sqlite
from dtlab.db.guards import Refusal, guards
from dtlab.db.store import Store, StoreError
from dtlab.domain.monitoring import reporting_year_ends
from dtlab.errors import USAGE
from dtlab.services.cases import create_case

pytestmark = pytest.mark.functional  # opens databases; some tests need a server

ROOT = Path(__file__).resolve().parent.parent / "dtlab"
SEAM = ROOT / "db" / "dialects"
EXCLUDED = [SEAM]

# --- no module outside the seam names a dialect ---------------------------------------------------

DIALECT_NAMES = {"sqlite", "postgresql", "postgres", "mysql", "mariadb", "mssql", "oracle"}
DRIVERS = {"sqlite3", "pysqlite2", "psycopg", "psycopg2", "asyncpg", "pg8000", "pymysql", "MySQLdb"}
RAW_DDL = ("PRAGMA", "CREATE TRIGGER", "DROP TRIGGER", "CREATE VIRTUAL TABLE")
DIALECT_FUNCTIONS = {"instr", "strpos", "julianday", "strftime"}  # as func.<name>


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _names_dialect(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.lower() in DIALECT_NAMES
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_names_dialect(e) for e in node.elts)
    return False


def dialect_mentions(source: str) -> list[str]:
    """What in this source names a database dialect, each as "line: what". Comments and
    docstrings are not code and are not looked at."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            found += [f"{line}: imports {a.name}" for a in node.names if a.name.split(".")[0] in DRIVERS]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] in DRIVERS:
            found.append(f"{line}: imports from {node.module}")
        elif isinstance(node, ast.Compare) and any(_names_dialect(n) for n in [node.left, *node.comparators]):
            found.append(f"{line}: compares with a dialect's name")
        elif isinstance(node, ast.MatchValue) and _names_dialect(node.value):
            found.append(f"{line}: matches a dialect's name")
        elif isinstance(node, ast.Dict) and any(k is not None and _names_dialect(k) for k in node.keys):
            found.append(f"{line}: a dict keyed by dialect names")
        elif isinstance(node, ast.Attribute) and node.attr == "name" and isinstance(node.value, ast.Attribute) \
                and node.value.attr == "dialect":
            found.append(f"{line}: reads .dialect.name")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "func" \
                and node.attr in DIALECT_FUNCTIONS:
            found.append(f"{line}: calls the dialect's own func.{node.attr}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            text = node.value.lstrip().upper()
            if text.startswith(RAW_DDL):
                found.append(f"{line}: raw {text.split()[0]} {text.split()[1] if ' ' in text else ''}".rstrip())
            elif any(text.startswith(f"{name.upper()}{sep}") for name in DIALECT_NAMES for sep in ("://", "+")):
                found.append(f"{line}: a {text.split(':')[0].split('+')[0].lower()} URL")
    return sorted(found, key=lambda f: int(f.split(":")[0]))


def checked_modules() -> list[Path]:
    return [p for p in sorted(ROOT.rglob("*.py")) if not any(p == e or e in p.parents for e in EXCLUDED)]


def test_no_module_outside_the_seam_names_a_database_dialect() -> None:
    modules = checked_modules()
    assert ROOT / "db" / "engine.py" in modules and ROOT / "db" / "migrations" / "env.py" in modules
    offences = {str(p.relative_to(ROOT.parent)): found for p in modules
                if (found := dialect_mentions(p.read_text(encoding="utf-8")))}
    assert offences == {}


def test_the_check_finds_each_way_of_naming_a_dialect() -> None:
    source = '''
import sqlite3
from psycopg import errors
if engine.dialect.name == "sqlite":
    pass
if name in ("postgresql", "mysql"):
    pass
match kind:
    case "sqlite":
        pass
KINDS = {"sqlite": 1}
cur.execute("PRAGMA foreign_keys=ON")
cur.execute(f"PRAGMA busy_timeout={ms}")
DDL = "  CREATE TRIGGER t BEFORE DELETE ON x BEGIN SELECT 1; END"
FTS = "CREATE VIRTUAL TABLE f USING fts5(x)"
first = func.instr(ref, "-")
url = f"sqlite:///{path}"
'''
    found = dialect_mentions(source)
    assert [f.split(":")[0] for f in found] == [str(n) for n in (2, 3, 4, 4, 6, 9, 11, 12, 13, 14, 15, 16, 17)]


def test_the_check_leaves_words_in_docstrings_comments_and_plain_text_alone() -> None:
    source = '''
"""Runs on SQLite; PostgreSQL (postgresql+psycopg://host/db) comes later. PRAGMA foreign_keys=ON."""
# if dialect == "sqlite": a comment is not code
def f(path):
    """Read with sqlite3, as in sqlite:///file.db."""
    label = "sqlite file"  # a word in a sentence, not a comparison
    return {"label": label, "name": path.name, "hint": "postgresql is for HQ"}
'''
    assert dialect_mentions(source) == []


# --- the modules and the lookup -------------------------------------------------------------------


def _members(protocol: type) -> set[str]:
    return {n for n in {*protocol.__dict__, *getattr(protocol, "__annotations__", {})} if not n.startswith("_")}


@pytest.mark.parametrize("module", [sqlite, postgresql])
def test_each_dialect_module_gives_every_member_of_the_seam(module: Any) -> None:
    members = _members(dialects.DatabaseKind)
    assert {"make_engine", "create_refusals", "search_condition", "reporting_year_end"} <= members
    assert sorted(m for m in members if not hasattr(module, m)) == []
    assert dialects.for_dialect(module.NAME) is module


def test_the_seam_is_found_from_a_name_an_engine_a_connection_or_a_session(store: Store) -> None:
    assert dialects.of("sqlite") is sqlite
    assert dialects.of(store.engine) is sqlite and dialects.of(store.engine.dialect) is sqlite
    with store.engine.connect() as conn:
        assert dialects.of(conn) is sqlite
    with store.read() as session:
        assert dialects.of(session) is sqlite
    assert dialects.for_url("postgresql+psycopg://hq.example/dtlab") is postgresql


def test_an_unknown_kind_of_database_is_refused_with_its_name() -> None:
    with pytest.raises(StoreError, match="dtlab does not run on mysql databases") as refused:
        dialects.for_dialect("mysql")
    assert isinstance(refused.value, dialects.UnsupportedDatabase) and refused.value.code == USAGE
    with pytest.raises(StoreError, match="^cannot use the database mysql://db.example/dtlab: dtlab does not run on"):
        Store.open("mysql://db.example/dtlab", "tester")


def test_a_path_is_a_sqlite_file_and_a_server_has_no_file(tmp_path: Path) -> None:
    url = dialects.database_url(tmp_path / "x.db")
    assert dialects.of(dialects.backend_of(url)) is sqlite
    assert dialects.database_file(url) == (tmp_path / "x.db").resolve()
    assert dialects.database_file("postgresql+psycopg://hq.example/dtlab") is None
    assert dialects.database_file("mysql://db.example/dtlab") is None
    assert dialects.database_url("postgresql+psycopg://hq.example/dtlab") == "postgresql+psycopg://hq.example/dtlab"
    # libpq's short scheme, as hosting services hand it out, is PostgreSQL too.
    assert dialects.database_url("postgres://amina@hq.example/dtlab") == "postgresql://amina@hq.example/dtlab"
    assert dialects.of(dialects.backend_of(dialects.database_url("postgres://hq.example/x"))) is postgresql


# --- the reporting year's end: one rule, in Python and in each dialect's SQL ----------------------

STARTS = [date(2023, 2, 28), date(2023, 3, 1), date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1),
          date(2024, 12, 31), date(2025, 1, 1), date(2027, 6, 15), date(2028, 2, 29)]
YEARS = range(1, 9)


def _sql_year_ends(conn: sa.Connection, module: Any) -> dict[tuple[date, int], date]:
    query = sa.text(f"SELECT {module.reporting_year_end(':start', ':year')}").columns(sa.column("ends", sa.Date()))
    return {(start, year): conn.execute(query, {"start": start.isoformat(), "year": year}).scalar_one()
            for start in STARTS for year in YEARS}


def _python_year_ends() -> dict[tuple[date, int], date | None]:
    return {(start, year): reporting_year_ends(start, year) for start in STARTS for year in YEARS}


def test_sqlite_dates_a_reporting_year_as_the_domain_does() -> None:
    with sa.create_engine("sqlite://").connect() as conn:
        assert _sql_year_ends(conn, sqlite) == _python_year_ends()
    assert reporting_year_ends(date(2024, 2, 29), 1) == date(2025, 2, 28)  # a leap day ends where it should
    assert reporting_year_ends(date(2024, 3, 1), 1) == date(2025, 2, 28)


# --- the sort keys read the index made for them ---------------------------------------------------


def test_the_unfiltered_list_reads_its_first_page_from_the_ref_order_index(store: Store) -> None:
    create_case(store, {"title": "Hub", "country": "KE"})
    with store.read() as session:
        keys = ref_order("sqlite")
        query = sa.select(*keys).order_by(*keys).limit(50)
        sql = str(query.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(row[-1]) for row in session.execute(sa.text(f"EXPLAIN QUERY PLAN {sql}")))
    assert "ix_cases_ref_order" in plan and "TEMP B-TREE" not in plan


# --- search: the PostgreSQL scan means what the SQLite index means --------------------------------


def test_a_scan_reads_with_a_small_cache_and_gives_the_connection_its_own_back(store: Store) -> None:
    """SQLite's sorts hold as much as the page cache before spilling: a portfolio-wide read
    shrinks it for its time, and the pooled connection keeps its usual cache afterwards."""
    with store.read() as s:
        def cache() -> int:
            return int(s.connection().exec_driver_sql("PRAGMA cache_size").scalar_one())

        assert cache() == -sqlite.CACHE_KIB
        with dialects.of(s).scanning(s):
            assert cache() == -sqlite.SCAN_CACHE_KIB
        assert cache() == -sqlite.CACHE_KIB



def test_bulk_work_has_a_large_cache_until_its_connection_goes_back_to_the_pool(store: Store) -> None:
    """After an import, export or demo, the pooled connection has its usual cache again."""
    def cache(s: Any) -> int:
        return int(s.connection().exec_driver_sql("PRAGMA cache_size").scalar_one())

    with store.read() as s:
        dialects.of(s).for_bulk_work(s)
        assert cache(s) == -sqlite.BULK_CACHE_KIB
        used = s.connection().connection.dbapi_connection
    with store.read() as s:
        assert s.connection().connection.dbapi_connection is used  # the same pooled connection
        assert cache(s) == -sqlite.CACHE_KIB


# --- guards ---------------------------------------------------------------------------------------


def test_postgresql_guards_are_trigger_functions_that_raise_an_integrity_error() -> None:
    log_update, *_ = guards({})
    stmts = postgresql.create_refusals([log_update, Refusal("r", "t", "DELETE", "OLD.x = 1", "dtlab: 100% 'x'")])
    assert stmts[0] == (
        "CREATE OR REPLACE FUNCTION guard_change_log_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'dtlab: the change log is append-only' USING ERRCODE = 'integrity_constraint_violation'; "
        "RETURN NEW; END $$")
    assert stmts[1] == ("CREATE OR REPLACE TRIGGER guard_change_log_update BEFORE UPDATE ON change_log "
                        "FOR EACH ROW EXECUTE FUNCTION guard_change_log_update()")
    assert "IF OLD.x = 1 THEN RAISE EXCEPTION 'dtlab: 100%% ''x''' " in stmts[2] and "RETURN OLD;" in stmts[2]
    assert postgresql.drop_refusals([log_update]) == [
        "DROP TRIGGER IF EXISTS guard_change_log_update ON change_log",
        "DROP FUNCTION IF EXISTS guard_change_log_update()"]


def test_a_shared_database_is_not_upgraded_by_a_client_that_opens_it() -> None:
    assert sqlite.UPGRADE_ON_OPEN and not postgresql.UPGRADE_ON_OPEN
    with pytest.raises(StoreError, match="backs up|administrator"):
        postgresql.backup_file(Path("x"), "0010")


# --- against a PostgreSQL server, when one is given -----------------------------------------------

@pytest.fixture
def pg() -> Any:
    """An engine on the test server (skipped without one, failed when CI requires one)."""
    from tests.helpers.postgres import server_url

    engine = postgresql.make_engine(server_url(), json_serializer=str)
    yield engine
    engine.dispose()


def test_postgresql_sessions_read_times_in_utc_and_iso_keeping_the_urls_options() -> None:
    """A server or role set to another time zone or date style still gives dtlab UTC times in
    ISO text (what the sort keys read), and `options` in the URL still apply."""
    from tests.helpers.postgres import server_url

    engine = postgresql.make_engine(server_url() + "?options=-c%20search_path%3Dother",
                                    json_serializer=str)
    try:
        with engine.connect() as conn:
            settings = [conn.exec_driver_sql(f"SHOW {name}").scalar_one()
                        for name in ("timezone", "datestyle", "search_path")]
    finally:
        engine.dispose()
    assert settings[0] == "UTC" and settings[1].startswith("ISO") and settings[2] == "other"


def test_postgresql_dates_a_reporting_year_as_the_domain_does(pg: sa.Engine) -> None:
    with pg.connect() as conn:
        assert _sql_year_ends(conn, postgresql) == _python_year_ends()


def test_postgresql_guards_refuse_and_let_the_rest_through(pg: sa.Engine) -> None:
    refusals = [Refusal("guard_seam_test_update", "seam_test", "UPDATE", "NEW.n < OLD.n", "dtlab: n only grows"),
                Refusal("guard_seam_test_delete", "seam_test", "DELETE", None, "dtlab: never deleted")]
    with pg.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE seam_test (id int PRIMARY KEY, n int)")
    try:
        with pg.begin() as conn:
            for stmt in postgresql.create_refusals(refusals):
                conn.execute(sa.text(stmt))
            conn.exec_driver_sql("INSERT INTO seam_test VALUES (1, 1)")
            conn.exec_driver_sql("UPDATE seam_test SET n = 2")
        for sql, said in (("UPDATE seam_test SET n = 0", "n only grows"), ("DELETE FROM seam_test", "never deleted")):
            with pytest.raises(sa.exc.IntegrityError, match=said), pg.begin() as conn:
                conn.exec_driver_sql(sql)
        with pg.connect() as conn:
            assert conn.exec_driver_sql("SELECT n FROM seam_test").scalar_one() == 2
    finally:
        with pg.begin() as conn:
            for stmt in postgresql.drop_refusals(refusals):
                conn.execute(sa.text(stmt))
            conn.exec_driver_sql("DROP TABLE seam_test")


def test_postgresql_writes_take_the_advisory_lock_first(pg: sa.Engine) -> None:
    with pg.execution_options(**{dialects.WRITE_OPTION: True}).begin() as conn:
        held = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()").scalar_one()
    assert held == 1
    with pg.begin() as conn:  # a read takes none
        assert conn.exec_driver_sql(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()").scalar_one() == 0


@given(moment=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)))
def test_a_stored_time_reads_as_the_log_writes_it(moment: datetime) -> None:
    """An export writes each entry's time from its stored text, as SQLite stores it (and
    PostgreSQL's `stored_text` writes it: see the server test below)."""
    from dtlab.db.changelog import to_json

    assert dialects.stored_time_iso(f"{moment:%Y-%m-%d %H:%M:%S.%f}") == to_json(moment.replace(tzinfo=timezone.utc))


def test_postgresql_writes_a_stored_time_as_sqlite_does(pg: sa.Engine) -> None:
    """PostgreSQL's own text of a time drops the fraction's trailing zeros, and the fraction when
    it is zero: a time on the second, exported so, made a laptop take HQ's re-sent entry for a
    forked site's. `stored_text` writes SQLite's form, whatever the server's DateStyle."""
    from dtlab.db.changelog import to_json

    moments = [datetime(2026, 11, 23, 9, 15, 2, m, tzinfo=timezone.utc) for m in (0, 500000, 120000, 123456)]
    from dtlab.db.models import ChangeLog

    column = sa.column("at", ChangeLog.__table__.c.at.type)  # type: ignore[attr-defined]  (the log's own type)
    with pg.connect() as conn:
        conn.exec_driver_sql("SET datestyle TO 'SQL, DMY'")  # a role's own choice, overriding the connect hook
        for moment in moments:
            query = sa.select(postgresql.stored_text(column)).select_from(
                sa.select(sa.literal(moment, sa.DateTime(timezone=True)).label("at")).subquery())
            assert dialects.stored_time_iso(conn.execute(query).scalar_one()) == to_json(moment)
