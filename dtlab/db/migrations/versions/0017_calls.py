"""Calls for expressions of interest

A site's calls are synchronised records (`calls`); the reference data's (the first call, 2023)
sit in `ref_call`. A case names the call it answers by ref, with the reason a late expression of
interest is taken.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from dtlab.db import dialects
from dtlab.db.guards import guards, row_guards

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

NEW_SYNCED = {"calls": False}


def _call_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("regions", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("centre_types", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("opens_on", sa.Date(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("announcement", sa.Text(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("change_id", sa.BigInteger(), nullable=False),
        *_call_columns(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
    )
    op.create_table(
        "ref_call",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *_call_columns(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
    )
    op.add_column("cases", sa.Column("call_ref", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True))
    op.add_column("cases", sa.Column("late_reason", sa.Text(), nullable=True))
    op.create_index("ix_cases_call_ref", "cases", ["call_ref"])
    ddl = dialects.of(op.get_bind())
    for stmt in ddl.create_refusals(guards(NEW_SYNCED)) + ddl.truncate_guards(list(NEW_SYNCED)):
        op.execute(stmt)


def downgrade() -> None:
    ddl = dialects.of(op.get_bind())
    # The table's truncate trigger, not the function the older tables' triggers share.
    triggers = [s for s in ddl.drop_truncate_guards(list(NEW_SYNCED)) if not s.startswith("DROP FUNCTION")]
    for stmt in triggers + ddl.drop_refusals(row_guards(NEW_SYNCED)):
        op.execute(stmt)
    op.drop_index("ix_cases_call_ref", table_name="cases")
    # In place (SQLite 3.35+): a batch rebuild would drop the table's triggers and indexes.
    op.execute("ALTER TABLE cases DROP COLUMN late_reason")
    op.execute("ALTER TABLE cases DROP COLUMN call_ref")
    op.drop_table("ref_call")
    op.drop_table("calls")
