"""Driving a running app in Pilot tests: waiting on it (the database work happens in thread
workers) and the case screen steps several screens' tests share."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from typing import Any

from textual import events
from textual.widgets import Input, Static, TextArea

from dtlab.screens.case_view import CaseScreen
from dtlab.widgets.dialogs import ConfirmDialog, ValuesDialog

POLL_S = 0.01  # between looks: the app's pending messages are handled before each


async def settle(pilot: Any, until: Callable[[], Any], what: str | Callable[[], str] | None = None,
                 timeout: float = 30.0) -> None:
    """Let the app run until `until()` is true, else fail the test saying what was awaited (`what`,
    or the source of `until`). A wait on what the test needs, never a guess at how long it takes:
    it returns as soon as the condition holds, and allows a loaded machine a generous time."""
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause(POLL_S)
        if until():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g} s for {_describe(until, what)}")


def _describe(until: Callable[[], Any], what: str | Callable[[], str] | None) -> str:
    if callable(what):
        return what()
    if what:
        return what
    try:
        return inspect.getsource(until).strip()
    except (OSError, TypeError):
        return repr(until)


def notices(app: Any) -> list[str]:
    """The messages the app notifies from now on, in order, as the user reads them in its toasts."""
    told: list[str] = []
    notify = app.notify

    def keep(message: Any, *args: Any, **kwargs: Any) -> Any:
        told.append(str(message))
        return notify(message, *args, **kwargs)

    app.notify = keep
    return told


async def paste(pilot: Any, text: str, into: Input | TextArea | None = None) -> None:
    """Put `text` into the focused field (`into`, once it has the focus) in one go, as pasting it
    does. Typed, it would be a key press per character, each waiting for the app to go idle (a
    tenth of a second on a busy screen); where the keystrokes are not what a test is about, this
    is the same text, entered the way a user can, by the same route (the app hands a paste to the
    focused widget)."""
    await settle(pilot, lambda: pilot.app.focused is into if into is not None
                 else isinstance(pilot.app.focused, (Input, TextArea)), f"the focus on {into or 'a text field'}")
    field = pilot.app.focused
    pilot.app.post_message(events.Paste(text))
    await settle(pilot, lambda: text in (field.value if isinstance(field, Input) else field.text),
                 f"{text!r} pasted into {field!r}")


def text_of(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one(selector, Static).render())


async def open_case(pilot, ref: str) -> CaseScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    app.push_screen(CaseScreen(ref))
    await settle(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.shown_stage is not None)
    return app.screen


async def open_centre(pilot, ref: str, tab: str = "timeline") -> Any:  # type: ignore[no-untyped-def]
    """The centre screen of `ref` on `tab`, once its plan is read."""
    from dtlab.screens.centre import CentreScreen

    app = pilot.app
    app.push_screen(CentreScreen(ref, tab=tab))
    await settle(pilot, lambda: isinstance(app.screen, CentreScreen) and app.screen.data is not None)
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
    await pilot.press("enter")  # the highlighted answer is the one asked for: Submit
    await settle(pilot, lambda: app.screen is screen)


async def result_form(pilot, ref: str) -> ValuesDialog:  # type: ignore[no-untyped-def]
    """The centre screen of `ref` on its results tab, and the form of its first result open."""
    app = pilot.app
    await open_centre(pilot, ref, "results")
    await pilot.press("2")
    await settle(pilot, lambda: app.focused is app.screen.query_one("#results-table"))
    await pilot.press("enter")
    return await dialog_shown(pilot)


async def dialog_shown(pilot) -> ValuesDialog:  # type: ignore[no-untyped-def]
    """The form dialog open and laid out, as a person first sees it: a select given a value
    before it is drawn fails inside Textual, which no person can do."""
    app = pilot.app
    await settle(pilot, lambda: isinstance(app.screen, ValuesDialog) and app.screen.query_one("#ok").region.width > 0)
    return app.screen


async def board_shown(pilot) -> Any:  # type: ignore[no-untyped-def]
    """F7, and the Board screen once its records are read."""
    from dtlab.screens.board import BoardScreen

    await pilot.press("f7")
    await settle(pilot, lambda: isinstance(pilot.app.screen, BoardScreen) and pilot.app.screen.data is not None)
    return pilot.app.screen
