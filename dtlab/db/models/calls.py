"""Calls for expressions of interest: a site's own (synchronised) and the reference data's (the
first call of 2023, loaded from seeds/calls.toml). Both have the same fields and are named by a
ref, which is what a case stores (`Case.call_ref`)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Optional

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from dtlab.db.models.base import Synced
from dtlab.db.models.reference import SixLanguages


class CallFields(SQLModel):
    ref: str = Field(unique=True, max_length=24)
    title: str
    regions: Optional[str] = None  # region ids separated by spaces, e.g. "AFR ARB"
    scope: Optional[str] = None  # the scope of the centres it is for
    centre_types: Optional[str] = None  # centre type ids separated by commas
    opens_on: Optional[date] = None
    deadline: date
    status: str = "open"  # open | closed | cancelled
    announcement: Optional[str] = Field(default=None, sa_type=Text)  # where and how it was published


class Call(CallFields, Synced, table=True):
    """A call made at a site: GVA-C1, GVA-C2, … (its ref is fixed once written)."""

    __tablename__ = "calls"
    FIXED: ClassVar[frozenset[str]] = frozenset({"ref"})


class RefCall(CallFields, SixLanguages, table=True):
    """A call of the reference data: the same on every site, never edited here; its title and
    announcement in the six languages (`texts`), `title` and `announcement` in English."""

    __tablename__ = "ref_call"
    id: str = Field(primary_key=True)
    position: int = 0
