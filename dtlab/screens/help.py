"""F1: every key of the screen you were on, with what it does."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from dtlab.i18n import N_, SOURCE_LANGUAGE, _, language
from dtlab.present.safe import plain
from dtlab.widgets.dialogs import Dialog


class HelpScreen(Dialog[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", N_("Close"), id="help.close", tooltip=N_("Close the help")),
    ]

    def __init__(self, title: str, rows: list[tuple[str, str, bool]]):
        """`title`: the screen's name; `rows`: (keys, what they do, whether they act on the screen
        as it is now), both in the language in use (`DtlabApp.action_help`)."""
        super().__init__(classes="dialog-screen")
        self.title_text, self.rows = title, rows

    def compose(self) -> ComposeResult:
        # A grid, so that a long description wraps within its own column.
        table = Table.grid(padding=(0, 2))
        table.add_column(justify="right", no_wrap=True)
        table.add_column()
        for keys, what, enabled in self.rows:
            style = "" if enabled else "dim"
            table.add_row(Text(keys, style=f"bold {style}".strip()), Text(what, style=style))
        with Vertical(classes="dialog help-dialog"):
            yield Static(plain(_("Keys: {screen}").format(screen=self.title_text), style="bold"),
                         classes="dialog-title")
            with VerticalScroll():
                yield Static(table)
                if language() != SOURCE_LANGUAGE:
                    # Said where a reader of a translation looks first (issue 19: mark them as such).
                    yield Static(plain(_(
                        "About this language: the interface and the reference data in Arabic, French, Russian and "
                        "Spanish are the project's own translations, as is the interface in Chinese; the Chinese of "
                        "the reference data is that of the source documents. The English is the reference."),
                        style="dim", multiline=True), classes="help-about")
            # "[keymap]" is the config file's section, escaped so as not to be read as a style.
            note = _("Keys that do not apply right now are dimmed. Letter keys act when no text field has the "
                     "focus (Esc leaves a field). Any binding can be remapped by its id in the config file's "
                     "{keymap}. Esc closes.").format(keymap="\\[keymap]")
            yield Static(f"[dim]{note}[/]", classes="dialog-text")
