"""Re-planning milestones after their anchor moved: the dialog that shows old and new dates
before anything is written, and the plan's summary the stage tabs show."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from dtlab.db.cases import get_case
from dtlab.db.plans import replan_preview
from dtlab.domain.monitoring import Replanned
from dtlab.present.charts import RAG_STYLE
from dtlab.present.safe import from_markup, shown
from dtlab.present.words import plural
from dtlab.widgets.dialogs import Dialog


def replan_text(changes: list[Replanned]) -> str:
    return "\n".join(f"· {shown(r.title)}: {shown(r.old or 'not dated yet')} → [b]{shown(r.new or 'not dated')}[/b]"
                     for r in changes)


def replan_question(store: Any, ref: str, moved: dict[Any, date | None]) -> list[Replanned]:
    """What saving a new launch or accreditation date would re-plan (read before the save)."""
    with store.read() as session:
        return replan_preview(session, get_case(session, ref), moved)


class ReplanDialog(Dialog[bool | None]):
    """The milestones a moved anchor re-plans, old and new date. Before a launch or accreditation
    date is saved: accept (True), save the date but keep the old milestone dates (False), or go
    back to the form without saving (None). From the centre (`saving=False`): accept or not."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Back", id="replan.cancel", tooltip="Close without changing anything"),
        Binding("y", "accept", "Accept", id="replan.accept", tooltip="Move the milestones to their new dates"),
        Binding("k", "keep", "Keep dates", id="replan.keep", tooltip="Save, keeping the milestones' old dates"),
    ]

    def __init__(self, changes: list[Replanned], saving: bool = True):
        super().__init__(classes="dialog-screen")
        self.changes, self.saving = changes, saving

    def compose(self) -> ComposeResult:
        n = len(self.changes)
        follows = "follows its" if n == 1 else "follow their"
        title = (f"This date re-plans {plural(n, 'milestone')}" if self.saving else
                 f"{plural(n, 'milestone')} no longer {follows} anchor")
        note = ("Kept dates can be re-planned later from the centre (r)." if self.saving else
                "Accept to move them to the dates their rule now gives.")
        with Vertical(classes="dialog"):
            yield Static(f"[b]{title}[/b]", classes="dialog-title")
            yield Static(from_markup(replan_text(self.changes) + f"\n\n[dim]{note}[/]"), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Re-plan (y)" if self.saving else "Accept (y)", variant="primary", id="accept")
                if self.saving:
                    yield Button("Keep dates (k)", id="keep")
                yield Button("Back (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#accept", Button).focus()

    @on(Button.Pressed, "#accept")
    def action_accept(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#keep")
    def action_keep(self) -> None:
        if self.saving:
            self.dismiss(False)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def plan_markup(plan: dict[str, Any]) -> str:
    """The plan in a few lines for a stage tab: how the KPIs stand, what is overdue, what is next."""
    lines = ["", "[b]Monitoring plan[/b] [dim](m: open the centre)[/]"]
    if not plan["from_template"]:
        lines.append("[dim]Not made from the template yet: p makes it (results, KPIs, milestones).[/]")
    if not (plan["results"] or plan["kpis"] or plan["milestones"]):
        return "\n".join(lines)
    counts: dict[str, int] = {}
    for k in plan["kpis"]:
        counts[k["status"]] = counts.get(k["status"], 0) + 1
    order = ("red", "no data", "amber", "green", "not yet rated")
    rated = [f"[{RAG_STYLE[s]}]{counts[s]} {s}[/]" for s in order if counts.get(s)]
    lines.append(f"{plural(len(plan['results']), 'result')} · {plural(len(plan['kpis']), 'KPI')}"
                 + (f": {', '.join(rated)}" if rated else ""))
    unmeasured = [k["name"] for k in plan["kpis"] if k["baseline"] is None]
    if unmeasured:
        lines.append(f"[yellow]{plural(len(unmeasured), 'KPI')} without a baseline[/] (m, then e on the KPI)")
    open_ones = [m for m in plan["milestones"] if m["state"] != "closed"]
    overdue = [m for m in open_ones if m["state"] == "overdue"]
    if overdue:
        lines.append(f"[b red]{len(overdue)} overdue:[/] " + shown("; ".join(m["title"] for m in overdue[:2]))
                     + (" …" if len(overdue) > 2 else ""))
    for m in [m for m in open_ones if m["state"] in ("due soon", "scheduled")][:2]:
        lines.append(f"Next: {shown(m['due_on'])} {shown(m['title'])}")
    if not open_ones:
        lines.append("[dim]No open milestones.[/]")
    if plan["replan"]:
        n = len(plan["replan"])
        follows = "follows its" if n == 1 else "follow their"
        lines.append(f"[yellow]{plural(n, 'milestone')} no longer {follows} anchor[/] (Esc, m, then r)")
    return "\n".join(lines)
