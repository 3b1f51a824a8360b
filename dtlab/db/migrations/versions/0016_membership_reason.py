"""Why an applicant outside ITU membership is taken on

Centres are "mainly for ITU members" (the BDT circular). A case whose applicant is recorded in a
category outside ITU membership needs a justification at its assessment gate: a text field of
the case, synchronised like the others.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("membership_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    # In place (SQLite 3.35+): a batch rebuild would drop the table's triggers and indexes.
    op.execute("ALTER TABLE cases DROP COLUMN membership_reason")
