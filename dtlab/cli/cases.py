"""The case commands: list, create, show, edit, move and annotate cases."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from rich.cells import cell_len
from rich.table import Table

from dtlab import errors
from dtlab.cli.board import print_case_items
from dtlab.cli.monitoring import print_plan
from dtlab.cli.output import Handler, out_console, print_json, say, updated_words
from dtlab.cli.tables import Column, print_table
from dtlab.db.cases import case_detail, list_cases
from dtlab.db.history import case_history
from dtlab.db.listing import CaseFilter
from dtlab.db.reference import centre_type_rules
from dtlab.db.store import Store
from dtlab.domain.stages import LATEST_ENTRY, MoveKind, Stage, entry_overrides
from dtlab.errors import UsageError
from dtlab.i18n import N_, _, ngettext
from dtlab.present.case_text import case_sections, evaluation_lines
from dtlab.present.history import history_lines
from dtlab.present.safe import from_markup, plain, shown
from dtlab.present.words import describe_move
from dtlab.services.cases import GateRefused, add_note, create_case, move_case, update_case


def _cases(args: argparse.Namespace, store: Store) -> int:
    if args.centre_type:
        with store.read() as session:
            known = list(centre_type_rules(session))
        if args.centre_type not in known:
            raise UsageError(_("unknown centre type {type} (known: {known})").format(
                type=repr(args.centre_type), known=", ".join(known)))
    flt = CaseFilter(stage=args.stage, region=args.region, status=args.status, centre_type=args.centre_type,
                     search=args.search)
    with store.read() as session:
        rows = list_cases(session, flt, limit=args.limit)
    for row in rows:
        del row["position"]  # paging bookkeeping, not part of the case
    if args.json:
        print_json(rows)
        return errors.OK
    ref_width = max((len(r["ref"]) for r in rows), default=3)
    # Stage, status and centre type by their ids: the words `--stage`, `--status` and `--type` take.
    columns = [Column(N_("ref"), min_width=ref_width), Column(N_("cc"), min_width=2),
               Column(N_("stage"), min_width=14), Column(N_("status"), min_width=9), Column(N_("title"), ratio=2),
               Column(N_("centre type"), wide=True), Column(N_("applicant"), ratio=1, wide=True)]
    print_table(columns, [[r["ref"], r["country"], r["stage"], r["status"], r["title"], r["centre_type"],
                           r["applicant"]] for r in rows],
                ngettext("{n} case", "{n} cases", len(rows)).format(n=f"{len(rows):,}"), args.format)
    return errors.OK


def _case_new(args: argparse.Namespace, store: Store) -> int:
    if args.stage != "interest" and not (args.reason or "").strip():
        raise UsageError(_("entering at {stage} needs --reason (e.g. an existing partner centre)").format(
            stage=args.stage))
    if args.stage == "interest" and args.reason:
        raise UsageError(_("--reason goes with --stage: a case entering at a later stage"))
    if args.override and not entry_overrides(Stage(args.stage)):
        raise UsageError(_("--override goes with a --stage past {latest}: entering at {stage} skips nothing").format(
            latest=LATEST_ENTRY.value, stage=args.stage))
    fields = {
        "title": args.title, "country": args.country, "applicant": args.applicant, "category": args.category,
        "contact": args.contact, "contact_email": args.contact_email,
        "channel": args.channel, "received_on": args.received, "purpose": args.purpose, "goals": args.goals,
        "scope": args.scope, "ownership": args.ownership, "proposed_type": args.proposed_type,
        "call_ref": args.call_ref, "late_reason": args.late_reason,
    }
    ref = create_case(store, {k: v for k, v in fields.items() if v is not None}, Stage(args.stage), args.reason,
                      entry_override=args.override)
    if args.json:
        print_json({"ref": ref})
    else:
        say(ref)
    if args.call_ref and not (args.late_reason or "").strip():
        _say_if_late(store, ref)
    return errors.OK


def _say_if_late(store: Store, ref: str) -> None:
    """A request linked to a call it answers late: say what its interest gate will ask."""
    with store.read() as session:
        call = case_detail(session, ref).get("call") or {}
    if call.get("days_late"):
        say(ngettext("{ref} came {n} day after the deadline of {call}: it leaves the interest stage only with a "
                     "reason (dtlab calls link {call} {ref} --late-reason TEXT)",
                     "{ref} came {n} days after the deadline of {call}: it leaves the interest stage only with a "
                     "reason (dtlab calls link {call} {ref} --late-reason TEXT)",
                     call["days_late"]).format(ref=ref, n=call["days_late"], call=call["ref"]), err=True)


def _case_show(args: argparse.Namespace, store: Store) -> int:
    with store.read() as session:
        data = case_detail(session, args.ref)
    if args.json:
        print_json(data)
        return errors.OK
    # Away from a terminal, long lines run on rather than break where the window would.
    console = out_console(soft_wrap=not sys.stdout.isatty())
    console.print(from_markup(f"[bold]{shown(data['ref'])}[/]  {shown(data['title'])}"))
    sections = case_sections(data)
    label_width = max(cell_len(label) for _title, rows in sections for label, _value in rows)
    for title, rows in sections:
        if title:
            console.print(from_markup(f"[bold]{title}[/]"))
        table = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False)
        table.add_column(style="dim", no_wrap=True, min_width=label_width)
        table.add_column(overflow="fold")
        for label, value in rows:
            table.add_row(label, plain(value, multiline=True))
        console.print(table)
    evaluations = evaluation_lines(data)
    if evaluations:
        title = _("Evaluations")
        console.print(_("{title} (dtlab evaluations for the scores)").format(title=f"[bold]{title}[/]"))
        for line in evaluations:
            console.print(plain(f"  {line}"))
    gate = _("Gate to leave {stage}").format(stage=Stage(data["stage"]).label)
    console.print(f"[bold]{gate}[/]")
    for c in data["gate"]:
        mark = "[green]✓[/]" if c["met"] else "[red]✗[/]"
        console.print(from_markup(f"  {mark} {shown(c['text'])}"), highlight=False)
    print_case_items(console, data["board"])
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
    console = out_console(highlight=False, soft_wrap=True)
    for line in history_lines(entries, newest_first=True, width=200):
        console.print(from_markup(line))
    return errors.OK


def _case_set(args: argparse.Namespace, store: Store) -> int:
    fields = {}
    for item in args.assignments:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(_("{item} is not FIELD=VALUE").format(item=repr(item)))
        fields[key.strip()] = value
    changed = update_case(store, args.ref, fields)
    say(updated_words(args.ref.upper(), changed))
    return errors.OK


def _move(kind: MoveKind) -> Callable[[argparse.Namespace, Store], int]:
    def handler(args: argparse.Namespace, store: Store) -> int:
        override = getattr(args, "override", None)
        reason = override if override is not None else getattr(args, "reason", None)
        try:
            result = move_case(store, args.ref, kind, reason=reason, override=override is not None)
        except GateRefused as refused:
            say("dtlab: " + _("{ref} cannot leave {stage}; not yet met:").format(ref=refused.ref,
                                                                               stage=refused.stage.label), err=True)
            for c in refused.unmet:
                say(f"  ✗ {c.text}", err=True)
            say("  " + _("(meet these, or advance with --override REASON)"), err=True)
            return refused.code
        sentence = describe_move(result.kind.value, result.from_stage.value, result.to_stage.value,
                                 result.status.value, overridden=bool(result.overridden))
        say(f"{result.ref}: {sentence}")
        for text in result.overridden:
            say("  " + _("overridden: {condition}").format(condition=text))
        return errors.OK

    return handler


def _case_note(args: argparse.Namespace, store: Store) -> int:
    add_note(store, args.ref, args.text)
    say(_("{ref}: note added").format(ref=args.ref.upper()))
    return errors.OK


# The commands this module answers, by name (cli.run dispatches on them).
COMMANDS: dict[str, Handler] = {"cases": _cases}
CASE_COMMANDS: dict[str, Handler] = {
    "new": _case_new, "show": _case_show, "history": _case_history, "set": _case_set,
    "advance": _move(MoveKind.ADVANCE), "back": _move(MoveKind.BACK), "withdraw": _move(MoveKind.WITHDRAW),
    "decline": _move(MoveKind.DECLINE), "close": _move(MoveKind.CLOSE), "reopen": _move(MoveKind.REOPEN),
    "note": _case_note,
}
