"""The full results chain: impact-level results, upward links, WSIS action lines; the thematic
priority areas' objectives, outcomes and products, the SDGs and the WSIS action lines as
reference data

A result links up to the result of the next level it contributes to (an output to an outcome,
an outcome to an impact), in the same case (`parent_id`), and names the WSIS action lines it
serves (`wsis`, "C1 C7", as `sdgs` holds "4 9 17"). Both are fields of a synchronised table,
merged field by field like the others.

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString
# Reloaded from their seeds by the next dtlab that opens the database (their tables changed).
RELOADED = ("thematic_priorities.toml", "sdgs_and_wsis.toml")


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch copy: copying the table would drop its change-log guards.
    # (Alembic will not add a column with a foreign key on SQLite; SQLite itself does.)
    op.execute("ALTER TABLE results ADD COLUMN parent_id VARCHAR REFERENCES results (id)")
    op.add_column("results", sa.Column("wsis", TEXT(), nullable=True))
    op.create_index("ix_results_parent_id", "results", ["parent_id"])
    for column in ("objective_en", "objective_zh", "impact_en"):
        op.add_column("ref_priority_group", sa.Column(column, sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "ref_group_outcome",
        sa.Column("group_id", TEXT(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("title_zh", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("group_id", "number"),
    )
    op.create_table(
        "ref_product",
        sa.Column("group_id", TEXT(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("priority_id", TEXT(), nullable=True),
        sa.Column("title_en", sa.Text(), nullable=False),
        sa.Column("title_zh", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("group_id", "number"),
    )
    op.create_table(
        "ref_sdg",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name_en", TEXT(), nullable=False),
        sa.Column("name_zh", TEXT(), nullable=False),
        sa.PrimaryKeyConstraint("number"),
    )
    op.create_table(
        "ref_wsis_line",
        sa.Column("code", TEXT(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )


def downgrade() -> None:
    for table in ("ref_wsis_line", "ref_sdg", "ref_product", "ref_group_outcome"):
        op.drop_table(table)
    for column in ("impact_en", "objective_zh", "objective_en"):
        op.drop_column("ref_priority_group", column)
    op.drop_index("ix_results_parent_id", table_name="results")
    # In place (SQLite 3.35+): a batch rebuild would drop the table's triggers and indexes.
    op.execute("ALTER TABLE results DROP COLUMN wsis")
    op.execute("ALTER TABLE results DROP COLUMN parent_id")
    names = ", ".join(f"'{name}'" for name in RELOADED)
    op.execute(f"DELETE FROM ref_version WHERE name IN ({names})")
