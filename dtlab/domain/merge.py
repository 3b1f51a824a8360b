"""The merge of a received write into a record this site holds: the rule every site applies, so
that all of them end with the same values whatever order the bundles arrive in.

Every write carries a clock: its hybrid logical clock value and the id of the site that made it,
compared in that order, so no two writes tie and every site ranks them alike.

- A field holds the value of its latest write among every write held. An incoming write that is
  the latest so far sets it (unless the field holds that value already); an older one leaves it.
- A conflict is an incoming write and the latest write held here that were made without seeing
  each other, while the field holds neither the incoming write's base nor its new value (two edits
  from the same base to different values). The later write's value is kept for now, the
  same choice at every site; the conflict keeps both values for someone to decide.
- A record is deleted when its latest delete is later than its latest edit. A delete and an edit
  made without seeing each other (from different sites) are a conflict decided the same way.
- Append-only records (notes, moves, evidence, decisions) are written once and never change:
  one held already stays as it came, so they never conflict.
- A write held already changes nothing (the sync engine skips it before asking, by its sequence
  number; the rule makes the decision idempotent by itself).

Values are the JSON values the change log and the bundles carry (dates as ISO text); nothing
here reads or writes storage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

TOMBSTONE = "deleted_at"  # the field a delete sets: the time of the delete, None while the record lives

Clock = tuple[int, str]  # (hybrid logical clock value, site id): later value first, then the greater site id


@dataclass(frozen=True)
class Write:
    """One write to a record: an insert, an update or a delete, with its changes {field: (base,
    new)}. `seen` says, for a write held here, whether the site that sent the incoming write had
    seen it; `tag` is the caller's handle on the write (its log entry), handed back in a conflict."""

    clock: Clock
    op: str = "update"
    changes: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    seen: bool = True
    tag: Any = field(default=None, compare=False)

    @property
    def tombstone(self) -> Any:
        """The tombstone this write sets (a delete's time), or None."""
        change = self.changes.get(TOMBSTONE)
        return None if change is None else change[1]


class Outcome(Enum):
    APPLY = "apply"  # the field takes the incoming value
    SKIP = "skip"  # the incoming write is the latest, and the field holds its value already
    KEEP = "keep"  # a later write's value stays


@dataclass(frozen=True)
class Conflict:
    """Two writes to one field made without seeing each other. `winner` is the side the field
    holds for now ("incoming" or "local"); `against` is the write held here, the incoming one's
    rival."""

    field: str
    base: Any
    local: Any
    incoming: Any
    winner: str
    against: Write


@dataclass(frozen=True)
class FieldMerge:
    outcome: Outcome
    conflict: Conflict | None = None


@dataclass(frozen=True)
class TombstoneMerge:
    value: Any  # the record's tombstone once the incoming write is counted: None while it lives
    conflict: Conflict | None = None


@dataclass(frozen=True)
class Merge:
    """What an incoming write does to a record held here: the fields it sets, the record's
    tombstone afterwards, the conflicts to record, and whether the record's bookkeeping (who wrote
    it last, and when) follows the incoming write, the latest of all."""

    values: dict[str, Any]
    tombstone: Any
    conflicts: list[Conflict]
    newest: bool


def merge_field(name: str, current: Any, known: Sequence[Write], incoming: Write) -> FieldMerge:
    """The decision for one field the incoming write changes. `current` is the value the field
    holds here; `known` every write held here to the record (in any order)."""
    base, new = incoming.changes[name]
    writer = max((w for w in known if name in w.changes), key=_clock, default=None)
    latest = writer is None or incoming.clock > writer.clock
    outcome = (Outcome.APPLY if current != new else Outcome.SKIP) if latest else Outcome.KEEP
    conflict = None
    if current not in (base, new) and writer is not None and not writer.seen:
        conflict = Conflict(name, base, current, new, "incoming" if latest else "local", writer)
    return FieldMerge(outcome, conflict)


def merge_tombstone(current: Any, known: Sequence[Write], incoming: Write) -> TombstoneMerge:
    """The record's tombstone once the incoming write is counted: its latest delete's when that
    is later than its latest edit, else none; `current` while no delete is known at all."""
    writes = [w for w in known if w.op != "insert"] + [incoming]
    last_delete = max((w for w in writes if w.op == "delete"), key=_clock, default=None)
    if last_delete is None:
        return TombstoneMerge(current)
    last_edit = max((w for w in writes if w.op == "update"), key=_clock, default=None)
    edited_since = last_edit is not None and last_edit.clock > last_delete.clock
    value = None if edited_since else last_delete.tombstone or current
    # A conflict: the incoming write deletes and an edit held here was not seen, or the reverse.
    other = {"delete": "update", "update": "delete"}.get(incoming.op)
    unseen = [w for w in known if w.op == other and not w.seen and w.clock[1] != incoming.clock[1]]
    conflict = None
    if unseen:
        rival = max(unseen, key=_clock)
        conflict = Conflict(TOMBSTONE, None, current, incoming.tombstone if incoming.op == "delete" else None,
                            "incoming" if incoming.clock > rival.clock else "local", rival)
    return TombstoneMerge(value, conflict)


def merge(record: Mapping[str, Any], known: Sequence[Write], incoming: Write, append_only: bool = False) -> Merge:
    """The incoming write merged into a record held here. `record` holds the record's current
    values (JSON) of the fields the write changes and its tombstone; `known` is every write held
    here to the record. A record not held yet has nothing to merge: the write is simply taken."""
    current_tombstone = record.get(TOMBSTONE)
    if append_only or any(w.clock == incoming.clock for w in known):
        return Merge({}, current_tombstone, [], newest=False)
    values: dict[str, Any] = {}
    conflicts: list[Conflict] = []
    for name, (_base, new) in incoming.changes.items():
        if name == TOMBSTONE:
            continue  # decided below, from every delete and edit of the record
        decided = merge_field(name, record[name], known, incoming)
        if decided.outcome is Outcome.APPLY:
            values[name] = new
        if decided.conflict is not None:
            conflicts.append(decided.conflict)
    tombstone = merge_tombstone(current_tombstone, known, incoming)
    if tombstone.conflict is not None:
        conflicts.append(tombstone.conflict)
    newest = all(incoming.clock > w.clock for w in known)
    return Merge(values, tombstone.value, conflicts, newest)


def _clock(write: Write) -> Clock:
    return write.clock
