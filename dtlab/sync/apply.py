"""Import: a received bundle checked against this database and applied in the caller's single
transaction, operation by operation as it is read.

- an operation already held is skipped, so a bundle imported twice changes nothing;
- a record never held is written as it came (most of a large bundle: written in bulk);
- an operation on a record held here is merged field by field (dtlab.domain.merge): each field
  ends with its latest write, whatever the order of bundles, and writes made without seeing each
  other leave a conflict record;
- append-only records (notes, moves, evidence) only ever arrive, so they never conflict."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, col

from dtlab.db.changelog import held_ids, to_json, write_received
from dtlab.db.columns import from_json, shape
from dtlab.db.models import SYNCED_BY_TABLE, BundleRecord, ChangeLog, Conflict, Decision
from dtlab.db.store import Site
from dtlab.domain import merge
from dtlab.domain.clock import utc_now
from dtlab.i18n import _
from dtlab.sync.admit import Admission
from dtlab.sync.bundle import BundleReader, Rejected
from dtlab.sync.conflicts import close_decided, conflict_record
from dtlab.sync.rejected import op_name
from dtlab.sync.vector import acknowledge, learn_names, vector
from dtlab.sync.verify import SequenceCheck, check_against_schema, verify_manifest
from dtlab.sync.writes import Entry, Writes

_LOG = insert(ChangeLog.__table__)  # type: ignore[attr-defined]


@dataclass
class ImportSummary:
    bundle_id: str
    origin: str
    operations: int
    applied: int = 0
    skipped: int = 0
    conflicts: int = 0
    closed: int = 0  # conflicts here that a decision made at another site settled
    already: bool = False  # the whole bundle had been imported before

    def as_json(self) -> dict[str, Any]:
        return {"bundle_id": self.bundle_id, "origin": self.origin, "operations": self.operations,
                "applied": self.applied, "skipped": self.skipped, "conflicts": self.conflicts,
                "decided_elsewhere": self.closed, "already_imported": self.already}


def import_bundle(session: Session, reader: BundleReader, site: Site, hq_site: str, file: str | None = None,
                  sealed: bool = False, progress: Callable[[str, int, int], None] | None = None) -> ImportSummary:
    """Check the bundle against this database and apply it in the caller's write transaction,
    operation by operation as it is read: the first `Rejected` (a bad line, a range that does not
    hold, a fork, a hash that does not match at the end) leaves the caller to roll back, so a
    rejected bundle writes nothing. `progress("applying", done, total)` hears of the work."""
    held = vector(session)  # one read of the log's largest table, shared by every step below
    verify_manifest(session, reader, site, hq_site, held)
    m = reader.manifest
    total = reader.declared_rows
    record = session.get(BundleRecord, m["bundle_id"])
    if record is not None and record.direction == "received":
        summary = ImportSummary(m["bundle_id"], m["origin"]["code"], total, already=True)
        summary.skipped = total
        return summary
    # The bytes are the signed ones before any operation is taken for what it says: a damaged
    # copy of a trusted site's bundle is refused as damaged, not for what its damage looks like.
    reader.check_digest()
    applier = Applier(session, m, total, held)
    admission = Admission(session, m, applier.flush)
    sequence = SequenceCheck(session, m["ranges"], held)
    try:
        for done, op in enumerate(reader.operations(), start=1):
            sequence.check(op)
            check_against_schema(op)
            if op["seq"] > held.get(op["origin"], 0):  # one held already was admitted when it came
                admission.check(op)
            applier.add(op)
            if progress is not None and (done % 2000 == 0 or done == total):
                progress("applying", done, total)
        applier.flush()
        sequence.finish()
        admission.finish()
        _record_gate_conflicts(session, admission.gate_conflicts, applier.summary)
    except (IntegrityError, StatementError) as exc:
        # What the checks above let through and the database still refuses (a required field
        # missing, a record pointing to one that does not exist): the bundle, not dtlab, is wrong.
        raise Rejected(_("an operation does not fit this database ({error})").format(
            error=" ".join(str(exc.orig).split()))) from None
    acknowledge(session, m["origin"]["code"], m["vector"])
    learn_names(session, m, relay=m["origin"]["code"] == hq_site)
    summary = applier.summary
    session.add(BundleRecord(id=m["bundle_id"], direction="received", peer=m["origin"]["code"], at=utc_now(),
                             operations=summary.operations, applied=summary.applied, skipped=summary.skipped,
                             conflicts=summary.conflicts, release=m["release"], file=file, sealed=sealed))
    return summary


def _record_gate_conflicts(session: Session, found: list[Conflict], summary: ImportSummary) -> None:
    """Keep each advance made past a gate a concurrent edit here unmet, as a conflict on the
    case's stage, unless the merge already holds one on it from this bundle (concurrent moves)."""
    for conflict in found:
        held = session.scalar(select(col(Conflict.id)).where(
            col(Conflict.table_name) == "cases", col(Conflict.row_id) == conflict.row_id,
            col(Conflict.field) == "stage", col(Conflict.bundle_id) == conflict.bundle_id).limit(1))
        if held is None:
            session.add(conflict)
            summary.conflicts += 1
    session.flush()


class Applier:
    """Applies a bundle's operations in order, each logged under the next log id here."""

    BATCH = 2000
    KEPT = 20_000  # records whose writes are kept at once

    def __init__(self, session: Session, manifest: dict[str, Any], operations: int, held: dict[str, int]):
        self.session, self.held = session, held
        self.sender_knows = manifest["vector"]
        self.next_id = (session.scalar(select(func.max(col(ChangeLog.id)))) or 0) + 1
        self.summary = ImportSummary(manifest["bundle_id"], manifest["origin"]["code"], operations)
        self.pending: list[dict[str, Any]] = []
        # The writes held to each record merged in this bundle, read from the log once and kept
        # up to date as operations are applied (`Writes`): the work per operation stays flat.
        self.writes: dict[tuple[str, str], Writes] = {}

    def add(self, op: dict[str, Any]) -> None:
        """Take the next operation. Inserts are gathered and written in batches: most of a large
        bundle is records this database has never held, which need no merging, only writing."""
        # Held already: sequences arrive without gaps (verify_manifest), so the vector says.
        if op["seq"] <= self.held.get(op["origin"], 0):
            self.summary.skipped += 1
            return
        if op["op"] == "insert" and op["table"] != Decision.__tablename__:
            self.pending.append(op)
            if len(self.pending) >= self.BATCH:
                self.flush()
            return
        self.flush()
        self.apply(op)

    def flush(self) -> None:
        """Write the gathered inserts. Those of records held already (or named twice in the batch)
        go through `apply`, which merges; the rest are written in bulk (`write_received`). Every
        operation keeps the log number of its place in the bundle, so the log stays in order."""
        ops, self.pending = self.pending, []
        if not ops:
            return
        present: set[tuple[str, str]] = set()
        by_table: dict[str, list[str]] = {}
        for op in ops:
            by_table.setdefault(op["table"], []).append(op["row_id"])
        conn = self.session.connection()
        for name, ids in by_table.items():
            present.update((name, i) for i in held_ids(conn, name, ids))
        first_id, seen = self.next_id, set()
        fresh: list[tuple[int, dict[str, Any]]] = []
        merging: list[tuple[int, dict[str, Any]]] = []
        for n, op in enumerate(ops):
            key = (op["table"], op["row_id"])
            (merging if key in present or key in seen else fresh).append((first_id + n, op))
            seen.add(key)
        self.next_id = first_id + len(ops)
        write_received(conn, fresh)
        self.summary.applied += len(fresh)
        after = self.next_id
        for entry_id, op in merging:
            self.next_id = entry_id
            self.apply(op)
        self.next_id = after

    def apply(self, op: dict[str, Any]) -> None:
        """Log the operation, then write it: a record not held yet as it came, one held here as
        the merge of every write to it decides (dtlab.domain.merge)."""
        model = SYNCED_BY_TABLE[op["table"]]
        table = model.__table__  # type: ignore[attr-defined]
        kinds = shape(model).kinds
        at = datetime.fromisoformat(op["at"])
        current = self.session.execute(select(table).where(table.c.id == op["row_id"])).mappings().first()
        held = None if current is None else self._writes(op["table"], op["row_id"])  # a new row has none
        entry_id = self._log(op)
        incoming = merge.Write((op["hlc"], op["origin"]), op["op"], op["changes"],
                               seen=op["seq"] <= self.sender_knows.get(op["origin"], 0),
                               tag=Entry(op["actor"], at, op["origin"], op["seq"]))
        if current is None:
            if op["op"] != "insert":
                raise Rejected(_("{operation} changes a {table} row this database does not hold: import the "
                                 "earlier bundles first").format(operation=op_name(op), table=op["table"]))
            values = {k: from_json(kinds[k], new) for k, (_old, new) in op["changes"].items()}
            self.session.execute(insert(table).values(id=op["row_id"], created_at=at, updated_at=at,
                                                      updated_by=op["actor"], change_id=entry_id, **values))
            self.summary.applied += 1
            if model is Decision:
                decision = self.session.get(Decision, op["row_id"])
                assert decision is not None
                self.summary.closed += close_decided(self.session, decision)
            return
        assert held is not None
        if op["op"] == "insert" and model.APPEND_ONLY:
            # Written once under a new id: a second insert of the id is another record in its place.
            raise Rejected(_("{operation} inserts a {table} record under an id held here already").format(
                operation=op_name(op), table=op["table"]))
        if op["op"] == "insert" and "ref" in op["changes"] and op["changes"]["ref"][1] != current.get("ref"):
            raise Rejected(_("{operation} inserts a case held here under another ref").format(operation=op_name(op)))
        record = {name: to_json(current[name]) for name in op["changes"]}
        record[merge.TOMBSTONE] = to_json(current[merge.TOMBSTONE])
        decided = merge.merge(record, held.known(incoming.clock), incoming, append_only=model.APPEND_ONLY)
        held.add(incoming)
        for found in decided.conflicts:
            self.session.add(conflict_record(op, found, self.summary.bundle_id))
            self.summary.conflicts += 1
        writes = {name: from_json(kinds[name], new) for name, new in decided.values.items()}
        deleted = self._tombstone(decided.tombstone, record[merge.TOMBSTONE], current[merge.TOMBSTONE])
        if to_json(current[merge.TOMBSTONE]) != to_json(deleted):
            writes[merge.TOMBSTONE] = deleted
        if writes:
            newest = decided.newest  # the record's bookkeeping follows its latest write
            self.session.execute(update(table).where(table.c.id == op["row_id"]).values(
                updated_at=at if newest else current["updated_at"],
                updated_by=op["actor"] if newest else current["updated_by"], change_id=entry_id, **writes))
        self.summary.applied += 1

    @staticmethod
    def _tombstone(decided: Any, held: Any, stored: datetime | None) -> datetime | None:
        """The tombstone the merge decided (JSON) as the column holds it: the stored one when it
        is that, else the delete's time."""
        if decided == held:
            return stored
        return None if decided is None else datetime.fromisoformat(decided)

    def _log(self, op: dict[str, Any]) -> int:
        entry_id = self.next_id
        self.next_id += 1
        # One statement, its parameters bound per operation: building the statement anew for
        # each (`.values(...)`) costs more than the write itself in a bundle of many edits.
        self.session.connection().execute(_LOG, {
            "id": entry_id, "origin": op["origin"], "seq": op["seq"], "hlc": op["hlc"], "actor": op["actor"],
            "at": datetime.fromisoformat(op["at"]), "table_name": op["table"], "row_id": op["row_id"],
            "op": op["op"], "case_id": op["case_id"], "changes": op["changes"]})
        return entry_id

    def _writes(self, table: str, row_id: str) -> Writes:
        """The writes held here to the record, each marked with whether the bundle's sender had
        seen it when it wrote the bundle (by its vector): read from the log the first time the
        bundle merges into the record, then kept as the bundle's own writes to it are applied."""
        key = (table, row_id)
        writes = self.writes.get(key)
        if writes is None:
            if len(self.writes) >= self.KEPT:
                self.writes.clear()  # memory stays bounded; a record merged again is read again
            writes = self.writes[key] = Writes()
            knows = self.sender_knows
            for e in self.session.scalars(select(ChangeLog).where(
                    col(ChangeLog.table_name) == table, col(ChangeLog.row_id) == row_id)):
                writes.add(merge.Write((e.hlc, e.origin), e.op, e.changes, seen=e.seq <= knows.get(e.origin, 0),
                                       tag=Entry(e.actor, e.at, e.origin, e.seq)))
        return writes
