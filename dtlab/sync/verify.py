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
from dtlab.i18n import _
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
        raise Rejected(_("this bundle was written by this site"))
    key = session.get(TrustedKey, manifest["key_id"])
    if key is None:
        raise Rejected(_("unknown key {key}: trust it first (dtlab keys trust FILE --site {site})").format(
            key=manifest["key_id"], site=origin["code"]))
    if key.revoked_at is not None:
        raise Rejected(_("key {key} was revoked on {date}").format(key=key.key_id, date=f"{key.revoked_at:%Y-%m-%d}"))
    if key.site_code != origin["code"]:
        raise Rejected(_("key {key} belongs to site {site}, not {origin}").format(
            key=key.key_id, site=key.site_code, origin=origin["code"]))
    if not verify(base64.b64decode(key.public_key), signature, manifest_bytes):
        raise Rejected(_("the signature does not match the manifest"))
    named = session.get(SiteName, origin["id"])
    if named is not None and named.code != origin["code"]:
        # A site's id is bound to the code it first came with: a trusted site cannot write under
        # another site's id (its operations would be taken as that site's).
        raise Rejected(_("site id {id} is site {site}'s here, not {origin}'s").format(
            id=origin["id"], site=named.code, origin=origin["code"]))


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
        raise Rejected(_("the bundle is addressed to {to}, not to this site ({site})").format(
            to=repr(m.get("to")), site=site.code))
    if m["schema_version"] > SCHEMA_HEAD:
        raise Rejected(_("the bundle's schema {schema} is newer than this dtlab's ({head}): upgrade dtlab "
                         "first").format(schema=m["schema_version"], head=SCHEMA_HEAD))
    before = session.get(BundleRecord, m["bundle_id"])
    if before is not None and before.direction == "sent":
        raise Rejected(_("bundle {id} is one this site wrote; it is not the bundle it claims to be").format(
            id=m["bundle_id"]))
    seen_before = before is not None
    if origin["code"] == hq_site and site.code != hq_site and not seen_before:
        newest = session.scalar(select(func.max(col(BundleRecord.release))).where(
            col(BundleRecord.direction) == "received", col(BundleRecord.peer) == hq_site,
            col(BundleRecord.id) != m["bundle_id"]))
        if newest is not None and m["release"] < newest:
            raise Rejected(_("release {release} from {hq} is older than release {newest} already applied").format(
                release=m["release"], hq=hq_site, newest=newest))
    relay = origin["code"] == hq_site  # only headquarters passes on other sites' operations
    for origin_id, (low, high) in m["ranges"].items():
        if origin_id != origin["id"] and not relay:
            raise Rejected(_("site {site} sent an operation of another site ({origin})").format(
                site=origin["code"], origin=origin_id))
        if origin_id == site.id and high > held.get(site.id, 0):
            raise Rejected(_("the bundle claims operations of this site that this site never made"))
        if low > high:
            raise Rejected(_("the operations of origin {origin} do not match their declared range").format(
                origin=origin_id))
        if low > held.get(origin_id, 0) + 1:
            raise Rejected(_("sequence gap: this database holds {origin} up to {held}, the bundle starts at {low}; "
                             "import the bundles in between first, or ask {site} for a full bundle (dtlab export "
                             "--full)").format(origin=origin_id, held=held.get(origin_id, 0), low=low,
                                               site=origin["code"]))
    if sum(high - low + 1 for low, high in m["ranges"].values()) != reader.declared_rows:
        raise Rejected(_("the manifest's ranges do not add up to its operations"))


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
            raise Rejected(_("the operations of origin {origin} do not match their declared range").format(
                origin=op["origin"]))
        self.next[op["origin"]] = expected + 1
        if op["seq"] <= self.held.get(op["origin"], 0):
            entry = self.session.scalars(select(ChangeLog).where(col(ChangeLog.origin) == op["origin"],
                                                                 col(ChangeLog.seq) == op["seq"])).first()
            if entry is not None and operation(entry) != op:
                raise Rejected(_("site {origin} sent two different operations numbered {seq}: a forked site").format(
                    origin=op["origin"], seq=op["seq"]))

    def finish(self) -> None:
        for origin, high in self.ends.items():
            if self.next[origin] != high + 1:
                raise Rejected(_("the operations of origin {origin} do not match their declared range").format(
                    origin=origin))


def check_against_schema(op: dict[str, Any]) -> None:
    """What an operation may touch and the values it carries, against the schema."""
    name = op_name(op)
    model = SYNCED_BY_TABLE.get(op["table"])
    if model is None:
        raise Rejected(_("{operation}: unknown table {table}").format(operation=name, table=repr(op["table"])))
    table = shape(model)
    changes = op["changes"]
    if not table.content.issuperset(changes):
        unknown = sorted(set(changes) - table.content)
        raise Rejected(_("{operation}: fields {fields} of {table} cannot be written by an operation").format(
            operation=name, fields=unknown, table=op["table"]))
    if model.APPEND_ONLY and op["op"] != "insert":
        raise Rejected(_("{operation}: {table} are append-only; they are never changed").format(
            operation=name, table=op["table"]))
    tombstone = changes["deleted_at"][1] if "deleted_at" in changes else None
    if (op["op"] == "delete") != (tombstone is not None):
        raise Rejected(_("{operation}: a delete, and only a delete, sets deleted_at").format(operation=name))
    if op["op"] != "insert" and model.FIXED & changes.keys():
        fixed = ", ".join(sorted(model.FIXED & changes.keys()))
        raise Rejected(_("{operation}: {table} records keep the {fields} they were written with").format(
            operation=name, table=op["table"], fields=fixed))
    physical, _counter = hlc.unpack(op["hlc"])
    if op["hlc"] < 0 or physical > hlc.wall_ms() + FUTURE_MS:
        raise Rejected(_("{operation}: its clock is more than a day ahead").format(operation=name))
    try:
        moment(op["at"])
        checks = table.checks
        for field_name, (old, new) in changes.items():
            if old is not None:
                checks[field_name](old)
            if new is not None:
                checks[field_name](new)
    except (ValueError, TypeError, OverflowError) as exc:
        raise Rejected(_("{operation}: a value that does not fit its field ({error})").format(
            operation=name, error=exc)) from None
