"""Writing and reading bundle files against a store: the steps the command line and the sync
screen share. Nothing here draws or prints."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..db.store import Store
from ..db.sync import ImportSummary, check_signer, import_bundle, prepare_export, record_sent
from .bundle import Rejected, read_bundle, write_bundle
from .keys import site_key


def export_file(store: Store, out: Path, to_site: str, full: bool = False,
                progress: Callable[[int, int], None] | None = None) -> tuple[dict[str, Any], int, int]:
    """Write the bundle for `to_site`; returns its manifest, operation count and size in bytes.
    `progress(done, total)` hears of the operations written. The bundle is recorded as sent only
    once the file is complete."""
    site = store.require_site()
    key = site_key(site.id)
    out = Path(out)
    if out.is_dir():
        raise Rejected(f"{out} is a directory: give the bundle's file name")
    if not out.parent.exists():
        raise Rejected(f"{out.parent} does not exist")
    with store.read() as session:
        export = prepare_export(session, site, key.id, to_site.upper(), full)
    total = len(export.operations)

    def counted() -> Iterator[dict[str, Any]]:
        for done, operation in enumerate(export.operations, start=1):
            if progress is not None and (done % 2000 == 0 or done == total):
                progress(done, total)
            yield operation

    size = write_bundle(out, export.manifest, counted(), key.sign)
    with store.write() as session:
        record_sent(session, export, str(out))
    return export.manifest, len(export.operations), size


def import_file(store: Store, path: Path, hq_site: str, dry_run: bool = False) -> ImportSummary:
    """Check the bundle completely, then apply it in one transaction (or, with `dry_run`, say
    what it would do). A rejected bundle raises `Rejected` with nothing written."""
    site = store.require_site()

    def signed(manifest: dict[str, Any], manifest_bytes: bytes, signature: bytes) -> None:
        with store.read() as session:
            check_signer(session, manifest, manifest_bytes, signature, site)

    bundle = read_bundle(Path(path), signed=signed)
    if dry_run:
        with store.read() as session:
            return import_bundle(session, bundle, site, hq_site, dry_run=True)
    with store.write() as session:
        return import_bundle(session, bundle, site, hq_site, file=str(path))
