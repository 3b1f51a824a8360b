"""The Textual application. `make_app` is the one factory the command line and the tests use."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from .config import Settings
from .db.store import Store


class DtlabApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "dtlab"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", tooltip="Leave dtlab"),
        Binding("f1", "help", "Help", id="app.help", tooltip="Show the keys of this screen"),
    ]

    def __init__(self, store: Store, settings: Settings):
        super().__init__()
        self.store = store
        self.settings = settings
        self.theme = settings.theme

    def on_mount(self) -> None:
        self.sub_title = self.store.label
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        from .screens.case_list import CaseListScreen
        from .screens.site_setup import SiteSetupScreen

        if self.store.site() is None:
            self.push_screen(SiteSetupScreen(), lambda _site: self.push_screen(CaseListScreen()))
        else:
            self.push_screen(CaseListScreen())

    def action_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def on_unmount(self) -> None:
        self.store.close()


def make_app(database: str, settings: Settings) -> DtlabApp:
    return DtlabApp(Store.open(database, settings.actor), settings)


def run_app(database: str, settings: Settings) -> int:
    from . import errors
    from .cli import Failure
    from .db.store import StoreError

    try:
        app = make_app(database, settings)
    except StoreError as exc:
        raise Failure(str(exc), errors.USAGE) from None
    app.run()
    return errors.OK
