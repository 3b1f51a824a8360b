"""The Textual application. `make_app` is the one factory the command line and the tests use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.screen import Screen
from textual.theme import Theme

from .config import Settings
from .db.store import Store


class DtlabApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "dtlab"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", tooltip="Leave dtlab"),
        Binding("f1", "help", "Help", id="app.help", tooltip="Show the keys of this screen"),
        Binding("f2", "go('dashboard')", "Home", id="app.dashboard", tooltip="The dashboard", show=False),
        Binding("f3", "go('cases')", "Cases", id="app.cases", tooltip="The case list", show=False),
        Binding("f4", "go('milestones')", "Milestones", id="app.milestones",
                tooltip="Milestones of every centre: overdue, due soon, by owner or region", show=False),
        Binding("f5", "go('sync')", "Sync", id="app.sync",
                tooltip="Export and import bundles, conflicts, trusted keys", show=False),
    ]
    # Top-level screens; each keeps its own stack of cases opened from it.
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "dashboard": lambda: _screen("dashboard"),
        "cases": lambda: _screen("cases"),
        "milestones": lambda: _screen("milestones"),
        "sync": lambda: _screen("sync"),
    }
    COMMANDS = App.COMMANDS | {lambda: _commands()}

    def __init__(self, store: Store, settings: Settings, start: str = "dashboard"):
        super().__init__()
        self.store = store
        self.settings = settings
        self.start = start
        self.register_theme(HIGH_CONTRAST)
        self.theme = settings.theme

    def on_mount(self) -> None:
        self.show_site()
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        from .screens.site_setup import SiteSetupScreen

        if self.store.site() is None:
            def site_chosen(_site: object) -> None:
                self.show_site()
                self.switch_mode(self.start)

            self.push_screen(SiteSetupScreen(), site_chosen)
        else:
            self.switch_mode(self.start)

    def action_go(self, mode: str) -> None:
        """Show the dashboard or the case list itself, not a case left open above it: close the
        screens opened on top, unless one holds unsaved work, which is shown instead."""
        self.switch_mode(mode)
        while len(self.screen_stack) > 1:
            top = self.screen
            if getattr(top, "has_unsaved_work", lambda: False)():
                self.notify("Unsaved changes here: save them (ctrl+s) or leave with Esc first.",
                            severity="warning")
                return
            self.pop_screen()

    async def action_quit(self) -> None:
        """Quit, but not over unsaved work without asking."""
        if not any(getattr(screen, "has_unsaved_work", lambda: False)() for screen in self.screen_stack):
            self.exit()
            return
        from .widgets.dialogs import ConfirmDialog

        def done(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.exit()

        self.push_screen(ConfirmDialog("Unsaved changes will be lost. Quit anyway?", yes="Quit anyway",
                                       no="Keep editing"), done)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Until the site code is chosen, nothing can be written: keep the user on the prompt.
        return not (action in ("go", "command_palette") and self.store.site() is None)

    def show_site(self) -> None:
        site = self.store.site()
        self.sub_title = f"{site.code} · {self.store.label}" if site else self.store.label

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        rows: list[tuple[str, str, bool, bool]] = []
        seen = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if binding.system or (binding.action, binding.description) in seen or not binding.description:
                continue
            seen.add((binding.action, binding.description))
            what = binding.tooltip or binding.description
            if binding.id:
                what += f"  ({binding.id})"
            rows.append((self.get_key_display(binding), what, active.enabled, bool(binding.id)))
        # Keys a screen's widgets handle (Enter on a row) are described by the screen.
        rows += [(keys, what, True, True) for keys, what in getattr(self.screen, "HELP_EXTRA", ())]
        # dtlab's own keys first (they have ids); the widgets' generic keys (cursor, scrolling) after.
        rows.sort(key=lambda row: not row[3])
        name = getattr(self.screen, "HELP_TITLE", None) or type(self.screen).__name__.removesuffix("Screen")
        self.push_screen(HelpScreen(name, [(keys, what, enabled) for keys, what, enabled, _own in rows]))

    def on_unmount(self) -> None:
        self.store.close()


# For low vision and bright rooms: pure black and white with saturated accents.
HIGH_CONTRAST = Theme(
    name="dtlab-high-contrast", primary="#ffff00", secondary="#00ffff", accent="#ff00ff", foreground="#ffffff",
    background="#000000", surface="#000000", panel="#202020", boost="#303030", error="#ff6060",
    success="#60ff60", warning="#ffff60", dark=True,
)


def _screen(name: str) -> Screen[Any]:
    # Imported when first shown, so start-up loads only the first screen's code.
    if name == "dashboard":
        from .screens.dashboard import DashboardScreen

        return DashboardScreen()
    if name == "milestones":
        from .screens.milestones import MilestonesScreen

        return MilestonesScreen()
    if name == "sync":
        from .screens.sync import SyncScreen

        return SyncScreen()
    from .screens.case_list import CaseListScreen

    return CaseListScreen()


def _commands() -> type[Provider]:
    from .screens.commands import DtlabCommands

    return DtlabCommands


def make_app(database: str, settings: Settings, start: str = "dashboard") -> DtlabApp:
    return DtlabApp(Store.open(database, settings.actor), settings, start)


def run_app(database: str, settings: Settings, start: str = "dashboard") -> int:
    from . import errors
    from .cli import Failure
    from .db.store import StoreError

    try:
        app = make_app(database, settings, start)
    except StoreError as exc:
        raise Failure(str(exc), errors.USAGE) from None
    app.run()
    return errors.OK
