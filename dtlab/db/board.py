"""Reading the Digital Innovation Board: its members and their status, its meetings with their
agenda and items, a case's items, the Board policy, and a record found by a short id prefix."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, col, select

from dtlab.db.models import BoardItem, BoardMeeting, BoardMember, Case, ChangeLog, Setting, Transition
from dtlab.db.sites import site_names
from dtlab.domain import board
from dtlab.domain.history import HistoryEntry
from dtlab.domain.ids import derived_id
from dtlab.domain.stages import MoveKind, Stage
from dtlab.errors import Invalid, NotFound
from dtlab.i18n import N_, Translated, _

Row = TypeVar("Row", BoardMember, BoardMeeting, BoardItem)

_HEX = frozenset("0123456789abcdef")


def setting_id(key: str) -> str:
    """The one id of a setting on every site."""
    return derived_id("setting", key)


def setting(session: Session, key: str) -> str:
    """A setting's value here, or its default."""
    row = session.get(Setting, setting_id(key))
    return row.value if row is not None and row.deleted_at is None else board.SETTINGS[key][1]


def board_policy(session: Session) -> bool:
    """Whether the lab asks for a Board decision before a renewal or an upgrade leaves its stage."""
    return setting(session, board.BOARD_POLICY) == "on"


# What `find` says of a short id, for each kind of record (its `what`), each sentence whole.
_NOT_AN_ID = Translated({
    "member": N_("member: {id} is not an id (4 or more of its first characters, as listed)"),
    "meeting": N_("meeting: {id} is not an id (4 or more of its first characters, as listed)"),
    "item": N_("item: {id} is not an id (4 or more of its first characters, as listed)"),
})
_NONE = Translated({"member": N_("no member {id}"), "meeting": N_("no meeting {id}"), "item": N_("no item {id}")})
_SEVERAL = Translated({
    "member": N_("member: {id} is the start of several ids ({ids}…): give more of it"),
    "meeting": N_("meeting: {id} is the start of several ids ({ids}…): give more of it"),
    "item": N_("item: {id} is the start of several ids ({ids}…): give more of it"),
})


def find(session: Session, model: type[Row], prefix: str, what: str) -> Row:
    """The record of `model` whose id starts with `prefix` (a short id, as listings show it), or a
    UsageError saying there is none or which to tell apart. `what` is "member", "meeting" or "item"."""
    given = prefix.strip().lower()
    if len(given.replace("-", "")) < 4 or not set(given) <= _HEX | {"-"}:
        raise Invalid(_NOT_AN_ID[what].format(id=repr(prefix)))
    table: Any = model
    rows = list(session.scalars(select(model.id).where(col(table.id).startswith(given, autoescape=True),
                                                      col(table.deleted_at).is_(None)).limit(5)))
    if not rows:
        raise NotFound(_NONE[what].format(id=prefix))
    if len(rows) > 1:
        raise Invalid(_SEVERAL[what].format(id=prefix, ids=", ".join(r[:13] for r in rows)))
    found = session.get(model, rows[0])
    assert found is not None
    return found


def _short(session: Session, model: type[Row]) -> dict[str, str]:
    return board.short_ids(list(session.scalars(select(model.id))))


def as_member(m: BoardMember) -> board.Member:
    return board.Member(board.Track(m.track), m.nominated_on, board.Approval(m.approval), m.approval_on, m.country,
                        m.institution, m.term_start, m.term_end)


def member_row(m: BoardMember, short: str, today: date) -> dict[str, Any]:
    state = board.status(as_member(m), today)
    nominated_by = (board.BDT if m.track == board.Track.EXPERT.value
                    else " · ".join(x for x in (m.country, m.institution) if x) or None)
    return {"id": m.id, "short_id": short, "name": m.name, "track": m.track, "title": m.title,
            "country": m.country, "institution": m.institution, "nominated_by": nominated_by,
            "nominated_on": m.nominated_on, "approval": m.approval, "approval_on": m.approval_on,
            "approved_by": (None if m.approval == board.Approval.PENDING.value else
                            # Words (--json runs in English): the approver in the reader's language.
                            board.BDT if m.track == board.Track.EXPERT.value else _("BDT Director")),
            "term_start": m.term_start, "term_end": m.term_end, "status": state.value,
            "version": m.change_id}


def list_members(session: Session, today: date) -> list[dict[str, Any]]:
    """Every member and nomination: serving first, then awaiting approval, then the rest."""
    short = _short(session, BoardMember)
    order = {s: i for i, s in enumerate((board.MemberStatus.SERVING, board.MemberStatus.NOMINATED,
                                         board.MemberStatus.APPROVED, board.MemberStatus.TERM_ENDED,
                                         board.MemberStatus.DECLINED))}
    rows = [member_row(m, short[m.id], today) for m in session.scalars(
        select(BoardMember).where(col(BoardMember.deleted_at).is_(None)))]
    return sorted(rows, key=lambda r: (order[board.MemberStatus(r["status"])], r["name"].lower(), r["id"]))


def _item_rows(session: Session, query: Any) -> list[dict[str, Any]]:
    short = _short(session, BoardItem)
    meetings = _short(session, BoardMeeting)
    out = []
    for item, ref, title, stage, meeting_title, meets_on in session.execute(query):
        out.append({"id": item.id, "short_id": short[item.id], "ref": ref, "case_title": title, "stage": stage,
                    "matter": item.matter, "meeting_id": item.meeting_id,
                    "meeting": meetings.get(item.meeting_id) if item.meeting_id else None,
                    "meeting_title": meeting_title, "meets_on": meets_on, "decision": item.decision,
                    "reference": item.reference, "decided_on": item.decided_on, "note": item.note,
                    "put_at": item.created_at, "version": item.change_id})
    return out


def _items_query() -> Any:
    return (sa.select(BoardItem, col(Case.ref), col(Case.title), col(Case.stage), col(BoardMeeting.title),
                      col(BoardMeeting.meets_on))
            .join(Case, col(Case.id) == BoardItem.case_id)
            .join(BoardMeeting, col(BoardMeeting.id) == BoardItem.meeting_id, isouter=True)
            .where(col(BoardItem.deleted_at).is_(None))
            .order_by(col(BoardItem.created_at), col(BoardItem.id)))


def list_items(session: Session, case_id: str | None = None, undecided: bool = False) -> list[dict[str, Any]]:
    """The matters put to the Board (a case's, or all), in the order they were put."""
    query = _items_query()
    if case_id is not None:
        query = query.where(BoardItem.case_id == case_id)
    if undecided:
        query = query.where(col(BoardItem.decision).is_(None))
    return _item_rows(session, query)


def list_meetings(session: Session) -> list[dict[str, Any]]:
    """Every meeting, the next planned first, then the held ones, latest first."""
    short = _short(session, BoardMeeting)
    counts = dict(session.execute(select(BoardItem.meeting_id, func.count()).where(
        col(BoardItem.deleted_at).is_(None), col(BoardItem.meeting_id).is_not(None)).group_by(
        col(BoardItem.meeting_id))).all())
    rows = [{"id": m.id, "short_id": short[m.id], "title": m.title, "meets_on": m.meets_on, "place": m.place,
             "status": m.status, "minutes_ref": m.minutes_ref, "agenda": m.agenda, "items": counts.get(m.id, 0),
             "version": m.change_id}
            for m in session.scalars(select(BoardMeeting).where(col(BoardMeeting.deleted_at).is_(None)))]
    planned = sorted((r for r in rows if r["status"] == "planned"), key=lambda r: (r["meets_on"], r["id"]))
    held = sorted((r for r in rows if r["status"] != "planned"), key=lambda r: (r["meets_on"], r["id"]),
                  reverse=True)
    return planned + held


def meeting_detail(session: Session, meeting: BoardMeeting) -> dict[str, Any]:
    row = next(r for r in list_meetings(session) if r["id"] == meeting.id)
    row["items_on_it"] = _item_rows(session, _items_query().where(BoardItem.meeting_id == meeting.id))
    return row


def gate_items(session: Session, case: Case) -> tuple[board.Item, ...]:
    """The matters of this renewal round put to the Board: those put since the case last left
    renewal (a decision of the previous round does not count for this one)."""
    last_round = session.scalar(select(func.max(col(Transition.at))).where(
        Transition.case_id == case.id, Transition.kind == MoveKind.ADVANCE.value,
        Transition.from_stage == Stage.RENEWAL.value))
    query = select(BoardItem).where(BoardItem.case_id == case.id, col(BoardItem.deleted_at).is_(None))
    items = [i for i in session.scalars(query.order_by(col(BoardItem.created_at), col(BoardItem.id)))
             if last_round is None or _aware(i.created_at) > _aware(last_round)]
    # The latest decision counts: in the order they were decided, undecided ones first.
    items.sort(key=lambda i: (i.decided_on is not None, i.decided_on or date.min))
    return tuple(board.Item(board.Matter(i.matter), board.Decision(i.decision) if i.decision else None,
                            i.reference, i.decided_on) for i in items)


def _aware(when: datetime) -> datetime:
    from datetime import timezone

    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def row_history(session: Session, table: str, row_id: str) -> list[HistoryEntry]:
    """One record's own history (a member, a meeting), as the change log tells it."""
    codes = site_names(session)
    rows = session.scalars(select(ChangeLog).where(ChangeLog.table_name == table, ChangeLog.row_id == row_id)
                           .order_by(col(ChangeLog.at), col(ChangeLog.id)))
    return [HistoryEntry(r.seq, codes.get(r.origin, r.origin), r.at, r.actor, r.table_name, r.op, r.changes)
            for r in rows]
