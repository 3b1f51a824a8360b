"""Index open cases by the time they entered their stage, for the dashboard's "waiting longest"

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_status_since", "cases", ["status", "stage_since"])


def downgrade() -> None:
    op.drop_index("ix_cases_status_since", table_name="cases")
