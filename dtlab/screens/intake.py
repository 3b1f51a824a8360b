"""The intake form: a new request, checked field by field before anything is saved."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, cast

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.widgets import Header, Input, Static

from dtlab.db.queries import Choices, form_choices
from dtlab.errors import Invalid
from dtlab.i18n import N_, _, ngettext
from dtlab.present.labels import CHANNEL_LABELS, OWNERSHIP_CHOICES, SCOPE_CHOICES, as_choices, membership_choices
from dtlab.present.safe import from_markup, shown
from dtlab.screens.base import DeskApp, DtlabScreen, show_error
from dtlab.screens.case_tabs import GOALS_HINT
from dtlab.services.cases import check_new_case, create_case
from dtlab.widgets.fields import FieldForm, case_field, field_errors
from dtlab.widgets.footer import KeysFooter

INTAKE_FIELDS = (
    case_field("title", placeholder=N_("what the applicant asks for")),
    case_field("country", "country", placeholder=N_("ISO code or name, e.g. KE or Kenya")),
    case_field("applicant", "organisation", placeholder=N_("organisation: an existing name completes")),
    case_field("category", "select", "categories"),
    case_field("channel", "select", as_choices(CHANNEL_LABELS)),
    case_field("received_on", "date"),
    case_field("contact", placeholder=N_("contact person")),
    case_field("contact_email"),
    case_field("goals", placeholder=GOALS_HINT),
    case_field("scope", "select", as_choices(SCOPE_CHOICES)),
    case_field("ownership", "select", as_choices(OWNERSHIP_CHOICES)),
    case_field("proposed_type", "select", "centre_types"),
    case_field("call_ref", "select", "calls"),
    case_field("late_reason", placeholder=N_("if received after the call's deadline: why take it")),
    case_field("purpose", "long"),
)


def current_day() -> date:
    """The day a new request is received by default (tests fix it)."""
    return date.today()


class IntakeScreen(DtlabScreen[str | None]):
    """Dismisses with the new case's ref, or None when the user leaves without saving."""

    HELP_TITLE = N_("New request")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", N_("Save"), id="intake.save", tooltip=N_("Check the fields and create the case")),
        Binding("escape", "leave", N_("Cancel"), id="intake.leave",
                tooltip=N_("Leave (asks first if you typed something)")),
    ]

    @dataclass
    class ChoicesRead(Message):
        """What the form's selects and completions offer."""

        choices: Choices

    @dataclass
    class Checked(Message):
        """The request was checked: `problems` (field → what is wrong) kept it from being saved,
        or, with none, it was saved as the case `ref`."""

        problems: dict[str, str]
        ref: str | None

    def __init__(self) -> None:
        super().__init__()
        self.choices: Choices | None = None
        self.form: FieldForm | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        title, keys = _("New request"), _("* required · ctrl+s saves · Esc cancels")
        yield Static(f"[b]{escape(title)}[/b]  [dim]{escape(keys)}[/]", id="intake-title")
        yield VerticalScroll(id="intake-body", can_focus=False)
        yield Static("", id="intake-region")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load_choices()

    @work(thread=True, exit_on_error=False, group="intake-load")
    def load_choices(self) -> None:
        with self.store.read() as session:
            self.post_result(self.ChoicesRead(form_choices(session)))

    def before_relabel(self) -> None:
        self.form = None  # composed anew; the new form takes what was typed (FieldForm.load)

    async def on_intake_screen_choices_read(self, message: ChoicesRead) -> None:
        self.choices = message.choices
        options: dict[str, list[tuple[str, str]]] = {
            "categories": membership_choices(self.choices.categories),
            "centre_types": self.choices.centre_types,
            "countries": self.choices.countries, "organisations": self.choices.organisations,
            "calls": self.choices.calls}
        self.form = FieldForm(INTAKE_FIELDS, options, id="intake-form")
        await self.query_one("#intake-body").mount(self.form)
        self.form.load(self.defaults)
        self.query_one("#f-title", Input).focus()

    def on_intake_screen_checked(self, message: Checked) -> None:
        if self.form is None:
            return
        problems = message.problems
        self.form.show_errors(problems)
        if problems:
            self.notify(ngettext("Not saved: {n} field to fix.", "Not saved: {n} fields to fix.",
                                 len(problems)).format(n=len(problems)), severity="warning")
            return
        self.form.loaded = self.form.values()  # saved: nothing is unsaved any more
        self.dismiss(message.ref)

    def worker_failed(self, error: BaseException | None) -> None:
        if isinstance(error, Invalid) and self.form is not None:
            per_field, rest = field_errors(str(error), self.form.field_names())
            self.form.show_errors(per_field)
            if rest:
                self.notify(rest, severity="error")
            return
        show_error(self, error, not_saved=True)

    @on(Input.Changed, "#f-country")
    def country_changed(self, event: Input.Changed) -> None:
        """Show the region a country belongs to as soon as the code is known."""
        if self.choices is None or self.form is None:
            return
        code = self.form.values().get("country", "").upper()
        region = self.choices.regions.get(code)
        names = dict(self.choices.countries)
        text = _("[dim]Country:[/] {country} · region {region}").format(
            country=shown(names[code]), region=shown(region)) if region else ""
        self.query_one("#intake-region", Static).update(from_markup(text))

    def action_save(self) -> None:
        if self.form is None:
            return
        values = {k: v for k, v in self.form.values().items() if v.strip()}
        self.save(values)

    @work(thread=True, exclusive=True, exit_on_error=False, group="intake-save")
    def save(self, values: dict[str, str]) -> None:
        problems = check_new_case(self.store, values)
        self.post_result(self.Checked(problems, None if problems else create_case(self.store, values)))

    # One new request at a time (DtlabApp.open_screen).
    identity = ("intake",)

    @property
    def defaults(self) -> dict[str, str]:
        """What a new request starts with: it is received today, most often."""
        return {"received_on": current_day().isoformat()}

    def has_unsaved_work(self) -> bool:
        """Anything typed beyond the defaults."""
        return self.form is not None and any(
            v.strip() and v.strip() != self.defaults.get(k, "") for k, v in self.form.values().items())

    def unsaved_what(self) -> str:
        return _("the new request")

    def action_leave(self) -> None:
        self.dtlab.leave_screens([self], lambda: self.dismiss(None))


def start_new_case(app: App[Any], after: Callable[[], None] | None = None) -> None:
    """Open the intake form; a request once saved opens as its case. `after` runs when the form
    closes and again when that case closes, so the screen below can show the change."""

    def created(ref: str | None) -> None:
        if after:
            after()
        if ref:
            app.notify(_("{ref} created").format(ref=ref))
            cast("DeskApp", app).open_case(ref, lambda _result: after() if after else None)

    cast("DeskApp", app).open_screen(IntakeScreen(), created)
