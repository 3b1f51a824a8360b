"""The first screen's data, read with the standard library's sqlite3 before SQLAlchemy has
loaded: the case list's first page, or the dashboard's figures. The terminal UI shows real rows
or figures as soon as it is drawn and opens the full store while the user reads them
(SQLAlchemy, SQLModel and the models take longer to import than Textual).

Only a SQLite file already at this dtlab's schema and with its site is read this way. Anything
else (no file yet, a migration to run, a URL, a damaged file) gives None, and the UI opens the
store first, as it always did, with its checks and its messages.

The query is `cases.list_cases` for no filter, sorted by ref, written out; a test holds the two
to the same rows. It is SQLite's by nature (the standard library's driver, a file), so it lives
with the SQLite dialect; `dialects.read_first_page` is how the terminal UI asks for it."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from dtlab.db import case_counts
from dtlab.db.figures import FirstDashboard, assemble
from dtlab.db.head import SCHEMA_HEAD
from dtlab.db.listing import LIST_FIELDS, FirstPage

_ROWS = (
    "SELECT cases.ref, cases.title, cases.country, cases.region, cases.stage, cases.status, "
    "cases.proposed_type, organisations.name, cases.assignee, cases.received_on, cases.updated_at, "
    # The columns of LIST_FIELDS, then the sort keys of `cases.ref_order`, in the very form of
    # the index of migration 0004 (`sqlite.REF_ORDER_INDEX`).
    "substr(cases.ref, 1, instr(cases.ref, '-') + 4) AS k0, length(cases.ref) AS k1, cases.ref AS k2 "
    "FROM cases LEFT OUTER JOIN organisations ON organisations.id = cases.applicant_id "
    "WHERE cases.deleted_at IS NULL ORDER BY k0, k1, k2 LIMIT ?"
)


def _sqlite_file(target: str) -> Path | None:
    if "://" not in target:
        return Path(target).expanduser()
    prefix = "sqlite:///"
    return Path(target[len(prefix):]) if target.startswith(prefix) and "?" not in target else None


def _row(values: tuple[Any, ...]) -> dict[str, Any]:
    row = dict(zip(LIST_FIELDS, values[: len(LIST_FIELDS)], strict=True))
    if row["received_on"] is not None:
        row["received_on"] = date.fromisoformat(row["received_on"])
    if row["updated_at"] is not None:
        # Stored as UTC without an offset; the models read it back aware, and so does this.
        row["updated_at"] = datetime.fromisoformat(row["updated_at"]).replace(tzinfo=timezone.utc)
    row["position"] = tuple(values[len(LIST_FIELDS):])
    return row


def _site_file(target: str) -> tuple[sqlite3.Connection, dict[str, str], Path] | None:
    """A connection to the database, its site's id and code and its path; None unless it is a
    SQLite file at this dtlab's schema with its site."""
    path = _sqlite_file(target)
    if path is None or not path.is_file():
        return None
    try:
        # mode=rw: never create a file; nothing is written.
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=2.0)
    except sqlite3.Error:
        return None
    try:
        (revision,) = con.execute("SELECT version_num FROM alembic_version").fetchone() or (None,)
        meta = dict(con.execute("SELECT key, value FROM meta WHERE key IN ('site_id', 'site_code')").fetchall())
    except sqlite3.Error:
        con.close()
        return None
    if revision != SCHEMA_HEAD or not meta.get("site_id") or not meta.get("site_code"):
        con.close()
        return None
    return con, meta, path.resolve()


def read_first_page(target: str, limit: int) -> FirstPage | None:
    """The first `limit` cases by ref, or None when the database is not one this reader may read
    (see the module's docstring). Not how many there are: counting takes time that grows with
    the database, and the list counts once the store is open."""
    opened = _site_file(target)
    if opened is None:
        return None
    con, meta, path = opened
    try:
        rows = [_row(values) for values in con.execute(_ROWS, (limit,))]
        return FirstPage(meta["site_id"], meta["site_code"], str(path), rows)
    except (sqlite3.Error, ValueError):
        return None  # the store's own open says what is wrong, in its words
    finally:
        con.close()


_RECENT = ("SELECT change_log.at, change_log.actor, change_log.table_name, change_log.op, cases.ref "
           "FROM change_log LEFT OUTER JOIN cases ON cases.id = change_log.case_id "
           "WHERE change_log.case_id IS NOT NULL "  # as `queries.dashboard`: the changes of cases
           "ORDER BY change_log.at DESC, change_log.id DESC LIMIT ?")
_CONFLICTS = "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL"


def _moment(stored: str) -> datetime:
    """A stored time (UTC, without an offset), aware, as the models read it back."""
    return datetime.fromisoformat(stored).replace(tzinfo=timezone.utc)


def read_first_dashboard(target: str, recent: int) -> FirstDashboard | None:
    """The dashboard's figures, or None when the database is not one this reader may read. Not
    the cases waiting longest: at a million cases that read takes longer than all the rest, and
    the store's read brings them a moment later."""
    opened = _site_file(target)
    if opened is None:
        return None
    con, meta, path = opened
    try:
        counts = con.execute(case_counts.READ).fetchall()  # as `queries.dashboard` reads them
        latest = [{"at": _moment(at), "actor": actor, "table": table, "op": op, "ref": ref}
                  for at, actor, table, op, ref in con.execute(_RECENT, (recent,))]
        (conflicts,) = con.execute(_CONFLICTS).fetchone()
        return FirstDashboard(meta["site_id"], meta["site_code"], str(path), assemble(counts, None, latest),
                              conflicts)
    except (sqlite3.Error, ValueError, TypeError):
        return None  # the store's own open says what is wrong, in its words
    finally:
        con.close()
