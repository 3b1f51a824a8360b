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
from dtlab.i18n import N_, Translated, _, ngettext, pgettext

STATE_WORDS = Translated({
    "current": N_("up to date"),
    "none": N_("not a dtlab database yet: `dtlab db upgrade` makes its tables"),
    "older": N_("older: `dtlab db upgrade` brings it up to date"),
    "newer": N_("newer, written by a newer dtlab: upgrade dtlab to use it"),
})


def run(args: argparse.Namespace, settings: Settings) -> int:
    target = args.db or settings.database_target
    if args.db_command == "status":
        current = Store.schema_of(target)
        state = STATE_WORDS[schema_state(current)]
        say(_("schema {current}; this dtlab writes {head}: {state}").format(
            current=current or pgettext("schema", "none"), head=SCHEMA_HEAD, state=state))
        return errors.OK
    if args.db_command == "grant":
        granted = Store.grant_application_role(target, args.role)
        deletes = sum("DELETE" in allowed for allowed in granted.values())
        say(ngettext("role {role} on {n} table: reads all; inserts and updates the working tables; only appends "
                     "to the change log; deletes only reference data ({deletes} tables); truncates none",
                     "role {role} on {n} tables: reads all; inserts and updates the working tables; only appends "
                     "to the change log; deletes only reference data ({deletes} tables); truncates none",
                     len(granted)).format(role=args.role, n=len(granted), deletes=deletes))
        return errors.OK
    before, after, backup = Store.upgrade_schema(target)
    if before == after:
        say(_("schema {current}: up to date, nothing to do").format(current=after))
        return errors.OK
    before_words = before or pgettext("schema", "none")
    if backup:
        say(_("schema {before} → {after}; the file as it was is kept as {backup}").format(
            before=before_words, after=after, backup=backup))
    else:
        say(_("schema {before} → {after}").format(before=before_words, after=after))
    return errors.OK
