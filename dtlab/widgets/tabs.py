"""Switching a screen's tabs from the keyboard: from anywhere to a tab (`show_tab`), and from a
tab's scrolling text to the next (`PaneScroll`: in a case's history, → scrolled the text
sideways instead of going on to the Notes tab)."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import TabbedContent, Tabs

from dtlab.i18n import N_


def show_tab(tabs: TabbedContent, pane_id: str, target: Widget) -> None:
    """Show a pane and give `target` in it the focus, so its keys work at once."""
    # Focus leaves the old pane first: a focused widget in a pane being hidden would hand the
    # focus to its neighbour in that pane, and the tabs follow the focus back.
    tabs.query_one(Tabs).focus()
    tabs.active = pane_id
    tabs.call_after_refresh(target.focus)


class PaneScroll(VerticalScroll):
    """A tab's text: ↑/↓ scroll it, ←/→ move between the tabs as they do on the tab bar."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "step_tab(-1)", N_("Previous tab"), show=False),
        Binding("right", "step_tab(1)", N_("Next tab"), show=False),
    ]

    def action_step_tab(self, step: int) -> None:
        tabbed = self.query_ancestor(TabbedContent)
        tabs = tabbed.query_one(Tabs)
        if step > 0:
            tabs.action_next_tab()
        else:
            tabs.action_previous_tab()
        self.call_after_refresh(self._focus_shown, tabbed)

    @staticmethod
    def _focus_shown(tabbed: TabbedContent) -> None:
        """The new tab's own text takes the keys, so that ↑/↓ scroll it at once; a tab of fields
        leaves the focus on the tab bar, where the letter keys act."""
        pane = tabbed.get_pane(tabbed.active) if tabbed.active else None
        scrolls = pane.query(PaneScroll) if pane is not None else None
        (scrolls.first() if scrolls else tabbed.query_one(Tabs)).focus()
