"""Refuse any change of a site's identity and keys once recorded

A site's id and code, and the ids of its signing key and age identity (recorded when first made,
sync/own_keys.py), never change: every other site knows the site by them, and HQ's staff share
them. A raw UPDATE or DELETE of those rows of `meta`, by any role, is refused on both databases,
so that nobody can swap the site's key for their own by hand.

Revision ID: 0015
Revises: 0014
"""

from alembic import op

from dtlab.db import dialects
from dtlab.db.guards import Refusal

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

IDENTITY = "OLD.key IN ('site_id', 'site_code', 'site_signing_key', 'site_recipient')"
GUARDS = [Refusal(f"guard_meta_identity_{event.lower()}", "meta", event, IDENTITY,
                  "dtlab: a site's identity and keys never change once recorded", if_missing=False)
          for event in ("UPDATE", "DELETE")]


def upgrade() -> None:
    for stmt in dialects.of(op.get_bind()).create_refusals(GUARDS):
        op.execute(stmt)


def downgrade() -> None:
    for stmt in dialects.of(op.get_bind()).drop_refusals(GUARDS):
        op.execute(stmt)
