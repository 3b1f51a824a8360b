"""Fresh PostgreSQL databases for the tests that run on both databases, cloned from a migrated
template as the SQLite ones are copied from theirs (`database.fresh_database`).

The server is named by $DTLAB_TEST_POSTGRESQL (a SQLAlchemy URL to any database on it, as
`tools/pg_local.py start` prints). Without it, those tests are skipped, unless
$DTLAB_REQUIRE_POSTGRESQL is set (CI sets it): then they fail, so that a server CI could not
start never passes for a suite that ran."""

from __future__ import annotations

import itertools
import os
import uuid

import pytest

from dtlab.db.store import Store

_template: str | None = None
_made = itertools.count()


def server_url() -> str:
    url = os.environ.get("DTLAB_TEST_POSTGRESQL")
    if not url:
        if os.environ.get("DTLAB_REQUIRE_POSTGRESQL"):
            pytest.fail("DTLAB_REQUIRE_POSTGRESQL is set but DTLAB_TEST_POSTGRESQL names no server")
        pytest.skip("DTLAB_TEST_POSTGRESQL names no server")
    return url


def _url_of(name: str) -> str:
    base = server_url()
    return base.rsplit("/", 1)[0] + "/" + name


def _admin(sql: str) -> None:
    import psycopg

    plain = _url_of("postgres").replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]  (names made here, never from outside)


def _make_template() -> str:
    """A migrated database with the reference data loaded, no site: made once per test process."""
    global _template
    if _template is None:
        name = f"dtlab_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        _admin(f"CREATE DATABASE {name}")
        url = _url_of(name)
        Store.upgrade_schema(url)
        Store.open(url, "template").close()
        _template = name
    return _template


def fresh_pg_database() -> tuple[str, str]:
    """(URL, name) of a new database cloned from this process's template."""
    template = _make_template()
    name = f"dtlab_t_{os.getpid()}_{next(_made)}_{uuid.uuid4().hex[:6]}"
    _admin(f"CREATE DATABASE {name} TEMPLATE {template}")
    return _url_of(name), name


_clones: list[str] = []


def clone_database(name: str) -> str:
    """The URL of a copy of database `name` (no one may be connected to it meanwhile), dropped
    with this process's template at the end of the run."""
    copy = f"dtlab_c_{os.getpid()}_{next(_made)}_{uuid.uuid4().hex[:6]}"
    _admin(f"CREATE DATABASE {copy} TEMPLATE {name}")
    _clones.append(copy)
    return _url_of(copy)


def drop_database(name: str) -> None:
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def drop_template() -> None:
    global _template
    while _clones:
        drop_database(_clones.pop())
    if _template is not None:
        drop_database(_template)
        _template = None
