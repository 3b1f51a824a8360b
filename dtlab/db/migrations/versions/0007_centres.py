"""Centres and their accreditation periods

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from dtlab.db import dialects
from dtlab.db.guards import guards, row_guards

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

NEW_SYNCED = {"centres": False, "accreditations": False}


def _synced_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("change_id", sa.BigInteger(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "centres",
        *_synced_columns(),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("centre_type", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("host_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("goals", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("launch_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["host_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id"),
    )
    op.create_table(
        "accreditations",
        *_synced_columns(),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("centre_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("centre_type", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("renewal_due_on", sa.Date(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_accreditations_case_id", "accreditations", ["case_id"])
    for stmt in dialects.of(op.get_bind()).create_refusals(guards(NEW_SYNCED)):
        op.execute(stmt)


def downgrade() -> None:
    # Only these tables' guards: the change log's own stay for the older tables.
    for stmt in dialects.of(op.get_bind()).drop_refusals(row_guards(NEW_SYNCED)):
        op.execute(stmt)
    op.drop_index("ix_accreditations_case_id", table_name="accreditations")
    op.drop_table("accreditations")
    op.drop_table("centres")
