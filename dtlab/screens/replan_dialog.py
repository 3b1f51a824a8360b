"""Re-planning milestones after their anchor moved: the dialog that shows old and new dates
before anything is written, and the plan's summary the stage tabs show."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Button, Static

from dtlab.db.cases import get_case
from dtlab.db.plans import replan_preview
from dtlab.domain.monitoring import Replanned
from dtlab.i18n import N_, Translated, _, ngettext
from dtlab.present.charts import RAG_STYLE
from dtlab.present.safe import from_markup, shown
from dtlab.widgets.dialogs import Dialog

# How the KPIs stand (a KPI's stored status), counted: "3 red".
RAG_COUNTED = Translated({"red": N_("{n} red"), "no data": N_("{n} no data"), "amber": N_("{n} amber"),
                          "green": N_("{n} green"), "not yet rated": N_("{n} not yet rated")})


def replan_text(changes: list[Replanned]) -> str:
    undated_before, undated = _("not dated yet"), _("not dated")
    return "\n".join(f"· {shown(r.title)}: {shown(r.old or undated_before)} → [b]{shown(r.new or undated)}[/b]"
                     for r in changes)


def unanchored(n: int) -> str:
    """Milestones whose dates no longer follow the date they are counted from."""
    return ngettext("{n} milestone no longer follows its anchor", "{n} milestones no longer follow their anchor",
                    n).format(n=f"{n:,}")


def replan_question(store: Any, ref: str, moved: dict[Any, date | None]) -> list[Replanned]:
    """What saving a new launch or accreditation date would re-plan (read before the save)."""
    with store.read() as session:
        return replan_preview(session, get_case(session, ref), moved)


class ReplanDialog(Dialog[bool | None]):
    """The milestones a moved anchor re-plans, old and new date. Before a launch or accreditation
    date is saved: accept (True), save the date but keep the old milestone dates (False), or go
    back to the form without saving (None). From the centre (`saving=False`): accept or not."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Back"), id="replan.cancel", tooltip=N_("Close without changing anything")),
        Binding("y", "accept", N_("Accept"), id="replan.accept", tooltip=N_("Move the milestones to their new dates")),
        Binding("k", "keep", N_("Keep dates"), id="replan.keep", tooltip=N_("Save, keeping the milestones' old dates")),
    ]

    def __init__(self, changes: list[Replanned], saving: bool = True):
        super().__init__(classes="dialog-screen")
        self.changes, self.saving = changes, saving

    def compose(self) -> ComposeResult:
        n = len(self.changes)
        title = (ngettext("This date re-plans {n} milestone", "This date re-plans {n} milestones", n).format(
            n=f"{n:,}") if self.saving else unanchored(n))
        note = (_("Kept dates can be re-planned later from the centre (r).") if self.saving else
                _("Accept to move them to the dates their rule now gives."))
        with Vertical(classes="dialog"):
            yield Static(f"[b]{escape(title)}[/b]", classes="dialog-title")
            yield Static(from_markup(replan_text(self.changes) + f"\n\n[dim]{shown(note)}[/]"), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Re-plan (y)") if self.saving else _("Accept (y)"), variant="primary", id="accept")
                if self.saving:
                    yield Button(_("Keep dates (k)"), id="keep")
                yield Button(_("Back (esc)"), id="cancel")

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
    lines = ["", _("[b]Monitoring plan[/b] [dim](m: open the centre)[/]")]
    if not plan["from_template"]:
        lines.append(_("[dim]Not made from the template yet: p makes it (results, KPIs, milestones).[/]"))
    if not (plan["results"] or plan["kpis"] or plan["milestones"]):
        return "\n".join(lines)
    counts: dict[str, int] = {}
    for k in plan["kpis"]:
        counts[k["status"]] = counts.get(k["status"], 0) + 1
    order = ("red", "no data", "amber", "green", "not yet rated")  # i18n: not shown (stored KPI statuses)
    rated = [f"[{RAG_STYLE[s]}]{RAG_COUNTED[s].format(n=counts[s])}[/]" for s in order if counts.get(s)]
    results, kpis = len(plan["results"]), len(plan["kpis"])
    lines.append(ngettext("{n} result", "{n} results", results).format(n=f"{results:,}") + " · "
                 + ngettext("{n} KPI", "{n} KPIs", kpis).format(n=f"{kpis:,}")
                 + (f": {', '.join(rated)}" if rated else ""))
    unmeasured = [k["name"] for k in plan["kpis"] if k["baseline"] is None]
    if unmeasured:
        lines.append(ngettext("[yellow]{n} KPI without a baseline[/] (m, then e on the KPI)",
                              "[yellow]{n} KPIs without a baseline[/] (m, then e on the KPI)",
                              len(unmeasured)).format(n=f"{len(unmeasured):,}"))
    open_ones = [m for m in plan["milestones"] if m["state"] != "closed"]
    overdue = [m for m in open_ones if m["state"] == "overdue"]
    if overdue:
        titles = shown("; ".join(m["title"] for m in overdue[:2])) + (" …" if len(overdue) > 2 else "")
        lines.append(ngettext("[b red]{n} overdue:[/] {milestones}", "[b red]{n} overdue:[/] {milestones}",
                              len(overdue)).format(n=len(overdue), milestones=titles))
    for m in [m for m in open_ones if m["state"] in ("due soon", "scheduled")][:2]:
        lines.append(_("Next: {due} {milestone}").format(due=shown(m["due_on"]), milestone=shown(m["title"])))
    if not open_ones:
        lines.append(_("[dim]No open milestones.[/]"))
    if plan["replan"]:
        lines.append(_("[yellow]{milestones}[/] (Esc, m, then r)").format(milestones=unanchored(len(plan["replan"]))))
    return "\n".join(lines)
