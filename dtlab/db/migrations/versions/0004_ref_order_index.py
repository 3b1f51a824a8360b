"""Index the natural order of refs (site and year, then number) so the unfiltered case list reads
its first page from the index instead of sorting every case; and a narrow index that the list's
counts read instead of the whole table

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The same expressions as dtlab.db.cases.ref_order, which SQLite matches to use the index.
SQLITE_INDEX = (
    "CREATE INDEX ix_cases_ref_order ON cases "
    "(substr(ref, 1, instr(ref, '-') + 4), length(ref), ref)"
)


def upgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute(SQLITE_INDEX)
    op.create_index("ix_cases_counts", "cases", ["stage", "status", "region", "proposed_type", "deleted_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_counts", table_name="cases")
    if op.get_context().dialect.name == "sqlite":
        op.execute("DROP INDEX IF EXISTS ix_cases_ref_order")
