"""One Acceleration Centre: its accreditation timeline, results framework, KPI targets against
actuals with a small chart, and milestones; the plan is made from the template and edited here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Header, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from ..db.cases import Invalid, NotFound, get_case, parse_date
from ..db.centres import centre_timeline
from ..db.plans import (
    LEVELS,
    MILESTONE_STATUSES,
    STATUS_WORDS,
    add_kpi_to_plan,
    apply_replan,
    case_plan,
    instantiate_plan,
    parse_due,
    record_actual,
    replan_preview,
    save_milestone,
    save_result,
    update_kpi,
)
from ..db.queries import thematic_priorities
from ..domain.monitoring import RAG_RULE, Replanned
from ..domain.words import number_words, plural
from ..errors import describe_error
from ..widgets.dialogs import ConfirmDialog, ReasonDialog, ValuesDialog
from .monitoring_charts import RAG_STYLE, STATE_STYLE, kpi_chart, rag_text, timeline

TABS = ("timeline", "results", "kpis", "milestones")


def current_day() -> date:
    """The day statuses are judged on (tests fix it)."""
    return date.today()


@dataclass
class CentreData:
    centre: dict[str, Any] | None
    plan: dict[str, Any]
    priorities: list[tuple[str, str]]


def read_centre(store: Any, ref: str, today: date) -> CentreData:
    with store.read() as session:
        case = get_case(session, ref)
        return CentreData(centre_timeline(session, case, today), case_plan(session, case, today),
                          thematic_priorities(session))


def replan_text(changes: list[Replanned]) -> str:
    return "\n".join(f"· {escape(r.title)}: {r.old or 'no date'} → [b]{r.new or 'no date'}[/b]" for r in changes)


class ReplanDialog(ModalScreen[bool | None]):
    """Before a launch or accreditation date is saved: the milestones it would re-plan, old and
    new date. Accept (True), save the date but keep the old milestone dates (False), or go back
    to the form without saving (None)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Back to the form", id="replan.cancel", tooltip="Do not save yet"),
        Binding("y", "accept", "Accept", id="replan.accept", tooltip="Save and re-plan the milestones"),
        Binding("k", "keep", "Keep dates", id="replan.keep", tooltip="Save, keeping the milestones' old dates"),
    ]

    def __init__(self, changes: list[Replanned]):
        super().__init__(classes="dialog-screen")
        self.changes = changes

    def compose(self) -> ComposeResult:
        n = len(self.changes)
        with Vertical(classes="dialog"):
            yield Static(f"[b]This date moves {n} milestone{'s' if n != 1 else ''}[/b]", classes="dialog-title")
            yield Static(replan_text(self.changes) + "\n\nKept dates can be re-planned later from the centre (r).",
                         classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save and re-plan (y)", variant="primary", id="accept")
                yield Button("Save, keep dates (k)", id="keep")
                yield Button("Back (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#accept", Button).focus()

    @on(Button.Pressed, "#accept")
    def action_accept(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#keep")
    def action_keep(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def plan_markup(plan: dict[str, Any]) -> str:
    """The plan in a few lines for a stage tab: how the KPIs stand, what is overdue, what is next."""
    lines = ["", "[b]Monitoring plan[/b] [dim](m: open the centre)[/]"]
    if not (plan["results"] or plan["kpis"] or plan["milestones"]):
        lines.append("[dim]No plan yet: p makes it from the centre type's template.[/]")
        return "\n".join(lines)
    counts: dict[str, int] = {}
    for k in plan["kpis"]:
        counts[k["status"]] = counts.get(k["status"], 0) + 1
    order = ("red", "no data", "amber", "green", "not yet rated")
    shown = [f"[{RAG_STYLE[s]}]{counts[s]} {s}[/]" for s in order if counts.get(s)]
    lines.append(f"{plural(len(plan['results']), 'result')} · {plural(len(plan['kpis']), 'KPI')}"
                 + (f": {', '.join(shown)}" if shown else ""))
    unmeasured = [k["name"] for k in plan["kpis"] if k["baseline"] is None]
    if unmeasured:
        lines.append(f"[yellow]{plural(len(unmeasured), 'KPI')} without a baseline[/] (m, then e on the KPI)")
    open_ones = [m for m in plan["milestones"] if m["state"] not in ("closed",)]
    overdue = [m for m in open_ones if m["state"] == "overdue"]
    if overdue:
        lines.append(f"[b red]{len(overdue)} overdue:[/] " + escape("; ".join(m["title"] for m in overdue[:2]))
                     + (" …" if len(overdue) > 2 else ""))
    upcoming = [m for m in open_ones if m["state"] in ("due soon", "scheduled")][:2]
    for m in upcoming:
        lines.append(f"Next: {m['due_on']} {escape(m['title'])}")
    if not open_ones:
        lines.append("[dim]No open milestones.[/]")
    if plan["replan"]:
        lines.append(f"[yellow]{len(plan['replan'])} milestone dates no longer follow their anchor (m, then r)[/]")
    return "\n".join(lines)


def _number_check(*keys: str) -> Any:
    def check(values: dict[str, str]) -> str | None:
        for key in keys:
            text = values.get(key, "").replace(",", "")
            if text:
                try:
                    float(text)
                except ValueError:
                    return f"{key.replace('_', ' ').capitalize()}: {values[key]!r} is not a number."
        return None

    return check


class CentreScreen(Screen[None]):
    HELP_TITLE = "Centre"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "make_plan", "Make plan", id="centre.plan",
                tooltip="Make the monitoring plan from the centre type's template"),
        Binding("n", "new_item", "New", id="centre.new", tooltip="Add a result, KPI or milestone (on its tab)"),
        Binding("d", "milestone_done", "Done", id="centre.done", tooltip="Mark the milestone done, with evidence"),
        Binding("e", "edit_kpi", "Targets", id="centre.targets",
                tooltip="Edit the KPI: name, unit, baseline, yearly targets"),
        Binding("r", "replan", "Re-plan", id="centre.replan",
                tooltip="See the milestones whose anchor moved and accept their new dates"),
        Binding("1", "tab('timeline')", "Timeline", id="centre.tab_timeline", show=False),
        Binding("2", "tab('results')", "Results", id="centre.tab_results", show=False),
        Binding("3", "tab('kpis')", "KPIs", id="centre.tab_kpis", show=False),
        Binding("4", "tab('milestones')", "Milestones", id="centre.tab_milestones", show=False),
        Binding("ctrl+r", "reload", "Reload", id="centre.reload", tooltip="Read the centre again", show=False),
        Binding("escape", "leave", "Back", id="centre.leave", tooltip="Back to where you came from"),
    ]

    def __init__(self, ref: str, tab: str = "timeline", milestone_id: str | None = None):
        super().__init__()
        self.ref, self.first_tab, self.focus_milestone = ref, tab, milestone_id
        self.data: CentreData | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Loading {escape(self.ref)}…", id="centre-summary")
        with TabbedContent(id="centre-tabs", initial=f"pane-{self.first_tab}"):
            with TabPane("1 Timeline", id="pane-timeline"), VerticalScroll():
                yield Static("", id="timeline")
            with TabPane("2 Results", id="pane-results"):
                yield DataTable(id="results-table", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(classes="centre-detail"):
                    yield Static("", id="result-detail")
            with TabPane("3 KPIs", id="pane-kpis"):
                yield DataTable(id="kpi-table", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(classes="centre-detail"):
                    yield Static("", id="kpi-chart")
            with TabPane("4 Milestones", id="pane-milestones"):
                yield DataTable(id="milestone-table", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(classes="centre-detail"):
                    yield Static("", id="milestone-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def on_resize(self) -> None:
        if self.data is not None:
            self.show(self.data)

    def set_columns(self, table: DataTable[Any], columns: list[tuple[str, int]], flexible: str) -> None:
        """Fixed widths for all columns but one, which takes what the screen leaves (at least 16)."""
        fixed = sum(w + 2 for label, w in columns if label != flexible)
        rest = min(72, max(16, self.size.width - 4 - fixed - 2))  # long lines are hard to follow
        table.clear(columns=True)
        for label, width in columns:
            table.add_column(label, width=rest if label == flexible else width)

    # --- reading ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="centre-load")
    def load(self) -> CentreData:
        return read_centre(self.app.store, self.ref, current_day())  # type: ignore[attr-defined]

    def action_reload(self) -> None:
        self.load()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR:
            error = worker.error
            if isinstance(error, NotFound) and worker.group == "centre-load":
                self.notify(str(error), severity="error")
                self.dismiss()
            elif isinstance(error, Invalid):
                self.notify(str(error), severity="error", timeout=10)
            else:
                self.notify(f"Not saved: {describe_error(error)}", severity="error", timeout=10)
            return
        if event.state is not WorkerState.SUCCESS:
            return
        if worker.group == "centre-load" and isinstance(worker.result, CentreData):
            self.show(worker.result)
        elif worker.group == "centre-write":
            if worker.result:
                self.notify(str(worker.result))
            self.load()

    def show(self, data: CentreData) -> None:
        self.data = data
        centre, plan = data.centre, data.plan
        if centre is None:
            self.query_one("#centre-summary", Static).update(
                f"[b]{escape(self.ref)}[/b] is not a centre yet: a case becomes one when it reaches set-up.")
        else:
            state = centre["periods"][-1]["state"] if centre["periods"] else "not accredited"
            shown = (f"[b red]{state.upper()}[/]" if centre["lapsed"] else
                     f"[{STATE_STYLE.get(state, '')}]{state}[/]" if STATE_STYLE.get(state) else state)
            ended = "" if centre["status"] == "open" else f"[b red]{centre['status'].upper()}[/] (read-only) · "
            # Each line is cut rather than wrapped, so a long name never hides the state.
            summary = Text.from_markup(
                f"[b]{escape(centre['ref'])}[/b] {escape(centre['name'])}\n"
                f"{ended}{shown} [dim]· {escape(centre['type_name'])} · {centre['country'] or '—'} · "
                f"{centre['scope'] or 'scope not set'} · {escape(centre['host'] or 'no host')}[/]")
            summary.no_wrap, summary.overflow = True, "ellipsis"
            self.query_one("#centre-summary", Static).update(summary)
        self.fill_timeline()
        self.fill_results(plan)
        self.fill_kpis(plan)
        self.fill_milestones(plan)
        self.refresh_bindings()

    def fill_timeline(self) -> None:
        assert self.data is not None
        centre, plan = self.data.centre, self.data.plan
        out = Text()
        if centre is not None:
            width = max(40, self.size.width - 4)
            out = timeline(centre["periods"], centre["launch_on"], current_day(), width)
        out.append("\n\n")
        counts = (len(plan["results"]), len(plan["kpis"]), len(plan["milestones"]))
        if not any(counts):
            out.append("No monitoring plan yet. ", style="bold")
            out.append("p makes it from the centre type's template (results, KPIs with yearly targets, "
                       "milestones), to edit afterwards.")
        else:
            off = sum(1 for k in plan["kpis"] if k["status"] in ("red", "no data"))
            overdue = sum(1 for m in plan["milestones"] if m["state"] == "overdue")
            out.append(f"Plan: {plural(counts[0], 'result')} · {plural(counts[1], 'KPI')}")
            out.append(f" ({off} off track)" if off else "", style="bold red")
            out.append(f" · {plural(counts[2], 'milestone')}")
            out.append(f" ({overdue} overdue)" if overdue else "", style="bold red")
        if plan["replan"]:
            out.append(f"\n\n{len(plan['replan'])} milestone dates no longer follow their anchor. ", style="yellow")
            out.append("r shows the new dates to accept.")
        self.query_one("#timeline", Static).update(out)

    def fill_results(self, plan: dict[str, Any]) -> None:
        table = self.query_one("#results-table", DataTable)
        keep = table.cursor_row
        self.set_columns(table, [("Level", 7), ("Result", 0), ("Serves", 22)], "Result")
        for r in plan["results"]:
            links = [r["priority_id"].replace("_", " ")] if r["priority_id"] else []
            links += r["initiative_results"] + [f"SDG {n}" for n in r["sdgs"]]
            table.add_row(r["level"].capitalize(), r["title"], ", ".join(links) or Text("not linked", style="dim"),
                          key=r["id"])
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        self.show_result()

    def fill_kpis(self, plan: dict[str, Any]) -> None:
        table = self.query_one("#kpi-table", DataTable)
        keep = table.cursor_row
        self.set_columns(table, [("KPI", 0), ("Status", 13), ("Last year", 12), ("Years", 5)], "KPI")
        for k in plan["kpis"]:
            # The year that decides the status: the latest one rated.
            rated = [y for y in k["years"] if y["status"] != "not yet rated"]
            latest = "—"
            if rated:
                y = rated[-1]
                actual = "—" if y["actual"] is None else number_words(y["actual"])
                target = "—" if y["target"] is None else number_words(y["target"])
                latest = f"Y{y['year']} {actual}/{target}"
            marks = Text()
            for y in k["years"]:
                marks.append("●" if y["actual"] is not None else "○" if y["status"] == "no data" else "·",
                             style=RAG_STYLE.get(y["status"], ""))
            table.add_row(k["name"], rag_text(k["status"]), latest, marks, key=k["id"])
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        self.show_kpi()

    def fill_milestones(self, plan: dict[str, Any]) -> None:
        table = self.query_one("#milestone-table", DataTable)
        keep = table.cursor_row
        self.set_columns(table, [("Due", 10), ("State", 9), ("Milestone", 0), ("Owner", 16)], "Milestone")
        for m in plan["milestones"]:
            # Closed milestones say how they closed; open ones whether they are late.
            state = STATUS_WORDS[m["status"]] if m["state"] == "closed" else m["state"]
            table.add_row(str(m["due_on"] or "—"), Text(state, style=STATE_STYLE.get(m["state"], "")),
                          m["title"], m["owner"] or "—", key=m["id"])
        if self.focus_milestone:
            rows = [m["id"] for m in plan["milestones"]]
            if self.focus_milestone in rows:
                keep = rows.index(self.focus_milestone)
            self.focus_milestone = None
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        self.show_milestone()

    # --- what the cursor is on -------------------------------------------------------------------

    def _current(self, table_id: str, items: str) -> dict[str, Any] | None:
        if self.data is None:
            return None
        table = self.query_one(f"#{table_id}", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((i for i in self.data.plan[items] if i["id"] == key), None)

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        {"results-table": self.show_result, "kpi-table": self.show_kpi,
         "milestone-table": self.show_milestone}.get(event.data_table.id or "", lambda: None)()

    def show_result(self) -> None:
        r = self._current("results-table", "results")
        detail = self.query_one("#result-detail", Static)
        if r is None:
            detail.update("No results yet. n adds an output or outcome; p makes the whole plan from the template.")
            return
        assert self.data is not None
        kpis = [k["name"] for k in self.data.plan["kpis"] if k["result_id"] == r["id"]]
        lines = [f"[b]{r['level'].capitalize()}:[/b] {escape(r['title'])}",
                 f"Thematic priority: {escape(r['priority'] or 'none linked')}",
                 "Regional initiative results: " + (", ".join(r["initiative_results"]) + f" ({r['cycle']})"
                                                    if r["initiative_results"] else "none linked"),
                 "SDGs: " + (", ".join(str(n) for n in r["sdgs"]) or "none linked"),
                 "Measured by: " + (escape("; ".join(kpis)) or "no KPI yet"),
                 "[dim]Enter edits the result and its links.[/]"]
        detail.update("\n".join(lines))

    def show_kpi(self) -> None:
        k = self._current("kpi-table", "kpis")
        chart = self.query_one("#kpi-chart", Static)
        if k is None:
            chart.update("No KPIs yet. n adds one; p makes the whole plan from the template.")
            return
        text = kpi_chart(k, min(110, max(50, self.size.width - 4)))
        text.append("\nEnter reports an actual · e edits the targets", style="dim")
        text.append(f"\n\nHow a KPI is rated: {RAG_RULE}", style="dim")
        chart.update(text)

    def show_milestone(self) -> None:
        m = self._current("milestone-table", "milestones")
        detail = self.query_one("#milestone-detail", Static)
        if m is None:
            detail.update("No milestones yet. n adds one; p makes the whole plan from the template.")
            return
        lines = [f"[b]{escape(m['title'])}[/b] · {STATUS_WORDS[m['status']]}" + (f" · owner {escape(m['owner'])}"
                                                                               if m["owner"] else ""),
                 f"Due {m['due_on'] or 'when its anchor is known'} ({escape(m['rule'])})"
                 + (f" · done on {m['done_on']}" if m["done_on"] else "")]
        lines += [f"[dim]{e['at']:%Y-%m-%d} {escape(e['by'])}:[/] {escape(e['body'])}" for e in m["evidence"]]
        if not m["evidence"]:
            lines.append("[dim]No evidence yet.[/]")
        lines.append("[dim]Enter edits · d marks done with evidence · n adds a milestone[/]")
        detail.update("\n".join(lines))

    # --- writing ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=False, exit_on_error=False, group="centre-write")
    def write(self, job: Any) -> str | None:
        return job()

    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active.removeprefix("pane-")

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = f"pane-{tab}"
        table = {"results": "#results-table", "kpis": "#kpi-table", "milestones": "#milestone-table"}.get(tab)
        if table:
            self.query_one(table, DataTable).focus()

    @on(TabbedContent.TabActivated)
    def tab_changed(self, _event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()

    def action_make_plan(self) -> None:
        store, ref = self.app.store, self.ref  # type: ignore[attr-defined]

        def job() -> str:
            made = instantiate_plan(store, ref)
            return (f"Plan made from the template: {made['results']} results, {made['kpis']} KPIs, "
                    f"{made['milestones']} milestones. Edit them as the centre needs.")

        self.write(job)

    def action_new_item(self) -> None:
        tab = self.active_tab()
        if tab == "results":
            self.edit_result(None)
        elif tab == "kpis":
            self.new_kpi()
        else:
            self.action_tab("milestones")
            self.edit_milestone(None)

    @on(DataTable.RowSelected)
    def selected(self, event: DataTable.RowSelected) -> None:
        table = event.data_table.id
        if table == "results-table":
            self.edit_result(self._current("results-table", "results"))
        elif table == "kpi-table":
            self.report_actual()
        elif table == "milestone-table":
            self.edit_milestone(self._current("milestone-table", "milestones"))

    def edit_result(self, result: dict[str, Any] | None) -> None:
        assert self.data is not None
        store, ref = self.app.store, self.ref  # type: ignore[attr-defined]
        r = result or {"id": None, "level": "output", "title": "", "priority_id": None, "initiative_results": [],
                       "sdgs": []}

        def done(values: dict[str, str] | None) -> None:
            if values is None:
                return

            def job() -> str:
                save_result(store, ref, r["id"], values["level"], values["title"], values["priority"],
                            values["initiatives"], sdgs=values["sdgs"])
                return "Result saved"

            self.write(job)

        self.app.push_screen(ValuesDialog(
            "Edit the result" if result else "Add a result",
            [("level", "Level", [(lv, lv.capitalize()) for lv in LEVELS]), ("title", "Result", r["title"]),
             ("priority", "Priority", list(self.data.priorities)),
             ("initiatives", "Initiatives", " ".join(r["initiative_results"])),
             ("sdgs", "SDGs", " ".join(str(n) for n in r["sdgs"]))],
            required=("level", "title"),
            explanation="[dim]Initiative results as code.number, e.g. AFR4.3 ASP2.1 (plan cycle "
                        f"{escape(r.get('cycle') or 'current')}); SDGs as numbers, e.g. 4 9 17.[/]",
            initial={"level": r["level"], "priority": r["priority_id"] or ""}), done)

    def new_kpi(self) -> None:
        store, ref = self.app.store, self.ref  # type: ignore[attr-defined]

        def done(values: dict[str, str] | None) -> None:
            if values is None:
                return

            def job() -> str:
                add_kpi_to_plan(store, ref, values["name"], values["unit"])
                return "KPI added: e sets its baseline and yearly targets"

            self.write(job)

        self.app.push_screen(ValuesDialog("Add a KPI", [("name", "Indicator", ""), ("unit", "Unit", "")],
                                          required=("name",)), done)

    def report_actual(self) -> None:
        k = self._current("kpi-table", "kpis")
        if k is None:
            return
        store, ref = self.app.store, self.ref  # type: ignore[attr-defined]
        years = k["years"] or [{"year": 1, "ends_on": None, "actual": None, "target": None}]
        today = current_day()
        # Offer the latest ended year still without an actual (the report most recently due),
        # else the latest ended year, else the first.
        ended = [y for y in years if y["ends_on"] is not None and y["ends_on"] < today]
        missing = [y for y in ended if y["actual"] is None]
        chosen = (missing[-1:] or ended[-1:] or years[:1])[0]

        def label(y: dict[str, Any]) -> str:
            target = "" if y["target"] is None else f" · target {number_words(y['target'])}"
            actual = "" if y["actual"] is None else f" · reported {number_words(y['actual'])}"
            ends = f" to {y['ends_on']}" if y["ends_on"] else ""
            return f"Year {y['year']}{ends}{target}{actual}"

        def done(values: dict[str, str] | None) -> None:
            if values is None:
                return

            def job() -> str:
                record_actual(store, ref, k["id"], int(values["year"]), values["actual"], values["evidence"],
                              current_day())
                return f"Actual recorded for {k['name']}, year {values['year']}"

            self.write(job)

        self.app.push_screen(ValuesDialog(
            f"Report an actual: {k['name']}",
            [("year", "Year", [(str(y["year"]), label(y)) for y in years]), ("actual", "Actual", ""),
             ("evidence", "Evidence", "")],
            required=("year", "actual"), check=_number_check("actual"),
            explanation=f"[dim]{escape(k['unit'] or 'no unit')} · the evidence note says where the figure "
                        "comes from; it is kept with the year and never edited.[/]",
            initial={"year": str(chosen["year"])}), done)

    def action_edit_kpi(self) -> None:
        k = self._current("kpi-table", "kpis")
        if k is None:
            return
        store, ref = self.app.store, self.ref  # type: ignore[attr-defined]
        years = [y["year"] for y in k["years"]] or [1, 2, 3]
        shown = sorted(set(years) | {max(years) + 1})  # room for one more year

        def value(v: float | None) -> str:
            return "" if v is None else number_words(v).replace(",", "")

        targets = {y["year"]: y["target"] for y in k["years"]}

        def done(values: dict[str, str] | None) -> None:
            if values is None:
                return

            def job() -> str:
                update_kpi(store, ref, k["id"], values["name"], values["unit"], values["baseline"],
                           {y: values[f"y{y}"] for y in shown})
                return "KPI saved"

            self.write(job)

        self.app.push_screen(ValuesDialog(
            "Edit the KPI",
            [("name", "Indicator", k["name"]), ("unit", "Unit", k["unit"] or ""),
             ("baseline", "Baseline", value(k["baseline"])),
             *[(f"y{y}", f"Year {y} target", value(targets.get(y))) for y in shown]],
            required=("name",), check=_number_check("baseline", *[f"y{y}" for y in shown]),
            explanation="[dim]Years count from the first accreditation. An empty target clears it.[/]"), done)

    def edit_milestone(self, milestone: dict[str, Any] | None) -> None:
        store, ref = self.app.store, self.ref  # type: ignore[attr-defined]
        m = milestone or {"id": None, "title": "", "anchor": None, "rule": "", "due_on": None, "owner": "",
                          "status": "planned", "evidence": []}
        due = m["rule"] if m["anchor"] else str(m["due_on"] or "")

        def check(values: dict[str, str]) -> str | None:
            try:
                parse_due(values["due"])
                if values["done_on"]:
                    parse_date(values["done_on"], "done on")
            except Invalid as exc:
                return str(exc).capitalize()
            return None

        def done(values: dict[str, str] | None) -> None:
            if values is None:
                return

            def job() -> str:
                save_milestone(store, ref, m["id"], values["title"], values["due"], values["owner"],
                               values["status"], values["evidence"], current_day(), values["done_on"])
                return "Milestone saved" if m["id"] else "Milestone added"

            self.write(job)

        evidence = "\n".join(f"· {escape(e['body'])}" for e in m["evidence"])
        self.app.push_screen(ValuesDialog(
            "Edit the milestone" if milestone else "Add a milestone",
            [("title", "Milestone", m["title"]), ("due", "Due", due), ("owner", "Owner", m["owner"] or ""),
             ("status", "Status", [(s, STATUS_WORDS[s]) for s in MILESTONE_STATUSES]),
             ("done_on", "Done on", str(m.get("done_on") or "")), ("evidence", "New evidence", "")],
            required=("title", "status"), check=check,
            explanation="[dim]Due: a date (2027-03-31) or an offset: \"6 months after launch\", "
                        "\"12 months after accreditation\". Done on: empty means today.[/]"
                        + (f"\nEvidence so far:\n{evidence}" if evidence else ""),
            initial={"status": m["status"]}), done)

    def action_milestone_done(self) -> None:
        m = self._current("milestone-table", "milestones")
        if m is None:
            return
        store, ref = self.app.store, self.ref  # type: ignore[attr-defined]
        due = m["rule"] if m["anchor"] else str(m["due_on"] or "")

        def done(evidence: str | None) -> None:
            if evidence is None:
                return

            def job() -> str:
                save_milestone(store, ref, m["id"], m["title"], due, m["owner"] or "", "done", evidence,
                               current_day())
                return f"Done: {m['title']}"

            self.write(job)

        self.app.push_screen(ReasonDialog(f"Mark done: {m['title']}", "Say what shows it is done (optional): "
                                          "a report, minutes, a link. Evidence is kept as written.",
                                          required=False, placeholder="evidence"), done)

    def action_replan(self) -> None:
        if self.data is None or not self.data.plan["replan"]:
            return
        store, ref = self.app.store, self.ref  # type: ignore[attr-defined]
        changes = [Replanned(**r) for r in self.data.plan["replan"]]

        def done(accept: bool | None) -> None:
            if not accept:
                return

            def job() -> str:
                n = apply_replan(store, ref, changes)
                return f"{n} milestone{'s' if n != 1 else ''} re-planned"

            self.write(job)

        self.app.push_screen(ConfirmDialog(
            "These milestones follow an anchor that moved. Accept their new dates?\n" + replan_text(changes),
            yes="Accept the new dates", no="Keep the old dates"), done)

    def action_leave(self) -> None:
        self.dismiss()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.data is None:
            return action in ("leave", "reload", "tab")
        plan, centre = self.data.plan, self.data.centre
        open_centre = centre is not None and centre["status"] == "open"
        tab = self.active_tab()
        if action == "make_plan":
            return open_centre and not (plan["results"] or plan["kpis"] or plan["milestones"])
        if action == "new_item":
            return open_centre
        if action == "milestone_done":
            m = self._current("milestone-table", "milestones")
            return open_centre and tab == "milestones" and m is not None and m["status"] != "done"
        if action == "edit_kpi":
            return open_centre and tab == "kpis" and bool(plan["kpis"])
        if action == "replan":
            return open_centre and bool(plan["replan"])
        return True


def replan_question(store: Any, ref: str, moved: dict[Any, date | None]) -> list[Replanned]:
    """What saving a new launch or accreditation date would re-plan (read before the save)."""
    with store.read() as session:
        return replan_preview(session, get_case(session, ref), moved)
