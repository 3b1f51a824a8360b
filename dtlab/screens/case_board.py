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
from dtlab.domain import board
from dtlab.domain.board import DECISION_LABELS, Decision, Matter
from dtlab.domain.stages import STAGE_LABELS, RenewalOutcome, Stage, Status
from dtlab.present.safe import shown
from dtlab.screens.base import DtlabScreen
from dtlab.screens.forms import ask
from dtlab.screens.messages import Written
from dtlab.services.board import put_matter


def suggested_matter(detail: dict[str, Any]) -> Matter | None:
    """The matter the case's stage and renewal outcome suggest (None: none fits its stage)."""
    outcome = detail.get("renewal_outcome")
    return board.suggested_matter(Stage(detail["stage"]), RenewalOutcome(outcome) if outcome else None)


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
        if self.loaded is None:
            return
        detail = self.loaded.detail
        if detail["status"] != Status.OPEN.value:
            self.notify(f"The case is {detail['status']}: nothing of it goes to the Board.", severity="warning")
            return
        if not board.matters_for(Stage(detail["stage"])):
            self.notify(f"In {STAGE_LABELS[Stage(detail['stage'])]} no matter of the case goes to the Board yet: an "
                        "accreditation from the joint statement on; a renewal, upgrade or closure from accredited "
                        "operation on.", severity="warning")
            return
        self.read_meetings()

    @work(thread=True, exclusive=True, exit_on_error=False, group="case-board")
    def read_meetings(self) -> None:
        with self.store.read() as session:
            planned = [m for m in list_meetings(session) if m["status"] == "planned"]
        self.post_result(BoardMeetingsRead(planned))

    def on_board_meetings_read(self, message: BoardMeetingsRead) -> None:
        assert self.loaded is not None
        detail = self.loaded.detail
        fits = board.matters_for(Stage(detail["stage"]))
        suggested = suggested_matter(detail)
        self.ask_put(message.meetings, fits, {"matter": (suggested or fits[0]).value,
                                              "meeting": message.meetings[0]["id"] if message.meetings else ""})

    def ask_put(self, planned: list[dict[str, Any]], fits: tuple[Matter, ...], chosen: dict[str, str]) -> None:
        """The dialog that puts the case to the Board: the matters its stage allows, the planned
        meetings; refused, it comes back as chosen, with the reason (`forms.ask`)."""
        store, ref = self.store, self.ref
        meetings = [("", "no meeting yet")] + [(m["id"], f"{m['meets_on']} {m['title']}") for m in planned]

        def save(values: dict[str, str]) -> Written:
            put = put_matter(store, ref, values["matter"], values["meeting"])
            return Written(f"{ref}: {put.matter.value} " + ("moved to the meeting chosen" if put.moved
                                                             else "put to the Board"))

        ask(self.app, self.write, "Put the case to the Board",
            [("matter", "Matter", [(m.value, m.value.capitalize()) for m in fits]), ("meeting", "Meeting", meetings)],
            save, required=("matter",), ok="Put", initial=chosen,
            explanation=f"[dim]The case can put: {', '.join(m.value for m in fits)} (at its stage). A matter "
                        "awaiting the Board already moves to the meeting chosen. The decision is recorded on the "
                        "Board screen (F7).[/]")
