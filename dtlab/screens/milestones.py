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
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from dtlab.db.plans import milestone_counts, milestone_groups, portfolio_milestones
from dtlab.domain.monitoring import DUE_SOON_DAYS as SOON_DAYS
from dtlab.present.charts import STATE_STYLE, cut
from dtlab.present.labels import MILESTONE_STATE_LABELS, MILESTONE_STATUS_WORDS
from dtlab.present.safe import from_markup, plain, shown
from dtlab.present.words import MILESTONE_VIEWS, plural
from dtlab.screens.base import DtlabScreen
from dtlab.widgets.footer import KeysFooter

LIMIT = 2_000  # rows shown at most; the counts, per owner and region too, are always of all
ORDERS = ("due", "owner", "region")


def current_day() -> date:
    """The day due dates are judged on (tests fix it)."""
    return date.today()


@dataclass
class Loaded:
    rows: list[dict[str, Any]]
    counts: dict[str, int]
    groups: list[tuple[str, int]]  # per owner or region, of the whole view, not only the rows shown


class MilestonesScreen(DtlabScreen[None]):
    HELP_TITLE = "Milestones"
    HELP_EXTRA = (("enter", "Open the centre at the milestone"),)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "view('overdue')", "Overdue", id="milestones.overdue", tooltip="Only overdue milestones"),
        Binding("s", "view('soon')", f"≤{SOON_DAYS} days", id="milestones.soon",
                tooltip=f"Milestones due within {SOON_DAYS} days (overdue included)"),
        Binding("a", "view('all')", "All open", id="milestones.all", tooltip="Every open milestone"),
        Binding("g", "order", "Order by", id="milestones.order", tooltip="Order by due date, owner or region"),
        Binding("ctrl+r", "reload", "Reload", id="milestones.reload", tooltip="Read the milestones again",
                show=False),
        Binding("escape", "home", "Home", id="milestones.home", tooltip="Back to the dashboard (also f2)"),
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
        yield Static("Reading milestones…", id="milestones-summary")
        with Horizontal(id="milestones-body"):
            yield DataTable(id="milestones-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="milestones-groups")
        yield Static("", id="milestones-detail")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#milestones-groups").border_title = "By owner"

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
        first = f" (the first {len(loaded.rows):,})" if total > len(loaded.rows) else ""
        by = "region" if self.order == "region" else "owner"
        narrow = self.size.width < 100
        summary = (f"[b]{MILESTONE_VIEWS[self.view]}[/b]: {plural(total, 'milestone')}{first} · ordered by "
                   f"{self.order}\n[dim]{c['open']:,} open in all: [/][b red]{c['overdue']:,} overdue[/] · "
                   f"[yellow]{c['due_soon']:,} due within {SOON_DAYS} days[/]")
        if narrow:  # no room for the side panel: the counts per owner or region go on a third line
            summary += (f"\n[dim]By {by}:[/] " + ", ".join(f"{shown(k)} {n}" for k, n in loaded.groups))
        self.query_one("#milestones-summary", Static).update(from_markup(summary))
        self.set_class(narrow, "-narrow")
        table = self.query_one("#milestones-table", DataTable)
        wide = self.size.width >= 120
        table.clear(columns=True)
        # Fixed widths but the milestone's, which takes what is left.
        # Ordered by region on a narrow screen, the region takes the owner's place.
        last = ("Region", 6) if narrow and self.order == "region" else ("Owner", 16)
        columns = [("Due", 10), ("State", 11), ("Ref", 13), ("Milestone", 0), last]
        if wide:
            columns += [("Progress", 11), ("Region", 6), ("Centre", 0)]
        side = 0 if narrow else 26
        rest = max(16, self.size.width - side - 2 - sum(w + 2 for _label, w in columns))
        # On wide screens the milestone and its centre share what is left.
        flexible = {"Milestone": rest // 2, "Centre": rest - rest // 2} if wide else {"Milestone": rest}
        for label, width in columns:
            table.add_column(label, width=width or flexible[label])

        keep = table.cursor_row
        for r in loaded.rows:
            state = Text(MILESTONE_STATE_LABELS[r["state"]], style=STATE_STYLE.get(r["state"], ""))
            cells: list[Any] = [plain(r["due_on"] or "—"), state, cut(r["ref"]),
                                cut(r["title"]), cut(r["region"]) if last[0] == "Region" else cut(r["owner"] or "—")]
            if wide:
                cells += [MILESTONE_STATUS_WORDS[r["status"]], cut(r["region"]), cut(r["centre"])]
            table.add_row(*cells, key=f"{r['ref']}|{r['id']}")
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))  # back from a centre, the same place
        if not loaded.rows:
            self.query_one("#milestones-detail", Static).update("")
            self.query_one("#milestones-summary", Static).update(
                f"[b]{MILESTONE_VIEWS[self.view]}[/b]: none. [dim]{c['open']:,} open milestones in all · "
                f"a shows them · o overdue · s due soon[/]")
        groups = self.query_one("#milestones-groups", Static)
        groups.border_title = f"By {by}"
        groups.update(from_markup("\n".join(f"{n:>4} {shown(name)}" for name, n in loaded.groups) or "[dim]none[/]"))

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The whole of the milestone under the cursor, its centre and its rule, on one line."""
        if self.loaded is None or event.row_key.value is None:
            return
        milestone_id = str(event.row_key.value).partition("|")[2]
        r = next((r for r in self.loaded.rows if r["id"] == milestone_id), None)
        if r is not None:
            self.query_one("#milestones-detail", Static).update(from_markup(
                f"[b]{shown(r['title'])}[/b] · {MILESTONE_STATUS_WORDS[r['status']]} · {shown(r['rule'])}\n"
                f"[dim]{shown(r['ref'])} {shown(r['centre'])} ({shown(r['region'])}) · Enter opens the centre[/]"))

    @on(DataTable.RowSelected)
    def open_centre(self, event: DataTable.RowSelected) -> None:
        from dtlab.screens.centre import CentreScreen

        ref, _, milestone_id = str(event.row_key.value).partition("|")
        self.dtlab.open_screen(CentreScreen(ref, tab="milestones", milestone_id=milestone_id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "view" and parameters and parameters[0] == self.view:
            return None  # shown dimmed: the view already on screen
        return True
