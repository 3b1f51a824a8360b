"""Sealed bundles and conflict decisions that travel

The age key each site's bundles can be encrypted to and whether a bundle was; the decisions on
conflicts, synchronised so that one decision closes the conflict on every site; and the local
side of each conflict, which with the incoming side names it on every site; the codes of the
other sites, learned from bundles.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from dtlab.db import dialects
from dtlab.db.guards import Refusal, guards, row_guards

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime
NEW_SYNCED = {"decisions": True}

# A submitted evaluation is locked against edits made at this site. An edit made at another site
# before it heard of the submission still arrives, as every site must end the same; the import
# records it as a conflict for someone to decide.
LOCAL = ("(SELECT origin FROM change_log WHERE id = NEW.change_id) = "
         "(SELECT value FROM meta WHERE key = 'site_id')")
LOCKED = "dtlab: a submitted evaluation is locked; amend it as a new revision"
LOCKS = [
    Refusal("lock_submitted_evaluation", "evaluations", "UPDATE", f"OLD.submitted_at IS NOT NULL AND {LOCAL}", LOCKED,
            if_missing=False),
    Refusal("lock_submitted_scores_update", "evaluation_scores", "UPDATE",
            f"(SELECT submitted_at FROM evaluations WHERE id = OLD.evaluation_id) IS NOT NULL AND {LOCAL}", LOCKED,
            if_missing=False),
    Refusal("lock_submitted_scores_insert", "evaluation_scores", "INSERT",
            f"(SELECT submitted_at FROM evaluations WHERE id = NEW.evaluation_id) < NEW.created_at AND {LOCAL}",
            LOCKED, if_missing=False),
]


def upgrade() -> None:
    op.create_table(
        "site_recipients",
        sa.Column("site_code", TEXT(), nullable=False),
        sa.Column("recipient", TEXT(), nullable=False),
        sa.Column("added_at", WHEN(), nullable=False),
        sa.PrimaryKeyConstraint("site_code"),
    )
    op.create_table(
        "site_names",
        sa.Column("id", TEXT(), nullable=False),
        sa.Column("code", TEXT(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # A plain ALTER: the bundles table is local bookkeeping with no change-log guards to keep.
    op.add_column("bundles", sa.Column("sealed", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("conflicts", sa.Column("local_origin", TEXT(), nullable=True))
    op.add_column("conflicts", sa.Column("local_seq", sa.BigInteger(), nullable=True))
    op.create_table(
        "decisions",
        sa.Column("id", TEXT(length=36), nullable=False),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.Column("updated_at", WHEN(), nullable=False),
        sa.Column("updated_by", TEXT(), nullable=False),
        sa.Column("deleted_at", WHEN(), nullable=True),
        sa.Column("change_id", sa.BigInteger(), nullable=False),
        sa.Column("case_id", TEXT(), nullable=True),
        sa.Column("table_name", TEXT(), nullable=False),
        sa.Column("row_id", TEXT(), nullable=False),
        sa.Column("field", TEXT(), nullable=False),
        sa.Column("seen", sa.Text(), nullable=False),
        sa.Column("resolution", TEXT(), nullable=False),
        sa.Column("site", TEXT(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_decisions_case_id", "decisions", ["case_id"])
    op.create_index("ix_decisions_row_id", "decisions", ["row_id"])
    ddl = dialects.of(op.get_bind())
    for stmt in ddl.create_refusals(guards(NEW_SYNCED)) + ddl.drop_refusals(LOCKS) + ddl.create_refusals(LOCKS):
        op.execute(stmt)


def downgrade() -> None:
    from importlib import import_module

    earlier = import_module("dtlab.db.migrations.versions.0005_evaluations")
    ddl = dialects.of(op.get_bind())
    for stmt in [*ddl.drop_refusals(LOCKS), *ddl.create_refusals(earlier.LOCKS),
                 *ddl.drop_refusals(row_guards(NEW_SYNCED))]:
        op.execute(stmt)
    op.drop_table("decisions")
    op.drop_column("conflicts", "local_seq")
    op.drop_column("conflicts", "local_origin")
    op.drop_column("bundles", "sealed")
    op.drop_table("site_names")
    op.drop_table("site_recipients")
