"""The Digital Innovation Board and the lab's shared settings

Board members (track 1 nominated by a country or institution and approved by the BDT Director;
track 2 nominated by BDT), its meetings, the matters of cases put before it with its decisions,
and a synchronised settings table for the policy every site must hold alike (a Board decision
before a renewal or an upgrade leaves its stage).

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from dtlab.db import dialects
from dtlab.db.guards import guards, row_guards

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

TEXT = sqlmodel.sql.sqltypes.AutoString
NEW_SYNCED = {"board_members": False, "board_meetings": False, "board_items": False, "settings": False}


def _synced_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", TEXT(length=36), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by", TEXT(), nullable=False),
        sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("change_id", sa.BigInteger(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "board_members",
        *_synced_columns(),
        sa.Column("name", TEXT(), nullable=False),
        sa.Column("track", TEXT(), nullable=False),
        sa.Column("title", TEXT(), nullable=True),
        sa.Column("country", TEXT(length=2), nullable=True),
        sa.Column("institution", TEXT(), nullable=True),
        sa.Column("nominated_on", sa.Date(), nullable=False),
        sa.Column("approval", TEXT(), nullable=False),
        sa.Column("approval_on", sa.Date(), nullable=True),
        sa.Column("term_start", sa.Date(), nullable=True),
        sa.Column("term_end", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "board_meetings",
        *_synced_columns(),
        sa.Column("title", TEXT(), nullable=False),
        sa.Column("meets_on", sa.Date(), nullable=False),
        sa.Column("place", TEXT(), nullable=True),
        sa.Column("agenda", sa.Text(), nullable=True),
        sa.Column("status", TEXT(), nullable=False),
        sa.Column("minutes_ref", TEXT(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "board_items",
        *_synced_columns(),
        sa.Column("case_id", TEXT(), nullable=False),
        sa.Column("meeting_id", TEXT(), nullable=True),
        sa.Column("matter", TEXT(), nullable=False),
        sa.Column("decision", TEXT(), nullable=True),
        sa.Column("reference", TEXT(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["board_meetings.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_board_items_case_id", "board_items", ["case_id"])
    op.create_index("ix_board_items_meeting_id", "board_items", ["meeting_id"])
    op.create_table(
        "settings",
        *_synced_columns(),
        sa.Column("key", TEXT(), nullable=False),
        sa.Column("value", TEXT(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    ddl = dialects.of(op.get_bind())
    for stmt in ddl.create_refusals(guards(NEW_SYNCED)) + ddl.truncate_guards(list(NEW_SYNCED)):
        op.execute(stmt)


def downgrade() -> None:
    # Only these tables' guards: the change log's own stay for the older tables.
    ddl = dialects.of(op.get_bind())
    # The tables' truncate triggers, not the function the older tables' triggers share.
    triggers = [s for s in ddl.drop_truncate_guards(list(NEW_SYNCED)) if not s.startswith("DROP FUNCTION")]
    for stmt in triggers + ddl.drop_refusals(row_guards(NEW_SYNCED)):
        op.execute(stmt)
    op.drop_table("settings")
    op.drop_index("ix_board_items_meeting_id", table_name="board_items")
    op.drop_index("ix_board_items_case_id", table_name="board_items")
    op.drop_table("board_items")
    op.drop_table("board_meetings")
    op.drop_table("board_members")
