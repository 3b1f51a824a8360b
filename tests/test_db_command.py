"""`dtlab db`: a shared PostgreSQL database is upgraded only when its administrator asks, never
by a client that opens it; a laptop's SQLite file is upgraded on open, and can be asked too."""

from __future__ import annotations

from pathlib import Path

import pytest

from dtlab.db.head import SCHEMA_HEAD
from dtlab.launch import main

pytestmark = [pytest.mark.functional, pytest.mark.both_databases]


@pytest.fixture
def blank(database_kind: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """An empty database: a new file, or a new database on the server (no tables at all)."""
    if database_kind == "sqlite":
        yield str(tmp_path / "new.db")
        return
    from tests.helpers.postgres import create_database, drop_database, unique_name

    name = unique_name("blank")
    yield create_database(name)
    drop_database(name)


def dtlab(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_an_empty_database_is_made_by_db_upgrade_and_said_by_db_status(
        blank: str, database_kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    if database_kind == "postgresql":
        code, out, err = dtlab(capsys, "--db", blank, "cases")
        assert code != 0 and out == ""
        assert "schema none" in err and "dtlab db upgrade" in err and len(err.strip().splitlines()) == 1
    else:
        assert dtlab(capsys, "--db", blank, "db", "status")[1] == (
            f"schema none; this dtlab writes {SCHEMA_HEAD}: not a dtlab database yet: "
            "`dtlab db upgrade` makes its tables\n")
        assert not Path(blank).exists()  # asking made no file
    code, out, _err = dtlab(capsys, "--db", blank, "db", "upgrade")
    assert code == 0 and out == f"schema none → {SCHEMA_HEAD}\n"
    assert dtlab(capsys, "--db", blank, "db", "upgrade")[1] == f"schema {SCHEMA_HEAD}: up to date, nothing to do\n"
    assert dtlab(capsys, "--db", blank, "db", "status")[1] == (
        f"schema {SCHEMA_HEAD}; this dtlab writes {SCHEMA_HEAD}: up to date\n")
    assert dtlab(capsys, "--db", blank, "init", "--site", "HQ")[0] == 0
    assert dtlab(capsys, "--db", blank, "case", "new", "--title", "Smart villages", "--country", "KE")[0] == 0
    code, out, _err = dtlab(capsys, "--db", blank, "cases", "--format", "tsv")
    assert code == 0 and "Smart villages" in out


def test_a_database_of_a_newer_dtlab_is_refused_by_db_upgrade_untouched(
        blank: str, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlalchemy as sa

    assert dtlab(capsys, "--db", blank, "db", "upgrade")[0] == 0
    from dtlab.db.engine import make_engine

    engine = make_engine(blank if "://" in blank else f"sqlite:///{blank}")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    code, out, err = dtlab(capsys, "--db", blank, "db", "upgrade")
    assert code != 0 and "schema 9999, written by a newer dtlab" in err
    assert dtlab(capsys, "--db", blank, "db", "status")[1] == (
        f"schema 9999; this dtlab writes {SCHEMA_HEAD}: newer, written by a newer dtlab: upgrade dtlab to use it\n")
