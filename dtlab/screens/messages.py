"""Messages the workers of more than one screen post (a screen's own are nested in its class)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.message import Message


@dataclass
class Written(Message):
    """A write finished: `text` says what was written, in one line (empty: nothing to say); the
    screen then reads what it shows again."""

    text: str


@dataclass
class Retry(Message):
    """A save the data layer refused: reopen the form with the values and the reason (every
    screen does so: `DtlabScreen.on_retry`)."""

    reopen: Callable[[], None]
