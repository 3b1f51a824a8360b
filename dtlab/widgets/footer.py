"""The footer of every screen: Textual's, in the language in use, rebuilt only when the keys it
shows (or the language) have changed."""

from __future__ import annotations

import asyncio
from typing import Any

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer

from dtlab.i18n import language
from dtlab.widgets.key_words import key_description, key_tooltip

# Below this width the keys are drawn without the space around each (Textual's compact footer):
# at 80 columns a screen's keys with their padding ran past the edge ("^q Qui▏").
COMPACT_BELOW = 100
# What the footer leaves out first when its keys still do not fit, in this order: what works on
# every screen and F1 lists (quit, reload, leave with Esc). F1 Help itself always stays.
DROPPED_FIRST = ("quit", "reload", "leave", "home", "clear_search")
PALETTE_WIDTH = 12  # "▏^p palette", docked at the right (a translation of "palette" is no wider)


class KeysFooter(Footer):
    """Textual's Footer rebuilds all its keys each time a screen says its bindings may have
    changed: on every focus change, every `refresh_bindings`, several times per key press on a
    busy form. Most of those times the keys are the same, and the rebuild (unmount and mount a
    widget per key, then restyle them) was a large share of the work a key press caused. This one
    compares what it would show with what it shows and rebuilds only on a difference."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shown: tuple[object, ...] | None = None
        self.width_drawn: int | None = None
        # One rebuild at a time: bindings change again while a rebuild awaits its mounts (a tab
        # switched, then its table focused), and a rebuild begun earlier finishing last left the
        # older keys on screen, recorded as the ones shown.
        self._rebuilding = asyncio.Lock()

    def on_resize(self, event: events.Resize) -> None:
        """A new width changes what fits: draw the keys again, but only then (the first size
        comes as the footer is mounted, and its keys are being composed for it already)."""
        width = event.size.width
        self.compact = width < COMPACT_BELOW
        if self.width_drawn is not None and width != self.width_drawn:
            self.shown = None
            self.refresh(recompose=True)
        self.width_drawn = width

    def compose(self) -> ComposeResult:
        """Textual's keys, in the language in use, less those that would run past the right edge:
        the app-wide ones first (`DROPPED_FIRST`), then the screen's last. A key left out still
        works; F1 lists it."""
        widgets = list(super().compose())
        self._translate(widgets)
        keys: list[Any] = [w for w in widgets if getattr(w, "action", None) and not w.has_class("-command-palette")]
        room = (self.size.width or self.app.size.width) - PALETTE_WIDTH
        spacing = 2 if self.compact else 4

        def width(shown: list[Any]) -> int:
            # In cells: a Chinese character takes two.
            return sum(cell_len(str(w.key_display)) + cell_len(str(w.description)) + spacing for w in shown)

        shown = list(keys)
        dropping = [w for name in DROPPED_FIRST + self._screen_dropped_first() for w in shown if w.action == name]
        dropping += [w for w in reversed(shown) if w.action != "help" and w not in dropping]
        for widget in dropping:
            if width(shown) <= room:
                break
            shown.remove(widget)
        for widget in widgets:
            if widget in shown or widget not in keys:
                yield widget

    def _translate(self, widgets: list[Any]) -> None:
        """Textual draws a key's description and tooltip as declared, in English (marked `N_`):
        each is put in the language in use as the key is made, never kept from an earlier one."""
        active = self.screen.active_bindings
        for widget in widgets:
            found = active.get(getattr(widget, "key", None) or "") if getattr(widget, "action", None) else None
            if found is None:
                continue
            if widget.description:
                widget.description = key_description(found.binding)
            if found.binding.tooltip:
                widget.tooltip = key_tooltip(found.binding)

    def _screen_dropped_first(self) -> tuple[str, ...]:
        """The screen's keys it would rather the footer left out next, as it stands now (the keys of
        another tab than the one shown, say): `footer_dropped_first()`, if the screen has one."""
        said = getattr(self.screen, "footer_dropped_first", None)
        return tuple(said()) if callable(said) else ()

    def keys_on_show(self) -> tuple[object, ...]:
        """Everything the footer's keys are drawn from, for the current screen."""
        app = self.app
        return (language(), self.compact, self.show_command_palette, self._screen_dropped_first(), tuple(
            (key, binding.action, binding.description, app.get_key_display(binding), enabled, tooltip,
             binding.tooltip, binding.group)
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == app.COMMAND_PALETTE_BINDING))

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        async with self._rebuilding:
            wanted = self.keys_on_show()  # read once the previous rebuild is done: what is wanted now
            if wanted == self.shown and self.children:
                return
            await super().recompose()
            # Remember only what was drawn: a compose before the bindings are ready draws nothing.
            self.shown = wanted if self.children else None
