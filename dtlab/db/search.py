"""Case search through an index, behind one function per dialect.

On SQLite an FTS5 table with the trigram tokenizer indexes each case's ref, title, applicant and
country (code and name), so any fragment of three characters or more is found without scanning;
notes have a word index of their own. The index is derived data: `refresh_index` brings it up to
date from the change log at the end of every write transaction, in set-based statements, so every
write path (ORM, bulk, sync) keeps it current and a bulk load costs one pass, not a trigger per row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, literal_column, or_, text
from sqlalchemy.orm import Session
from sqlmodel import col

from dtlab.db.models import Case

FTS_TABLE = "cases_fts"
NOTES_FTS = "notes_fts"
MARK_KEY = "search_indexed_to"  # meta key: the last change-log id reflected in the index

_CASE_DOC = (
    "SELECT c.rowid, c.ref, c.title, coalesce(o.name, ''), "
    "coalesce(c.country, '') || ' ' || coalesce(k.name_en, '') "
    "FROM cases c LEFT JOIN organisations o ON o.id = c.applicant_id "
    "LEFT JOIN ref_country k ON k.code = c.country"
)
_INDEX_CASES = f"INSERT INTO {FTS_TABLE}(rowid, ref, title, applicant, country) {_CASE_DOC}"
_INDEX_NOTES = f"INSERT INTO {NOTES_FTS}(rowid, body) SELECT rowid, body FROM notes"


def sqlite_search_ddl() -> list[str]:
    """Create and fill the index (used by the migration that introduces it)."""
    return [
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(ref, title, applicant, country, tokenize='trigram')",
        # Notes are longer prose: a word index, matched by word prefix, costs a fraction of trigrams.
        f"CREATE VIRTUAL TABLE {NOTES_FTS} USING fts5(body)",
        _INDEX_CASES,
        _INDEX_NOTES,
        f"INSERT OR REPLACE INTO meta(key, value) "
        f"SELECT '{MARK_KEY}', CAST(coalesce(max(id), 0) AS TEXT) FROM change_log",
    ]


def drop_sqlite_search_ddl() -> list[str]:
    return [f"DROP TABLE IF EXISTS {FTS_TABLE}", f"DROP TABLE IF EXISTS {NOTES_FTS}",
            f"DELETE FROM meta WHERE key = '{MARK_KEY}'"]


def refresh_index(session: Session) -> None:
    """Index what the change log recorded since the last refresh (SQLite; a no-op elsewhere)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    mark_row = session.execute(text("SELECT value FROM meta WHERE key = :k"), {"k": MARK_KEY}).first()
    if mark_row is None:  # the index does not exist (schema before it)
        return
    mark = int(mark_row[0])
    top = session.execute(text("SELECT coalesce(max(id), 0) FROM change_log")).scalar_one()
    if top <= mark:
        return
    params = {"mark": mark}
    # Cases whose own fields changed, or whose applicant organisation changed.
    changed_cases = (
        "SELECT row_id FROM change_log WHERE id > :mark AND table_name = 'cases' "
        "UNION SELECT c.id FROM cases c JOIN change_log l ON l.row_id = c.applicant_id "
        "WHERE l.id > :mark AND l.table_name = 'organisations' AND l.op <> 'insert'"
    )
    session.execute(text(
        f"DELETE FROM {FTS_TABLE} WHERE rowid IN (SELECT rowid FROM cases WHERE id IN ({changed_cases}))"), params)
    session.execute(text(f"{_INDEX_CASES} WHERE c.id IN ({changed_cases})"), params)
    # Notes are append-only: new ones are added, none change.
    session.execute(text(
        f"{_INDEX_NOTES} WHERE id IN (SELECT row_id FROM change_log WHERE id > :mark "
        f"AND table_name = 'notes' AND op = 'insert')"), params)
    session.execute(text("UPDATE meta SET value = :top WHERE key = :k"), {"top": str(top), "k": MARK_KEY})


def rebuild_index(session: Session) -> None:
    """Index every case and note again (after reference data such as country names changed)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.execute(text("SELECT value FROM meta WHERE key = :k"), {"k": MARK_KEY}).first() is None:
        return
    session.execute(text(f"DELETE FROM {FTS_TABLE}"))
    session.execute(text(f"DELETE FROM {NOTES_FTS}"))
    session.execute(text(_INDEX_CASES))
    session.execute(text(_INDEX_NOTES))


def _contains(word: str) -> str:
    """A LIKE pattern for `word` anywhere, with LIKE's own wildcards taken literally."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _fts_phrase(fragment: str) -> str:
    return '"' + fragment.replace('"', '""') + '"'


def search_condition(dialect: str, query: str) -> ColumnElement[Any] | None:
    """A condition on `cases` that keeps the rows matching every word of `query`."""
    words = [w for w in query.split() if w]
    if not words:
        return None
    if dialect != "sqlite":
        like = [or_(col(Case.ref).ilike(_contains(w), escape="\\"), col(Case.title).ilike(_contains(w), escape="\\"))
                for w in words]
        return and_(*like)
    conditions: list[ColumnElement[Any]] = []
    long_words = [w for w in words if len(w) >= 3]
    if long_words:
        match = " AND ".join(_fts_phrase(w) for w in long_words)
        # A case matches on its own fields or on one of its notes.
        conditions.append(or_(
            literal_column("cases.rowid").in_(
                text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts").bindparams(fts=match)),
            Case.id.in_(  # type: ignore[attr-defined]
                text(f"SELECT notes.case_id FROM notes WHERE notes.rowid IN "
                     f"(SELECT rowid FROM {NOTES_FTS} WHERE {NOTES_FTS} MATCH :notes_fts)").bindparams(
                         notes_fts=" AND ".join(_fts_phrase(w) + "*" for w in long_words))),
        ))
    for short in (w for w in words if len(w) < 3):
        # Trigrams cannot match one or two characters ("AI", "5G"): scan the short fields instead.
        conditions.append(or_(col(Case.ref).ilike(_contains(short), escape="\\"),
                              col(Case.title).ilike(_contains(short), escape="\\"), col(Case.country) == short.upper()))
    return and_(*conditions)
