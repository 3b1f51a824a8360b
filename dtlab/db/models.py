"""The tables. Synchronised rows share `Synced`: a UUIDv7 key, timestamps, the actor of the last
change, a tombstone, and the change-log entry that last wrote them (checked by a trigger)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Optional

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Synced(SQLModel):
    # Fields that describe the row's bookkeeping rather than its content: never logged as changes.
    BOOKKEEPING: ClassVar[frozenset[str]] = frozenset(
        {"id", "created_at", "updated_at", "updated_by", "change_id"}
    )
    # Append-only records (notes, transitions) are never updated once written.
    APPEND_ONLY: ClassVar[bool] = False
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


# --- reference data (loaded from seeds/, not synchronised through the change log) ----------------


class RefVersion(SQLModel, table=True):
    __tablename__ = "ref_version"
    name: str = Field(primary_key=True)
    version: int
    digest: str
    loaded_at: datetime


class RubricVersion(SQLModel, table=True):
    """Every version of the evaluation rubric ever loaded, kept so that an evaluation is always
    read with the rubric it was scored with. Rows are only ever added."""

    __tablename__ = "ref_rubric"
    id: str = Field(primary_key=True)  # "v{version}-{first 12 hex digits of the file's digest}"
    version: int
    digest: str
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))  # the parsed seeds/rubric.toml
    loaded_at: datetime


class TemplateItem(SQLModel, table=True):
    """One item of a centre type's monitoring-plan template (seeds/monitoring_templates.toml): a
    result (output or outcome), a KPI with yearly targets, or a milestone relative to an anchor."""

    __tablename__ = "ref_template_item"
    id: str = Field(primary_key=True)  # "{centre_type}/{kind}/{n}"
    centre_type: str = Field(index=True)
    kind: str  # result | kpi | milestone
    position: int
    title_en: str
    level: Optional[str] = None  # results: output | outcome
    unit: Optional[str] = None  # KPIs
    targets: Optional[list[float]] = Field(default=None, sa_column=Column(JSON, nullable=True))  # KPIs, per year
    anchor: Optional[str] = None  # milestones: launch | accreditation
    months: Optional[int] = None  # milestones: months after the anchor
    task: int  # the centre task of the concept note it serves (1-9)


class Goal(SQLModel, table=True):
    __tablename__ = "ref_goal"
    id: str = Field(primary_key=True)
    position: int
    name_en: str
    name_zh: str
    why_en: str = ""


class CentreType(SQLModel, table=True):
    __tablename__ = "ref_centre_type"
    id: str = Field(primary_key=True)
    position: int
    name_en: str
    name_zh: str
    ownership: list[str] = Field(sa_column=Column(JSON, nullable=False))
    ownership_text_en: str
    scopes: list[str] = Field(sa_column=Column(JSON, nullable=False))
    goals: list[str] = Field(sa_column=Column(JSON, nullable=False))
    resources_en: str
    cost_tier: str
    comment_en: str
    inferred: list[str] = Field(sa_column=Column(JSON, nullable=False))
    inference_note: str = ""


class Region(SQLModel, table=True):
    __tablename__ = "ref_region"
    id: str = Field(primary_key=True)
    name_en: str
    name_zh: str


class Country(SQLModel, table=True):
    __tablename__ = "ref_country"
    code: str = Field(primary_key=True, max_length=2)
    name_en: str
    name_zh: str
    region: str = Field(index=True)


class MembershipCategory(SQLModel, table=True):
    __tablename__ = "ref_membership_category"
    id: str = Field(primary_key=True)
    position: int
    name_en: str
    name_zh: str


class PriorityGroup(SQLModel, table=True):
    __tablename__ = "ref_priority_group"
    id: str = Field(primary_key=True)
    position: int
    title_en: str
    title_zh: str


class ThematicPriority(SQLModel, table=True):
    __tablename__ = "ref_thematic_priority"
    id: str = Field(primary_key=True)
    position: int
    cycle: str
    group_id: Optional[str] = None
    title_en: str
    title_zh: str
    products_en: list[str] = Field(sa_column=Column(JSON, nullable=False))
    products_zh: list[str] = Field(sa_column=Column(JSON, nullable=False))


class RegionalInitiative(SQLModel, table=True):
    __tablename__ = "ref_initiative"
    cycle: str = Field(primary_key=True)
    code: str = Field(primary_key=True)
    region: str
    title_en: str
    title_zh: str
    objective_en: str
    objective_zh: str


class ExpectedResult(SQLModel, table=True):
    __tablename__ = "ref_expected_result"
    cycle: str = Field(primary_key=True)
    code: str = Field(primary_key=True)
    number: int = Field(primary_key=True)
    text_en: str = Field(sa_type=Text)
    text_zh: str = Field(sa_type=Text)


class PriorityResult(SQLModel, table=True):
    """Which expected results of regional initiatives serve which thematic priority."""

    __tablename__ = "ref_priority_result"
    priority_id: str = Field(primary_key=True)
    cycle: str = Field(primary_key=True)
    code: str = Field(primary_key=True)
    number: int = Field(primary_key=True)


class PriorityInitiative(SQLModel, table=True):
    """A thematic priority served by a whole initiative (the source numbers no results for some)."""

    __tablename__ = "ref_priority_initiative"
    priority_id: str = Field(primary_key=True)
    cycle: str = Field(primary_key=True)
    code: str = Field(primary_key=True)


# --- sync bookkeeping (local to each site, never synchronised) ----------------------------------


class TrustedKey(SQLModel, table=True):
    """A public key this site accepts bundles from, for one site code; revoked keys are kept."""

    __tablename__ = "trusted_keys"
    key_id: str = Field(primary_key=True)
    site_code: str = Field(index=True)
    public_key: str  # base64, 32 bytes
    added_at: datetime
    revoked_at: Optional[datetime] = None


class SiteRecipient(SQLModel, table=True):
    """The age key (age1…) a site's bundles can be sealed to, one per site code: what
    `dtlab export --encrypt` encrypts to."""

    __tablename__ = "site_recipients"
    site_code: str = Field(primary_key=True)
    recipient: str
    added_at: datetime


class SiteName(SQLModel, table=True):
    """The code of another site, by its id: learned from the bundles that name it, so that the
    history says "NBO" rather than a site id."""

    __tablename__ = "site_names"
    id: str = Field(primary_key=True)
    code: str


class PeerVector(SQLModel, table=True):
    """What a peer site is known to hold: the highest sequence number of each origin it has
    acknowledged (sent back in its own bundles). Export sends it only what lies beyond."""

    __tablename__ = "peer_vectors"
    peer: str = Field(primary_key=True)  # site code
    origin: str = Field(primary_key=True)  # site id
    seq: int = Field(sa_type=BigInteger)


class BundleRecord(SQLModel, table=True):
    """A bundle written or read: the history the sync screen and `dtlab bundles` show."""

    __tablename__ = "bundles"
    id: str = Field(primary_key=True)  # the bundle id from its manifest
    direction: str  # sent | received
    peer: str  # the site it went to or came from
    at: datetime
    operations: int
    applied: int = 0
    skipped: int = 0
    conflicts: int = 0
    release: int = 0
    file: Optional[str] = None
    sealed: bool = False  # encrypted to the receiving site


class Conflict(SQLModel, table=True):
    """A field edited on two sites without either seeing the other's edit (or a delete against
    an update). The provisional winner is in the row already; someone decides for good."""

    __tablename__ = "conflicts"
    id: Optional[int] = Field(default=None, primary_key=True)
    table_name: str
    row_id: str = Field(index=True)
    case_id: Optional[str] = None
    field: str
    base: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    local: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    incoming: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    winner: str  # local | incoming
    local_actor: Optional[str] = None
    local_at: Optional[datetime] = None
    local_origin: Optional[str] = None  # the local write's (origin, seq): with the incoming one,
    local_seq: Optional[int] = Field(default=None, sa_type=BigInteger)  # what names the conflict on every site
    incoming_actor: str
    incoming_at: datetime
    incoming_origin: str
    incoming_seq: int = Field(sa_type=BigInteger)
    bundle_id: str
    created_at: datetime
    resolved_at: Optional[datetime] = None
    resolution: Optional[str] = None  # kept | took incoming | edited


# --- synchronised records ------------------------------------------------------------------------


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
    case_id: str = Field(foreign_key="cases.id", index=True)
    evaluation_id: str = Field(foreign_key="evaluations.id")
    criterion: str
    score: Optional[int] = None
    comment: Optional[str] = Field(default=None, sa_type=Text)


class Result(Synced, table=True):
    """An output or outcome of a centre's results framework, linked to what it serves: a
    thematic priority, expected results of regional initiatives (of one plan cycle), SDGs."""

    __tablename__ = "results"
    CASE_KEY: ClassVar[Optional[str]] = "case_id"
    case_id: str = Field(foreign_key="cases.id", index=True)
    level: str  # output | outcome
    title: str
    position: int = 0
    priority_id: Optional[str] = None  # ref_thematic_priority.id
    cycle: Optional[str] = None  # the plan cycle the initiative results belong to
    initiative_results: Optional[str] = None  # "AFR4.3 AFR4.5": initiative code and result number
    sdgs: Optional[str] = None  # "4 9 17"
    task: Optional[int] = None  # the centre task of the concept note it serves (1-9)


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
    case_id: str = Field(foreign_key="cases.id", index=True)
    centre_id: str = Field(foreign_key="centres.id")
    number: int
    centre_type: Optional[str] = None
    starts_on: date
    ends_on: date
    renewal_due_on: date
    outcome: Optional[str] = None  # renewed | upgraded | closed, once the period's evaluation decides


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


SYNCED_MODELS: tuple[type[Synced], ...] = (
    Organisation,
    Contact,
    Case,
    Assessment,
    Evaluation,
    EvaluationScore,
    Result,
    Kpi,
    KpiYear,
    Transition,
    Note,
    Centre,
    Accreditation,
    Milestone,
    Evidence,
    Decision,
)
SYNCED_BY_TABLE: dict[str, type[Synced]] = {m.__tablename__: m for m in SYNCED_MODELS}  # type: ignore[misc]
