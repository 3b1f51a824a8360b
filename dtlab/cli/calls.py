"""The calls commands: list the calls for expressions of interest, show one with the requests
answering it, open, edit, close, cancel or reopen a site's call, and link a request to its call."""

from __future__ import annotations

import argparse
from datetime import date

from dtlab import errors
from dtlab.cli.output import Handler, out_console, print_json, say, updated_words
from dtlab.cli.tables import Column, ljust, print_table
from dtlab.db.store import Store
from dtlab.domain.calls import taking_interest
from dtlab.domain.stages import Stage, Status
from dtlab.i18n import N_, _, ngettext
from dtlab.present.call_words import CALL_STATUS_WORDS, deadline_words, eoi_words, late_words
from dtlab.present.labels import STAGE_LABELS, STATUS_LABELS
from dtlab.present.safe import from_markup, plain, shown


def _today(args: argparse.Namespace) -> date:
    return date.fromisoformat(args.today) if getattr(args, "today", None) else date.today()


def _list(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.calls import list_calls

    with store.read() as session:
        calls = list_calls(session)
    if getattr(args, "json", False):
        print_json([c.as_json() for c in calls])
        return errors.OK
    today = _today(args)
    columns = [Column(N_("call"), min_width=max((len(c.ref) for c in calls), default=4)),
               Column(N_("deadline"), min_width=10, text=False), Column(N_("where it stands"), min_width=12),
               Column(N_("on time"), text=False), Column(N_("late"), text=False), Column(N_("regions"), wide=True),
               Column(N_("title"), min_width=12, ratio=3)]
    rows = [[c.ref, c.deadline.isoformat(), deadline_words(c.deadline, c.status, today, c.opens_on),
             str(c.eois.on_time), str(c.eois.late), " ".join(c.regions) or _("any"), c.title] for c in calls]
    taking = sum(1 for c in calls if taking_interest(c.status, c.deadline, today, c.opens_on))
    summary = ngettext("{n} call, {taking} taking expressions of interest",
                       "{n} calls, {taking} taking expressions of interest", len(calls))
    print_table(columns, rows, summary.format(n=f"{len(calls):,}", taking=taking), getattr(args, "format", "table"))
    return errors.OK


def _show(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.calls import call_eois, find_call

    with store.read() as session:
        call = find_call(session, args.call)
        eois = call_eois(session, call)
    if args.json:
        print_json({**call.as_json(), "eois": [e.as_json() for e in eois]})
        return errors.OK
    today = _today(args)
    on_time = [e for e in eois if not e.days_late]
    late = [e for e in eois if e.days_late]
    columns = [Column(N_("ref"), min_width=13), Column(N_("received"), min_width=10, text=False),
               Column(N_("applicant"), ratio=2), Column(N_("country"), text=False), Column(N_("stage"), ratio=1),
               Column(N_("status")), Column(N_("late reason"), ratio=2, wide=True)]

    def row(e: object) -> list[object]:
        from dtlab.db.calls import Eoi
        assert isinstance(e, Eoi)
        received = e.received_on.isoformat() if e.received_on else "—"
        reason = e.late_reason or _("no reason recorded")
        return [e.ref, received, e.applicant or "—", e.country or "—", STAGE_LABELS[Stage(e.stage)],
                STATUS_LABELS[Status(e.status)],
                f"{late_words(e.days_late)}: {reason}" if e.days_late else ""]

    if args.format != "table":
        print_table(columns, [row(e) for e in eois], fmt=args.format)
        return errors.OK
    console = out_console(highlight=False, soft_wrap=True)
    console.print(from_markup(f"[bold]{shown(call.ref)}[/]  {shown(call.title)}"))
    # Scope and centre types are said by their ids, as the options that set them take them.
    facts = [(_("Deadline"), f"{call.deadline} ({deadline_words(call.deadline, call.status, today, call.opens_on)})"),
             (_("Opens"), str(call.opens_on or "—")), (_("Regions"), " ".join(call.regions) or _("any")),
             (_("Scope"), call.scope or _("any")), (_("Centre types"), ", ".join(call.centre_types) or _("any")),
             (_("Announced"), call.announcement or "—"),
             (_("Answers"), eoi_words(call.eois.on_time, call.eois.late))]
    if call.reference:
        facts.append((_("Kept in"), _("the reference data (seeds/calls.toml), the same on every site")))
    for label, value in facts:
        console.print(from_markup(f"[dim]{ljust(label, 13)}[/]") + plain(value))
    for title, group in ((_("On time"), on_time), (_("Late (counted apart)"), late)):
        if group:
            console.print(from_markup(f"\n[bold]{title}[/]"))
            print_table(columns, [row(e) for e in group],
                        ngettext("{n} expression of interest", "{n} expressions of interest", len(group))
                        .format(n=f"{len(group):,}"))
    if not eois:
        console.print()
        console.print(plain(_("No request answers {call} yet (dtlab calls link {call} REF).").format(call=call.ref)))
    return errors.OK


def _history(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.calls import find_call
    from dtlab.db.history import call_history
    from dtlab.present.history import history_lines

    with store.read() as session:
        call = find_call(session, args.call)
        entries = call_history(session, call.ref)
    if args.json:
        print_json([e.as_json() for e in entries])
        return errors.OK
    console = out_console(highlight=False, soft_wrap=True)
    if call.reference:
        console.print(plain(_("{call} is reference data (seeds/calls.toml): it has no history here.")
                            .format(call=call.ref)))
    for line in history_lines(entries, newest_first=True, width=200):
        console.print(from_markup(line))
    return errors.OK


def _typed(args: argparse.Namespace) -> dict[str, str]:
    names = ("title", "deadline", "opens_on", "regions", "scope", "centre_types", "announcement")
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def _new(args: argparse.Namespace, store: Store) -> int:
    from dtlab.services.calls import create_call

    ref = create_call(store, _typed(args))
    if args.json:
        print_json({"ref": ref})
    else:
        say(ref)
    return errors.OK


def _edit(args: argparse.Namespace, store: Store) -> int:
    from dtlab.services.calls import edit_call

    typed = _typed(args)
    if not typed:
        raise errors.UsageError(_("say what to change (--title, --deadline, --opens, --regions, --scope, --types, "
                                  "--announcement)"))
    changed = edit_call(store, args.call, typed)
    say(updated_words(args.call.upper(), changed))
    return errors.OK


def _status(status: str) -> Handler:
    def handler(args: argparse.Namespace, store: Store) -> int:
        from dtlab.services.calls import set_call_status

        set_call_status(store, args.call, status)
        say(f"{args.call.upper()}: {CALL_STATUS_WORDS.get(status, status)}")
        return errors.OK
    return handler


def _link(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.calls import call_eois, find_call
    from dtlab.services.calls import link_case

    changed = link_case(store, args.call, args.ref, args.late_reason)
    with store.read() as session:
        call = find_call(session, args.call)
        mine = next((e for e in call_eois(session, call) if e.ref == args.ref.upper()), None)
    said = [(_("{ref} answers {call}") if changed else _("{ref} answers {call} (already recorded)"))
            .format(ref=args.ref.upper(), call=call.ref)]
    if mine is not None and mine.days_late:
        late = late_words(mine.days_late)
        said.append(_("{late}: reason recorded").format(late=late) if mine.late_reason else
                    _("{late}: it leaves the interest stage only with a reason (dtlab calls link {call} {ref} "
                      "--late-reason TEXT)").format(late=late, call=call.ref, ref=mine.ref))
    say("; ".join(said))
    return errors.OK


CALLS_COMMANDS: dict[str | None, Handler] = {
    None: _list, "list": _list, "show": _show, "new": _new, "edit": _edit, "close": _status("closed"),
    "cancel": _status("cancelled"), "reopen": _status("open"), "link": _link, "history": _history,
}


def calls(args: argparse.Namespace, store: Store) -> int:
    return CALLS_COMMANDS[args.calls_command](args, store)


COMMANDS: dict[str, Handler] = {"calls": calls}
