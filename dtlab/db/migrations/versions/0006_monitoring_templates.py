"""Monitoring-plan templates per centre type, as reference data

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ref_template_item",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("centre_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title_en", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("targets", sa.JSON(), nullable=True),
        sa.Column("anchor", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("months", sa.Integer(), nullable=True),
        sa.Column("task", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ref_template_item_centre_type", "ref_template_item", ["centre_type"])


def downgrade() -> None:
    op.drop_index("ix_ref_template_item_centre_type", table_name="ref_template_item")
    op.drop_table("ref_template_item")
    op.execute("DELETE FROM ref_version WHERE name = 'monitoring_templates.toml'")  # reloaded on the next upgrade
