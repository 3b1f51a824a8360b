"""The names of stored values as people read them: a stage, a status, a channel, the choices of a
form's selects, where a milestone stands. With words.py (field labels, nouns, sentences) the one
catalogue the front ends take labels from.

It imports only the stage enums, so the case list, the first screen, can name its rows before
the rest of the domain is loaded. A stage's full label is the domain's (its gate and move messages
use it), named here for the front ends."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

from dtlab.domain.gates import outside_membership
from dtlab.domain.stages import STAGE_LABELS as STAGE_LABELS
from dtlab.domain.stages import Channel, Stage, Status

Value = TypeVar("Value", bound=str)  # a stored value: a string, or a str-valued enum member

# For narrow places: charts, list columns, the command palette.
STAGE_SHORT: dict[Stage, str] = {
    Stage.INTEREST: "Interest",
    Stage.ASSESSMENT: "Assessment",
    Stage.CONCEPT_DESIGN: "Concept design",
    Stage.AGREEMENT: "Agreement",
    Stage.IMPLEMENTATION: "Set-up",
    Stage.OPERATION: "Operation",
    Stage.RENEWAL: "Renewal",
}
# A case's tabs: with History and Notes they fit an 80-column terminal.
STAGE_TABS: dict[Stage, str] = {
    Stage.INTEREST: "Interest", Stage.ASSESSMENT: "Assess", Stage.CONCEPT_DESIGN: "Design",
    Stage.AGREEMENT: "Agree", Stage.IMPLEMENTATION: "Set-up", Stage.OPERATION: "Operate",
    Stage.RENEWAL: "Renew",
}
STATUS_LABELS: dict[Status, str] = {
    Status.OPEN: "Open", Status.WITHDRAWN: "Withdrawn", Status.DECLINED: "Declined", Status.CLOSED: "Closed",
}
CHANNEL_LABELS: dict[Channel, str] = {
    Channel.LETTER: "Letter of interest",
    Channel.EOI: "Call for expressions of interest",
    Channel.TA_REQUEST: "Technical-assistance request",
}

# The choices of a form's selects, by stored value. (OWNERSHIP_LABELS are the guide's words for
# the same values inside sentences: "needs ITU ownership".)
SCOPE_CHOICES = {"global": "Global", "regional": "Regional", "national": "National"}
OWNERSHIP_CHOICES = {"itu": "ITU-owned", "country": "Country-owned", "host_institution": "Existing institution"}
OUTCOME_CHOICES = {"renewed": "Renewed", "upgraded": "Upgraded", "closed": "Closed"}
COST_CAPACITY_CHOICES = {"low": "Low cost", "medium": "Medium cost", "high": "High cost"}
RESULT_LEVEL_CHOICES = {"output": "Output", "outcome": "Outcome", "impact": "Impact"}

# A milestone's status (stored) and where it stands today (domain.monitoring.due_state, computed).
MILESTONE_STATUS_WORDS = {"planned": "Planned", "in_progress": "In progress", "done": "Done", "missed": "Missed",
                          "cancelled": "Cancelled"}
MILESTONE_STATE_LABELS = {"overdue": "Overdue", "due soon": "Due soon", "scheduled": "Scheduled",
                          "unscheduled": "Unscheduled", "closed": "Closed"}


def milestone_state_word(state: str, status: str) -> str:
    """Where a milestone stands, as every front end says it: a closed one by how it closed (Done,
    Missed, Cancelled), an open one by whether it is late."""
    return MILESTONE_STATUS_WORDS[status] if state == "closed" else MILESTONE_STATE_LABELS[state]


def as_choices(labels: Mapping[Value, str]) -> tuple[tuple[str, str], ...]:
    """(stored value, label) pairs for a select, in the catalogue's order."""
    return tuple((value.value if isinstance(value, Enum) else value, label) for value, label in labels.items())


def membership_choices(categories: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The membership categories as a form offers them, those outside ITU membership said so at
    the choosing: centres are "mainly for ITU members", and the assessment will ask why."""
    return [(cid, f"{name} · not an ITU member" if outside_membership(cid) else name) for cid, name in categories]
