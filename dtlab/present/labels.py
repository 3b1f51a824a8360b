"""The names of stored values as people read them: a stage, a status, a channel, the choices of a
form's selects, where a milestone stands. With words.py (field labels, nouns, sentences) the one
catalogue the front ends take labels from.

Every table is `Translated`: it answers in the language in use on each read, and each label it
gives can say itself in English (`dtlab.i18n.english`). Its keys are stored values, never
translated. The narrow forms (`STAGE_SHORT`, `STAGE_TABS`) are the catalogue's "short" entries,
so a translation can be as short as the place needs while the long label stays whole.

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
from dtlab.i18n import N_, Translated, _

Value = TypeVar("Value", bound=str)  # a stored value: a string, or a str-valued enum member


class mark:  # lower case: read as a marker, like N_
    """Marks a label for the catalogue with a context, as `N_` marks one without: pybabel extracts
    any call named `pgettext` with its context, and this one translates nothing (the `Translated`
    table holding the label does, on each read, with the same context)."""

    @staticmethod
    def pgettext(context: str, message: str) -> str:
        return message


# For narrow places: charts, list columns, the command palette.
STAGE_SHORT: Translated[Stage] = Translated({
    Stage.INTEREST: mark.pgettext("short", "Interest"),
    Stage.ASSESSMENT: mark.pgettext("short", "Assessment"),
    Stage.CONCEPT_DESIGN: mark.pgettext("short", "Concept design"),
    Stage.AGREEMENT: mark.pgettext("short", "Agreement"),
    Stage.IMPLEMENTATION: mark.pgettext("short", "Set-up"),
    Stage.OPERATION: mark.pgettext("short", "Operation"),
    Stage.RENEWAL: mark.pgettext("short", "Renewal"),
}, context="short")
# A case's tabs: with History and Notes they fit an 80-column terminal.
STAGE_TABS: Translated[Stage] = Translated({
    Stage.INTEREST: mark.pgettext("short", "Interest"), Stage.ASSESSMENT: mark.pgettext("short", "Assess"),
    Stage.CONCEPT_DESIGN: mark.pgettext("short", "Design"), Stage.AGREEMENT: mark.pgettext("short", "Agree"),
    Stage.IMPLEMENTATION: mark.pgettext("short", "Set-up"), Stage.OPERATION: mark.pgettext("short", "Operate"),
    Stage.RENEWAL: mark.pgettext("short", "Renew"),
}, context="short")
# A case's status. Its own context: "Open" is also a command (open a case), another word elsewhere.
STATUS_LABELS: Translated[Status] = Translated({
    Status.OPEN: mark.pgettext("status", "Open"), Status.WITHDRAWN: mark.pgettext("status", "Withdrawn"),
    Status.DECLINED: mark.pgettext("status", "Declined"), Status.CLOSED: mark.pgettext("status", "Closed"),
}, context="status")
CHANNEL_LABELS: Translated[Channel] = Translated({
    Channel.LETTER: N_("Letter of interest"),
    Channel.EOI: N_("Call for expressions of interest"),
    Channel.TA_REQUEST: N_("Technical-assistance request"),
})

# The choices of a form's selects, by stored value. (OWNERSHIP_LABELS are the guide's words for
# the same values inside sentences: "needs ITU ownership".)
SCOPE_CHOICES: Translated[str] = Translated({"global": N_("Global"), "regional": N_("Regional"),
                                             "national": N_("National")})
OWNERSHIP_CHOICES: Translated[str] = Translated({"itu": N_("ITU-owned"), "country": N_("Country-owned"),
                                                 "host_institution": N_("Existing institution")})
OUTCOME_CHOICES: Translated[str] = Translated({"renewed": N_("Renewed"), "upgraded": N_("Upgraded"),
                                               "closed": N_("Closed")})
COST_CAPACITY_CHOICES: Translated[str] = Translated({"low": N_("Low cost"), "medium": N_("Medium cost"),
                                                     "high": N_("High cost")})
# A result's level. Its own context: "Outcome" is also the field of a renewal's outcome, which
# other languages name with another word (the results chain's "outcome" is the glossary's).
RESULT_LEVEL_CHOICES: Translated[str] = Translated({
    "output": mark.pgettext("result level", "Output"), "outcome": mark.pgettext("result level", "Outcome"),
    "impact": mark.pgettext("result level", "Impact"),
}, context="result level")  # i18n: not shown (a catalogue context)

# A milestone's status (stored) and where it stands today (domain.monitoring.due_state, computed).
MILESTONE_STATUS_WORDS: Translated[str] = Translated({
    "planned": N_("Planned"), "in_progress": N_("In progress"), "done": N_("Done"), "missed": N_("Missed"),
    "cancelled": N_("Cancelled"),
})
MILESTONE_STATE_LABELS: Translated[str] = Translated({
    "overdue": N_("Overdue"), "due soon": N_("Due soon"), "scheduled": N_("Scheduled"),
    "unscheduled": N_("Unscheduled"), "closed": N_("Closed"),
})

# A KPI's status (domain.monitoring.Rag) and an accreditation period's state
# (domain.monitoring.AccreditationPeriod.state), as the charts and lists say them.
RAG_WORDS: Translated[str] = Translated({
    "green": N_("green"), "amber": N_("amber"), "red": N_("red"), "no data": N_("no data"),
    "not yet rated": N_("not yet rated"),
})
# (A centre's accreditation as the lists say it is its latest period's state, or how the renewal
# ended it, or that it has none: db.centres.)
PERIOD_STATE_WORDS: Translated[str] = Translated({
    "upcoming": N_("upcoming"), "current": N_("current"), "renewal due": N_("renewal due"), "lapsed": N_("lapsed"),
    "renewed": N_("renewed"), "upgraded": N_("upgraded"), "closed": N_("closed"),
    "not accredited": N_("not accredited"),
})


def milestone_state_word(state: str, status: str) -> str:
    """Where a milestone stands, as every front end says it: a closed one by how it closed (Done,
    Missed, Cancelled), an open one by whether it is late."""
    return MILESTONE_STATUS_WORDS[status] if state == "closed" else MILESTONE_STATE_LABELS[state]


def as_choices(labels: Mapping[Value, str]) -> tuple[tuple[str, str], ...]:
    """(stored value, label) pairs for a select, in the catalogue's order, in the language in use
    when called: a form asks for them when it is drawn (a tuple made when a module loads would
    keep the language of that moment)."""
    return tuple((value.value if isinstance(value, Enum) else value, label) for value, label in labels.items())


def membership_choices(categories: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The membership categories as a form offers them, those outside ITU membership said so at
    the choosing: centres are "mainly for ITU members", and the assessment will ask why."""
    return [(cid, _("{category} · not an ITU member").format(category=name) if outside_membership(cid) else name)
            for cid, name in categories]
