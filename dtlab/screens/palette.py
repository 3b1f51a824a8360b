"""The command palette (ctrl+p): open a case by ref or title, create one, switch screens. Its
commands are worded in the language in use each time the palette asks for them, and found by
their English name too (what the user guide and a colleague's habit call them)."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from dtlab.db.cases import list_cases
from dtlab.db.listing import CaseFilter
from dtlab.domain.stages import Stage, Status
from dtlab.i18n import N_, _
from dtlab.present.labels import STAGE_SHORT, STATUS_LABELS
from dtlab.present.safe import plain, visible
from dtlab.screens.base import DeskApp


class DtlabCommands(Provider):
    @property
    def dtlab(self) -> DeskApp:
        return cast(DeskApp, self.app)

    def _actions(self) -> list[tuple[str, str, str, Any]]:
        """(name, help, English name, what it does): the name and help in the language in use."""
        app = self.dtlab
        commands = [
            (N_("New case"), N_("record a new request"), partial(self._new_case)),
            (N_("Dashboard"), N_("pipeline, waiting cases, recent changes"), partial(app.action_go, "dashboard")),
            (N_("Case list"), N_("every case, searchable"), partial(app.action_go, "cases")),
            (N_("Milestones"), N_("milestones of every centre: overdue, due soon, by owner or region"),
             partial(app.action_go, "milestones")),
            (N_("Sync"), N_("export and import bundles, conflicts, trusted keys"), partial(app.action_go, "sync")),
            (N_("Calls"), N_("calls for expressions of interest: deadlines, requests on time and late"),
             partial(app.action_go, "calls")),
            (N_("Digital Innovation Board"), N_("members, meetings, matters put to the Board and its decisions"),
             partial(app.action_go, "board")),
        ]
        return [(_(name), _(help_text), name, callback) for name, help_text, callback in commands]

    async def discover(self) -> Hits:
        for name, help_text, _english, callback in self._actions():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, english, callback in self._actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
            elif english != name and (score := matcher.match(english)) > 0:
                # Found by its English name: shown in the language in use all the same.
                yield Hit(score, name, callback, help=help_text)
        if len(query.strip()) < 2:
            return
        rows = await asyncio.to_thread(self._find, query)
        for row in rows:
            # The ref, title and country are data (a title may read "[/]"): a Text, never
            # parsed as markup. A hit's help is always parsed, so the second line is part of it.
            where = f"{STAGE_SHORT[Stage(row['stage'])]} · {STATUS_LABELS[Status(row['status'])]} · {row['country']}"
            opening = _("Open {ref}  {title}").format(ref=row["ref"], title=row["title"])
            label = plain(opening)
            label.append("\n")
            label.append_text(plain(where, style="dim"))
            yield Hit(0.9, label, partial(self._open, row["ref"]), text=visible(opening))

    def _find(self, query: str) -> list[dict[str, Any]]:
        with self.dtlab.store.read() as session:
            return list_cases(session, CaseFilter(search=query), limit=8)

    def _open(self, ref: str) -> None:
        self.dtlab.open_case(ref)

    def _new_case(self) -> None:
        from dtlab.screens.intake import start_new_case

        start_new_case(self.app)
