"""Writing and reading bundle files against a store: the steps the command line and the sync
screen share, with the rules both follow (what a bundle may be written onto, how a sealed one is
opened). Nothing here draws or prints."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from dtlab.db import dialects
from dtlab.db.store import Store
from dtlab.domain.ids import check_site_code
from dtlab.errors import UsageError
from dtlab.i18n import N_, Translated, _
from dtlab.sync.apply import ImportSummary, import_bundle
from dtlab.sync.bundle import Limits, Rejected, open_bundle, write_bundle, write_zip
from dtlab.sync.export import Export, record_sent
from dtlab.sync.keys import KeyProblem
from dtlab.sync.own_keys import identity as own_identity
from dtlab.sync.own_keys import signing_key
from dtlab.sync.sealing import is_sealed, seal, unsealed
from dtlab.sync.trust import recipient_for
from dtlab.sync.verify import check_against_schema, check_signer


def export_site(here: str, to_site: str) -> str:
    """The site a bundle may be written for: a well-formed code, and not this site. Raises
    `UsageError` with the reason."""
    try:
        to_site = check_site_code(to_site)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if to_site == here:
        raise UsageError(_("this site is {site}: write the bundle for another site").format(site=to_site))
    return to_site


def export_target(out: Path, replace: bool = False) -> Path:
    """Where a bundle may be written: a file in a folder that exists and can be written to; not a
    file that exists already unless `replace` says so (a bundle not yet delivered would be lost).
    Raises `UsageError` with the reason. The command line and the sync screen both ask this."""
    out = Path(out)
    if out.is_dir():
        raise UsageError(_("{path} is a directory: give the bundle's file name").format(path=out))
    if not out.parent.exists():
        raise UsageError(_("{path} does not exist").format(path=out.parent))
    if not os.access(out.parent, os.W_OK):
        raise UsageError(_("the folder {path} cannot be written to").format(path=out.parent))
    if out.exists() and not replace:
        raise UsageError(_("{path} exists: give another name, or replace it (dtlab export --replace)").format(
            path=out))
    return out


def export_file(store: Store, out: Path, to_site: str, full: bool = False,
                progress: Callable[[int, int], None] | None = None,
                sealed: bool = False, hq_site: str | None = None,
                replace: bool = False) -> tuple[dict[str, Any], int, int]:
    """Write the bundle for `to_site`; returns its manifest, operation count and size in bytes.
    `progress(done, total)` hears of the operations written. With `sealed`, the bundle is
    encrypted to `to_site`'s age key, which must be known. Given `hq_site`, a field site sends
    only its own operations (only headquarters relays, and receivers refuse relays from anyone
    else). An existing file at `out` is written over only with `replace`. The bundle is recorded
    as sent only once the file is complete. Every problem is a `UsageError`."""
    site = store.require_site()
    key = signing_key(store)
    to_site = export_site(site.code, to_site)
    out = export_target(out, replace)
    with store.read() as session:
        dialects.of(session).for_bulk_work(session)
        recipient = recipient_for(session, to_site) if sealed else None
        export = Export(session, site, key.id, to_site, full, relay=hq_site is None or site.code == hq_site)
        lines = export.lines(progress)
        try:
            if recipient is None:
                size = write_bundle(out, lines, export.manifest, key.sign)
            else:
                # The plain bundle lives only in an anonymous temporary file, never under a name.
                with tempfile.TemporaryFile() as plain:
                    write_zip(plain, lines, export.manifest, key.sign)
                    plain.seek(0)
                    size = seal(plain, out, recipient)
        except OSError as exc:
            raise UsageError(_("cannot write {path}: {error}").format(path=out, error=exc.strerror or exc)) from None
    with store.write() as session:
        record_sent(session, export, str(out), sealed=recipient is not None)
    return export.manifest(), export.total, size


Progress = Callable[[str, int, int], None]
# What each stage a `Progress` hears of is called, for the command line and the sync screen.
STAGES = Translated({"writing": N_("writing the bundle"), "opening": N_("opening the encrypted bundle"),
                     "checking": N_("checking the operations"), "applying": N_("applying the operations")})


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
    with contextlib.ExitStack() as stack:
        source: Path | IO[bytes] = path
        if sealed:
            try:
                identity = own_identity(store, create=False)
            except KeyProblem as exc:
                # Met while reading a bundle, a missing key rejects the bundle (exit 4), not the command.
                raise Rejected(_("the bundle is encrypted, and this site cannot open it: {problem}").format(
                    problem=exc)) from None
            if progress is not None:
                progress("opening", 0, 0)
            source = stack.enter_context(unsealed(path, identity, Limits().file_bytes))
        reader = stack.enter_context(open_bundle(source, signed=signed))
        # Everything that needs no database, before the write lock that other staff wait on.
        reader.precheck(check_against_schema, None if progress is None else
                        lambda done, total: progress("checking", done, total))
        try:
            # What the write is, as another writer waiting reads it: a code the lock's holder is
            # worded from (`db.dialects.holder_words`), never translated.
            with store.write(doing="an import") as session:  # i18n: not shown (a code: see above)
                dialects.of(session).for_bulk_work(session)
                summary = import_bundle(session, reader, site, hq_site, file=str(path), sealed=sealed,
                                        progress=progress)
                if dry_run:
                    raise _DryRun(summary)  # leaving the transaction by an exception rolls it back
        except _DryRun as run:
            return run.summary
    return summary


class _DryRun(Exception):
    def __init__(self, summary: ImportSummary):
        super().__init__("dry run")  # i18n: not shown (caught below, never raised to a user)
        self.summary = summary
