"""Index the natural order of refs (site and year, then number) so the unfiltered case list reads
its first page from the index instead of sorting every case; and a narrow index that the list's
counts read instead of the whole table

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from dtlab.db import dialects

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The same expressions as dtlab.db.cases.ref_order, which the database matches to use the index.
    for stmt in dialects.of(op.get_bind()).ref_order_index_ddl():
        op.execute(stmt)
    op.create_index("ix_cases_counts", "cases", ["stage", "status", "region", "proposed_type", "deleted_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_counts", table_name="cases")
    for stmt in dialects.of(op.get_bind()).drop_ref_order_index_ddl():
        op.execute(stmt)
