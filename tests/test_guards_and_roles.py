"""Nothing bypasses the change log (issue 17, points 6 and 7): raw SQL that changes a synchronised
row without its entry, edits the log or truncates a table is refused on both databases; and on
PostgreSQL the application's role (`dtlab db grant`) cannot delete or truncate at all, while every
dtlab write works through it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from dtlab.db.cases import case_detail
from dtlab.db.store import Store
from dtlab.launch import main
from dtlab.services.cases import add_note, create_case, update_case

pytestmark = [pytest.mark.functional, pytest.mark.both_databases]

# Each statement, and the guard that must refuse it (its own message, not just any guard's).
BYPASSES = [
    ("UPDATE cases SET title = 'raw'", "cases row changed without a change-log entry"),
    ("UPDATE cases SET title = 'raw', change_id = change_id + 1000", "cases row changed without a change-log entry"),
    ("DELETE FROM cases", "cases rows are never deleted"),
    ("INSERT INTO organisations (id, created_at, updated_at, updated_by, change_id, name) "
     "VALUES ('x', '2026-01-01', '2026-01-01', 'me', 1, 'raw')", "organisations row written without a change-log"),
    ("UPDATE change_log SET actor = 'someone else'", "the change log is append-only"),
    ("DELETE FROM change_log", "the change log is append-only"),
    ("UPDATE meta SET value = 'ZZ' WHERE key = 'site_code'", "a site's identity and keys never change"),
    ("DELETE FROM meta WHERE key = 'site_id'", "a site's identity and keys never change"),
    ("TRUNCATE notes", "notes is never truncated"),
    ("TRUNCATE cases CASCADE", "is never truncated"),  # each table's own guard: test_every_table_...
    ("TRUNCATE change_log", "change_log is never truncated"),
]


@pytest.mark.parametrize(("sql", "guard"), BYPASSES)
def test_raw_sql_that_bypasses_the_change_log_is_refused(store: Store, fresh_target: str, database_kind: str,
                                                         sql: str, guard: str) -> None:
    if sql.startswith("TRUNCATE") and database_kind == "sqlite":
        pytest.skip("SQLite has no TRUNCATE (its DELETE is the statement above)")
    ref = create_case(store, {"title": "Hub", "country": "KE"})
    engine = sa.create_engine(store.engine.url)  # a plain engine: none of dtlab's hooks
    try:
        with pytest.raises(sa.exc.IntegrityError, match=f"dtlab: .*{re.escape(guard)}"), engine.begin() as conn:
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()
    with store.read() as s:
        assert case_detail(s, ref)["title"] == "Hub"


def test_every_synchronised_table_and_the_log_has_its_own_truncate_guard(fresh_target: str,
                                                                         database_kind: str) -> None:
    """A cascade is refused by whichever guard fires first: each table's own is checked here."""
    if database_kind == "sqlite":
        pytest.skip("SQLite has no TRUNCATE")
    from dtlab.db.models import SYNCED_MODELS

    engine = sa.create_engine(fresh_target)
    with engine.connect() as conn:
        guarded = set(conn.exec_driver_sql(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'guard_truncate'").scalars())
    engine.dispose()
    assert guarded == {"change_log", *(m.__tablename__ for m in SYNCED_MODELS)}


@pytest.fixture
def app_role(database_kind: str, fresh_target: str) -> Iterator[tuple[str, str]]:
    """A login role on the test server and the URL of the test's database as that role."""
    if database_kind == "sqlite":
        pytest.skip("a SQLite file has no roles")
    from tests.helpers.postgres import _admin

    role = f"dtlab_staff_{uuid.uuid4().hex[:8]}"
    _admin(f"CREATE ROLE {role} LOGIN")
    url = sa.make_url(fresh_target).set(username=role).render_as_string(hide_password=False)
    yield role, url
    engine = sa.create_engine(fresh_target)  # its grants live in the test's database
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP OWNED BY {role}")
    engine.dispose()
    _admin(f"DROP ROLE {role}")


def test_staff_through_the_application_role_write_but_never_delete(store: Store, fresh_target: str,
                                                                   app_role: tuple[str, str], tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    role, as_staff = app_role
    ref = create_case(store, {"title": "Hub", "country": "KE"})
    assert main(["--db", fresh_target, "db", "grant", role]) == 0
    assert "truncates none" in capsys.readouterr().out
    staff = Store.open(as_staff, "amina")
    try:
        # Every kind of dtlab write goes through: new rows, updates, append-only notes.
        other = create_case(staff, {"title": "Lab", "country": "FR", "applicant": "Agence"})
        update_case(staff, ref, {"title": "Digital hub", "goals": "trends"})
        add_note(staff, other, "first visit")
        with staff.read() as s:
            assert case_detail(s, ref)["title"] == "Digital hub"
        # Raw SQL as staff: no deletes, no truncation, no edit of the log, whatever the guards;
        # whom the site trusts and seals to is read-only (a forged key, a redirected bundle).
        engine = sa.create_engine(as_staff)
        for sql in ("DELETE FROM notes", "TRUNCATE notes", "UPDATE change_log SET actor = 'x'",
                    "DELETE FROM change_log", "UPDATE alembic_version SET version_num = '9999'",
                    "UPDATE trusted_keys SET public_key = 'forged'", "UPDATE site_recipients SET recipient = 'x'",
                    "INSERT INTO trusted_keys (key_id, site_code, public_key, added_at) "
                    "VALUES ('k', 'NBO', 'x', now())"):
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"), engine.begin() as conn:
                conn.exec_driver_sql(sql)
        engine.dispose()
    finally:
        staff.close()
    # Trusting a key is the administrator's: staff are told so in one line.
    from dtlab.sync.keys import recipient_line, site_identity, site_key

    laptop = tmp_path / "laptop.pub"
    laptop.write_text(site_key("laptop").line("NBO") + "\n" + recipient_line(site_identity("laptop"), "NBO") + "\n")
    capsys.readouterr()
    assert main(["--db", as_staff, "keys", "trust", str(laptop), "--site", "NBO"]) == 2
    err = capsys.readouterr().err
    assert "your database role may not do this" in err and "administrator" in err and len(err.splitlines()) == 1
    assert main(["--db", fresh_target, "keys", "trust", str(laptop), "--site", "NBO"]) == 0  # the owner may
    capsys.readouterr()
    kid = site_key("laptop").id
    assert main(["--db", as_staff, "keys", "revoke", kid]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "your database role may not do this" in err  # no success said before the refusal


def test_only_the_owner_grants_and_only_a_role_that_exists(store: Store, fresh_target: str,
                                                           app_role: tuple[str, str],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    role, as_staff = app_role
    assert main(["--db", fresh_target, "db", "grant", role]) == 0
    capsys.readouterr()
    # A staff member's GRANT would only warn and grant nothing: refused, saying who may.
    assert main(["--db", as_staff, "db", "grant", role]) == 2
    assert "only the database's owner" in capsys.readouterr().err
    assert main(["--db", fresh_target, "db", "grant", "no_such_role"]) == 2
    assert "there is no role 'no_such_role'" in capsys.readouterr().err


def test_granting_needs_a_database_with_roles(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db_path), "init", "--site", "GVA"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db_path), "db", "grant", "staff"]) == 2
    assert "a SQLite file has no roles" in capsys.readouterr().err
