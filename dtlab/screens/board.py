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
    STATUS_LABELS,
    TRACK_LABELS,
    TRACK_SHORT,
    Decision,
    MemberStatus,
    Track,
)
from dtlab.errors import Invalid, NotFound
from dtlab.present.charts import cut
from dtlab.present.history import history_lines
from dtlab.present.safe import from_markup, plain, shown
from dtlab.present.words import plural
from dtlab.screens import board_forms
from dtlab.screens.base import show_error
from dtlab.screens.board_forms import BoardData, BoardForms, Saved
from dtlab.screens.messages import Written
from dtlab.widgets.footer import KeysFooter

STATUS_STYLE = {MemberStatus.SERVING.value: "green", MemberStatus.NOMINATED.value: "yellow",
                MemberStatus.DECLINED.value: "red", MemberStatus.TERM_ENDED.value: "dim"}
STATUS_SHORT = {MemberStatus.NOMINATED: "nominated", MemberStatus.DECLINED: "declined",
                MemberStatus.APPROVED: "approved", MemberStatus.SERVING: "serving",
                MemberStatus.TERM_ENDED: "term ended"}


def read_board(store: Any, today: date) -> BoardData:
    with store.read() as session:
        members = list_members(session, today)
        return BoardData(members, list_meetings(session), list_items(session), board_policy(session),
                         {m["id"]: row_history(session, "board_members", m["id"]) for m in members})


def decision_text(item: dict[str, Any]) -> Text:
    if item["decision"] is None:
        return Text("awaiting the Board", style="yellow")
    style = {"approved": "green", "approved_with_conditions": "green", "not_approved": "red"}.get(item["decision"], "")
    return Text(DECISION_LABELS[Decision(item["decision"])], style=style)


class BoardScreen(BoardForms):
    HELP_TITLE = "Digital Innovation Board"
    HELP_EXTRA = (("enter", "Matters: open the case"), ("1 2 3", "Members, Meetings, Matters: each tab's keys "
                                                                 "act on its table (tab: to the detail and back)"))
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "nominate", "Nominate", id="board.nominate",
                tooltip="Record a nomination: track 1 (by a country or institution) or track 2 (by BDT)"),
        Binding("a", "approve", "Approve", id="board.approve",
                tooltip="The BDT Director approves the highlighted track-1 nomination"),
        Binding("x", "decline", "Decline", id="board.decline",
                tooltip="The BDT Director declines the highlighted track-1 nomination"),
        Binding("t", "end_term", "End term", id="board.end_term",
                tooltip="End the highlighted member's term (on its first day: a member recorded by mistake)"),
        Binding("m", "new_meeting", "New meeting", id="board.new_meeting", tooltip="Plan a meeting, with its agenda"),
        Binding("e", "edit_meeting", "Edit", id="board.edit_meeting",
                tooltip="Change the highlighted meeting: its date (a planned meeting moved), title, place, agenda"),
        Binding("h", "held", "Held", id="board.held",
                tooltip="Record that the highlighted meeting was held, with its minutes' reference"),
        Binding("d", "decide", "Decide", id="board.decide",
                tooltip="Record the Board's decision or advice on a matter put to it"),
        Binding("v", "move_item", "Move", id="board.move_item",
                tooltip="Move the highlighted matter, awaiting the Board, to another planned meeting"),
        Binding("p", "policy", "Policy", id="board.policy",
                tooltip="Require (or not) a Board decision before a renewal or upgrade leaves its stage"),
        Binding("1", "tab('members')", "Members", id="board.tab_members", show=False),
        Binding("2", "tab('meetings')", "Meetings", id="board.tab_meetings", show=False),
        Binding("3", "tab('items')", "Matters", id="board.tab_items", show=False),
        Binding("ctrl+r", "reload", "Reload", id="board.reload", tooltip="Read the Board again", show=False),
        Binding("escape", "home", "Home", id="board.home", tooltip="Back to the dashboard (also f2)"),
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
        yield Static("Reading the Board…", id="board-summary")
        with TabbedContent(id="board-tabs", initial="pane-members"):
            with TabPane("1 Members", id="pane-members"):
                yield DataTable(id="members-table", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(classes="board-detail"):
                    yield Static("", id="member-detail")
            with TabPane("2 Meetings", id="pane-meetings"):
                yield DataTable(id="meetings-table", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(classes="board-detail"):
                    yield Static("", id="meeting-detail")
            with TabPane("3 Matters", id="pane-items"):
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
        show_error(self, error, "Not saved: " if isinstance(error, (Invalid, NotFound)) else "")

    def _columns(self, table: DataTable[Any], columns: list[tuple[str, int]], flexible: str) -> None:
        fixed = sum(w + 2 for label, w in columns if label != flexible)
        rest = min(60, max(14, self.size.width - 4 - fixed))
        self._keep = table.cursor_row
        self._keep_key = (table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
                          if table.row_count else None)
        table.clear(columns=True)
        for label, width in columns:
            table.add_column(label, width=rest if label == flexible else width)
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
        policy = ("[b]on[/]: a Board decision before a renewal or upgrade leaves its stage" if data.policy
                  else "off: no Board decision required before a renewal or upgrade leaves its stage")
        summary = from_markup(
            f"[b]Digital Innovation Board[/] · {serving} serving · {waiting} to approve · "
            f"{plural(undecided, 'matter')} undecided\n[dim]Policy (p)[/] {policy}")
        summary.no_wrap, summary.overflow = True, "ellipsis"
        self.query_one("#board-summary", Static).update(summary)
        wide = self.size.width >= 110

        table = self.query_one("#members-table", DataTable)
        columns = [("Id", 13), ("Name", 0), ("Track", 10), ("Status", 12)]
        if wide:
            columns += [("Nominated by", 16), ("Institution", 20), ("Term", 23)]
        self._columns(table, columns, "Name")
        for m in data.members:
            cells: list[Any] = [plain(m["short_id"]), cut(m["name"]), TRACK_SHORT[Track(m["track"])],
                                Text(STATUS_SHORT[MemberStatus(m["status"])],
                                     style=STATUS_STYLE.get(m["status"], ""))]
            if wide:
                term = f"{m['term_start']} → {m['term_end'] or 'open'}" if m["term_start"] else "—"
                cells += [cut(m["nominated_by"] or "—"), cut(m["institution"] or ""), term]
            table.add_row(*cells, key=m["id"])
        self._restore(table)

        table = self.query_one("#meetings-table", DataTable)
        self._columns(table, [("Id", 13), ("Date", 10), ("Status", 7), ("Meeting", 0), ("Items", 5)], "Meeting")
        for mt in data.meetings:
            table.add_row(plain(mt["short_id"]), str(mt["meets_on"]), mt["status"], cut(mt["title"]),
                          str(mt["items"]), key=mt["id"])
        self._restore(table)

        table = self.query_one("#items-table", DataTable)
        columns = [("Id", 13), ("Case", 13), ("Matter", 13), ("Decision", 24)]
        if wide:
            columns += [("Meeting", 0)]
        self._columns(table, columns, "Meeting")
        for i in data.items:
            cells = [plain(i["short_id"]), plain(i["ref"]), i["matter"], decision_text(i)]
            if wide:
                cells.append(cut(f"{i['meets_on']} {i['meeting_title']}" if i["meeting_id"] else "no meeting yet"))
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
            detail.update("No members yet. n records a nomination.")
            return
        assert self.data is not None
        decided = (f"{m['approval']} on {m['approval_on']} by {m['approved_by']}" if m["approval_on"]
                   else "awaiting the BDT Director's approval (a: approve · x: decline)")
        lines = [f"[b]{shown(m['name'])}[/b]" + (f" · {shown(m['title'])}" if m["title"] else ""),
                 TRACK_LABELS[Track(m["track"])],
                 f"Nominated on {m['nominated_on']} by {shown(m['nominated_by'] or '—')} · {shown(decided)}",
                 *([f"Institution: {shown(m['institution'])}"] if m["institution"] else []),
                 f"Term: {m['term_start'] or '—'} → {m['term_end'] or 'open'} · "
                 f"{STATUS_LABELS[MemberStatus(m['status'])]}",
                 f"[dim]id {m['id']}[/]", "[b]History[/b]",
                 *history_lines(self.data.histories.get(m["id"], []), width=max(30, self.size.width - 10))]
        detail.update(from_markup("\n".join(lines)))

    def show_meeting(self) -> None:
        mt = self._current("meetings-table", "meetings")
        detail = self.query_one("#meeting-detail", Static)
        if mt is None:
            detail.update("No meetings yet. m plans one, with its agenda.")
            return
        assert self.data is not None
        on_it = [i for i in self.data.items if i["meeting_id"] == mt["id"]]
        lines = [f"[b]{shown(mt['title'])}[/b] · {mt['meets_on']} · {shown(mt['place'] or 'place not set')} · "
                 f"{mt['status']}" + (f" · minutes {shown(mt['minutes_ref'])}" if mt["minutes_ref"] else ""),
                 "[b]Agenda[/b]", shown(mt["agenda"] or "none written", multiline=True),
                 f"[b]Matters put to it[/b] ({len(on_it)})"]
        for i in on_it:
            words = (DECISION_LABELS[Decision(i["decision"])] + f" · {i['reference']} · {i['decided_on']}"
                     if i["decision"] else "[yellow]awaiting the Board[/]")
            lines.append(f"· {shown(i['ref'])} {i['matter']}: {words if i['decision'] is None else shown(words)}"
                         f" [dim]{shown(i['case_title'])}[/]")
        lines.append("[dim]d records a decision · h records the meeting held · e changes its date[/]")
        detail.update(from_markup("\n".join(lines)))

    def show_item(self) -> None:
        i = self._current("items-table", "items")
        detail = self.query_one("#item-detail", Static)
        if i is None:
            detail.update("No matters put to the Board yet. On a case, t puts it to the Board.")
            return
        where = f"{i['meets_on']} {i['meeting_title']}" if i["meeting_id"] else "no meeting yet"
        lines = [f"[b]{shown(i['ref'])}[/b] {shown(i['case_title'])} · {i['matter']} · {shown(where)}",
                 ("Decision: " + shown(f"{DECISION_LABELS[Decision(i['decision'])]} · {i['reference']} · "
                                       f"{i['decided_on']}") if i["decision"] else
                  "[yellow]Awaiting the Board[/] (d records its decision or advice · v moves it to another "
                  "meeting)")]
        if i["note"]:
            lines.append("Conditions or advice: " + shown(i["note"], multiline=True))
        lines.append("[dim]Enter opens the case[/]")
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
