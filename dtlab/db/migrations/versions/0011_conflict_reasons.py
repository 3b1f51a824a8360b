"""Why a conflict is one, where it is more than two writes to one field

An advance a field site made while headquarters changed what its gate reads arrives with the gate
met on the site's facts and unmet on HQ's: it is kept, as every site must end the same, and the
import records a conflict on the case's stage whose reason says so, for someone at HQ to decide.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ALTER: conflicts are local bookkeeping with no change-log guards to keep.
    op.add_column("conflicts", sa.Column("reason", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("conflicts", "reason")
