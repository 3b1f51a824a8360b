"""Calls for expressions of interest: every call with its deadline and how many requests answered
it on time and late; under it, the requests answering the highlighted call, with their stage and
status. Enter on a request opens its case; n opens a call, e edits one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from dtlab.db.calls import CallView, Eoi, call_eois, list_calls
from dtlab.domain.calls import taking_interest
from dtlab.domain.stages import Stage, Status
from dtlab.i18n import N_, _, ngettext, pgettext
from dtlab.present.call_words import CALL_STATUS_CHOICES, deadline_words, eoi_words, late_words
from dtlab.present.charts import cut
from dtlab.present.labels import SCOPE_CHOICES, STAGE_SHORT, STAGE_TABS, STATUS_LABELS, as_choices
from dtlab.present.safe import from_markup, plain, shown
from dtlab.screens.base import DtlabScreen, show_error
from dtlab.screens.forms import ask
from dtlab.services.calls import create_call, edit_call
from dtlab.widgets.dialogs import ReadingDialog
from dtlab.widgets.footer import KeysFooter

REGION_HINT = N_("e.g. AFR ARB (empty: any region)")
# The answers listed under a call at most (the counts are always of all): a yearly call of a large
# portfolio has thousands, and `dtlab calls show` lists them all.
EOI_ROWS = 500
TYPES_HINT = N_("e.g. digital_transformation (empty: any type)")


def current_day() -> date:
    """The day deadlines are judged on (tests fix it)."""
    return date.today()


@dataclass
class Loaded:
    calls: list[CallView]
    eois: dict[str, list[Eoi]]  # by call ref: read for a call when it is first shown


@dataclass
class CallSaved(Message):
    """A call was opened or saved: say so, and show it."""

    text: str
    ref: str


@dataclass
class EoisRead(Message):
    """The requests answering a call, read when it is first highlighted."""

    ref: str
    eois: list[Eoi]


class CallsScreen(DtlabScreen[None]):
    HELP_TITLE = N_("Calls for expressions of interest")
    HELP_EXTRA = (("enter", N_("On a request: open its case")), ("tab", N_("Between the calls and their requests")))
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_call", N_("New call"), id="calls.new", tooltip=N_("Open a call for expressions of interest")),
        Binding("e", "edit_call", N_("Edit call"), id="calls.edit",
                tooltip=N_("Change the highlighted call: deadline, regions, status…")),
        Binding("h", "history", N_("History"), id="calls.history",
                tooltip=N_("Who changed the highlighted call, and what")),
        Binding("ctrl+r", "reload", N_("Reload"), id="calls.reload", tooltip=N_("Read the calls again"), show=False),
        Binding("escape", "home", N_("Home"), id="calls.home", tooltip=N_("Back to the dashboard (also f2)")),
    ]

    @dataclass
    class CallsRead(Message):
        loaded: Loaded

    def __init__(self) -> None:
        super().__init__()
        self.loaded: Loaded | None = None
        self.current: str | None = None  # the highlighted call's ref
        self.wanted: str | None = None  # a call to highlight once the calls read hold it (one just saved)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Reading calls…"), id="calls-summary")
        yield DataTable(id="calls-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="call-facts")
        yield DataTable(id="eois-table", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_screen_resume(self) -> None:
        self.load()  # also on first show; and back from a case whose call or stage changed

    def on_resize(self) -> None:
        if self.loaded is not None:
            self.show(self.loaded)

    def action_reload(self) -> None:
        self.load()

    def action_home(self) -> None:
        self.dtlab.action_go("dashboard")

    @work(thread=True, exclusive=True, exit_on_error=False, group="calls-load")
    def load(self) -> None:
        # The answers of the call to be shown first; another call's are read when it is highlighted.
        with self.store.read() as session:
            calls = list_calls(session)
            first = next((c for ref in (self.wanted, self.current) for c in calls if c.ref == ref),
                         calls[0] if calls else None)
            eois = {first.ref: call_eois(session, first, limit=EOI_ROWS)} if first is not None else {}
        self.post_result(self.CallsRead(Loaded(calls, eois)))

    @work(thread=True, exit_on_error=False, group="calls-eois")
    def read_eois(self, call: CallView) -> None:
        with self.store.read() as session:
            self.post_result(EoisRead(call.ref, call_eois(session, call, limit=EOI_ROWS)))

    def on_eois_read(self, message: EoisRead) -> None:
        if self.loaded is not None:
            self.loaded.eois[message.ref] = message.eois
            if self.current == message.ref:
                self.show_call(message.ref)

    def on_calls_screen_calls_read(self, message: CallsRead) -> None:
        self.show(message.loaded)

    def show(self, loaded: Loaded) -> None:
        self.loaded = loaded
        today = current_day()
        taking = sum(1 for c in loaded.calls if taking_interest(c.status, c.deadline, today, c.opens_on))
        n = len(loaded.calls)
        counts = ngettext("{n} call, {taking} taking expressions of interest",
                          "{n} calls, {taking} taking expressions of interest", n).format(n=f"{n:,}", taking=taking)
        self.query_one("#calls-summary", Static).update(from_markup(
            "[b]" + _("Calls for expressions of interest") + f"[/b]: {counts} [dim]· "
            + _("n new call · e edit · Enter on a request opens it") + "[/]"))
        table = self.query_one("#calls-table", DataTable)
        wide = self.size.width >= 120
        table.clear(columns=True)
        columns = [(_("Call"), 10), (_("Deadline"), 10), (_("Where it stands"), 21), (pgettext("short", "On time"), 7),
                   (pgettext("short", "Late"), 4)]
        if wide:
            columns.append((_("Regions"), 23))
        rest = max(12, self.size.width - 2 - sum(w + 2 for _label, w in columns) - 2)
        for label, width in (*columns, (_("Title"), rest)):
            table.add_column(label, width=width)
        for c in loaded.calls:
            stands = Text(deadline_words(c.deadline, c.status, today, c.opens_on),
                          style="green" if taking_interest(c.status, c.deadline, today, c.opens_on) else "dim")
            late = Text(str(c.eois.late), style="yellow" if c.eois.late else "")
            cells: list[Any] = [cut(c.ref), c.deadline.isoformat(), stands, str(c.eois.on_time), late]
            if wide:
                cells.append(cut(" ".join(c.regions) or pgettext("region", "any")))
            table.add_row(*cells, cut(c.title), key=c.ref)
        if not loaded.calls:
            self.query_one("#call-facts", Static).update(_("No call yet: n opens one."))
            self.query_one("#eois-table", DataTable).clear(columns=True)
            return
        refs = [c.ref for c in loaded.calls]
        if self.wanted in refs:
            self.current, self.wanted = self.wanted, None
        at = refs.index(self.current) if self.current in refs else 0
        table.move_cursor(row=at)
        self.show_call(refs[at])

    @on(DataTable.RowHighlighted, "#calls-table")
    def call_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        # The row under the cursor now, not the event's: a reload rebuilds the table and moves the
        # cursor back to the call shown, and the rebuild's own events arrive after that move.
        table = self.query_one("#calls-table", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if key is not None:
                self.show_call(str(key))

    def _call(self, ref: str | None) -> CallView | None:
        if self.loaded is None:
            return None
        return next((c for c in self.loaded.calls if c.ref == ref), None)

    def show_call(self, ref: str) -> None:
        call = self._call(ref)
        if call is None or self.loaded is None:
            return
        self.current = ref
        if ref not in self.loaded.eois:
            self.read_eois(call)
        eois = self.loaded.eois.get(ref, [])
        where = " ".join(call.regions) or _("any region")
        kept = " · " + _("reference data, the same on every site") if call.reference else ""
        facts = plain(f"{call.ref} · {call.title}", style="bold")
        stands = deadline_words(call.deadline, call.status, current_day(), call.opens_on)
        answers = _("Deadline {deadline} ({stands}) · answers: {answers}").format(
            deadline=call.deadline, stands=stands, answers=eoi_words(call.eois.on_time, call.eois.late))
        if ref in self.loaded.eois and call.eois.on_time + call.eois.late > len(eois):
            answers += " " + _("(the first {n} listed: dtlab calls show {ref} lists all)").format(n=len(eois),
                                                                                                  ref=call.ref)
        scope = SCOPE_CHOICES.get(call.scope or "") or _("any scope")
        types = ", ".join(call.centre_types) or _("any type")
        for line in (answers, f"{where} · {scope} · {types}{kept}"):
            facts.append("\n")
            facts.append_text(plain(line, style="dim"))
        self.query_one("#call-facts", Static).update(facts)
        table = self.query_one("#eois-table", DataTable)
        table.clear(columns=True)
        wide = self.size.width >= 100
        # A narrow screen names the stage as the case's tabs do ("Assess"), to leave the applicant room.
        stage_names = STAGE_SHORT if wide else STAGE_TABS
        columns = [(_("Ref"), 13), (_("Received"), 10), (_("On time?"), 15), (_("Stage"), 14 if wide else 8),
                   (_("Status"), 9)]
        if wide:
            columns.append((_("Country"), 7))
        reasons = self.size.width >= 150  # the late reason beside the applicant, where there is room
        if reasons:
            columns.append((_("Applicant"), 30))
        rest = max(12, self.size.width - 2 - sum(w + 2 for _label, w in columns) - 2)
        for label, width in (*columns, (_("Late reason") if reasons else _("Applicant"), rest)):
            table.add_column(label, width=width)
        for e in eois:  # the late ones first, apart, then those on time, each in the order they came
            timing = Text(late_words(e.days_late), style="yellow" if e.days_late else "green")
            if e.days_late and not e.late_reason:
                timing.append(" !", style="bold red")
            cells: list[Any] = [cut(e.ref), str(e.received_on or "—"), timing, stage_names[Stage(e.stage)],
                                STATUS_LABELS[Status(e.status)]]
            if wide:
                cells.append(cut(e.country or "—"))
            if reasons:
                cells.append(cut(e.applicant or "—"))
            last = (e.late_reason or "—" if e.days_late else "") if reasons else e.applicant or "—"
            table.add_row(*cells, cut(last), key=e.ref)
        if not eois and ref in self.loaded.eois:
            table.add_row(*([""] * len(columns)),
                          plain(_("none yet: set the Call field on a request's Interest tab"), style="dim"))

    @on(DataTable.RowSelected, "#eois-table")
    def open_request(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.dtlab.open_case(str(event.row_key.value))

    @on(DataTable.RowSelected, "#calls-table")
    def to_requests(self, _event: DataTable.RowSelected) -> None:
        self.query_one("#eois-table", DataTable).focus()

    def action_history(self) -> None:
        if self.current is not None:
            self.read_history(self.current)

    @work(thread=True, exclusive=True, exit_on_error=False, group="calls-history")
    def read_history(self, ref: str) -> None:
        from dtlab.db.history import call_history
        from dtlab.present.history import history_lines

        with self.store.read() as session:
            lines = history_lines(call_history(session, ref), newest_first=True)
        if not lines:
            lines = [shown(_("{ref} is reference data (seeds/calls.toml), the same on every site: no history "
                             "here.").format(ref=ref))]
        self.app.call_from_thread(self.app.push_screen, ReadingDialog(_("History of {ref}").format(ref=ref), lines))

    # --- writing -----------------------------------------------------------------------------------

    def _fields(self) -> list[tuple[str, str, list[tuple[str, str]] | str]]:
        return [("title", _("Title"), ""), ("deadline", _("Deadline"), ""), ("opens_on", _("Opens on"), ""),
                ("regions", _("Regions"), ""), ("scope", _("Scope"), list(as_choices(SCOPE_CHOICES))),
                ("centre_types", _("Centre types"), ""),
                ("status", _("Status"), list(as_choices(CALL_STATUS_CHOICES))), ("announcement", _("Announced"), "")]

    def action_new_call(self) -> None:
        self.call_form(None, {})

    def action_edit_call(self) -> None:
        call = self._call(self.current)
        if call is None:
            self.notify(_("No call to edit: n opens one."), severity="warning")
            return
        if call.reference:
            self.notify(_("{ref} is reference data (seeds/calls.toml), the same on every site: not edited "
                          "here.").format(ref=call.ref), severity="warning")
            return
        self.call_form(call.ref, {
            "title": call.title, "deadline": call.deadline.isoformat(),
            "opens_on": call.opens_on.isoformat() if call.opens_on else "", "regions": " ".join(call.regions),
            "scope": call.scope or "", "centre_types": ",".join(call.centre_types), "status": call.status,
            "announcement": call.announcement or ""})

    def call_form(self, ref: str | None, current: dict[str, str]) -> None:
        """A call's form (`forms.ask`); a save changes the fields edited, and shows the call saved."""
        fields = [(n, label, spec if isinstance(spec, list) else current.get(n, ""))
                  for n, label, spec in self._fields()]
        chosen = {n: current[n] for n, _label, spec in fields if isinstance(spec, list) and current.get(n)}
        if ref is None:
            chosen.setdefault("status", "open")
        explanation = _("Regions: {regions}. Centre types: {types}. Dates YYYY-MM-DD; a request received after the "
                        "deadline is late, and leaves the interest stage only with a reason.").format(
                            regions=_(REGION_HINT), types=_(TYPES_HINT))
        store = self.store

        def save(given: dict[str, str]) -> CallSaved:
            if ref is None:
                made = create_call(store, {k: v for k, v in given.items() if v})
                return CallSaved(_("Call {ref} opened.").format(ref=made), made)
            changed = edit_call(store, ref, {k: v for k, v in given.items() if current.get(k, "") != v})
            return CallSaved(_("{ref} saved.").format(ref=ref) if changed else _("Nothing changed."), ref)

        title = _("New call") if ref is None else _("Edit {ref}").format(ref=ref)
        ask(self.app, self.write, title, fields, save,
            required=("title", "deadline"), explanation=explanation, initial=chosen, missing_said_by_save=True)

    @work(thread=True, exit_on_error=False, group="calls-write")
    def write(self, job: Callable[[], Message]) -> None:
        self.post_result(job())

    def on_call_saved(self, message: CallSaved) -> None:
        # Set here, on the app's thread, after what the screen showed meanwhile: the call saved
        # is the one shown once the calls are read again.
        self.wanted = message.ref
        self.notify(message.text)
        self.load()

    def worker_failed(self, error: BaseException | None) -> None:
        show_error(self, error)
