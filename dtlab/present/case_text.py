"""A case in words, for `dtlab case show`: the fields of each stage under the stage's name, as the
case screen's tabs hold them, so the command line leaves out nothing the screen shows.

Values are returned as they are; the front end shows them through `dtlab.present.safe`."""

from __future__ import annotations

from typing import Any

from dtlab.domain.gates import outside_membership
from dtlab.present.call_words import late_words
from dtlab.present.labels import COST_CAPACITY_CHOICES, OUTCOME_CHOICES, SCOPE_CHOICES
from dtlab.present.words import field_label, value_words

# Each section's title and its fields, in the order of the stages (the request comes first).
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("", ("stage", "status", "status_reason", "applicant", "category", "country", "channel", "received_on",
          "call_ref", "late_reason", "contact", "contact_email", "purpose", "goals", "assignee")),
    ("Preliminary assessment", ("assessed_on", "assessor", "needs", "stakeholders", "human_resources",
                                "financial_resources", "findings", "membership_reason")),
    ("Concept design", ("proposed_type", "scope", "ownership", "flagships", "cost_capacity", "type_reason")),
    ("Agreement", ("agreement_ref", "signatories", "signed_on")),
    ("Set-up", ("launch_on",)),
    ("Operation", ("accredited_on", "period_evaluated_on", "period_evaluation")),
    ("Renewal", ("renewal_outcome",)),
)
# Shown even when empty: what a new request is asked for first.
ALWAYS = frozenset(SECTIONS[0][1]) - {"call_ref", "late_reason"}
_CHOICES = {"scope": SCOPE_CHOICES, "cost_capacity": COST_CAPACITY_CHOICES, "renewal_outcome": OUTCOME_CHOICES}


def call_words(call: dict[str, Any]) -> str:
    """"ITU-2023 · First call … (deadline 2023-03-15; 5 days late)"."""
    if not call.get("title"):
        return f"{call['ref']} (not a call held here)"
    late = f"; {late_words(call['days_late'])}" if call.get("days_late") else ""
    return f"{call['ref']} · {call['title']} (deadline {call['deadline']}{late})"


def case_values(detail: dict[str, Any]) -> dict[str, Any]:
    """The case detail flattened: the assessment's fields and the contact's name and e-mail
    beside the case's own."""
    values = dict(detail)
    values.update(detail.get("assessment") or {})
    contact = detail.get("contact") or {}
    values.update(contact=contact.get("name"), contact_email=contact.get("email"))
    return values


def _words(name: str, value: Any, detail: dict[str, Any]) -> str:
    if name in _CHOICES and value:
        return _CHOICES[name].get(value, str(value))
    if name == "goals":
        return ", ".join(value) if value else "—"
    if name == "category" and outside_membership(value):
        return f"{value_words(name, value)} (not an ITU member)"
    if name == "call_ref" and value:
        return call_words(detail.get("call") or {"ref": value})
    if name == "country" and value:
        return f"{value} ({detail['region']})" if detail.get("region") else str(value)
    return value_words(name, value)


def case_sections(detail: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(section title, [(label, value in words)]) for each section with something in it; the
    request's fields always, empty ones as "—"."""
    values = case_values(detail)
    out = []
    for title, names in SECTIONS:
        rows = [(field_label(n), _words(n, values.get(n), detail)) for n in names
                if n in ALWAYS and n != "status_reason" or values.get(n) not in (None, "", [])]
        if rows:
            out.append((title, rows))
    return out


def evaluation_lines(detail: dict[str, Any]) -> list[str]:
    """One line per evaluation: who, which revision, where it stands, its total and class."""
    lines = []
    for e in detail.get("evaluations") or []:
        total = f"{e['percent']:.0f}%" if e.get("percent") is not None else "not scored"
        words = [f"{e['evaluator']} (revision {e['revision']})", str(e["state"]), total,
                 value_words("classification", e.get("classification"))]
        if e.get("standing") and e["standing"] != "counts":
            words.append(str(e["standing"]).replace("_", " "))
        lines.append(" · ".join(words))
    return lines
