"""One Acceleration Centre: its accreditation timeline, results framework, KPI targets against
actuals with a small chart, and milestones; the plan is made from the template and edited here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane

from dtlab.db.cases import get_case
from dtlab.db.centres import centre_timeline
from dtlab.db.framework import priority_objectives
from dtlab.db.plans import case_plan, default_cycle
from dtlab.db.queries import thematic_priorities
from dtlab.domain.fields import number_words
from dtlab.domain.guide import SCOPE_WORDS
from dtlab.domain.monitoring import PARENT_LEVEL, rag_rule
from dtlab.domain.stages import Status
from dtlab.errors import Invalid, NotFound, describe_error
from dtlab.i18n import N_, _, ngettext, pgettext
from dtlab.present.chain import result_links
from dtlab.present.charts import RAG_STYLE, STATE_STYLE, cut, kpi_chart, rag_text, timeline
from dtlab.present.labels import (
    MILESTONE_STATE_LABELS,
    MILESTONE_STATUS_WORDS,
    PERIOD_STATE_WORDS,
    RAG_WORDS,
    RESULT_LEVEL_CHOICES,
    STATUS_LABELS,
)
from dtlab.present.safe import from_markup, plain, shown
from dtlab.screens.messages import Written
from dtlab.screens.plan_forms import PlanForms, make_plan
from dtlab.widgets.footer import KeysFooter
from dtlab.widgets.tabs import show_tab

if TYPE_CHECKING:
    from dtlab.db.store import Store



def current_day() -> date:
    """The day statuses are judged on (tests fix it)."""
    return date.today()


@dataclass
class CentreData:
    centre: dict[str, Any] | None
    plan: dict[str, Any]
    priorities: list[tuple[str, str]]
    cycle: str  # the plan cycle a result's initiative results are read in, unless it names its own
    objectives: dict[str, tuple[str, str]] = field(default_factory=dict)  # priority → (its area, objective)


def read_centre(store: Store, ref: str, today: date) -> CentreData:
    with store.read() as session:
        case = get_case(session, ref)
        return CentreData(centre_timeline(session, case, today), case_plan(session, case, today),
                          thematic_priorities(session), default_cycle(session), priority_objectives(session))


# The heading of what a result serves, whole where the column is wide enough: "Serves … none" is
# then not mistaken for the result's link up the chain.
SERVES = N_("Serves (priority, initiatives, SDGs, WSIS)")


def parent_number(plan: dict[str, Any], result: dict[str, Any]) -> str:
    """"3. " before the title of the result this one links up to: the number it goes by."""
    parent = next((r for r in plan["results"] if r["id"] == result["parent_id"]), None)
    return f"{parent['number']}. " if parent else ""


def number_cell(item: dict[str, Any]) -> Text:
    """The number a result, KPI or milestone goes by, as `dtlab case show` and `dtlab case
    result|kpi|milestone|remove REF N` know it."""
    return Text(str(item["number"]), style="dim", justify="right")


class CentreScreen(PlanForms):
    HELP_TITLE = N_("Centre")
    HELP_EXTRA = (("enter", N_("Results: edit the result · KPIs: report an actual · Milestones: edit the milestone")),
                  ("1 2 3 4", N_("Timeline, Results, KPIs, Milestones")))
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "make_plan", N_("Make plan"), id="centre.plan",
                tooltip=N_("Make the monitoring plan from the centre type's template")),
        Binding("n", "new_item", N_("New"), id="centre.new", tooltip=N_("Add a result, KPI or milestone (on its tab)")),
        Binding("d", "milestone_done", N_("Done"), id="centre.done",
                tooltip=N_("Mark the milestone done, with evidence")),
        Binding("e", "edit_kpi", N_("Targets"), id="centre.targets",
                tooltip=N_("Edit the KPI: name, unit, baseline, yearly targets")),
        Binding("delete,x", "remove", N_("Remove"), id="centre.remove",
                tooltip=N_("Take the highlighted result, KPI or milestone out of the plan"), show=False),
        Binding("r", "replan", N_("Re-plan"), id="centre.replan",
                tooltip=N_("See the milestones whose anchor moved and accept their new dates")),
        Binding("1", "tab('timeline')", N_("Timeline"), id="centre.tab_timeline", show=False),
        Binding("2", "tab('results')", N_("Results"), id="centre.tab_results", show=False),
        Binding("3", "tab('kpis')", N_("KPIs"), id="centre.tab_kpis", show=False),
        Binding("4", "tab('milestones')", N_("Milestones"), id="centre.tab_milestones", show=False),
        Binding("ctrl+r", "reload", N_("Reload"), id="centre.reload", tooltip=N_("Read the centre again"), show=False),
        Binding("escape", "leave", N_("Back"), id="centre.leave", tooltip=N_("Back to where you came from")),
    ]

    @dataclass
    class CentreRead(Message):
        data: CentreData

    @dataclass
    class CentreGone(Message):
        """There is no such case (any more): `text` says so."""

        text: str

    def __init__(self, ref: str, tab: str = "timeline", milestone_id: str | None = None):
        super().__init__()
        self.today = current_day  # looked up when called, so tests can fix the day
        self.ref, self.first_tab, self.focus_milestone = ref, tab, milestone_id
        self.data: CentreData | None = None

    @property
    def identity(self) -> tuple[str, str]:
        return ("centre", self.ref.upper())

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(from_markup(_("Loading {ref}…").format(ref=shown(self.ref))), id="centre-summary")
        # Each tab by the key that shows it (1 to 4) and its short name.
        with TabbedContent(id="centre-tabs", initial=f"pane-{self.first_tab}"):
            with TabPane("1 " + pgettext("short", "Timeline"), id="pane-timeline"), VerticalScroll():
                yield Static("", id="timeline")
            with TabPane("2 " + pgettext("short", "Results"), id="pane-results"):
                yield DataTable(id="results-table", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(classes="centre-detail"):
                    yield Static("", id="result-detail")
            with TabPane("3 " + pgettext("short", "KPIs"), id="pane-kpis"):
                yield DataTable(id="kpi-table", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(classes="centre-detail"):
                    yield Static("", id="kpi-chart")
            with TabPane("4 " + pgettext("short", "Milestones"), id="pane-milestones"):
                yield DataTable(id="milestone-table", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(classes="centre-detail"):
                    yield Static("", id="milestone-detail")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    def on_resize(self) -> None:
        if self.data is not None:
            self.show(self.data)

    def set_columns(self, table: DataTable[Any], columns: list[tuple[str, int]], flexible: str,
                    then: str | None = None, headings: dict[str, str] | None = None) -> dict[str, int]:
        """Fixed widths for all columns but one, which takes what the screen leaves (at least 16, at
        most 72); `then`, when named, takes what is left after that, beyond its own width. A column
        shows its longer heading in `headings` where that fits. The widths given, by column.
        A column's label is its key and its heading's English (msgid): it is shown translated."""
        fixed = sum(w + 2 for label, w in columns if label != flexible)
        room = self.size.width - 4 - fixed - 2
        rest = min(72, max(16, room))  # long lines are hard to follow
        widths = {label: rest if label == flexible else width + max(0, room - rest) if label == then else width
                  for label, width in columns}
        table.clear(columns=True)
        for label, width in widths.items():
            short, heading = _(label), _((headings or {}).get(label, label))
            table.add_column(heading if cell_len(heading) <= width else short, width=width, key=label)
        return widths

    # --- reading ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="centre-load")
    def load(self) -> None:
        try:
            data = read_centre(self.store, self.ref, current_day())
        except NotFound as gone:
            self.post_result(self.CentreGone(str(gone)))
            return
        self.post_result(self.CentreRead(data))

    def action_reload(self) -> None:
        self.load()

    def on_centre_screen_centre_read(self, message: CentreRead) -> None:
        self.show(message.data)

    def on_centre_screen_centre_gone(self, message: CentreGone) -> None:
        self.notify(message.text, severity="error")
        self.dismiss()

    def on_written(self, message: Written) -> None:
        if message.text:
            self.notify(message.text)
        self.load()

    def worker_failed(self, error: BaseException | None) -> None:
        if isinstance(error, Invalid):
            self.notify(str(error), severity="error", timeout=10)
        else:
            self.notify(_("Not saved: {error}").format(error=describe_error(error)), severity="error", timeout=10)

    def show(self, data: CentreData) -> None:
        self.data = data
        centre, plan = data.centre, data.plan
        if centre is None:
            self.query_one("#centre-summary", Static).update(from_markup(
                _("{ref} is not a centre yet: a case becomes one when it reaches set-up.").format(
                    ref=f"[b]{shown(self.ref)}[/b]")))
        else:
            periods = centre["periods"]
            state = periods[-1]["state"] if periods else "not accredited"  # i18n: not shown (a state, said below)
            words = PERIOD_STATE_WORDS.get(state, state)
            state_markup = (f"[b red]{shown(words.upper())}[/]" if centre["lapsed"] else
                            f"[{STATE_STYLE.get(state, '')}]{shown(words)}[/]" if STATE_STYLE.get(state)
                            else shown(words))
            read_only = _("(read-only)")
            ended = ("" if plan["editable"] else
                     f"[b red]{shown(STATUS_LABELS[Status(centre['status'])].upper())}[/] {read_only} · "
                     if centre["status"] != "open" else "[b]" + _("before set-up") + f"[/] {read_only} · ")
            scope = SCOPE_WORDS.get(centre["scope"], centre["scope"]) if centre["scope"] else _("scope not set")
            host = centre["host"] or _("no host")
            # Each line is cut rather than wrapped, so a long name never hides the state.
            summary = from_markup(
                f"[b]{shown(centre['ref'])}[/b] {shown(centre['name'])}\n"
                f"{ended}{state_markup} [dim]· {shown(centre['type_name'])} · {shown(centre['country'] or '—')} · "
                f"{shown(scope)} · {shown(host)}[/]")
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
            out.append(_("No monitoring plan yet.") + " ", style="bold")
            out.append(_("p makes it from the centre type's template (results, KPIs with yearly targets, "
                         "milestones), to edit afterwards."))
        else:
            off = sum(1 for k in plan["kpis"] if k["status"] in ("red", "no data"))
            overdue = sum(1 for m in plan["milestones"] if m["state"] == "overdue")
            results, kpis, milestones = counts
            out.append(_("Plan: {results} · {kpis}").format(
                results=ngettext("{n} result", "{n} results", results).format(n=f"{results:,}"),
                kpis=ngettext("{n} KPI", "{n} KPIs", kpis).format(n=f"{kpis:,}")))
            off_track = ngettext("{n} off track", "{n} off track", off).format(n=off)
            out.append(f" ({off_track})" if off else "", style="bold red")
            out.append(" · " + ngettext("{n} milestone", "{n} milestones", milestones).format(n=f"{milestones:,}"))
            late = ngettext("{n} overdue", "{n} overdue", overdue).format(n=overdue)
            out.append(f" ({late})" if overdue else "", style="bold red")
        if plan["replan"]:
            stale = len(plan["replan"])
            out.append("\n\n" + ngettext("{n} milestone date no longer follows its anchor.",
                                          "{n} milestone dates no longer follow their anchor.", stale).format(n=stale)
                       + " ", style="yellow")
            out.append(_("r shows the new dates to accept."))
        self.query_one("#timeline", Static).update(out)

    def fill_results(self, plan: dict[str, Any]) -> None:
        table = self.query_one("#results-table", DataTable)
        keep = table.cursor_row
        # What a result serves takes the room a wide screen leaves: its links are long to read.
        # No wider than its longest links (at most 22 before the room left over): "none" leaves
        # a narrow screen to the titles.
        # (At least as wide as its heading and "none", in any language.)
        served = max([cell_len(_("Serves")), cell_len(_("none"))]
                     + [len(", ".join(result_links(r))) for r in plan["results"]])
        # The columns' keys are their English headings (set_columns translates them).
        level = max(cell_len(word) for word in (_("Level"), *RESULT_LEVEL_CHOICES.values()))  # in any language
        self.set_columns(table, [("#", 3), (N_("Level"), level), (N_("Result"), 0), (N_("Serves"), min(22, served))],
                         "Result", then="Serves", headings={"Serves": SERVES})  # i18n: not shown (column keys)
        for r in plan["results"]:
            links = result_links(r)
            # Down the chain: each outcome under its impact, each output under its outcome.
            title = Text("  " * (r["depth"] - 1) + "└ " if r["depth"] else "", style="dim",
                         no_wrap=True, overflow="ellipsis")  # the indent's Text decides how the whole is cut
            title.append_text(cut(r["title"]))
            if r["broken"]:
                title.append(" ⚠", style="yellow")
            # "none", never "not linked": an outcome linked to its impact serves no priority all the same.
            table.add_row(number_cell(r), RESULT_LEVEL_CHOICES[r["level"]], title,
                          cut(", ".join(links)) if links else Text(_("none"), style="dim"), key=r["id"])
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        self.show_result()

    def fill_kpis(self, plan: dict[str, Any]) -> None:
        table = self.query_one("#kpi-table", DataTable)
        keep = table.cursor_row
        self.set_columns(table, [("#", 3), (N_("KPI"), 0), (N_("Status"), 15), (N_("Last year"), 12), (N_("Years"), 5)],
                         "KPI")
        for k in plan["kpis"]:
            # The year that decides the status: the latest one rated.
            rated = [y for y in k["years"] if y["status"] != "not yet rated"]
            latest = "—"
            if rated:
                y = rated[-1]
                actual = "—" if y["actual"] is None else number_words(y["actual"])
                target = "—" if y["target"] is None else number_words(y["target"])
                year = pgettext("short", "Y{year}").format(year=y["year"])
                latest = f"{year} {actual}/{target}"
            marks = Text()
            for y in k["years"]:
                marks.append("●" if y["actual"] is not None else "○" if y["status"] == "no data" else "·",
                             style=RAG_STYLE.get(y["status"], ""))
            table.add_row(number_cell(k), cut(k["name"]), rag_text(k["status"]), plain(latest), marks, key=k["id"])
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        self.show_kpi()

    def fill_milestones(self, plan: dict[str, Any]) -> None:
        table = self.query_one("#milestone-table", DataTable)
        keep = table.cursor_row
        self.set_columns(table, [("#", 3), (N_("Due"), 10), (N_("State"), 11), (N_("Milestone"), 0), (N_("Owner"), 16)],
                         "Milestone")  # i18n: not shown (a column's key)
        for m in plan["milestones"]:
            # Closed milestones say how they closed; open ones whether they are late.
            state = (MILESTONE_STATUS_WORDS[m["status"]] if m["state"] == "closed"
                     else MILESTONE_STATE_LABELS[m["state"]])
            table.add_row(number_cell(m), plain(m["due_on"] or "—"), Text(state, style=STATE_STYLE.get(m["state"], "")),
                          cut(m["title"]), cut(m["owner"] or "—"), key=m["id"])
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
            detail.update(_("No results yet. n adds an output, outcome or impact; p makes the whole plan from the "
                            "template."))
            return
        assert self.data is not None
        kpis = [f"{shown(k['name'])} ([{RAG_STYLE.get(k['status'], 'dim')}]"
                f"{shown(RAG_WORDS.get(k['status'], k['status']))}[/])"
                for k in self.data.plan["kpis"] if k["result_id"] == r["id"]]
        up_level = PARENT_LEVEL.get(r["level"])
        missing_up = {"outcome": _("no outcome yet (Enter links it up the chain)"),
                      "impact": _("no impact yet (Enter links it up the chain)")}
        up = ("[yellow]" + _("its link up leads to no result one level up: Enter links it again") + "[/]"
              if r["broken"] else f"{parent_number(self.data.plan, r)}{shown(r['parent'])}" if r["parent"] else
              _("nothing: an impact is the top of the chain") if up_level is None else
              missing_up.get(up_level, shown(up_level)))
        area = self.data.objectives.get(r["priority_id"] or "")
        none = _("none")
        lines = [f"[b]{r['number']}. {RESULT_LEVEL_CHOICES[r['level']]}:[/b] {shown(r['title'])}",
                 _("Contributes to: {up}").format(up=up)]
        if not result_links(r):
            lines.append(_(SERVES) + f": {none}")
        else:
            initiatives = (shown(", ".join(r["initiative_results"]) + f" ({r['cycle']})")
                           if r["initiative_results"] else none)
            lines += [_("Thematic priority: {priority}").format(priority=shown(r["priority"] or none))
                      + (f" [dim]({shown(area[0])}: {shown(area[1])})[/]" if area else ""),
                      _("Regional initiative results: {results}").format(results=initiatives),
                      _("SDGs: {sdgs}").format(sdgs=shown(", ".join(str(n) for n in r["sdgs"])) or none) + " · "
                      + _("WSIS action lines: {lines}").format(lines=shown(", ".join(r["wsis"])) or none)]
        lines += [_("Measured by: {kpis}").format(kpis="; ".join(kpis) or _("no KPI yet")),
                  "[dim]" + _("Enter edits the result and its links.") + "[/]"]
        detail.update(from_markup("\n".join(lines)))

    def show_kpi(self) -> None:
        k = self._current("kpi-table", "kpis")
        chart = self.query_one("#kpi-chart", Static)
        if k is None:
            chart.update(_("No KPIs yet. n adds one; p makes the whole plan from the template."))
            return
        text = kpi_chart(k, min(110, max(50, self.size.width - 4)))
        text.append("\n" + _("Enter reports an actual · e edits the targets"), style="dim")
        text.append("\n\n" + _("How a KPI is rated: {rule}").format(rule=rag_rule()), style="dim")
        chart.update(text)

    def show_milestone(self) -> None:
        m = self._current("milestone-table", "milestones")
        detail = self.query_one("#milestone-detail", Static)
        if m is None:
            detail.update(_("No milestones yet. n adds one; p makes the whole plan from the template."))
            return
        owner = " · " + _("owner {name}").format(name=shown(m["owner"])) if m["owner"] else ""
        due = _("Due {date} ({rule})").format(date=shown(m["due_on"] or _("when its anchor is known")),
                                             rule=shown(m["rule"]))
        lines = [f"[b]{shown(m['title'])}[/b] · {MILESTONE_STATUS_WORDS[m['status']]}{owner}",
                 due + (" · " + _("done on {date}").format(date=m["done_on"]) if m["done_on"] else "")]
        assert self.data is not None
        stale = next((r for r in self.data.plan["replan"] if r["key"] == m["id"]), None)
        if stale is not None:
            moved = _("Its anchor moved: the rule now gives {date}; r re-plans.").format(
                date=shown(stale["new"] or _("no date")))
            lines.append(f"[yellow]{moved}[/]")
        lines += [f"[dim]{e['at']:%Y-%m-%d} {shown(e['by'])}:[/] {shown(e['body'], multiline=True)}"
                  for e in m["evidence"]]
        if not m["evidence"]:
            lines.append("[dim]" + _("No evidence yet.") + "[/]")
        lines.append("[dim]" + _("Enter edits · d marks done with evidence · n adds a milestone") + "[/]")
        detail.update(from_markup("\n".join(lines)))

    # --- writing ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=False, exit_on_error=False, group="centre-write")
    def write(self, job: Callable[[], Message]) -> None:
        """Run a write off the screen; `job` says what came of it (Written, or Retry)."""
        self.post_result(job())

    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active.removeprefix("pane-")

    def action_tab(self, tab: str) -> None:
        target = {"timeline": "#pane-timeline VerticalScroll",  # i18n: not shown (selectors)
                  "results": "#results-table", "kpis": "#kpi-table", "milestones": "#milestone-table"}[tab]
        show_tab(self.query_one(TabbedContent), f"pane-{tab}", self.query_one(target))

    @on(TabbedContent.TabActivated)
    def tab_changed(self, _event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()

    def action_make_plan(self) -> None:
        store, ref = self.store, self.ref

        self.write(lambda: Written(make_plan(store, ref)))

    def action_new_item(self) -> None:
        tab = self.active_tab()
        if tab == "results":
            self.edit_result(None)
        elif tab == "kpis":
            self.new_kpi()
        elif tab == "milestones":
            self.edit_milestone(None)
        else:
            # The timeline has nothing of its own to add: n used to jump to the milestones and
            # open a form there, a surprise on the tab being read.
            self.notify(_("n adds a result, a KPI or a milestone on its own tab: 2 Results, 3 KPIs, 4 Milestones."))

    @on(DataTable.RowSelected)
    def selected(self, event: DataTable.RowSelected) -> None:
        table = event.data_table.id
        if table == "results-table":
            self.edit_result(self._current("results-table", "results"))
        elif table == "kpi-table":
            self.report_actual()
        elif table == "milestone-table":
            self.edit_milestone(self._current("milestone-table", "milestones"))

    def action_leave(self) -> None:
        self.dismiss()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.data is None:
            return action in ("leave", "reload", "tab")
        plan = self.data.plan
        open_centre = bool(plan["editable"])
        tab = self.active_tab()
        if action == "make_plan":
            return open_centre and not plan["from_template"]
        if action == "new_item":
            return open_centre
        if action == "milestone_done":
            m = self._current("milestone-table", "milestones")
            return open_centre and tab == "milestones" and m is not None and m["status"] != "done"
        if action == "edit_kpi":
            return open_centre and tab == "kpis" and bool(plan["kpis"])
        if action == "replan":
            # Kept live with nothing to re-plan, so that r says so (action_replan).
            return open_centre
        if action == "remove":
            items = {"results": "results", "kpis": "kpis", "milestones": "milestones"}.get(tab)
            return open_centre and items is not None and bool(plan[items])
        return True
