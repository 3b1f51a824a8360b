"""Concept-design evaluations against a versioned rubric: every rubric version kept, per-criterion
scores, revisions that amend a submitted evaluation, and the case's reason for a type other than
the recommended one. A submitted evaluation is locked by triggers.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from dtlab.db import dialects
from dtlab.db.guards import Refusal, guards, row_guards

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

NEW_SYNCED = {"evaluation_scores": False}

LOCKED = "dtlab: a submitted evaluation is locked; amend it as a new revision"
LOCKS = [
    Refusal("lock_submitted_evaluation", "evaluations", "UPDATE", "OLD.submitted_at IS NOT NULL", LOCKED,
            if_missing=False),
    Refusal("lock_submitted_scores_update", "evaluation_scores", "UPDATE",
            "(SELECT submitted_at FROM evaluations WHERE id = OLD.evaluation_id) IS NOT NULL", LOCKED,
            if_missing=False),
    # A score written after the submission is an edit; one written before it (arriving late, from
    # another site's log or a bulk load) is part of what was submitted.
    Refusal("lock_submitted_scores_insert", "evaluation_scores", "INSERT",
            "(SELECT submitted_at FROM evaluations WHERE id = NEW.evaluation_id) < NEW.created_at", LOCKED,
            if_missing=False),
]


def upgrade() -> None:
    op.create_table(
        "ref_rubric",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("loaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "evaluation_scores",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("change_id", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("evaluation_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("criterion", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("evaluation_id", "criterion", name="uq_evaluation_scores_criterion"),
    )
    op.create_index("ix_evaluation_scores_case_id", "evaluation_scores", ["case_id"])
    # Plain ADD COLUMN: a batch (copy-and-move) rebuild would drop the tables' guard triggers.
    for column in (
        sa.Column("rubric_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("supersedes", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("percent", sa.Float(), nullable=True),
    ):
        op.add_column("evaluations", column)
    op.add_column("cases", sa.Column("type_reason", sa.Text(), nullable=True))
    op.add_column("cases", sa.Column("cost_capacity", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    ddl = dialects.of(op.get_bind())
    for stmt in ddl.create_refusals(guards(NEW_SYNCED)) + ddl.create_refusals(LOCKS):
        op.execute(stmt)


def downgrade() -> None:
    ddl = dialects.of(op.get_bind())
    # Only this table's guards: the change log's own stay for the older tables.
    for stmt in ddl.drop_refusals(LOCKS) + ddl.drop_refusals(row_guards(NEW_SYNCED)):
        op.execute(stmt)
    op.drop_index("ix_evaluation_scores_case_id", table_name="evaluation_scores")
    op.drop_table("evaluation_scores")
    op.drop_table("ref_rubric")
    op.execute("DELETE FROM ref_version WHERE name = 'rubric.toml'")  # reloaded on the next upgrade
    # Column by column (SQLite 3.35+): a batch rebuild would drop the tables' triggers and indexes.
    for table, column in (("evaluations", "rubric_id"), ("evaluations", "revision"), ("evaluations", "supersedes"),
                          ("evaluations", "percent"), ("cases", "type_reason"), ("cases", "cost_capacity")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
