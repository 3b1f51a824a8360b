"""The intake form: a new request, checked field by field before anything is saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static
from textual.worker import Worker, WorkerState

from dtlab.db.queries import Choices, form_choices
from dtlab.errors import Invalid, describe_error
from dtlab.present.words import CHANNEL_LABELS, OWNERSHIP_CHOICES, SCOPE_CHOICES, as_choices
from dtlab.screens.case_view import GOALS_HINT
from dtlab.services.cases import check_new_case, create_case
from dtlab.widgets.dialogs import ConfirmDialog
from dtlab.widgets.fields import FieldForm, case_field, field_errors, short_types

INTAKE_FIELDS = (
    case_field("title", required=True, placeholder="what the applicant asks for"),
    case_field("country", "country", required=True, placeholder="ISO code or name, e.g. KE or Kenya"),
    case_field("applicant", "organisation", placeholder="organisation: an existing name completes"),
    case_field("category", "select", "categories"),
    case_field("channel", "select", as_choices(CHANNEL_LABELS)),
    case_field("received_on", "date"),
    case_field("contact", placeholder="contact person"),
    case_field("contact_email"),
    case_field("goals", placeholder=GOALS_HINT),
    case_field("scope", "select", as_choices(SCOPE_CHOICES)),
    case_field("ownership", "select", as_choices(OWNERSHIP_CHOICES)),
    case_field("proposed_type", "select", "centre_types"),
    case_field("purpose", "long"),
)


class IntakeScreen(Screen[str | None]):
    """Dismisses with the new case's ref, or None when the user leaves without saving."""

    HELP_TITLE = "New request"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="intake.save", tooltip="Check the fields and create the case"),
        Binding("escape", "leave", "Cancel", id="intake.leave", tooltip="Leave (asks first if you typed something)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.choices: Choices | None = None
        self.form: FieldForm | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("[b]New request[/b]  [dim]* required · ctrl+s saves · Esc cancels[/]", id="intake-title")
        yield VerticalScroll(id="intake-body", can_focus=False)
        yield Static("", id="intake-region")
        yield Footer()

    def on_mount(self) -> None:
        self.load_choices()

    @work(thread=True, exit_on_error=False, group="intake-load")
    def load_choices(self) -> Choices:
        with self.app.store.read() as session:  # type: ignore[attr-defined]
            return form_choices(session)

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR:
            error = worker.error
            if isinstance(error, Invalid) and self.form is not None:
                per_field, rest = field_errors(str(error), self.form.field_names())
                self.form.show_errors(per_field)
                if rest:
                    self.notify(rest, severity="error")
                return
            self.notify(f"Not saved: {describe_error(error)}", severity="error", timeout=10)
            return
        if event.state is not WorkerState.SUCCESS:
            return
        if worker.group == "intake-load" and isinstance(worker.result, Choices):
            self.choices = worker.result
            options: dict[str, list[tuple[str, str]]] = {
                "categories": self.choices.categories, "centre_types": short_types(self.choices.centre_types),
                "countries": self.choices.countries, "organisations": self.choices.organisations}
            self.form = FieldForm(INTAKE_FIELDS, options, id="intake-form")
            await self.query_one("#intake-body").mount(self.form)
            self.query_one("#f-title", Input).focus()
        elif worker.group == "intake-save" and isinstance(worker.result, tuple):
            problems, ref = worker.result
            if self.form is None:
                return
            self.form.show_errors(problems)
            if problems:
                self.notify(f"Not saved: {len(problems)} field{'s' if len(problems) > 1 else ''} to fix.",
                            severity="warning")
                return
            self.form.loaded = self.form.values()  # saved: nothing is unsaved any more
            self.dismiss(ref)

    @on(Input.Changed, "#f-country")
    def country_changed(self, event: Input.Changed) -> None:
        """Show the region a country belongs to as soon as the code is known."""
        if self.choices is None or self.form is None:
            return
        code = self.form.values().get("country", "").upper()
        region = self.choices.regions.get(code)
        names = dict(self.choices.countries)
        text = f"[dim]Country:[/] {names[code]} · region {region}" if region else ""
        self.query_one("#intake-region", Static).update(text)

    def action_save(self) -> None:
        if self.form is None:
            return
        values = {k: v for k, v in self.form.values().items() if v.strip()}
        store = self.app.store  # type: ignore[attr-defined]

        def job() -> tuple[dict[str, str], str | None]:
            problems = check_new_case(store, values)
            if problems:
                return problems, None
            return {}, create_case(store, values)

        self.save(job)

    @work(thread=True, exclusive=True, exit_on_error=False, group="intake-save")
    def save(self, job: Any) -> tuple[dict[str, str], str | None]:
        return job()

    def has_unsaved_work(self) -> bool:
        return self.form is not None and any(v.strip() for v in self.form.values().values())

    def action_leave(self) -> None:
        if self.has_unsaved_work():
            def done(discard: bool | None) -> None:
                if discard:
                    self.dismiss(None)

            self.app.push_screen(ConfirmDialog("Leave this new request without saving it?"), done)
            return
        self.dismiss(None)


def start_new_case(app: App[Any], after: Callable[[], None] | None = None) -> None:
    """Open the intake form; a request once saved opens as its case. `after` runs when the form
    closes and again when that case closes, so the screen below can show the change."""
    from dtlab.screens.case_view import CaseScreen

    def created(ref: str | None) -> None:
        if after:
            after()
        if ref:
            app.notify(f"{ref} created")
            app.push_screen(CaseScreen(ref), lambda _result: after() if after else None)

    app.push_screen(IntakeScreen(), created)
