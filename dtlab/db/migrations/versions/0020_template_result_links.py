"""Monitoring-plan templates link their results up the chain

A template's result may name the result of its template it contributes to (`parent`: that
result's position in the template), so that a plan made from the template starts with its
outputs linked to outcomes and its outcomes to an impact, as a plan edited by hand would be.

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A reference table (no change-log guards): a plain ADD COLUMN; the seed fills it when the
    # next dtlab opens the database (the templates' seed has a new version).
    op.add_column("ref_template_item", sa.Column("parent", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE ref_template_item DROP COLUMN parent")
    op.execute("DELETE FROM ref_version WHERE name = 'monitoring_templates.toml'")  # reloaded on the next upgrade
