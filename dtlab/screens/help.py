"""F1: every key of the screen you were on, with what it does."""

from __future__ import annotations

from typing import ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "Close", id="help.close", tooltip="Close the help"),
    ]

    def __init__(self, title: str, rows: list[tuple[str, str, bool]]):
        """`rows`: (keys, what they do, whether they act on the screen as it is now)."""
        super().__init__(classes="dialog-screen")
        self.title_text, self.rows = title, rows

    def compose(self) -> ComposeResult:
        width = max((len(keys) for keys, _what, _on in self.rows), default=4)
        lines = []
        for keys, what, enabled in self.rows:
            style = "" if enabled else "dim"
            line = f"[b]{escape(keys).rjust(width)}[/b]  {escape(what)}"
            lines.append(f"[{style}]{line}[/]" if style else line)
        with Vertical(classes="dialog help-dialog"):
            yield Static(f"[b]Keys: {escape(self.title_text)}[/b]", classes="dialog-title")
            with VerticalScroll():
                yield Static("\n".join(lines))
            yield Static("[dim]Dimmed keys do nothing right now. Letter keys act when no text field has the "
                         "focus (Esc leaves a field). Any binding can be remapped by its id in the config "
                         "file's \\[keymap]. Esc closes.[/]", classes="dialog-text")
