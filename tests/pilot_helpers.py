"""Waiting on a running app in Pilot tests: the database work happens in thread workers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


async def settle(pilot: Any, until: Callable[[], Any], tries: int = 200) -> None:
    """Let the app run until `until()` is true (up to tries × 50 ms), else fail the test."""
    for _ in range(tries):
        await pilot.pause(0.05)
        if until():
            return
    raise AssertionError("the screen did not settle")
