"""Sync between sites: which operations a bundle carries, and applying a received bundle.

Every site's change log holds operations named by (origin site, sequence). Export sends a peer
the operations beyond what it has acknowledged (its vector, sent back in its own bundles), from
every origin, so headquarters relays what the field sent. Import checks the whole bundle against
this database first (signature, trust, schema, sequence gaps, forks, tables and fields), then
applies it in the caller's single transaction:

- an operation already held is skipped, so a bundle imported twice changes nothing;
- a field changes where this database still holds the operation's base value; where it holds
  another value (edited here and there, unseen by each other), the later clock wins, then the
  site id, so every site picks the same value whatever the order of bundles, and a conflict
  record keeps both sides for someone to decide;
- a delete against an edit the deleting site had not seen is a conflict decided the same way;
- append-only records (notes, moves, evidence) only ever arrive, so they never conflict."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, col

from dtlab import __version__
from dtlab.db.changelog import held_ids, to_json, write_received
from dtlab.db.columns import from_json, moment, shape
from dtlab.db.head import SCHEMA_HEAD
from dtlab.db.models import (
    SYNCED_BY_TABLE,
    BundleRecord,
    Case,
    ChangeLog,
    Conflict,
    Decision,
    Meta,
    PeerVector,
    SiteName,
    SiteRecipient,
    TrustedKey,
)
from dtlab.db.sites import site_names
from dtlab.db.store import Site
from dtlab.domain import clock as hlc
from dtlab.domain.clock import utc_now
from dtlab.domain.ids import new_id
from dtlab.present.words import TABLE_NOUNS, field_label
from dtlab.sync.bundle import CAPABILITIES, FORMAT, FORMAT_VERSION, BundleReader, Rejected
from dtlab.sync.keys import key_id, verify

ENTRY_FIELDS = ("origin", "seq", "hlc", "actor", "at", "table_name", "row_id", "op", "case_id", "changes")


# --- what this site holds ------------------------------------------------------------------------


def _learn_names(session: Session, manifest: dict[str, Any], relay: bool) -> None:
    """The codes of sites not known here yet: the sender's own, and those headquarters passes
    on. A known site is never renamed (a code once given to an id stays; see check_signer)."""
    origin = manifest["origin"]
    known = {n.id for n in session.scalars(select(SiteName))}
    relayed = manifest.get("sites", {}) if relay else {}  # only headquarters speaks for other sites
    for site_id, code in {**relayed, origin["id"]: origin["code"]}.items():
        if site_id not in known:
            session.add(SiteName(id=site_id, code=code))


# One index probe per origin (there are a handful) instead of a scan of the whole log: the next
# origin after the last one found, and its highest sequence, both from (origin, seq)'s index.
_VECTOR = """
WITH RECURSIVE origins(origin) AS (
    SELECT min(origin) FROM change_log
    UNION ALL
    SELECT (SELECT min(origin) FROM change_log WHERE origin > origins.origin) FROM origins
    WHERE origins.origin IS NOT NULL
)
SELECT origin, (SELECT max(seq) FROM change_log WHERE change_log.origin = origins.origin)
FROM origins WHERE origin IS NOT NULL
"""


def vector(session: Session) -> dict[str, int]:
    """The highest sequence held from each origin (imports keep them without gaps)."""
    return {origin: seq for origin, seq in session.connection().exec_driver_sql(_VECTOR)}


def _operation(entry: ChangeLog) -> dict[str, Any]:
    return {"origin": entry.origin, "seq": entry.seq, "hlc": entry.hlc, "actor": entry.actor,
            "at": to_json(entry.at), "table": entry.table_name, "row_id": entry.row_id, "op": entry.op,
            "case_id": entry.case_id, "changes": entry.changes}


# --- export --------------------------------------------------------------------------------------


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _at_text(stored: str) -> str:
    """A time as the database stores it ("2026-11-23 09:15:02.000000", UTC) written the way the
    log's JSON writes times ("2026-11-23T09:15:02+00:00"), without a round trip through datetime."""
    text = stored[:10] + "T" + stored[11:19]
    micro = stored[20:26]
    return f"{text}.{micro}+00:00" if micro and micro != "000000" else f"{text}+00:00"


class Export:
    """The operations `to` has not acknowledged (all of them when `full`), in the order this
    site applied them, read as a stream inside the caller's read transaction, so the bundle is
    one consistent snapshot however long it takes to write. Each operation is written straight
    from its stored row: the change log already holds its changes as JSON."""

    def __init__(self, session: Session, site: Site, key: str, to_site: str, full: bool = False,
                 relay: bool = True):
        self.session = session
        known = {} if full else {v.origin: v.seq for v in session.scalars(
            select(PeerVector).where(col(PeerVector.peer) == to_site))}
        held = vector(session)
        wanted = {origin: known.get(origin, 0) for origin, high in held.items() if high > known.get(origin, 0)
                  and (relay or origin == site.id)}  # only headquarters passes on other sites' work
        # Each origin's log runs 1, 2, 3, … without gaps, so what the peer lacks is counted, not read.
        self.total = sum(held[origin] - after for origin, after in wanted.items())
        self.params = tuple(x for pair in wanted.items() for x in pair)
        if self.total * 4 < sum(held.values()):
            # A few operations: each term a range of the (origin, seq) index, then sorted by id;
            # ten new operations are found without reading the whole log.
            terms = " OR ".join("(origin = ? AND seq > ?)" for _ in wanted)
        else:
            # Most of the log: read it in id order and skip what the peer holds ("+origin" keeps
            # SQLite off the index: sorting most of the log by id costs more than reading it all).
            terms = " OR ".join("(+origin = ? AND seq > ?)" for _ in wanted)
        self.where = f"WHERE {terms}" if wanted else "WHERE 0"
        self.ranges: dict[str, list[int]] = {}
        release = (session.scalar(select(func.count()).select_from(BundleRecord)
                                  .where(col(BundleRecord.direction) == "sent")) or 0) + 1
        self.header = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "capabilities": list(CAPABILITIES),
            "bundle_id": new_id(), "origin": {"id": site.id, "code": site.code}, "to": to_site, "key_id": key,
            "schema_version": SCHEMA_HEAD, "app_version": __version__, "created_at": utc_now().isoformat(),
            "release": release, "full": full, "vector": held, "sites": site_names(session),
        }

    def lines(self, progress: Callable[[int, int], None] | None = None) -> Iterator[bytes]:
        """One NDJSON line per operation (keys in sorted order, as `canonical` writes them)."""
        rows = self.session.connection().exec_driver_sql(
            "SELECT origin, seq, hlc, actor, at, table_name, row_id, op, case_id, changes "
            f"FROM change_log {self.where} ORDER BY id", self.params)
        ranges, encode, total, done = self.ranges, _ENCODE, self.total, 0
        while batch := rows.fetchmany(5000):
            for origin, seq, clock, actor, at, table, row_id, op, case_id, changes in batch:
                span = ranges.get(origin)
                if span is None:
                    ranges[origin] = [seq, seq]
                else:
                    span[0], span[1] = min(span[0], seq), max(span[1], seq)
                yield (f'{{"actor":{encode(actor)},"at":"{_at_text(at)}","case_id":{encode(case_id)},'
                       f'"changes":{changes},"hlc":{int(clock)},"op":{encode(op)},"origin":{encode(origin)},'
                       f'"row_id":{encode(row_id)},"seq":{int(seq)},"table":{encode(table)}}}\n').encode()
            done += len(batch)
            if progress is not None:
                progress(done, total)

    def manifest(self) -> dict[str, Any]:
        """The manifest without its members: complete once `lines` has run to its end."""
        return {**self.header, "ranges": {origin: list(span) for origin, span in self.ranges.items()}}


def record_sent(session: Session, export: Export, file: str, sealed: bool = False) -> None:
    m = export.header
    session.add(BundleRecord(id=m["bundle_id"], direction="sent", peer=m["to"], at=utc_now(),
                             operations=export.total, release=m["release"], file=file, sealed=sealed))


# --- trust ---------------------------------------------------------------------------------------


def trust(session: Session, public: bytes, site_code: str) -> str:
    kid = key_id(public)
    existing = session.get(TrustedKey, kid)
    if existing is not None:
        if existing.site_code != site_code:
            raise Rejected(f"key {kid} is already trusted for site {existing.site_code}")
        existing.revoked_at = None
        return kid
    session.add(TrustedKey(key_id=kid, site_code=site_code, public_key=base64.b64encode(public).decode(),
                           added_at=utc_now()))
    return kid


def revoke(session: Session, kid: str) -> TrustedKey:
    row = session.get(TrustedKey, kid)
    if row is None:
        raise Rejected(f"no trusted key {kid}")
    row.revoked_at = row.revoked_at or utc_now()
    return row


def trusted_keys(session: Session) -> list[TrustedKey]:
    return list(session.scalars(select(TrustedKey).order_by(col(TrustedKey.site_code), col(TrustedKey.added_at))))


def set_recipient(session: Session, recipient: str, site_code: str) -> None:
    """The age key that bundles for `site_code` are sealed to from now on (a new one replaces
    the old: a site that lost its key makes a new one and hands it over again)."""
    row = session.get(SiteRecipient, site_code)
    if row is None:
        session.add(SiteRecipient(site_code=site_code, recipient=recipient, added_at=utc_now()))
    elif row.recipient != recipient:
        row.recipient, row.added_at = recipient, utc_now()


def recipients(session: Session) -> dict[str, SiteRecipient]:
    return {r.site_code: r for r in session.scalars(select(SiteRecipient))}


def recipient_for(session: Session, site_code: str) -> str:
    row = session.get(SiteRecipient, site_code)
    if row is None:
        raise Rejected(f"no encryption key for site {site_code}: trust its key file, which carries a "
                       f"dtlab-age line (dtlab keys trust FILE --site {site_code})")
    return row.recipient


# --- import --------------------------------------------------------------------------------------


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


def check_signer(session: Session, manifest: dict[str, Any], manifest_bytes: bytes, signature: bytes,
                 site: Site) -> None:
    """Whether a trusted key of the bundle's site signed this manifest: checked before the
    operations are even read, so an untrusted file costs nothing to refuse."""
    origin = manifest["origin"]
    if origin["id"] == site.id:
        raise Rejected("this bundle was written by this site")
    key = session.get(TrustedKey, manifest["key_id"])
    if key is None:
        raise Rejected(f"unknown key {manifest['key_id']}: trust it first "
                       f"(dtlab keys trust FILE --site {origin['code']})")
    if key.revoked_at is not None:
        raise Rejected(f"key {key.key_id} was revoked on {key.revoked_at:%Y-%m-%d}")
    if key.site_code != origin["code"]:
        raise Rejected(f"key {key.key_id} belongs to site {key.site_code}, not {origin['code']}")
    if not verify(base64.b64decode(key.public_key), signature, manifest_bytes):
        raise Rejected("the signature does not match the manifest")
    named = session.get(SiteName, origin["id"])
    if named is not None and named.code != origin["code"]:
        # A site's id is bound to the code it first came with: a trusted site cannot write under
        # another site's id (its operations would be taken as that site's).
        raise Rejected(f"site id {origin['id']} is site {named.code}'s here, not {origin['code']}'s")


def verify_manifest(session: Session, reader: BundleReader, site: Site, hq_site: str,
                    held: dict[str, int]) -> None:
    """What the manifest alone decides, before any operation is read. `held` is this database's
    vector."""
    m = reader.manifest
    origin = m["origin"]
    check_signer(session, m, reader.manifest_bytes, reader.signature, site)
    if m["schema_version"] > SCHEMA_HEAD:
        raise Rejected(f"the bundle's schema {m['schema_version']} is newer than this dtlab's ({SCHEMA_HEAD}): "
                       "upgrade dtlab first")
    before = session.get(BundleRecord, m["bundle_id"])
    if before is not None and before.direction == "sent":
        raise Rejected(f"bundle {m['bundle_id']} is one this site wrote; it is not the bundle it claims to be")
    seen_before = before is not None
    if origin["code"] == hq_site and site.code != hq_site and not seen_before:
        newest = session.scalar(select(func.max(col(BundleRecord.release))).where(
            col(BundleRecord.direction) == "received", col(BundleRecord.peer) == hq_site,
            col(BundleRecord.id) != m["bundle_id"]))
        if newest is not None and m["release"] < newest:
            raise Rejected(f"release {m['release']} from {hq_site} is older than release {newest} already applied")
    relay = origin["code"] == hq_site  # only headquarters passes on other sites' operations
    for origin_id, (low, high) in m["ranges"].items():
        if origin_id != origin["id"] and not relay:
            raise Rejected(f"site {origin['code']} sent an operation of another site ({origin_id})")
        if origin_id == site.id and high > held.get(site.id, 0):
            raise Rejected("the bundle claims operations of this site that this site never made")
        if low > high:
            raise Rejected(f"the operations of origin {origin_id} do not match their declared range")
        if low > held.get(origin_id, 0) + 1:
            raise Rejected(f"sequence gap: this database holds {origin_id} up to {held.get(origin_id, 0)}, "
                           f"the bundle starts at {low}; import the bundles in between first, or ask "
                           f"{origin['code']} for a full bundle (dtlab export --full)")
    if sum(high - low + 1 for low, high in m["ranges"].values()) != reader.declared_rows:
        raise Rejected("the manifest's ranges do not add up to its operations")


class _Sequence:
    """Each origin's operations must come in order, one after another, exactly over the range
    the manifest declares (a writer emits its log in the order it applied it); a number held
    already must carry the same operation as here, or the site forked."""

    def __init__(self, session: Session, ranges: dict[str, list[int]], held: dict[str, int]):
        self.session, self.held = session, held
        self.next = {origin: low for origin, (low, _high) in ranges.items()}
        self.ends = {origin: high for origin, (_low, high) in ranges.items()}

    def check(self, op: dict[str, Any]) -> None:
        expected = self.next.get(op["origin"])
        if expected is None or op["seq"] != expected or expected > self.ends[op["origin"]]:
            raise Rejected(f"the operations of origin {op['origin']} do not match their declared range")
        self.next[op["origin"]] = expected + 1
        if op["seq"] <= self.held.get(op["origin"], 0):
            entry = self.session.scalars(select(ChangeLog).where(col(ChangeLog.origin) == op["origin"],
                                                                 col(ChangeLog.seq) == op["seq"])).first()
            if entry is not None and _operation(entry) != op:
                raise Rejected(f"site {op['origin']} sent two different operations numbered {op['seq']}: "
                               "a forked site")

    def finish(self) -> None:
        for origin, high in self.ends.items():
            if self.next[origin] != high + 1:
                raise Rejected(f"the operations of origin {origin} do not match their declared range")


FUTURE_MS = 24 * 3600 * 1000  # a clock this far ahead of ours is a broken or forged one


def _check_operation(op: dict[str, Any]) -> None:
    """What an operation may touch and the values it carries, against the schema."""
    name = f"operation {op['origin']}#{op['seq']}"
    model = SYNCED_BY_TABLE.get(op["table"])
    if model is None:
        raise Rejected(f"{name}: unknown table {op['table']!r}")
    table = shape(model)
    changes = op["changes"]
    if not table.content.issuperset(changes):
        unknown = sorted(set(changes) - table.content)
        raise Rejected(f"{name}: fields {unknown} of {op['table']} cannot be written by an operation")
    if model.APPEND_ONLY and op["op"] != "insert":
        raise Rejected(f"{name}: {op['table']} are append-only; they are never changed")
    tombstone = changes["deleted_at"][1] if "deleted_at" in changes else None
    if (op["op"] == "delete") != (tombstone is not None):
        raise Rejected(f"{name}: a delete, and only a delete, sets deleted_at")
    physical, _counter = hlc.unpack(op["hlc"])
    if op["hlc"] < 0 or physical > hlc.wall_ms() + FUTURE_MS:
        raise Rejected(f"{name}: its clock is more than a day ahead")
    try:
        moment(op["at"])
        checks = table.checks
        for field_name, (old, new) in changes.items():
            if old is not None:
                checks[field_name](old)
            if new is not None:
                checks[field_name](new)
    except (ValueError, TypeError, OverflowError) as exc:
        raise Rejected(f"{name}: a value that does not fit its field ({exc})") from None


class _Applier:
    def __init__(self, session: Session, manifest: dict[str, Any], operations: int, held: dict[str, int]):
        self.session, self.held = session, held
        self.sender_knows = manifest["vector"]
        self.next_id = (session.scalar(select(func.max(col(ChangeLog.id)))) or 0) + 1
        self.summary = ImportSummary(manifest["bundle_id"], manifest["origin"]["code"], operations)
        self.pending: list[dict[str, Any]] = []

    def _log(self, op: dict[str, Any]) -> int:
        entry_id = self.next_id
        self.next_id += 1
        self.session.execute(insert(ChangeLog).values(
            id=entry_id, origin=op["origin"], seq=op["seq"], hlc=op["hlc"], actor=op["actor"],
            at=datetime.fromisoformat(op["at"]), table_name=op["table"], row_id=op["row_id"], op=op["op"],
            case_id=op["case_id"], changes=op["changes"]))
        return entry_id

    def _unseen(self, entry: ChangeLog) -> bool:
        """Whether the bundle's sender had not seen this local entry when it wrote the bundle."""
        return entry.seq > self.sender_knows.get(entry.origin, 0)

    def _last_writes(self, table: str, row_id: str) -> list[ChangeLog]:
        return list(self.session.scalars(select(ChangeLog).where(
            col(ChangeLog.table_name) == table, col(ChangeLog.row_id) == row_id).order_by(col(ChangeLog.id))))

    def _conflict(self, op: dict[str, Any], name: str, base: Any, local: Any, winner: str,
                  local_entry: ChangeLog | None, incoming: Any = None) -> None:
        if name in op["changes"] and name != "deleted_at":
            incoming = op["changes"][name][1]
        row = Conflict(table_name=op["table"], row_id=op["row_id"], case_id=op["case_id"], field=name, base=base,
                       local=local, incoming=incoming, winner=winner,
                       local_actor=local_entry.actor if local_entry else None,
                       local_at=local_entry.at if local_entry else None,
                       local_origin=local_entry.origin if local_entry else None,
                       local_seq=local_entry.seq if local_entry else None, incoming_actor=op["actor"],
                       incoming_at=datetime.fromisoformat(op["at"]), incoming_origin=op["origin"],
                       incoming_seq=op["seq"], bundle_id=self.summary.bundle_id, created_at=utc_now())
        # No decision can already cover this conflict: every site's log holds a decision after the
        # writes it saw, and bundles carry the log in order, so the writes always arrive first.
        self.session.add(row)
        self.summary.conflicts += 1

    BATCH = 2000

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
        merge: list[tuple[int, dict[str, Any]]] = []
        for n, op in enumerate(ops):
            key = (op["table"], op["row_id"])
            (merge if key in present or key in seen else fresh).append((first_id + n, op))
            seen.add(key)
        self.next_id = first_id + len(ops)
        write_received(conn, fresh)
        self.summary.applied += len(fresh)
        after = self.next_id
        for entry_id, op in merge:
            self.next_id = entry_id
            self.apply(op)
        self.next_id = after

    def apply(self, op: dict[str, Any]) -> None:
        """Each field ends with the value of the latest write to it (by clock, then site) among
        every operation held, whatever order they arrived in; the record is deleted when its
        latest delete is later than its latest edit. A conflict is recorded where an incoming
        write and a local one were made without seeing each other."""
        model = SYNCED_BY_TABLE[op["table"]]
        table = model.__table__  # type: ignore[attr-defined]
        kinds = shape(model).kinds
        at = datetime.fromisoformat(op["at"])
        current = self.session.execute(select(table).where(table.c.id == op["row_id"])).mappings().first()
        history = [] if current is None else self._last_writes(op["table"], op["row_id"])  # a new row has none
        entry_id = self._log(op)
        if current is None:
            if op["op"] != "insert":
                raise Rejected(f"operation {op['origin']}#{op['seq']} changes a {op['table']} row this database "
                               "does not hold: import the earlier bundles first")
            values = {k: from_json(kinds[k], new) for k, (_old, new) in op["changes"].items()}
            self.session.execute(insert(table).values(id=op["row_id"], created_at=at, updated_at=at,
                                                      updated_by=op["actor"], change_id=entry_id, **values))
            self.summary.applied += 1
            if model is Decision:
                decision = self.session.get(Decision, op["row_id"])
                assert decision is not None
                self.summary.closed += close_decided(self.session, decision)
            return
        clock = (op["hlc"], op["origin"])
        writes: dict[str, Any] = {}
        for name, (old, new) in op["changes"].items():
            if name == "deleted_at":
                continue  # decided below, from every delete and edit of the record
            local = [e for e in history if name in e.changes]
            writer = max(local, key=lambda e: (e.hlc, e.origin)) if local else None
            latest = clock > ((writer.hlc, writer.origin) if writer else (-1, ""))
            now = to_json(current[name])
            if latest and now != new:
                writes[name] = from_json(kinds[name], new)
            if now not in (old, new) and writer is not None and self._unseen(writer):
                self._conflict(op, name, old, now, "incoming" if latest else "local", writer)
        deleted = self._deletion(op, history, current)
        if to_json(current["deleted_at"]) != to_json(deleted):
            writes["deleted_at"] = deleted
        if writes:
            newest = all(clock > (e.hlc, e.origin) for e in history)  # bookkeeping follows the latest write
            self.session.execute(update(table).where(table.c.id == op["row_id"]).values(
                updated_at=at if newest else current["updated_at"],
                updated_by=op["actor"] if newest else current["updated_by"], change_id=entry_id, **writes))
        self.summary.applied += 1

    def _deletion(self, op: dict[str, Any], history: list[ChangeLog], current: Any) -> datetime | None:
        """The record's tombstone once this operation is counted: deleted when its latest delete
        (by clock, then site) is later than its latest edit. A delete and an edit made without
        seeing each other are a conflict."""
        entries = [(e.hlc, e.origin, e.op, e.changes.get("deleted_at", [None, None])[1]) for e in history
                   if e.op != "insert"]
        entries.append((op["hlc"], op["origin"], op["op"], op["changes"].get("deleted_at", [None, None])[1]))
        deletes = [e for e in entries if e[2] == "delete"]
        edits = [e for e in entries if e[2] == "update"]
        last_delete = max(deletes, default=None)
        last_edit = max(edits, default=None)
        if last_delete is None:
            return None if current["deleted_at"] is None else current["deleted_at"]
        if last_edit is not None and last_edit[:2] > last_delete[:2]:
            result = None
        else:
            result = datetime.fromisoformat(last_delete[3]) if last_delete[3] else current["deleted_at"]
        # Conflict: this operation is a delete and an edit here had not been seen, or the reverse.
        other = "update" if op["op"] == "delete" else "delete" if op["op"] == "update" else None
        unseen = [e for e in history if e.op == other and self._unseen(e) and e.origin != op["origin"]]
        if unseen:
            latest = max(unseen, key=lambda e: (e.hlc, e.origin))
            local = to_json(current["deleted_at"])
            incoming = op["changes"].get("deleted_at", [None, None])[1] if op["op"] == "delete" else None
            winner = "incoming" if (op["hlc"], op["origin"]) > (latest.hlc, latest.origin) else "local"
            self._conflict(op, "deleted_at", None, local, winner, latest, incoming=incoming)
        return result


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
    applier = _Applier(session, m, total, held)
    sequence = _Sequence(session, m["ranges"], held)
    try:
        for done, op in enumerate(reader.operations(), start=1):
            sequence.check(op)
            _check_operation(op)
            applier.add(op)
            if progress is not None and (done % 2000 == 0 or done == total):
                progress("applying", done, total)
        applier.flush()
    except (IntegrityError, StatementError) as exc:
        # What the checks above let through and the database still refuses (a required field
        # missing, a record pointing to one that does not exist): the bundle, not dtlab, is wrong.
        raise Rejected(f"an operation does not fit this database ({' '.join(str(exc.orig).split())})") from None
    sequence.finish()
    _acknowledge(session, m["origin"]["code"], m["vector"])
    _learn_names(session, m, relay=m["origin"]["code"] == hq_site)
    summary = applier.summary
    session.add(BundleRecord(id=m["bundle_id"], direction="received", peer=m["origin"]["code"], at=utc_now(),
                             operations=summary.operations, applied=summary.applied, skipped=summary.skipped,
                             conflicts=summary.conflicts, release=m["release"], file=file, sealed=sealed))
    return summary


def _acknowledge(session: Session, peer: str, held: dict[str, int]) -> None:
    """The sender holds everything up to its vector: export need not send it that again."""
    for origin, seq in held.items():
        row = session.get(PeerVector, (peer, origin))
        if row is None:
            session.add(PeerVector(peer=peer, origin=origin, seq=seq))
        elif seq > row.seq:
            row.seq = seq


def bundles(session: Session) -> list[BundleRecord]:
    return list(session.scalars(select(BundleRecord).order_by(col(BundleRecord.at).desc())))


def conflict_rows(session: Session) -> list[dict[str, Any]]:
    """The open conflicts as people read them: the case's ref and title, the field's label, both
    values, who and when, and which is kept for now."""
    refs: dict[str, tuple[str, str]] = {}
    conflicts = open_conflicts(session)
    names = site_names(session)
    case_ids = {c.case_id for c in conflicts if c.case_id}
    if case_ids:
        refs = {i: (r, t) for i, r, t in session.execute(
            select(col(Case.id), col(Case.ref), col(Case.title)).where(col(Case.id).in_(case_ids)))}
    return [{"id": c.id, "table": c.table_name, "record": TABLE_NOUNS.get(c.table_name, c.table_name),
             "row_id": c.row_id, "ref": refs.get(c.case_id or "", ("", ""))[0] or None,
             "title": refs.get(c.case_id or "", ("", ""))[1] or None, "field": c.field,
             "label": "Deleted" if c.field == "deleted_at" else field_label(c.field), "base": c.base,
             "local": c.local, "incoming": c.incoming, "winner": c.winner, "local_actor": c.local_actor,
             "local_at": c.local_at, "incoming_actor": c.incoming_actor, "incoming_at": c.incoming_at,
             "incoming_site": names.get(c.incoming_origin), "local_site": names.get(c.local_origin or "")}
            for c in conflicts]


def open_conflicts(session: Session) -> list[Conflict]:
    return list(session.scalars(select(Conflict).where(col(Conflict.resolved_at).is_(None))
                                .order_by(col(Conflict.id))))


def open_conflict_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Conflict)
                          .where(col(Conflict.resolved_at).is_(None))) or 0


RESOLUTIONS = ("keep", "take", "edit")


def _close(conflict: Conflict, decision: Decision) -> bool:
    """Close the conflict if the decision had seen both of its writes. A conflict recorded
    before its local side was kept (before migration 0010) is left for someone here to decide."""
    if conflict.resolved_at is not None or conflict.local_origin is None:
        return False
    seen = set(decision.seen.split())
    sides = {f"{conflict.incoming_origin}:{conflict.incoming_seq}", f"{conflict.local_origin}:{conflict.local_seq}"}
    if not sides <= seen:
        return False
    conflict.resolved_at = utc_now()
    conflict.resolution = f"decided at {decision.site} by {decision.updated_by}: {decision.resolution}"
    return True


def close_decided(session: Session, decision: Decision) -> int:
    """Close the open conflicts here that a decision settles; how many it closed."""
    closed = 0
    for conflict in session.scalars(select(Conflict).where(
            col(Conflict.table_name) == decision.table_name, col(Conflict.row_id) == decision.row_id,
            col(Conflict.field) == decision.field, col(Conflict.resolved_at).is_(None))):
        closed += _close(conflict, decision)
    return closed


def _writes_to(session: Session, table: str, row_id: str, field: str) -> list[str]:
    """Every write this site holds to one field of a row, as "origin:seq" (for a delete
    conflict, every update and delete of the row)."""
    entries = session.scalars(select(ChangeLog).where(col(ChangeLog.table_name) == table,
                                                      col(ChangeLog.row_id) == row_id))
    return [f"{e.origin}:{e.seq}" for e in entries
            if (e.op in ("update", "delete") if field == "deleted_at" else field in e.changes)]


def resolve_conflict(store: Any, conflict_id: int, how: str, value: Any = None) -> Conflict:
    """Decide a conflict for good: keep the value this site had, take the incoming one, or write
    another. The value is an ordinary logged change, and the decision a record of its own, so both
    travel: the decision closes the same conflict at the other sites when it arrives."""
    if how not in RESOLUTIONS:
        raise Rejected(f"resolve with one of {', '.join(RESOLUTIONS)}")
    with store.write() as session:
        conflict = session.get(Conflict, conflict_id)
        if conflict is None:
            raise Rejected(f"no conflict #{conflict_id}")
        if conflict.resolved_at is not None:
            raise Rejected(f"conflict #{conflict_id} was resolved on {conflict.resolved_at:%Y-%m-%d} "
                           f"({conflict.resolution})")
        model = SYNCED_BY_TABLE[conflict.table_name]
        row = session.get(model, conflict.row_id)
        if row is None:
            raise Rejected(f"the {conflict.table_name} record of conflict #{conflict_id} is gone")
        if how == "edit" and (value is None or not str(value).strip()):
            raise Rejected("write the value to keep, or keep or take one of the two")
        chosen = {"keep": conflict.local, "take": conflict.incoming, "edit": value}[how]
        if conflict.field == "deleted_at":
            # A delete against an edit: each side holds its tombstone (or none); choose one.
            if how == "edit":
                raise Rejected("a delete against an edit is decided by keeping or taking, not by a value")
            row.deleted_at = from_json(shape(model).kinds["deleted_at"], chosen)
        else:
            setattr(row, conflict.field, from_json(shape(model).kinds[conflict.field], chosen))
        resolution = {"keep": "kept", "take": "took incoming", "edit": "edited"}[how]
        code = session.get(Meta, "site_code")
        decision = Decision(case_id=conflict.case_id, table_name=conflict.table_name, row_id=conflict.row_id,
                            field=conflict.field, resolution=resolution, site=code.value if code else "?",
                            seen=" ".join(_writes_to(session, conflict.table_name, conflict.row_id,
                                                     conflict.field)))
        session.add(decision)
        session.flush()
        close_decided(session, decision)  # any other conflict here over the same writes
        conflict.resolved_at = conflict.resolved_at or utc_now()
        conflict.resolution = resolution
        session.flush()
        return conflict
