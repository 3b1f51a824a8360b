"""The Board commands (`dtlab board …`): members and nominations, meetings with their agenda and
items, putting a case's matter to the Board and recording its decision, and the Board policy.
Records are named by the start of their id, as the listings show it."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from dtlab import errors
from dtlab.cli.output import Handler, out_console, print_json, say
from dtlab.cli.tables import Column, print_table
from dtlab.db.store import Store
from dtlab.domain.board import (
    BOARD_POLICY,
    DECISION_LABELS,
    SETTING_WORDS,
    STATUS_LABELS,
    TRACK_LABELS,
    TRACK_SHORT,
    Decision,
    MemberStatus,
    Track,
)
from dtlab.present.history import history_lines
from dtlab.present.safe import from_markup, shown
from dtlab.present.words import plural


def _today(args: argparse.Namespace) -> date:
    return date.fromisoformat(args.today) if getattr(args, "today", None) else date.today()


def _ids(args: argparse.Namespace) -> str:
    """The key of the id a listing shows: the short one at a terminal, where it is typed back;
    the whole one anywhere else (a file, a pipe, CSV), where nothing is cut."""
    return "short_id" if args.format == "table" and out_console().is_terminal else "id"


def _term(m: dict[str, Any]) -> str:
    if m["term_start"] is None:
        return "—"
    return f"{m['term_start']} → {m['term_end'] or 'open'}"


def _members(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.board import list_members

    with store.read() as session:
        rows = list_members(session, _today(args))
    if args.json:
        print_json(rows)
        return errors.OK
    columns = [Column("id", min_width=8), Column("name", ratio=2), Column("track", min_width=10),
               Column("nominated by", ratio=1), Column("institution", ratio=1), Column("status", min_width=10),
               Column("term", min_width=12, text=False), Column("title", ratio=1, wide=True)]
    key = _ids(args)
    print_table(columns, [[r[key], r["name"], TRACK_SHORT[Track(r["track"])], r["nominated_by"] or "—",
                           r["institution"] or "", STATUS_LABELS[MemberStatus(r["status"])], _term(r), r["title"] or ""]
                          for r in rows], _members_summary(rows), args.format)
    return errors.OK


def _members_summary(rows: list[dict[str, Any]]) -> str:
    waiting = sum(1 for r in rows if r["status"] == MemberStatus.NOMINATED.value)
    serving = sum(1 for r in rows if r["status"] == MemberStatus.SERVING.value)
    return f"{plural(serving, 'member')} serving, {waiting} awaiting the BDT Director's approval"


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
    lines = [("id", row["id"]), ("track", TRACK_LABELS[Track(row["track"])]),
             ("nominated", f"{row['nominated_on']} by {row['nominated_by'] or '—'}"),
             ("institution", row["institution"] or "—"),
             ("decision", f"{row['approval']}" + (f" on {row['approval_on']} by {row['approved_by']}"
                                                  if row["approval_on"] else " (awaiting the BDT Director)")),
             ("term", _term(row)), ("status", STATUS_LABELS[MemberStatus(row["status"])])]
    for label, value in lines:
        console.print(from_markup(f"[dim]{label:<10}[/] {shown(str(value))}"))
    console.print("[bold]History[/]")
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
        say(f"{member_id[:13]}: {args.name} nominated by BDT (track 2): serving from the nomination")
    else:
        say(f"{member_id[:13]}: {args.name} nominated (track 1): awaiting the BDT Director's approval "
            f"(dtlab board approve {member_id[:13]})")
    return errors.OK


def _approve(args: argparse.Namespace, store: Store) -> int:
    from dtlab.services.board import approve

    m = approve(store, args.member, args.on, args.term_start, args.term_end)
    say(f"{m.name}: approved by the BDT Director on {m.approval_on}; term from {m.term_start}"
        + (f" to {m.term_end}" if m.term_end else ""))
    return errors.OK


def _decline(args: argparse.Namespace, store: Store) -> int:
    from dtlab.services.board import decline

    m = decline(store, args.member, args.on)
    say(f"{m.name}: nomination declined by the BDT Director on {m.approval_on}")
    return errors.OK


def _end_term(args: argparse.Namespace, store: Store) -> int:
    from dtlab.services.board import end_term

    m = end_term(store, args.member, args.on)
    served = " (the day it started: no day served)" if m.term_end == (m.term_start or m.approval_on) else ""
    say(f"{m.name}: term ends on {m.term_end}{served}")
    return errors.OK


def _meetings(args: argparse.Namespace, store: Store) -> int:
    from dtlab.db.board import list_meetings

    with store.read() as session:
        rows = list_meetings(session)
    if args.json:
        print_json(rows)
        return errors.OK
    columns = [Column("id", min_width=8), Column("date", min_width=10, text=False), Column("status", min_width=7),
               Column("title", ratio=2), Column("place", ratio=1), Column("items", text=False),
               Column("minutes", wide=True)]
    key = _ids(args)
    print_table(columns, [[r[key], str(r["meets_on"]), r["status"], r["title"], r["place"] or "",
                           str(r["items"]), r["minutes_ref"] or ""] for r in rows],
                plural(len(rows), "meeting"), args.format)
    return errors.OK


def _decision_words(item: dict[str, Any]) -> str:
    if item["decision"] is None:
        return "awaiting the Board"
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
        else:
            past = (f"; {args.on} is past: once it met, record it held (dtlab board meeting held {meeting_id[:13]})"
                    if date.fromisoformat(args.on) < date.today() else "")
            say(f"{meeting_id[:13]}: {args.title} planned for {args.on}{past}")
        return errors.OK
    if args.meeting_command == "edit":
        m = edit_meeting(store, args.meeting, meets_on=args.on, title=args.title, place=args.place, agenda=args.agenda)
        say(f"{m.title}: {m.status}, on {m.meets_on}" + (f" at {m.place}" if m.place else ""))
        return errors.OK
    if args.meeting_command == "held":
        m = meeting_held(store, args.meeting, args.minutes)
        say(f"{m.title}: held on {m.meets_on}" + (f"; minutes {m.minutes_ref}" if m.minutes_ref else ""))
        return errors.OK
    with store.read() as session:
        detail = meeting_detail(session, find(session, BoardMeeting, args.meeting, "meeting"))
    if args.json:
        print_json(detail)
        return errors.OK
    console = out_console(highlight=False, soft_wrap=True)
    console.print(from_markup(f"[bold]{shown(detail['title'])}[/]  {detail['meets_on']} · "
                              f"{shown(detail['place'] or 'place not set')} · {detail['status']}"
                              + (f" · minutes {shown(detail['minutes_ref'])}" if detail["minutes_ref"] else "")))
    console.print("[bold]Agenda[/]")
    console.print(from_markup("  " + shown(detail["agenda"] or "none written", multiline=True).replace("\n", "\n  ")))
    console.print(f"[bold]Items[/] ({len(detail['items_on_it'])})")
    for item in detail["items_on_it"]:
        console.print(from_markup(f"  {item['short_id']}  {shown(item['ref'])} {item['matter']}: "
                                  f"{shown(_decision_words(item))}  [dim]{shown(item['case_title'])}[/]"))
    return errors.OK


def _put(args: argparse.Namespace, store: Store) -> int:
    from dtlab.services.board import put_matter

    put = put_matter(store, args.ref, args.matter, args.meeting)
    if args.json:
        print_json({"id": put.id, "matter": put.matter.value, "moved": put.moved})
    elif put.moved:
        say(f"{put.id[:13]}: {args.ref.upper()}'s {put.matter.value} was before the Board already, undecided: "
            "moved to this meeting")
    else:
        say(f"{put.id[:13]}: {args.ref.upper()}'s {put.matter.value} put to the Board"
            + ("" if args.meeting else " (no meeting yet)"))
    return errors.OK


def _move(args: argparse.Namespace, store: Store) -> int:
    from dtlab.services.board import move_item

    item = move_item(store, args.item, "" if args.no_meeting else args.meeting)
    say(f"{item.id[:13]}: moved " + ("to the meeting" if item.meeting_id else "off its meeting (no meeting yet)"))
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
    columns = [Column("id", min_width=8), Column("ref", min_width=8), Column("matter", min_width=8),
               Column("meeting", min_width=10), Column("decision", ratio=2), Column("case", ratio=1, wide=True)]
    key = _ids(args)
    print_table(columns, [[r[key], r["ref"], r["matter"],
                           f"{r['meets_on']} {r['meeting_title']}" if r["meeting_id"] else "—",
                           _decision_words(r), r["case_title"]] for r in rows],
                plural(len(rows), "item"), args.format)
    return errors.OK


def _decide(args: argparse.Namespace, store: Store) -> int:
    from dtlab.services.board import BeforeMeeting, record_decision

    try:
        done = record_decision(store, args.item, args.decision, args.reference, args.on, args.note)
    except BeforeMeeting as early:
        raise errors.Invalid(f"{early} (dtlab board move {early.item_id[:13]} --meeting ID, or dtlab board meeting "
                             f"edit {early.meeting_id[:13]} --on YYYY-MM-DD)") from None
    held = f"; the meeting {done.held!r} is recorded held" if done.held else ""
    say(f"{done.id[:13]}: the Board's decision recorded: {DECISION_LABELS[done.decision]} "
        f"({done.reference}, {done.decided_on}){held}")
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
        say(f"{SETTING_WORDS[BOARD_POLICY]}: {'on' if on else 'off'}")
    return errors.OK


def _overview(args: argparse.Namespace, store: Store) -> int:
    """`dtlab board` alone: where the Board stands, and where to look next."""
    from dtlab.db.board import board_policy, list_items, list_meetings, list_members

    with store.read() as session:
        members, meetings = list_members(session, date.today()), list_meetings(session)
        undecided, on = len(list_items(session, undecided=True)), board_policy(session)
    say(f"Digital Innovation Board: {_members_summary(members)}")
    planned = [m for m in meetings if m["status"] == "planned"]
    if planned:
        m = planned[0]
        say(f"Next meeting: {m['meets_on']} {m['title']} ({m['short_id']}), {plural(m['items'], 'matter')} on it")
    else:
        say("No meeting planned (dtlab board meeting new)")
    say(f"Matters awaiting the Board: {undecided}")
    say(f"Policy: {SETTING_WORDS[BOARD_POLICY]}: {'on' if on else 'off'}")
    say("More: dtlab board members | meetings | items, or dtlab board --help")
    return errors.OK


def print_case_items(console: Any, items: list[dict[str, Any]]) -> None:
    """A case's matters put to the Board, under `dtlab case show`."""
    if not items:
        return
    console.print("[bold]Digital Innovation Board[/]")
    for item in items:
        where = f"{item['meets_on']} {item['meeting_title']}" if item["meeting_id"] else "no meeting yet"
        console.print(from_markup(f"  {item['short_id']}  {item['matter']}: {shown(_decision_words(item))}  "
                                  f"[dim]{shown(where)}[/]"), highlight=False)


BOARD_COMMANDS: dict[str | None, Handler] = {
    None: _overview, "move": _move,
    "members": _members, "member": _member, "nominate": _nominate, "approve": _approve, "decline": _decline,
    "end-term": _end_term, "meetings": _meetings, "meeting": _meeting, "put": _put, "items": _items,
    "decide": _decide, "policy": _policy,
}
