"""The form of one result of the chain: its level, the result one level up it contributes to
(offered only among this plan's results of the level just above, and re-offered as the level
changes), and what it serves; choosing a thematic priority shows its area's objective."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.widgets import Select, Static

from dtlab.domain.monitoring import PARENT_LEVEL
from dtlab.i18n import _
from dtlab.present.labels import RESULT_LEVEL_CHOICES
from dtlab.present.safe import plain
from dtlab.widgets.dialogs import ValuesDialog


def parent_options(results: list[dict[str, Any]], own_id: str | None) -> dict[str, list[tuple[str, str]]]:
    """For each level, (id, "3. Outcome: title") of the plan's results it may link up to: those of
    the level just above, never itself nor a result below it in the chain."""
    below = {own_id} if own_id else set()
    for r in results:  # the chain's order: a result's descendants follow it
        if r["parent_id"] in below and not r["broken"]:
            below.add(r["id"])
    return {level: [(r["id"], f"{r['number']}. {RESULT_LEVEL_CHOICES[r['level']]}: {r['title']}") for r in results
                    if r["level"] == up and r["id"] not in below]
            for level, up in PARENT_LEVEL.items() if up is not None} | {"impact": []}


class ResultDialog(ValuesDialog):
    """A ValuesDialog whose `parent` select follows its `level` select, and whose explanation
    ends with the chosen priority's area and objective."""

    def __init__(self, *args: Any, parents: dict[str, list[tuple[str, str]]],
                 objectives: dict[str, tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.parents, self.objectives = parents, objectives
        self.base_explanation = self.explanation

    @on(Select.Changed, "#v-level")
    def level_changed(self, event: Select.Changed) -> None:
        parent = self.query_one("#v-parent", Select)
        options = self.parents.get(str(event.value), []) if event.value is not Select.NULL else []
        kept = parent.value
        parent.set_options([(plain(text), value) for value, text in options])
        if any(value == kept for value, _text in options):
            parent.value = kept
        parent.disabled = not options  # an impact links up to nothing

    @on(Select.Changed, "#v-priority")
    def priority_changed(self, event: Select.Changed) -> None:
        self.show_objective(None if event.value is Select.NULL else str(event.value))

    def on_mount(self) -> None:
        super().on_mount()
        level = self.query_one("#v-level", Select).value
        self.query_one("#v-parent", Select).disabled = not self.parents.get(str(level), [])
        priority = self.query_one("#v-priority", Select).value
        self.show_objective(None if priority is Select.NULL else str(priority))

    def show_objective(self, priority: str | None) -> None:
        found = self.objectives.get(priority or "")
        text = Text.from_markup(self.base_explanation) if isinstance(self.base_explanation, str) \
            else Text(str(self.base_explanation))
        if found:
            area, objective = found
            text.append("\n")
            text.append_text(plain(_("{area}, its objective: {objective}").format(area=area, objective=objective),
                                   style="italic"))
        explanation = self.query(".dialog-text")
        if explanation:
            explanation.first(Static).update(text)
