"""Writing and reading bundle files against a store: the steps the command line and the sync
screen share. Nothing here draws or prints."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..db.store import Store
from ..db.sync import ImportSummary, check_signer, import_bundle, prepare_export, recipient_for, record_sent
from ..domain.ids import check_site_code
from .bundle import Limits, Rejected, read_bundle, write_bundle, write_zip
from .keys import KeyProblem, site_identity, site_key
from .sealing import is_sealed, seal, unsealed


def export_file(store: Store, out: Path, to_site: str, full: bool = False,
                progress: Callable[[int, int], None] | None = None,
                sealed: bool = False) -> tuple[dict[str, Any], int, int]:
    """Write the bundle for `to_site`; returns its manifest, operation count and size in bytes.
    `progress(done, total)` hears of the operations written. With `sealed`, the bundle is
    encrypted to `to_site`'s age key, which must be known. The bundle is recorded as sent only
    once the file is complete."""
    site = store.require_site()
    key = site_key(site.id)
    try:
        to_site = check_site_code(to_site)
    except ValueError as exc:
        raise Rejected(str(exc)) from None
    out = Path(out)
    if out.is_dir():
        raise Rejected(f"{out} is a directory: give the bundle's file name")
    if not out.parent.exists():
        raise Rejected(f"{out.parent} does not exist")
    with store.read() as session:
        recipient = recipient_for(session, to_site) if sealed else None
        export = prepare_export(session, site, key.id, to_site, full)
    total = len(export.operations)

    def counted() -> Iterator[dict[str, Any]]:
        for done, operation in enumerate(export.operations, start=1):
            if progress is not None and (done % 2000 == 0 or done == total):
                progress(done, total)
            yield operation

    if recipient is None:
        size = write_bundle(out, export.manifest, counted(), key.sign)
    else:
        # The plain bundle lives only in an anonymous temporary file, never under a name.
        with tempfile.TemporaryFile() as plain:
            write_zip(plain, export.manifest, counted(), key.sign)
            plain.seek(0)
            size = seal(plain, out, recipient)
    with store.write() as session:
        record_sent(session, export, str(out), sealed=recipient is not None)
    return export.manifest, len(export.operations), size


Progress = Callable[[str, int, int], None]


def import_file(store: Store, path: Path, hq_site: str, dry_run: bool = False,
                progress: Progress | None = None) -> ImportSummary:
    """Check the bundle completely, then apply it in one transaction (or, with `dry_run`, say
    what it would do). A sealed bundle is opened with this site's age key first. A rejected
    bundle raises `Rejected` with nothing written. `progress(stage, done, total)` hears of each
    stage: "opening" a sealed bundle, "checking" its operations, "applying" them."""
    site = store.require_site()
    path = Path(path)

    def signed(manifest: dict[str, Any], manifest_bytes: bytes, signature: bytes) -> None:
        with store.read() as session:
            check_signer(session, manifest, manifest_bytes, signature, site)

    sealed = is_sealed(path)
    if sealed:
        try:
            identity = site_identity(site.id, create=False)
        except KeyProblem as exc:
            raise Rejected(f"the bundle is encrypted, and this site cannot open it: {exc}") from None
        if progress is not None:
            progress("opening", 0, 0)
        with unsealed(path, identity, Limits().file_bytes) as plain:
            bundle = read_bundle(plain, signed=signed, progress=progress)
    else:
        bundle = read_bundle(path, signed=signed, progress=progress)
    if dry_run:
        with store.read() as session:
            return import_bundle(session, bundle, site, hq_site, dry_run=True)
    with store.write() as session:
        return import_bundle(session, bundle, site, hq_site, file=str(path), sealed=sealed, progress=progress)
