"""Case search: what a query means, the same on every database, and the calls that keep its index.

A query is split into words and a case must match every one. How a word is matched, and the index
that makes it fast, belong to the database's dialect module (`dialects.sqlite`: an FTS5 trigram
index brought up to date at the end of every write transaction; `dialects.postgresql`: a scan)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from dtlab.db import dialects
from dtlab.db.search_terms import words


def search_condition(bind: Any, query: str) -> ColumnElement[Any] | None:
    """A condition on `cases` that keeps the rows matching every word of `query` (None for a
    query of no words); `bind` names the database (see `dialects.name_of`)."""
    found = words(query)
    return dialects.of(bind).search_condition(found) if found else None


def refresh_index(session: Session) -> None:
    """Index what the change log recorded since the last refresh (where the database has an index)."""
    dialects.of(session).refresh_search(session)


def rebuild_index(session: Session) -> None:
    """Index every case and note again (after reference data such as country names changed)."""
    dialects.of(session).rebuild_search(session)
