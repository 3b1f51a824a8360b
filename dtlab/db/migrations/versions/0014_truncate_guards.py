"""Refuse TRUNCATE of the change log and every synchronised table

TRUNCATE removes rows without firing the row guards that refuse a hard delete; on PostgreSQL a
statement trigger refuses it (SQLite has no TRUNCATE). The tables are named as they are at this
revision, not read from today's models.

Revision ID: 0014
Revises: 0013
"""

from alembic import op

from dtlab.db import dialects

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLES = ["change_log", "organisations", "contacts", "cases", "assessments", "evaluations", "evaluation_scores",
          "results", "kpis", "kpi_years", "transitions", "notes", "centres", "accreditations", "milestones",
          "evidence", "decisions"]


def upgrade() -> None:
    for stmt in dialects.of(op.get_bind()).truncate_guards(TABLES):
        op.execute(stmt)


def downgrade() -> None:
    for stmt in dialects.of(op.get_bind()).drop_truncate_guards(TABLES):
        op.execute(stmt)
