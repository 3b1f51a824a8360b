"""The calls commands: list the calls for expressions of interest, show one with the requests
answering it, open, edit, close, cancel or reopen a site's call, and link a request to its call."""

from __future__ import annotations

import argparse
from datetime import date

from dtlab import errors
from dtlab.cli.output import Handler, out_console, print_json, say
from dtlab.cli.tables import Column, print_table
from dtlab.db.store import Store
from dtlab.domain.calls import taking_interest
from dtlab.domain.stages import Stage, Status
from dtlab.present.call_words import deadline_words, eoi_words, late_words
from dtlab.present.labels import STAGE_LABELS, STATUS_LABELS
from dtlab.present.safe import from_markup, plain, shown
from dtlab.present.words import plural


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
    columns = [Column("call", min_width=max((len(c.ref) for c in calls), default=4)),
               Column("deadline", min_width=10, text=False), Column("where it stands", min_width=12),
               Column("on time", text=False), Column("late", text=False), Column("regions", wide=True),
               Column("title", min_width=12, ratio=3)]
    rows = [[c.ref, c.deadline.isoformat(), deadline_words(c.deadline, c.status, today, c.opens_on),
             str(c.eois.on_time), str(c.eois.late), " ".join(c.regions) or "any", c.title] for c in calls]
    taking = sum(1 for c in calls if taking_interest(c.status, c.deadline, today, c.opens_on))
    print_table(columns, rows, plural(len(calls), "call") + f", {taking} taking expressions of interest",
                getattr(args, "format", "table"))
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
    columns = [Column("ref", min_width=13), Column("received", min_width=10, text=False),
               Column("applicant", ratio=2), Column("country", text=False), Column("stage", ratio=1),
               Column("status"), Column("late reason", ratio=2, wide=True)]

    def row(e: object) -> list[object]:
        from dtlab.db.calls import Eoi
        assert isinstance(e, Eoi)
        received = e.received_on.isoformat() if e.received_on else "—"
        return [e.ref, received, e.applicant or "—", e.country or "—", STAGE_LABELS[Stage(e.stage)],
                STATUS_LABELS[Status(e.status)],
                f"{late_words(e.days_late)}: {e.late_reason or 'no reason recorded'}" if e.days_late else ""]

    if args.format != "table":
        print_table(columns, [row(e) for e in eois], fmt=args.format)
        return errors.OK
    console = out_console(highlight=False, soft_wrap=True)
    console.print(from_markup(f"[bold]{shown(call.ref)}[/]  {shown(call.title)}"))
    facts = [("Deadline", f"{call.deadline} ({deadline_words(call.deadline, call.status, today, call.opens_on)})"),
             ("Opens", str(call.opens_on or "—")), ("Regions", " ".join(call.regions) or "any"),
             ("Scope", call.scope or "any"), ("Centre types", ", ".join(call.centre_types) or "any"),
             ("Announced", call.announcement or "—"),
             ("Answers", eoi_words(call.eois.on_time, call.eois.late))]
    if call.reference:
        facts.append(("Kept in", "the reference data (seeds/calls.toml), the same on every site"))
    for label, value in facts:
        console.print(from_markup(f"[dim]{label:<13}[/]") + plain(value))
    for title, group in (("On time", on_time), ("Late (counted apart)", late)):
        if group:
            console.print(from_markup(f"\n[bold]{title}[/]"))
            print_table(columns, [row(e) for e in group], plural(len(group), "expression") + " of interest")
    if not eois:
        console.print()
        console.print(plain(f"No request answers {call.ref} yet (dtlab calls link {call.ref} REF)."))
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
        console.print(plain(f"{call.ref} is reference data (seeds/calls.toml): it has no history here."))
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
        raise errors.UsageError("say what to change (--title, --deadline, --opens, --regions, --scope, --types, "
                                "--announcement)")
    changed = edit_call(store, args.call, typed)
    say(f"{args.call.upper()}: " + (", ".join(sorted(changed)) + " updated" if changed else "nothing changed"))
    return errors.OK


def _status(status: str) -> Handler:
    def handler(args: argparse.Namespace, store: Store) -> int:
        from dtlab.services.calls import set_call_status

        set_call_status(store, args.call, status)
        say(f"{args.call.upper()}: {status}")
        return errors.OK
    return handler


def _link(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.calls import call_eois, find_call
    from dtlab.services.calls import link_case

    changed = link_case(store, args.call, args.ref, args.late_reason)
    with store.read() as session:
        call = find_call(session, args.call)
        mine = next((e for e in call_eois(session, call) if e.ref == args.ref.upper()), None)
    line = f"{args.ref.upper()} answers {call.ref}" + ("" if changed else " (already recorded)")
    if mine is not None and mine.days_late:
        line += f"; {late_words(mine.days_late)}" + (
            ": reason recorded" if mine.late_reason else
            f": it leaves the interest stage only with a reason (dtlab calls link {call.ref} {mine.ref} "
            "--late-reason TEXT)")
    say(line)
    return errors.OK


CALLS_COMMANDS: dict[str | None, Handler] = {
    None: _list, "list": _list, "show": _show, "new": _new, "edit": _edit, "close": _status("closed"),
    "cancel": _status("cancelled"), "reopen": _status("open"), "link": _link, "history": _history,
}


def calls(args: argparse.Namespace, store: Store) -> int:
    return CALLS_COMMANDS[args.calls_command](args, store)


COMMANDS: dict[str, Handler] = {"calls": calls}
