"""The Board's records as a bundle brings them, beside the rule of each field (`domain.records`):
a member or an item arrives consistent as its site wrote it (a track-1 member does not serve
before its approval, a decision has its reference and date), and a setting is one the lab has,
with a value it allows, under the id every site derives from its key. An edit is judged whole (the
record as it leaves it) when the sender made it on the record as held here (`judged`); otherwise
field by field only: two sites' edits merged field by field may meet in a combination neither
wrote, and refusing that would stop every later bundle of both. No site changes a decision once
recorded (the Director's on a nomination, the Board's on a matter): an edit whose base is one
is refused whatever else holds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from dtlab.db.board import setting_id
from dtlab.db.models import BoardItem, BoardMeeting, BoardMember, Setting
from dtlab.domain import board
from dtlab.i18n import _
from dtlab.sync.bundle import Rejected
from dtlab.sync.rejected import op_name

TABLES = frozenset({"board_members", "board_items", "board_meetings", "settings"})
# A meeting recorded held is dated no later than the receiver's tomorrow (the sender's time zone).
HELD_GRACE = timedelta(days=1)


def _new(op: dict[str, Any]) -> dict[str, Any]:
    return {k: new for k, (_old, new) in op["changes"].items()}


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None  # the field rule checked the form


def check(op: dict[str, Any], session: Session, flush: Callable[[], None], judged: bool) -> None:
    name, table = op_name(op), op["table"]
    if table == "settings":
        _setting(op, session, flush)
        return
    values = _new(op)
    if op["op"] != "insert":
        _decided(op)
        if not judged:
            return
        flush()
        model = {"board_members": BoardMember, "board_items": BoardItem, "board_meetings": BoardMeeting}[table]
        held = session.get(model, op["row_id"])
        if held is None:
            return  # not held here: the applier refuses an update of a record it does not hold
        values = {**{k: (v.isoformat() if isinstance(v, date) else v) for k, v in held.model_dump().items()},
                  **values}
    if table == "board_meetings":
        meets_on = _day(values.get("meets_on"))
        if values.get("status") == "held" and meets_on is not None and meets_on > date.today() + HELD_GRACE:
            raise Rejected(_("{operation}: {table} {field}: a meeting on {date} cannot have been held yet").format(
                operation=name, table=table, field="status", date=meets_on))
        return
    if table == "board_members":
        member = board.Member(board.Track(values["track"]), _day(values["nominated_on"]) or date.min,
                              board.Approval(values.get("approval") or "pending"), _day(values.get("approval_on")),
                              values.get("country"), values.get("institution"), _day(values.get("term_start")),
                              _day(values.get("term_end")))
        problems = board.member_problems(member)
    else:
        meeting_on = None
        if values.get("meeting_id"):
            flush()
            meeting_on = session.execute(select(col(BoardMeeting.meets_on)).where(
                col(BoardMeeting.id) == values["meeting_id"])).scalar()
        decision = board.Decision(values["decision"]) if values.get("decision") else None
        problems = board.item_problems(decision, values.get("reference"), _day(values.get("decided_on")), meeting_on,
                                       values.get("note"))
    if problems:
        raise Rejected(f"{name}: {table} {problems[0]}")


def _decided(op: dict[str, Any]) -> None:
    """An edit of a decision the sender held as recorded: no site makes one (a nomination is
    decided once; a new word of the Board is a matter put again)."""
    changes = op["changes"]
    if op["table"] == "board_members" and changes.get("approval", [None, None])[0] not in (None, "pending"):
        raise Rejected(_("{operation}: it changes a nomination the BDT Director had decided").format(
            operation=op_name(op)))
    if op["table"] == "board_items" and changes.get("decision", [None, None])[0] is not None:
        raise Rejected(_("{operation}: it changes the Board's decision once recorded").format(operation=op_name(op)))


def _setting(op: dict[str, Any], session: Session, flush: Callable[[], None]) -> None:
    name, values = op_name(op), _new(op)
    if op["op"] == "insert":
        key = values["key"]
        if op["row_id"] != setting_id(key):
            raise Rejected(_("{operation}: the setting {key} is not under the id every site gives it").format(
                operation=name, key=key))
    else:
        flush()
        key = session.execute(select(col(Setting.key)).where(col(Setting.id) == op["row_id"])).scalar()
        if key is None:
            return  # not held here: the applier refuses an update of a record it does not hold
    if "value" in values:
        try:
            board.check_setting(key, values["value"])
        except ValueError as error:
            raise Rejected(f"{name}: settings {error}") from None
