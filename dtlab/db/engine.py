"""Engines and sessions. What differs between databases (connection settings, the write lock,
snapshot reads) is the dialect module's (`db/dialects`); this module is the same for all."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from dtlab.db import dialects
from dtlab.db.dialects import WRITE_OPTION

__all__ = ["WRITE_OPTION", "compact_json", "make_engine", "read_session", "write_session"]


def compact_json(value: Any) -> str:
    # The change log holds every value ever written: no spaces, no \u escapes for non-ASCII text.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def make_engine(url: str) -> Engine:
    """An engine for `url`, set up by its dialect's module (an unknown kind of database is
    refused with `dialects.UnsupportedDatabase`)."""
    return dialects.for_url(url).make_engine(url, json_serializer=compact_json)


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    options = dialects.of(engine).read_options()
    with Session(engine.execution_options(**options) if options else engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session whose transaction takes the write lock at its start and commits at the end."""
    with Session(engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False) as session, \
            session.begin():
        yield session
