"""The sync commands: keys, export, import, conflicts."""

from __future__ import annotations

import argparse
import base64
import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from dtlab import errors
from dtlab.cli.output import Handler, out_console, print_json, say
from dtlab.cli.tables import ljust
from dtlab.db.store import Store
from dtlab.errors import UsageError
from dtlab.i18n import _, ngettext
from dtlab.present.safe import from_markup, shown
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
        raise UsageError(_("{file} holds the keys of site {site}, not {code}").format(file=args.file, site=given.site,
                                                                                     code=code))
    if code == store.require_site().code:
        raise UsageError(_("{code} is this site: trust the keys of the sites you exchange bundles with").format(
            code=code))
    with store.write() as session:
        kid = trust(session, given.signing, code) if given.signing else None
        if given.recipient:
            set_recipient(session, given.recipient, code)
    if kid:
        say(_("key {key} trusted for site {code}: its bundles are accepted").format(key=kid, code=code))
    if given.recipient:
        say(_("bundles for {code} can be encrypted to it (dtlab export --to {code} --encrypt)").format(code=code))
    return errors.OK


def keys_revoke(args: argparse.Namespace, store: Store) -> int:
    from dtlab.sync.trust import revoke

    with store.write() as session:
        row = revoke(session, args.key_id)
        kid, site = row.key_id, row.site_code
    # Said once written: a refusal at commit (a role that may not revoke) must not follow a success.
    say(_("key {key} of site {code} revoked: its bundles are refused from now on").format(key=kid, code=site))
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
        state = (_("revoked {day}").format(day=f"{r['revoked_at']:%Y-%m-%d}") if r["revoked_at"] else
                 _("trusted"))
        say(f"{r['site']:<8} {r['key_id']}  {state}")
    for code, recipient in sorted(sealing.items()):
        say(f"{code:<8} {recipient}  " + _("encrypt to"))
    if not rows and not sealing:
        print(_("no trusted keys yet: dtlab keys trust FILE --site CODE"))
    return errors.OK


@contextlib.contextmanager
def _bar(description: str) -> Iterator[Callable[..., None]]:
    """A progress bar on stderr while the work runs, gone when it ends; none when stderr is not
    a terminal, so that scripts read clean output."""
    console = out_console(stderr=True)
    if not console.is_terminal:
        yield lambda **_fields: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console,
                  transient=True) as bar:
        task = bar.add_task(description, total=None)
        yield lambda **fields: bar.update(task, **fields)


def export(args: argparse.Namespace, store: Store) -> int:
    from dtlab.sync.exchange import export_file

    to = (args.to or args.settings.hq_site).upper()
    doing = (_("writing the encrypted bundle for {site}") if args.encrypt else
             _("writing the bundle for {site}")).format(site=to)
    with _bar(doing) as update:
        manifest, count, size = export_file(store, Path(args.out), to, args.full, sealed=args.encrypt,
                                            hq_site=args.settings.hq_site, replace=args.replace,
                                            progress=lambda done, total: update(completed=done, total=total))
    words = {"file": args.out, "n": f"{count:,}", "site": to, "size": f"{size:,}", "release": manifest["release"]}
    if args.encrypt:
        say(ngettext("{file}: {n} operation for {site}, {size} bytes, encrypted to {site}'s key, release {release}",
                     "{file}: {n} operations for {site}, {size} bytes, encrypted to {site}'s key, release {release}",
                     count).format(**words))
    else:
        say(ngettext("{file}: {n} operation for {site}, {size} bytes, release {release}",
                     "{file}: {n} operations for {site}, {size} bytes, release {release}", count).format(**words))
    return errors.OK


def import_(args: argparse.Namespace, store: Store) -> int:
    from dtlab.sync.exchange import STAGES, import_file

    with _bar(_("reading {file}").format(file=args.file)) as update:
        summary = import_file(store, Path(args.file), args.settings.hq_site, dry_run=args.dry_run,
                              progress=lambda stage, done, total: update(description=STAGES[stage],
                                                                         completed=done, total=total or None))
    if args.json:
        print_json(summary.as_json() | {"dry_run": args.dry_run})
        return errors.OK
    if summary.already:
        say(_("{file}: already imported on an earlier run; nothing changed").format(file=args.file))
        return errors.OK
    said = [_imported(args.dry_run, summary.conflicts > 0, summary.conflicts).format(
        file=args.file, site=summary.origin, applied=f"{summary.applied:,}", skipped=f"{summary.skipped:,}",
        n=f"{summary.conflicts:,}")]
    if summary.closed:
        said.append(_("{n} decided at another site and closed here").format(n=summary.closed))
    say("; ".join(said))
    return errors.OK


def _imported(dry_run: bool, hint: bool, conflicts: int) -> str:
    """What an import wrote (or would write): a whole sentence for each case, so that a language
    orders it as it must."""
    if dry_run and hint:
        return ngettext("{file} from {site}: would apply {applied}, skipped {skipped} already held, {n} conflict "
                        "(dtlab conflicts lists them)",
                        "{file} from {site}: would apply {applied}, skipped {skipped} already held, {n} conflicts "
                        "(dtlab conflicts lists them)", conflicts)
    if dry_run:
        return ngettext("{file} from {site}: would apply {applied}, skipped {skipped} already held, {n} conflict",
                        "{file} from {site}: would apply {applied}, skipped {skipped} already held, {n} conflicts",
                        conflicts)
    if hint:
        return ngettext("{file} from {site}: applied {applied}, skipped {skipped} already held, {n} conflict "
                        "(dtlab conflicts lists them)",
                        "{file} from {site}: applied {applied}, skipped {skipped} already held, {n} conflicts "
                        "(dtlab conflicts lists them)", conflicts)
    return ngettext("{file} from {site}: applied {applied}, skipped {skipped} already held, {n} conflict",
                    "{file} from {site}: applied {applied}, skipped {skipped} already held, {n} conflicts", conflicts)


def conflicts(args: argparse.Namespace, store: Store) -> int:
    from dtlab.present.conflicts import labelled, record_noun
    from dtlab.sync.conflicts import conflict_rows, reason_words, resolution_words, resolve_conflict

    if args.action == "resolve":
        if args.conflict_id is None:
            raise UsageError(_("which conflict? dtlab conflicts resolve ID --keep|--take|--value V"))
        how = "keep" if args.keep else "take" if args.take else "edit" if args.value is not None else None
        if how is None:
            raise UsageError(_("resolve with --keep (the value here), --take (the incoming one) or --value V"))
        done = resolve_conflict(store, args.conflict_id, how, args.value)
        from dtlab.present.words import field_label

        say(_("conflict #{id} on the {record}'s {field}: {resolution}").format(
            id=done.id, record=record_noun(done.table_name), field=field_label(done.field).lower(),
            resolution=resolution_words(done.resolution) or ""))
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
        before = _("before both edits {value}").format(value=shown(repr(r["base"])))
        console.print(from_markup(f"[bold]#{r['id']}[/] {shown(where)} · {shown(r['record'])} · {shown(r['label'])}: "
                                  f"{before}"))
        # The three values one under the other, after labels padded to one width (in cells).
        why, here, incoming = ljust(_("why:"), 10), ljust(_("here:"), 10), ljust(_("incoming:"), 10)
        if r["reason"]:
            console.print(from_markup(f"    {why}{shown(reason_words(r['reason']))}"))
        kept = "  [green]" + _("kept for now") + "[/]"
        console.print(from_markup(f"    {here}{shown(repr(r['local']))} "
                                  f"({shown(r['local_actor'] or '?')}{local_when})"
                                  + (kept if r["winner"] == "local" else "")))
        who = (_("{actor} at {site}").format(actor=shown(r["incoming_actor"]), site=shown(r["incoming_site"]))
               if r["incoming_site"] else shown(r["incoming_actor"]))
        console.print(from_markup(f"    {incoming}{shown(repr(r['incoming']))} ({who}, "
                                  f"{r['incoming_at']:%Y-%m-%d %H:%M})"
                                  + (kept if r["winner"] == "incoming" else "")))
    print(ngettext("{n} open conflict", "{n} open conflicts", len(rows)).format(n=f"{len(rows):,}"))
    return errors.OK


# The commands this module answers, by name (cli.run dispatches on them).
COMMANDS: dict[str, Handler] = {"export": export, "import": import_, "conflicts": conflicts}
KEYS_COMMANDS: dict[str, Handler] = {"show": keys_show, "trust": keys_trust, "revoke": keys_revoke, "list": keys_list}
