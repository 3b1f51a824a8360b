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
from dtlab.domain.board import DECISION_LABELS, MATTER_LABELS, Decision, Matter
from dtlab.domain.stages import STAGE_LABELS, RenewalOutcome, Stage, Status
from dtlab.i18n import N_, Translated, _
from dtlab.present.safe import shown
from dtlab.screens.base import DtlabScreen
from dtlab.screens.forms import ask
from dtlab.screens.messages import Written
from dtlab.services.board import put_matter

# Why a case no longer open puts nothing to the Board, said whole for each way a case ends.
NOT_OPEN = Translated({Status.WITHDRAWN.value: N_("The case is withdrawn: nothing of it goes to the Board."),
                       Status.DECLINED.value: N_("The case is declined: nothing of it goes to the Board."),
                       Status.CLOSED.value: N_("The case is closed: nothing of it goes to the Board.")})


def suggested_matter(detail: dict[str, Any]) -> Matter | None:
    """The matter the case's stage and renewal outcome suggest (None: none fits its stage)."""
    outcome = detail.get("renewal_outcome")
    return board.suggested_matter(Stage(detail["stage"]), RenewalOutcome(outcome) if outcome else None)


def board_markup(detail: dict[str, Any]) -> str:
    """The case's matters put to the Board, latest last, with the Board's word on each."""
    lines = ["", "[b]" + _("Digital Innovation Board") + "[/b] [dim](" + _("t: put the case to the Board") + ")[/]"]
    for item in detail.get("board") or []:
        where = f"{item['meets_on']} {item['meeting_title']}" if item["meeting_id"] else _("no meeting yet")
        if item["decision"] is None:
            said = "[yellow]" + _("awaiting the Board") + "[/]"
        else:
            said = shown(f"{DECISION_LABELS[Decision(item['decision'])]} · {item['reference']} · {item['decided_on']}")
        lines.append(f"· {MATTER_LABELS[Matter(item['matter'])]}: {said} [dim]({shown(where)})[/]")
        if item["note"]:
            lines.append(f"  [dim]{shown(item['note'])}[/]")
    if not detail.get("board"):
        lines.append("[dim]" + _("not put to the Board") + "[/]")
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
            self.notify(NOT_OPEN[detail["status"]], severity="warning")
            return
        if not board.matters_for(Stage(detail["stage"])):
            self.notify(_("In {stage} no matter of the case goes to the Board yet: an accreditation from the joint "
                          "statement on; a renewal, upgrade or closure from accredited operation on.").format(
                              stage=STAGE_LABELS[Stage(detail["stage"])]), severity="warning")
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
        meetings = [("", _("no meeting yet"))] + [(m["id"], f"{m['meets_on']} {m['title']}") for m in planned]

        def save(values: dict[str, str]) -> Written:
            put = put_matter(store, ref, values["matter"], values["meeting"])
            said = (_("{ref}: {matter} moved to the meeting chosen") if put.moved
                    else _("{ref}: {matter} put to the Board"))
            return Written(said.format(ref=ref, matter=MATTER_LABELS[put.matter]))

        can_put = _("The case can put: {matters} (at its stage). A matter awaiting the Board already moves to the "
                    "meeting chosen. The decision is recorded on the Board screen (F7).").format(
                        matters=", ".join(MATTER_LABELS[m] for m in fits))
        ask(self.app, self.write, _("Put the case to the Board"),
            [("matter", _("Matter"), [(m.value, MATTER_LABELS[m].capitalize()) for m in fits]),
             ("meeting", _("Meeting"), meetings)],
            save, required=("matter",), ok=_("Put"), initial=chosen, explanation="[dim]" + can_put + "[/]")
