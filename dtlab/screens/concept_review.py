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

from dtlab.present.concept_text import evaluations_text, recommendation_text, renderable
from dtlab.present.safe import from_markup, shown
from dtlab.widgets.footer import KeysFooter


class ConceptReviewScreen(Screen[None]):
    HELP_TITLE = "Concept-design review"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,v", "app.pop_screen", "Back", id="review.back", tooltip="Back to the case"),
    ]

    def __init__(self, detail: dict[str, Any]):
        super().__init__()
        self.detail = detail

    def compose(self) -> ComposeResult:
        d = self.detail
        yield Header()
        yield Static(from_markup(f"[b]{shown(d['ref'])}[/b] {shown(d['title'])}\n[dim]concept-design review: "
                                 "evaluations and the recommended centre type[/]"), id="review-head")
        with VerticalScroll(id="review-body"):
            yield Static("[b]Evaluators side by side[/b]", classes="review-title")
            yield Static("", id="review-evaluations")
            yield Static("[b]Centre types for this request, best fit first[/b]", classes="review-title")
            yield Static(renderable(recommendation_text(d["recommendation"])), id="review-recommendation")
        yield KeysFooter()

    def on_mount(self) -> None:
        # Criterion names take what the evaluator columns leave.
        evaluators = max(1, sum(1 for e in self.detail["evaluations"] if e["counts"]))
        name_width = max(15, min(40, self.app.size.width - 4 - 8 * (evaluators + 1)))
        self.query_one("#review-evaluations", Static).update(
            renderable(evaluations_text(self.detail, name_width=name_width)))
        self.query_one("#review-body").focus()
