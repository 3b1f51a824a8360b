"""The moves of a case along the path, as its screen offers them: which keys the path allows now,
the questions asked before a move (a reason, the renewal's consequence) and the move itself."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import work
from textual.message import Message
from textual.widgets import TabbedContent

from dtlab.db.queries import Choices
from dtlab.domain.history import HistoryEntry
from dtlab.domain.stages import MoveKind, MoveRefused, OutcomeNeeded, Stage, Status, plan_move
from dtlab.errors import Invalid, describe_error
from dtlab.i18n import _
from dtlab.present.case_text import case_values
from dtlab.present.labels import STAGE_LABELS
from dtlab.present.safe import shown
from dtlab.present.words import OVERTAKEN_HINT, RENEWAL_QUESTIONS, describe_move
from dtlab.screens.base import DtlabScreen
from dtlab.screens.messages import Written
from dtlab.services.cases import GateRefused, move_case
from dtlab.services.meanwhile import ChangedMeanwhile
from dtlab.widgets.dialogs import ConfirmDialog, ReasonDialog
from dtlab.widgets.fields import FieldForm, field_errors

# The moves the keys offer; the path (`plan_move`) says which the case allows as it stands.
MOVE_ACTIONS = {"advance": MoveKind.ADVANCE, "override": MoveKind.ADVANCE, "back": MoveKind.BACK,
                "withdraw": MoveKind.WITHDRAW, "decline": MoveKind.DECLINE, "close_case": MoveKind.CLOSE,
                "reopen": MoveKind.REOPEN}


@dataclass
class Loaded:
    """What the case screen shows, read in one transaction."""

    detail: dict[str, Any]
    history: list[HistoryEntry]
    choices: Choices | None
    plan: dict[str, Any] | None  # the centre's monitoring plan, once the case is a centre

    @functools.cached_property
    def values(self) -> dict[str, Any]:
        """The case as its forms hold it, worked out once for every stage tab filled."""
        return case_values(self.detail)


class CaseMoves(DtlabScreen[None]):
    """The case screen's moves; the screen itself (case_view.CaseScreen) loads, shows and saves."""

    ref: str
    loaded: Loaded | None
    forms: dict[Stage, FieldForm]
    tabbed: TabbedContent | None

    @work(thread=True, exclusive=True, exit_on_error=False, group="case-write")
    def write(self, job: Callable[[], Message]) -> None:
        """Run a write off the screen; `job` says what came of it (Written, ReplanAsked). Its
        error reaches the screen's `worker_failed`."""
        self.post_result(job())

    def _move(self, kind: MoveKind, reason: str | None = None, override: bool = False) -> None:
        store, ref = self.store, self.ref

        def job() -> Written:
            result = move_case(store, ref, kind, reason=reason, override=override)
            return Written(describe_move(result.kind.value, result.from_stage.value, result.to_stage.value,
                                         result.status.value, overridden=bool(result.overridden)))

        self.write(job)

    def handle_write_error(self, error: BaseException | None) -> None:
        if isinstance(error, GateRefused):
            self.say_gate_unmet(error.stage, [c.text for c in error.unmet])
            return
        if isinstance(error, ChangedMeanwhile):
            self.show_overtaken(error)
            return
        if isinstance(error, Invalid):
            form = self.active_form()
            if form is not None:
                per_field, rest = field_errors(str(error), form.field_names())
                form.show_errors(per_field)
                if rest is None:
                    self.notify(_("Not saved: a field needs attention."), severity="warning")
                    return
            self.notify(str(error), severity="error", timeout=10)
            return
        self.notify(_("Not saved: {error}").format(error=describe_error(error)), severity="error", timeout=10)

    def say_gate_unmet(self, stage: Stage, unmet: list[str]) -> None:
        missing = "\n".join(f"✗ {text}" for text in unmet)
        self.notify(_("Cannot leave {stage} yet:\n{missing}\n(o: override with a reason)").format(
            stage=STAGE_LABELS[stage], missing=missing), severity="error", timeout=12)

    def show_overtaken(self, error: ChangedMeanwhile) -> None:
        """Someone else changed fields of this save since the form was read: say who and when
        beside each, keep what the user typed, and take their value as the one the user has now
        seen, so that saving again replaces it knowingly."""
        for form in self.forms.values():
            form.loaded.update({o.field: o.now for o in error.overtaken if o.field in form.loaded})
        shown_on = self.active_form()
        if shown_on is not None:  # each field's own line beside it; the notice says what to do
            per_field: dict[str, str] = {}
            for problem in error.problems:
                per_field.update(field_errors(problem, shown_on.field_names())[0])
            shown_on.show_errors(per_field)
        self.notify(_(OVERTAKEN_HINT), severity="warning", timeout=12)  # a constant, marked where written

    def active_stage(self) -> Stage | None:
        if self.tabbed is None:
            return None
        active = self.tabbed.active.removeprefix("tab-")
        return Stage(active) if active in {s.value for s in Stage} else None

    def active_form(self) -> FieldForm | None:
        stage = self.active_stage()
        return self.forms.get(stage) if stage else None

    def has_unsaved_work(self) -> bool:
        return bool(self.unsaved())

    def unsaved(self) -> list[Stage]:
        return [stage for stage, form in self.forms.items() if form.dirty]

    def action_advance(self) -> None:
        if self.unsaved():
            self.notify(_("Save your changes first (ctrl+s): the gate reads what is saved."), severity="warning")
            return
        detail = self.loaded.detail if self.loaded else {}
        at_renewal = detail.get("stage") == Stage.RENEWAL.value
        question = RENEWAL_QUESTIONS.get(detail.get("renewal_outcome") or "") if at_renewal else None
        if question is None:
            self._move(MoveKind.ADVANCE)
            return
        # The gate first, as read: asking "start a new period?" of a move the gate then refuses
        # would have the user agree to nothing. (The move checks it again, as saved.)
        unmet = [c["text"] for c in detail.get("gate") or [] if not c["met"]]
        if unmet:
            self.say_gate_unmet(Stage.RENEWAL, unmet)
            return

        def done(yes: bool | None) -> None:
            if yes:
                self._move(MoveKind.ADVANCE)

        self.app.push_screen(ConfirmDialog(_(question), yes=_("Go ahead"), no=_("Stay")), done)

    def _ask(self, kind: MoveKind, title: str, explanation: str = "", required: bool = True,
             override: bool = False) -> None:
        if not self.say_why_not(kind):
            return

        def done(reason: str | None) -> None:
            if reason is not None:
                self._move(kind, reason or None, override)

        self.app.push_screen(ReasonDialog(title, explanation, required), done)

    def action_override(self) -> None:
        if self.loaded is None:
            return
        stage = Stage(self.loaded.detail["stage"])
        unmet = [c["text"] for c in self.loaded.detail["checklists"][stage.value] if not c["met"]]
        if not unmet:
            self.notify(_("The gate is met: advance with a."))
            return
        unmet_lines = "\n".join(f"✗ {shown(t)}" for t in unmet)
        self._ask(MoveKind.ADVANCE, _("Override the gate of {stage}").format(stage=STAGE_LABELS[stage]),
                  _("Not met:\n{conditions}\nThe override and its reason are recorded in the history.").format(
                      conditions=unmet_lines), override=True)

    def action_back(self) -> None:
        self._ask(MoveKind.BACK, _("Send the case back one stage"), required=False)

    def action_withdraw(self) -> None:
        self._ask(MoveKind.WITHDRAW, _("Withdraw the case"), _("The applicant no longer pursues the request."))

    def action_decline(self) -> None:
        self._ask(MoveKind.DECLINE, _("Decline the request"))

    def action_close_case(self) -> None:
        self._ask(MoveKind.CLOSE, _("Close the case"))

    def action_reopen(self) -> None:
        self._ask(MoveKind.REOPEN, _("Reopen the case"))

    def say_why_not(self, kind: MoveKind) -> bool:
        """Whether the move can be asked for; if not, the path's reason is said (a key that does
        nothing would leave the user guessing)."""
        if self.loaded is None:
            return False
        detail = self.loaded.detail
        try:
            plan_move(kind, Stage(detail["stage"]), Status(detail["status"]))
        except OutcomeNeeded:
            return True
        except MoveRefused as refused:
            self.notify(str(refused), severity="warning")
            return False
        return True

    def move_allowed(self, kind: MoveKind) -> bool:
        """Whether the path allows the move from where the case is (its gate is checked when
        the move is made, and says what is missing: so does a renewal without its outcome)."""
        assert self.loaded is not None
        detail = self.loaded.detail
        try:
            plan_move(kind, Stage(detail["stage"]), Status(detail["status"]))
        except OutcomeNeeded:
            return True
        except MoveRefused:
            return False
        return True
