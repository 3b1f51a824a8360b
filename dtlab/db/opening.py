"""A store opened in a background thread while the terminal UI shows what it read without it.

Opening the store means importing SQLAlchemy, SQLModel and the models, which takes longer than
starting Textual; the case list's first page does not need them (see `first_page`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dtlab.db.store import Store


class StoreOpening:
    """Opens the store once: ahead of need with `start`, or on the spot when `get` comes first.
    Every caller of `get`, in any thread, waits for the one opening and shares its store or its
    error."""

    def __init__(self, open_store: Callable[[], Store]):
        self._open_store = open_store
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self._done = threading.Event()
        self._store: Store | None = None
        self._error: BaseException | None = None

    def _claim(self) -> bool:
        with self._lock:
            first, self._started = not self._started, True
            return first

    @property
    def closed(self) -> bool:
        return self._closed

    def _open(self) -> None:
        store = None
        try:
            store = self._open_store()
        except BaseException as exc:  # handed to every caller of get()
            self._error = exc
        with self._lock:
            self._store, closed = store, self._closed
        self._done.set()
        if closed and store is not None:
            store.close()  # closed while it was opening: nobody will use it

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
        """Close the store if it is open, or as soon as an opening under way ends (without
        waiting for it: quitting must not wait out a lock another process holds); never open it."""
        with self._lock:
            first, self._started, self._closed = not self._started, True, True
            store = self._store
        if first:
            self._error = RuntimeError("the store was closed before it was opened")  # i18n: not shown (quitting)
            self._done.set()
        elif store is not None:
            store.close()
