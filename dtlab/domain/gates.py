"""The gate of each stage: what must be true before a case may leave it, in words users read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dtlab.i18n import N_, Translated

from .board import Item, board_condition
from .calls import days_late, needs_call
from .said import Said, _, english, join, label, ngettext
from .stages import RenewalOutcome, Stage

CLASSIFICATIONS = ("recommend", "recommend_with_conditions", "revise", "decline")
# The classification is stored and put in JSON by its value; these are its words.
CLASSIFICATION_LABELS: Translated[str] = Translated({
    "recommend": N_("Recommend"), "recommend_with_conditions": N_("Recommend with conditions"),
    "revise": N_("Revise and resubmit"), "decline": N_("Decline"),
})
RECOMMENDING = frozenset(CLASSIFICATIONS[:2])


@dataclass(frozen=True)
class CaseFacts:
    """What the gates look at, gathered by the data layer from the case and its records."""

    stage: Stage
    applicant: str | None = None
    country: str | None = None
    channel: str | None = None
    received_on: date | None = None
    findings: str | None = None
    human_resources: str | None = None
    financial_resources: str | None = None
    proposed_type: str | None = None
    type_problems: tuple[str, ...] = ()  # why the proposed type breaks the guide's rules, if it does
    evaluations_counted: int = 0  # submitted, current evaluations
    consolidated_classification: str | None = None  # of the evaluators together
    recommended_type: str | None = None  # the best fit for the request, if any type fits
    recommended_name: str | None = None
    type_reason: str | None = None  # why the proposed type differs from the best fit
    agreement_ref: str | None = None
    signed_on: date | None = None
    launch_on: date | None = None
    kpis_with_targets: int = 0
    kpis_in_plan: int = 0  # with or without baseline and target
    period_evaluated_on: date | None = None
    renewal_outcome: RenewalOutcome | None = None
    applicant_category: str | None = None  # the applicant's ITU membership category, if recorded
    membership_reason: str | None = None  # why an applicant outside ITU membership is taken on
    ownership: str | None = None
    scope: str | None = None
    call_ref: str | None = None  # the call for expressions of interest the request answers
    call_deadline: date | None = None  # that call's, when it is held here
    late_reason: str | None = None  # why an expression of interest after the deadline is taken
    call_problem: str | None = None  # why the request cannot answer that call (cancelled, another region)
    board_required: bool = False  # the lab's policy: a Board decision before a renewal or upgrade leaves
    board_items: tuple[Item, ...] = ()  # the matters put to the Board in this accreditation period
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Condition:
    code: str
    text: str  # in the language in use: a `Said`, whose English an override stores
    met: bool

    @property
    def english(self) -> str:
        """The condition in English: what an override records, and JSON says."""
        return english(self.text)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _conditions(f: CaseFacts) -> list[Condition]:
    s = f.stage
    if s is Stage.INTEREST:
        return [
            Condition("applicant", _("an applicant organisation is recorded"), not _blank(f.applicant)),
            Condition("country", _("the host country is recorded"), not _blank(f.country)),
            Condition("channel", _("the channel (letter, call for EoI, TA request) is recorded"),
                      not _blank(f.channel)),
            Condition("received_on", _("the date the request was received is recorded"), f.received_on is not None),
            *_call_conditions(f),
        ]
    if s is Stage.ASSESSMENT:
        return [
            Condition("findings", _("the assessment findings are written"), not _blank(f.findings)),
            Condition(
                "human_resources",
                _("the applicant's initial human resources are identified"),
                not _blank(f.human_resources),
            ),
            Condition(
                "financial_resources",
                _("the applicant's initial financial resources are identified"),
                not _blank(f.financial_resources),
            ),
            *_membership_conditions(f),  # after the assessment's own: the work comes first
        ]
    if s is Stage.CONCEPT_DESIGN:
        return [_evaluation_condition(f), *_type_conditions(f)]
    if s is Stage.AGREEMENT:
        return [
            Condition("agreement_ref", _("the joint statement's reference is recorded"), not _blank(f.agreement_ref)),
            Condition("signed_on", _("the date of signature is recorded"), f.signed_on is not None),
        ]
    if s is Stage.IMPLEMENTATION:
        return [
            Condition("launch_on", _("the launch date is recorded"), f.launch_on is not None),
            Condition(
                "monitoring_plan",
                # A plan made from the template has KPIs with targets but no baselines: say so,
                # or the user looks for a missing plan.
                ngettext("a monitoring plan exists (at least one KPI with a baseline and a target; none of its "
                         "{n} KPIs has both yet)",
                         "a monitoring plan exists (at least one KPI with a baseline and a target; none of its "
                         "{n} KPIs has both yet)", f.kpis_in_plan).format(n=f.kpis_in_plan)
                if f.kpis_in_plan and not f.kpis_with_targets
                else _("a monitoring plan exists (at least one KPI with a baseline and a target)"),
                f.kpis_with_targets > 0,
            ),
        ]
    if s is Stage.OPERATION:
        return [
            Condition(
                "period_evaluation",
                _("the end-of-period evaluation is recorded"),
                f.period_evaluated_on is not None,
            )
        ]
    return [
        Condition(
            "renewal_outcome",
            _("the outcome is recorded (renewed, upgraded or closed)"),
            f.renewal_outcome is not None,
        ),
        *_board_conditions(f),
    ]


def _board_conditions(f: CaseFacts) -> list[Condition]:
    board = board_condition(f.renewal_outcome, f.board_items) if f.board_required else None
    return [] if board is None else [Condition("board_decision", board[0], board[1])]


# Centres are "mainly for ITU members" (the BDT circular): Member States, Sector Members,
# Associates and Academia. An applicant recorded in another category (a UN agency, a regional
# organisation, "other") is taken on only with a recorded justification, asked at assessment.
ITU_MEMBERSHIP = frozenset({"member_state", "sector_member", "associate", "academia"})


def outside_membership(category: str | None) -> bool:
    """Whether an applicant's recorded category is outside ITU membership (unknown: not said)."""
    return category is not None and category not in ITU_MEMBERSHIP


def _membership_conditions(f: CaseFacts) -> list[Condition]:
    if not outside_membership(f.applicant_category):
        return []
    return [Condition("membership_reason", _("the applicant is not an ITU member: a justification is recorded"),
                      not _blank(f.membership_reason))]


def _call_conditions(f: CaseFacts) -> list[Condition]:
    """A regional centre owned by a country qualifies through a call for expressions of interest
    (the BDT circular); an expression of interest after the call's deadline is taken only with a
    recorded reason."""
    out = []
    if needs_call(f.ownership, f.scope):
        known = f.call_ref is not None and f.call_deadline is not None and f.call_problem is None
        if f.call_ref is not None and f.call_deadline is None:
            text = _("a country-owned regional centre answers a call for expressions of interest: the call is linked "
                     "(Call, on the Interest tab): {call} is not a call held here").format(call=f.call_ref)
        elif f.call_problem is not None:
            text = _("a country-owned regional centre answers a call for expressions of interest: the call is linked "
                     "(Call, on the Interest tab): {problem}").format(problem=f.call_problem)
        else:
            text = _("a country-owned regional centre answers a call for expressions of interest: the call is linked "
                     "(Call, on the Interest tab)")
        out.append(Condition("call", text, known))
    late = days_late(f.received_on, f.call_deadline)
    if late:
        out.append(Condition(
            "late_reason",
            ngettext("the expression of interest came {n} day after the deadline of {call} ({deadline}): the reason "
                     "to accept it is recorded (Late reason)",
                     "the expression of interest came {n} days after the deadline of {call} ({deadline}): the reason "
                     "to accept it is recorded (Late reason)", late).format(
                n=late, call=f.call_ref, deadline=str(f.call_deadline)),
            not _blank(f.late_reason)))
    return out


def _evaluation_condition(f: CaseFacts) -> Condition:
    if not f.evaluations_counted:
        return Condition("evaluation", _("the submitted evaluations, consolidated, recommend the concept design "
                                         "(none submitted)"), False)
    classification = f.consolidated_classification or ""
    word = (label(CLASSIFICATION_LABELS, classification) if classification in CLASSIFICATION_LABELS
            else _("none")).lower()
    n = f.evaluations_counted
    text = ngettext("the submitted evaluations, consolidated, recommend the concept design ({n} evaluator: "
                    "{classification})",
                    "the submitted evaluations, consolidated, recommend the concept design ({n} evaluators: "
                    "{classification})", n).format(n=n, classification=word)
    return Condition("evaluation", text, f.consolidated_classification in RECOMMENDING)


def _type_conditions(f: CaseFacts) -> list[Condition]:
    if _blank(f.proposed_type):
        return [Condition("proposed_type", _("a centre type is proposed"), False)]
    conditions = [Condition("proposed_type", _("a centre type is proposed"), True)]
    if f.recommended_type is not None and f.proposed_type == f.recommended_type:
        return [*conditions, Condition("type_fit", _("the proposed type is the best fit ({name})").format(
            name=f.recommended_name), True)]
    why: Said
    if f.recommended_type is None:
        why = _("no type fits the request as it stands")
    else:
        why = _("the best fit is {name}").format(name=f.recommended_name)
    if f.type_problems:
        why = join("; ", [why, *f.type_problems])
    reasoned = not _blank(f.type_reason)
    text = (_("a reason is recorded for the proposed type ({why})") if reasoned
            else _("the proposed type differs from the recommendation: record why ({why})")).format(why=why)
    return [*conditions, Condition("type_fit", text, reasoned)]


# What each stage's gate reads of a case, beyond the case's own fields: the storage layer reads
# only these to judge one gate (`db.cases.case_facts`). A test holds each gate to its list.
ALL_FACTS = frozenset({"applicant", "assessment", "evaluations", "recommendation", "kpis", "call", "board"})
GATE_READS: dict[Stage, frozenset[str]] = {
    Stage.INTEREST: frozenset({"applicant", "call"}),
    Stage.ASSESSMENT: frozenset({"assessment", "applicant"}),
    Stage.CONCEPT_DESIGN: frozenset({"evaluations", "recommendation"}),
    Stage.AGREEMENT: frozenset(),
    Stage.IMPLEMENTATION: frozenset({"kpis"}),
    Stage.OPERATION: frozenset(),
    Stage.RENEWAL: frozenset({"board"}),
}


def checklist(facts: CaseFacts) -> list[Condition]:
    """Every condition of the current stage's gate, met or not, in order."""
    return _conditions(facts)


def unmet(facts: CaseFacts) -> list[Condition]:
    return [c for c in _conditions(facts) if not c.met]
