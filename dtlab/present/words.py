"""How the case desk names things to a reader: field labels, record nouns, stored values in words,
and moves along the path as sentences. One place, so the history, the command line and the
screens agree. The names of stored values (stages, statuses, a select's choices) are beside it in
labels.py. The classification and ownership labels are the domain's (its own sentences use them),
named here for the front ends."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from dtlab.domain.fields import number_words

# Defined by the domain, whose own sentences use them; named here for the front ends.
from dtlab.domain.gates import CLASSIFICATION_LABELS as CLASSIFICATION_LABELS
from dtlab.domain.guide import OWNERSHIP_LABELS as OWNERSHIP_LABELS
from dtlab.domain.monitoring import DUE_SOON_DAYS
from dtlab.domain.stages import Channel, MoveKind, Stage
from dtlab.present.labels import CHANNEL_LABELS, STAGE_LABELS

FIELD_LABELS: dict[str, str] = {
    # the request
    "ref": "Ref", "title": "Title", "applicant": "Applicant", "category": "Category", "country": "Country",
    "region": "Region", "channel": "Channel", "received_on": "Received", "contact": "Contact",
    "contact_email": "Contact email", "email": "Email", "phone": "Phone", "name": "Name", "goals": "Goals",
    "purpose": "Purpose", "assignee": "Assignee", "stage": "Stage", "status": "Status",
    "status_reason": "Reason",
    "organisation": "Organisation",
    # preliminary assessment
    "needs": "Needs", "stakeholders": "Stakeholders", "human_resources": "Human resources",
    "financial_resources": "Financial resources", "findings": "Findings", "assessed_on": "Assessed on",
    "assessor": "Assessor",
    # concept design
    "proposed_type": "Centre type", "scope": "Scope", "ownership": "Ownership", "flagships": "Flagships",
    "evaluator": "Evaluator", "classification": "Classification", "comment": "Comment",
    "submitted_at": "Submitted",
    # agreement, set-up, operation, renewal
    "agreement_ref": "Agreement ref", "signatories": "Signatories", "signed_on": "Signed on",
    "launch_on": "Launch date", "accredited_on": "Accredited on", "period_evaluated_on": "Evaluated on",
    "period_evaluation": "Evaluation", "renewal_outcome": "Renewal outcome",
    # monitoring
    "unit": "Unit", "baseline": "Baseline", "target": "Target", "body": "Note", "criterion": "Criterion",
    "score": "Score", "revision": "Revision", "supersedes": "Amends", "rubric_id": "Rubric", "percent": "Total %",
    "type_reason": "Type reason", "cost_capacity": "Cost capacity", "membership_reason": "Membership reason",
    "call_ref": "Call", "late_reason": "Late reason",
    # calls for expressions of interest
    "regions": "Regions", "centre_types": "Centre types", "opens_on": "Opens on", "deadline": "Deadline",
    "announcement": "Announced",
    "centre_type": "Centre type", "host": "Host", "number": "Period", "starts_on": "Starts on", "ends_on": "Ends on",
    "renewal_due_on": "Renewal due", "outcome": "Outcome",
    # monitoring plans
    "level": "Level", "priority_id": "Thematic priority", "cycle": "Plan cycle",
    "initiative_results": "Initiative results", "sdgs": "SDGs", "task": "Concept-note task", "year": "Year",
    "actual": "Actual", "reported_on": "Reported on", "owner": "Owner", "due_on": "Due", "anchor": "Anchor",
    "months": "Months after anchor", "days": "Days after anchor", "done_on": "Done on",
    # the Digital Innovation Board
    "track": "Track", "institution": "Institution", "nominated_on": "Nominated on", "approval": "Approval",
    "approval_on": "Decided on", "term_start": "Term starts", "term_end": "Term ends", "meets_on": "Meets on",
    "place": "Place", "agenda": "Agenda", "minutes_ref": "Minutes", "matter": "Matter", "decision": "Board decision",
    "reference": "Reference", "decided_on": "Decided on", "note": "Conditions or advice", "key": "Setting",
    "value": "Value", "meeting": "Meeting",
    # the results chain
    "parent": "Contributes to", "wsis": "WSIS action lines",
}

# Bookkeeping a reader of a case's history need not see.
HIDDEN_FIELDS = frozenset({"stage_since", "case_id", "organisation_id", "at", "evaluation_id", "supersedes",
                           "centre_id", "kpi_id", "result_id", "milestone_id", "kpi_year_id", "position"})
# What a move changes on the case row; the move's own entry already says it.
MOVE_FIELDS = frozenset({"stage", "status", "status_reason", "stage_since"})

TABLE_NOUNS = {
    "cases": "case", "organisations": "applicant organisation", "contacts": "contact person",
    "assessments": "assessment", "evaluations": "evaluation", "evaluation_scores": "evaluation score",
    "kpis": "KPI", "notes": "note", "centres": "centre", "accreditations": "accreditation period",
    "transitions": "move", "results": "result", "kpi_years": "KPI year", "milestones": "milestone",
    "evidence": "evidence", "decisions": "conflict decision", "calls": "call for expressions of interest",
    "board_members": "Board member", "board_meetings": "Board meeting", "board_items": "matter put to the Board",
    "settings": "lab setting",
}


# A form's label where the field's own is too long for the form's label column.
FORM_LABELS = {"human_resources": "Human res.", "financial_resources": "Financial res.",
               "agreement_ref": "Reference", "renewal_outcome": "Outcome", "membership_reason": "Non-member",
               "late_reason": "Late reason"}

# The views of the milestones across the portfolio.
MILESTONE_VIEWS = {"all": "All open", "overdue": "Overdue",
                   "soon": f"Due within {DUE_SOON_DAYS} days (overdue included)"}

# What a change-log entry means to a reader, by table and operation (the dashboard's recent changes).
CHANGE_WORDS = {
    ("cases", "insert"): "new case", ("cases", "update"): "edited", ("cases", "delete"): "deleted",
    ("transitions", "insert"): "moved", ("notes", "insert"): "note", ("evaluations", "insert"): "evaluation",
    ("kpis", "insert"): "KPI added", ("assessments", "insert"): "assessment", ("assessments", "update"): "assessment",
    ("organisations", "insert"): "new organisation", ("organisations", "update"): "organisation edited",
    ("contacts", "insert"): "new contact", ("contacts", "update"): "contact edited",
    ("evaluation_scores", "insert"): "scored", ("evaluation_scores", "update"): "scored",
    ("centres", "insert"): "new centre", ("accreditations", "insert"): "accredited",
    ("kpi_years", "update"): "KPI actual", ("milestones", "update"): "milestone", ("evidence", "insert"): "evidence",
    ("decisions", "insert"): "conflict decided", ("calls", "insert"): "new call", ("calls", "update"): "call edited",
    ("board_members", "insert"): "Board nomination", ("board_members", "update"): "Board member",
    ("board_meetings", "insert"): "Board meeting", ("board_items", "insert"): "put to the Board",
    ("board_items", "update"): "Board decision", ("settings", "insert"): "lab setting",
    ("settings", "update"): "lab setting",
}


def plural(n: int, noun: str) -> str:
    """"1 KPI", "3 KPIs", "1,204 milestones"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def form_label(name: str) -> str:
    return FORM_LABELS.get(name) or field_label(name)


def describe_change(table: str, op: str) -> str:
    noun = TABLE_NOUNS.get(table, table.replace("_", " "))
    # A delete (a record taken out, kept as a tombstone) is said as a removal, never an edit.
    return CHANGE_WORDS.get((table, op), f"{noun} {dict(insert='added', delete='removed').get(op, 'edited')}")


# Fields whose stored values are ids: said with spaces, in lower case ("host institution").
ID_FIELDS = frozenset({"category", "scope", "status", "proposed_type", "cost_capacity", "renewal_outcome",
                       "criterion", "centre_type", "outcome", "track", "approval", "matter", "decision"})


def _time_words(text: str) -> str | None:
    """An ISO date-time as logged ("2026-11-22T22:41:07+00:00") as people read it."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def value_words(name: str, value: Any) -> str:
    """A stored value as a reader says it: names, not ids; times and numbers as people write them."""
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return number_words(value)
    if name == "classification":
        return CLASSIFICATION_LABELS.get(str(value), str(value))
    if name in ID_FIELDS:
        return str(value).replace("_", " ")
    if name.endswith("_at") and isinstance(value, str):
        return _time_words(value) or value
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
# each field says who, when and its value now.
OVERTAKEN_HINT = ("Not saved: someone changed these fields meanwhile (see each). What you typed is kept: "
                  "ctrl+s again replaces their value with yours; Esc leaves yours unsaved.")


def waiting_for(holder: str) -> str:
    """Said when a write must wait for another's write lock (HQ staff sharing one database)."""
    return f"Waiting for {holder} to finish: your change is written as soon as it has."


def describe_move(kind: str, from_stage: str | None, to_stage: str, status: str,
                  overridden: bool = False) -> str:
    """A move as a sentence, e.g. "Advanced from Set-up to Accredited operation (gate overridden)"."""
    to = value_words("stage", to_stage)
    frm = value_words("stage", from_stage) if from_stage else None
    try:
        move = MoveKind(kind)
    except ValueError:
        return f"{kind}: {frm or '—'} → {to} ({status})"
    sentence = {
        MoveKind.ENTER: f"Entered the path at {to}",
        MoveKind.ADVANCE: (f"Advanced from {frm} to {to}" if status == "open"
                           else f"Closed at {to}, the renewal's outcome"),
        MoveKind.BACK: f"Sent back from {frm} to {to}",
        MoveKind.WITHDRAW: f"Withdrawn by the applicant at {to}",
        MoveKind.DECLINE: f"Declined at {to}",
        MoveKind.CLOSE: f"Closed at {to}",
        MoveKind.REOPEN: f"Reopened at {to}",
    }[move]
    return sentence + (" (gate overridden)" if overridden else "")


# Leaving renewal clears what belonged to the period (or the type) that ended
# (domain.stages.cleared_on_leaving); the case screen says so before the move.
RENEWAL_QUESTIONS = {
    "renewed": "Start a new operation period? The end-of-period evaluation and the outcome are cleared "
               "for the new period; the old values stay in the history.",
    "upgraded": "Start the upgrade? The case goes back to concept design for the new type: the agreement "
                "reference, signatories, signature, launch and accreditation dates and the period evaluation "
                "are cleared, the accreditation period ends, and earlier evaluations stop counting. The old "
                "values stay in the history.",
    "closed": "Close the case? It ends at renewal; it can be reopened later with a reason.",
}


# What the dashboard's monitoring panel says of each item behind its counts (db.plans.attention).
_MORE = {"lapsed": "lapsed accreditations", "overdue": "overdue milestones (F4 lists them all)",
         "ending": "accreditations ending", "kpi": "KPIs off track or unreported"}


def attention_text(item: dict[str, Any]) -> str:
    kind = item["kind"]
    if kind == "more":
        return f"… and {item['count']:,} more {_MORE[item['of']]}"
    if kind == "lapsed":
        return f"accreditation lapsed on {item['ends_on']}"
    if kind == "overdue":
        return f"overdue since {item['due_on']}: {item['title']}"
    if kind == "ending":
        return f"accreditation ends {item['ends_on']} ({item['days_left']} days)"
    return f"KPI {item['status']}: {item['kpi']}"
