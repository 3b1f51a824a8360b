"""The writes held to one record, as the merge needs them, kept for the length of an import.

`merge.merge` decides from a few of a record's writes only: the latest writer of each field, the
latest update and the latest delete, per site the latest update and delete the sender had not
seen, the latest write of all, and whether a write with the incoming clock is held. `Writes`
keeps just those, updated as each operation is applied, so an import's work per operation does
not grow with the record's history: a bundle of thousands of edits of one record is read from
the log once, then merged in time linear in the bundle. The merge decides alike from these few as
from every write (each `max` it takes is over a set that holds the kept write)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dtlab.domain import merge


@dataclass(frozen=True)
class Entry:
    """A write's log entry as a conflict record names it (`conflicts.conflict_record`)."""

    actor: str
    at: datetime
    origin: str
    seq: int


class Writes:
    def __init__(self) -> None:
        self.clocks: set[merge.Clock] = set()
        self.by_field: dict[str, merge.Write] = {}
        self.by_op: dict[str, merge.Write] = {}  # the latest update, the latest delete
        self.unseen: dict[tuple[str, str], merge.Write] = {}  # (op, site): the latest not seen
        self.latest: merge.Write | None = None

    def add(self, write: merge.Write) -> None:
        self.clocks.add(write.clock)
        for name in write.changes:
            if _later(write, self.by_field.get(name)):
                self.by_field[name] = write
        if write.op != "insert":
            if _later(write, self.by_op.get(write.op)):
                self.by_op[write.op] = write
            if not write.seen and _later(write, self.unseen.get((write.op, write.clock[1]))):
                self.unseen[(write.op, write.clock[1])] = write
        if _later(write, self.latest):
            self.latest = write

    def known(self, incoming: merge.Clock) -> list[merge.Write]:
        """The writes the merge of a write with clock `incoming` decides from."""
        kept = {id(w): w for w in (*self.by_field.values(), *self.by_op.values(), *self.unseen.values())}
        if self.latest is not None:
            kept[id(self.latest)] = self.latest
        out = list(kept.values())
        if incoming in self.clocks:
            out.append(merge.Write(incoming))  # held already: the merge then changes nothing
        return out


def _later(write: merge.Write, than: merge.Write | None) -> bool:
    return than is None or write.clock > than.clock
