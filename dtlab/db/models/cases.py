"""A case and what belongs to it on its way through the stages: the applicant organisation and
contact, the assessment, moves along the path, notes, evaluations and their scores, and the
decisions that close sync conflicts."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Optional

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field

from dtlab.db.models.base import Synced


class Organisation(Synced, table=True):
    __tablename__ = "organisations"
    name: str = Field(index=True)
    country: Optional[str] = Field(default=None, max_length=2)
    category: Optional[str] = None


class Contact(Synced, table=True):
    __tablename__ = "contacts"
    organisation_id: Optional[str] = Field(default=None, foreign_key="organisations.id", index=True)
    name: str
    email: Optional[str] = None
    phone: Optional[str] = None
    role: Optional[str] = None


class Case(Synced, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_stage_status", "stage", "status"),
        Index("ix_cases_region", "region"),
        Index("ix_cases_updated", "updated_at"),
        Index("ix_cases_status_since", "status", "stage_since"),
        Index("ix_cases_counts", "stage", "status", "region", "proposed_type", "deleted_at"),
    )
    CASE_KEY: ClassVar[Optional[str]] = "id"
    FIXED: ClassVar[frozenset[str]] = frozenset({"ref"})

    ref: str = Field(unique=True, max_length=24)
    title: str
    purpose: Optional[str] = Field(default=None, sa_type=Text)
    applicant_id: Optional[str] = Field(default=None, foreign_key="organisations.id", index=True)
    contact_id: Optional[str] = Field(default=None, foreign_key="contacts.id")
    country: Optional[str] = Field(default=None, max_length=2)
    region: Optional[str] = None
    channel: Optional[str] = None
    received_on: Optional[date] = None
    goals: Optional[str] = None  # comma-separated goal ids, sorted
    scope: Optional[str] = None
    ownership: Optional[str] = None
    proposed_type: Optional[str] = None
    flagships: Optional[str] = Field(default=None, sa_type=Text)  # one flagship initiative per line
    assignee: Optional[str] = None
    stage: str = "interest"
    status: str = "open"
    status_reason: Optional[str] = None
    stage_since: datetime
    agreement_ref: Optional[str] = None
    signatories: Optional[str] = None
    signed_on: Optional[date] = None
    launch_on: Optional[date] = None
    accredited_on: Optional[date] = None
    period_evaluated_on: Optional[date] = None
    period_evaluation: Optional[str] = Field(default=None, sa_type=Text)
    renewal_outcome: Optional[str] = None
    type_reason: Optional[str] = Field(default=None, sa_type=Text)  # why a type other than the best fit
    cost_capacity: Optional[str] = None  # the most the host can carry: low, medium or high
    # Why an applicant outside ITU membership is taken on: centres are "mainly for ITU members".
    membership_reason: Optional[str] = Field(default=None, sa_type=Text)
    # The call for expressions of interest the request answers (its ref: a site's call or the
    # reference data's), and why one received after the call's deadline is taken all the same.
    call_ref: Optional[str] = Field(default=None, max_length=24, index=True)
    late_reason: Optional[str] = Field(default=None, sa_type=Text)


class Assessment(Synced, table=True):
    """The preliminary assessment of a case (one per case)."""

    __tablename__ = "assessments"
    CASE_KEY: ClassVar[Optional[str]] = "case_id"
    case_id: str = Field(foreign_key="cases.id", unique=True)
    needs: Optional[str] = Field(default=None, sa_type=Text)
    stakeholders: Optional[str] = Field(default=None, sa_type=Text)
    human_resources: Optional[str] = Field(default=None, sa_type=Text)
    financial_resources: Optional[str] = Field(default=None, sa_type=Text)
    findings: Optional[str] = Field(default=None, sa_type=Text)
    assessed_on: Optional[date] = None
    assessor: Optional[str] = None


class Evaluation(Synced, table=True):
    """One evaluator's scoring of a concept design against a rubric version. A draft until
    `submitted_at` is set, then locked (a trigger refuses edits); an amendment is a new revision
    that names the one it supersedes."""

    __tablename__ = "evaluations"
    CASE_KEY: ClassVar[Optional[str]] = "case_id"
    FIXED: ClassVar[frozenset[str]] = frozenset({"evaluator", "rubric_id", "revision", "supersedes"})
    case_id: str = Field(foreign_key="cases.id", index=True)
    evaluator: str
    rubric_id: Optional[str] = None  # None only for verdicts recorded before rubrics existed
    revision: int = 1
    supersedes: Optional[str] = None  # the evaluation this revision amends
    classification: Optional[str] = None  # set on submission, from the scores and caps
    percent: Optional[float] = None  # the weighted total at submission
    comment: Optional[str] = Field(default=None, sa_type=Text)
    submitted_at: Optional[datetime] = None


class EvaluationScore(Synced, table=True):
    """One criterion of one evaluation: its score (0-4) and the evaluator's comment."""

    __tablename__ = "evaluation_scores"
    __table_args__ = (UniqueConstraint("evaluation_id", "criterion", name="uq_evaluation_scores_criterion"),)
    CASE_KEY: ClassVar[Optional[str]] = "case_id"
    FIXED: ClassVar[frozenset[str]] = frozenset({"evaluation_id", "criterion"})
    case_id: str = Field(foreign_key="cases.id", index=True)
    evaluation_id: str = Field(foreign_key="evaluations.id")
    criterion: str
    score: Optional[int] = None
    comment: Optional[str] = Field(default=None, sa_type=Text)


class Transition(Synced, table=True):
    """A move of a case along the path; overrides carry the reason and what was overridden."""

    __tablename__ = "transitions"
    APPEND_ONLY: ClassVar[bool] = True
    CASE_KEY: ClassVar[Optional[str]] = "case_id"
    case_id: str = Field(foreign_key="cases.id", index=True)
    kind: str
    from_stage: Optional[str] = None
    to_stage: str
    status: str
    reason: Optional[str] = Field(default=None, sa_type=Text)
    overridden: Optional[str] = Field(default=None, sa_type=Text)  # the unmet conditions, one per line
    at: datetime


class Note(Synced, table=True):
    __tablename__ = "notes"
    APPEND_ONLY: ClassVar[bool] = True
    CASE_KEY: ClassVar[Optional[str]] = "case_id"
    case_id: str = Field(foreign_key="cases.id", index=True)
    body: str = Field(sa_type=Text)


class Decision(Synced, table=True):
    """How a sync conflict was decided, by whom and at which site. It travels like any record;
    arriving at another site it closes the same conflict there (the same field, between writes
    the deciding site had seen), so a conflict is decided once for every site. Append-only."""

    __tablename__ = "decisions"
    APPEND_ONLY: ClassVar[bool] = True
    CASE_KEY: ClassVar[Optional[str]] = "case_id"
    case_id: Optional[str] = Field(default=None, foreign_key="cases.id", index=True)
    table_name: str
    row_id: str = Field(index=True)
    field: str
    # Every write to the field the deciding site held, as "origin:seq", space-separated.
    seen: str = Field(sa_type=Text)
    resolution: str  # kept | took incoming | edited
    site: str  # the code of the site that decided
