"""The footer of every screen: Textual's, rebuilt only when the keys it shows have changed."""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer


class KeysFooter(Footer):
    """Textual's Footer rebuilds all its keys each time a screen says its bindings may have
    changed: on every focus change, every `refresh_bindings`, several times per key press on a
    busy form. Most of those times the keys are the same, and the rebuild (unmount and mount a
    widget per key, then restyle them) was a large share of the work a key press caused. This one
    compares what it would show with what it shows and rebuilds only on a difference."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shown: tuple[object, ...] | None = None

    def keys_on_show(self) -> tuple[object, ...]:
        """Everything the footer's keys are drawn from, for the current screen."""
        app = self.app
        return (self.compact, self.show_command_palette, tuple(
            (key, binding.action, binding.description, app.get_key_display(binding), enabled, tooltip,
             binding.tooltip, binding.group)
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == app.COMMAND_PALETTE_BINDING))

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        wanted = self.keys_on_show()
        if wanted == self.shown and self.children:
            return
        await super().recompose()
        # Remember only what was drawn: a compose before the bindings are ready draws nothing.
        self.shown = wanted if self.children else None
