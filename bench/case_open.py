"""Opening a case as a user does, measured in the app: on the case list, from the moment the list
takes Enter on a row to the first frame drawn after the case screen has put that case's fields
in its stage tab; back to the list; the next row; again.

    .venv/bin/python -m bench.case_open PATH.db [OPENS]

Prints the milliseconds of each open as JSON, beside those of pushing a bare screen in the same
app, Textual's floor for showing a screen (`bench.run` takes the medians). The app runs
headless (Textual's test driver) at 80×24 on the database as it is: the same screens, workers
and queries a terminal user gets, without the terminal's drawing."""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from collections.abc import Callable
from typing import Any

POLL_S = 0.002  # how often the condition is looked at: well under the figure measured


async def _until(pilot: Any, condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not show what was awaited")
        await pilot.pause(POLL_S)


def _clocked(samples: list[float]) -> None:
    """Start the clock where the list takes Enter (it asks the app to open the case there; the
    app reads the case, then makes its screen), stop it at the first frame the case screen
    draws once it has put the case's fields in (Textual publishes a screen's layout refresh
    after drawing it)."""
    from dtlab.app import DtlabApp
    from dtlab.screens.case_view import CaseScreen

    asked, fill = DtlabApp.open_case, CaseScreen.fill
    started: list[float] = []

    def open_case(self: Any, ref: str, callback: Any = None) -> None:
        started.append(time.perf_counter())
        asked(self, ref, callback)

    def filled(self: Any) -> None:
        fill(self)
        if not started:
            return
        begun = started.pop()

        def drawn(screen: Any) -> None:
            if screen.is_current and begun is not None and not getattr(screen, "clocked", False):
                screen.clocked = True
                samples.append((time.perf_counter() - begun) * 1000)

        self.screen_layout_refresh_signal.subscribe(self, drawn, immediate=True)

    DtlabApp.open_case = open_case  # type: ignore[method-assign]
    CaseScreen.fill = filled  # type: ignore[method-assign]


async def bare_screens(app: Any, pilot: Any, pushes: int) -> list[float]:
    """The floor: push a screen with one line of text, to its first frame, and pop it; each in ms."""
    from textual.screen import Screen
    from textual.widgets import Static

    class Bare(Screen[None]):
        def compose(self) -> Any:
            yield Static("a bare screen")

    samples: list[float] = []
    for _ in range(pushes):
        started = time.perf_counter()
        screen = Bare()
        await app.push_screen(screen)  # mounted: its first frame is drawn after

        def drawn(shown: Any, begun: float = started) -> None:
            if shown.is_current and not getattr(shown, "clocked", False):
                shown.clocked = True
                samples.append((time.perf_counter() - begun) * 1000)

        screen.screen_layout_refresh_signal.subscribe(screen, drawn, immediate=True)
        n = len(samples) + 1
        await _until(pilot, lambda n=n: len(samples) == n)
        app.pop_screen()
        await pilot.pause()
    return samples


async def measure(path: str, opens: int) -> dict[str, list[float]]:
    from textual.widgets import DataTable

    from dtlab.app import make_app
    from dtlab.config import Settings
    from dtlab.screens.case_list import CaseListScreen
    from dtlab.screens.case_view import CaseScreen

    gc.disable()  # as `dtlab` starts the app (launch.py); the app collects again once drawn
    app = make_app(path, Settings(user="bench"))
    samples: list[float] = []
    _clocked(samples)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await _until(pilot, lambda: isinstance(app.screen, CaseListScreen)
                     and app.screen.query_one(DataTable).row_count > opens)
        table = app.screen.query_one(DataTable)
        table.focus()
        for row in range(opens):
            table.move_cursor(row=row)
            await pilot.pause()
            ref = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

            def shown(ref: str = ref) -> bool:
                """The case's stage tab in front, its fields filled from the case."""
                screen = app.screen
                if not isinstance(screen, CaseScreen) or screen.shown_stage is None or screen.loaded is None:
                    return False
                form = screen.active_form()
                filled = form is not None and bool(form.loaded) and bool(form.rows()) and not form.dirty
                return screen.loaded.detail["ref"] == ref and filled

            await pilot.press("enter")
            await _until(pilot, lambda n=row + 1: shown() and len(samples) == n)
            app.pop_screen()
            # Back on the list, as a user is before opening the next case: the list has read its
            # rows again and nothing is left running.
            await _until(pilot, lambda: isinstance(app.screen, CaseListScreen)
                         and all(w.is_finished for w in app.workers))
        floor = await bare_screens(app, pilot, opens)
    return {"opens": samples, "floor": floor}


def main(argv: list[str]) -> int:
    path, opens = argv[0], int(argv[1]) if len(argv) > 1 else 15
    print(json.dumps(asyncio.run(measure(path, opens))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
