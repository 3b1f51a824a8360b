"""The sync commands: keys, export, import, conflicts."""

from __future__ import annotations

import argparse
import base64
import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from dtlab import errors
from dtlab.cli.output import Handler, out_console, print_json, say
from dtlab.db.store import Store
from dtlab.errors import UsageError
from dtlab.present.safe import from_markup, shown
from dtlab.present.words import plural
from dtlab.sync.keys import KeyProblem, identity_path, key_path, parse_key_file, recipient_line
from dtlab.sync.own_keys import identity as own_identity
from dtlab.sync.own_keys import signing_key


def keys_show(args: argparse.Namespace, store: Store) -> int:
    site = store.require_site()
    key, identity = signing_key(store), own_identity(store)
    lines = [key.line(site.code), recipient_line(identity, site.code)]
    if args.json:
        # The private keys' files too: an administrator deploying a site's keys names them.
        print_json({"site": site.code, "key_id": key.id, "public_key": base64.b64encode(key.public).decode(),
                     "recipient": str(identity.to_public()), "lines": lines,
                     "key_files": [str(key_path(site.id)), str(identity_path(site.id))]})
        return errors.OK
    for line in lines:
        say(line)
    return errors.OK


def keys_trust(args: argparse.Namespace, store: Store) -> int:
    from dtlab.sync.trust import set_recipient, trust

    try:
        given = parse_key_file(Path(args.file).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{args.file}: {exc.strerror}") from None
    except (KeyProblem, UnicodeDecodeError) as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    code = args.site.upper()
    if given.site and given.site != code:
        raise UsageError(f"{args.file} holds the keys of site {given.site}, not {code}")
    if code == store.require_site().code:
        raise UsageError(f"{code} is this site: trust the keys of the sites you exchange bundles with")
    with store.write() as session:
        kid = trust(session, given.signing, code) if given.signing else None
        if given.recipient:
            set_recipient(session, given.recipient, code)
    if kid:
        say(f"key {kid} trusted for site {code}: its bundles are accepted")
    if given.recipient:
        say(f"bundles for {code} can be encrypted to it (dtlab export --to {code} --encrypt)")
    return errors.OK


def keys_revoke(args: argparse.Namespace, store: Store) -> int:
    from dtlab.sync.trust import revoke

    with store.write() as session:
        row = revoke(session, args.key_id)
        kid, site = row.key_id, row.site_code
    # Said once written: a refusal at commit (a role that may not revoke) must not follow a success.
    say(f"key {kid} of site {site} revoked: its bundles are refused from now on")
    return errors.OK


def keys_list(args: argparse.Namespace, store: Store) -> int:
    from dtlab.sync.trust import recipients, trusted_keys

    with store.read() as session:
        rows = [{"key_id": k.key_id, "site": k.site_code, "added_at": k.added_at, "revoked_at": k.revoked_at}
                for k in trusted_keys(session)]
        sealing = {code: r.recipient for code, r in recipients(session).items()}
    if args.json:
        print_json({"signing_keys": rows, "encryption_keys": sealing})
        return errors.OK
    for r in rows:
        state = f"revoked {r['revoked_at']:%Y-%m-%d}" if r["revoked_at"] else "trusted"
        say(f"{r['site']:<8} {r['key_id']}  {state}")
    for code, recipient in sorted(sealing.items()):
        say(f"{code:<8} {recipient}  encrypt to")
    if not rows and not sealing:
        print("no trusted keys yet: dtlab keys trust FILE --site CODE")
    return errors.OK


@contextlib.contextmanager
def _bar(description: str) -> Iterator[Callable[..., None]]:
    """A progress bar on stderr while the work runs, gone when it ends; none when stderr is not
    a terminal, so that scripts read clean output."""
    console = out_console(stderr=True)
    if not console.is_terminal:
        yield lambda **_: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console,
                  transient=True) as bar:
        task = bar.add_task(description, total=None)
        yield lambda **fields: bar.update(task, **fields)


def export(args: argparse.Namespace, store: Store) -> int:
    from dtlab.sync.exchange import export_file

    to = (args.to or args.settings.hq_site).upper()
    with _bar(f"writing the {'encrypted ' if args.encrypt else ''}bundle for {to}") as update:
        manifest, count, size = export_file(store, Path(args.out), to, args.full, sealed=args.encrypt,
                                            hq_site=args.settings.hq_site, replace=args.replace,
                                            progress=lambda done, total: update(completed=done, total=total))
    sealed = f", encrypted to {to}'s key" if args.encrypt else ""
    say(f"{args.out}: {plural(count, 'operation')} for {to}, {size:,} bytes{sealed}, release {manifest['release']}")
    return errors.OK


def import_(args: argparse.Namespace, store: Store) -> int:
    from dtlab.sync.exchange import STAGES, import_file

    with _bar(f"reading {args.file}") as update:
        summary = import_file(store, Path(args.file), args.settings.hq_site, dry_run=args.dry_run,
                              progress=lambda stage, done, total: update(description=STAGES[stage],
                                                                         completed=done, total=total or None))
    if args.json:
        print_json(summary.as_json() | {"dry_run": args.dry_run})
        return errors.OK
    if summary.already:
        say(f"{args.file}: already imported on an earlier run; nothing changed")
        return errors.OK
    verb = "would apply" if args.dry_run else "applied"
    say(f"{args.file} from {summary.origin}: {verb} {summary.applied:,}, skipped {summary.skipped:,} "
          f"already held, {plural(summary.conflicts, 'conflict')}"
          + (" (dtlab conflicts lists them)" if summary.conflicts else "")
          + (f"; {summary.closed} decided at another site and closed here" if summary.closed else ""))
    return errors.OK


def conflicts(args: argparse.Namespace, store: Store) -> int:
    from dtlab.present.conflicts import labelled, record_noun
    from dtlab.sync.conflicts import conflict_rows, resolve_conflict

    if args.action == "resolve":
        if args.conflict_id is None:
            raise UsageError("which conflict? dtlab conflicts resolve ID --keep|--take|--value V")
        how = "keep" if args.keep else "take" if args.take else "edit" if args.value is not None else None
        if how is None:
            raise UsageError("resolve with --keep (the value here), --take (the incoming one) or --value V")
        done = resolve_conflict(store, args.conflict_id, how, args.value)
        from dtlab.present.words import field_label

        say(f"conflict #{done.id} on the {record_noun(done.table_name)}'s "
              f"{field_label(done.field).lower()}: {done.resolution}")
        return errors.OK

    with store.read() as session:
        rows = [labelled(r) for r in conflict_rows(session)]
    if args.json:
        print_json(rows)
        return errors.OK
    console = out_console(highlight=False, soft_wrap=True)
    for r in rows:
        where = f"{r['ref']} {r['title']}" if r["ref"] else r["row_id"]
        local_when = f", {r['local_at']:%Y-%m-%d %H:%M}" if r["local_at"] else ""
        console.print(from_markup(f"[bold]#{r['id']}[/] {shown(where)} · {shown(r['record'])} · {shown(r['label'])}: "
                                  f"before both edits {shown(repr(r['base']))}"))
        if r["reason"]:
            console.print(from_markup(f"    why:      {shown(r['reason'])}"))
        console.print(from_markup(f"    here:     {shown(repr(r['local']))} "
                                  f"({shown(r['local_actor'] or '?')}{local_when})"
                                  + ("  [green]kept for now[/]" if r["winner"] == "local" else "")))
        at_site = f" at {shown(r['incoming_site'])}" if r["incoming_site"] else ""
        console.print(from_markup(f"    incoming: {shown(repr(r['incoming']))} ({shown(r['incoming_actor'])}{at_site}, "
                                  f"{r['incoming_at']:%Y-%m-%d %H:%M})"
                                  + ("  [green]kept for now[/]" if r["winner"] == "incoming" else "")))
    print(f"{plural(len(rows), 'open conflict')}")
    return errors.OK


# The commands this module answers, by name (cli.run dispatches on them).
COMMANDS: dict[str, Handler] = {"export": export, "import": import_, "conflicts": conflicts}
KEYS_COMMANDS: dict[str, Handler] = {"show": keys_show, "trust": keys_trust, "revoke": keys_revoke, "list": keys_list}
