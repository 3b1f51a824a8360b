"""The case commands: list, create, show, edit, move and annotate cases."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from dtlab import errors
from dtlab.cli.monitoring import print_plan
from dtlab.cli.output import Handler, print_json, say
from dtlab.db.cases import case_detail, list_cases
from dtlab.db.history import case_history
from dtlab.db.listing import CaseFilter
from dtlab.db.reference import centre_type_rules
from dtlab.db.store import Store
from dtlab.domain.stages import MoveKind, Stage
from dtlab.errors import UsageError
from dtlab.present.history import history_lines
from dtlab.present.safe import from_markup, plain, shown
from dtlab.present.words import describe_move
from dtlab.services.cases import GateRefused, add_note, create_case, move_case, update_case


def _cases(args: argparse.Namespace, store: Store) -> int:
    if args.centre_type:
        with store.read() as session:
            known = list(centre_type_rules(session))
        if args.centre_type not in known:
            raise UsageError(f"unknown centre type {args.centre_type!r} (known: {', '.join(known)})")
    flt = CaseFilter(stage=args.stage, region=args.region, status=args.status, centre_type=args.centre_type,
                     search=args.search)
    with store.read() as session:
        rows = list_cases(session, flt, limit=args.limit)
    for row in rows:
        del row["position"]  # paging bookkeeping, not part of the case
    if args.json:
        print_json(rows)
        return errors.OK
    console = Console()
    table = Table(box=None, header_style="bold")
    table.add_column("ref", no_wrap=True, min_width=max((len(r["ref"]) for r in rows), default=3))
    table.add_column("cc", no_wrap=True, min_width=2)
    table.add_column("stage", no_wrap=True, min_width=14)
    table.add_column("status", no_wrap=True, min_width=9)
    table.add_column("title", no_wrap=True, overflow="ellipsis", ratio=2)
    wide = console.width >= 120
    if wide:
        table.add_column("centre type", no_wrap=True, overflow="ellipsis")
        table.add_column("applicant", no_wrap=True, overflow="ellipsis", ratio=1)
    for r in rows:
        cells = [r["ref"], r["country"] or "", r["stage"], r["status"], r["title"]]
        if wide:
            cells += [r["centre_type"] or "", r["applicant"] or ""]
        table.add_row(*[plain(c) for c in cells])
    console.print(table)
    console.print(f"{len(rows):,} case{'s' if len(rows) != 1 else ''}", style="dim")
    return errors.OK


def _case_new(args: argparse.Namespace, store: Store) -> int:
    if args.stage != "interest" and not (args.reason or "").strip():
        raise UsageError(f"entering at {args.stage} needs --reason (e.g. an existing partner centre)")
    if args.stage == "interest" and args.reason:
        raise UsageError("--reason goes with --stage: a case entering at a later stage")
    fields = {
        "title": args.title, "country": args.country, "applicant": args.applicant, "category": args.category,
        "contact": args.contact, "contact_email": args.contact_email,
        "channel": args.channel, "received_on": args.received, "purpose": args.purpose, "goals": args.goals,
        "scope": args.scope, "ownership": args.ownership, "proposed_type": args.proposed_type,
    }
    ref = create_case(store, {k: v for k, v in fields.items() if v is not None}, Stage(args.stage), args.reason)
    if args.json:
        print_json({"ref": ref})
    else:
        say(ref)
    return errors.OK


def _case_show(args: argparse.Namespace, store: Store) -> int:
    with store.read() as session:
        data = case_detail(session, args.ref)
    if args.json:
        print_json(data)
        return errors.OK
    console = Console()
    console.print(from_markup(f"[bold]{shown(data['ref'])}[/]  {shown(data['title'])}"))
    rows = [("stage", Stage(data["stage"]).label), ("status", data["status"]), ("applicant", data["applicant"]),
            ("country", f"{data['country']} ({data['region']})"), ("channel", data["channel"]),
            ("received", data["received_on"]), ("goals", ", ".join(data["goals"])), ("scope", data["scope"]),
            ("ownership", data["ownership"]), ("centre type", data["centre_type"]),
            ("assignee", data["assignee"])]
    table = Table(box=None, show_header=False)
    table.add_column(style="dim")
    table.add_column()
    for key, value in rows:
        table.add_row(key, plain("" if value is None else value))
    console.print(table)
    console.print(f"[bold]Gate to leave {Stage(data['stage']).label}[/]")
    for c in data["gate"]:
        mark = "[green]✓[/]" if c["met"] else "[red]✗[/]"
        console.print(from_markup(f"  {mark} {shown(c['text'])}"), highlight=False)
    for note in data["notes"]:
        console.print(from_markup(f"[dim]{note['at']:%Y-%m-%d %H:%M} UTC {shown(note['author'])}:[/] "
                                  f"{shown(note['body'], multiline=True)}"), highlight=False)
    if data.get("centre"):
        print_plan(console, store, data["ref"])
    return errors.OK


def _case_history(args: argparse.Namespace, store: Store) -> int:
    with store.read() as session:
        entries = case_history(session, args.ref)
    if args.json:
        print_json([e.as_json() for e in entries])
        return errors.OK
    console = Console(highlight=False, soft_wrap=True)
    for line in history_lines(entries, newest_first=False, width=200):
        console.print(from_markup(line))
    return errors.OK


def _case_set(args: argparse.Namespace, store: Store) -> int:
    fields = {}
    for item in args.assignments:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"{item!r} is not FIELD=VALUE")
        fields[key.strip()] = value
    changed = update_case(store, args.ref, fields)
    say(f"{args.ref.upper()}: " + (", ".join(sorted(changed)) + " updated" if changed else "nothing changed"))
    return errors.OK


def _move(kind: MoveKind) -> Callable[[argparse.Namespace, Store], int]:
    def handler(args: argparse.Namespace, store: Store) -> int:
        override = getattr(args, "override", None)
        reason = override if override is not None else getattr(args, "reason", None)
        try:
            result = move_case(store, args.ref, kind, reason=reason, override=override is not None)
        except GateRefused as refused:
            say(f"dtlab: {refused.ref} cannot leave {refused.stage.label}; not yet met:", err=True)
            for c in refused.unmet:
                say(f"  ✗ {c.text}", err=True)
            say("  (meet these, or advance with --override REASON)", err=True)
            return refused.code
        sentence = describe_move(result.kind.value, result.from_stage.value, result.to_stage.value,
                                 result.status.value, overridden=bool(result.overridden))
        say(f"{result.ref}: {sentence}")
        for text in result.overridden:
            say(f"  overridden: {text}")
        return errors.OK

    return handler


def _case_note(args: argparse.Namespace, store: Store) -> int:
    add_note(store, args.ref, args.text)
    say(f"{args.ref.upper()}: note added")
    return errors.OK


# The commands this module answers, by name (cli.run dispatches on them).
COMMANDS: dict[str, Handler] = {"cases": _cases}
CASE_COMMANDS: dict[str, Handler] = {
    "new": _case_new, "show": _case_show, "history": _case_history, "set": _case_set,
    "advance": _move(MoveKind.ADVANCE), "back": _move(MoveKind.BACK), "withdraw": _move(MoveKind.WITHDRAW),
    "decline": _move(MoveKind.DECLINE), "close": _move(MoveKind.CLOSE), "reopen": _move(MoveKind.REOPEN),
    "note": _case_note,
}
