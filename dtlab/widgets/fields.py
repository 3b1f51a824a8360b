"""Forms built from field specs: a label, an input and an error line per field.

Values go in and out as the text a user types; the data layer parses and validates them, and
its one-line errors ("received_on: '2026-13-01' is not a date") are shown beside the field they
name. A stored value with a control character in it (a title a bundle carried) is shown in its
visible form (`dtlab.present.safe`) and given back unchanged unless the user edits it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, TextArea

from dtlab.domain.fields import REQUIRED, field_text
from dtlab.i18n import _, again
from dtlab.present.safe import plain, visible
from dtlab.present.words import form_label


@dataclass(frozen=True)
class FieldSpec:
    """A form's field. Its specs are made when a screen's module loads: the words it shows (its
    label, its placeholder, marked `N_` where written) are translated as the field is drawn."""

    name: str
    kind: str = "text"  # text | long | date | select | country | organisation (completes existing names)
    options: str | tuple[tuple[str, str], ...] = ()  # a key of the form's choices, or fixed options
    required: bool = False
    placeholder: str = ""  # English, marked N_

    @property
    def label(self) -> str:
        """Its label from the catalogue, in the language in use."""
        return form_label(self.name)


def case_field(name: str, kind: str = "text", options: str | tuple[tuple[str, str], ...] = (),
               placeholder: str = "") -> FieldSpec:
    """A field of a case: labelled from the catalogue, marked required where the field rules
    require it (so the form and the rule cannot disagree). `placeholder` is marked N_."""
    return FieldSpec(name, kind, options, required=name in REQUIRED, placeholder=placeholder)


class TextInput(Input):
    """A one-line field whose cursor goes to the end of what it holds when it takes the focus:
    a filled field shows its value from the start, and tabbing into it then left the cursor
    there, so that typing went in front ("XYZA research…")."""

    def on_focus(self, event: events.Focus) -> None:
        # Not when the terminal window itself comes back: the user was mid-edit there.
        if not event.from_app_focus:
            self.cursor_position = len(self.value)


class FieldRow(Vertical):
    """One field: its label and input on one line, its error (if any) below."""

    def __init__(self, spec: FieldSpec, options: list[tuple[str, str]], suggestions: list[str]):
        super().__init__(classes="field-row")
        self.spec = spec
        self.options = options
        self.suggestions = [visible(s) for s in suggestions]
        self.held: tuple[str, str] | None = None  # (what the field shows, the value put in it)

    def compose(self) -> ComposeResult:
        spec = self.spec
        with Horizontal(classes="field-line"):
            yield Label(spec.label + (" *" if spec.required else ""), classes="field-label")
            yield self._input()
        yield Static("", classes="field-error")

    def _input(self) -> Widget:
        spec, wid = self.spec, f"f-{self.spec.name}"
        hint = _(spec.placeholder) if spec.placeholder else ""
        if spec.kind == "select":
            return Select([(plain(label), value) for value, label in self.options], id=wid, compact=True,
                          prompt=hint or _("choose…"))
        if spec.kind == "long":
            return TextArea(id=wid, compact=True, classes="field-long", placeholder=hint)
        # The date's format as the field takes it (ISO), in the language's letters for it.
        placeholder = hint or (_("YYYY-MM-DD") if spec.kind == "date" else "")
        suggester = SuggestFromList(self.suggestions, case_sensitive=False) if self.suggestions else None
        # Tabbing into a filled field must not select its text: the next key would replace it.
        return TextInput(id=wid, compact=True, placeholder=placeholder, suggester=suggester, select_on_focus=False)

    @on(Input.Blurred)
    def take_the_completion(self, event: Input.Blurred) -> None:
        """Leaving a country field while it shows a completion (Tab, a click elsewhere) takes the
        completion, as → does: "Ken" was left as typed, and refused on saving. Leaving any field
        shows a long value from its start again, not the end where typing stopped."""
        if self.spec.kind == "country":
            completed = complete_country(event.value, self.suggestions)
            if completed != event.value:
                event.input.value = completed
        event.input.cursor_position = 0

    @property
    def widget(self) -> Widget:
        return self.query_one(f"#f-{self.spec.name}")

    def get(self) -> str:
        w = self.widget
        if isinstance(w, Select):
            return "" if w.value is Select.NULL else str(w.value)
        if isinstance(w, TextArea):
            typed = w.text
        else:
            assert isinstance(w, Input)
            typed = w.value
        return self.held[1] if self.held and typed == self.held[0] else typed

    def put(self, value: str) -> None:
        w = self.widget
        if isinstance(w, Select):
            known = {v for v, _label in self.options}
            w.value = value if value in known else Select.NULL
            return
        shown = visible(value, multiline=isinstance(w, TextArea))
        self.held = (shown, value)
        if isinstance(w, TextArea):
            w.text = shown
        else:
            assert isinstance(w, Input)
            w.value = shown
            if not w.has_focus:  # a field being typed in keeps its cursor where the typing is
                w.cursor_position = 0  # a value reads from its start ("Minister of…", not "…Director")

    def on_input_changed(self) -> None:
        self.show_error(None)  # an error describes what was there before the user's edit

    def on_text_area_changed(self) -> None:
        self.show_error(None)

    def show_error(self, message: str | None) -> None:
        error = self.query_one(".field-error", Static)
        error.update(plain(message or "", multiline=True))
        self.set_class(bool(message), "-invalid")

    def set_read_only(self, read_only: bool) -> None:
        w = self.widget
        if isinstance(w, TextArea):
            w.read_only = read_only  # still scrolls and selects, unlike a disabled one
        else:
            w.disabled = read_only


class FieldForm(Vertical):
    """A column of fields. `loaded` keeps what was last put, to tell what the user changed."""

    def __init__(self, specs: Iterable[FieldSpec], choices: dict[str, list[tuple[str, str]]], *,
                 id: str | None = None):
        super().__init__(id=id, classes="field-form")
        self.specs = list(specs)
        self.choices = choices
        self.loaded: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        for spec in self.specs:
            # Fixed options were made when their module loaded: said again, in the language of now.
            options = (again(list(spec.options)) if isinstance(spec.options, tuple)
                       else self.choices.get(spec.options, []))
            suggestions: list[str] = []
            if spec.kind == "country":
                suggestions = [f"{code} {name}" for code, name in self.choices.get("countries", [])]
                suggestions += [f"{name} ({code})" for code, name in self.choices.get("countries", [])]
            elif spec.kind == "organisation":
                suggestions = [name for name, _same in self.choices.get("organisations", [])]
            yield FieldRow(spec, options, suggestions)

    def rows(self) -> list[FieldRow]:
        return list(self.query(FieldRow))

    def load(self, values: dict[str, Any]) -> None:
        self.loaded = {spec.name: field_text(values.get(spec.name)) for spec in self.specs}
        # A form drawn again in another language gets back what was typed in it (still unsaved).
        typed = getattr(self.screen, "typed_before", {})
        for row in self.rows():
            row.put(self.loaded[row.spec.name])
            row.show_error(None)
            before = typed.pop(f"f-{row.spec.name}", None)
            if before is not None and before is not Select.NULL:
                row.put(str(before))

    def values(self) -> dict[str, str]:
        return {row.spec.name: _country_code(row) for row in self.rows()}

    def changes(self) -> dict[str, str]:
        return {k: v for k, v in self.values().items() if v.strip() != self.loaded.get(k, "").strip()}

    @property
    def dirty(self) -> bool:
        return bool(self.changes())

    def show_errors(self, errors: dict[str, str]) -> None:
        for row in self.rows():
            row.show_error(errors.get(row.spec.name))

    def set_read_only(self, read_only: bool) -> None:
        for row in self.rows():
            row.set_read_only(read_only)

    def field_names(self) -> set[str]:
        return {spec.name for spec in self.specs}


def complete_country(typed: str, suggestions: list[str]) -> str:
    """The completion a country field shows for `typed` (the first suggestion it begins, without
    regard to case, as Textual's SuggestFromList finds it), or `typed` when it is already a code
    or a whole suggestion, or begins none."""
    text = typed.strip()
    if not text or (len(text) == 2 and text.isalpha()):
        return typed
    folded = text.casefold()
    if any(s.casefold() == folded for s in suggestions):
        return typed
    return next((s for s in suggestions if s.casefold().startswith(folded)), typed)


def _country_code(row: FieldRow) -> str:
    """A country field accepts a code, "KE Kenya" or "Kenya (KE)" (its completions); keep the code."""
    value = row.get().strip()
    if row.spec.kind != "country" or not value:
        return value
    if value.endswith(")") and "(" in value:
        return value[value.rindex("(") + 1 : -1].strip()
    head = value.split(" ", 1)[0]
    return head if len(head) == 2 else value


def field_errors(message: str, fields: set[str]) -> tuple[dict[str, str], str | None]:
    """Split a data-layer error ("field: what is wrong") into a per-field error, or leave it whole."""
    name, sep, rest = message.partition(":")
    if sep and name.strip() in fields:
        return {name.strip(): rest.strip()}, None
    return {}, message
