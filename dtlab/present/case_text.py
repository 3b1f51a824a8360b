"""A case in words, for `dtlab case show`: the fields of each stage under the stage's name, as the
case screen's tabs hold them, so the command line leaves out nothing the screen shows.

Values are returned as they are; the front end shows them through `dtlab.present.safe`."""

from __future__ import annotations

from typing import Any

from dtlab.domain.gates import outside_membership
from dtlab.i18n import N_, Translated, _
from dtlab.present.call_words import late_words
from dtlab.present.labels import COST_CAPACITY_CHOICES, OUTCOME_CHOICES, SCOPE_CHOICES
from dtlab.present.local_values import percent_text
from dtlab.present.words import day_words, field_label, value_words

# Each section's title (marked here, said in case_sections) and its fields, in the order of the
# stages (the request comes first).
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("", ("stage", "status", "status_reason", "applicant", "category", "country", "channel", "received_on",
          "call_ref", "late_reason", "contact", "contact_email", "purpose", "goals", "assignee")),
    (N_("Preliminary assessment"), ("assessed_on", "assessor", "needs", "stakeholders", "human_resources",
                                    "financial_resources", "findings", "membership_reason")),
    (N_("Concept design"), ("proposed_type", "scope", "ownership", "flagships", "cost_capacity", "type_reason")),
    (N_("Agreement"), ("agreement_ref", "signatories", "signed_on")),
    (N_("Set-up"), ("launch_on",)),
    (N_("Operation"), ("accredited_on", "period_evaluated_on", "period_evaluation")),
    (N_("Renewal"), ("renewal_outcome",)),
)
# Shown even when empty: what a new request is asked for first.
ALWAYS = frozenset(SECTIONS[0][1]) - {"call_ref", "late_reason"}
_CHOICES: dict[str, Translated[str]] = {"scope": SCOPE_CHOICES, "cost_capacity": COST_CAPACITY_CHOICES,
                                        "renewal_outcome": OUTCOME_CHOICES}


def call_words(call: dict[str, Any]) -> str:
    """"ITU-2023 · First call … (deadline 2023-03-15; 5 days late)"."""
    if not call.get("title"):
        return _("{ref} (not a call held here)").format(ref=call["ref"])
    deadline = day_words(call["deadline"]) or call["deadline"]
    if call.get("days_late"):
        return _("{ref} · {title} (deadline {date}; {late})").format(
            ref=call["ref"], title=call["title"], date=deadline, late=late_words(call["days_late"]))
    return _("{ref} · {title} (deadline {date})").format(ref=call["ref"], title=call["title"], date=deadline)


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
        return _CHOICES[name].get(value) or str(value)
    if name == "goals":
        return ", ".join(value) if value else "—"
    if name == "category" and outside_membership(value):
        return _("{category} (not an ITU member)").format(category=value_words(name, value))
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
            out.append((_(title) if title else "", rows))
    return out


# An evaluation's state and, when it does not count, why not (db.concept), said shortly.
_STATE_WORDS: Translated[str] = Translated({"draft": N_("draft"), "submitted": N_("submitted")})
_STANDING_WORDS: Translated[str] = Translated({
    "draft": N_("draft"), "amended": N_("amended"), "before upgrade": N_("before upgrade"),
    "other rubric": N_("other rubric"), "no rubric": N_("no rubric"),
})


def evaluation_lines(detail: dict[str, Any]) -> list[str]:
    """One line per evaluation: who, which revision, where it stands, its total and class."""
    lines = []
    for e in detail.get("evaluations") or []:
        # The total is in points out of 100.
        total = percent_text(e["percent"], points=True) if e.get("percent") is not None else _("not scored")
        state = str(e["state"])
        words = [_("{evaluator} (revision {revision})").format(evaluator=e["evaluator"], revision=e["revision"]),
                 _STATE_WORDS.get(state) or state, total, value_words("classification", e.get("classification"))]
        if e.get("standing") and e["standing"] != "counts":
            standing = str(e["standing"])
            words.append(_STANDING_WORDS.get(standing) or standing.replace("_", " "))
        lines.append(" · ".join(words))
    return lines
