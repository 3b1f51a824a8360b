"""How the case desk names things to a reader: field labels, record nouns, stored values in words,
and moves along the path as sentences. One place, so the history, the command line and the
screens agree. The names of stored values (stages, statuses, a select's choices) are beside it in
labels.py. The classification and ownership labels are the domain's (its own sentences use them),
named here for the front ends."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any

from dtlab.domain.board import DECISION_LABELS, MATTER_LABELS

# Defined by the domain, whose own sentences use them; named here for the front ends.
from dtlab.domain.gates import CLASSIFICATION_LABELS as CLASSIFICATION_LABELS
from dtlab.domain.guide import OWNERSHIP_LABELS as OWNERSHIP_LABELS
from dtlab.domain.guide import SCOPE_WORDS
from dtlab.domain.monitoring import DUE_SOON_DAYS
from dtlab.domain.recommend import TIER_WORDS
from dtlab.domain.stages import Channel, MoveKind, Stage
from dtlab.i18n import N_, Translated, _, ngettext
from dtlab.present.labels import CHANNEL_LABELS, RAG_WORDS, STAGE_LABELS, mark
from dtlab.present.local_values import count_text, date_text, number_text

FIELD_LABELS: Translated[str] = Translated({
    # the request
    "ref": N_("Ref"), "title": N_("Title"), "applicant": N_("Applicant"), "category": N_("Category"),
    "country": N_("Country"), "region": N_("Region"), "channel": N_("Channel"), "received_on": N_("Received"),
    "contact": N_("Contact"), "contact_email": N_("Contact email"), "email": N_("Email"), "phone": N_("Phone"),
    "name": N_("Name"), "goals": N_("Goals"), "purpose": N_("Purpose"), "assignee": N_("Assignee"),
    "stage": N_("Stage"), "status": N_("Status"), "status_reason": N_("Reason"), "organisation": N_("Organisation"),
    # preliminary assessment
    "needs": N_("Needs"), "stakeholders": N_("Stakeholders"), "human_resources": N_("Human resources"),
    "financial_resources": N_("Financial resources"), "findings": N_("Findings"), "assessed_on": N_("Assessed on"),
    "assessor": N_("Assessor"),
    # concept design
    "proposed_type": N_("Centre type"), "scope": N_("Scope"), "ownership": N_("Ownership"),
    "flagships": N_("Flagships"), "evaluator": N_("Evaluator"), "classification": N_("Classification"),
    "comment": N_("Comment"), "submitted_at": N_("Submitted"),
    # agreement, set-up, operation, renewal
    "agreement_ref": N_("Agreement ref"), "signatories": N_("Signatories"), "signed_on": N_("Signed on"),
    "launch_on": N_("Launch date"), "accredited_on": N_("Accredited on"), "period_evaluated_on": N_("Evaluated on"),
    "period_evaluation": N_("Evaluation"), "renewal_outcome": N_("Renewal outcome"),
    # monitoring
    "unit": N_("Unit"), "baseline": N_("Baseline"), "target": N_("Target"), "body": N_("Note"),
    "criterion": N_("Criterion"), "score": N_("Score"), "revision": N_("Revision"), "supersedes": N_("Amends"),
    "rubric_id": N_("Rubric"), "percent": N_("Total %"), "type_reason": N_("Type reason"),
    "cost_capacity": N_("Cost capacity"), "membership_reason": N_("Membership reason"), "call_ref": N_("Call"),
    "late_reason": N_("Late reason"),
    # calls for expressions of interest
    "regions": N_("Regions"), "centre_types": N_("Centre types"), "opens_on": N_("Opens on"),
    "deadline": N_("Deadline"), "announcement": N_("Announced"), "centre_type": N_("Centre type"), "host": N_("Host"),
    "number": N_("Period"), "starts_on": N_("Starts on"), "ends_on": N_("Ends on"), "renewal_due_on": N_("Renewal due"),
    "outcome": N_("Outcome"),
    # monitoring plans
    "level": N_("Level"), "priority_id": N_("Thematic priority"), "cycle": N_("Plan cycle"),
    "initiative_results": N_("Initiative results"), "sdgs": N_("SDGs"), "task": N_("Concept-note task"),
    "year": N_("Year"), "actual": N_("Actual"), "reported_on": N_("Reported on"), "owner": N_("Owner"),
    "due_on": N_("Due"), "anchor": N_("Anchor"), "months": N_("Months after anchor"), "days": N_("Days after anchor"),
    "done_on": N_("Done on"),
    # the Digital Innovation Board
    "track": N_("Track"), "institution": N_("Institution"), "nominated_on": N_("Nominated on"),
    "approval": N_("Approval"), "approval_on": N_("Decided on"), "term_start": N_("Term starts"),
    "term_end": N_("Term ends"), "meets_on": N_("Meets on"), "place": N_("Place"), "agenda": N_("Agenda"),
    "minutes_ref": N_("Minutes"), "matter": N_("Matter"), "decision": N_("Board decision"),
    "reference": N_("Reference"), "decided_on": N_("Decided on"), "note": N_("Conditions or advice"),
    "key": N_("Setting"), "value": N_("Value"), "meeting": N_("Meeting"),
    # the results chain
    "parent": N_("Contributes to"), "wsis": N_("WSIS action lines"),
})

# Bookkeeping a reader of a case's history need not see.
HIDDEN_FIELDS = frozenset({"stage_since", "case_id", "organisation_id", "at", "evaluation_id", "supersedes",
                           "centre_id", "kpi_id", "result_id", "milestone_id", "kpi_year_id", "position"})
# What a move changes on the case row; the move's own entry already says it.
MOVE_FIELDS = frozenset({"stage", "status", "status_reason", "stage_since"})

TABLE_NOUNS: Translated[str] = Translated({
    "cases": N_("case"), "organisations": N_("applicant organisation"), "contacts": N_("contact person"),
    "assessments": N_("assessment"), "evaluations": N_("evaluation"), "evaluation_scores": N_("evaluation score"),
    "kpis": N_("KPI"), "notes": N_("note"), "centres": N_("centre"), "accreditations": N_("accreditation period"),
    "transitions": N_("move"), "results": N_("result"), "kpi_years": N_("KPI year"), "milestones": N_("milestone"),
    "evidence": N_("evidence"), "decisions": N_("conflict decision"), "calls": N_("call for expressions of interest"),
    "board_members": N_("Board member"), "board_meetings": N_("Board meeting"),
    "board_items": N_("matter put to the Board"), "settings": N_("lab setting"),
})


# A form's label where the field's own is too long for the form's label column: the catalogue's
# "short" entries, so each language can make them as narrow as the column.
FORM_LABELS: Translated[str] = Translated({
    "human_resources": mark.pgettext("short", "Human res."),
    "financial_resources": mark.pgettext("short", "Financial res."),
    "agreement_ref": mark.pgettext("short", "Reference"), "renewal_outcome": mark.pgettext("short", "Outcome"),
    "membership_reason": mark.pgettext("short", "Non-member"), "late_reason": mark.pgettext("short", "Late reason"),
}, context="short")


class _MilestoneViews(Translated[str]):
    """The views' names; the view of those due soon says how soon (DUE_SOON_DAYS), counted by
    the language's plural rule."""

    def __getitem__(self, key: str) -> str:
        if key == "soon":
            return ngettext("Due within {n} day (overdue included)", "Due within {n} days (overdue included)",
                            DUE_SOON_DAYS).format(n=DUE_SOON_DAYS)
        return super().__getitem__(key)


# The views of the milestones across the portfolio.
MILESTONE_VIEWS: Translated[str] = _MilestoneViews({
    "all": N_("All open"), "overdue": N_("Overdue"),
    "soon": "Due within {n} days (overdue included)",  # i18n: not shown (the English; said by ngettext)
})

# What a change-log entry means to a reader, by table and operation (the dashboard's recent changes).
CHANGE_WORDS: Translated[tuple[str, str]] = Translated({
    ("cases", "insert"): N_("new case"), ("cases", "update"): N_("edited"), ("cases", "delete"): N_("deleted"),
    ("transitions", "insert"): N_("moved"), ("notes", "insert"): N_("note"),
    ("evaluations", "insert"): N_("evaluation"), ("kpis", "insert"): N_("KPI added"),
    ("assessments", "insert"): N_("assessment"), ("assessments", "update"): N_("assessment"),
    ("organisations", "insert"): N_("new organisation"), ("organisations", "update"): N_("organisation edited"),
    ("contacts", "insert"): N_("new contact"), ("contacts", "update"): N_("contact edited"),
    ("evaluation_scores", "insert"): N_("scored"), ("evaluation_scores", "update"): N_("scored"),
    ("centres", "insert"): N_("new centre"), ("accreditations", "insert"): N_("accredited"),
    ("kpi_years", "update"): N_("KPI actual"), ("milestones", "update"): N_("milestone"),
    ("evidence", "insert"): N_("evidence"), ("decisions", "insert"): N_("conflict decided"),
    ("calls", "insert"): N_("new call"), ("calls", "update"): N_("call edited"),
    ("board_members", "insert"): N_("Board nomination"), ("board_members", "update"): N_("Board member"),
    ("board_meetings", "insert"): N_("Board meeting"), ("board_items", "insert"): N_("put to the Board"),
    ("board_items", "update"): N_("Board decision"), ("settings", "insert"): N_("lab setting"),
    ("settings", "update"): N_("lab setting"),
})


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name) or name.replace("_", " ").capitalize()


def form_label(name: str) -> str:
    return FORM_LABELS.get(name) or field_label(name)


def describe_change(table: str, op: str) -> str:
    if (table, op) in CHANGE_WORDS:
        return CHANGE_WORDS[(table, op)]
    noun = TABLE_NOUNS.get(table) or table.replace("_", " ")
    # A delete (a record taken out, kept as a tombstone) is said as a removal, never an edit.
    if op == "insert":
        return _("{record} added").format(record=noun)
    if op == "delete":
        return _("{record} removed").format(record=noun)
    return _("{record} edited").format(record=noun)


# A stored value inside a line or a history entry ("Scope: regional → national"): the value's
# own words, in lower case, for the fields whose values are known (the others are said by their ids
# with spaces). One table per kind of value, the domain's where it has one.
RENEWAL_OUTCOME_WORDS: Translated[str] = Translated({"renewed": N_("renewed"), "upgraded": N_("upgraded"),
                                                     "closed": N_("closed")})
# A track-1 nomination's decision (BoardMember.approval).
APPROVAL_WORDS: Translated[str] = Translated({"pending": N_("pending"), "approved": N_("approved"),
                                              "declined": N_("declined")})
# A case's, a call's, a milestone's and a Board meeting's: the field has one name in each table.
STATUS_WORDS: Translated[str] = Translated({
    "open": N_("open"), "withdrawn": N_("withdrawn"), "declined": N_("declined"), "closed": N_("closed"),
    "cancelled": N_("cancelled"), "planned": N_("planned"), "in_progress": N_("in progress"), "done": N_("done"),
    "missed": N_("missed"), "held": N_("held")})
VALUE_WORDS: dict[str, Mapping[Any, str]] = {  # (the Board's keyed by their str enums)
    "scope": SCOPE_WORDS, "cost_capacity": TIER_WORDS, "renewal_outcome": RENEWAL_OUTCOME_WORDS,
    "outcome": RENEWAL_OUTCOME_WORDS, "status": STATUS_WORDS, "approval": APPROVAL_WORDS,
    "matter": MATTER_LABELS, "decision": DECISION_LABELS,
}


# Fields whose stored values are ids: said with spaces, in lower case ("host institution"), or by
# their words in the language in use where labels.VALUE_WORDS knows them.
ID_FIELDS = frozenset({"category", "scope", "status", "proposed_type", "cost_capacity", "renewal_outcome",
                       "criterion", "centre_type", "outcome", "track", "approval", "matter", "decision"})
# Fields that hold a day (stored as ISO text in the change log), written as the language writes one.
DAY_FIELDS = frozenset({"deadline", "term_start", "term_end"})
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _time_words(text: str) -> str | None:
    """An ISO date-time as logged ("2026-11-22T22:41:07+00:00") as people read it."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def day_words(value: Any) -> str | None:
    """A day, held as a date or as its ISO text, as the language writes it (ISO in English)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return date_text(value)
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        try:
            return date_text(date.fromisoformat(value))
        except ValueError:
            return None
    return None


def value_words(name: str, value: Any) -> str:
    """A stored value as a reader says it: names, not ids; times and numbers as people write them."""
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return number_text(value)
    if name == "classification":
        return CLASSIFICATION_LABELS.get(str(value), str(value))
    if name in ID_FIELDS:
        words: Mapping[str, str] = VALUE_WORDS.get(name, {})
        return words[value] if isinstance(value, str) and value in words else str(value).replace("_", " ")
    if name.endswith("_at") and isinstance(value, str):
        return _time_words(value) or value
    if name.endswith("_on") or name in DAY_FIELDS:
        return day_words(value) or str(value)
    if name == "stage":
        try:
            return STAGE_LABELS[Stage(value)]
        except ValueError:
            return str(value)
    if name == "channel":
        try:
            return CHANNEL_LABELS[Channel(value)]
        except ValueError:
            return str(value)
    if name == "ownership":
        return OWNERSHIP_LABELS.get(str(value), str(value))
    return str(value)


# Said when a save is refused because someone else changed its fields since the form was read;
# each field says who, when and its value now. Marked here, said where it is shown.
OVERTAKEN_HINT = N_("Not saved: someone changed these fields meanwhile (see each). What you typed is kept: "
                    "ctrl+s again replaces their value with yours; Esc leaves yours unsaved.")


def waiting_for(holder: str) -> str:
    """Said when a write must wait for another's write lock (HQ staff sharing one database)."""
    return _("Waiting for {holder} to finish: your change is written as soon as it has.").format(holder=holder)


def _move_sentence(move: MoveKind, frm: str | None, to: str, status: str) -> str:
    if move is MoveKind.ENTER:
        return _("Entered the path at {stage}").format(stage=to)
    if move is MoveKind.ADVANCE:
        if status == "open":
            return _("Advanced from {from_stage} to {to_stage}").format(from_stage=frm, to_stage=to)
        return _("Closed at {stage}, the renewal's outcome").format(stage=to)
    if move is MoveKind.BACK:
        return _("Sent back from {from_stage} to {to_stage}").format(from_stage=frm, to_stage=to)
    if move is MoveKind.WITHDRAW:
        return _("Withdrawn by the applicant at {stage}").format(stage=to)
    if move is MoveKind.DECLINE:
        return _("Declined at {stage}").format(stage=to)
    if move is MoveKind.CLOSE:
        return _("Closed at {stage}").format(stage=to)
    return _("Reopened at {stage}").format(stage=to)


def describe_move(kind: str, from_stage: str | None, to_stage: str, status: str,
                  overridden: bool = False) -> str:
    """A move as a sentence, e.g. "Advanced from Set-up to Accredited operation (gate overridden)"."""
    to = value_words("stage", to_stage)
    frm = value_words("stage", from_stage) if from_stage else None
    try:
        move = MoveKind(kind)
    except ValueError:
        return f"{kind}: {frm or '—'} → {to} ({status})"
    sentence = _move_sentence(move, frm, to, status)
    return _("{move} (gate overridden)").format(move=sentence) if overridden else sentence


# Leaving renewal clears what belonged to the period (or the type) that ended
# (domain.stages.cleared_on_leaving); the case screen says so before the move.
RENEWAL_QUESTIONS: Translated[str] = Translated({
    "renewed": N_("Start a new operation period? The end-of-period evaluation and the outcome are cleared "
                  "for the new period; the old values stay in the history."),
    "upgraded": N_("Start the upgrade? The case goes back to concept design for the new type: the agreement "
                   "reference, signatories, signature, launch and accreditation dates and the period evaluation "
                   "are cleared, the accreditation period ends, and earlier evaluations stop counting. The old "
                   "values stay in the history."),
    "closed": N_("Close the case? It ends at renewal; it can be reopened later with a reason."),
})


def _more(of: str, count: int) -> str:
    """What the dashboard's monitoring panel says of the items of a kind left out of its list."""
    n = count_text(count)
    if of == "lapsed":
        return ngettext("… and {n} more lapsed accreditation", "… and {n} more lapsed accreditations",
                        count).format(n=n)
    if of == "overdue":
        return ngettext("… and {n} more overdue milestone (F4 lists them all)",
                        "… and {n} more overdue milestones (F4 lists them all)", count).format(n=n)
    if of == "ending":
        return ngettext("… and {n} more accreditation ending", "… and {n} more accreditations ending",
                        count).format(n=n)
    return ngettext("… and {n} more KPI off track or unreported", "… and {n} more KPIs off track or unreported",
                    count).format(n=n)


def attention_text(item: dict[str, Any]) -> str:
    """What the dashboard's monitoring panel says of each item behind its counts (db.plans.attention)."""
    kind = item["kind"]
    if kind == "more":
        return _more(item["of"], item["count"])
    if kind == "lapsed":
        return _("accreditation lapsed on {date}").format(date=day_words(item["ends_on"]) or item["ends_on"])
    if kind == "overdue":
        return _("overdue since {date}: {milestone}").format(date=day_words(item["due_on"]) or item["due_on"],
                                                             milestone=item["title"])
    if kind == "ending":
        days = item["days_left"]
        return ngettext("accreditation ends {date} ({n} day)", "accreditation ends {date} ({n} days)",
                        days).format(date=day_words(item["ends_on"]) or item["ends_on"], n=number_text(days))
    return _("KPI {status}: {kpi}").format(status=RAG_WORDS.get(item["status"]) or item["status"], kpi=item["kpi"])
