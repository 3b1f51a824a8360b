"""What a case's tabs hold: each stage's fields, its gate checklist, the concept-design,
accreditation and KPI summaries under the fields, and the history; and the tabs themselves."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static, TabbedContent, TabPane

from dtlab.domain.fields import number_words
from dtlab.domain.history import HistoryEntry
from dtlab.domain.recommend import TIER_WORDS
from dtlab.domain.stages import STAGE_ORDER, Stage
from dtlab.i18n import N_, _, ngettext, pgettext
from dtlab.present.concept_text import verdict_markup
from dtlab.present.history import history_lines
from dtlab.present.labels import (
    CHANNEL_LABELS,
    COST_CAPACITY_CHOICES,
    OUTCOME_CHOICES,
    OWNERSHIP_CHOICES,
    PERIOD_STATE_WORDS,
    SCOPE_CHOICES,
    STAGE_LABELS,
    STAGE_TABS,
    as_choices,
)
from dtlab.present.safe import shown
from dtlab.present.words import field_label
from dtlab.widgets.fields import FieldForm, FieldSpec, case_field
from dtlab.widgets.tabs import PaneScroll

# Read as an example, not as a value already there. The placeholders here are marked (N_) and
# translated where the field is drawn.
GOALS_HINT = N_("e.g. trends, policy (goal ids or names)")
STAGE_FIELDS: dict[Stage, tuple[FieldSpec, ...]] = {
    Stage.INTEREST: (
        case_field("title"),
        case_field("applicant", "organisation"),
        case_field("category", "select", "categories"),
        case_field("country", "country", placeholder=N_("code or name")),
        case_field("channel", "select", as_choices(CHANNEL_LABELS)),
        case_field("received_on", "date"),
        case_field("scope", "select", as_choices(SCOPE_CHOICES)),
        case_field("ownership", "select", as_choices(OWNERSHIP_CHOICES)),
        case_field("call_ref", "select", "calls"),
        case_field("late_reason", "long", placeholder=N_("why take an expression of interest after the deadline")),
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
        case_field("membership_reason", "long", placeholder=N_("why take on an applicant not an ITU member")),
    ),
    Stage.CONCEPT_DESIGN: (
        case_field("proposed_type", "select", "centre_types"),
        case_field("scope", "select", as_choices(SCOPE_CHOICES)),
        case_field("ownership", "select", as_choices(OWNERSHIP_CHOICES)),
        case_field("goals", placeholder=GOALS_HINT),
        case_field("flagships", "long", placeholder=N_("one flagship initiative per line")),
        case_field("cost_capacity", "select", as_choices(COST_CAPACITY_CHOICES)),
        case_field("type_reason", "long", placeholder=N_("why this type, if not the best fit")),
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
    heading = _("Gate to leave this stage") if active else _("This stage's gate")
    lines = [f"[b]{heading}[/b]"]
    for c in conditions:
        mark = "[green]✓[/]" if c["met"] else "[red]✗[/]"
        lines.append(f"{mark} {shown(c['text'])}")
    return "\n".join(lines)


def history_markup(entries: list[HistoryEntry]) -> str:
    return "\n".join(history_lines(entries)) if entries else _("No changes recorded yet.")


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
            # Short forms: with the seven stages' tabs they fit an 80-column terminal.
            with TabPane(pgettext("short", "History"), id="tab-history"), PaneScroll():
                yield Static("", id="history-text")
            with TabPane(pgettext("short", "Notes"), id="tab-notes"), PaneScroll():
                yield Static("", id="notes-text")


def evaluations_markup(detail: dict[str, Any]) -> str:
    """The stage's verdict in three lines; v opens the whole review."""
    title, keys = _("Evaluation and recommendation"), _("e: evaluate · v: full review")
    lines = ["", f"[b]{title}[/b] [dim]({keys})[/]"]
    c = detail.get("consolidated")
    drafts = sum(1 for e in detail["evaluations"] if e["state"] == "draft")
    draft_text = " · " + ngettext("{n} draft", "{n} drafts", drafts).format(n=drafts) if drafts else ""
    if c:
        n, apart = len(c["evaluators"]), len(c["disagreements"])
        disagree = ngettext("disagree on {n}", "disagree on {n}", apart).format(n=apart)
        flag = f" · [yellow]⚠ {disagree}[/]" if apart else ""
        verdict = _("Evaluators ({n}): {verdict} {percent}%").format(
            n=n, verdict=verdict_markup(c["classification"]), percent=_num(c["percent"]))
        lines.append(f"{verdict}{flag}{draft_text}")
        capped = _("capped:")
        lines += [f"  [red]{capped}[/] {shown(cap)}" for cap in c["caps"]]
    else:
        lines.append(_("Evaluators: none submitted yet") + draft_text)
    rec = detail["recommendation"]
    best = next((v for v in rec["ranking"] if v["type"] == rec["best"]), None)
    request = rec["request"]
    if best:
        fit = f"[b]{shown(best['name'])}[/]"
    elif not (request["scope"] and request["ownership"]):
        fit = "[dim]" + _("set the scope and ownership first") + "[/]"
    else:
        fit = "[yellow]" + _("no type fits the request as it stands") + "[/]"
    lines.append(_("Best fit: {fit}").format(fit=fit))
    tier = rec["cost"]["tier"]
    lines.append(_("Cost tier: {tier}").format(tier=shown(TIER_WORDS.get(tier, tier) if tier else _("not yet known"))))
    return "\n".join(lines)

def centre_markup(detail: dict[str, Any]) -> str:
    """The centre's accreditation, for the operation and renewal tabs."""
    centre = detail.get("centre")
    lines = ["", "[b]" + _("Accreditation") + "[/b]"]
    if centre is None:
        return "\n".join([*lines, "[dim]" + _("not a centre yet: a case becomes one at set-up") + "[/]"])
    period = centre["period"]
    if period is None:
        return "\n".join([*lines, "[dim]" + _("not accredited yet: record the accreditation date on the Operate tab")
                           + "[/]"])
    state = PERIOD_STATE_WORDS.get(centre["accreditation"], centre["accreditation"])
    state_markup = f"[b red]{shown(state.upper())}[/]" if centre["lapsed"] else f"[b]{shown(state)}[/]"
    said = _("Period {number}: {starts_on} → {ends_on}").format(
        number=period["number"], starts_on=period["starts_on"], ends_on=period["ends_on"])
    lines.append(f"{said} · {state_markup}")
    # Days to the renewal date; once it has passed, days to the period's end (the line above).
    to_renewal, left = period["days_to_renewal"], period["days_left"]
    countdown = (" · " + ngettext("in {n} day", "in {n} days", to_renewal).format(n=to_renewal) if to_renewal >= 0 else
                 " · " + ngettext("ends in {n} day", "ends in {n} days", left).format(n=left) if left >= 0 else "")
    lines.append(_("Renewal due {date}").format(date=period["renewal_due_on"]) + countdown)
    if len(centre["types"]) > 1:
        # The types' ids, read as words: the path of a centre that changed type.
        types = shown(" → ".join(t.replace("_", " ") for t in centre["types"]))
        lines.append(_("Types over time: {types}").format(types=types))
    return "\n".join(lines)

def kpis_markup(detail: dict[str, Any]) -> str:
    title, keys = _("Monitoring plan"), _("k: add a KPI")
    lines = ["", f"[b]{title}[/b] [dim]({keys})[/]"]
    for kpi in detail["kpis"]:
        unit = f" {kpi['unit']}" if kpi["unit"] else ""
        lines.append(f"· {shown(kpi['name'])}: {_num(kpi['baseline'])} → {_num(kpi['target'])}{shown(unit)}")
    if not detail["kpis"]:
        lines.append("[dim]" + _("no KPIs yet") + "[/]")
    return "\n".join(lines)


def saved_message(changed: dict[str, Any]) -> str:
    if not changed:
        return _("Nothing changed.")
    return _("Saved: {fields}").format(fields=", ".join(sorted(field_label(f) for f in changed)))


def _num(value: float | None) -> str:
    return number_words(value, missing="?")
