"""The accelerator path: its stages, the statuses a case can end in, and the allowed moves."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from dtlab.i18n import N_, Translated, _


class Stage(str, Enum):
    INTEREST = "interest"
    ASSESSMENT = "assessment"
    CONCEPT_DESIGN = "concept_design"
    AGREEMENT = "agreement"
    IMPLEMENTATION = "implementation"
    OPERATION = "operation"
    RENEWAL = "renewal"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]

    @property
    def position(self) -> int:
        return STAGE_ORDER.index(self)


# Partner centres: an organisation already running such a centre becomes an ITU partner "through
# the design and evaluation process" (the BDT circular), so a case enters the path at concept
# design at the latest. Entering further along skips that evaluation: an override, recorded with
# its reason like a gate's.
LATEST_ENTRY = Stage.CONCEPT_DESIGN
# Stored as what the entry overrode, in English as every stored word: translated where it is shown.
SKIPPED_ON_ENTRY = N_("the concept design and its evaluation (a partner centre enters at concept design)")


def entry_overrides(stage: Stage) -> bool:
    """Whether entering the path at `stage` skips the design and evaluation a partner passes."""
    return stage.position > LATEST_ENTRY.position


STAGE_ORDER: tuple[Stage, ...] = tuple(Stage)

# A stage's name, as the gate and move messages say it; front ends take it from dtlab.present.
STAGE_LABELS: Translated[Stage] = Translated({
    Stage.INTEREST: N_("Expression of interest"),
    Stage.ASSESSMENT: N_("Preliminary assessment"),
    Stage.CONCEPT_DESIGN: N_("Concept design & evaluation"),
    Stage.AGREEMENT: N_("Joint statement / agreement"),
    Stage.IMPLEMENTATION: N_("Set-up"),
    Stage.OPERATION: N_("Accredited operation"),
    Stage.RENEWAL: N_("Evaluation & re-accreditation"),
})


class Status(str, Enum):
    OPEN = "open"
    WITHDRAWN = "withdrawn"
    DECLINED = "declined"
    CLOSED = "closed"

    @property
    def is_terminal(self) -> bool:
        return self is not Status.OPEN


class Channel(str, Enum):
    LETTER = "letter"
    EOI = "eoi"
    TA_REQUEST = "ta_request"


class RenewalOutcome(str, Enum):
    RENEWED = "renewed"
    UPGRADED = "upgraded"
    CLOSED = "closed"


class MoveKind(str, Enum):
    ENTER = "enter"  # a case created directly at a later stage (e.g. an existing partner centre)
    ADVANCE = "advance"
    BACK = "back"
    WITHDRAW = "withdraw"
    DECLINE = "decline"
    CLOSE = "close"
    REOPEN = "reopen"


TERMINAL_MOVES: dict[MoveKind, Status] = {
    MoveKind.WITHDRAW: Status.WITHDRAWN,
    MoveKind.DECLINE: Status.DECLINED,
    MoveKind.CLOSE: Status.CLOSED,
}


# Why a move is refused while the case is ended, by how it ended: one sentence each, so that each
# language words the status as its sentence needs.
TERMINAL_WORDS: Translated[Status] = Translated({
    Status.WITHDRAWN: N_("the case is withdrawn; reopen it first"),
    Status.DECLINED: N_("the case is declined; reopen it first"),
    Status.CLOSED: N_("the case is closed; reopen it first"),
})


class MoveRefused(Exception):
    """A move the path does not allow, whatever the gate says (e.g. moving a closed case)."""


class OutcomeNeeded(MoveRefused):
    """Advancing from renewal before its outcome is recorded. The path offers the move; like a
    gate, the outcome is met by recording it, and it decides where the case goes."""


@dataclass(frozen=True)
class Move:
    kind: MoveKind
    from_stage: Stage | None
    to_stage: Stage
    status: Status


def parse_stage(value: str) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        known = ", ".join(s.value for s in Stage)
        raise ValueError(_("unknown stage {value} (known: {known})").format(value=repr(value), known=known)) from None


def next_stage(stage: Stage, renewal_outcome: RenewalOutcome | None = None) -> tuple[Stage, Status]:
    """Where advancing leads. Renewal loops: renewed → a new operation period, upgraded → a new
    concept design for the new type, closed → the case ends at renewal."""
    if stage is Stage.RENEWAL:
        if renewal_outcome is RenewalOutcome.RENEWED:
            return Stage.OPERATION, Status.OPEN
        if renewal_outcome is RenewalOutcome.UPGRADED:
            return Stage.CONCEPT_DESIGN, Status.OPEN
        if renewal_outcome is RenewalOutcome.CLOSED:
            return Stage.RENEWAL, Status.CLOSED
        # Not even an override can choose for the user: the outcome says where the case goes.
        raise OutcomeNeeded(_("record the renewal outcome first (renewed, upgraded or closed): it decides where "
                              "the case goes"))
    return STAGE_ORDER[stage.position + 1], Status.OPEN


def plan_move(
    kind: MoveKind,
    stage: Stage,
    status: Status,
    renewal_outcome: RenewalOutcome | None = None,
) -> Move:
    """The stage and status a move leads to, or MoveRefused. Gates are checked separately."""
    if kind is MoveKind.REOPEN:
        if not status.is_terminal:
            raise MoveRefused(_("the case is open already"))
        return Move(kind, stage, stage, Status.OPEN)
    if status.is_terminal:
        raise MoveRefused(TERMINAL_WORDS[status])
    if kind is MoveKind.ADVANCE:
        to, new_status = next_stage(stage, renewal_outcome)
        return Move(kind, stage, to, new_status)
    if kind is MoveKind.BACK:
        if stage is Stage.INTEREST:
            raise MoveRefused(_("the case is at the first stage; there is no stage to send it back to"))
        return Move(kind, stage, STAGE_ORDER[stage.position - 1], Status.OPEN)
    if kind in TERMINAL_MOVES:
        return Move(kind, stage, stage, TERMINAL_MOVES[kind])
    raise MoveRefused(_("{kind} is not a move between stages").format(kind=kind.value))


# What a case forgets when it leaves renewal (the old values stay in the history): the outcome and
# the evaluation belonged to the period that ended; an upgrade also goes through the path again for
# the new type, with a new agreement, set-up and accreditation.
PERIOD_FIELDS = ("renewal_outcome", "period_evaluated_on", "period_evaluation")
UPGRADE_FIELDS = ("agreement_ref", "signatories", "signed_on", "launch_on", "accredited_on")


def cleared_on_leaving(from_stage: Stage, to_stage: Stage) -> tuple[str, ...]:
    """The case's fields a move from `from_stage` to `to_stage` clears."""
    if from_stage is not Stage.RENEWAL or to_stage is Stage.RENEWAL:
        return ()
    return PERIOD_FIELDS + (UPGRADE_FIELDS if to_stage is Stage.CONCEPT_DESIGN else ())
