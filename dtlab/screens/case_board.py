"""A case before the Digital Innovation Board, on the case's screen: its matters put to the Board
with the decisions (shown on the operation and renewal tabs), and the key that puts a matter of
the case to the Board, at a planned meeting or not yet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import work
from textual.message import Message

from dtlab.db.board import list_meetings
from dtlab.domain.board import DECISION_LABELS, Decision, Matter
from dtlab.present.safe import shown
from dtlab.screens.base import DtlabScreen
from dtlab.screens.messages import Written
from dtlab.services.board import put_to_board
from dtlab.widgets.dialogs import ValuesDialog

# The matter a case's stage and renewal outcome suggest first.
_OUTCOME_MATTER = {"renewed": Matter.RENEWAL, "upgraded": Matter.UPGRADE, "closed": Matter.CLOSURE}


def suggested_matter(detail: dict[str, Any]) -> Matter:
    if detail["stage"] == "renewal":
        return _OUTCOME_MATTER.get(detail.get("renewal_outcome") or "", Matter.RENEWAL)
    if detail["stage"] == "operation":
        return Matter.RENEWAL
    return Matter.ACCREDITATION


def board_markup(detail: dict[str, Any]) -> str:
    """The case's matters put to the Board, latest last, with the Board's word on each."""
    lines = ["", "[b]Digital Innovation Board[/b] [dim](t: put the case to the Board)[/]"]
    for item in detail.get("board") or []:
        where = f"{item['meets_on']} {item['meeting_title']}" if item["meeting_id"] else "no meeting yet"
        if item["decision"] is None:
            said = "[yellow]awaiting the Board[/]"
        else:
            said = shown(f"{DECISION_LABELS[Decision(item['decision'])]} · {item['reference']} · {item['decided_on']}")
        lines.append(f"· {item['matter']}: {said} [dim]({shown(where)})[/]")
        if item["note"]:
            lines.append(f"  [dim]{shown(item['note'])}[/]")
    if not detail.get("board"):
        lines.append("[dim]not put to the Board[/]")
    return "\n".join(lines)


@dataclass
class BoardMeetingsRead(Message):
    """The planned meetings, read to offer them when a case is put to the Board."""

    meetings: list[dict[str, Any]]


class CaseBoard(DtlabScreen[None]):
    """The case screen's Board key; the screen provides `ref`, `loaded` and `write`."""

    ref: str
    loaded: Any

    def write(self, job: Callable[[], Message]) -> Any:
        raise NotImplementedError

    def action_put_to_board(self) -> None:
        if self.loaded is not None:
            self.read_meetings()

    @work(thread=True, exclusive=True, exit_on_error=False, group="case-board")
    def read_meetings(self) -> None:
        with self.store.read() as session:
            planned = [m for m in list_meetings(session) if m["status"] == "planned"]
        self.post_result(BoardMeetingsRead(planned))

    def on_board_meetings_read(self, message: BoardMeetingsRead) -> None:
        store, ref = self.store, self.ref
        meetings = [("", "no meeting yet")] + [(m["id"], f"{m['meets_on']} {m['title']}") for m in message.meetings]

        def done(values: dict[str, str] | None) -> None:
            if not values:
                return

            def job() -> Written:
                put_to_board(store, ref, values["matter"], values["meeting"])
                return Written(f"{ref}: {values['matter']} put to the Board")

            self.write(job)

        self.app.push_screen(ValuesDialog(
            "Put the case to the Board", [("matter", "Matter", [(m.value, m.value.capitalize()) for m in Matter]),
                                          ("meeting", "Meeting", meetings)],
            required=("matter",), ok="Put",
            explanation="[dim]The Digital Innovation Board decides on accreditations, renewals, upgrades and "
                        "closures; its decision is recorded on the Board screen (F7).[/]",
            initial={"matter": suggested_matter(self.loaded.detail).value,
                     "meeting": message.meetings[0]["id"] if message.meetings else ""}), done)
