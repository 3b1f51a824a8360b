"""Counts kept by the database, and an index for accreditations coming to an end

`dtlab` opens on the dashboard, whose first figures are the live cases counted by stage, status
and region: a read of one small table (db/case_counts.py) kept by triggers, rather than a count
over every case at each start. The dashboard's monitoring panel lists the open accreditation
periods ending soonest: a partial index on their end date lets it read them in order, rather
than every open case and its periods.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

from dtlab.db import case_counts, dialects

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

OPEN_PERIODS = "outcome IS NULL AND deleted_at IS NULL"


def upgrade() -> None:
    bind = op.get_bind()
    for stmt in [case_counts.TABLE_DDL, case_counts.FILL, *dialects.of(bind).case_counts_triggers(),
                 f"CREATE INDEX ix_accreditations_open_ends ON accreditations (ends_on) WHERE {OPEN_PERIODS}"]:
        op.execute(stmt)


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_accreditations_open_ends")
    for stmt in dialects.of(op.get_bind()).drop_case_counts_triggers():
        op.execute(stmt)
    op.execute("DROP TABLE IF EXISTS case_counts")
