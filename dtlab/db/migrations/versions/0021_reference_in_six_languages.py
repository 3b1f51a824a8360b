"""Reference data in the six languages of the Union

Each reference table's texts in Arabic, Chinese, English, French, Russian and Spanish, as one
JSON column (`texts`: {field: {language: text}}) rather than a column per field and language
(some 120 of them, and another migration for every text a seed gains) or a table of translations
every read of a name would join. Countries also get `names`, their names in the six languages
(from CLDR) one a line, which the case search indexes so that a case is found by its country's
name in any of them.

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

TABLES = (
    "ref_goal", "ref_centre_type", "ref_region", "ref_country", "ref_membership_category", "ref_priority_group",
    "ref_group_outcome", "ref_product", "ref_sdg", "ref_wsis_line", "ref_thematic_priority", "ref_initiative",
    "ref_expected_result", "ref_template_item", "ref_call",
)
# The seeds that fill them: a seed's digest names what its rows hold, so on the way down their
# records go, and the next upgrade loads them again into the columns it adds.
SEEDS = (
    "goals.toml", "centre_types.toml", "regions.toml", "countries.toml", "membership_categories.toml",
    "regional_initiatives.toml", "thematic_priorities.toml", "rubric.toml", "monitoring_templates.toml",
    "calls.toml", "sdgs_and_wsis.toml",
)


def upgrade() -> None:
    # Reference tables (no change-log guards): plain ADD COLUMN. The seeds fill them when the next
    # dtlab opens the database (every seed has a new version), and the search index is rebuilt
    # then, with the countries' names.
    for table in TABLES:
        op.add_column(table, sa.Column("texts", sa.JSON(), nullable=False, server_default="{}"))
    op.add_column("ref_country", sa.Column("names", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    # In place (SQLite 3.35+): a batch rebuild would drop the tables' indexes.
    op.execute("ALTER TABLE ref_country DROP COLUMN names")
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN texts")
    names = ", ".join(f"'{name}'" for name in SEEDS)
    op.execute(f"DELETE FROM ref_version WHERE name IN ({names})")
