"""Running one command: open the store it works on, find the command's handler among the topic
modules, and close the store whatever happens. Errors carry their own exit codes
(`dtlab.errors`); `dtlab.launch` prints them."""

from __future__ import annotations

import argparse

from sqlalchemy.exc import OperationalError

from dtlab.cli import board, calls, cases, database, evaluations, monitoring, results, site, sync
from dtlab.cli.output import Handler, say
from dtlab.config import Settings
from dtlab.db.store import Store
from dtlab.errors import StoreError, describe_error
from dtlab.i18n import SOURCE_LANGUAGE, use_language
from dtlab.present.words import waiting_for

COMMANDS: dict[str, Handler] = {
    **site.COMMANDS, **cases.COMMANDS, **evaluations.COMMANDS, **monitoring.COMMANDS, **sync.COMMANDS,
    **calls.COMMANDS,
    **results.COMMANDS,
}
CASE_COMMANDS: dict[str, Handler] = {**cases.CASE_COMMANDS, **evaluations.CASE_COMMANDS, **monitoring.CASE_COMMANDS,
                                     **results.CASE_COMMANDS}
KEYS_COMMANDS: dict[str, Handler] = sync.KEYS_COMMANDS
BOARD_COMMANDS: dict[str | None, Handler] = board.BOARD_COMMANDS


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "db":  # before the store opens: opening is what it may refuse
        return database.run(args, settings)
    handler = (CASE_COMMANDS[args.case_command] if args.command == "case" else
               KEYS_COMMANDS[args.keys_command] if args.command == "keys" else
               BOARD_COMMANDS[args.board_command] if args.command == "board" else COMMANDS[args.command])
    args.settings = settings  # read once; the sync commands need the HQ site from it
    if getattr(args, "json", False):
        # --json is read by scripts: the same bytes in every language. Some of it is words made where
        # the data is read (a gate's conditions, a conflict's record and field, a due date's rule),
        # so such a command runs in English, its one error line included.
        use_language(SOURCE_LANGUAGE)
    store = Store.open(args.db or settings.database_target, settings.actor)
    # A command that must wait for another's write (HQ staff sharing a database) says for what.
    store.on_wait = lambda holder: say(waiting_for(holder) + "…", err=True)
    try:
        return handler(args, store)
    except OperationalError as exc:
        # The store says most of these itself; this catches one met outside its sessions (a bulk
        # write, a bundle applied through the engine): a read-only file, a full disk, a lock.
        raise StoreError(f"{store.label}: {describe_error(exc)}") from None
    finally:
        store.close()
