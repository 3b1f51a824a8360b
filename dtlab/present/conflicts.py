"""Sync conflicts in words: the record and the field a conflict is about, named as people read
them. The sync engine names them by their ids (table, field); both front ends label them here."""

from __future__ import annotations

from typing import Any

from dtlab.i18n import N_, _
from dtlab.present.words import TABLE_NOUNS, field_label

TOMBSTONE_LABEL = N_("Deleted")  # a delete against an edit is a conflict over the record's tombstone


def record_noun(table: str) -> str:
    """"case", "milestone", "conflict decision"; the table's own name for one without a noun."""
    return TABLE_NOUNS.get(table, table)


def conflict_field_label(field: str) -> str:
    return _(TOMBSTONE_LABEL) if field == "deleted_at" else field_label(field)


def labelled(row: dict[str, Any]) -> dict[str, Any]:
    """A conflict row of `dtlab.sync.conflicts.conflict_rows` with its words: `record` after its
    `table`, `label` after its `field` (in that order, which `dtlab conflicts --json` prints, in
    English as every --json is)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        out[key] = value
        if key == "table":
            out["record"] = record_noun(value)
        elif key == "field":
            out["label"] = conflict_field_label(value)
    return out
