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
from typing import Any

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


def url_of(name: str) -> str:
    """The URL of database `name` on the test server."""
    return server_url().rsplit("/", 1)[0] + "/" + name


def _admin(statement: Any) -> None:
    import psycopg

    with psycopg.connect(url_of("postgres").replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(statement)


def create_database(name: str, template: str | None = None) -> str:
    """A new database (a copy of `template`, none connected to it meanwhile); its URL."""
    from psycopg import sql

    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
    _admin(statement)
    return url_of(name)


def unique_name(kind: str) -> str:
    """A database name no other test process or earlier run uses."""
    return f"dtlab_{kind}_{os.getpid()}_{next(_made)}_{uuid.uuid4().hex[:6]}"


def _make_template() -> str:
    """A migrated database with the reference data loaded, no site: made once per test process."""
    global _template
    if _template is None:
        name = unique_name("tpl")
        url = create_database(name)
        Store.upgrade_schema(url)
        Store.open(url, "template").close()
        _template = name
    return _template


def fresh_pg_database() -> tuple[str, str]:
    """(URL, name) of a new database cloned from this process's template."""
    name = unique_name("t")
    return create_database(name, _make_template()), name


_clones: list[str] = []


def clone_database(name: str) -> str:
    """The URL of a copy of database `name` (no one may be connected to it meanwhile), dropped
    with this process's template at the end of the run."""
    copy = unique_name("c")
    _clones.append(copy)
    return create_database(copy, name)


def drop_database(name: str) -> None:
    from psycopg import sql

    _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def drop_template() -> None:
    global _template
    while _clones:
        drop_database(_clones.pop())
    if _template is not None:
        drop_database(_template)
        _template = None
