"""Monitoring plans: results, KPI years, milestones and evidence; change log by time

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from dtlab.db import dialects
from dtlab.db.guards import guards, row_guards

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

NEW_SYNCED = {"results": False, "kpi_years": False, "milestones": False, "evidence": True}
TEXT = sqlmodel.sql.sqltypes.AutoString


def _synced_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", TEXT(length=36), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by", TEXT(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("change_id", sa.BigInteger(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "results",
        *_synced_columns(),
        sa.Column("case_id", TEXT(), nullable=False),
        sa.Column("level", TEXT(), nullable=False),
        sa.Column("title", TEXT(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("priority_id", TEXT(), nullable=True),
        sa.Column("cycle", TEXT(), nullable=True),
        sa.Column("initiative_results", TEXT(), nullable=True),
        sa.Column("sdgs", TEXT(), nullable=True),
        sa.Column("task", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_results_case_id", "results", ["case_id"])
    # Plain ADD COLUMN, not a batch copy: copying the table would drop its change-log guards.
    # (Alembic will not add a column with a foreign key on SQLite; SQLite itself does.)
    op.execute("ALTER TABLE kpis ADD COLUMN result_id VARCHAR REFERENCES results (id)")
    op.add_column("kpis", sa.Column("position", sa.Integer(), nullable=True))
    op.add_column("kpis", sa.Column("task", sa.Integer(), nullable=True))
    op.create_table(
        "kpi_years",
        *_synced_columns(),
        sa.Column("case_id", TEXT(), nullable=False),
        sa.Column("kpi_id", TEXT(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("actual", sa.Float(), nullable=True),
        sa.Column("reported_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["kpi_id"], ["kpis.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kpi_id", "year", name="uq_kpi_years_year"),
    )
    op.create_index("ix_kpi_years_case_id", "kpi_years", ["case_id"])
    op.create_table(
        "milestones",
        *_synced_columns(),
        sa.Column("case_id", TEXT(), nullable=False),
        sa.Column("title", TEXT(), nullable=False),
        sa.Column("owner", TEXT(), nullable=True),
        sa.Column("status", TEXT(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("anchor", TEXT(), nullable=True),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("task", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_milestones_case_id", "milestones", ["case_id"])
    op.create_index("ix_milestones_status_due", "milestones", ["status", "due_on"])
    op.create_table(
        "evidence",
        *_synced_columns(),
        sa.Column("case_id", TEXT(), nullable=False),
        sa.Column("milestone_id", TEXT(), nullable=True),
        sa.Column("kpi_year_id", TEXT(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["milestone_id"], ["milestones.id"]),
        sa.ForeignKeyConstraint(["kpi_year_id"], ["kpi_years.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("case_id", "milestone_id", "kpi_year_id"):
        op.create_index(f"ix_evidence_{column}", "evidence", [column])
    for stmt in dialects.of(op.get_bind()).create_refusals(guards(NEW_SYNCED)):
        op.execute(stmt)
    # The dashboard's recent changes are the latest by when they happened.
    op.create_index("ix_change_log_at", "change_log", ["at"])


def downgrade() -> None:
    op.drop_index("ix_change_log_at", table_name="change_log")
    # Only these tables' guards: the change log's own stay for the older tables.
    for stmt in dialects.of(op.get_bind()).drop_refusals(row_guards(NEW_SYNCED)):
        op.execute(stmt)
    op.drop_table("evidence")
    op.drop_index("ix_milestones_status_due", table_name="milestones")
    op.drop_table("milestones")
    op.drop_table("kpi_years")
    for column in ("task", "position", "result_id"):
        op.drop_column("kpis", column)  # SQLite 3.35+ drops a column in place, keeping the guards
    op.drop_table("results")
