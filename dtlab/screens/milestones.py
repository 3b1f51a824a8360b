"""Milestones across the portfolio: every open milestone of every open centre, or only the
overdue ones, or those due within 30 days; ordered by due date, owner or region, with the count
per owner or region beside them. Enter opens the centre at that milestone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.markup import escape
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from dtlab.db.plans import milestone_counts, milestone_groups, portfolio_milestones
from dtlab.domain.monitoring import DUE_SOON_DAYS as SOON_DAYS
from dtlab.i18n import N_, Translated, _, ngettext
from dtlab.present.charts import STATE_STYLE, cut
from dtlab.present.labels import MILESTONE_STATE_LABELS, MILESTONE_STATUS_WORDS
from dtlab.present.safe import from_markup, plain, shown
from dtlab.present.words import MILESTONE_VIEWS
from dtlab.screens.base import DtlabScreen
from dtlab.widgets.footer import KeysFooter

LIMIT = 2_000  # rows shown at most; the counts, per owner and region too, are always of all
ORDERS = ("due", "owner", "region")
# The table's columns, by id.
COLUMNS = Translated({"due": N_("Due"), "state": N_("State"), "ref": N_("Ref"), "milestone": N_("Milestone"),
                      "owner": N_("Owner"), "region": N_("Region"), "progress": N_("Progress"),
                      "centre": N_("Centre")})


def ordered_by(order: str) -> str:
    if order == "owner":
        return _("ordered by owner")
    if order == "region":
        return _("ordered by region")
    return _("ordered by due")


def by_whom(by: str) -> str:
    """The side panel's title: the counts per owner, or per region."""
    return _("By region") if by == "region" else _("By owner")


def current_day() -> date:
    """The day due dates are judged on (tests fix it)."""
    return date.today()


@dataclass
class Loaded:
    rows: list[dict[str, Any]]
    counts: dict[str, int]
    groups: list[tuple[str, int]]  # per owner or region, of the whole view, not only the rows shown


class MilestonesScreen(DtlabScreen[None]):
    HELP_TITLE = N_("Milestones")
    HELP_EXTRA = (("enter", N_("Open the centre at the milestone")),)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "view('overdue')", N_("Overdue"), id="milestones.overdue", tooltip=N_("Only overdue milestones")),
        # 30 is DUE_SOON_DAYS (a test holds them equal): a msgid is written whole, never formatted.
        Binding("s", "view('soon')", N_("≤30 days"), id="milestones.soon",
                tooltip=N_("Milestones due within 30 days (overdue included)")),
        Binding("a", "view('all')", N_("All open"), id="milestones.all", tooltip=N_("Every open milestone")),
        Binding("g", "order", N_("Order by"), id="milestones.order", tooltip=N_("Order by due date, owner or region")),
        Binding("ctrl+r", "reload", N_("Reload"), id="milestones.reload", tooltip=N_("Read the milestones again"),
                show=False),
        Binding("escape", "home", N_("Home"), id="milestones.home", tooltip=N_("Back to the dashboard (also f2)")),
    ]

    @dataclass
    class MilestonesRead(Message):
        loaded: Loaded

    def __init__(self, view: str = "overdue") -> None:
        super().__init__()
        self.view, self.order = view, "due"
        self.loaded: Loaded | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Reading milestones…"), id="milestones-summary")
        with Horizontal(id="milestones-body"):
            yield DataTable(id="milestones-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="milestones-groups")
        yield Static("", id="milestones-detail")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#milestones-groups").border_title = by_whom("owner")

    def on_resize(self) -> None:
        if self.loaded is not None:
            self.show(self.loaded)

    def on_screen_resume(self) -> None:
        self.load()  # also on first show; and after a milestone was completed in a centre

    def action_reload(self) -> None:
        self.load()

    def action_home(self) -> None:
        self.dtlab.action_go("dashboard")

    def action_view(self, view: str) -> None:
        self.view = view
        self.load()

    def action_order(self) -> None:
        self.order = ORDERS[(ORDERS.index(self.order) + 1) % len(ORDERS)]
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="milestones-load")
    def load(self) -> None:
        today = current_day()
        overdue, within = self.view == "overdue", SOON_DAYS if self.view == "soon" else None
        by = "region" if self.order == "region" else "owner"
        with self.store.read() as session:
            rows = portfolio_milestones(session, today, overdue=overdue, due_within=within, limit=LIMIT,
                                        order=self.order)
            self.post_result(self.MilestonesRead(Loaded(
                rows, milestone_counts(session, today, SOON_DAYS),
                milestone_groups(session, today, by, overdue=overdue, due_within=within))))

    def on_milestones_screen_milestones_read(self, message: MilestonesRead) -> None:
        self.show(message.loaded)

    def show(self, loaded: Loaded) -> None:
        self.loaded = loaded
        c = loaded.counts
        total = {"all": c["open"], "overdue": c["overdue"], "soon": c["overdue"] + c["due_soon"]}[self.view]
        first = " " + _("(the first {n})").format(n=f"{len(loaded.rows):,}") if total > len(loaded.rows) else ""
        by = "region" if self.order == "region" else "owner"
        narrow = self.size.width < 100
        count = ngettext("{n} milestone", "{n} milestones", total).format(n=f"{total:,}")
        open_ones = ngettext("{n} open in all:", "{n} open in all:", c["open"]).format(n=f"{c['open']:,}")
        overdue = ngettext("{n} overdue", "{n} overdue", c["overdue"]).format(n=f"{c['overdue']:,}")
        soon = ngettext("{n} due within {days} days", "{n} due within {days} days", c["due_soon"]).format(
            n=f"{c['due_soon']:,}", days=SOON_DAYS)
        summary = (f"[b]{shown(MILESTONE_VIEWS[self.view])}[/b]: {count}{first} · {ordered_by(self.order)}\n"
                   f"[dim]{open_ones} [/][b red]{overdue}[/] · [yellow]{soon}[/]")
        if narrow:  # no room for the side panel: the counts per owner or region go on a third line
            summary += (f"\n[dim]{by_whom(by)}:[/] " + ", ".join(f"{shown(k)} {n}" for k, n in loaded.groups))
        self.query_one("#milestones-summary", Static).update(from_markup(summary))
        self.set_class(narrow, "-narrow")
        table = self.query_one("#milestones-table", DataTable)
        wide = self.size.width >= 120
        table.clear(columns=True)
        # Fixed widths but the milestone's, which takes what is left.
        # Ordered by region on a narrow screen, the region takes the owner's place.
        last = ("region", 6) if narrow and self.order == "region" else ("owner", 16)
        columns = [("due", 10), ("state", 11), ("ref", 13), ("milestone", 0), last]
        if wide:
            columns += [("progress", 11), ("region", 6), ("centre", 0)]
        side = 0 if narrow else 26
        rest = max(16, self.size.width - side - 2 - sum(w + 2 for _column, w in columns))
        # On wide screens the milestone and its centre share what is left.
        flexible = {"milestone": rest // 2, "centre": rest - rest // 2} if wide else {"milestone": rest}
        for column, width in columns:
            table.add_column(COLUMNS[column], width=width or flexible[column])

        keep = table.cursor_row
        for r in loaded.rows:
            state = Text(MILESTONE_STATE_LABELS[r["state"]], style=STATE_STYLE.get(r["state"], ""))
            cells: list[Any] = [plain(r["due_on"] or "—"), state, cut(r["ref"]),
                                cut(r["title"]), cut(r["region"]) if last[0] == "region" else cut(r["owner"] or "—")]
            if wide:
                cells += [MILESTONE_STATUS_WORDS[r["status"]], cut(r["region"]), cut(r["centre"])]
            table.add_row(*cells, key=f"{r['ref']}|{r['id']}")
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))  # back from a centre, the same place
        if not loaded.rows:
            self.query_one("#milestones-detail", Static).update("")
            self.query_one("#milestones-summary", Static).update(ngettext(
                "[b]{view}[/b]: none. [dim]{n} open milestone in all · a shows them · o overdue · s due soon[/]",
                "[b]{view}[/b]: none. [dim]{n} open milestones in all · a shows them · o overdue · s due soon[/]",
                c["open"]).format(view=escape(MILESTONE_VIEWS[self.view]), n=f"{c['open']:,}"))
        groups = self.query_one("#milestones-groups", Static)
        groups.border_title = by_whom(by)
        none = "[dim]{}[/]".format(shown(_("none")))
        groups.update(from_markup("\n".join(f"{n:>4} {shown(name)}" for name, n in loaded.groups) or none))

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The whole of the milestone under the cursor, its centre and its rule, on one line."""
        if self.loaded is None or event.row_key.value is None:
            return
        milestone_id = str(event.row_key.value).partition("|")[2]
        r = next((r for r in self.loaded.rows if r["id"] == milestone_id), None)
        if r is not None:
            opens = _("Enter opens the centre")
            self.query_one("#milestones-detail", Static).update(from_markup(
                f"[b]{shown(r['title'])}[/b] · {MILESTONE_STATUS_WORDS[r['status']]} · {shown(r['rule'])}\n"
                f"[dim]{shown(r['ref'])} {shown(r['centre'])} ({shown(r['region'])}) · {shown(opens)}[/]"))

    @on(DataTable.RowSelected)
    def open_centre(self, event: DataTable.RowSelected) -> None:
        from dtlab.screens.centre import CentreScreen

        ref, _, milestone_id = str(event.row_key.value).partition("|")
        self.dtlab.open_screen(CentreScreen(ref, tab="milestones", milestone_id=milestone_id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "view" and parameters and parameters[0] == self.view:
            return None  # shown dimmed: the view already on screen
        return True
