"""The concept-design review of a case: the evaluators side by side with the consolidated
verdict and its caps and disagreements, then the centre types ranked for the request with their
reasons, and the cost tier with what sets it."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from dtlab.i18n import N_, _
from dtlab.present.concept_text import evaluations_text, recommendation_text, renderable
from dtlab.present.safe import from_markup, shown
from dtlab.widgets.footer import KeysFooter


class ConceptReviewScreen(Screen[None]):
    HELP_TITLE = N_("Concept-design review")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,v", "app.pop_screen", N_("Back"), id="review.back", tooltip=N_("Back to the case")),
    ]

    def __init__(self, detail: dict[str, Any]):
        super().__init__()
        self.detail = detail

    def compose(self) -> ComposeResult:
        d = self.detail
        yield Header()
        what = _("concept-design review: evaluations and the recommended centre type")
        yield Static(from_markup(f"[b]{shown(d['ref'])}[/b] {shown(d['title'])}\n[dim]{what}[/]"), id="review-head")
        with VerticalScroll(id="review-body"):
            yield Static("[b]" + _("Evaluators side by side") + "[/b]", classes="review-title")
            yield Static("", id="review-evaluations")
            yield Static("[b]" + _("Centre types for this request, best fit first") + "[/b]", classes="review-title")
            yield Static(renderable(recommendation_text(d["recommendation"])), id="review-recommendation")
        yield KeysFooter()

    def on_mount(self) -> None:
        # Criterion names take what the evaluator columns leave.
        counted = [e["evaluator"] for e in self.detail["evaluations"] if e["counts"]]
        evaluators = max(1, len(counted))
        name_width = max(15, min(40, self.app.size.width - 4 - 8 * (evaluators + 1)))
        # The evaluators' columns take what is left beside the mean and a disagreement's flag, up
        # to their longest name: cut at 80 columns, whole at 200 ("A. Men…" was cut on any screen).
        room = (self.app.size.width - 4 - name_width - 8 - len(" ⚠ spread 4")) // evaluators - 1
        longest = max([7, *(len(w) for w in counted)])
        self.query_one("#review-evaluations", Static).update(renderable(evaluations_text(
            self.detail, name_width=name_width, column_width=max(7, min(longest, room)))))
        self.query_one("#review-body").focus()
