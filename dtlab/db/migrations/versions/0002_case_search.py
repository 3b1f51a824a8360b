"""Case search: an FTS5 trigram index over ref, title, applicant, country and notes, kept by
triggers and filled from the existing cases

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from dtlab.db import dialects

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # (A database without a search index has none to make.)
    for stmt in dialects.of(op.get_bind()).search_ddl():
        op.execute(stmt)


def downgrade() -> None:
    for stmt in dialects.of(op.get_bind()).drop_search_ddl():
        op.execute(stmt)
