"""Bundles a trusted site signs with operations of the test's choosing: what a stolen,
compromised or buggy laptop can send. The manifest is the one a real export wrote, with its
ranges made to fit the operations and a new bundle id, signed again with the site's own key."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from dtlab.domain.ids import new_id
from dtlab.sync.bundle import MANIFEST, OPERATIONS, SIGNATURE, canonical
from tests.helpers.sites import Site


def read(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A bundle's manifest and operations."""
    with zipfile.ZipFile(path) as z:
        return json.loads(z.read(MANIFEST)), [json.loads(line) for line in z.read(OPERATIONS).splitlines()]


def sign(site: Site, manifest: dict[str, Any], ops: list[dict[str, Any]], out: Path,
         patch: tuple[bytes, bytes] | None = None, **changes: Any) -> Path:
    """`ops` as a bundle `site` signed: ranges (and the vector) from the operations, a fresh bundle id. `patch`
    replaces bytes in the operations' text (to write what JSON writers will not, like 1e999)."""
    data = b"".join(canonical(op) + b"\n" for op in ops)
    if patch is not None:
        data = data.replace(*patch)
    ranges: dict[str, list[int]] = {}
    for op in ops:
        low, high = ranges.get(op["origin"], [op["seq"], op["seq"]])
        ranges[op["origin"]] = [min(low, op["seq"]), max(high, op["seq"])]
    # A site's vector covers what it sends (its own operations included), as an export's does.
    vector = dict(manifest["vector"])
    for origin, (_low, high) in ranges.items():
        vector[origin] = max(vector.get(origin, 0), high)
    manifest = {**manifest, "bundle_id": new_id(), "ranges": ranges, "vector": vector, **changes,
                "members": {OPERATIONS: {"size": len(data), "rows": len(ops),
                                         "sha256": hashlib.sha256(data).hexdigest()}}}
    raw = json.dumps(manifest, sort_keys=True).encode()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(OPERATIONS, data)
        z.writestr(MANIFEST, raw)
        z.writestr(SIGNATURE, base64.b64encode(site.key.sign(raw)) + b"\n")
    return out


class Forger:
    """A trusted site writing operations by hand after those of a real bundle of its own."""

    def __init__(self, site: Site, to: str = "HQ"):
        self.site = site
        self.path = site.export(to)
        self.manifest, self.ops = read(self.path)
        self.origin = self.manifest["origin"]["id"]

    def add(self, table: str, row_id: str, op: str, changes: dict[str, list[Any]], case_id: str | None,
            **fields: Any) -> dict[str, Any]:
        """An operation numbered after the last one, its clock just after it."""
        last = self.ops[-1]
        entry = {"origin": self.origin, "seq": last["seq"] + 1, "hlc": last["hlc"] + 1, "actor": "mallory",
                 "at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(), "table": table,
                 "row_id": row_id, "op": op, "case_id": case_id, "changes": changes, **fields}
        self.ops.append(entry)
        return entry

    def first(self, table: str) -> dict[str, Any]:
        """The first operation of the bundle on `table`."""
        return next(op for op in self.ops if op["table"] == table)

    def bundle(self, out: Path, patch: tuple[bytes, bytes] | None = None, **manifest: Any) -> Path:
        return sign(self.site, self.manifest, self.ops, out, patch, **manifest)


def seen_hq_case(hq: Site, field: Site) -> str:
    """A case HQ made, at interest with its gate unmet, that the laptop has seen and said so;
    its id."""
    from sqlmodel import select

    from dtlab.db.models import Case
    from dtlab.services.cases import create_case

    create_case(hq.store, {"title": "HQ case", "country": "KE"})
    field.take(hq.export("NBO"))
    hq.take(field.export())
    with hq.store.read() as s:
        return next(c.id for c in s.scalars(select(Case)) if c.title == "HQ case")


def own_forger(field: Site) -> Forger:
    """A forger after the laptop's own operations of its latest bundle."""
    forger = Forger(field)
    forger.ops = [op for op in forger.ops if op["origin"] == forger.origin]
    return forger
