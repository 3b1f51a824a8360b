"""`dtlab db`: the database's schema. A laptop's SQLite file is upgraded when dtlab opens it (a
backup made first); a shared PostgreSQL database only by this command, run by its administrator
after a `pg_dump` (docs/hq-postgresql.md), so that no client changes it under the others."""

from __future__ import annotations

import argparse

from dtlab import errors
from dtlab.cli.output import say
from dtlab.config import Settings
from dtlab.db.head import SCHEMA_HEAD
from dtlab.db.migrate import schema_state
from dtlab.db.store import Store

STATE_WORDS = {
    "current": "up to date",
    "none": "not a dtlab database yet: `dtlab db upgrade` makes its tables",
    "older": "older: `dtlab db upgrade` brings it up to date",
    "newer": "newer, written by a newer dtlab: upgrade dtlab to use it",
}


def run(args: argparse.Namespace, settings: Settings) -> int:
    target = args.db or settings.database_target
    if args.db_command == "status":
        current = Store.schema_of(target)
        state = STATE_WORDS[schema_state(current)]
        say(f"schema {current or 'none'}; this dtlab writes {SCHEMA_HEAD}: {state}")
        return errors.OK
    if args.db_command == "grant":
        granted = Store.grant_application_role(target, args.role)
        deletes = sum("DELETE" in allowed for allowed in granted.values())
        say(f"role {args.role} on {len(granted)} tables: reads all; inserts and updates the working tables; "
            f"only appends to the change log; deletes only reference data ({deletes} tables); truncates none")
        return errors.OK
    before, after, backup = Store.upgrade_schema(target)
    if before == after:
        say(f"schema {after}: up to date, nothing to do")
        return errors.OK
    say(f"schema {before or 'none'} → {after}" + (f"; the file as it was is kept as {backup}" if backup else ""))
    return errors.OK
