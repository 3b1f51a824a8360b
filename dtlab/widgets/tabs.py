"""Switching a screen's tabs from the keyboard."""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import TabbedContent, Tabs


def show_tab(tabs: TabbedContent, pane_id: str, target: Widget) -> None:
    """Show a pane and give `target` in it the focus, so its keys work at once."""
    # Focus leaves the old pane first: a focused widget in a pane being hidden would hand the
    # focus to its neighbour in that pane, and the tabs follow the focus back.
    tabs.query_one(Tabs).focus()
    tabs.active = pane_id
    tabs.call_after_refresh(target.focus)
