"""The command palette (ctrl+p): open a case by ref or title, create one, switch screens."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from dtlab.db.cases import list_cases
from dtlab.db.listing import CaseFilter
from dtlab.domain.stages import Stage, Status
from dtlab.present.labels import STAGE_SHORT, STATUS_LABELS
from dtlab.present.safe import plain, visible
from dtlab.screens.base import DeskApp


class DtlabCommands(Provider):
    @property
    def dtlab(self) -> DeskApp:
        return cast(DeskApp, self.app)

    def _actions(self) -> list[tuple[str, str, Any]]:
        app = self.dtlab
        return [
            ("New case", "record a new request", partial(self._new_case)),
            ("Dashboard", "pipeline, waiting cases, recent changes", partial(app.action_go, "dashboard")),
            ("Case list", "every case, searchable", partial(app.action_go, "cases")),
            ("Milestones", "milestones of every centre: overdue, due soon, by owner or region",
             partial(app.action_go, "milestones")),
            ("Sync", "export and import bundles, conflicts, trusted keys", partial(app.action_go, "sync")),
            ("Calls", "calls for expressions of interest: deadlines, requests on time and late",
             partial(app.action_go, "calls")),
            ("Digital Innovation Board", "members, meetings, matters put to the Board and its decisions",
             partial(app.action_go, "board")),
        ]

    async def discover(self) -> Hits:
        for name, help_text, callback in self._actions():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
        if len(query.strip()) < 2:
            return
        rows = await asyncio.to_thread(self._find, query)
        for row in rows:
            # The ref, title and country are data (a title may read "[/]"): a Text, never
            # parsed as markup. A hit's help is always parsed, so the second line is part of it.
            where = f"{STAGE_SHORT[Stage(row['stage'])]} · {STATUS_LABELS[Status(row['status'])]} · {row['country']}"
            label = plain(f"Open {row['ref']}  {row['title']}")
            label.append("\n")
            label.append_text(plain(where, style="dim"))
            yield Hit(0.9, label, partial(self._open, row["ref"]), text=visible(f"Open {row['ref']}  {row['title']}"))

    def _find(self, query: str) -> list[dict[str, Any]]:
        with self.dtlab.store.read() as session:
            return list_cases(session, CaseFilter(search=query), limit=8)

    def _open(self, ref: str) -> None:
        self.dtlab.open_case(ref)

    def _new_case(self) -> None:
        from dtlab.screens.intake import start_new_case

        start_new_case(self.app)
