"""Every difference between the databases dtlab runs on, behind one seam.

dtlab runs on SQLite (a file on a laptop) and is to run on PostgreSQL (HQ, several staff at
once). Whatever differs between them lives in one module per dialect, `sqlite.py` and
`postgresql.py`, each providing the members of `DatabaseKind`: connection set-up and the write
lock, trigger DDL, the search index and how a word is matched, sort keys, date arithmetic,
backups and what a driver's error means. The rest of dtlab asks `of(session_or_engine)` for the
module of its database and never names a dialect itself (a test checks the source).

This package's `__init__` imports no SQLAlchemy: the terminal UI reads the case list's first page
through it (`read_first_page`) before SQLAlchemy has loaded.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from dtlab.errors import StoreError
from dtlab.i18n import N_, Translated, _

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager
    from datetime import datetime

    from sqlalchemy import ColumnElement, Engine
    from sqlalchemy.orm import Session

    from dtlab.db.figures import FirstDashboard
    from dtlab.db.guards import Refusal
    from dtlab.db.listing import FirstPage

# The dialects dtlab has a module for, by SQLAlchemy's name for them.
MODULES = {"sqlite": "dtlab.db.dialects.sqlite", "postgresql": "dtlab.db.dialects.postgresql"}
# The execution option that marks a write transaction: each dialect takes its write lock at its
# start (see `db.engine.write_session`).
WRITE_OPTION = "dtlab_write"
# A write's own options: what it is, as another writer waiting for it reads it ("an import by
# amina"); whom to tell that it must wait, and for whom; how long it waits at most.
DOING_OPTION = "dtlab_doing"
WAITING_OPTION = "dtlab_on_wait"
LOCK_WAIT_OPTION = "dtlab_lock_wait"


class UnsupportedDatabase(StoreError):
    """A database of a kind dtlab does not run on, or a feature its module does not have yet."""


class LockWaitedTooLong(StoreError):
    """Another writer held the write lock longer than a write would wait: nothing was written."""

    def __init__(self, holder: str, seconds: float):
        super().__init__(_("the database is busy: {holder} held it for more than {seconds} s, and nothing was saved; "
                           "try again when it has finished").format(holder=holder, seconds=f"{seconds:g}"))
        self.holder = holder


# What a write calls itself (`Store.write`'s `doing`, then "by" its actor): English, for it reaches
# the writer waiting through the database server (PostgreSQL's application_name), who may read
# another language; worded by `holder_words` where it is read.
DOINGS = Translated({"a save": N_("a save by {actor}"), "an import": N_("an import by {actor}")})


def holder_words(named: str, since: datetime | None = None) -> str:
    """The write holding the lock, as it named itself ("an import by amina"), in the language in use,
    with the time it started ("an import by amina (since 10:42 UTC)")."""
    doing, by, actor = named.partition(" by ")
    words = DOINGS[doing].format(actor=actor) if by and doing in DOINGS else named
    if since is None:
        return words
    return _("{holder} (since {time} UTC)").format(holder=words, time=f"{since:%H:%M}")


class DatabaseKind(Protocol):
    """What each dialect module provides (`sqlite.py`, `postgresql.py`)."""

    NAME: str  # SQLAlchemy's name of the dialect
    BATCH_MIGRATIONS: bool  # Alembic rebuilds tables to alter them (render_as_batch)
    UPGRADE_ON_OPEN: bool  # a client may migrate the database when it opens it
    MISSING_DRIVER: str  # how to install the driver, said when it is missing
    DRIVER_ERRORS: tuple[type[Exception], ...]  # raw driver errors that can escape SQLAlchemy
    BIND_MARKER: str  # the driver's placeholder, for statements written by hand for speed
    BINDS_PER_STATEMENT: int  # how many values one such statement binds at most

    # --- engines and transactions
    def make_engine(self, url: str, json_serializer: Callable[[Any], str]) -> Engine: ...
    def read_options(self) -> dict[str, Any]: ...  # execution options of a read session
    def for_bulk_work(self, session: Session) -> None: ...  # settings for an import, export, demo
    def scanning(self, session: Session) -> AbstractContextManager[None]: ...  # little memory for a scan
    def database_file(self, url: str) -> Path | None: ...  # the file, for an embedded database
    def backup_file(self, path: Path, revision: str) -> Path: ...
    def means_damaged(self, message: str) -> bool: ...  # the driver's message says "not a database"

    # --- DDL the migrations run
    def create_refusals(self, refusals: list[Refusal]) -> list[str]: ...
    def drop_refusals(self, refusals: list[Refusal]) -> list[str]: ...
    def search_ddl(self) -> list[str]: ...
    def drop_search_ddl(self) -> list[str]: ...
    def trigram_search_ddl(self) -> list[str]: ...  # migration 0013: an index 0002 did not make
    def truncate_guards(self, tables: list[str]) -> list[str]: ...  # migration 0014
    def drop_truncate_guards(self, tables: list[str]) -> list[str]: ...
    def grant_statements(self, role: str, privileges: dict[str, tuple[str, ...]]) -> list[str]: ...
    def grant_problem(self, conn: Any, role: str) -> str | None: ...  # why a grant cannot be made here
    def not_permitted(self, error: object) -> bool: ...  # the driver's error: a role's privileges
    def drop_trigram_search_ddl(self) -> list[str]: ...
    def ref_order_index_ddl(self) -> list[str]: ...
    def drop_ref_order_index_ddl(self) -> list[str]: ...
    def case_counts_triggers(self) -> list[str]: ...  # keep db/case_counts.py's table
    def drop_case_counts_triggers(self) -> list[str]: ...

    # --- queries
    def search_condition(self, words: list[str]) -> ColumnElement[Any]: ...
    def refresh_search(self, session: Session) -> None: ...
    def rebuild_search(self, session: Session) -> None: ...
    def position(self, text: Any, fragment: Any) -> ColumnElement[Any]: ...
    def sort_text(self, column: Any) -> ColumnElement[Any]: ...  # text, sorted byte by byte
    def reporting_year_end(self, start: str, year: str) -> str: ...

    # --- reading the change log for an export
    def stored_text(self, column: ColumnElement[Any]) -> ColumnElement[str]: ...  # as stored, no conversion
    def unindexed(self, column: ColumnElement[Any]) -> ColumnElement[Any]: ...  # keep the planner off its index


def for_dialect(name: str) -> DatabaseKind:
    """The module of the dialect SQLAlchemy calls `name`; a clear refusal for any other."""
    module = MODULES.get(name)
    if module is None:
        raise UnsupportedDatabase(_("dtlab does not run on {name} databases (it runs on SQLite and PostgreSQL)").format(
            name=name))
    seam: DatabaseKind = importlib.import_module(module)
    return seam


def name_of(bind: Any) -> str:
    """SQLAlchemy's name of the dialect of a dialect name, Dialect, Engine, Connection, Session or
    Alembic migration context."""
    if isinstance(bind, str):
        return bind
    if hasattr(bind, "get_bind"):  # a Session
        bind = bind.get_bind()
    dialect = getattr(bind, "dialect", bind)
    return str(dialect.name)


def of(bind: Any) -> DatabaseKind:
    """The module of the database behind `bind` (see `name_of` for what it may be)."""
    return for_dialect(name_of(bind))


def backend_of(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).get_backend_name()


def for_url(url: str) -> DatabaseKind:
    return for_dialect(backend_of(url))


def database_url(target: str | Path) -> str:
    """A URL from what a user typed: a URL is kept, anything else is a SQLite file's path."""
    text = str(target)
    if text.startswith("postgres://"):  # libpq's short form, which hosting services hand out
        return "postgresql://" + text.removeprefix("postgres://")
    if "://" in text:
        return text
    from dtlab.db.dialects import sqlite

    return sqlite.url_of_file(Path(text))


def database_file(url: str) -> Path | None:
    """The file of an embedded database (a SQLite file); None for a server or memory."""
    backend = backend_of(url)
    return for_dialect(backend).database_file(url) if backend in MODULES else None


def read_first_page(target: str, limit: int) -> FirstPage | None:
    """The case list's first page, read without SQLAlchemy where the database allows it (a SQLite
    file at this dtlab's schema, see `sqlite_first_page`); None otherwise."""
    from dtlab.db.dialects.sqlite_first_page import read_first_page as read

    return read(target, limit)


def read_first_dashboard(target: str, recent: int) -> FirstDashboard | None:
    """The dashboard's figures, read without SQLAlchemy where the database allows it (as
    `read_first_page`); None otherwise."""
    from dtlab.db.dialects.sqlite_first_page import read_first_dashboard as read

    return read(target, recent)


if TYPE_CHECKING:  # mypy holds each module to the protocol; nothing is imported at run time
    from dtlab.db.dialects import postgresql, sqlite

    _MODULES: tuple[DatabaseKind, ...] = (sqlite, postgresql)


def stored_time_iso(stored: str) -> str:
    """A time as `stored_text` reads it on either database ("2026-11-23 09:15:02.000000", UTC)
    written the way the change log's JSON writes times ("2026-11-23T09:15:02+00:00"), without a
    round trip through datetime."""
    text = stored[:10] + "T" + stored[11:19]
    micro = stored[20:26]
    return f"{text}.{micro}+00:00" if micro and micro != "000000" else f"{text}+00:00"
