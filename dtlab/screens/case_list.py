"""The case list: every case, narrowed as you type, filtered, sorted. Rows are read a page at a
time as the cursor nears the end of what is loaded, each page starting after the last row read
(keyset paging), so a list of 100,000 cases opens and scrolls as fast as one of 100."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Select, Static
from textual.widgets.data_table import ColumnKey

from dtlab import saved_filters
from dtlab.db.listing import CaseFilter
from dtlab.domain.ids import REGIONS
from dtlab.domain.stages import Stage, Status
from dtlab.errors import describe_error
from dtlab.i18n import N_, _, ngettext, pgettext
from dtlab.present.labels import STAGE_SHORT, STATUS_LABELS
from dtlab.present.safe import cell, plain
from dtlab.screens.base import DtlabScreen
from dtlab.widgets.case_table import CaseTable
from dtlab.widgets.dialogs import ReasonDialog, ValuesDialog
from dtlab.widgets.footer import KeysFooter

PAGE = 100  # a tall terminal's worth; the next page is read as the cursor nears the end
NEAR_END = 40  # rows before the end of the loaded page at which the next page is read
COUNT_AFTER = 0.2  # seconds a filter must stay before its matches are counted
SELECTS = {"stage": "#flt-stage", "status": "#flt-status", "region": "#flt-region", "centre_type": "#flt-type"}
# (key, label, width); the title takes what the others leave, the applicant shows on wide screens.
# The labels are the English msgids, translated where the headers are drawn (`header`).
# CC is 4 wide for its sort arrow ("CC ▲"): 2 wide, the arrow was cut and no column said the sort.
FIXED = (("ref", N_("Ref"), 14), ("country", "CC", 4), ("stage", N_("Stage"), 14), ("status", N_("Status"), 9))
APPLICANT_WIDTH = 34  # at least, on screens 120 columns wide or more


@dataclass(frozen=True)
class Page:
    generation: int  # which query it answers: pages of an older query are dropped
    total: int | None  # None: not counted (the list counts after showing the rows, see count_soon)
    first: bool
    rows: list[dict[str, Any]]


class CaseListScreen(DtlabScreen[None]):
    HELP_TITLE = N_("Case list")
    HELP_EXTRA = (
        ("enter", N_("Open the highlighted case; in the search, go to the cases found (one found: open it)")),
    )
    AUTO_FOCUS = "#cases"  # the rows have the focus from the start; the search is one `/` away
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", N_("Search"), id="cases.search", tooltip=N_("Type to narrow the list")),
        Binding("ctrl+n", "new_case", N_("New case"), id="cases.new", tooltip=N_("Record a new request")),
        Binding("o", "sort_next", N_("Sort"), id="cases.sort",
                tooltip=N_("Sort by the next column (or click a header)")),
        Binding("O", "sort_reverse", N_("Reverse"), id="cases.reverse", tooltip=N_("Reverse the sort order"),
                show=False),
        Binding("ctrl+s", "save_filter", N_("Save filter"), id="cases.save_filter",
                tooltip=N_("Keep the current search and filters under a name")),
        Binding("ctrl+o", "open_filter", N_("Saved"), id="cases.open_filter", tooltip=N_("Reopen a saved filter")),
        Binding("ctrl+r", "reload", N_("Reload"), id="cases.reload", tooltip=N_("Read the cases again")),
        Binding("escape", "clear_search", N_("Clear"), id="cases.clear", tooltip=N_("Clear search and filters"),
                show=False),
    ]

    # What the workers find. Each read is made in a thread; a page and a count carry the
    # generation of the query they answer, so the answer to an older query is dropped.
    @dataclass
    class PageRead(Message):
        page: Page

    @dataclass
    class PageFailed(Message):
        """A page could not be read; the list says so and stays usable (ctrl+r reads again)."""

        error: Exception

    @dataclass
    class Counted(Message):
        generation: int
        flt: CaseFilter
        total: int

    @dataclass
    class CountFailed(Message):
        """The rows are there but not their count: the list says how many it shows instead."""

        error: Exception

    @dataclass
    class RowRead(Message):
        """One case read again (back from it); None: it no longer matches the filter."""

        ref: str
        row: dict[str, Any] | None

    @dataclass
    class TypesRead(Message):
        """The centre types the type filter offers: (id, name)."""

        types: list[tuple[str, str]]

    def __init__(self) -> None:
        super().__init__()
        self.sort = "ref"
        self.descending = False
        self.generation = 0
        self.shown_generation = -1  # the last load shown in full (the benchmark waits on it)
        self.total: int | None = 0  # None until counted (the first page comes before its count)
        self.loading_more = False
        self.last_position: tuple[Any, ...] | None = None  # where the next page starts
        self.opened_ref: str | None = None  # the case opened from here, refreshed on return
        self.shown_columns: list[tuple[str, str, int]] = []
        self.first_rows_shown = False
        self.types_read = False
        self.type_names: dict[str, str] = {}  # centre type id → the name the list shows
        # What the selects hold before they are mounted (`after_first_rows`), or before the type
        # select has its options: a saved filter opened early is kept here until they are.
        self.wanted = CaseFilter()
        self.counted: tuple[CaseFilter, int] | None = None  # the last count, and what it counted

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filter-bar"):
            yield Input(placeholder=_("search ref, title, applicant, country, notes"), id="search",
                        select_on_focus=False)
            yield Static("", id="count")
        with Horizontal(id="filters"):
            # The selects are mounted once the first rows are on the screen (`after_first_rows`):
            # four of them cost as much to build as the rest of the screen. Their place is kept,
            # so nothing moves when they arrive.
            yield Horizontal(id="filter-selects")
            yield Input(placeholder=_("assignee"), id="flt-assignee", compact=True)
        yield CaseTable(id="cases", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def before_relabel(self) -> None:
        # Composed anew: the filter the selects hold is kept to mount them again with it, and
        # the columns and selects are laid out as on a first start.
        self.wanted = self.current_filter()
        self.shown_columns = []
        self.first_rows_shown = False
        self.types_read = False

    def on_mount(self) -> None:
        self.lay_out_columns(self.app.size.width)
        first = self.dtlab.take_first_page()
        if first is None:
            self.reload()
        else:
            self.generation += 1
            self.show_page(Page(self.generation, None, True, first.rows))  # counted once the store is open

    @on(CaseTable.Drawn)
    def rows_drawn(self) -> None:
        self.call_after_refresh(self.after_first_rows)  # the frame they are drawn in is written first

    def after_first_rows(self) -> None:
        """What the first rows need not wait for: the filter selects, and the store (opened in
        the background when the rows came from the first-page reader)."""
        if self.first_rows_shown:
            return
        self.first_rows_shown = True
        wanted = self.wanted
        self.query_one("#filter-selects", Horizontal).mount_all([
            Select([(STAGE_SHORT[s], s.value) for s in Stage], prompt=_("any stage"), id="flt-stage", compact=True,
                   value=wanted.stage or Select.NULL),
            Select([(STATUS_LABELS[s], s.value) for s in Status], prompt=_("any status"), id="flt-status",
                   compact=True, value=wanted.status or Select.NULL),
            Select([(r, r) for r in REGIONS], prompt=_("any region"), id="flt-region", compact=True,
                   value=wanted.region or Select.NULL),
            Select([], prompt=_("any type"), id="flt-type", compact=True),  # filled from reference data
        ])
        self.dtlab.started()
        self.dtlab.open_store_soon()
        self.load_types()
        self.count_soon()

    def count_soon(self) -> None:
        """Count what the list shows, unless the user is still typing: a count reads every
        matching case (a second on a million) and is only worth it for the filter that stays."""
        if self.total is None and self.first_rows_shown:  # (the first count waits for after_first_rows)
            generation = self.generation
            self.set_timer(COUNT_AFTER, lambda: self.count(generation, self.current_filter())
                           if generation == self.generation else None)

    @work(thread=True, exit_on_error=False, group="count")
    def count(self, generation: int, flt: CaseFilter) -> None:
        from dtlab.db.cases import count_cases

        try:
            with self.store.read() as session:
                total = count_cases(session, flt)
        except Exception as error:  # a count is a courtesy: the rows shown stand without it
            self.post_result(self.CountFailed(error))
            return
        self.post_result(self.Counted(generation, flt, total))

    def lay_out_columns(self, width: int) -> None:
        """Fixed columns keep their width; the title (and on wide screens the applicant) share the rest."""
        padding = 2 * (len(FIXED) + 2) + 2  # cell padding and the scrollbar
        spare = width - sum(w for _k, _l, w in FIXED) - padding
        wide = width >= 120
        applicant = min(50, max(APPLICANT_WIDTH, spare // 3)) if wide else 0
        title_width = max(20, spare - (applicant + 2 if wide else 0))
        columns = [FIXED[0], ("title", N_("Title"), title_width), *FIXED[1:]]
        if wide:
            columns.append(("applicant", N_("Applicant"), applicant))
        if columns == self.shown_columns:
            return
        self.shown_columns = columns
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for key, label, col_width in columns:
            table.add_column(header(label), key=key, width=col_width)
        self.show_sort()

    def on_resize(self, event: events.Resize) -> None:
        if self.shown_columns:
            before = self.shown_columns
            self.lay_out_columns(event.size.width)
            if self.shown_columns != before:
                self.reload()  # the rows are read again into the new columns

    @work(thread=True, exit_on_error=False, group="types")
    def load_types(self) -> None:
        # The queries are imported by the workers, in their threads: the screen is drawn (with the
        # first page the app read through sqlite3) before SQLAlchemy has loaded.
        from dtlab.db.queries import centre_types

        with self.store.read() as session:
            self.post_result(self.TypesRead(centre_types(session, short=True)))

    def on_case_list_screen_types_read(self, message: TypesRead) -> None:
        types = message.types
        select = self.query_one("#flt-type", Select)
        self.type_names = dict(types)
        select.set_options([(name, type_id) for type_id, name in self.type_names.items()])
        self.types_read = True
        if self.wanted.centre_type in dict(types):
            select.value = self.wanted.centre_type

    # --- the query ---------------------------------------------------------------------------------

    def current_filter(self) -> CaseFilter:
        def picked(field: str) -> str | None:
            select = next(self.query(SELECTS[field]).results(Select), None)
            if select is None or (field == "centre_type" and not self.types_read):
                return getattr(self.wanted, field)  # not mounted, or its options not read yet
            return None if select.value is Select.NULL else str(select.value)

        return CaseFilter(
            stage=picked("stage"), status=picked("status"), region=picked("region"),
            centre_type=picked("centre_type"), assignee=self.query_one("#flt-assignee", Input).value or None,
            search=self.query_one("#search", Input).value or None,
        )

    def apply_filter(self, flt: CaseFilter) -> None:
        """Put a (saved) filter into the controls; the change events reload the list."""
        self.query_one("#search", Input).value = flt.search or ""
        self.query_one("#flt-assignee", Input).value = flt.assignee or ""
        self.wanted = CaseFilter(**{field: getattr(flt, field) for field in SELECTS})
        for field, select_id in SELECTS.items():
            if field == "centre_type" and not self.types_read:
                continue  # set when its options arrive
            for select in self.query(select_id).results(Select):
                select.value = getattr(flt, field) or Select.NULL
        self.reload()

    def on_screen_resume(self) -> None:
        # Back from a case (by Esc, F2/F3 or the palette): show it as it is now, in its place,
        # without losing the user's position in the list.
        if self.opened_ref:
            self.refresh_row(self.opened_ref, self.current_filter())

    @work(thread=True, exit_on_error=False, group="row")
    def refresh_row(self, ref: str, flt: CaseFilter) -> None:
        from dtlab.db.cases import list_row

        with self.store.read() as session:
            self.post_result(self.RowRead(ref, list_row(session, ref, flt)))

    def on_case_list_screen_row_read(self, message: RowRead) -> None:
        self.show_row(message.ref, message.row)

    def on_key(self, event: events.Key) -> None:
        # From the search box, Enter or Down goes to the rows it found; Esc clears the search.
        search = self.query_one("#search", Input)
        if not search.has_focus:
            return
        if event.key in ("enter", "down"):
            event.stop()
            table = self.query_one(DataTable)
            table.focus()
            if event.key == "enter" and self.total == 1 and table.row_count == 1:
                # One case found: Enter opens it through its row, as Enter on the row would.
                table.move_cursor(row=0)
                table.action_select_cursor()
        elif event.key == "escape" and search.value:
            event.stop()
            search.value = ""
            self.query_one(DataTable).focus()

    @on(Input.Changed, "#search")
    @on(Input.Changed, "#flt-assignee")
    @on(Select.Changed)
    def filter_changed(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.generation += 1
        self.loading_more = False
        self.load(self.generation, self.current_filter(), self.sort, self.descending)

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def load(self, generation: int, flt: CaseFilter, sort: str, descending: bool) -> None:
        self.read_page(generation, True, flt, sort, descending, None)

    def read_page(self, generation: int, first: bool, flt: CaseFilter, sort: str, descending: bool,
                  after: tuple[Any, ...] | None) -> None:
        """In a worker: read a page of rows (after `after`) and post it, or why it could not be
        read. The rows come first; they are counted after (see count_soon)."""
        from dtlab.db.cases import list_cases

        try:
            with self.store.read() as session:
                rows = list_cases(session, flt, limit=PAGE, sort=sort, descending=descending, after=after)
        except Exception as error:  # said on the screen, which stays usable to try again
            self.post_result(self.PageFailed(error))
            return
        self.post_result(self.PageRead(Page(generation, None, first, rows)))

    def on_case_list_screen_page_read(self, message: PageRead) -> None:
        if message.page.generation == self.generation:
            self.show_page(message.page)

    def on_case_list_screen_page_failed(self, message: PageFailed) -> None:
        self.loading_more = False
        self.notify(_("Could not read the cases: {error}").format(error=describe_error(message.error)),
                    severity="error", timeout=10)
        self.after_first_rows()  # the controls, to try again with (ctrl+r)

    def on_case_list_screen_counted(self, message: Counted) -> None:
        if message.generation == self.generation:
            self.total, self.counted = message.total, (message.flt, message.total)
            self.show_count()

    def on_case_list_screen_count_failed(self, message: CountFailed) -> None:
        shown_rows = self.query_one(DataTable).row_count
        self.query_one("#count", Static).update(
            ngettext("{count} shown", "{count} shown", shown_rows).format(count=f"{shown_rows:,}"))
        self.notify(_("Could not count the cases: {error}").format(error=describe_error(message.error)),
                    severity="warning")

    def show_page(self, page: Page) -> None:
        table = self.query_one(DataTable)
        if page.first:
            table.clear()
            self.total = page.total
            if page.total is None and len(page.rows) < PAGE:
                self.total = len(page.rows)  # all there is
            elif page.total is None and self.counted and self.counted[0] == self.current_filter():
                self.total = self.counted[1]  # the same cases in another order: no need to count again
            if not page.rows:
                self.call_after_refresh(self.after_first_rows)  # no rows to wait for
        self.loading_more = False
        if page.rows:
            self.last_position = page.rows[-1]["position"]
        for r in page.rows:
            table.add_row(*[self.cell(key, r) for key, _label, _width in self.shown_columns], key=r["ref"])
        self.shown_generation = page.generation  # the list now shows what the filter asked for
        self.show_count()
        if page.first:
            self.count_soon()
        if self.total == 0 and page.first and self.current_filter() == CaseFilter():
            self.notify(_("No cases yet: ctrl+n records one; on the dashboard (F2), d loads demo data."), timeout=8)

    def show_row(self, ref: str, row: dict[str, Any] | None) -> None:
        table = self.query_one(DataTable)
        if ref not in table.rows:
            return
        if row is None:  # it left the filter (e.g. it moved on from the stage filtered for)
            table.remove_row(ref)
            self.counted = None
            if self.total is not None:
                self.total = max(0, self.total - 1)
            self.show_count()
            return
        for key, _label, _width in self.shown_columns:
            table.update_cell(ref, key, self.cell(key, row))

    @staticmethod
    def cell(key: str, row: dict[str, Any]) -> str | Text:
        """A cell as the table shows it: a title or an applicant is data, never markup."""
        value = row.get(key) or ""
        if key == "stage" and value:
            return STAGE_SHORT[Stage(value)]
        if key == "status" and value:
            return Text(STATUS_LABELS[Status(value)], style="" if value == "open" else "bold red")
        return cell(value)

    def show_count(self) -> None:
        loaded = self.query_one(DataTable).row_count
        # Short, so the search box beside it keeps its width (app.tcss sizes #count for the longest).
        if self.total == 0 and self.current_filter() != CaseFilter():
            text = "[b]" + _("no match") + "[/] · " + _("esc clears")
        elif self.total is None:
            text = ngettext("{count} shown, counting…", "{count} shown, counting…", loaded).format(count=f"{loaded:,}")
        elif loaded < self.total:  # the rest is read as the cursor nears the end
            text = ngettext("{shown} of {count} case", "{shown} of {count} cases", self.total).format(
                shown=f"{loaded:,}", count=f"{self.total:,}")
        else:
            text = ngettext("{count} case", "{count} cases", self.total).format(count=f"{self.total:,}")
        self.query_one("#count", Static).update(text)

    @on(DataTable.RowHighlighted)
    def maybe_load_more(self, event: DataTable.RowHighlighted) -> None:
        table = self.query_one(DataTable)
        loaded = table.row_count
        known_all = self.total is not None and loaded >= self.total
        if self.loading_more or known_all or event.cursor_row < loaded - NEAR_END:
            return
        self.loading_more = True
        self.load_page(self.generation, self.current_filter(), self.sort, self.descending, self.last_position)

    @work(thread=True, exclusive=False, exit_on_error=False, group="load")
    def load_page(self, generation: int, flt: CaseFilter, sort: str, descending: bool,
                  after: tuple[Any, ...] | None) -> None:
        self.read_page(generation, False, flt, sort, descending, after)

    # --- sorting -----------------------------------------------------------------------------------

    @on(DataTable.HeaderSelected)
    def header_clicked(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        if key == self.sort:
            self.descending = not self.descending
        else:
            self.sort, self.descending = key, False
        self.show_sort()
        self.reload()

    def action_sort_next(self) -> None:
        keys = [key for key, _label, _width in self.shown_columns]
        self.sort = keys[(keys.index(self.sort) + 1) % len(keys)] if self.sort in keys else keys[0]
        self.descending = False
        self.show_sort()
        self.reload()

    def action_sort_reverse(self) -> None:
        self.descending = not self.descending
        self.show_sort()
        self.reload()

    def show_sort(self) -> None:
        table = self.query_one(DataTable)
        for key, label, _width in self.shown_columns:
            arrow = (" ▼" if self.descending else " ▲") if key == self.sort else ""
            table.columns[ColumnKey(key)].label = Text(header(label) + arrow)
        table.refresh()

    # --- actions -----------------------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def open_case(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.opened_ref = event.row_key.value
            self.dtlab.open_case(event.row_key.value)

    def action_new_case(self) -> None:
        from dtlab.screens.intake import start_new_case

        start_new_case(self.app, after=self.reload)

    def action_focus_search(self) -> None:
        """The search, its text selected: typing starts a new search (it was appended to the
        last one), and → keeps it to narrow it further."""
        search = self.query_one("#search", Input)
        search.focus()
        search.select_all()

    def action_clear_search(self) -> None:
        if self.current_filter() != CaseFilter():
            self.apply_filter(CaseFilter())
        self.query_one(DataTable).focus()

    def action_reload(self) -> None:
        self.counted = None  # read again means counted again
        self.reload()

    def action_save_filter(self) -> None:
        flt = self.current_filter()
        if flt == CaseFilter():
            self.notify(_("Set a search or a filter first, then save it."), severity="warning")
            return

        def done(name: str | None) -> None:
            if name:
                saved_filters.save(name, flt)
                self.notify(_("Saved filter “{name}”; ctrl+o reopens it.").format(name=name))

        said = plain(describe_filter(flt, self.type_names))
        self.app.push_screen(ReasonDialog(_("Save this filter"), said, placeholder=_("name")), done)

    def action_open_filter(self) -> None:
        saved = saved_filters.load_all()
        if not saved:
            self.notify(_("No saved filters yet: set a filter, then ctrl+s."))
            return

        def done(values: dict[str, str] | None) -> None:
            if values and values.get("name") in saved:
                self.apply_filter(saved[values["name"]])

        options = [(name, f"{name} — {describe_filter(flt, self.type_names)}") for name, flt in sorted(saved.items())]
        self.app.push_screen(ValuesDialog(_("Open a saved filter"), [("name", _("Filter"), options)],
                                          required=("name",), ok=_("Open")), done)


def header(label: str) -> str:
    """A column's heading in the language in use: `label` is its English (a msgid); the country
    code's column is as narrow as its two letters, so it takes the short form."""
    return pgettext("short", "CC") if label == "CC" else _(label)


def describe_filter(flt: CaseFilter, type_names: dict[str, str]) -> str:
    """The filter in the words the list shows ("stage Set-up", not the stage's id; a centre
    type by its name in `type_names`, by id → name)."""
    stage = STAGE_SHORT[Stage(flt.stage)] if flt.stage in {s.value for s in Stage} else flt.stage
    status = STATUS_LABELS[Status(flt.status)] if flt.status in {s.value for s in Status} else flt.status
    centre_type = type_names.get(flt.centre_type, flt.centre_type) if flt.centre_type else None
    # Each part whole, so a translation can put the value where its language puts it.
    parts = [said.format(value=value) for said, value in (
        (_("search {value}"), flt.search), (_("stage {value}"), stage), (_("status {value}"), status),
        (_("region {value}"), flt.region), (_("centre type {value}"), centre_type),
        (_("assignee {value}"), flt.assignee)) if value]
    return ", ".join(parts) or _("everything")

