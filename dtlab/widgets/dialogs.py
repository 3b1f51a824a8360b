"""Small modal dialogs: ask for a reason, confirm, or fill a few fields.

Titles, choice labels and error messages are plain text (they quote titles, values, paths);
a question or explanation given as a string is Rich markup of the caller's own, with outside text
in it through `dtlab.present.safe.shown`, and is parsed here once, by Rich, never by Textual.
What a caller gives (a title, a button's word) is in the language in use already; the dialogs'
own words are translated as they are drawn."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from dtlab.i18n import N_, _
from dtlab.present.safe import from_markup, plain, visible
from dtlab.widgets.fields import TextInput
from dtlab.widgets.relabel import Relabels


def _text(markup: str | Text) -> Text:
    return from_markup(markup) if isinstance(markup, str) else markup


def leave(dialog: ModalScreen[Any]) -> None:
    """Close a dialog holding typed text by the app's one rule for leaving work (it asks first)."""
    ask = getattr(dialog.app, "leave_screens", None)
    if ask is None:  # a dialog shown by another app (a test's): nothing to ask through
        dialog.dismiss(None)
        return
    ask([dialog], lambda: dialog.dismiss(None))


ResultT = TypeVar("ResultT")


class Dialog(Relabels, ModalScreen[ResultT]):
    """A modal dialog. What was notified before it opened is about the screen behind: it is
    cleared, so that no stale message sits over the dialog's buttons (a ten-second error covered
    OK and Cancel at 80×24)."""

    def on_mount(self) -> None:
        self.app.clear_notifications()


class ReasonDialog(Dialog[str | None]):
    """Ask for a reason (required or optional). Dismisses with the text, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel", tooltip=N_("Close without doing anything")),
    ]

    def __init__(self, title: str, explanation: str | Text = "", required: bool = True,
                 placeholder: str | None = None):
        """`placeholder`: what is asked for, in a word (a reason, by default)."""
        super().__init__(classes="dialog-screen")
        self.title_text, self.explanation, self.required = title, explanation, required
        self.placeholder = _("reason") if placeholder is None else placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(self.title_text, style="bold"), classes="dialog-title")
            if self.explanation:
                yield Static(_text(self.explanation), classes="dialog-text")
            asked = (_("{what} (required)") if self.required else _("{what} (optional)")).format(what=self.placeholder)
            yield Input(placeholder=asked, id="reason")
            yield Static("", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("OK"), variant="primary", id="ok")
                yield Button(_("Cancel"), id="cancel")
            # The key line every dialog has (the note dialog had none).
            yield Static(plain(_("Enter: OK · Esc: Cancel"), style="dim"), classes="dialog-keys")

    @on(Input.Submitted, "#reason")
    @on(Button.Pressed, "#ok")
    def confirm(self) -> None:
        text = self.query_one("#reason", Input).value.strip()
        if self.required and not text:
            # Named after what is asked for: a saved filter needs a name, a withdrawal a reason.
            self.query_one(".dialog-error", Static).update(_("A {what} is needed.").format(what=self.placeholder))
            return
        self.dismiss(text)

    def has_unsaved_work(self) -> bool:
        return bool(self.query_one("#reason", Input).value.strip())

    def unsaved_what(self) -> str:
        return quoted(self.title_text)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        leave(self)


def quoted(title: str) -> str:
    """A dialog's title named in a sentence (Unsaved changes in “Add a note” will be lost), in the
    language's quotation marks."""
    return _("“{title}”").format(title=visible(title))


class ConfirmDialog(Dialog[bool]):
    """A yes-or-no question. Enter chooses the highlighted button: the action asked for, or, with
    `safe` (the answer that loses work or a file), the one that keeps it. ←/→ move between the
    buttons, y and n answer directly, Esc is no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "no", N_("Stay"), id="dialog.no", tooltip=N_("Go back")),
        Binding("y", "yes", N_("Yes"), id="dialog.yes", tooltip=N_("Answer yes")),
        Binding("left", "app.focus_previous", N_("Previous button"), show=False),
        Binding("right", "app.focus_next", N_("Next button"), show=False),
    ]

    def __init__(self, question: str | Text, yes: str | None = None, no: str | None = None, safe: bool = False):
        """`yes` and `no`: the buttons' words (Discard, Keep editing when not given)."""
        super().__init__(classes="dialog-screen")
        self.question, self.safe = question, safe
        self.yes = _("Discard") if yes is None else yes
        self.no = _("Keep editing") if no is None else no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(_text(self.question), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes, variant="error" if self.safe else "primary", id="yes")
                yield Button(self.no, variant="primary" if self.safe else "default", id="no")
            keys = _("y: {yes} · n/Esc: {no} · ←/→ Enter").format(yes=self.yes, no=self.no)
            yield Static(plain(keys, style="dim"), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#no" if self.safe else "#yes", Button).focus()

    @on(Button.Pressed, "#yes")
    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        self.dismiss(False)


class ValuesDialog(Dialog[dict[str, str] | None]):
    """A few labelled inputs or selects; dismisses with their values, or None when cancelled.
    `check` may return a message, shown in the dialog, that keeps it open with what was typed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel", tooltip=N_("Close without saving")),
        Binding("ctrl+s", "confirm", N_("Save"), id="dialog.save", tooltip=N_("Save and close")),
    ]

    def __init__(self, title: str, fields: list[tuple[str, str, list[tuple[str, str]] | str]],
                 required: tuple[str, ...] = (), check: Callable[[dict[str, str]], str | None] | None = None,
                 ok: str | None = None, explanation: str | Text = "", initial: dict[str, str] | None = None,
                 error: str = "", focus: str | None = None, missing_said_by_save: bool = False):
        """`fields`: (name, label, options for a select, or a default text for an input).
        `ok`: the word of the button that saves (Save when not given).
        `explanation`: markup shown above the fields; `initial`: the chosen value of selects;
        `error`: a message to show from the start (the form reopened after a refused save), with
        the cursor in `focus`, the field it is about, ready to be typed into.
        `missing_said_by_save`: the save checks the required fields itself, with every other
        rule at once, so the dialog does not stop at "Needed:" first (the format problems then
        came only with a second try)."""
        super().__init__(classes="dialog-screen")
        self.title_text, self.fields, self.required, self.check = title, fields, required, check
        self.ok = _("Save") if ok is None else ok
        self.explanation, self.initial, self.error, self.focus_on = explanation, initial or {}, error, focus
        self.missing_said_by_save = missing_said_by_save
        # An input's text as shown (control characters visible) and the value given: the value
        # comes back unchanged unless the user edits it.
        self.held = {name: (visible(spec), spec) for name, _label, spec in fields if isinstance(spec, str)}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(self.title_text, style="bold"), classes="dialog-title")
            if self.explanation:
                yield Static(_text(self.explanation), classes="dialog-text")
            for name, label, spec in self.fields:
                with Horizontal(classes="field-line"):
                    yield Label(plain(label + (" *" if name in self.required else "")), classes="field-label")
                    if isinstance(spec, list):
                        chosen = self.initial.get(name)
                        known = chosen is not None and any(value == chosen for value, _text in spec)
                        yield Select([(plain(text), value) for value, text in spec], id=f"v-{name}", compact=True,
                                     prompt=_("choose…"), value=chosen if known else Select.NULL)
                    else:
                        yield TextInput(value=self.held[name][0], id=f"v-{name}", compact=True,
                                        select_on_focus=False)
            yield Static(plain(self.error, multiline=True), classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.ok, variant="primary", id="ok")
                yield Button(_("Cancel"), id="cancel")
            keys = _("Enter: next field · ctrl+s: {ok} · Esc: Cancel").format(ok=self.ok)
            yield Static(plain(keys, style="dim"), classes="dialog-keys")

    def values(self) -> dict[str, str]:
        out = {}
        for name, _label, _spec in self.fields:
            widget = self.query_one(f"#v-{name}")
            if isinstance(widget, Select):
                out[name] = "" if widget.value is Select.NULL else str(widget.value)
            else:
                assert isinstance(widget, Input)
                shown, given = self.held[name]
                out[name] = (given if widget.value == shown else widget.value).strip()
        return out

    def on_mount(self) -> None:
        self.shown_at_start = self.values()
        if self.focus_on is not None:
            self.query_one(f"#v-{self.focus_on}").focus()  # a TextInput: typing goes on after its value
            return
        # The first field still to fill: a form opening on a select already chosen (a result's
        # level) sent the title typed first into the select's list, and it was lost.
        fields = [w for w in self.query("Input, Select") if w.focusable]
        first = next((w for w in fields if not (isinstance(w, Select) and w.value is not Select.NULL)), None)
        if first is not None:
            first.focus()

    @on(Input.Submitted)
    def next_field(self, event: Input.Submitted) -> None:
        """Enter goes on to the next field, and saves from the last one only: a stray Enter in
        the first field of a form saved what was half typed."""
        event.stop()
        inputs = [w for w in self.query("Input, Select") if w.focusable]
        at = inputs.index(event.input) if event.input in inputs else len(inputs) - 1
        if at + 1 < len(inputs):
            inputs[at + 1].focus()
        else:
            self.action_confirm()

    def has_unsaved_work(self) -> bool:
        # A form reopened after a refused save holds what was typed and never saved: leaving it
        # asks, though nothing changed since it reopened (Esc there lost a result's text).
        return bool(self.error) or self.values() != getattr(self, "shown_at_start", self.values())

    def unsaved_what(self) -> str:
        return quoted(self.title_text)

    @on(Button.Pressed, "#ok")
    def action_confirm(self) -> None:
        values = self.values()
        missing = [] if self.missing_said_by_save else [
            (name, label) for name, label, _spec in self.fields if name in self.required and not values[name]]
        # Everything the form can say at once: what is missing, and what its check finds.
        needed = ", ".join(label for _name, label in missing)
        problems = [_("Needed: {fields}").format(fields=needed)] if missing else []
        problem = self.check(values) if self.check else None
        if problem:
            problems.append(problem)
        if problems:
            self.query_one(".dialog-error", Static).update(plain("\n".join(problems), multiline=True))
            if missing:
                self.query_one(f"#v-{missing[0][0]}").focus()  # the cursor where the first need is
            return
        self.dismiss(values)

    def show_error(self, message: str) -> None:
        self.query_one(".dialog-error", Static).update(plain(message, multiline=True))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        leave(self)


class ReadingDialog(Dialog[None]):
    """Lines to read (a record's history), scrolled; Esc closes. `lines` are Rich markup with
    outside text escaped by the caller (`dtlab.present.safe.shown`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", N_("Close"), id="reading.close", tooltip=N_("Close")),
    ]

    def __init__(self, title: str, lines: list[str]):
        super().__init__(classes="dialog-screen")
        self.title_text, self.lines = title, lines

    def compose(self) -> ComposeResult:
        from textual.containers import VerticalScroll

        with Vertical(classes="dialog help-dialog"):
            yield Static(plain(self.title_text, style="bold"), classes="dialog-title")
            with VerticalScroll():
                yield Static(from_markup("\n".join(self.lines)))
            yield Static(plain(_("Esc closes."), style="dim"), classes="dialog-text")
