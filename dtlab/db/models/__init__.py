"""The tables, one module per aggregate. Synchronised rows share `Synced`: a UUIDv7 key,
timestamps, the actor of the last change, a tombstone, and the change-log entry that last wrote
them (checked by a trigger). Importing this package registers every table on SQLModel.metadata."""

from __future__ import annotations

from dtlab.db.models.base import ChangeLog, Meta, Synced
from dtlab.db.models.calls import Call, RefCall
from dtlab.db.models.cases import (
    Assessment,
    Case,
    Contact,
    Decision,
    Evaluation,
    EvaluationScore,
    Note,
    Organisation,
    Transition,
)
from dtlab.db.models.centres import Accreditation, Centre, Evidence, Kpi, KpiYear, Milestone, Result
from dtlab.db.models.exchange import BundleRecord, Conflict, PeerVector, SiteName, SiteRecipient, TrustedKey
from dtlab.db.models.reference import (
    CentreType,
    Country,
    ExpectedResult,
    Goal,
    MembershipCategory,
    PriorityGroup,
    PriorityInitiative,
    PriorityResult,
    RefVersion,
    Region,
    RegionalInitiative,
    RubricVersion,
    TemplateItem,
    ThematicPriority,
)

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
    Call,
)
SYNCED_BY_TABLE: dict[str, type[Synced]] = {m.__tablename__: m for m in SYNCED_MODELS}  # type: ignore[misc]

__all__ = [
    "Synced",
    "Meta",
    "ChangeLog",
    "RefVersion",
    "RubricVersion",
    "TemplateItem",
    "Goal",
    "CentreType",
    "Region",
    "Country",
    "MembershipCategory",
    "PriorityGroup",
    "ThematicPriority",
    "RegionalInitiative",
    "ExpectedResult",
    "PriorityResult",
    "PriorityInitiative",
    "TrustedKey",
    "SiteRecipient",
    "SiteName",
    "PeerVector",
    "BundleRecord",
    "Conflict",
    "Organisation",
    "Contact",
    "Case",
    "Assessment",
    "Evaluation",
    "EvaluationScore",
    "Transition",
    "Note",
    "Decision",
    "Centre",
    "Accreditation",
    "Result",
    "Kpi",
    "KpiYear",
    "Milestone",
    "Evidence",
    "Call",
    "RefCall",
    "SYNCED_MODELS",
    "SYNCED_BY_TABLE",
]
