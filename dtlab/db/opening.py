"""A store opened in a background thread while the terminal UI shows what it read without it.

Opening the store means importing SQLAlchemy, SQLModel and the models, which takes longer than
starting Textual; the case list's first page does not need them (see `first_page`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import Store


class StoreOpening:
    """Opens the store once: ahead of need with `start`, or on the spot when `get` comes first.
    Every caller of `get`, in any thread, waits for the one opening and shares its store or its
    error."""

    def __init__(self, open_store: Callable[[], Store]):
        self._open_store = open_store
        self._lock = threading.Lock()
        self._started = False
        self._done = threading.Event()
        self._store: Store | None = None
        self._error: BaseException | None = None

    def _claim(self) -> bool:
        with self._lock:
            first, self._started = not self._started, True
            return first

    def _open(self) -> None:
        try:
            self._store = self._open_store()
        except BaseException as exc:  # handed to every caller of get()
            self._error = exc
        finally:
            self._done.set()

    def start(self) -> None:
        if self._claim():
            threading.Thread(target=self._open, name="dtlab-open-store", daemon=True).start()

    def get(self) -> Store:
        if self._claim():
            self._open()
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._store is not None
        return self._store

    def close(self) -> None:
        """Close the store if it was opened (waiting for an opening under way); never open it."""
        if self._claim():
            self._error = RuntimeError("the store was closed before it was opened")
            self._done.set()
            return
        self._done.wait()
        if self._store is not None:
            self._store.close()
