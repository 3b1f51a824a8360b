"""The Board commands (`dtlab board …`): members and nominations, meetings with their agenda and
items, putting a case's matter to the Board and recording its decision, and the Board policy.
Records are named by the start of their id, as the listings show it."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from dtlab import errors
from dtlab.cli.output import Handler, out_console, print_json, say
from dtlab.cli.tables import Column, ljust, print_table
from dtlab.db.store import Store
from dtlab.domain.board import (
    BOARD_POLICY,
    DECISION_LABELS,
    MATTER_LABELS,
    SETTING_WORDS,
    STATUS_LABELS,
    TRACK_LABELS,
    TRACK_SHORT,
    Decision,
    Matter,
    MemberStatus,
    Track,
)
from dtlab.i18n import N_, _, ngettext, pgettext
from dtlab.present.history import history_lines
from dtlab.present.safe import from_markup, shown
from dtlab.present.words import APPROVAL_WORDS, STATUS_WORDS


def _today(args: argparse.Namespace) -> date:
    return date.fromisoformat(args.today) if getattr(args, "today", None) else date.today()


def _ids(args: argparse.Namespace) -> str:
    """The key of the id a listing shows: the short one at a terminal, where it is typed back;
    the whole one anywhere else (a file, a pipe, CSV), where nothing is cut."""
    return "short_id" if args.format == "table" and out_console().is_terminal else "id"


def _term(m: dict[str, Any]) -> str:
    if m["term_start"] is None:
        return "—"
    # Babel reads no call inside an f-string (before Python 3.12): the words are looked up outside.
    end = m["term_end"] or pgettext("term", "open")
    return f"{m['term_start']} → {end}"


def _bold(title: str) -> str:
    return f"[bold]{title}[/]"


def _matter(value: str) -> str:
    return MATTER_LABELS[Matter(value)]


def _on_off(on: bool) -> str:
    """The Board policy's state in words (`--require-decision` and JSON take on and off)."""
    return pgettext("setting", "on") if on else pgettext("setting", "off")


def _members(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.board import list_members

    with store.read() as session:
        rows = list_members(session, _today(args))
    if args.json:
        print_json(rows)
        return errors.OK
    columns = [Column(N_("id"), min_width=8), Column(N_("name"), ratio=2), Column(N_("track"), min_width=10),
               Column(N_("nominated by"), ratio=1), Column(N_("institution"), ratio=1),
               Column(N_("status"), min_width=10), Column(N_("term"), min_width=12, text=False),
               Column(N_("title"), ratio=1, wide=True)]
    key = _ids(args)
    print_table(columns, [[r[key], r["name"], TRACK_SHORT[Track(r["track"])], r["nominated_by"] or "—",
                           r["institution"] or "", STATUS_LABELS[MemberStatus(r["status"])], _term(r), r["title"] or ""]
                          for r in rows], _members_summary(rows), args.format)
    return errors.OK


def _members_summary(rows: list[dict[str, Any]]) -> str:
    waiting = sum(1 for r in rows if r["status"] == MemberStatus.NOMINATED.value)
    serving = sum(1 for r in rows if r["status"] == MemberStatus.SERVING.value)
    return ngettext("{n} member serving, {waiting} awaiting the BDT Director's approval",
                    "{n} members serving, {waiting} awaiting the BDT Director's approval",
                    serving).format(n=f"{serving:,}", waiting=waiting)


def _member(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.board import find, member_row, row_history
    from dtlab.db.models import BoardMember
    from dtlab.services.board import edit_member

    if args.title is not None or args.institution is not None:
        edit_member(store, args.member, args.title, args.institution)
    with store.read() as session:
        member = find(session, BoardMember, args.member, "member")
        row = member_row(member, member.id, date.today())
        history = row_history(session, "board_members", member.id)
    if args.json:
        print_json({**row, "history": [e.as_json() for e in history]})
        return errors.OK
    console = out_console(highlight=False, soft_wrap=True)
    console.print(from_markup(f"[bold]{shown(row['name'])}[/]  {shown(row['title'] or '')}"))
    approval = APPROVAL_WORDS.get(row["approval"], row["approval"])
    # The row names who approved in English (its JSON): the Director is said in the language in use.
    lines = [(N_("id"), row["id"]), (N_("track"), TRACK_LABELS[Track(row["track"])]),
             (N_("nominated"), _("{day} by {who}").format(day=row["nominated_on"], who=row["nominated_by"] or "—")),
             (N_("institution"), row["institution"] or "—"),
             (N_("decision"), _("{decision} on {day} by {who}").format(decision=approval, day=row["approval_on"],
                                                                       who=row["approved_by"])
              if row["approval_on"] else _("{decision} (awaiting the BDT Director)").format(decision=approval)),
             (N_("term"), _term(row)), (N_("status"), STATUS_LABELS[MemberStatus(row["status"])])]
    for label, value in lines:
        console.print(from_markup(f"[dim]{ljust(_(label), 10)}[/] {shown(str(value))}"))
    console.print(_bold(_("History")))
    for line in history_lines(history, newest_first=True, width=200):
        console.print(from_markup(line))
    return errors.OK


def _nominate(args: argparse.Namespace, store: Store) -> int:
    from dtlab.services.board import nominate

    member_id = nominate(store, args.name, args.track, title=args.title, country=args.country,
                         institution=args.institution, nominated_on=args.on)
    if args.json:
        print_json({"id": member_id})
    elif args.track in ("2", "expert"):
        say(_("{id}: {name} nominated by BDT (track 2): serving from the nomination").format(
            id=member_id[:13], name=args.name))
    else:
        say(_("{id}: {name} nominated (track 1): awaiting the BDT Director's approval (dtlab board approve {id})")
            .format(id=member_id[:13], name=args.name))
    return errors.OK


def _approve(args: argparse.Namespace, store: Store) -> int:
    from dtlab.services.board import approve

    m = approve(store, args.member, args.on, args.term_start, args.term_end)
    if m.term_end:
        say(_("{name}: approved by the BDT Director on {day}; term from {start} to {end}").format(
            name=m.name, day=m.approval_on, start=m.term_start, end=m.term_end))
    else:
        say(_("{name}: approved by the BDT Director on {day}; term from {start}").format(
            name=m.name, day=m.approval_on, start=m.term_start))
    return errors.OK


def _decline(args: argparse.Namespace, store: Store) -> int:
    from dtlab.services.board import decline

    m = decline(store, args.member, args.on)
    say(_("{name}: nomination declined by the BDT Director on {day}").format(name=m.name, day=m.approval_on))
    return errors.OK


def _end_term(args: argparse.Namespace, store: Store) -> int:
    from dtlab.services.board import end_term

    m = end_term(store, args.member, args.on)
    if m.term_end == (m.term_start or m.approval_on):
        say(_("{name}: term ends on {day} (the day it started: no day served)").format(name=m.name, day=m.term_end))
    else:
        say(_("{name}: term ends on {day}").format(name=m.name, day=m.term_end))
    return errors.OK


def _meetings(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.board import list_meetings

    with store.read() as session:
        rows = list_meetings(session)
    if args.json:
        print_json(rows)
        return errors.OK
    columns = [Column(N_("id"), min_width=8), Column(N_("date"), min_width=10, text=False),
               Column(N_("status"), min_width=7), Column(N_("title"), ratio=2), Column(N_("place"), ratio=1),
               Column(N_("items"), text=False), Column(N_("minutes"), wide=True)]
    key = _ids(args)
    print_table(columns, [[r[key], str(r["meets_on"]), STATUS_WORDS.get(r["status"], r["status"]), r["title"],
                           r["place"] or "", str(r["items"]), r["minutes_ref"] or ""] for r in rows],
                ngettext("{n} meeting", "{n} meetings", len(rows)).format(n=f"{len(rows):,}"), args.format)
    return errors.OK


def _decision_words(item: dict[str, Any]) -> str:
    if item["decision"] is None:
        return _("awaiting the Board")
    words = f"{DECISION_LABELS[Decision(item['decision'])]} · {item['reference']} · {item['decided_on']}"
    return words + (f" · {item['note']}" if item["note"] else "")


def _meeting(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.board import find, meeting_detail
    from dtlab.db.models import BoardMeeting
    from dtlab.services.board import edit_meeting, meeting_held, new_meeting

    if args.meeting_command == "new":
        meeting_id = new_meeting(store, args.title, args.on, args.place, args.agenda)
        if args.json:
            print_json({"id": meeting_id})
        elif date.fromisoformat(args.on) < date.today():
            say(_("{id}: {title} planned for {day}; {day} is past: once it met, record it held "
                  "(dtlab board meeting held {id})").format(id=meeting_id[:13], title=args.title, day=args.on))
        else:
            say(_("{id}: {title} planned for {day}").format(id=meeting_id[:13], title=args.title, day=args.on))
        return errors.OK
    if args.meeting_command == "edit":
        m = edit_meeting(store, args.meeting, meets_on=args.on, title=args.title, place=args.place, agenda=args.agenda)
        status = STATUS_WORDS.get(m.status, m.status)
        if m.place:
            say(_("{title}: {status}, on {day} at {place}").format(title=m.title, status=status, day=m.meets_on,
                                                                  place=m.place))
        else:
            say(_("{title}: {status}, on {day}").format(title=m.title, status=status, day=m.meets_on))
        return errors.OK
    if args.meeting_command == "held":
        m = meeting_held(store, args.meeting, args.minutes)
        if m.minutes_ref:
            say(_("{title}: held on {day}; minutes {minutes}").format(title=m.title, day=m.meets_on,
                                                                     minutes=m.minutes_ref))
        else:
            say(_("{title}: held on {day}").format(title=m.title, day=m.meets_on))
        return errors.OK
    with store.read() as session:
        detail = meeting_detail(session, find(session, BoardMeeting, args.meeting, "meeting"))
    if args.json:
        print_json(detail)
        return errors.OK
    console = out_console(highlight=False, soft_wrap=True)
    minutes = (" · " + _("minutes {minutes}").format(minutes=shown(detail["minutes_ref"]))
               if detail["minutes_ref"] else "")
    place = detail["place"] or _("place not set")
    console.print(from_markup(f"[bold]{shown(detail['title'])}[/]  {detail['meets_on']} · {shown(place)} · "
                              f"{STATUS_WORDS.get(detail['status'], detail['status'])}{minutes}"))
    console.print(_bold(_("Agenda")))
    console.print(from_markup("  " + shown(detail["agenda"] or _("none written"), multiline=True)
                              .replace("\n", "\n  ")))
    console.print(_bold(_("Items")) + f" ({len(detail['items_on_it'])})")
    for item in detail["items_on_it"]:
        console.print(from_markup(f"  {item['short_id']}  {shown(item['ref'])} {_matter(item['matter'])}: "
                                  f"{shown(_decision_words(item))}  [dim]{shown(item['case_title'])}[/]"))
    return errors.OK


def _put(args: argparse.Namespace, store: Store) -> int:
    from dtlab.services.board import put_matter

    put = put_matter(store, args.ref, args.matter, args.meeting)
    if args.json:
        print_json({"id": put.id, "matter": put.matter.value, "moved": put.moved})
        return errors.OK
    words = {"id": put.id[:13], "ref": args.ref.upper(), "matter": MATTER_LABELS[put.matter]}
    if put.moved:
        say(_("{id}: {ref}'s {matter} was before the Board already, undecided: moved to this meeting").format(**words))
    elif args.meeting:
        say(_("{id}: {ref}'s {matter} put to the Board").format(**words))
    else:
        say(_("{id}: {ref}'s {matter} put to the Board (no meeting yet)").format(**words))
    return errors.OK


def _move(args: argparse.Namespace, store: Store) -> int:
    from dtlab.services.board import move_item

    item = move_item(store, args.item, "" if args.no_meeting else args.meeting)
    if item.meeting_id:
        say(_("{id}: moved to the meeting").format(id=item.id[:13]))
    else:
        say(_("{id}: moved off its meeting (no meeting yet)").format(id=item.id[:13]))
    return errors.OK


def _items(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.board import list_items
    from dtlab.db.cases import get_case

    with store.read() as session:
        case_id = get_case(session, args.ref).id if args.ref else None
        rows = list_items(session, case_id, undecided=args.undecided)
    if args.json:
        print_json(rows)
        return errors.OK
    columns = [Column(N_("id"), min_width=8), Column(N_("ref"), min_width=8), Column(N_("matter"), min_width=8),
               Column(N_("meeting"), min_width=10), Column(N_("decision"), ratio=2),
               Column(N_("case"), ratio=1, wide=True)]
    key = _ids(args)
    print_table(columns, [[r[key], r["ref"], _matter(r["matter"]),
                           f"{r['meets_on']} {r['meeting_title']}" if r["meeting_id"] else "—",
                           _decision_words(r), r["case_title"]] for r in rows],
                ngettext("{n} item", "{n} items", len(rows)).format(n=f"{len(rows):,}"), args.format)
    return errors.OK


def _decide(args: argparse.Namespace, store: Store) -> int:
    from dtlab.services.board import BeforeMeeting, record_decision

    try:
        done = record_decision(store, args.item, args.decision, args.reference, args.on, args.note)
    except BeforeMeeting as early:
        raise errors.Invalid(_("{problem} (dtlab board move {item} --meeting ID, or dtlab board meeting edit "
                               "{meeting} --on YYYY-MM-DD)").format(problem=early, item=early.item_id[:13],
                                                                   meeting=early.meeting_id[:13])) from None
    words = {"id": done.id[:13], "decision": DECISION_LABELS[done.decision], "reference": done.reference,
             "day": done.decided_on}
    if done.held:
        say(_("{id}: the Board's decision recorded: {decision} ({reference}, {day}); the meeting {meeting} is "
              "recorded held").format(meeting=repr(done.held), **words))
    else:
        say(_("{id}: the Board's decision recorded: {decision} ({reference}, {day})").format(**words))
    return errors.OK


def _policy(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.board import board_policy
    from dtlab.services.board import set_board_policy

    if args.require_decision is not None:
        set_board_policy(store, args.require_decision == "on")
    with store.read() as session:
        on = board_policy(session)
    if args.json:
        print_json({BOARD_POLICY: "on" if on else "off"})
    else:
        say(f"{SETTING_WORDS[BOARD_POLICY]}: {_on_off(on)}")
    return errors.OK


def _overview(args: argparse.Namespace, store: Store) -> int:
    """`dtlab board` alone: where the Board stands, and where to look next."""
    from dtlab.db.board import board_policy, list_items, list_meetings, list_members

    with store.read() as session:
        members, meetings = list_members(session, date.today()), list_meetings(session)
        undecided, on = len(list_items(session, undecided=True)), board_policy(session)
    say(_("Digital Innovation Board: {summary}").format(summary=_members_summary(members)))
    planned = [m for m in meetings if m["status"] == "planned"]
    if planned:
        m = planned[0]
        say(ngettext("Next meeting: {day} {title} ({id}), {n} matter on it",
                     "Next meeting: {day} {title} ({id}), {n} matters on it", m["items"]).format(
            day=m["meets_on"], title=m["title"], id=m["short_id"], n=f"{m['items']:,}"))
    else:
        say(_("No meeting planned (dtlab board meeting new)"))
    say(_("Matters awaiting the Board: {n}").format(n=undecided))
    say(_("Policy: {setting}: {state}").format(setting=SETTING_WORDS[BOARD_POLICY], state=_on_off(on)))
    say(_("More: dtlab board members | meetings | items, or dtlab board --help"))
    return errors.OK


def print_case_items(console: Any, items: list[dict[str, Any]]) -> None:
    """A case's matters put to the Board, under `dtlab case show`."""
    if not items:
        return
    console.print(_bold(_("Digital Innovation Board")))
    for item in items:
        where = f"{item['meets_on']} {item['meeting_title']}" if item["meeting_id"] else _("no meeting yet")
        console.print(from_markup(f"  {item['short_id']}  {_matter(item['matter'])}: {shown(_decision_words(item))}  "
                                  f"[dim]{shown(where)}[/]"), highlight=False)


BOARD_COMMANDS: dict[str | None, Handler] = {
    None: _overview, "move": _move,
    "members": _members, "member": _member, "nominate": _nominate, "approve": _approve, "decline": _decline,
    "end-term": _end_term, "meetings": _meetings, "meeting": _meeting, "put": _put, "items": _items,
    "decide": _decide, "policy": _policy,
}
