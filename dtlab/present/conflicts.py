"""Sync conflicts in words: the record and the field a conflict is about, named as people read
them. The sync engine names them by their ids (table, field); both front ends label them here."""

from __future__ import annotations

from typing import Any

from dtlab.i18n import N_, _
from dtlab.present.words import FIELD_LABELS, TABLE_NOUNS, field_label

TOMBSTONE_LABEL = N_("Deleted")  # a delete against an edit is a conflict over the record's tombstone


def record_noun(table: str, english: bool = False) -> str:
    """"case", "milestone", "conflict decision"; the table's own name for one without a noun.
    `english`: the source words, whatever the language in use (for JSON)."""
    if table in TABLE_NOUNS:
        return TABLE_NOUNS.english(table) if english else TABLE_NOUNS[table]
    return table


def conflict_field_label(field: str, english: bool = False) -> str:
    if field == "deleted_at":
        return TOMBSTONE_LABEL if english else _(TOMBSTONE_LABEL)
    if english:
        return FIELD_LABELS.english(field) if field in FIELD_LABELS else field.replace("_", " ").capitalize()
    return field_label(field)


def labelled(row: dict[str, Any], english: bool = False) -> dict[str, Any]:
    """A conflict row of `dtlab.sync.conflicts.conflict_rows` with its words: `record` after its
    `table`, `label` after its `field` (in that order, which `dtlab conflicts --json` prints).
    In the language in use; with `english`, in the source words, which `--json` must print in
    every language (a script reads the same JSON whatever its user's language)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        out[key] = value
        if key == "table":
            out["record"] = record_noun(value, english)
        elif key == "field":
            out["label"] = conflict_field_label(value, english)
    return out
