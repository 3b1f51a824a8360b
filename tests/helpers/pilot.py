"""Driving a running app in Pilot tests: waiting on it (the database work happens in thread
workers) and the case screen steps several screens' tests share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Static

from dtlab.screens.case_view import CaseScreen
from dtlab.widgets.dialogs import ConfirmDialog, ValuesDialog


async def settle(pilot: Any, until: Callable[[], Any], tries: int = 200) -> None:
    """Let the app run until `until()` is true (up to tries × 50 ms), else fail the test."""
    for _ in range(tries):
        await pilot.pause(0.05)
        if until():
            return
    raise AssertionError("the screen did not settle")


def text_of(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one(selector, Static).render())


async def open_case(pilot, ref: str) -> CaseScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    app.push_screen(CaseScreen(ref))
    await settle(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.shown_stage is not None)
    return app.screen


async def evaluate_by_keyboard(pilot, screen: CaseScreen, scores: str) -> None:  # type: ignore[no-untyped-def]
    """e, Enter (a new evaluation by you), a digit per criterion, ctrl+u, then Submit."""
    from dtlab.screens.evaluation import CriterionRow, EvaluationScreen

    app = pilot.app
    await pilot.press("e")
    await settle(pilot, lambda: isinstance(app.screen, ValuesDialog))
    await pilot.press("enter")
    await settle(pilot, lambda: isinstance(app.screen, EvaluationScreen) and bool(app.screen.query(CriterionRow)))
    await pilot.press(*scores)
    await pilot.press("ctrl+u")
    await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
    await pilot.press("shift+tab", "enter")  # from "Keep editing" to "Submit"
    await settle(pilot, lambda: app.screen is screen)
