"""The Digital Innovation Board: its members, its meetings, the matters of cases put before it
with its decisions; and the lab's settings that every site holds alike (the Board policy)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Optional

from sqlalchemy import Text
from sqlmodel import Field

from dtlab.db.models.base import Synced


class BoardMember(Synced, table=True):
    """A member of the Board (or a nomination to it). Its status (nominated, declined, serving,
    term ended) is derived from the approval and the term (`domain.board.status`), never stored."""

    __tablename__ = "board_members"
    FIXED: ClassVar[frozenset[str]] = frozenset({"track"})
    name: str
    track: str  # official (track 1) | expert (track 2)
    title: Optional[str] = None  # role or title: "Minister of ICT", "Director, ..."
    country: Optional[str] = Field(default=None, max_length=2)  # the nominating Member State (track 1)
    institution: Optional[str] = None  # the nominating Sector Member or Academia; a partner's organisation
    nominated_on: date
    approval: str = "pending"  # pending | approved | declined (track 2: approved by its BDT nomination)
    approval_on: Optional[date] = None
    term_start: Optional[date] = None
    term_end: Optional[date] = None  # the first day no longer served


class BoardMeeting(Synced, table=True):
    """A meeting of the Board, with its agenda; the matters on it are its items."""

    __tablename__ = "board_meetings"
    title: str
    meets_on: date
    place: Optional[str] = None
    agenda: Optional[str] = Field(default=None, sa_type=Text)
    status: str = "planned"  # planned | held
    minutes_ref: Optional[str] = None


class BoardItem(Synced, table=True):
    """A matter of a case put before the Board (an accreditation, a renewal, an upgrade, a
    closure), at a meeting or not yet, and the Board's decision or advice on it."""

    __tablename__ = "board_items"
    CASE_KEY: ClassVar[Optional[str]] = "case_id"
    FIXED: ClassVar[frozenset[str]] = frozenset({"matter"})
    case_id: str = Field(foreign_key="cases.id", index=True)
    meeting_id: Optional[str] = Field(default=None, foreign_key="board_meetings.id", index=True)
    matter: str
    decision: Optional[str] = None
    reference: Optional[str] = None
    decided_on: Optional[date] = None
    note: Optional[str] = Field(default=None, sa_type=Text)  # the conditions, or the advice given


class Setting(Synced, table=True):
    """A setting of the lab, the same on every site: its id is derived from its key
    (`domain.ids.derived_id`), so two sites setting it write one record, merged field by field."""

    __tablename__ = "settings"
    FIXED: ClassVar[frozenset[str]] = frozenset({"key"})
    key: str = Field(unique=True)
    value: str
