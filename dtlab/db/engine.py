"""Engines and sessions. What differs between databases (connection settings, the write lock,
snapshot reads) is the dialect module's (`db/dialects`); this module is the same for all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlmodel import Session

from dtlab.db import dialects
from dtlab.db.changelog import install_log_hooks
from dtlab.db.columns import compact_json
from dtlab.db.dialects import DOING_OPTION, LOCK_WAIT_OPTION, WAITING_OPTION, WRITE_OPTION

# How long a write waits for another's write lock before it gives up: long enough for a large
# import to finish (a 100k-case bundle takes a minute or two at HQ), short of forever.
LOCK_WAIT_SECONDS = 300.0

__all__ = ["WRITE_OPTION", "DtlabSession", "make_engine", "read_session", "write_session"]


class DtlabSession(Session):
    """dtlab's own session: the change log's hooks listen to this class only, so a plain
    SQLModel or SQLAlchemy session elsewhere in the process is none of the log's business."""


def make_engine(url: str) -> Engine:
    """An engine for `url`, set up by its dialect's module (an unknown kind of database is
    refused with `dialects.UnsupportedDatabase`)."""
    engine = dialects.for_url(url).make_engine(url, json_serializer=compact_json)
    install_log_hooks(DtlabSession)
    return engine


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    options = dialects.of(engine).read_options()
    with DtlabSession(engine.execution_options(**options) if options else engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session(engine: Engine, doing: str = "", on_wait: Callable[[str], None] | None = None,
                  lock_wait: float = LOCK_WAIT_SECONDS) -> Iterator[Session]:
    """A session whose transaction takes the write lock at its start and commits at the end.
    `doing` says what it is to a writer that must wait for it; `on_wait(holder)` hears, before
    this one waits, what holds the lock (where the database can tell); after `lock_wait`
    seconds the write gives up (`dialects.LockWaitedTooLong`)."""
    options = {WRITE_OPTION: True, DOING_OPTION: doing, WAITING_OPTION: on_wait, LOCK_WAIT_OPTION: lock_wait}
    with DtlabSession(engine.execution_options(**options), expire_on_commit=False) as session, session.begin():
        yield session
