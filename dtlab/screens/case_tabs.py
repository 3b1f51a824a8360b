"""What a case's tabs hold: each stage's fields, its gate checklist, the concept-design,
accreditation and KPI summaries under the fields, and the history; and the tabs themselves."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static, TabbedContent, TabPane

from dtlab.domain.fields import number_words
from dtlab.domain.history import HistoryEntry
from dtlab.domain.stages import STAGE_ORDER, Stage
from dtlab.present.concept_text import verdict_markup
from dtlab.present.history import history_lines
from dtlab.present.labels import (
    CHANNEL_LABELS,
    COST_CAPACITY_CHOICES,
    OUTCOME_CHOICES,
    OWNERSHIP_CHOICES,
    SCOPE_CHOICES,
    STAGE_LABELS,
    STAGE_TABS,
    as_choices,
)
from dtlab.present.safe import shown
from dtlab.present.words import field_label
from dtlab.widgets.fields import FieldForm, FieldSpec, case_field
from dtlab.widgets.tabs import PaneScroll

# Read as an example, not as a value already there.
GOALS_HINT = "e.g. trends, policy (goal ids or names)"
STAGE_FIELDS: dict[Stage, tuple[FieldSpec, ...]] = {
    Stage.INTEREST: (
        case_field("title"),
        case_field("applicant", "organisation"),
        case_field("category", "select", "categories"),
        case_field("country", "country", placeholder="code or name"),
        case_field("channel", "select", as_choices(CHANNEL_LABELS)),
        case_field("received_on", "date"),
        case_field("scope", "select", as_choices(SCOPE_CHOICES)),
        case_field("ownership", "select", as_choices(OWNERSHIP_CHOICES)),
        case_field("call_ref", "select", "calls"),
        case_field("late_reason", "long", placeholder="why take an expression of interest after the deadline"),
        case_field("contact"),
        case_field("contact_email"),
        case_field("goals", placeholder=GOALS_HINT),
        case_field("purpose", "long"),
        case_field("assignee"),
    ),
    Stage.ASSESSMENT: (
        case_field("needs", "long"),
        case_field("stakeholders", "long"),
        case_field("human_resources"),
        case_field("financial_resources"),
        case_field("findings", "long"),
        case_field("assessed_on", "date"),
        case_field("assessor"),
        case_field("membership_reason", "long", placeholder="why take on an applicant not an ITU member"),
    ),
    Stage.CONCEPT_DESIGN: (
        case_field("proposed_type", "select", "centre_types"),
        case_field("scope", "select", as_choices(SCOPE_CHOICES)),
        case_field("ownership", "select", as_choices(OWNERSHIP_CHOICES)),
        case_field("goals", placeholder=GOALS_HINT),
        case_field("flagships", "long", placeholder="one flagship initiative per line"),
        case_field("cost_capacity", "select", as_choices(COST_CAPACITY_CHOICES)),
        case_field("type_reason", "long", placeholder="why this type, if not the best fit"),
    ),
    Stage.AGREEMENT: (
        case_field("agreement_ref"),
        case_field("signatories"),
        case_field("signed_on", "date"),
    ),
    Stage.IMPLEMENTATION: (
        case_field("launch_on", "date"),
    ),
    Stage.OPERATION: (
        case_field("accredited_on", "date"),
        case_field("period_evaluated_on", "date"),
        case_field("period_evaluation", "long"),
    ),
    Stage.RENEWAL: (
        case_field("renewal_outcome", "select", as_choices(OUTCOME_CHOICES)),
    ),
}


def checklist_markup(conditions: list[dict[str, Any]], active: bool) -> str:
    lines = [("[b]Gate to leave this stage[/b]" if active else "[b]This stage's gate[/b]")]
    for c in conditions:
        mark = "[green]✓[/]" if c["met"] else "[red]✗[/]"
        lines.append(f"{mark} {shown(c['text'])}")
    return "\n".join(lines)


def history_markup(entries: list[HistoryEntry]) -> str:
    return "\n".join(history_lines(entries)) if entries else "No changes recorded yet."


class StagePane(Horizontal):
    """One stage's tab: its form and what the stage adds, beside its gate. Built when the tab is
    first shown (`build`), once the case is read and the form made: seven stages of fields are
    some 450 widgets, and composing them all made opening a case take most of a second."""

    def __init__(self, stage: Stage):
        super().__init__(classes="stage-pane", id=f"pane-{stage.value}")
        self.stage = stage
        self.form: FieldForm | None = None  # given once the case's choices are read
        self.built = False

    async def build(self) -> bool:
        """Mount the stage's parts if they are not yet (and its form is made); whether they were
        mounted now."""
        if self.built or self.form is None:
            return False
        self.built = True
        stage = self.stage
        await self.mount_all([
            VerticalScroll(Static(f"[b]{STAGE_LABELS[stage]}[/b]", classes="stage-title", id=f"title-{stage.value}"),
                           self.form, Static("", id=f"extra-{stage.value}", classes="stage-extra"),
                           classes="stage-form", can_focus=False),
            VerticalScroll(Static("", id=f"gate-{stage.value}"), classes="stage-gate", can_focus=False),
        ])
        return True


class CaseTabs(Vertical):
    """The tabs of a case: one per stage (its form, extras and gate), then history and notes.
    Composed with the screen, while the case is read: the stages' contents are built as they
    are shown."""

    def __init__(self) -> None:
        super().__init__(id="case-tabs-box")

    def compose(self) -> ComposeResult:
        with TabbedContent(id="case-tabs"):
            for stage in STAGE_ORDER:
                with TabPane(STAGE_TABS[stage], id=f"tab-{stage.value}"):
                    yield StagePane(stage)
            with TabPane("History", id="tab-history"), PaneScroll():
                yield Static("", id="history-text")
            with TabPane("Notes", id="tab-notes"), PaneScroll():
                yield Static("", id="notes-text")


def evaluations_markup(detail: dict[str, Any]) -> str:
    """The stage's verdict in three lines; v opens the whole review."""
    lines = ["", "[b]Evaluation and recommendation[/b] [dim](e: evaluate · v: full review)[/]"]
    c = detail.get("consolidated")
    drafts = sum(1 for e in detail["evaluations"] if e["state"] == "draft")
    draft_text = f" · {drafts} draft{'s' if drafts != 1 else ''}" if drafts else ""
    if c:
        n = len(c["evaluators"])
        flag = f" · [yellow]⚠ disagree on {len(c['disagreements'])}[/]" if c["disagreements"] else ""
        lines.append(f"Evaluators ({n}): {verdict_markup(c['classification'])} {_num(c['percent'])}%"
                     f"{flag}{draft_text}")
        lines += [f"  [red]capped:[/] {shown(cap)}" for cap in c["caps"]]
    else:
        lines.append(f"Evaluators: none submitted yet{draft_text}")
    rec = detail["recommendation"]
    best = next((v for v in rec["ranking"] if v["type"] == rec["best"]), None)
    request = rec["request"]
    if best:
        lines.append(f"Best fit: [b]{shown(best['name'])}[/]")
    elif not (request["scope"] and request["ownership"]):
        lines.append("Best fit: [dim]set the scope and ownership first[/]")
    else:
        lines.append("Best fit: [yellow]no type fits the request as it stands[/]")
    lines.append(f"Cost tier: {shown(rec['cost']['tier'] or 'not yet known')}")
    return "\n".join(lines)

def centre_markup(detail: dict[str, Any]) -> str:
    """The centre's accreditation, for the operation and renewal tabs."""
    centre = detail.get("centre")
    lines = ["", "[b]Accreditation[/b]"]
    if centre is None:
        return "\n".join([*lines, "[dim]not a centre yet: a case becomes one at set-up[/]"])
    period = centre["period"]
    if period is None:
        return "\n".join([*lines, "[dim]not accredited yet: record the accreditation date on the Operate tab[/]"])
    state = centre["accreditation"]
    state_markup = f"[b red]{shown(state.upper())}[/]" if centre["lapsed"] else f"[b]{shown(state)}[/]"
    lines.append(f"Period {period['number']}: {period['starts_on']} → {period['ends_on']} · {state_markup}")
    # Days to the renewal date; once it has passed, days to the period's end (the line above).
    countdown = (f" · in {period['days_to_renewal']} days" if period["days_to_renewal"] >= 0 else
                 f" · ends in {period['days_left']} days" if period["days_left"] >= 0 else "")
    lines.append(f"Renewal due {period['renewal_due_on']}{countdown}")
    if len(centre["types"]) > 1:
        lines.append("Types over time: " + shown(" → ".join(t.replace("_", " ") for t in centre["types"])))
    return "\n".join(lines)

def kpis_markup(detail: dict[str, Any]) -> str:
    lines = ["", "[b]Monitoring plan[/b] [dim](k: add a KPI)[/]"]
    for kpi in detail["kpis"]:
        unit = f" {kpi['unit']}" if kpi["unit"] else ""
        lines.append(f"· {shown(kpi['name'])}: {_num(kpi['baseline'])} → {_num(kpi['target'])}{shown(unit)}")
    if not detail["kpis"]:
        lines.append("[dim]no KPIs yet[/]")
    return "\n".join(lines)


def saved_message(changed: dict[str, Any]) -> str:
    return f"Saved: {', '.join(sorted(field_label(f) for f in changed))}" if changed else "Nothing changed."


def _num(value: float | None) -> str:
    return number_words(value, missing="?")
