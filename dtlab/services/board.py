"""The Board's use cases, each its own transaction: nominate a member, approve or decline a
track-1 nomination (the BDT Director's decision), end a term; plan a meeting and record that it
was held; put a case's matter to the Board and record its decision or advice; set the Board
policy. The rules are the domain's (`domain.board`); a refusal says what to do."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from dtlab.db.board import as_member, find, setting_id
from dtlab.db.cases import get_case
from dtlab.db.models import BoardItem, BoardMeeting, BoardMember, Country, Setting
from dtlab.db.store import Store
from dtlab.domain import board
from dtlab.domain.board import Approval, Decision, Matter, Track
from dtlab.domain.fields import FieldError
from dtlab.domain.fields import parse_date as parse_field_date
from dtlab.domain.records import EARLIEST, LATEST
from dtlab.errors import Invalid, Refused


def _day(text: str | date | None, field: str, past: bool = True) -> date | None:
    """A typed date (None when empty); a date of something done not after today."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        when = text if isinstance(text, date) else parse_field_date(text.strip(), field)
    except FieldError as error:
        raise Invalid(str(error)) from None
    if past and when > date.today():
        raise Invalid(f"{field}: {when.isoformat()} is in the future; record it once it has happened")
    if not EARLIEST <= when <= LATEST:
        raise Invalid(f"{field}: {when.isoformat()} is outside {EARLIEST.year}-{LATEST.year}")
    return when


def _choice(field: str, value: str, allowed: dict[str, Any]) -> Any:
    key = value.strip().lower().replace(" ", "_").replace("-", "_")
    if key not in allowed:
        raise Invalid(f"{field}: {value!r} is not one of {', '.join(allowed)}")
    return allowed[key]


TRACKS = {"1": Track.OFFICIAL, "official": Track.OFFICIAL, "2": Track.EXPERT, "expert": Track.EXPERT}


def parse_track(value: str) -> Track:
    return _choice("track", value, TRACKS)


def _said(problem: str) -> str:
    """A domain problem ("term_start: …") as a person reads it ("term start: …")."""
    field, sep, why = problem.partition(": ")
    return field.replace("_", " ") + sep + why


def _check(member: BoardMember) -> None:
    problems = [_said(p) for p in board.member_problems(as_member(member))]
    if problems:
        raise Invalid("; ".join(problems), tuple(problems))


def nominate(store: Store, name: str, track: str, *, title: str = "", country: str = "", institution: str = "",
             nominated_on: str | date | None = None) -> str:
    """Record a nomination; returns the member's id. Track 1 is nominated by a country (its ISO
    code) or an institution and awaits the BDT Director's approval; track 2 is nominated by BDT,
    and that nomination is the decision: it is recorded approved on the day of the nomination,
    the term starting then."""
    if not name.strip():
        raise Invalid("name: name the person nominated")
    kind = parse_track(track)
    on = _day(nominated_on, "nominated on") or date.today()
    with store.write() as session:
        code = None
        if country.strip():
            found = session.get(Country, country.strip().upper())
            if found is None:
                raise Invalid(f"country: {country!r} is not the ISO 3166-1 alpha-2 code of an ITU Member State")
            code = found.code
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
        raise Refused(f"{member.name} is a track-2 member: nominated by BDT, which is the decision; "
                      "the BDT Director approves track-1 nominations only")
    if member.approval != Approval.PENDING.value:
        raise Refused(f"{member.name}'s nomination was {member.approval} on {member.approval_on} already")
    return member


def approve(store: Store, prefix: str, on: str | date | None = None, term_start: str | date | None = None,
            term_end: str | date | None = None) -> BoardMember:
    """The BDT Director approves a track-1 nomination; the term starts on the approval's day
    unless another start is given."""
    when = _day(on, "decided on") or date.today()
    start = _day(term_start, "term start", past=False) or when
    end = _day(term_end, "term end", past=False)
    with store.write() as session:
        member = _pending_official(session, prefix)
        member.approval, member.approval_on = Approval.APPROVED.value, when
        member.term_start, member.term_end = start, end
        _check(member)
        return member


def decline(store: Store, prefix: str, on: str | date | None = None) -> BoardMember:
    """The BDT Director declines a track-1 nomination."""
    when = _day(on, "decided on") or date.today()
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
    """A serving member's term ends on `on` (today by default): from that day they no longer serve."""
    when = _day(on, "term end", past=False) or date.today()
    with store.write() as session:
        member = find(session, BoardMember, prefix, "member")
        state = board.status(as_member(member), date.today())
        if member.approval != Approval.APPROVED.value:
            raise Refused(f"{member.name} is {board.STATUS_LABELS[state]}: only an approved member has a term to end")
        member.term_end = when
        _check(member)
        return member


def new_meeting(store: Store, title: str, meets_on: str | date, place: str = "", agenda: str = "") -> str:
    """Plan a meeting; returns its id."""
    if not title.strip():
        raise Invalid("title: a meeting needs a title")
    day = _day(meets_on, "date", past=False)
    if day is None:
        raise Invalid("date: a meeting needs its date")
    with store.write() as session:
        meeting = BoardMeeting(title=title.strip(), meets_on=day, place=place.strip() or None,
                               agenda=agenda.strip() or None)
        session.add(meeting)
        session.flush()
        return meeting.id


def meeting_held(store: Store, prefix: str, minutes_ref: str = "") -> BoardMeeting:
    """Record that a planned meeting was held, with its minutes' reference."""
    with store.write() as session:
        meeting = find(session, BoardMeeting, prefix, "meeting")
        if meeting.meets_on > date.today():
            raise Refused(f"the meeting {meeting.title!r} is on {meeting.meets_on}: it cannot have been held yet")
        meeting.status = "held"
        if minutes_ref.strip():
            meeting.minutes_ref = minutes_ref.strip()
        return meeting


MATTERS = {m.value: m for m in Matter}
DECISIONS = {d.value: d for d in Decision}


def put_to_board(store: Store, ref: str, matter: str, meeting: str = "") -> str:
    """Put a matter of a case before the Board, at a meeting (its id) or not yet; returns the
    item's id. A matter already before the Board, undecided, is not put twice."""
    what = _choice("matter", matter, MATTERS)
    with store.write() as session:
        case = get_case(session, ref)
        meeting_row = find(session, BoardMeeting, meeting, "meeting") if meeting.strip() else None
        if meeting_row is not None and meeting_row.status == "held":
            raise Refused(f"the meeting {meeting_row.title!r} was held already: put the matter to a planned one")
        waiting = session.scalars(select(BoardItem).where(
            BoardItem.case_id == case.id, BoardItem.matter == what.value, col(BoardItem.decision).is_(None),
            col(BoardItem.deleted_at).is_(None))).first()
        if waiting is not None:
            raise Refused(f"{case.ref}'s {what.value} is before the Board already, undecided: record its decision "
                          f"(item {waiting.id[:13]})")
        item = BoardItem(case_id=case.id, matter=what.value, meeting_id=meeting_row.id if meeting_row else None)
        session.add(item)
        session.flush()
        return item.id


def record_decision(store: Store, prefix: str, decision: str, reference: str, decided_on: str | date | None = None,
                    note: str = "") -> BoardItem:
    """The Board's decision or advice on an item, with its reference and date (today by default);
    advice or conditions in the note."""
    verdict = _choice("decision", decision, DECISIONS)
    when = _day(decided_on, "decided on") or date.today()
    with store.write() as session:
        item = find(session, BoardItem, prefix, "item")
        if item.decision is not None:
            raise Refused(f"the Board's word on this item is recorded already ({item.decision}, {item.reference}): "
                          "put the matter to the Board again for a new one")
        meeting = session.get(BoardMeeting, item.meeting_id) if item.meeting_id else None
        problems = [_said(p) for p in board.item_problems(verdict, reference, when,
                                                          meeting.meets_on if meeting else None, note)]
        if problems:
            raise Invalid("; ".join(problems), tuple(problems))
        item.decision, item.reference, item.decided_on = verdict.value, reference.strip(), when
        item.note = note.strip() or None
        return item


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
