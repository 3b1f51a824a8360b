"""Speaking another language in the running app: a screen or dialog drawn in one language draws
itself again in the language in use, keeping what the user typed.

A screen's widgets are made by its `compose` from its own state (titles, a form's fields, the
data it loaded); the texts in that state were said in the old language (`dtlab.i18n.Said`
remembers how). So a screen is redrawn by saying its texts again, composing it anew, putting back
what was typed in each input, select, checkbox and text area (by id), and replaying its mount and
resume handlers, which fill the new widgets from the data the screen holds or reloads. The
current screens are redrawn at once; a screen further down a stack, or in another mode, the
moment it is shown again."""

from __future__ import annotations

import inspect
from typing import Any

from textual import on
from textual.events import ScreenResume
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, RadioSet, Select, SelectionList, Switch, TextArea

from dtlab.i18n import again, language

# Replayed after a redraw, as Textual calls them: every class's own handler, most derived first.
REPLAYED = ("on_mount", "on_screen_resume")


def typed_values(screen: Screen[Any]) -> dict[str, tuple[type[Widget], Any]]:
    """What the user has typed or chosen on `screen`, by widget id."""
    kept: dict[str, tuple[type[Widget], Any]] = {}
    for widget in screen.query("*"):
        if widget.id is None:
            continue
        if isinstance(widget, (Input, Select, Checkbox, Switch)):
            kept[widget.id] = (type(widget), widget.value)
        elif isinstance(widget, TextArea):
            kept[widget.id] = (type(widget), widget.text)
        elif isinstance(widget, SelectionList):
            kept[widget.id] = (type(widget), list(widget.selected))
        elif isinstance(widget, RadioSet):
            kept[widget.id] = (type(widget), widget.pressed_index)
    return kept


def put_back(screen: Screen[Any], kept: dict[str, tuple[type[Widget], Any]]) -> None:
    """Put what was typed back into the redrawn widgets of the same id and kind."""
    for widget in screen.query("*"):
        if widget.id not in kept or not isinstance(widget, kept[widget.id][0]):
            continue
        value = kept[widget.id][1]
        if isinstance(widget, TextArea):
            widget.text = value
        elif isinstance(widget, SelectionList):
            widget.deselect_all()
            for item in value:
                widget.select(item)
        elif isinstance(widget, RadioSet):
            if value >= 0 and value < len(widget.query("RadioButton")):
                widget.query("RadioButton")[value].value = True
        elif isinstance(widget, Select):
            # A select's choices may come later (loaded by the replayed handlers): only a value it
            # offers is put back now (a form filled later takes its own: `typed_before`).
            try:
                widget.value = value
            except Exception:  # not among its options yet
                continue
        elif isinstance(widget, (Input, Checkbox, Switch)):
            widget.value = value


class Relabels:
    """For a Screen (dtlab's screens and dialogs): redraw in the language in use when shown."""

    drawn_in: str = ""
    # What was typed before the redraw, by widget id: a form mounted later, once its data is read
    # (the intake form, a stage's fields), takes its fields' values from here (FieldForm.load).
    typed_before: dict[str, Any] = {}  # (each screen gets its own at a redraw)

    def said_again(self) -> None:
        """Say again every text the screen holds in its own attributes (titles, fields, choices)."""
        for name, value in list(vars(self).items()):
            if name.startswith("_"):
                continue
            redone = again(value)
            if redone is not value:
                setattr(self, name, redone)

    def before_relabel(self) -> None:
        """What a screen must note or forget before it is composed anew: its own record of what
        it has drawn (columns laid out, widgets mounted once), and what only its widgets hold."""

    async def relabel(self) -> None:
        """Draw this screen again in the language in use, keeping what was typed."""
        screen: Screen[Any] = self  # type: ignore[assignment]
        self.drawn_in = language()
        kept = typed_values(screen)
        focused = screen.focused.id if screen.focused is not None else None
        self.before_relabel()
        self.said_again()
        await screen.recompose()
        self.typed_before = {wid: value for wid, (_kind, value) in kept.items()}
        put_back(screen, kept)
        for handler in REPLAYED:
            for cls in type(self).__mro__:
                method = cls.__dict__.get(handler)
                if method is not None:
                    result = method(self)
                    if inspect.isawaitable(result):
                        await result
        put_back(screen, kept)
        if focused is not None:
            for widget in screen.query(f"#{focused}"):
                if widget.focusable:
                    widget.focus()
                break

    @on(ScreenResume)
    async def speak_current_language(self) -> None:
        if self.drawn_in and self.drawn_in != language():
            await self.relabel()
