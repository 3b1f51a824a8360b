"""The sync commands: keys, export, import, conflicts."""

from __future__ import annotations

import argparse
import base64
from pathlib import Path

from rich.console import Console

from . import errors
from .cli import Failure, _print_json
from .db.store import Store
from .domain.words import plural
from .sync.bundle import Rejected
from .sync.keys import KeyProblem, parse_line, site_key


def keys_show(args: argparse.Namespace, store: Store) -> int:
    site = store.require_site()
    try:
        key = site_key(site.id)
    except KeyProblem as exc:
        raise Failure(str(exc), errors.USAGE) from None
    if args.json:
        _print_json({"site": site.code, "key_id": key.id, "public_key": base64.b64encode(key.public).decode(),
                     "line": key.line(site.code)})
        return errors.OK
    print(key.line(site.code))
    return errors.OK


def keys_trust(args: argparse.Namespace, store: Store) -> int:
    from .db.sync import trust

    try:
        public, named = parse_line(Path(args.file).read_text(encoding="utf-8"))
    except OSError as exc:
        raise Failure(f"{args.file}: {exc.strerror}", errors.USAGE) from None
    except KeyProblem as exc:
        raise Failure(f"{args.file}: {exc}", errors.USAGE) from None
    code = args.site.upper()
    if named and named.upper() != code:
        raise Failure(f"{args.file} is the key of site {named}, not {code}", errors.USAGE)
    with store.write() as session:
        try:
            kid = trust(session, public, code)
        except Rejected as exc:
            raise Failure(str(exc), errors.REFUSED) from None
    print(f"key {kid} trusted for site {code}")
    return errors.OK


def keys_revoke(args: argparse.Namespace, store: Store) -> int:
    from .db.sync import revoke

    with store.write() as session:
        try:
            row = revoke(session, args.key_id)
        except Rejected as exc:
            raise Failure(str(exc), errors.USAGE) from None
        print(f"key {row.key_id} of site {row.site_code} revoked: its bundles are refused from now on")
    return errors.OK


def keys_list(args: argparse.Namespace, store: Store) -> int:
    from .db.sync import trusted_keys

    with store.read() as session:
        rows = [{"key_id": k.key_id, "site": k.site_code, "added_at": k.added_at, "revoked_at": k.revoked_at}
                for k in trusted_keys(session)]
    if args.json:
        _print_json(rows)
        return errors.OK
    for r in rows:
        state = f"revoked {r['revoked_at']:%Y-%m-%d}" if r["revoked_at"] else "trusted"
        print(f"{r['site']:<8} {r['key_id']}  {state}")
    if not rows:
        print("no trusted keys yet: dtlab keys trust FILE --site CODE")
    return errors.OK


def export(args: argparse.Namespace, store: Store) -> int:
    from .sync.exchange import export_file

    to = (args.to or args.settings.hq_site).upper()
    if to == store.require_site().code:
        raise Failure(f"this site is {to}: export to another site (--to CODE)", errors.USAGE)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn(f"writing the bundle for {to}"), BarColumn(), MofNCompleteColumn())
    try:
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("export", total=None)
            manifest, count, size = export_file(store, Path(args.out), to, args.full,
                                                progress=lambda done, total: bar.update(task, completed=done,
                                                                                        total=total))
    except (Rejected, KeyProblem) as exc:
        raise Failure(str(exc), errors.USAGE) from None
    print(f"{args.out}: {plural(count, 'operation')} for {to}, {size:,} bytes, release {manifest['release']}")
    return errors.OK


def import_(args: argparse.Namespace, store: Store) -> int:
    from .sync.exchange import import_file

    try:
        with Console(stderr=True).status(f"checking {args.file}, then applying it…"):
            summary = import_file(store, Path(args.file), args.settings.hq_site, dry_run=args.dry_run)
    except Rejected as exc:
        raise Failure(f"bundle rejected: {exc}", errors.BUNDLE_REJECTED) from None
    if args.json:
        _print_json(summary.as_json() | {"dry_run": args.dry_run})
        return errors.OK
    if summary.already:
        print(f"{args.file}: already imported on an earlier run; nothing changed")
        return errors.OK
    verb = "would apply" if args.dry_run else "applied"
    print(f"{args.file} from {summary.origin}: {verb} {summary.applied:,}, skipped {summary.skipped:,} "
          f"already held, {plural(summary.conflicts, 'conflict')}"
          + (" (dtlab conflicts lists them)" if summary.conflicts else ""))
    return errors.OK


def conflicts(args: argparse.Namespace, store: Store) -> int:
    from .db.sync import conflict_rows, resolve_conflict

    if args.action == "resolve":
        if args.conflict_id is None:
            raise Failure("which conflict? dtlab conflicts resolve ID --keep|--take|--value V", errors.USAGE)
        how = "keep" if args.keep else "take" if args.take else "edit" if args.value is not None else None
        if how is None:
            raise Failure("resolve with --keep (the value here), --take (the incoming one) or --value V",
                          errors.USAGE)
        try:
            done = resolve_conflict(store, args.conflict_id, how, args.value)
        except Rejected as exc:
            raise Failure(str(exc), errors.REFUSED) from None
        print(f"conflict #{done.id} on {done.table_name} {done.field}: {done.resolution}")
        return errors.OK

    with store.read() as session:
        rows = conflict_rows(session)
    if args.json:
        _print_json(rows)
        return errors.OK
    console = Console(highlight=False, soft_wrap=True)
    for r in rows:
        where = f"{r['ref']} {r['title']}" if r["ref"] else r["row_id"]
        console.print(f"[bold]#{r['id']}[/] {where} · {r['record']} · {r['label']}: "
                      f"before both edits {r['base']!r}")
        console.print(f"    here:     {r['local']!r} ({r['local_actor'] or '?'})"
                      + ("  [green]kept for now[/]" if r["winner"] == "local" else ""))
        console.print(f"    incoming: {r['incoming']!r} ({r['incoming_actor']}, {r['incoming_at']:%Y-%m-%d %H:%M})"
                      + ("  [green]kept for now[/]" if r["winner"] == "incoming" else ""))
    print(f"{plural(len(rows), 'open conflict')}")
    return errors.OK
