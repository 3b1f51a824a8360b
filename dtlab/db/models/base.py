"""The bookkeeping every synchronised row shares (`Synced`), the installation's own facts,
and the change log."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Optional

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class Synced(SQLModel):
    # Fields that describe the row's bookkeeping rather than its content: never logged as changes.
    BOOKKEEPING: ClassVar[frozenset[str]] = frozenset(
        {"id", "created_at", "updated_at", "updated_by", "change_id"}
    )
    # Append-only records (notes, transitions) are never updated once written.
    APPEND_ONLY: ClassVar[bool] = False
    # Fields set when the record is written and never after: what the record is (a case's ref, the
    # rubric an evaluation is scored under, the KPI and year a figure is of). An update that
    # changes one is refused, made here or carried by a bundle, so no edit can pass a record off
    # as another (an evaluation stripped of its rubric would keep a classification no score gives).
    FIXED: ClassVar[frozenset[str]] = frozenset()
    # The column that ties the row to a case, for a case's history.
    CASE_KEY: ClassVar[Optional[str]] = None

    id: str = Field(primary_key=True, max_length=36)
    created_at: datetime
    updated_at: datetime
    updated_by: str
    deleted_at: Optional[datetime] = None
    change_id: int = Field(sa_type=BigInteger)


class Meta(SQLModel, table=True):
    """Installation facts: site id and code."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class ChangeLog(SQLModel, table=True):
    """One entry per insert, update or soft delete of a synchronised row."""

    __tablename__ = "change_log"
    __table_args__ = (
        UniqueConstraint("origin", "seq", name="uq_change_log_origin_seq"),
        Index("ix_change_log_case", "case_id", "id"),
        Index("ix_change_log_row", "table_name", "row_id"),
        Index("ix_change_log_hlc", "hlc"),
        Index("ix_change_log_at", "at"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)  # INTEGER: the rowid, local apply order
    origin: str = Field(max_length=36)
    seq: int = Field(sa_type=BigInteger)
    hlc: int = Field(sa_type=BigInteger)
    actor: str
    at: datetime
    table_name: str
    row_id: str = Field(max_length=36)
    op: str  # insert | update | delete
    case_id: Optional[str] = Field(default=None, max_length=36)
    changes: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
