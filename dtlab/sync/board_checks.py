"""The Board's records as a bundle brings them, beside the rule of each field (`domain.records`):
a member or an item arrives consistent as its site wrote it (a track-1 member does not serve
before its approval, a decision has its reference and date), and a setting is one the lab has,
with a value it allows, under the id every site derives from its key. Edits after the insert are
judged field by field only: two sites' edits merged field by field may meet in a combination
neither wrote, and refusing that would stop every later bundle of both."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from dtlab.db.board import setting_id
from dtlab.db.models import BoardMeeting, Setting
from dtlab.domain import board
from dtlab.sync.bundle import Rejected
from dtlab.sync.rejected import op_name

TABLES = frozenset({"board_members", "board_items", "settings"})


def _new(op: dict[str, Any]) -> dict[str, Any]:
    return {k: new for k, (_old, new) in op["changes"].items()}


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None  # the field rule checked the form


def check(op: dict[str, Any], session: Session, flush: Callable[[], None]) -> None:
    name, table = op_name(op), op["table"]
    if table == "settings":
        _setting(op, session, flush)
        return
    if op["op"] != "insert":
        return
    values = _new(op)
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
        problems = board.item_problems(decision, values.get("reference"), _day(values.get("decided_on")), meeting_on)
    if problems:
        raise Rejected(f"{name}: {table} {problems[0]}")


def _setting(op: dict[str, Any], session: Session, flush: Callable[[], None]) -> None:
    name, values = op_name(op), _new(op)
    if op["op"] == "insert":
        key = values["key"]
        if op["row_id"] != setting_id(key):
            raise Rejected(f"{name}: the setting {key} is not under the id every site gives it")
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
