"""The Digital Innovation Board (数字创新委员会 in the BDT circular): its members, the matters put
before it and its decisions, and the lab's policy of asking for its decision before a renewal or
an upgrade leaves its stage.

The circular: the Board, led by the BDT Director, guides the Alliance and ensures its
effectiveness, verifiability and the soundness of its decisions. It welcomes two kinds of members:

- track 1 (`official`): ministers and senior officials of Member States, Sector Members and
  Academia, nominated by their country or institution and approved by the BDT Director;
- track 2 (`expert`): senior leaders, renowned experts and representatives of strategic partner
  organisations, nominated by BDT. There is no approval step: the BDT nomination is the decision,
  recorded as an approval on the day of the nomination, by BDT.

A member's status is derived from the approval and the term, never stored (nothing a bundle says
can contradict it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from dtlab.i18n import N_, Translated

from .said import _, either, join, label
from .stages import STAGE_LABELS, RenewalOutcome, Stage, Status


class Track(str, Enum):
    OFFICIAL = "official"  # track 1: nominated by a country or institution, approved by the BDT Director
    EXPERT = "expert"  # track 2: nominated by BDT


TRACK_LABELS: Translated[Track] = Translated({
    Track.OFFICIAL: N_("Track 1 · official (nominated by a country or institution, approved by the BDT Director)"),
    Track.EXPERT: N_("Track 2 · expert or partner (nominated by BDT)"),
})
TRACK_SHORT: Translated[Track] = Translated({Track.OFFICIAL: N_("1 official"), Track.EXPERT: N_("2 expert")})


class Approval(str, Enum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class MemberStatus(str, Enum):
    NOMINATED = "nominated"  # awaiting the Director's approval
    DECLINED = "declined"
    APPROVED = "approved"  # approved, the term not begun
    SERVING = "serving"
    TERM_ENDED = "term_ended"


STATUS_LABELS: Translated[MemberStatus] = Translated({
    MemberStatus.NOMINATED: N_("nominated, awaiting approval"),
    MemberStatus.DECLINED: N_("declined"),
    MemberStatus.APPROVED: N_("approved, term not begun"),
    MemberStatus.SERVING: N_("serving"),
    MemberStatus.TERM_ENDED: N_("term ended"),
})

# Who decides a track-2 nomination: BDT's nomination is the decision.
BDT = "BDT"


@dataclass(frozen=True)
class Member:
    """What the rules read of a member."""

    track: Track
    nominated_on: date
    approval: Approval = Approval.PENDING
    approval_on: date | None = None
    country: str | None = None
    institution: str | None = None
    term_start: date | None = None
    term_end: date | None = None  # the first day no longer served


def status(m: Member, today: date) -> MemberStatus:
    """Where a member stands on `today`: nominated until approved (or declined); then serving from
    the start of the term until its end."""
    if m.approval is Approval.DECLINED:
        return MemberStatus.DECLINED
    if m.approval is Approval.PENDING:
        return MemberStatus.NOMINATED
    start = m.term_start or m.approval_on
    if m.term_end is not None and today >= m.term_end:
        return MemberStatus.TERM_ENDED
    if start is not None and start > today:
        return MemberStatus.APPROVED
    return MemberStatus.SERVING


def member_problems(m: Member) -> list[str]:
    """Every rule a member's record breaks, each as "field: why" (empty when it holds)."""
    problems = []
    if m.track is Track.OFFICIAL and not (m.country or (m.institution or "").strip()):
        problems.append("country: " + _("a track-1 member is nominated by a country or an institution: name it"))
    if m.track is Track.EXPERT and m.approval is not Approval.APPROVED:
        problems.append("approval: " + _("a track-2 member is nominated by BDT, and that nomination is the decision"))
    if m.approval is Approval.PENDING:
        if m.approval_on is not None:
            problems.append("approval_on: " + _("a nomination awaiting approval has no decision date"))
        if m.term_start is not None or m.term_end is not None:
            problems.append("term_start: " + _("a track-1 member cannot serve before the BDT Director's approval"))
    elif m.approval_on is None:
        problems.append("approval_on: " + (_("a nomination approved needs the date of the decision")
                                           if m.approval is Approval.APPROVED
                                           else _("a nomination declined needs the date of the decision")))
    elif m.approval_on < m.nominated_on:
        problems.append("approval_on: " + _("the decision ({decided}) comes before the nomination ({nominated})")
                        .format(decided=m.approval_on, nominated=m.nominated_on))
    if m.approval is Approval.DECLINED and (m.term_start is not None or m.term_end is not None):
        problems.append("term_start: " + _("a declined nomination has no term"))
    if m.term_start is not None and m.approval_on is not None and m.term_start < m.approval_on:
        problems.append("term_start: " + _("the term ({start}) cannot begin before the approval ({approved})").format(
            start=m.term_start, approved=m.approval_on))
    if m.term_end is not None:
        # Ending a term on its first day is allowed: a member recorded by mistake then served no day.
        start = m.term_start or m.approval_on
        if start is not None and m.term_end < start:
            problems.append("term_end: " + _("the term's end ({end}) cannot come before its start ({start})").format(
                end=m.term_end, start=start))
    return problems


# A meeting is planned, then held (its minutes' reference recorded).
MEETING_STATUSES = ("planned", "held")


# The matters put before the Board, and what it can say of them.
class Matter(str, Enum):
    ACCREDITATION = "accreditation"
    RENEWAL = "renewal"
    UPGRADE = "upgrade"
    CLOSURE = "closure"


class Decision(str, Enum):
    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    NOT_APPROVED = "not_approved"
    DEFERRED = "deferred"
    ADVICE = "advice"  # the Board guides: advice given, no decision taken


DECISION_LABELS: Translated[Decision] = Translated({
    Decision.APPROVED: N_("approved"), Decision.APPROVED_WITH_CONDITIONS: N_("approved with conditions"),
    Decision.NOT_APPROVED: N_("not approved"), Decision.DEFERRED: N_("deferred"), Decision.ADVICE: N_("advice"),
})
MATTER_LABELS: Translated[Matter] = Translated({
    Matter.ACCREDITATION: N_("accreditation"), Matter.RENEWAL: N_("renewal"), Matter.UPGRADE: N_("upgrade"),
    Matter.CLOSURE: N_("closure")})
# Decisions that let the matter go ahead.
APPROVING = frozenset({Decision.APPROVED, Decision.APPROVED_WITH_CONDITIONS})
# Decisions that settle the matter (approving or not); deferral and advice leave it open.
DECIDING = APPROVING | {Decision.NOT_APPROVED}


# The matter a renewal's outcome puts to the Board.
OUTCOME_MATTER = {RenewalOutcome.RENEWED: Matter.RENEWAL, RenewalOutcome.UPGRADED: Matter.UPGRADE,
                  RenewalOutcome.CLOSED: Matter.CLOSURE}

# The stages at which a case's matter can be put to the Board: an accreditation once the concept
# is designed and evaluated (the joint statement, the set-up; a partner centre entering at
# operation); a renewal, an upgrade or a closure at the end of an accredited period.
MATTER_STAGES: dict[Matter, tuple[Stage, ...]] = {
    Matter.ACCREDITATION: (Stage.AGREEMENT, Stage.IMPLEMENTATION, Stage.OPERATION),
    Matter.RENEWAL: (Stage.OPERATION, Stage.RENEWAL),
    Matter.UPGRADE: (Stage.OPERATION, Stage.RENEWAL),
    Matter.CLOSURE: (Stage.OPERATION, Stage.RENEWAL),
}


def matters_for(stage: Stage) -> tuple[Matter, ...]:
    """The matters a case at `stage` can put to the Board."""
    return tuple(m for m in Matter if stage in MATTER_STAGES[m])


# Why an ended case puts nothing to the Board, by how it ended.
ENDED_CASE: Translated[Status] = Translated({
    Status.WITHDRAWN: N_("the case is withdrawn: nothing of it goes to the Board"),
    Status.DECLINED: N_("the case is declined: nothing of it goes to the Board"),
    Status.CLOSED: N_("the case is closed: nothing of it goes to the Board"),
})
# When a matter is put to the Board: {stages} are the stages it may be put at.
MATTER_WHEN: Translated[Matter] = Translated({
    Matter.ACCREDITATION: N_("an accreditation is put to the Board for a case in {stages}"),
    Matter.RENEWAL: N_("a renewal is put to the Board for a case in {stages}"),
    Matter.UPGRADE: N_("an upgrade is put to the Board for a case in {stages}"),
    Matter.CLOSURE: N_("a closure is put to the Board for a case in {stages}"),
})


def matter_problem(matter: Matter, stage: Stage, status: Status) -> str | None:
    """Why a case at `stage` (and `status`) cannot put `matter` to the Board, or None."""
    if status is not Status.OPEN:
        return ENDED_CASE[status]
    if stage in MATTER_STAGES[matter]:
        return None
    fits = matters_for(stage)
    when = MATTER_WHEN[matter].format(stages=either([STAGE_LABELS[s] for s in MATTER_STAGES[matter]]))
    if fits:  # the matters are named as they are typed (`dtlab board put --matter`)
        return _("{when}; this case is in {stage} (it can put: {matters})").format(
            when=when, stage=STAGE_LABELS[stage], matters=", ".join(m.value for m in fits))
    return _("{when}; this case is in {stage} and has no matter for the Board yet").format(
        when=when, stage=STAGE_LABELS[stage])


def suggested_matter(stage: Stage, outcome: RenewalOutcome | None = None) -> Matter | None:
    """The matter a case's stage and renewal outcome suggest (None: none fits its stage)."""
    if stage is Stage.RENEWAL:
        return OUTCOME_MATTER.get(outcome, Matter.RENEWAL) if outcome is not None else Matter.RENEWAL
    if stage is Stage.OPERATION:
        return Matter.RENEWAL
    fits = matters_for(stage)
    return fits[0] if fits else None


def item_problems(decision: Decision | None, reference: str | None, decided_on: date | None,
                  meeting_on: date | None = None, note: str | None = None) -> list[str]:
    """Every rule a Board item's record breaks, as "field: why": a decision has its reference and
    date, taken no earlier than the meeting it was put to; an approval with conditions says them."""
    problems = []
    if decision is None:
        if decided_on is not None:
            problems.append("decided_on: " + _("a date of decision without a decision"))
        return problems
    if not (reference or "").strip():
        problems.append("reference: " + _("the Board's decision or advice needs its reference (e.g. the minutes' "
                                          "number)"))
    if decided_on is None:
        problems.append("decided_on: " + _("the Board's decision or advice needs its date"))
    elif meeting_on is not None and decided_on < meeting_on:
        problems.append("decided_on: " + _("the decision ({decided}) comes before the meeting ({meeting})").format(
            decided=decided_on, meeting=meeting_on))
    if decision is Decision.APPROVED_WITH_CONDITIONS and not (note or "").strip():
        problems.append("note: " + _("say the conditions of the approval"))
    return problems


# The renewal's outcome and the matter the Board decides for it (a closure is not held back).
GATED_MATTER = {RenewalOutcome.RENEWED: Matter.RENEWAL, RenewalOutcome.UPGRADED: Matter.UPGRADE}


@dataclass(frozen=True)
class Item:
    """A matter put before the Board, as a gate reads it: in the order they were put."""

    matter: Matter
    decision: Decision | None
    reference: str | None = None
    decided_on: date | None = None


# The renewal gate's condition under the Board policy, for each matter it asks about: not yet put
# to the Board, put and undecided, approved ({said}: the decision, its reference and date), not
# approved (or deferred, or advice only).
BOARD_CONDITIONS: dict[Matter, tuple[str, str, str, str]] = {
    Matter.RENEWAL: (
        N_("the Digital Innovation Board has approved the renewal (the lab's policy): put the case to the Board"),
        N_("the Digital Innovation Board has approved the renewal (the lab's policy): put to the Board, no decision "
           "recorded yet"),
        N_("the Digital Innovation Board has approved the renewal (the lab's policy) ({said})"),
        N_("the Digital Innovation Board has approved the renewal (the lab's policy): the Board's latest word is "
           "{said}"),
    ),
    Matter.UPGRADE: (
        N_("the Digital Innovation Board has approved the upgrade (the lab's policy): put the case to the Board"),
        N_("the Digital Innovation Board has approved the upgrade (the lab's policy): put to the Board, no decision "
           "recorded yet"),
        N_("the Digital Innovation Board has approved the upgrade (the lab's policy) ({said})"),
        N_("the Digital Innovation Board has approved the upgrade (the lab's policy): the Board's latest word is "
           "{said}"),
    ),
}


def board_condition(outcome: RenewalOutcome | None, items: tuple[Item, ...]) -> tuple[str, bool] | None:
    """Under the policy: the renewal's gate asks for the Board's decision on the matter its outcome
    names (a renewal, an upgrade), the latest one counting; None when the outcome asks for none.
    Returns the condition's words (a `Said`: an override stores its English) and whether it is met."""
    matter = GATED_MATTER.get(outcome) if outcome is not None else None
    if matter is None:
        return None
    not_put, undecided, approved, refused = BOARD_CONDITIONS[matter]
    mine = [i for i in items if i.matter is matter]
    decided = [i for i in mine if i.decision is not None]
    if not mine:
        return _(not_put), False
    if not decided:
        return _(undecided), False
    last = decided[-1]
    assert last.decision is not None
    said = join(", ", [label(DECISION_LABELS, last.decision), last.reference or _("no reference"),
                       str(last.decided_on) if last.decided_on else _("undated")])
    if last.decision in APPROVING:
        return _(approved).format(said=said), True
    return _(refused).format(said=said), False


# Settings of the lab that every site holds alike (synchronised): key → allowed values, default.
BOARD_POLICY = "board_decision_before_renewal"
SETTINGS: dict[str, tuple[tuple[str, ...], str]] = {BOARD_POLICY: (("on", "off"), "off")}
SETTING_WORDS: Translated[str] = Translated({
    BOARD_POLICY: N_("a Board decision is required before a renewal or upgrade leaves its stage")})


def check_setting(key: str, value: str) -> None:
    """ValueError unless `value` is one `key` allows."""
    if key not in SETTINGS:
        raise ValueError(_("{key} is not a setting (known: {known})").format(key=repr(key), known=", ".join(SETTINGS)))
    allowed = SETTINGS[key][0]
    if value not in allowed:
        raise ValueError(f"{key}: " + _("{value} is not one of {allowed}").format(value=repr(value),
                                                                             allowed=", ".join(allowed)))


def short_ids(ids: list[str], least: int = 8) -> dict[str, str]:
    """The shortest prefix of each id that no other id in `ids` shares, at least `least`
    characters, cut where it can (like git's abbreviated hashes); dashes count as characters, so a
    prefix is what the id starts with."""
    out = {}
    ordered = sorted(ids)
    for i, this in enumerate(ordered):
        need = least
        for other in (ordered[i - 1] if i else None, ordered[i + 1] if i + 1 < len(ordered) else None):
            if other is None:
                continue
            common = 0
            for a, b in zip(this, other, strict=False):
                if a != b:
                    break
                common += 1
            need = max(need, common + 1)
        cut = min(need, len(this))
        if this[cut - 1: cut] == "-":  # never end on a dash
            cut += 1
        out[this] = this[:cut]
    return out
