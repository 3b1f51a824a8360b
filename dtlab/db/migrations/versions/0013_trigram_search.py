"""A search index on PostgreSQL: a trigram index over each case's searchable text and its notes

Until now a search on PostgreSQL scanned every case; HQ's list must answer a keystroke at 100k
cases as fast as a laptop's SQLite index does (migration 0002). pg_trgm is a trusted extension:
the database's owner, who runs migrations, may create it. On SQLite there is nothing to do.

Revision ID: 0013
Revises: 0012
"""

from alembic import op

from dtlab.db import dialects

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for stmt in dialects.of(op.get_bind()).trigram_search_ddl():
        op.execute(stmt)


def downgrade() -> None:
    for stmt in dialects.of(op.get_bind()).drop_trigram_search_ddl():
        op.execute(stmt)
