"""What every dtlab screen shares: the app and its store, typed; the way a thread worker hands its
result back (a typed message, see `post_result`); and the one handler that turns a worker's error
into a line on the screen instead of a crash.

Blocking work (the database, files) runs in thread workers. Each one posts a `Message` of its own
to its screen, handled by an `on_<message>` method there, so a screen never asks which worker
finished or what its result might be. An error a worker does not turn into a message of its own
(a case that is gone, a refused field) reaches `worker_failed`, which says it in one line."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from textual.app import App
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState, get_current_worker

from dtlab.errors import describe_error
from dtlab.i18n import _
from dtlab.screens.messages import Retry
from dtlab.widgets.relabel import Relabels

if TYPE_CHECKING:
    from dtlab.config import Settings
    from dtlab.db.figures import FirstDashboard
    from dtlab.db.listing import FirstPage
    from dtlab.db.store import Store

ResultT = TypeVar("ResultT")


class DeskApp(Protocol):
    """What the screens use of dtlab's app beyond Textual's: `dtlab.app.DtlabApp` (checked there).
    Named here so the screens need not import the app, which imports them."""

    settings: Settings

    @property
    def store(self) -> Store: ...

    def action_go(self, mode: str) -> None: ...

    def open_screen(self, screen: Screen[Any], callback: Callable[[Any], None] | None = None) -> None: ...

    def open_case(self, ref: str, callback: Callable[[Any], None] | None = None) -> None: ...

    def leave_screens(self, screens: list[Screen[Any]], then: Callable[[], object],
                      yes: str | None = None) -> None: ...

    def take_first_page(self) -> FirstPage | None: ...

    def take_first_dashboard(self) -> FirstDashboard | None: ...

    def started(self) -> None: ...

    def open_store_soon(self) -> None: ...


class DtlabScreen(Relabels, Screen[ResultT]):
    """A screen of dtlab's app. The store and the first page are named for the type checker alone:
    the first screen is drawn before SQLAlchemy is loaded."""

    @property
    def dtlab(self) -> DeskApp:
        """The app, with its own members (`store`, `settings`, `action_go`…) typed."""
        return cast("DeskApp", self.app)

    @property
    def store(self) -> Store:
        """The store; in a worker's thread this waits for it while it is still opening."""
        return self.dtlab.store

    def on_retry(self, message: Retry) -> None:
        """A save refused: its form comes back as typed, with the reasons (`forms.ask`)."""
        message.reopen()

    def post_result(self, message: Message) -> None:
        """From a thread worker: hand its result to this screen's handler. A worker replaced by a
        newer one of its group (`exclusive=True`) is cancelled, but its thread runs on to the end;
        what it found then is stale, and is dropped here as Textual drops a cancelled result."""
        if not get_current_worker().is_cancelled:
            self.post_message(message)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.worker_failed(event.worker.error)

    def worker_failed(self, error: BaseException | None) -> None:
        """Say in one line what went wrong. Screens override it to say it in their own words
        (a field's error beside the field, "Not saved: …" after a write)."""
        show_error(self, error)


def show_error(node: Widget | App[Any], error: BaseException | None, prefix: str = "", *,
               not_saved: bool = False) -> None:
    """The one-line notice for an error: its message (a DtlabError's own, a driver's first line).
    `not_saved`: said as a save that failed ("Not saved: …", one sentence for a translator)."""
    said = describe_error(error)
    if not_saved:
        said = _("Not saved: {error}").format(error=said)
    node.notify(prefix + said, severity="error", timeout=10)
