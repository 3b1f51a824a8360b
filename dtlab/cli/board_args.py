"""The grammar of `dtlab board …`: the Digital Innovation Board's members, meetings, the matters
put to it and its decisions, and the Board policy. Like `cli.parser`, it loads no database code."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from dtlab.domain.board import Decision, Matter

MATTERS = tuple(m.value for m in Matter)
DECISIONS = tuple(d.value for d in Decision)
# The help texts stay in English, as every argparse help= (docs/translating.md): these are named
# because several options share them.
ID_HELP = ("its id, or the start of it as `dtlab board members` (or meetings, items) "
           "lists it")  # i18n: not shown (argparse's help, English by decision)


def add(sub: Any, parser_class: type[argparse.ArgumentParser], date_arg: Callable[[str], str],
        table_output: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add `board` and its actions to the command line's subcommands."""
    board = sub.add_parser("board", help="the Digital Innovation Board: members, meetings, the matters put to it "
                                         "and its decisions, the Board policy (alone: where it stands)")
    bsub = board.add_subparsers(dest="board_command", metavar="ACTION", parser_class=parser_class)

    s = bsub.add_parser("members", help="members and nominations, each with its status (ID: a short id)")
    s.add_argument("--today", type=date_arg, metavar="YYYY-MM-DD", help="the day to judge terms on")
    table_output(s)

    s = bsub.add_parser("member", help="one member: the nomination, the decision, the term, and its history; "
                                       "--title and --institution change them")
    s.add_argument("member", metavar="ID", help=ID_HELP)
    s.add_argument("--title", help="the member's role or title (empty clears it)")
    s.add_argument("--institution", help="the nominating institution, or the partner's organisation")
    s.add_argument("--json", action="store_true")

    s = bsub.add_parser("nominate", help="record a nomination: track 1 (official: nominated by a country or "
                                         "institution, approved by the BDT Director) or 2 (expert: nominated by "
                                         "BDT, which is the decision)")
    s.add_argument("--name", required=True)
    s.add_argument("--track", required=True, choices=("1", "2", "official", "expert"))
    s.add_argument("--title", default="", help="role or title, e.g. 'Minister of ICT'")
    s.add_argument("--country", default="", metavar="COUNTRY",
                   help="the nominating Member State: its ISO code (SN) or its name (Senegal)")
    s.add_argument("--institution", default="",
                   help="the nominating Sector Member or academic institution; a partner's organisation")
    s.add_argument("--on", type=date_arg, metavar="YYYY-MM-DD", help="the day of the nomination (default: today)")
    s.add_argument("--json", action="store_true")

    s = bsub.add_parser("approve", help="the BDT Director approves a track-1 nomination; the term starts then")
    s.add_argument("member", metavar="ID", help=ID_HELP)
    s.add_argument("--on", type=date_arg, metavar="YYYY-MM-DD", help="the day of the decision (default: today)")
    s.add_argument("--term-start", type=date_arg, metavar="YYYY-MM-DD", help="default: the day of the approval")
    s.add_argument("--term-end", type=date_arg, metavar="YYYY-MM-DD", help="the first day no longer served")

    s = bsub.add_parser("decline", help="the BDT Director declines a track-1 nomination")
    s.add_argument("member", metavar="ID", help=ID_HELP)
    s.add_argument("--on", type=date_arg, metavar="YYYY-MM-DD", help="the day of the decision (default: today)")

    words = ("end a member's term: from that day they no longer serve; a member recorded by mistake: end the "
             "term on its first day (no day served)")  # i18n: not shown (argparse's help, English by decision)
    s = bsub.add_parser("end-term", help=words, description=words)
    s.add_argument("member", metavar="ID", help=ID_HELP)
    s.add_argument("--on", type=date_arg, metavar="YYYY-MM-DD", help="default: today")

    s = bsub.add_parser("meetings", help="the Board's meetings, the next planned first")
    table_output(s)

    meeting = bsub.add_parser("meeting", help="plan a meeting, show one with its agenda and items, record it held")
    msub = meeting.add_subparsers(dest="meeting_command", metavar="ACTION", required=True, parser_class=parser_class)
    s = msub.add_parser("new", help="plan a meeting; prints its id")
    s.add_argument("--title", required=True)
    s.add_argument("--on", required=True, type=date_arg, metavar="YYYY-MM-DD")
    s.add_argument("--place", default="")
    s.add_argument("--agenda", default="", help="the agenda as text (line breaks kept)")
    s.add_argument("--json", action="store_true")
    s = msub.add_parser("edit", help="change a meeting: move a planned one to another day (--on), its title, "
                                     "place or agenda")
    s.add_argument("meeting", metavar="ID", help=ID_HELP)
    s.add_argument("--on", type=date_arg, metavar="YYYY-MM-DD", help="its new date")
    s.add_argument("--title")
    s.add_argument("--place", help="(empty clears it)")
    s.add_argument("--agenda", help="the agenda as text (empty clears it)")
    s = msub.add_parser("show", help="a meeting, its agenda and the matters put to it")
    s.add_argument("meeting", metavar="ID", help=ID_HELP)
    s.add_argument("--json", action="store_true")
    s = msub.add_parser("held", help="record that the meeting was held, with its minutes' reference")
    s.add_argument("meeting", metavar="ID", help=ID_HELP)
    s.add_argument("--minutes", default="", metavar="REF")

    words = ("put a case's matter before the Board (at a meeting, or not yet); prints the item's id. A matter "
             "awaiting the Board already moves to the meeting given")  # i18n: not shown (argparse's help)
    s = bsub.add_parser("put", help=words, description=words)
    s.add_argument("ref")
    s.add_argument("--matter", choices=MATTERS,
                   help="one that fits the case's stage: accreditation (joint statement, set-up, operation); "
                        "renewal, upgrade or closure (operation, renewal). Default: the one the stage and the "
                        "renewal's outcome suggest")
    s.add_argument("--meeting", default="", metavar="ID", help="the (planned) meeting it is on the agenda of")
    s.add_argument("--json", action="store_true")

    s = bsub.add_parser("move", help="move a matter awaiting the Board to another planned meeting, or off its "
                                     "meeting")
    s.add_argument("item", metavar="ITEM", help=ID_HELP)
    where = s.add_mutually_exclusive_group(required=True)
    where.add_argument("--meeting", metavar="ID", help="the planned meeting it moves to")
    where.add_argument("--no-meeting", action="store_true", help="no meeting yet")

    s = bsub.add_parser("items", help="the matters put to the Board (a case's, or every one), with its decisions")
    s.add_argument("ref", nargs="?")
    s.add_argument("--undecided", action="store_true", help="only those awaiting the Board's word")
    table_output(s)

    s = bsub.add_parser("decide", help="record the Board's decision or advice on an item, with its reference; "
                                       "the meeting it was put to is recorded held")
    s.add_argument("item", metavar="ITEM", help=ID_HELP)
    s.add_argument("--decision", required=True, choices=DECISIONS)
    s.add_argument("--reference", required=True, help="e.g. the minutes' number: DIB-2026/03")
    s.add_argument("--on", type=date_arg, metavar="YYYY-MM-DD", help="the day of the decision (default: today)")
    s.add_argument("--note", default="", help="the conditions of an approval, or the advice given")

    s = bsub.add_parser("policy", help="show or set whether a Board decision is required before a renewal or an "
                                       "upgrade leaves its stage (a setting of the lab: it travels to every site)")
    s.add_argument("--require-decision", choices=("on", "off"))
    s.add_argument("--json", action="store_true")
