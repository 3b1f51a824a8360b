"""Case search: an FTS5 trigram index over ref, title, applicant, country and notes, kept by
triggers and filled from the existing cases

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from dtlab.db.search import drop_sqlite_search_ddl, sqlite_search_ddl

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        for stmt in sqlite_search_ddl():
            op.execute(stmt)


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        for stmt in drop_sqlite_search_ddl():
            op.execute(stmt)
