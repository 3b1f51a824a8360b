"""The case list: every case, narrowed as you type. Rows are read a page at a time."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.worker import Worker, WorkerState

from ..db.cases import CaseFilter, count_cases, list_cases
from ..errors import describe_error

PAGE = 200
# (key, label, width); the title takes what the others leave, the applicant shows on wide screens.
FIXED = (("ref", "Ref", 14), ("country", "CC", 2), ("stage", "Stage", 14), ("status", "Status", 9))
APPLICANT_WIDTH = 34


class CaseListScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Search", id="cases.search", tooltip="Type to narrow the list"),
        Binding("escape", "clear_search", "Clear", id="cases.clear", tooltip="Clear the search", show=False),
        Binding("ctrl+n", "new_case", "New case", id="cases.new", tooltip="Record a new request"),
        Binding("ctrl+r", "reload", "Reload", id="cases.reload", tooltip="Read the cases again"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filter-bar"):
            yield Input(placeholder="search ref, title, applicant, country", id="search")
            yield Static("", id="count")
        yield DataTable(id="cases", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        width = self.app.size.width
        padding = 2 * (len(FIXED) + 2) + 2  # cell padding and the scrollbar
        wide = width >= 120
        title_width = max(20, width - sum(w for _k, _l, w in FIXED) - padding - (APPLICANT_WIDTH + 2 if wide else 0))
        self.shown_columns = [FIXED[0], ("title", "Title", title_width), *FIXED[1:]]
        if wide:
            self.shown_columns.append(("applicant", "Applicant", APPLICANT_WIDTH))
        for key, label, col_width in self.shown_columns:
            table.add_column(label, key=key, width=col_width)
        self.reload()
        table.focus()

    @on(DataTable.RowSelected)
    def open_case(self, event: DataTable.RowSelected) -> None:
        from .case_view import CaseScreen

        if event.row_key.value:
            self.app.push_screen(CaseScreen(event.row_key.value), lambda _r: self.reload())

    def action_new_case(self) -> None:
        from .case_view import CaseScreen
        from .intake import IntakeScreen

        def created(ref: str | None) -> None:
            self.reload()
            if ref:
                self.notify(f"{ref} created")
                self.app.push_screen(CaseScreen(ref), lambda _r: self.reload())

        self.app.push_screen(IntakeScreen(), created)

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_search(self) -> None:
        self.query_one("#search", Input).value = ""

    def action_reload(self) -> None:
        self.reload()

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        self.reload()

    def reload(self) -> None:
        self.load(CaseFilter(search=self.query_one("#search", Input).value or None))

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def load(self, flt: CaseFilter) -> tuple[int, list[dict[str, Any]]]:
        with self.app.store.read() as session:  # type: ignore[attr-defined]
            return count_cases(session, flt), list_cases(session, flt, limit=PAGE)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "load":
            return
        if event.state is WorkerState.ERROR:
            self.notify(f"Could not read the cases: {describe_error(event.worker.error)}", severity="error",
                        timeout=10)
        if event.state is not WorkerState.SUCCESS:
            return
        result = event.worker.result
        if result is None:
            return
        total, rows = result
        table = self.query_one(DataTable)
        table.clear()
        for r in rows:
            table.add_row(*[r[key] or "" for key, _label, _width in self.shown_columns], key=r["ref"])
        shown = f"first {len(rows):,} of " if total > len(rows) else ""
        self.query_one("#count", Static).update(f"{shown}{total:,} case{'s' if total != 1 else ''}")
        if total == 0 and not self.query_one("#search", Input).value:
            self.notify("No cases yet. Create one with `dtlab case new`, or load demo data with `dtlab demo`.",
                        timeout=8)
