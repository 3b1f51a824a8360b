"""The checks a received bundle passes before and while it is applied: who signed it and whether
this site trusts them, what its manifest claims against what this database holds, each origin's
sequence, and what each operation may touch. Any failure is a `Rejected` (exit 4) with one line
that says why; in the import's transaction, nothing of the bundle is then written."""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from dtlab.db.changelog import to_json
from dtlab.db.columns import moment, shape
from dtlab.db.head import SCHEMA_HEAD
from dtlab.db.models import SYNCED_BY_TABLE, BundleRecord, ChangeLog, SiteName, TrustedKey
from dtlab.db.store import Site
from dtlab.domain import clock as hlc
from dtlab.sync.bundle import BundleReader, Rejected
from dtlab.sync.keys import verify
from dtlab.sync.rejected import op_name

FUTURE_MS = 24 * 3600 * 1000  # a clock this far ahead of ours is a broken or forged one


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
    if m.get("to") != site.code:
        # A bundle is written for one site (what it leaves out is what that site acknowledged);
        # another site's is not this one's to apply.
        raise Rejected(f"the bundle is addressed to {m.get('to')!r}, not to this site ({site.code})")
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


def operation(entry: ChangeLog) -> dict[str, Any]:
    """A log entry as a bundle carries it."""
    return {"origin": entry.origin, "seq": entry.seq, "hlc": entry.hlc, "actor": entry.actor,
            "at": to_json(entry.at), "table": entry.table_name, "row_id": entry.row_id, "op": entry.op,
            "case_id": entry.case_id, "changes": entry.changes}


class SequenceCheck:
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
            if entry is not None and operation(entry) != op:
                raise Rejected(f"site {op['origin']} sent two different operations numbered {op['seq']}: "
                               "a forked site")

    def finish(self) -> None:
        for origin, high in self.ends.items():
            if self.next[origin] != high + 1:
                raise Rejected(f"the operations of origin {origin} do not match their declared range")


def check_against_schema(op: dict[str, Any]) -> None:
    """What an operation may touch and the values it carries, against the schema."""
    name = op_name(op)
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
    if op["op"] != "insert" and model.FIXED & changes.keys():
        fixed = ", ".join(sorted(model.FIXED & changes.keys()))
        raise Rejected(f"{name}: {op['table']} records keep the {fixed} they were written with")
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
