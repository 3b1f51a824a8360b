"""Sync bookkeeping: trusted keys, peer vectors, bundles, conflicts

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "trusted_keys",
        sa.Column("key_id", TEXT(), nullable=False),
        sa.Column("site_code", TEXT(), nullable=False),
        sa.Column("public_key", TEXT(), nullable=False),
        sa.Column("added_at", WHEN(), nullable=False),
        sa.Column("revoked_at", WHEN(), nullable=True),
        sa.PrimaryKeyConstraint("key_id"),
    )
    op.create_index("ix_trusted_keys_site_code", "trusted_keys", ["site_code"])
    op.create_table(
        "peer_vectors",
        sa.Column("peer", TEXT(), nullable=False),
        sa.Column("origin", TEXT(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("peer", "origin"),
    )
    op.create_table(
        "bundles",
        sa.Column("id", TEXT(), nullable=False),
        sa.Column("direction", TEXT(), nullable=False),
        sa.Column("peer", TEXT(), nullable=False),
        sa.Column("at", WHEN(), nullable=False),
        sa.Column("operations", sa.Integer(), nullable=False),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("conflicts", sa.Integer(), nullable=False),
        sa.Column("release", sa.Integer(), nullable=False),
        sa.Column("file", TEXT(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_name", TEXT(), nullable=False),
        sa.Column("row_id", TEXT(), nullable=False),
        sa.Column("case_id", TEXT(), nullable=True),
        sa.Column("field", TEXT(), nullable=False),
        sa.Column("base", sa.JSON(), nullable=True),
        sa.Column("local", sa.JSON(), nullable=True),
        sa.Column("incoming", sa.JSON(), nullable=True),
        sa.Column("winner", TEXT(), nullable=False),
        sa.Column("local_actor", TEXT(), nullable=True),
        sa.Column("local_at", WHEN(), nullable=True),
        sa.Column("incoming_actor", TEXT(), nullable=False),
        sa.Column("incoming_at", WHEN(), nullable=False),
        sa.Column("incoming_origin", TEXT(), nullable=False),
        sa.Column("incoming_seq", sa.BigInteger(), nullable=False),
        sa.Column("bundle_id", TEXT(), nullable=False),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.Column("resolved_at", WHEN(), nullable=True),
        sa.Column("resolution", TEXT(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_conflicts_row_id", "conflicts", ["row_id"])


def downgrade() -> None:
    op.drop_index("ix_conflicts_row_id", table_name="conflicts")
    op.drop_table("conflicts")
    op.drop_table("bundles")
    op.drop_table("peer_vectors")
    op.drop_index("ix_trusted_keys_site_code", table_name="trusted_keys")
    op.drop_table("trusted_keys")
