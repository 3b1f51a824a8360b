"""A centre, its accreditation periods, and its monitoring plan: results, KPIs and their years,
milestones, and the evidence behind reported figures."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Optional

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field

from dtlab.db.models.base import Synced


class Centre(Synced, table=True):
    """The Acceleration Centre a case becomes once it reaches set-up."""

    __tablename__ = "centres"
    CASE_KEY: ClassVar[Optional[str]] = "case_id"
    case_id: str = Field(foreign_key="cases.id", unique=True)
    name: str
    centre_type: Optional[str] = None  # an upgrade changes it; the change log keeps the old one
    host_id: Optional[str] = Field(default=None, foreign_key="organisations.id")
    country: Optional[str] = None
    scope: Optional[str] = None
    goals: Optional[str] = None
    launch_on: Optional[date] = None


class Accreditation(Synced, table=True):
    """One accreditation period of a centre, with the type it was accredited as and how it ended."""

    __tablename__ = "accreditations"
    CASE_KEY: ClassVar[Optional[str]] = "case_id"
    FIXED: ClassVar[frozenset[str]] = frozenset({"centre_id", "number"})
    case_id: str = Field(foreign_key="cases.id", index=True)
    centre_id: str = Field(foreign_key="centres.id")
    number: int
    centre_type: Optional[str] = None
    starts_on: date
    ends_on: date
    renewal_due_on: date
    outcome: Optional[str] = None  # renewed | upgraded | closed, once the period's evaluation decides


class Result(Synced, table=True):
    """An output, outcome or impact of a centre's results framework, linked up the chain to the
    result of the next level it contributes to (`parent_id`, same case), and to what it serves: a
    thematic priority, expected results of regional initiatives (of one plan cycle), SDGs and
    WSIS action lines."""

    __tablename__ = "results"
    CASE_KEY: ClassVar[Optional[str]] = "case_id"
    case_id: str = Field(foreign_key="cases.id", index=True)
    level: str  # output | outcome | impact
    title: str
    position: int = 0
    priority_id: Optional[str] = None  # ref_thematic_priority.id
    cycle: Optional[str] = None  # the plan cycle the initiative results belong to
    initiative_results: Optional[str] = None  # "AFR4.3 AFR4.5": initiative code and result number
    sdgs: Optional[str] = None  # "4 9 17"
    task: Optional[int] = None  # the centre task of the concept note it serves (1-9)
    parent_id: Optional[str] = Field(default=None, foreign_key="results.id")  # one level up, same case
    wsis: Optional[str] = None  # "C1 C7": WSIS action lines


class Kpi(Synced, table=True):
    """A key performance indicator. `target` is the end-of-plan target (the last year's, once
    yearly targets are set); the yearly targets and actuals are KpiYear rows."""

    __tablename__ = "kpis"
    CASE_KEY: ClassVar[Optional[str]] = "case_id"
    case_id: str = Field(foreign_key="cases.id", index=True)
    name: str
    unit: Optional[str] = None
    baseline: Optional[float] = None
    target: Optional[float] = None
    result_id: Optional[str] = Field(default=None, foreign_key="results.id")
    position: Optional[int] = None
    task: Optional[int] = None


class KpiYear(Synced, table=True):
    """One reporting year of a KPI, counted from the start of the centre's first accreditation
    (year 1 is its first twelve months): the target and, once reported, the actual."""

    __tablename__ = "kpi_years"
    __table_args__ = (UniqueConstraint("kpi_id", "year", name="uq_kpi_years_year"),)
    CASE_KEY: ClassVar[Optional[str]] = "case_id"
    FIXED: ClassVar[frozenset[str]] = frozenset({"kpi_id", "year"})
    case_id: str = Field(foreign_key="cases.id", index=True)
    kpi_id: str = Field(foreign_key="kpis.id")
    year: int
    target: Optional[float] = None
    actual: Optional[float] = None
    reported_on: Optional[date] = None


class Milestone(Synced, table=True):
    """A milestone of a centre's plan. `due_on` is stored: a relative milestone (`anchor`,
    `months`, `days`) keeps its date until the user accepts a re-plan after its anchor moved.
    Overdue and due soon are computed from it each time."""

    __tablename__ = "milestones"
    __table_args__ = (Index("ix_milestones_status_due", "status", "due_on"),)
    CASE_KEY: ClassVar[Optional[str]] = "case_id"
    case_id: str = Field(foreign_key="cases.id", index=True)
    title: str
    owner: Optional[str] = None
    status: str = "planned"  # planned | in_progress | done | missed | cancelled
    due_on: Optional[date] = None
    anchor: Optional[str] = None  # launch | accreditation; None for a fixed date
    months: int = 0
    days: int = 0
    done_on: Optional[date] = None
    position: int = 0
    task: Optional[int] = None


class Evidence(Synced, table=True):
    """A note of evidence for a milestone or for a KPI's reported year. Append-only, so that
    evidence gathered on two laptops never conflicts."""

    __tablename__ = "evidence"
    APPEND_ONLY: ClassVar[bool] = True
    CASE_KEY: ClassVar[Optional[str]] = "case_id"
    case_id: str = Field(foreign_key="cases.id", index=True)
    milestone_id: Optional[str] = Field(default=None, foreign_key="milestones.id", index=True)
    kpi_year_id: Optional[str] = Field(default=None, foreign_key="kpi_years.id", index=True)
    body: str = Field(sa_type=Text)
