"""The Board's use cases, each its own transaction: nominate a member, approve or decline a
track-1 nomination (the BDT Director's decision), end a term; plan a meeting and record that it
was held; put a case's matter to the Board and record its decision or advice; set the Board
policy. The rules are the domain's (`domain.board`); a refusal says what to do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from dtlab.db.board import as_member, find, setting_id
from dtlab.db.cases import get_case
from dtlab.db.models import BoardItem, BoardMeeting, BoardMember, Setting
from dtlab.db.store import Store
from dtlab.domain import board
from dtlab.domain.board import DECISION_LABELS, Approval, Decision, Matter, Track
from dtlab.domain.fields import FieldError, field_name
from dtlab.domain.fields import parse_date as parse_field_date
from dtlab.domain.records import EARLIEST, LATEST
from dtlab.domain.stages import STAGE_LABELS, RenewalOutcome, Stage, Status
from dtlab.errors import Invalid, Refused
from dtlab.i18n import _
from dtlab.services.cases import check_country


def _day(text: str | date | None, field: str, past: bool = True) -> date | None:
    """A typed date (None when empty); a date of something done not after today. `field` is the
    field's name (`decided_on`), said with spaces ("decided on: …") as the forms find it."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    name = field_name(field)
    try:
        when = text if isinstance(text, date) else parse_field_date(text.strip(), name)
    except FieldError as error:
        raise Invalid(str(error)) from None
    if past and when > date.today():
        raise Invalid(f"{name}: " + _("{day} is in the future; record it once it has happened").format(
            day=when.isoformat()))
    if not EARLIEST <= when <= LATEST:
        raise Invalid(f"{name}: " + _("{value} is outside {first}-{last}").format(
            value=when.isoformat(), first=EARLIEST.year, last=LATEST.year))
    return when


def _choice(field: str, value: str, allowed: dict[str, Any]) -> Any:
    key = value.strip().lower().replace(" ", "_").replace("-", "_")
    if key not in allowed:
        raise Invalid(f"{field}: " + _("{value} is not one of {allowed}").format(value=repr(value),
                                                                               allowed=", ".join(allowed)))
    return allowed[key]


TRACKS = {"1": Track.OFFICIAL, "official": Track.OFFICIAL, "2": Track.EXPERT, "expert": Track.EXPERT}


def parse_track(value: str) -> Track:
    return _choice("track", value, TRACKS)


def _said(problem: str) -> str:
    """A domain problem ("term_start: …") as a person reads it ("term start: …")."""
    field, sep, why = problem.partition(": ")
    return field_name(field) + sep + why


def _check(member: BoardMember) -> None:
    problems = [_said(p) for p in board.member_problems(as_member(member))]
    if problems:
        raise Invalid("; ".join(problems), tuple(problems))


def nominate(store: Store, name: str, track: str, *, title: str = "", country: str = "", institution: str = "",
             nominated_on: str | date | None = None) -> str:
    """Record a nomination; returns the member's id. Track 1 is nominated by a country (its ISO
    code or its name) or an institution and awaits the BDT Director's approval; track 2 is nominated by BDT,
    and that nomination is the decision: it is recorded approved on the day of the nomination,
    the term starting then."""
    if not name.strip():
        raise Invalid("name: " + _("name the person nominated"))
    kind = parse_track(track)
    on = _day(nominated_on, "nominated_on") or date.today()
    with store.write() as session:
        code = check_country(session, country).code if country.strip() else None
        member = BoardMember(name=name.strip(), track=kind.value, title=title.strip() or None, country=code,
                             institution=institution.strip() or None, nominated_on=on)
        if kind is Track.EXPERT:
            member.approval, member.approval_on, member.term_start = Approval.APPROVED.value, on, on
        _check(member)
        session.add(member)
        session.flush()
        return member.id


def _pending_official(session: Session, prefix: str) -> BoardMember:
    member = find(session, BoardMember, prefix, "member")
    if member.track == Track.EXPERT.value:
        raise Refused(_("{name} is a track-2 member: nominated by BDT, which is the decision; the BDT Director "
                        "approves track-1 nominations only").format(name=member.name))
    if member.approval == Approval.APPROVED.value:
        raise Refused(_("{name}'s nomination was approved on {day} already").format(
            name=member.name, day=member.approval_on))
    if member.approval != Approval.PENDING.value:
        raise Refused(_("{name}'s nomination was declined on {day} already").format(
            name=member.name, day=member.approval_on))
    return member


def approve(store: Store, prefix: str, on: str | date | None = None, term_start: str | date | None = None,
            term_end: str | date | None = None) -> BoardMember:
    """The BDT Director approves a track-1 nomination; the term starts on the approval's day
    unless another start is given."""
    when = _day(on, "decided_on") or date.today()
    start = _day(term_start, "term_start", past=False) or when
    end = _day(term_end, "term_end", past=False)
    with store.write() as session:
        member = _pending_official(session, prefix)
        member.approval, member.approval_on = Approval.APPROVED.value, when
        member.term_start, member.term_end = start, end
        _check(member)
        return member


def decline(store: Store, prefix: str, on: str | date | None = None) -> BoardMember:
    """The BDT Director declines a track-1 nomination."""
    when = _day(on, "decided_on") or date.today()
    with store.write() as session:
        member = _pending_official(session, prefix)
        member.approval, member.approval_on = Approval.DECLINED.value, when
        _check(member)
        return member


def edit_member(store: Store, prefix: str, title: str | None = None, institution: str | None = None) -> BoardMember:
    """Change a member's title or institution (None: as it is; empty: cleared)."""
    with store.write() as session:
        member = find(session, BoardMember, prefix, "member")
        if title is not None:
            member.title = title.strip() or None
        if institution is not None:
            member.institution = institution.strip() or None
        _check(member)
        return member


def end_term(store: Store, prefix: str, on: str | date | None = None) -> BoardMember:
    """A serving member's term ends on `on` (today by default): from that day they no longer serve.
    It may end on the day it started: a member recorded by mistake then served no day."""
    when = _day(on, "term_end", past=False) or date.today()
    with store.write() as session:
        member = find(session, BoardMember, prefix, "member")
        state = board.status(as_member(member), date.today())
        if member.approval != Approval.APPROVED.value:
            raise Refused(_("{name} is {status}: only an approved member has a term to end").format(
                name=member.name, status=board.STATUS_LABELS[state]))
        member.term_end = when
        _check(member)
        return member


def new_meeting(store: Store, title: str, meets_on: str | date, place: str = "", agenda: str = "") -> str:
    """Plan a meeting; returns its id."""
    if not title.strip():
        raise Invalid("title: " + _("a meeting needs a title"))
    day = _day(meets_on, "date", past=False)
    if day is None:
        raise Invalid("date: " + _("a meeting needs its date"))
    with store.write() as session:
        meeting = BoardMeeting(title=title.strip(), meets_on=day, place=place.strip() or None,
                               agenda=agenda.strip() or None)
        session.add(meeting)
        session.flush()
        return meeting.id


def edit_meeting(store: Store, prefix: str, *, meets_on: str | date | None = None, title: str | None = None,
                 place: str | None = None, agenda: str | None = None) -> BoardMeeting:
    """Change a meeting (None: as it is; an empty place or agenda: cleared): a planned one moved to
    another day, or a held one's date corrected (not into the future, nor after a decision
    recorded at it)."""
    day = _day(meets_on, "date", past=False)
    if title is not None and not title.strip():
        raise Invalid("title: " + _("a meeting needs a title"))
    with store.write() as session:
        meeting = find(session, BoardMeeting, prefix, "meeting")
        if day is not None:
            if meeting.status == "held" and day > date.today():
                raise Invalid("date: " + _("the meeting {title} was held: it cannot be on {day}, in the future").format(
                    title=repr(meeting.title), day=day))
            first = session.scalar(select(func.min(col(BoardItem.decided_on))).where(
                BoardItem.meeting_id == meeting.id, col(BoardItem.deleted_at).is_(None)))
            if first is not None and first < day:
                raise Invalid("date: " + _("the Board decided at this meeting on {decided}: the meeting cannot be on "
                                           "{day}, after it").format(decided=first, day=day))
            meeting.meets_on = day
        if title is not None:
            meeting.title = title.strip()
        if place is not None:
            meeting.place = place.strip() or None
        if agenda is not None:
            meeting.agenda = agenda.strip() or None
        return meeting


def meeting_held(store: Store, prefix: str, minutes_ref: str = "") -> BoardMeeting:
    """Record that a planned meeting was held, with its minutes' reference."""
    with store.write() as session:
        meeting = find(session, BoardMeeting, prefix, "meeting")
        if meeting.meets_on > date.today():
            raise Refused(_("the meeting {title} is on {day}: it cannot have been held yet (if it met on another "
                            "day, change its date first)").format(title=repr(meeting.title), day=meeting.meets_on))
        meeting.status = "held"
        if minutes_ref.strip():
            meeting.minutes_ref = minutes_ref.strip()
        return meeting


MATTERS = {m.value: m for m in Matter}
DECISIONS = {d.value: d for d in Decision}


@dataclass(frozen=True)
class Put:
    """A matter put to the Board: its item, and whether the item was there already, undecided,
    and has been moved to the meeting asked for (`moved_from`: the meeting it was on, or None for
    no meeting)."""

    id: str
    matter: Matter
    moved: bool = False
    moved_from: str | None = None


class BeforeMeeting(Invalid):
    """A decision dated before the meeting its matter is put to: the matter was decided at another
    meeting (move it there) or the meeting met on another day (change its date)."""

    def __init__(self, message: str, problems: tuple[str, ...], item_id: str, meeting_id: str):
        super().__init__(message, problems)
        self.item_id, self.meeting_id = item_id, meeting_id


def _planned_meeting(session: Session, meeting: str) -> BoardMeeting | None:
    """The meeting a matter is put to (None: no meeting yet); a held one is past putting to."""
    row = find(session, BoardMeeting, meeting, "meeting") if meeting.strip() else None
    if row is not None and row.status == "held":
        raise Refused(_("the meeting {title} was held already: put the matter to a planned one").format(
            title=repr(row.title)))
    return row


def put_matter(store: Store, ref: str, matter: str | None = None, meeting: str = "") -> Put:
    """Put a matter of a case before the Board, at a meeting (its id) or not yet. The matter must
    fit the case's stage; none given, the one its stage and renewal outcome suggest. A matter
    already before the Board, undecided, is not put twice: put to another meeting, it moves there."""
    with store.write() as session:
        case = get_case(session, ref)
        stage, status = Stage(case.stage), Status(case.status)
        if matter is None or not matter.strip():
            outcome = RenewalOutcome(case.renewal_outcome) if case.renewal_outcome else None
            what = board.suggested_matter(stage, outcome)
            if what is None:
                raise Refused(_("{ref} is in {stage}: no matter of it goes to the Board yet (an accreditation from the "
                                "joint statement on; a renewal, upgrade or closure from accredited operation on)")
                              .format(ref=case.ref, stage=STAGE_LABELS[stage]))
        else:
            what = _choice("matter", matter, MATTERS)
        why_not = board.matter_problem(what, stage, status)
        if why_not is not None:
            raise Refused(f"{case.ref}: {why_not}")
        meeting_row = _planned_meeting(session, meeting)
        waiting = session.scalars(select(BoardItem).where(
            BoardItem.case_id == case.id, BoardItem.matter == what.value, col(BoardItem.decision).is_(None),
            col(BoardItem.deleted_at).is_(None))).first()
        if waiting is not None:
            if meeting_row is None or waiting.meeting_id == meeting_row.id:
                waits = (_("{ref}'s {matter} is on that meeting's agenda already, undecided (item {item}): record the "
                           "Board's decision, or put it to another meeting to move it there") if meeting_row is not None
                         else _("{ref}'s {matter} is before the Board already, undecided (item {item}): record the "
                                "Board's decision, or put it to another meeting to move it there"))
                raise Refused(waits.format(ref=case.ref, matter=board.MATTER_LABELS[what], item=waiting.id[:13]))
            moved_from = waiting.meeting_id
            waiting.meeting_id = meeting_row.id
            return Put(waiting.id, what, True, moved_from)
        item = BoardItem(case_id=case.id, matter=what.value, meeting_id=meeting_row.id if meeting_row else None)
        session.add(item)
        session.flush()
        return Put(item.id, what)


def put_to_board(store: Store, ref: str, matter: str | None = None, meeting: str = "") -> str:
    """`put_matter`, for its item's id."""
    return put_matter(store, ref, matter, meeting).id


def _decided(item: BoardItem) -> dict[str, str]:
    """What a refusal over a decided item says of the decision: its words, not its stored id."""
    try:
        decision = DECISION_LABELS[Decision(item.decision)]
    except ValueError:  # a decision of a newer dtlab
        decision = str(item.decision)
    return {"decision": decision, "reference": item.reference or ""}


def move_item(store: Store, prefix: str, meeting: str = "") -> BoardItem:
    """Move a matter awaiting the Board to another planned meeting (empty: to no meeting yet)."""
    with store.write() as session:
        item = find(session, BoardItem, prefix, "item")
        if item.decision is not None:
            raise Refused(_("the Board decided this matter already ({decision}, {reference}): a decided matter stays "
                            "with the meeting that decided it").format(**_decided(item)))
        meeting_row = _planned_meeting(session, meeting)
        item.meeting_id = meeting_row.id if meeting_row is not None else None
        return item


@dataclass(frozen=True)
class Decided:
    """The Board's word recorded on an item; `held`: the title of the meeting that this decision
    showed to have met (it was still marked planned), or None."""

    id: str
    decision: Decision
    reference: str
    decided_on: date
    held: str | None = None


def record_decision(store: Store, prefix: str, decision: str, reference: str, decided_on: str | date | None = None,
                    note: str = "") -> Decided:
    """The Board's decision or advice on an item, with its reference and date (today by default);
    advice or conditions in the note. The meeting it was put to, still planned, is recorded held:
    the Board decided at it, so it met."""
    verdict = _choice("decision", decision, DECISIONS)
    when = _day(decided_on, "decided_on") or date.today()
    with store.write() as session:
        item = find(session, BoardItem, prefix, "item")
        if item.decision is not None:
            raise Refused(_("the Board's word on this item is recorded already ({decision}, {reference}): put the "
                            "matter to the Board again for a new one").format(**_decided(item)))
        meeting = session.get(BoardMeeting, item.meeting_id) if item.meeting_id else None
        problems = [_said(p) for p in board.item_problems(verdict, reference, when,
                                                          meeting.meets_on if meeting else None, note)]
        if meeting is not None and when < meeting.meets_on:
            # No date typed here can be right: the way out is elsewhere. Say it; the front ends say how.
            name = field_name("decided_on")
            problems = [p for p in problems if not p.startswith(f"{name}:")] + [
                f"{name}: " + _("the decision ({decided}) comes before the meeting {title} ({day}) the matter is put "
                                "to: move the matter to the meeting that decided it (or to none), or change the "
                                "meeting's date").format(decided=when, title=repr(meeting.title), day=meeting.meets_on)]
            raise BeforeMeeting("; ".join(problems), tuple(problems), item.id, meeting.id)
        if problems:
            raise Invalid("; ".join(problems), tuple(problems))
        item.decision, item.reference, item.decided_on = verdict.value, reference.strip(), when
        item.note = note.strip() or None
        held = None
        if meeting is not None and meeting.status == "planned":
            meeting.status, held = "held", meeting.title
        return Decided(item.id, verdict, item.reference or "", when, held)


def set_setting(store: Store, key: str, value: str) -> bool:
    """Set one of the lab's settings (the same on every site once bundles carry it); whether it
    changed."""
    try:
        board.check_setting(key, value)
    except ValueError as error:
        raise Invalid(str(error)) from None
    with store.write() as session:
        row = session.get(Setting, setting_id(key))
        if row is None:
            if value == board.SETTINGS[key][1]:
                return False  # the default: nothing to record
            session.add(Setting(id=setting_id(key), key=key, value=value))
            return True
        if row.value == value:
            return False
        row.value = value
        return True


def set_board_policy(store: Store, on: bool) -> bool:
    """Require (or not) a Board decision before a renewal or an upgrade leaves its stage."""
    return set_setting(store, board.BOARD_POLICY, "on" if on else "off")
