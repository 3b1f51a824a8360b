"""Home: the pipeline by stage, open cases by region, cases waiting longest, recent changes, and
what monitoring needs attention (overdue milestones, accreditations ending, KPIs off track)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from dtlab.db.figures import Dashboard
from dtlab.domain.monitoring import ENDING_SOON_MONTHS
from dtlab.domain.stages import Stage, Status
from dtlab.i18n import N_, _, ngettext, pgettext
from dtlab.present.labels import STAGE_SHORT
from dtlab.present.safe import from_markup, plain, shown, visible
from dtlab.present.words import attention_text, describe_change
from dtlab.screens.base import DtlabScreen
from dtlab.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from dtlab.db.plans import Attention

# How many cases waiting and recent changes the dashboard lists: the lists scroll, and large
# terminals show more.
LISTED = 30

BLOCKS = " ▏▎▍▌▋▊▉█"


def bar(value: int, largest: int, width: int) -> str:
    """A horizontal bar in eighths of a cell, so small counts still show."""
    if largest <= 0 or width <= 0:
        return ""
    eighths = round(value / largest * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (BLOCKS[part] if part else "")


class BarChart(Widget):
    """Labelled bars that use whatever width the widget is given."""

    data: reactive[list[tuple[str, int]] | None] = reactive(None, layout=True)  # None: not read yet

    def render(self) -> RenderResult:
        if self.data is None:  # a large database takes a moment: not the same as having nothing
            return Text(_("reading…"), style="dim")
        if not self.data:
            return Text(_("nothing yet"), style="dim")
        data = [(visible(label), n) for label, n in self.data]  # a region code a bundle carried
        label_width = max(cell_len(label) for label, _n in data)  # in cells: a Chinese character takes two
        count_width = max(len(f"{n:,}") for _label, n in self.data)
        bar_width = max(1, self.size.width - label_width - count_width - 2)
        largest = max(n for _label, n in self.data)
        text = Text()
        for i, (label, n) in enumerate(data):
            if i:
                text.append("\n")
            text.append(label + " " * (label_width - cell_len(label) + 1), style="bold" if n else "dim")
            text.append(bar(n, largest, bar_width).ljust(bar_width), style="cyan")
            text.append(" " + f"{n:,}".rjust(count_width))
        return text

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.data or ()))


def current_time() -> datetime:
    """The clock the "waiting" column counts from (tests fix it)."""
    return datetime.now(timezone.utc)


ATTENTION_MARKS = {"lapsed": "[b red]⚑[/]", "overdue": "[red]◷[/]", "ending": "[yellow]⚑[/]", "kpi": "[red]●[/]",
                   "more": " "}


def ago(when: datetime, now: datetime) -> str:
    days = (now - when).days
    return pgettext("short", "{days} d").format(days=days) if days >= 1 else _("today")


def dim(text: str) -> Text:
    """A line of the dashboard's own words, dimmed (a Text: a translation is never read as markup)."""
    return Text.assemble((text, "dim"))


def by_whom(actor: str, at: datetime) -> str:
    """Who made a change and when, as markup: "by amina, 11-05 14:02"."""
    return _("by {actor}, {when}").format(actor=shown(actor), when=f"{at:%m-%d %H:%M}")


def welcome() -> str:
    """What an empty desk says, as markup: what dtlab is, and the keys to begin with."""
    lines = [
        _("[b]Welcome to dtlab[/b], the case desk of the Digital Transformation Lab."), "",
        _("There are no cases yet. To begin:"),
        "  [b]ctrl+n[/b]  " + _("record a new request (an expression of interest)"),
        "  [b]d[/b]       " + _("load 500 realistic demo cases to look around"),
        "  [b]f3[/b]      " + _("the case list"),
        "  [b]f1[/b]      " + _("the keys of each screen; {palette} every command").format(palette="[b]ctrl+p[/b]"),
    ]
    return "\n".join(lines)


def ended_words(status: str, n: int) -> str:
    """How many cases ended so ("3 withdrawn"), by the stored status."""
    count = f"{n:,}"
    if status == Status.WITHDRAWN:
        return ngettext("{n} withdrawn", "{n} withdrawn", n).format(n=count)
    if status == Status.DECLINED:
        return ngettext("{n} declined", "{n} declined", n).format(n=count)
    if status == Status.CLOSED:
        return ngettext("{n} closed", "{n} closed", n).format(n=count)
    return f"{count} {visible(status)}"  # i18n: not shown (no other status ends a case)


class DashboardScreen(DtlabScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "new_case", N_("New case"), id="dashboard.new", tooltip=N_("Record a new request")),
        # Out of the footer: the welcome of an empty desk offers it, F1 lists it, and on a desk
        # with cases it says why it does nothing.
        Binding("d", "demo", N_("Demo data"), id="dashboard.demo",
                tooltip=N_("Fill an empty database with 500 demo cases"), show=False),
        Binding("m", "milestones", N_("Milestones"), id="dashboard.milestones",
                tooltip=N_("Milestones of every centre (also f4)")),
        Binding("ctrl+r", "reload", N_("Reload"), id="dashboard.reload", tooltip=N_("Read the figures again")),
    ]
    HELP_TITLE = N_("Dashboard")

    @dataclass
    class FiguresRead(Message):
        figures: Dashboard
        conflicts: int  # open sync conflicts

    @dataclass
    class AttentionRead(Message):
        """What monitoring needs attention (read apart: it takes longer than the figures)."""

        attention: Attention

    @dataclass
    class DemoMade(Message):
        text: str  # what was made, in one line

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="welcome")
        with Grid(id="dash-grid"):
            with Vertical(id="panel-pipeline", classes="panel"):
                yield BarChart(id="pipeline")
                yield Static("", id="ended", classes="panel-note")
            with Vertical(id="panel-regions", classes="panel"):
                yield BarChart(id="regions")
            with Vertical(id="panel-waiting", classes="panel"):
                yield OptionList(id="waiting", compact=True)
            with Vertical(id="panel-recent", classes="panel"):
                yield OptionList(id="recent", compact=True)
            with Vertical(id="panel-attention", classes="panel"):
                yield OptionList(id="attention", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.attention_items: list[dict[str, Any]] = []  # what the monitoring panel lists, in order
        titles = {"panel-pipeline": _("Open cases by stage"), "panel-regions": _("Open cases by region"),
                  "panel-waiting": _("Waiting longest in their stage"), "panel-recent": _("Recent changes"),
                  "panel-attention": _("Monitoring")}
        for panel_id, title in titles.items():
            self.query_one(f"#{panel_id}").border_title = title
        for list_id in ("#waiting", "#recent", "#attention"):  # until the figures are read
            self.query_one(list_id, OptionList).add_option(Option(dim(_("reading…")), disabled=True))

    def on_screen_resume(self) -> None:
        # Also sent when the screen is first shown: the one place the figures are read. At start
        # they may have been read already, before the store opened: shown at once, they are read
        # again (with what needs the store: monitoring) as soon as it is open.
        first = self.dtlab.take_first_dashboard()
        if first is None:
            self.reload()
            return
        self.show(first.figures)
        self.show_conflicts(first.conflicts)
        # The store opens once the figures are drawn: opened alongside, it held the screen back.
        self.call_after_refresh(self.first_drawn)

    def first_drawn(self) -> None:
        self.dtlab.started()
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    def reload(self) -> None:
        # Two reads: the monitoring panel takes longer (a second on 100,000 cases), and the
        # figures need not wait for it.
        self.load()
        self.load_attention()

    @work(thread=True, exclusive=True, exit_on_error=False, group="dash-load")
    def load(self) -> None:
        # Imported here: the dashboard is drawn (with figures read by sqlite3) before SQLAlchemy,
        # which these need, has loaded.
        from dtlab.db.queries import dashboard
        from dtlab.sync.conflicts import open_conflict_count

        with self.store.read() as session:
            self.post_result(self.FiguresRead(dashboard(session, waiting=LISTED, recent=LISTED),
                                              open_conflict_count(session)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="dash-attention")
    def load_attention(self) -> None:
        from dtlab.db.plans import attention

        with self.store.read() as session:
            today = current_time().astimezone().date()  # the local day, as the other screens judge on
            self.post_result(self.AttentionRead(attention(session, today)))

    def on_dashboard_screen_figures_read(self, message: FiguresRead) -> None:
        self.show(message.figures)
        self.show_conflicts(message.conflicts)

    def show_conflicts(self, n: int) -> None:
        # Imports set conflicts aside for someone to decide: say so where everyone looks first.
        said = ngettext("{n} open sync conflict", "{n} open sync conflicts", n).format(n=f"{n:,}")
        self.query_one("#panel-recent").border_subtitle = f"[b red]{said}: f5[/]" if n else ""

    def on_dashboard_screen_attention_read(self, message: AttentionRead) -> None:
        self.show_attention(message.attention)

    def on_dashboard_screen_demo_made(self, message: DemoMade) -> None:
        self.notify(message.text)
        self.reload()

    def show(self, data: Dashboard) -> None:
        empty = data.total == 0
        self.set_class(empty, "-empty")
        self.refresh_bindings()
        self.query_one("#welcome", Static).update(welcome() if empty else "")
        self.query_one("#pipeline", BarChart).data = [
            (STAGE_SHORT[Stage(s)], n) for s, n in data.open_by_stage.items()]
        ended = ", ".join(ended_words(status, n) for status, n in sorted(data.ended.items()))
        in_all = ngettext("{n} case in all", "{n} cases in all", data.total).format(n=f"{data.total:,}")
        self.query_one("#ended", Static).update(plain(f"{in_all}; {ended}" if ended else in_all, style="dim"))
        self.query_one("#regions", BarChart).data = list(data.by_region.items())
        if data.waiting is not None:  # else it is still being read: "reading…" stays
            now = current_time()
            waiting = self.query_one("#waiting", OptionList)
            waiting.clear_options()
            waiting.add_options([
                Option(from_markup(f"[b]{shown(w['ref'])}[/b] {ago(w['stage_since'], now):>6} "
                                   f"{STAGE_SHORT[Stage(w['stage'])]} · [dim]{shown(w['title'])}[/]"), id=w["ref"])
                for w in data.waiting]
                or [Option(dim(_("no open cases")), disabled=True)])
            waiting.highlighted = 0 if data.waiting else None
        recent = self.query_one("#recent", OptionList)
        recent.clear_options()
        recent.add_options([
            # Which case, what was done, by whom and when, the case first (a narrow panel cuts the
            # end): "GVA-2026-0001 edited by amina, 11-05 14:02".
            Option(from_markup(f"[b]{shown(r['ref'] or '—')}[/] {shown(describe_change(r['table'], r['op']))} "
                               f"[dim]{by_whom(r['actor'], r['at'])}[/]"),
                   id=f"{i}:{r['ref']}" if r["ref"] else None,
                   disabled=not r["ref"]) for i, r in enumerate(data.recent)]
            or [Option(dim(_("nothing yet")), disabled=True)])
        recent.highlighted = next((i for i, r in enumerate(data.recent) if r["ref"]), None)

    def show_attention(self, data: Attention) -> None:
        panel = self.query_one("#panel-attention")
        n = data.accreditations_ending
        ending = ngettext("{n} accreditation ending within {months} months",
                          "{n} accreditations ending within {months} months", n).format(
            n=f"{n:,}", months=ENDING_SOON_MONTHS)
        if data.lapsed:
            ending = _("{ending} ({n} lapsed)").format(ending=ending, n=f"{data.lapsed:,}")
        # Two borders carry the three counts, so they fit 80 columns.
        overdue = ngettext("{n} overdue milestone", "{n} overdue milestones", data.overdue_milestones).format(
            n=f"{data.overdue_milestones:,}")
        off_track = ngettext("{n} KPI off track or unreported", "{n} KPIs off track or unreported",
                             data.kpis_off_track).format(n=f"{data.kpis_off_track:,}")
        panel.border_title = _("Monitoring: {overdue} · {off_track}").format(
            overdue=f"[b]{overdue}[/]", off_track=f"[b]{off_track}[/]")
        panel.border_subtitle = f"[b]{ending}[/]"
        self.attention_items = data.items
        items = self.query_one("#attention", OptionList)
        items.clear_options()
        items.add_options([
            Option(from_markup(f"[dim]{shown(attention_text(i))}[/]"), disabled=True) if i["kind"] == "more" else
            Option(from_markup(f"{ATTENTION_MARKS[i['kind']]} [b]{shown(i['ref'])}[/b] {shown(attention_text(i))} "
                               f"[dim]· {shown(i['centre'])}[/]"), id=f"{i['kind']}:{n}:{i['ref']}")
            for n, i in enumerate(data.items)]
            or [Option(dim(_("nothing needs attention: no overdue milestone, no accreditation ending, "
                             "no KPI off track")), disabled=True)])
        items.highlighted = 0 if data.items else None

    @on(OptionList.OptionSelected)
    def open_case(self, event: OptionList.OptionSelected) -> None:
        """Enter on a waiting case or a recent change opens its case; on a monitoring item, its
        centre at the tab that needs attention."""
        key = event.option.id or ""
        ref = key.rpartition(":")[2]
        if not ref:
            return
        if event.option_list.id == "attention":
            from dtlab.screens.centre import CentreScreen

            kind, n, _ref = key.split(":", 2)
            tab = {"overdue": "milestones", "kpi": "kpis"}.get(kind, "timeline")
            # An overdue milestone opens with that milestone under the cursor, not the first.
            milestone = self.attention_items[int(n)].get("id") if kind == "overdue" else None
            self.dtlab.open_screen(CentreScreen(ref, tab=tab, milestone_id=milestone))
            return
        self.dtlab.open_case(ref)

    def action_milestones(self) -> None:
        self.dtlab.action_go("milestones")

    def action_new_case(self) -> None:
        from dtlab.screens.intake import start_new_case

        start_new_case(self.app)  # the figures are read again when the dashboard shows

    def action_demo(self) -> None:
        if not self.has_class("-empty"):
            # Kept live, so that d says why it does nothing: demo cases go into an empty desk only.
            self.notify(_("d fills an empty database with demo cases; this one has cases already."))
            return
        self.notify(_("Making 500 demo cases…"))
        self.make_demo()

    @work(thread=True, exclusive=True, exit_on_error=False, group="dash-demo")
    def make_demo(self) -> None:
        from dtlab.services.demo import generate

        report = generate(self.store, cases=500, seed=1)
        self.post_result(self.DemoMade(ngettext("{n} demo case added", "{n} demo cases added", report.cases).format(
            n=f"{report.cases:,}")))
