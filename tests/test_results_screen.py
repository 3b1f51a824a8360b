"""The results chain in the centre screen, driven by keyboard: an impact added with its WSIS lines,
an outcome linked up to it through a select that offers only the results one level up, the
chain drawn indented, and the chosen priority's area objective shown in the form."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from textual.widgets import DataTable, Input, Select

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.cases import get_case
from dtlab.db.plans import case_plan
from dtlab.db.store import Store
from dtlab.screens import centre
from dtlab.screens.centre import CentreScreen
from dtlab.screens.result_form import ResultDialog
from tests.helpers.cases import planned_centre
from tests.helpers.pilot import dialog_shown, open_centre, paste, settle, text_of

pytestmark = [pytest.mark.functional]

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(centre, "current_day", lambda: TODAY)


def results(store: Store, ref: str) -> list[dict[str, Any]]:
    with store.read() as s:
        return case_plan(s, get_case(s, ref), TODAY)["results"]


def row_texts(app: Any) -> list[str]:
    table = app.screen.query_one("#results-table", DataTable)
    return [" | ".join(str(getattr(c, "plain", c)) for c in table.get_row_at(n)) for n in range(table.row_count)]


async def choose(pilot: Any, select: str, label: str) -> None:
    """Open the select, move to the option whose label starts with `label`, and take it, by keys."""
    app = pilot.app
    widget = app.screen.query_one(select, Select)
    widget.focus()
    await pilot.press("enter")
    await settle(pilot, lambda: widget.expanded)
    options = [str(getattr(text, "plain", text)) for text, _value in widget._options]
    start = next(i for i, (_t, v) in enumerate(widget._options) if v is widget.value or v == widget.value)
    wanted = next(i for i, o in enumerate(options) if o.startswith(label))
    await pilot.press(*(["down"] * (wanted - start) if wanted >= start else ["up"] * (start - wanted)))
    await pilot.press("enter")
    await settle(pilot, lambda: not widget.expanded)


async def test_an_impact_and_an_outcome_linked_up_to_it(store: Store, fresh_target: str) -> None:
    ref = planned_centre(store)
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(100, 40)) as pilot:
        await open_centre(pilot, ref, "results")
        await pilot.press("2")
        await settle(pilot, lambda: app.focused is app.screen.query_one("#results-table"))
        await pilot.press("n")
        dialog = await dialog_shown(pilot)
        assert isinstance(dialog, ResultDialog)
        await paste(pilot, "Digital divide reduced in the Andes", dialog.query_one("#v-title", Input))
        await choose(pilot, "#v-level", "Impact")
        # An impact is the top of the chain: nothing to link up to.
        await settle(pilot, lambda: dialog.query_one("#v-parent", Select).disabled)
        dialog.query_one("#v-wsis", Input).focus()
        await paste(pilot, "c1 C7", dialog.query_one("#v-wsis", Input))
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, CentreScreen)
                     and any(r["level"] == "impact" for r in results(store, ref)))
        impact = next(r for r in results(store, ref) if r["level"] == "impact" and r["task"] is None)
        assert impact["wsis"] == ["C1", "C7"] and impact["title"] == "Digital divide reduced in the Andes"
        # The template's chain (its impact 1, outcomes 2 and 3, outputs 4 and 5) first; the new
        # impact after it, numbered 6 as `dtlab case show` numbers it.
        await settle(pilot, lambda: row_texts(app)[5:] == ["6 | Impact | Digital divide reduced in the Andes | "
                                                          "WSIS C1, WSIS C7"])
        assert [t.split(" | ")[0] for t in row_texts(app)] == ["1", "2", "4", "3", "5", "6"]
        template_impact = results(store, ref)[0]

        # The template's first outcome (the second row), linked up to the new impact instead.
        table = app.screen.query_one("#results-table", DataTable)
        table.focus()
        table.move_cursor(row=1)
        assert row_texts(app)[1].startswith("2 | Outcome | └ ")
        await pilot.press("enter")
        dialog = await dialog_shown(pilot)
        parent = dialog.query_one("#v-parent", Select)
        # Only results one level up are offered, by number: the two impacts, and nothing else.
        assert [(str(getattr(text, "plain", text))[:9], value) for text, value in parent._options
                if value is not Select.NULL] == [("1. Impact", template_impact["id"]), ("6. Impact", impact["id"])]
        await choose(pilot, "#v-parent", "6. Impact: Digital divide")
        await choose(pilot, "#v-priority", "Digital inclusion")
        await settle(pilot, lambda: "Enabling environment, its objective: Foster an enabling policy"
                     in text_of(dialog, ".dialog-text"))
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, CentreScreen)
                     and any(r["parent_id"] == impact["id"] for r in results(store, ref)))
        outcome = next(r for r in results(store, ref) if r["parent_id"] == impact["id"])
        assert outcome["level"] == "outcome" and outcome["priority_id"] == "digital_inclusion"
        # Drawn down the chain: the outcome (with its output) under the new impact; every result
        # keeps its number.
        await settle(pilot, lambda: [t.split(" | ")[0] for t in row_texts(app)] == ["1", "3", "5", "6", "2", "4"])
        assert row_texts(app)[4].startswith("2 | Outcome | └ ") and row_texts(app)[5].startswith("4 | Output |   └ ")
        table.move_cursor(row=4)
        await settle(pilot, lambda: "Contributes to: 6. Digital divide reduced in the Andes"
                     in text_of(app.screen, "#result-detail"))
