"""The Digital Innovation Board: its members and nominations (track 1 awaiting the BDT Director's
approval, track 2 nominated by BDT), its meetings with their agenda and the matters put to them,
every matter and its decision, and the Board policy. Reached by F7 and the command palette."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane, Tabs

from dtlab.db.board import board_policy, list_items, list_meetings, list_members, row_history
from dtlab.domain.board import (
    DECISION_LABELS,
    MATTER_LABELS,
    STATUS_LABELS,
    TRACK_LABELS,
    TRACK_SHORT,
    Approval,
    Decision,
    Matter,
    MemberStatus,
    Track,
)
from dtlab.errors import Invalid, NotFound, describe_error
from dtlab.i18n import N_, Translated, _, ngettext, pgettext
from dtlab.present.charts import cut
from dtlab.present.history import history_lines
from dtlab.present.safe import from_markup, plain, shown
from dtlab.screens import board_forms
from dtlab.screens.base import show_error
from dtlab.screens.board_forms import BoardData, BoardForms, Saved
from dtlab.screens.messages import Written
from dtlab.widgets.footer import KeysFooter

STATUS_STYLE = {MemberStatus.SERVING.value: "green", MemberStatus.NOMINATED.value: "yellow",
                MemberStatus.DECLINED.value: "red", MemberStatus.TERM_ENDED.value: "dim"}
# The Director's word on a nomination, said whole (the participle agrees with "nomination").
DECIDED = Translated({Approval.APPROVED.value: N_("approved on {day} by {who}"),
                      Approval.DECLINED.value: N_("declined on {day} by {who}")})


def status_short(status: MemberStatus) -> str:
    """A member's status in the members' column. Looked up with its context here (a table marked
    with N_ would be extracted without it): "approved" of a member is not a decision's."""
    return {MemberStatus.NOMINATED: pgettext("member", "nominated"),
            MemberStatus.DECLINED: pgettext("member", "declined"),
            MemberStatus.APPROVED: pgettext("member", "approved"),
            MemberStatus.SERVING: pgettext("member", "serving"),
            MemberStatus.TERM_ENDED: pgettext("member", "term ended")}[status]


def meeting_status(value: str) -> str:
    """A meeting's status (stored: MEETING_STATUSES) in words, in a 7-wide column; one not known
    here (a newer site's) as stored."""
    return {"planned": pgettext("meeting", "planned"), "held": pgettext("meeting", "held")}.get(value, value)


def matter_word(value: str) -> str:
    """A matter put to the Board (its stored value), in words."""
    return MATTER_LABELS[Matter(value)]


def read_board(store: Any, today: date) -> BoardData:
    with store.read() as session:
        members = list_members(session, today)
        return BoardData(members, list_meetings(session), list_items(session), board_policy(session),
                         {m["id"]: row_history(session, "board_members", m["id"]) for m in members})


def decision_text(item: dict[str, Any]) -> Text:
    if item["decision"] is None:
        return Text(_("awaiting the Board"), style="yellow")
    style = {"approved": "green", "approved_with_conditions": "green", "not_approved": "red"}.get(item["decision"], "")
    return Text(DECISION_LABELS[Decision(item["decision"])], style=style)


class BoardScreen(BoardForms):
    HELP_TITLE = N_("Digital Innovation Board")
    HELP_EXTRA = (("enter", N_("Matters: open the case")),
                  ("1 2 3", N_("Members, Meetings, Matters: each tab's keys act on its table (tab: to the detail "
                               "and back)")))
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "nominate", N_("Nominate"), id="board.nominate",
                tooltip=N_("Record a nomination: track 1 (by a country or institution) or track 2 (by BDT)")),
        Binding("a", "approve", N_("Approve"), id="board.approve",
                tooltip=N_("The BDT Director approves the highlighted track-1 nomination")),
        Binding("x", "decline", N_("Decline"), id="board.decline",
                tooltip=N_("The BDT Director declines the highlighted track-1 nomination")),
        Binding("t", "end_term", N_("End term"), id="board.end_term",
                tooltip=N_("End the highlighted member's term (on its first day: a member recorded by mistake)")),
        Binding("m", "new_meeting", N_("New meeting"), id="board.new_meeting",
                tooltip=N_("Plan a meeting, with its agenda")),
        Binding("e", "edit_meeting", N_("Edit"), id="board.edit_meeting",
                tooltip=N_("Change the highlighted meeting: its date (a planned meeting moved), title, place, agenda")),
        Binding("h", "held", N_("Held"), id="board.held",
                tooltip=N_("Record that the highlighted meeting was held, with its minutes' reference")),
        Binding("d", "decide", N_("Decide"), id="board.decide",
                tooltip=N_("Record the Board's decision or advice on a matter put to it")),
        Binding("v", "move_item", N_("Move"), id="board.move_item",
                tooltip=N_("Move the highlighted matter, awaiting the Board, to another planned meeting")),
        Binding("p", "policy", N_("Policy"), id="board.policy",
                tooltip=N_("Require (or not) a Board decision before a renewal or upgrade leaves its stage")),
        Binding("1", "tab('members')", N_("Members"), id="board.tab_members", show=False),
        Binding("2", "tab('meetings')", N_("Meetings"), id="board.tab_meetings", show=False),
        Binding("3", "tab('items')", N_("Matters"), id="board.tab_items", show=False),
        Binding("ctrl+r", "reload", N_("Reload"), id="board.reload", tooltip=N_("Read the Board again"), show=False),
        Binding("escape", "home", N_("Home"), id="board.home", tooltip=N_("Back to the dashboard (also f2)")),
    ]

    @dataclass
    class BoardRead(Message):
        data: BoardData

    # The keys that act on a tab's table, live on that tab only; and the keys that work from every
    # tab, shown last in the footer of another tab than their own (F1 lists them all).
    TAB_KEYS: ClassVar[dict[str, frozenset[str]]] = {
        "members": frozenset({"approve", "decline", "end_term"}),
        "meetings": frozenset({"edit_meeting", "held"}),
        "items": frozenset({"move_item"}),
    }
    ANYWHERE: ClassVar[dict[str, str]] = {"nominate": "members", "new_meeting": "meetings", "decide": "",
                                          "policy": ""}
    TABLES: ClassVar[dict[str, str]] = {"members-table": "members", "meetings-table": "meetings",
                                        "items-table": "items"}

    def __init__(self) -> None:
        super().__init__()
        self.data: BoardData | None = None
        self._wanted = ""  # the record a form wrote: the cursor goes to it once read again

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Reading the Board…"), id="board-summary")
        with TabbedContent(id="board-tabs", initial="pane-members"):
            with TabPane("1 " + _("Members"), id="pane-members"):
                yield DataTable(id="members-table", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(classes="board-detail"):
                    yield Static("", id="member-detail")
            with TabPane("2 " + _("Meetings"), id="pane-meetings"):
                yield DataTable(id="meetings-table", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(classes="board-detail"):
                    yield Static("", id="meeting-detail")
            with TabPane("3 " + _("Matters"), id="pane-items"):
                yield DataTable(id="items-table", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(classes="board-detail"):
                    yield Static("", id="item-detail")
        yield KeysFooter()

    def on_mount(self) -> None:
        # The tab bar takes no focus (1 2 3 switch tabs): tab goes from the table to its detail
        # and back, never through the bar.
        self.query_one(Tabs).can_focus = False

    def on_screen_resume(self) -> None:
        self.load()  # also on first show; and back from a case put to the Board, or from a dialog
        self.call_after_refresh(self.focus_table)

    def focus_table(self) -> None:
        """The visible tab's table takes the keys (↑/↓ move its cursor), unless its detail has them."""
        if self.app.screen is not self:
            return
        tab = self.active_tab()
        focused = self.focused
        if focused is None or self.query_one(f"#pane-{tab}") not in focused.ancestors:
            self.query_one(f"#{tab}-table", DataTable).focus()

    def on_resize(self) -> None:
        if self.data is not None:
            self.show(self.data)

    # --- reading ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="board-load")
    def load(self) -> None:
        self.post_result(self.BoardRead(read_board(self.store, board_forms.current_day())))

    def action_reload(self) -> None:
        self.load()

    def on_board_screen_board_read(self, message: BoardRead) -> None:
        self.show(message.data)

    def on_written(self, message: Written) -> None:
        if message.text:
            self.notify(message.text)
        self.load()

    def on_saved(self, message: Saved) -> None:
        self._wanted = message.row
        self.on_written(message)

    def worker_failed(self, error: BaseException | None) -> None:
        if isinstance(error, (Invalid, NotFound)):
            self.notify(_("Not saved: {reason}").format(reason=describe_error(error)), severity="error", timeout=10)
        else:
            show_error(self, error)

    def _columns(self, table: DataTable[Any], columns: list[tuple[str, int]]) -> None:
        """The table's columns anew; the one of width 0 takes the room the others leave (the
        labels are translated: a width, not a label, says which)."""
        fixed = sum(w + 2 for _label, w in columns if w)
        rest = min(60, max(14, self.size.width - 4 - fixed))
        self._keep = table.cursor_row
        self._keep_key = (table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
                          if table.row_count else None)
        table.clear(columns=True)
        for label, width in columns:
            table.add_column(label, width=width or rest)
        table.cursor_type = "row"

    def _restore(self, table: DataTable[Any]) -> None:
        """The cursor back on the record it was on (the order may have changed: an approved
        member moves up among those serving), or on the one a form just wrote."""
        if not table.row_count:
            return
        for key in (self._wanted, self._keep_key):
            if key and key in table.rows:
                table.move_cursor(row=table.get_row_index(key))
                return
        table.move_cursor(row=min(self._keep, table.row_count - 1))

    def show(self, data: BoardData) -> None:
        self.data = data
        serving = sum(1 for m in data.members if m["status"] == MemberStatus.SERVING.value)
        waiting = sum(1 for m in data.members if m["status"] == MemberStatus.NOMINATED.value)
        undecided = sum(1 for i in data.items if i["decision"] is None)
        policy = (_("[b]on[/]: a Board decision before a renewal or upgrade leaves its stage") if data.policy
                  else _("off: no Board decision required before a renewal or upgrade leaves its stage"))
        counts = " · ".join((ngettext("{n} serving", "{n} serving", serving).format(n=serving),
                             ngettext("{n} to approve", "{n} to approve", waiting).format(n=waiting),
                             ngettext("{n} matter undecided", "{n} matters undecided",
                                      undecided).format(n=f"{undecided:,}")))
        board, key = _("Digital Innovation Board"), _("Policy (p)")
        summary = from_markup(f"[b]{board}[/] · {counts}\n[dim]{key}[/] {policy}")
        summary.no_wrap, summary.overflow = True, "ellipsis"
        self.query_one("#board-summary", Static).update(summary)
        wide = self.size.width >= 110

        table = self.query_one("#members-table", DataTable)
        columns = [(_("Id"), 13), (_("Name"), 0), (_("Track"), 10), (_("Status"), 12)]
        if wide:
            columns += [(_("Nominated by"), 16), (_("Institution"), 20), (_("Term"), 23)]
        self._columns(table, columns)
        for m in data.members:
            cells: list[Any] = [plain(m["short_id"]), cut(m["name"]), TRACK_SHORT[Track(m["track"])],
                                Text(status_short(MemberStatus(m["status"])),
                                     style=STATUS_STYLE.get(m["status"], ""))]
            if wide:
                ends = m["term_end"] or pgettext("term end", "open")
                term = f"{m['term_start']} → {ends}" if m["term_start"] else "—"
                cells += [cut(m["nominated_by"] or "—"), cut(m["institution"] or ""), term]
            table.add_row(*cells, key=m["id"])
        self._restore(table)

        table = self.query_one("#meetings-table", DataTable)
        self._columns(table, [(_("Id"), 13), (_("Date"), 10), (pgettext("short", "Status"), 7), (_("Meeting"), 0),
                              (pgettext("short", "Items"), 5)])
        for mt in data.meetings:
            table.add_row(plain(mt["short_id"]), str(mt["meets_on"]), meeting_status(mt["status"]),
                          cut(mt["title"]),
                          str(mt["items"]), key=mt["id"])
        self._restore(table)

        table = self.query_one("#items-table", DataTable)
        columns = [(_("Id"), 13), (_("Case"), 13), (_("Matter"), 13), (_("Decision"), 24)]
        if wide:
            columns += [(_("Meeting"), 0)]
        self._columns(table, columns)
        for i in data.items:
            cells = [plain(i["short_id"]), plain(i["ref"]), matter_word(i["matter"]), decision_text(i)]
            if wide:
                cells.append(cut(f"{i['meets_on']} {i['meeting_title']}" if i["meeting_id"] else _("no meeting yet")))
            table.add_row(*cells, key=i["id"])
        self._restore(table)
        self._wanted = ""
        self.show_member()
        self.show_meeting()
        self.show_item()
        self.refresh_bindings()
        self.focus_table()

    # --- what the cursor is on -------------------------------------------------------------------

    def _current(self, table_id: str, rows: str) -> dict[str, Any] | None:
        if self.data is None:
            return None
        table = self.query_one(f"#{table_id}", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((r for r in getattr(self.data, rows) if r["id"] == key), None)

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        {"members-table": self.show_member, "meetings-table": self.show_meeting,
         "items-table": self.show_item}.get(event.data_table.id or "", lambda: None)()
        self.refresh_bindings()

    def show_member(self) -> None:
        m = self._current("members-table", "members")
        detail = self.query_one("#member-detail", Static)
        if m is None:
            detail.update(_("No members yet. n records a nomination."))
            return
        assert self.data is not None
        decided = (DECIDED[m["approval"]].format(day=m["approval_on"], who=m["approved_by"]) if m["approval_on"]
                   else _("awaiting the BDT Director's approval (a: approve · x: decline)"))
        nominated = _("Nominated on {day} by {who}").format(day=m["nominated_on"], who=shown(m["nominated_by"] or "—"))
        term = _("Term: {start} → {end}").format(start=m["term_start"] or "—",
                                                 end=m["term_end"] or pgettext("term end", "open"))
        lines = [f"[b]{shown(m['name'])}[/b]" + (f" · {shown(m['title'])}" if m["title"] else ""),
                 TRACK_LABELS[Track(m["track"])],
                 f"{nominated} · {shown(decided)}",
                 *([_("Institution: {institution}").format(institution=shown(m["institution"]))]
                   if m["institution"] else []),
                 f"{term} · {STATUS_LABELS[MemberStatus(m['status'])]}",
                 "[dim]" + _("id {id}").format(id=m["id"]) + "[/]", "[b]" + _("History") + "[/b]",
                 *history_lines(self.data.histories.get(m["id"], []), width=max(30, self.size.width - 10))]
        detail.update(from_markup("\n".join(lines)))

    def show_meeting(self) -> None:
        mt = self._current("meetings-table", "meetings")
        detail = self.query_one("#meeting-detail", Static)
        if mt is None:
            detail.update(_("No meetings yet. m plans one, with its agenda."))
            return
        assert self.data is not None
        on_it = [i for i in self.data.items if i["meeting_id"] == mt["id"]]
        minutes = (" · " + _("minutes {ref}").format(ref=shown(mt["minutes_ref"])) if mt["minutes_ref"] else "")
        place = shown(mt["place"] or _("place not set"))
        lines = [f"[b]{shown(mt['title'])}[/b] · {mt['meets_on']} · {place} · "
                 f"{meeting_status(mt['status'])}" + minutes,
                 "[b]" + _("Agenda") + "[/b]", shown(mt["agenda"] or _("none written"), multiline=True),
                 "[b]" + _("Matters put to it") + f"[/b] ({len(on_it)})"]
        for i in on_it:
            words = (DECISION_LABELS[Decision(i["decision"])] + f" · {i['reference']} · {i['decided_on']}"
                     if i["decision"] else "[yellow]" + _("awaiting the Board") + "[/]")
            lines.append(f"· {shown(i['ref'])} {matter_word(i['matter'])}: "
                         f"{words if i['decision'] is None else shown(words)} [dim]{shown(i['case_title'])}[/]")
        lines.append("[dim]" + _("d records a decision · h records the meeting held · e changes its date") + "[/]")
        detail.update(from_markup("\n".join(lines)))

    def show_item(self) -> None:
        i = self._current("items-table", "items")
        detail = self.query_one("#item-detail", Static)
        if i is None:
            detail.update(_("No matters put to the Board yet. On a case, t puts it to the Board."))
            return
        where = f"{i['meets_on']} {i['meeting_title']}" if i["meeting_id"] else _("no meeting yet")
        lines = [f"[b]{shown(i['ref'])}[/b] {shown(i['case_title'])} · {matter_word(i['matter'])} · {shown(where)}",
                 (_("Decision: {decision}").format(decision=shown(
                     f"{DECISION_LABELS[Decision(i['decision'])]} · {i['reference']} · {i['decided_on']}"))
                  if i["decision"] else
                  "[yellow]" + _("Awaiting the Board") + "[/] "
                  + _("(d records its decision or advice · v moves it to another meeting)"))]
        if i["note"]:
            lines.append(_("Conditions or advice: {note}").format(note=shown(i["note"], multiline=True)))
        lines.append("[dim]" + _("Enter opens the case") + "[/]")
        detail.update(from_markup("\n".join(lines)))

    # --- writing ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=False, exit_on_error=False, group="board-write")
    def write(self, job: Callable[[], Message]) -> None:
        self.post_result(job())

    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active.removeprefix("pane-")

    def action_tab(self, tab: str) -> None:
        tabs = self.query_one(TabbedContent)
        # show_tab hands the focus through the tab bar, which takes none here: straight to the table.
        tabs.active = f"pane-{tab}"
        self.call_after_refresh(self.query_one(f"#{tab}-table").focus)

    @on(TabbedContent.TabActivated)
    def tab_changed(self, _event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()
        self.call_after_refresh(self.focus_table)  # a tab clicked: its table takes the keys

    @on(DataTable.RowSelected, "#items-table")
    def open_case(self, event: DataTable.RowSelected) -> None:
        item = next((i for i in self.data.items if i["id"] == event.row_key.value), None) if self.data else None
        if item is not None:
            self.dtlab.open_case(item["ref"])

    def action_home(self) -> None:
        self.dtlab.action_go("dashboard")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.data is None:
            return action in ("home", "reload", "tab")
        # Another tab's key for its table is left out. A key of this tab is live even where it does
        # not apply (a on a track-2 member, h on a held meeting): it says why, not nothing.
        return not (any(action in keys for keys in self.TAB_KEYS.values())
                    and action not in self.TAB_KEYS[self.active_tab()])

    def footer_dropped_first(self) -> tuple[str, ...]:
        """What a narrow footer leaves out first: the keys that work anywhere but belong to another
        tab (m on the members), then the Board-wide ones (d, p)."""
        tab = self.active_tab() if self.is_mounted else ""
        return tuple(a for a, home in self.ANYWHERE.items() if home and home != tab) + ("decide", "policy")
