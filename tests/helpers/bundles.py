"""Bundles signed again after a change, for tests of what a signature cannot vouch for."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

from dtlab.sync.bundle import MANIFEST, OPERATIONS, SIGNATURE


def resigned(key: Any, manifest: dict[str, Any] | bytes, ops: bytes) -> list[tuple[str, bytes]]:
    """The three members of a bundle of `ops` whose manifest `key` signs. A manifest given as
    bytes is signed as it is (its members entry must then be right already, or is replaced when
    it is a dict)."""
    if isinstance(manifest, dict):
        manifest = {**manifest, "members": {OPERATIONS: {"size": len(ops), "rows": ops.count(b"\n"),
                                                         "sha256": hashlib.sha256(ops).hexdigest()}}}
        raw = json.dumps(manifest).encode()
    else:
        raw = manifest
    return [(OPERATIONS, ops), (MANIFEST, raw), (SIGNATURE, base64.b64encode(key.sign(raw)))]


def members(path: Path) -> dict[str, bytes]:
    """A bundle's members by name, as written."""
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}
