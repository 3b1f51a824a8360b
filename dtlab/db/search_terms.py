"""What a search query means on every database: its words, and the plain scan of refs and titles
that the dialects use for short words. Kept apart from `search` (which dispatches to the
dialect) so the dialect modules can use it without importing their caller."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, literal, or_, select, text
from sqlalchemy.orm import Session
from sqlmodel import col

from dtlab.db.models import Case, Country


def words(query: str) -> list[str]:
    return [w for w in query.split() if w]


def _literal(word: str) -> str:
    """`word` in a LIKE pattern, its wildcards taken literally."""
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(word: str) -> str:
    """A LIKE pattern for `word` anywhere, with LIKE's own wildcards taken literally."""
    return "%" + _literal(word) + "%"


def in_ref_or_title(word: str) -> ColumnElement[Any]:
    """The word anywhere in the case's ref or title, regardless of case: a scan of the table."""
    pattern = contains(word)
    return or_(col(Case.ref).ilike(pattern, escape="\\"), col(Case.title).ilike(pattern, escape="\\"))


def in_short_fields(word: str) -> ColumnElement[Any]:
    """A word too short for a trigram ("AI", "5G", "中国"): in the case's ref or title, its
    country's code, or one of its country's names whole, in any of the six languages (a Chinese
    name is often two characters). The names are a small table's: a scan of it costs nothing."""
    whole_name = (literal("\n") + col(Country.names) + literal("\n")).ilike(
        "%\n" + _literal(word) + "\n%", escape="\\")
    return or_(in_ref_or_title(word), col(Case.country) == word.upper(),
               col(Case.country).in_(select(col(Country.code)).where(whole_name)))


# Each database's search index is derived data, brought up to date from the change log at the end
# of every write transaction. The meta key holds the last change-log id the index reflects.
MARK_KEY = "search_indexed_to"
# The cases to index again since that mark (bound as :mark): those whose own fields changed, and
# those whose applicant organisation changed.
CHANGED_CASES = (
    "SELECT row_id FROM change_log WHERE id > :mark AND table_name = 'cases' "
    "UNION SELECT c.id FROM cases c JOIN change_log l ON l.row_id = c.applicant_id "  # i18n: not shown (SQL)
    "WHERE l.id > :mark AND l.table_name = 'organisations' AND l.op <> 'insert'"
)


def _mark(session: Session) -> int | None:
    """The last change-log id the index reflects; None when there is no index (a schema before it)."""
    row = session.execute(text("SELECT value FROM meta WHERE key = :k"), {"k": MARK_KEY}).first()
    return None if row is None else int(row[0])


def pending(session: Session) -> tuple[int, int] | None:
    """(the index's mark, the change log's newest id) when the log has gone past the mark; None
    when the index is current, or does not exist."""
    mark = _mark(session)
    if mark is None:
        return None
    top = int(session.execute(text("SELECT coalesce(max(id), 0) FROM change_log")).scalar_one())
    return (mark, top) if top > mark else None


def set_mark(session: Session, top: int) -> None:
    session.execute(text("UPDATE meta SET value = :top WHERE key = :k"), {"top": str(top), "k": MARK_KEY})


def has_index(session: Session) -> bool:
    return _mark(session) is not None
