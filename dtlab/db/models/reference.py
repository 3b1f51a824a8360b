"""Reference data loaded from seeds/ (versioned by digest, not synchronised through the change
log): goals, centre types, regions and countries, membership categories, the rubric, the
monitoring templates, thematic priorities (their areas' objectives, outcomes and products) and
regional initiatives, the SDGs and the WSIS action lines.

Every text a user reads is held in the six languages of the Union (`SixLanguages.texts`); the
`*_en` and `*_zh` columns are the English and Chinese the tables had before, kept for the code
and the JSON that read them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from dtlab.i18n import SOURCE_LANGUAGE, language


class SixLanguages(SQLModel):
    """A reference row whose texts are read in the reader's language.

    `texts` holds each text field in every language the seed gives, {"name": {"en": …, "fr": …}}:
    one JSON column per table rather than a column per field and language (some 120 of them,
    and a migration for every text a seed gains), or a table of translations that every read
    of a name would have to join. A reference table is read whole and is small, so its rows
    carry their own texts."""

    texts: dict[str, dict[str, Any]] = Field(default_factory=dict, sa_type=JSON,
                                             sa_column_kwargs={"server_default": "{}"})

    def localized(self, field: str, lang: str | None = None) -> Any:
        """`field` in `lang` (by default the language in use), else in English: a row loaded
        before its seed had the language, or a text the seed does not give in it."""
        given = (self.texts or {}).get(field) or {}
        found = given.get(lang or language())
        if found:
            return found
        english = given.get(SOURCE_LANGUAGE)
        if english is None:  # the English column (`name_en`), or the field itself (a call's `title`)
            english = getattr(self, f"{field}_{SOURCE_LANGUAGE}", None)
        return english if english is not None else getattr(self, field)


class RefVersion(SQLModel, table=True):
    __tablename__ = "ref_version"
    name: str = Field(primary_key=True)
    version: int
    digest: str
    loaded_at: datetime


class RubricVersion(SQLModel, table=True):
    """Every version of the evaluation rubric ever loaded, kept so that an evaluation is always
    read with the rubric it was scored with. Rows are only ever added; a row's body gains the
    translations of its texts when a newer seed brings them (its id, which names its meaning,
    stays: see `db.reference._rubric`)."""

    __tablename__ = "ref_rubric"
    id: str = Field(primary_key=True)  # "v{version}-{first 12 hex digits of the file's digest}"
    version: int
    digest: str
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))  # the parsed seeds/rubric.toml
    loaded_at: datetime


class TemplateItem(SixLanguages, table=True):
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


class Goal(SixLanguages, table=True):
    __tablename__ = "ref_goal"
    id: str = Field(primary_key=True)
    position: int
    name_en: str
    name_zh: str
    why_en: str = ""


class CentreType(SixLanguages, table=True):
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


class Region(SixLanguages, table=True):
    __tablename__ = "ref_region"
    id: str = Field(primary_key=True)
    name_en: str
    name_zh: str


class Country(SixLanguages, table=True):
    __tablename__ = "ref_country"
    code: str = Field(primary_key=True, max_length=2)
    name_en: str  # CLDR's, as every language's (never written by hand)
    name_zh: str
    region: str = Field(index=True)
    # Its names in the six languages, one a line: the text the case search indexes, so that a
    # case is found by its country's name in any of them.
    names: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})


class MembershipCategory(SixLanguages, table=True):
    __tablename__ = "ref_membership_category"
    id: str = Field(primary_key=True)
    position: int
    name_en: str
    name_zh: str


class PriorityGroup(SixLanguages, table=True):
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


class GroupOutcome(SixLanguages, table=True):
    """One outcome (成果) of a thematic priority area, numbered in its figure's order."""

    __tablename__ = "ref_group_outcome"
    group_id: str = Field(primary_key=True)
    number: int = Field(primary_key=True)
    title_en: str = Field(sa_type=Text)
    title_zh: str = Field(sa_type=Text)


class Product(SixLanguages, table=True):
    """One product or service (an output, 输出成果) of a thematic priority area, in its figure's
    order; `priority_id` when attributed to one priority (our attribution), None at group level."""

    __tablename__ = "ref_product"
    group_id: str = Field(primary_key=True)
    number: int = Field(primary_key=True)
    priority_id: Optional[str] = None
    title_en: str = Field(sa_type=Text)
    title_zh: str = Field(sa_type=Text)


class Sdg(SixLanguages, table=True):
    """A Sustainable Development Goal (names: public standard list, not from the source)."""

    __tablename__ = "ref_sdg"
    number: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name_en: str
    name_zh: str


class WsisLine(SixLanguages, table=True):
    """A WSIS action line, C1-C11 (names: the Geneva Plan of Action's, not from the source)."""

    __tablename__ = "ref_wsis_line"
    code: str = Field(primary_key=True)
    position: int
    name_en: str = Field(sa_type=Text)
    name_zh: str = Field(sa_type=Text)


class ThematicPriority(SixLanguages, table=True):
    __tablename__ = "ref_thematic_priority"
    id: str = Field(primary_key=True)
    position: int
    cycle: str
    group_id: Optional[str] = None
    title_en: str
    title_zh: str
    products_en: list[str] = Field(sa_column=Column(JSON, nullable=False))
    products_zh: list[str] = Field(sa_column=Column(JSON, nullable=False))


class RegionalInitiative(SixLanguages, table=True):
    __tablename__ = "ref_initiative"
    cycle: str = Field(primary_key=True)
    code: str = Field(primary_key=True)
    region: str
    title_en: str
    title_zh: str
    objective_en: str
    objective_zh: str


class ExpectedResult(SixLanguages, table=True):
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
