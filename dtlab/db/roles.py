"""The application's role on a shared database: what HQ staff may do through dtlab, and nothing
more (docs/hq-postgresql.md, "Roles").

The database's owner runs the migrations. Staff connect through a role granted only what dtlab's
own writes need: rows are inserted and updated, never deleted (a case is withdrawn or tombstoned,
never removed), the change log only grows, and no table can be truncated. So raw SQL typed by a
staff member cannot delete history even where the guards would not see it, and the guards stand
behind these grants for the owner too. Reference data is the one exception: a newer dtlab
reloads it and deletes what a seed no longer holds. Whom the site trusts is the administrator's:
staff read it."""

from __future__ import annotations

from sqlalchemy import Connection, inspect

from dtlab.db import dialects
from dtlab.db.models import ChangeLog, SiteRecipient, TrustedKey
from dtlab.db.reference import reference_tables
from dtlab.errors import StoreError

# Read-only to staff: the schema's revision (the owner's, by `db upgrade`), and whom the site
# trusts and seals to (the administrator's, by `keys trust` and `keys revoke`): a staff member's
# raw UPDATE there would let forged bundles in, or redirect HQ's sealed bundles to their own key.
READ_ONLY = frozenset({"alembic_version", str(TrustedKey.__tablename__), str(SiteRecipient.__tablename__)})


def application_privileges(conn: Connection) -> dict[str, tuple[str, ...]]:
    """Each table of the database and the privileges the application's role gets on it."""
    reference = reference_tables()
    out: dict[str, tuple[str, ...]] = {}
    for table in sorted(inspect(conn).get_table_names()):
        if table in READ_ONLY:
            out[table] = ("SELECT",)
        elif table == ChangeLog.__tablename__:
            out[table] = ("SELECT", "INSERT")  # append-only
        elif table in reference:
            out[table] = ("SELECT", "INSERT", "UPDATE", "DELETE")
        else:
            out[table] = ("SELECT", "INSERT", "UPDATE")
    return out


def grant_application_role(conn: Connection, role: str) -> dict[str, tuple[str, ...]]:
    """Give `role` exactly the application's privileges (taking back any others it had on
    dtlab's tables); returns them. Run by the owner, again after each `db upgrade`."""
    kind = dialects.of(conn)
    problem = kind.grant_problem(conn, role)
    if problem:
        raise StoreError(problem)
    privileges = application_privileges(conn)
    for stmt in kind.grant_statements(role, privileges):
        conn.exec_driver_sql(stmt)
    return privileges
