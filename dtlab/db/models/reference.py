"""Reference data loaded from seeds/ (versioned by digest, not synchronised through the change
log): goals, centre types, regions and countries, membership categories, the rubric, the
monitoring templates, thematic priorities (their areas' objectives, outcomes and products) and
regional initiatives, the SDGs and the WSIS action lines."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel


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
    result (output, outcome or impact, linked up to another of the template's), a KPI with
    yearly targets, or a milestone relative to an anchor."""

    __tablename__ = "ref_template_item"
    id: str = Field(primary_key=True)  # "{centre_type}/{kind}/{n}"
    centre_type: str = Field(index=True)
    kind: str  # result | kpi | milestone
    position: int
    title_en: str
    level: Optional[str] = None  # results: output | outcome | impact
    unit: Optional[str] = None  # KPIs
    targets: Optional[list[float]] = Field(default=None, sa_column=Column(JSON, nullable=True))  # KPIs, per year
    anchor: Optional[str] = None  # milestones: launch | accreditation
    months: Optional[int] = None  # milestones: months after the anchor
    task: int  # the centre task of the concept note it serves (1-9)
    parent: Optional[int] = None  # results: the position of the template's result it contributes to


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
    """A thematic priority area of the action plan: its objective (部门目标) and the impact its
    outcomes serve; its outcomes and products are GroupOutcome and Product rows."""

    __tablename__ = "ref_priority_group"
    id: str = Field(primary_key=True)
    position: int
    title_en: str
    title_zh: str
    objective_en: str = Field(default="", sa_type=Text)
    objective_zh: str = Field(default="", sa_type=Text)
    impact_en: str = Field(default="", sa_type=Text)


class GroupOutcome(SQLModel, table=True):
    """One outcome (成果) of a thematic priority area, numbered in its figure's order."""

    __tablename__ = "ref_group_outcome"
    group_id: str = Field(primary_key=True)
    number: int = Field(primary_key=True)
    title_en: str = Field(sa_type=Text)
    title_zh: str = Field(sa_type=Text)


class Product(SQLModel, table=True):
    """One product or service (an output, 输出成果) of a thematic priority area, in its figure's
    order; `priority_id` when attributed to one priority (our attribution), None at group level."""

    __tablename__ = "ref_product"
    group_id: str = Field(primary_key=True)
    number: int = Field(primary_key=True)
    priority_id: Optional[str] = None
    title_en: str = Field(sa_type=Text)
    title_zh: str = Field(sa_type=Text)


class Sdg(SQLModel, table=True):
    """A Sustainable Development Goal (names: public standard list, not from the source)."""

    __tablename__ = "ref_sdg"
    number: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name_en: str
    name_zh: str


class WsisLine(SQLModel, table=True):
    """A WSIS action line, C1-C11 (names: the Geneva Plan of Action's, not from the source)."""

    __tablename__ = "ref_wsis_line"
    code: str = Field(primary_key=True)
    position: int
    name_en: str = Field(sa_type=Text)
    name_zh: str = Field(sa_type=Text)


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
