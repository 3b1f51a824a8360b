"""What a search query means on every database: its words, and the plain scan of refs and titles
that the dialects use for short words. Kept apart from `search` (which dispatches to the
dialect) so the dialect modules can use it without importing their caller."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlmodel import col

from dtlab.db.models import Case


def words(query: str) -> list[str]:
    return [w for w in query.split() if w]


def contains(word: str) -> str:
    """A LIKE pattern for `word` anywhere, with LIKE's own wildcards taken literally."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def in_ref_or_title(word: str) -> ColumnElement[Any]:
    """The word anywhere in the case's ref or title, regardless of case: a scan of the table."""
    pattern = contains(word)
    return or_(col(Case.ref).ilike(pattern, escape="\\"), col(Case.title).ilike(pattern, escape="\\"))
