"""The Textual application. `make_app` is the one factory the command line and the tests use."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette, Provider
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState, get_current_worker

from dtlab import errors
from dtlab.config import Settings
from dtlab.db.opening import StoreOpening
from dtlab.i18n import N_, _, pgettext
from dtlab.present.safe import visible
from dtlab.widgets.key_words import key_description, key_tooltip

if TYPE_CHECKING:
    from dtlab.db.figures import FirstDashboard
    from dtlab.db.listing import FirstPage
    from dtlab.db.store import Store


COLLECT_AGAIN_BY = 1.0  # seconds after mount: garbage is collected again by then, drawn or not


class DtlabApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "dtlab"  # its name, in every language (the sub-title is the site's code and database)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", N_("Quit"), id="app.quit", tooltip=N_("Leave dtlab")),
        Binding("f1", "help", N_("Help"), id="app.help", tooltip=N_("Show the keys of this screen")),
        Binding("f2", "go('dashboard')", N_("Home"), id="app.dashboard", tooltip=N_("The dashboard"), show=False),
        Binding("f3", "go('cases')", N_("Cases"), id="app.cases", tooltip=N_("The case list"), show=False),
        Binding("f4", "go('milestones')", N_("Milestones"), id="app.milestones",
                tooltip=N_("Milestones of every centre: overdue, due soon, by owner or region"), show=False),
        Binding("f5", "go('sync')", N_("Sync"), id="app.sync",
                tooltip=N_("Export and import bundles, conflicts, trusted keys"), show=False),
        Binding("f6", "go('calls')", N_("Calls"), id="app.calls",
                tooltip=N_("Calls for expressions of interest and the requests answering them"), show=False),
        Binding("f7", "go('board')", N_("Board"), id="app.board",
                tooltip=N_("The Digital Innovation Board: members, meetings, matters and decisions"), show=False),
    ]
    # Top-level screens; each keeps its own stack of cases opened from it.
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "dashboard": lambda: _screen("dashboard"),
        "cases": lambda: _screen("cases"),
        "milestones": lambda: _screen("milestones"),
        "sync": lambda: _screen("sync"),
        "calls": lambda: _screen("calls"),
        "board": lambda: _screen("board"),
    }
    COMMANDS = App.COMMANDS | {lambda: _commands(), lambda: _languages()}

    def __init__(self, store: Store | StoreOpening, settings: Settings, start: str = "dashboard",
                 first_page: FirstPage | FirstDashboard | None = None):
        """`store` is open, or opening: then `first_page` (the first screen's data, read without
        it) stands in for what the store would say (the site, the file) until the store is open."""
        super().__init__()
        self._opening = store if isinstance(store, StoreOpening) else None
        self._store = None if isinstance(store, StoreOpening) else store
        if self._store is not None:
            self._store.on_wait = self.write_waits
        self._first = first_page
        self._first_taken = False
        self.settings = settings
        self.start = start
        self.register_theme(HIGH_CONTRAST)
        self.theme = settings.theme

    @property
    def store(self) -> Store:
        """The store; while it is still opening in the background, waits for it (in whichever
        thread asks: the case list's workers do)."""
        if self._store is None:
            assert self._opening is not None
            self._store = self._opening.get()
            self._store.on_wait = self.write_waits
        return self._store

    def write_waits(self, holder: str) -> None:
        """A write (run in a worker's thread) must wait for another's write lock: say for what,
        so that a save behind a large import is not a screen that seems to ignore the user."""
        from dtlab.present.words import waiting_for

        try:
            self.call_from_thread(self.notify, waiting_for(holder), severity="warning", timeout=10)
        except RuntimeError:  # a write on the app's own thread
            self.notify(waiting_for(holder), severity="warning", timeout=10)

    def take_first_page(self) -> FirstPage | None:
        """The case list's page read before the store opened, handed over once."""
        from dtlab.db.listing import FirstPage

        if self._first_taken or not isinstance(self._first, FirstPage):
            return None
        self._first_taken = True
        return self._first

    def take_first_dashboard(self) -> FirstDashboard | None:
        """The dashboard's figures read before the store opened, handed over once."""
        from dtlab.db.figures import FirstDashboard

        if self._first_taken or not isinstance(self._first, FirstDashboard):
            return None
        self._first_taken = True
        return self._first

    def open_store_soon(self) -> None:
        if self._store is None and self._opening is not None:
            self._open_store()

    @work(thread=True, exit_on_error=False, group="store")
    def _open_store(self) -> None:
        from dtlab.db.store import StoreError
        from dtlab.present.errors import error_line

        try:
            self.store  # noqa: B018 (opening it is the point)
        except StoreError as exc:  # e.g. the file was damaged between the first page and now
            if self._opening is not None and not self._opening.closed:  # (not when the user has quit)
                self.call_from_thread(self.exit, return_code=exc.code, message=f"dtlab: {error_line(exc)}")
            return
        # SQLAlchemy, the models and the store live as long as the app: kept out of the
        # collector's full passes, as the rest of the start is (`started`). Every few cases
        # opened a full pass walks what is left: 45 ms at first with them, 17 without.
        gc.freeze()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The app's own workers (a screen's have their screen's handler, `DtlabScreen`): an
        error is said in one line, never a crash."""
        if event.state is WorkerState.ERROR:
            from dtlab.screens.base import show_error

            show_error(self, event.worker.error)

    def site_code(self) -> str | None:
        if self._store is None and self._first is not None:
            return self._first.site_code  # the store is still opening; a site's code never changes
        site = self.store.site()
        return site.code if site else None

    def started(self) -> None:
        """The first screen is drawn: collect garbage again (the command line stops collecting
        while the app starts), counting nothing made until now (it is the app itself)."""
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    def on_mount(self) -> None:
        if self._first is None:  # else the first screen says when its first data is drawn
            self.call_after_refresh(self.started)
        self.set_timer(COLLECT_AGAIN_BY, self.started)  # at the latest: never left without collecting
        self.show_site()
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        self.theme_changed_signal.subscribe(self, self.theme_chosen)
        if self.site_code() is None:
            from dtlab.screens.site_setup import SiteSetupScreen

            def site_chosen(_site: object) -> None:
                self.show_site()
                self.switch_mode(self.start)

            self.push_screen(SiteSetupScreen(), site_chosen)
        else:
            self.switch_mode(self.start)

    # --- leaving work: one rule for every way out ------------------------------------------------
    #
    # A screen with unsaved work says so (`has_unsaved_work`) and names it (`unsaved_what`).
    # Whatever closes it (Esc, an F-key, the palette, ctrl+q, opening a case already open below)
    # goes through `leave_screens`, which asks once, Keep editing being the answer Enter gives.
    # Leaving a mode (F2-F5) closes what was opened in it, so no form waits behind another
    # screen and only the shown mode ever holds open screens: ctrl+q need look nowhere else.

    def leave_screens(self, screens: list[Screen[Any]], then: Callable[[], object],
                      yes: str | None = None) -> None:
        """Run `then` (which closes `screens`) once the user agrees to lose their unsaved work,
        at once when there is none. `yes`: the button that agrees (Discard changes)."""
        unsaved = [s for s in screens if getattr(s, "has_unsaved_work", lambda: False)()]
        if not unsaved:
            then()
            return
        from dtlab.widgets.dialogs import ConfirmDialog

        what = "; ".join(getattr(s, "unsaved_what", lambda: _("this screen"))() for s in unsaved)

        def done(discard: bool | None) -> None:
            if discard:
                then()

        self.push_screen(ConfirmDialog(_("Unsaved changes in {what} will be lost.").format(what=what),
                                       yes=yes or _("Discard changes"), no=_("Keep editing"), safe=True), done)

    def action_go(self, mode: str) -> None:
        """Show the dashboard, the case list, the milestones or sync itself: what was opened in the
        shown mode is closed first (asking about unsaved work)."""
        above = self.screen_stack[1:]

        def go() -> None:
            for _screen in above:
                self.pop_screen()
            self.switch_mode(mode)

        self.leave_screens(above, go)

    def open_screen(self, screen: Screen[Any], callback: Callable[[Any], None] | None = None) -> None:
        """Open `screen`; but a case, centre, evaluation or new request already open in this
        mode is shown again instead (what is above it closed, asking about unsaved work): never
        two forms for the same thing."""
        identity = getattr(screen, "identity", None)
        stack = self.screen_stack
        at = next((i for i, s in enumerate(stack) if identity is not None and getattr(s, "identity", None) == identity),
                  None)
        if at is None:
            self.push_screen(screen, callback)
            return
        above = stack[at + 1:]

        def back() -> None:
            for _screen in above:
                self.pop_screen()

        self.leave_screens(above, back)

    def open_case(self, ref: str, callback: Callable[[Any], None] | None = None) -> None:
        """Open a case: read it, then show its screen filled. Pushed first and filled after, the
        screen was laid out and drawn twice, and the read took turns with that layout for the
        interpreter: 180 ms to open a case at 100k cases (bench.case_open). A case already open
        is shown again at once, and one that does not exist is said so where the user is."""
        from dtlab.screens.case_view import CaseScreen

        # Open already: shown again by open_screen, without reading it first.
        if any(getattr(s, "identity", None) == CaseScreen.identity_of(ref) for s in self.screen_stack):
            self.open_screen(CaseScreen(ref), callback)
            return
        self._read_case(ref, callback)

    @work(thread=True, exclusive=True, exit_on_error=False, group="open-case")
    def _read_case(self, ref: str, callback: Callable[[Any], None] | None) -> None:
        from dtlab.screens.case_view import CaseScreen, read_case

        try:
            loaded = read_case(self.store, ref)
        except errors.NotFound as gone:
            self.call_from_thread(self.notify, str(gone), severity="error")
            return
        except Exception:  # the screen's own read says what is wrong, in its words
            loaded = None
        if not get_current_worker().is_cancelled:  # another case was asked for since
            self.call_from_thread(self.open_screen, CaseScreen(ref, loaded), callback)

    async def action_quit(self) -> None:
        """Quit, but not over unsaved work without asking."""
        self.leave_screens(self.screen_stack, self.exit, yes=_("Quit anyway"))

    def theme_chosen(self, theme: Theme) -> None:
        """A theme picked in the palette is the one dtlab starts with next time (config file)."""
        if theme.name == self.settings.theme:
            return
        from dtlab.config import ConfigError, remember_theme

        try:
            path = remember_theme(theme.name)
        except (OSError, ConfigError) as exc:
            self.notify(_("Theme {theme} not kept for next time: {error}").format(theme=theme.name, error=exc),
                        severity="warning")
            return
        self.settings = replace(self.settings, theme=theme.name)
        self.notify(_("Theme {theme}: kept for next time in {path}").format(theme=theme.name, path=path), timeout=4)

    # --- Textual's own words: its palette's commands and prompts, said in the language in use ---------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands in the palette (those of `App.get_system_commands`, with the same
        actions), worded in the language in use: Textual words them in English."""
        yield SystemCommand(_("Theme"), _("Change the current theme"), self.action_change_theme)
        yield SystemCommand(_("Quit"), _("Quit the application as soon as possible"), self.action_quit)
        # "Keys" of the keyboard (the sync screen's "Keys" are the sites' cryptographic keys).
        if screen.query("HelpPanel"):
            yield SystemCommand(pgettext("keyboard", "Keys"), _("Hide the keys and widget help panel"),
                                self.action_hide_help_panel)
        else:
            yield SystemCommand(pgettext("keyboard", "Keys"),
                                _("Show help for the focused widget and a summary of available keys"),
                                self.action_show_help_panel)
        if screen.maximized is not None:
            yield SystemCommand(_("Minimize"), _("Minimize the widget and restore to normal size"),
                                screen.action_minimize)
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(_("Maximize"), _("Maximize the focused widget"), screen.action_maximize)
        yield SystemCommand(_("Screenshot"), _("Save an SVG 'screenshot' of the current screen"),
                            lambda: self.set_timer(0.1, self.deliver_screenshot))

    def action_command_palette(self) -> None:
        """Textual's palette (as `App.action_command_palette` opens it), its prompt translated."""
        # (is_open asks for an App[object]: an App[None] is one, but the type checker holds it invariant)
        if self.use_command_palette and not CommandPalette.is_open(cast("App[object]", self)):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=_("Search for commands…")))

    def search_themes(self) -> None:
        """The palette's list of themes (as `App.search_themes` shows it), its prompt translated."""
        from textual.theme import ThemeProvider

        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder=_("Search for themes…")))

    def action_help_quit(self) -> None:
        """ctrl+c (Textual's: it copies in a text field) says how to quit, as Textual's does, in the
        language in use and as plain text (every notice of dtlab's is: `notify`)."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(_("Press {key} to quit the app").format(key=key), title=_("Do you want to quit?"))
                return

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Until the site code is chosen, nothing can be written: keep the user on the prompt.
        return not (action in ("go", "command_palette") and self.site_code() is None)

    def show_site(self) -> None:
        code = self.site_code()
        label = self._first.label if self._store is None and self._first else self.store.label
        self.sub_title = visible(f"{code} · {label}" if code else label)

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every notification, from any screen or widget, as plain text: notices quote what users
        typed and bundles carried (a title, a refused key id), and Textual would read `[/]` or
        `[@click=app.screenshot(…)]` in them as markup, an action a click runs. Control
        characters are shown, line breaks kept (`dtlab.present.safe`). `markup` is ignored:
        no notice of dtlab's is styled."""
        super().notify(visible(message, multiline=True), title=visible(title), severity=severity,
                       timeout=timeout, markup=False)

    def action_help(self) -> None:
        from dtlab.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        # (keys, what they do, whether they act now, rank): the screen's own keys first, then the
        # app's (F-keys, quit), then the widgets' generic ones (cursor, scrolling), which have no id.
        rows: list[tuple[str, str, bool, int]] = []
        seen = set()
        app_keys = {b.id for b in self.BINDINGS if isinstance(b, Binding)}

        def add(binding: Binding, enabled: bool) -> None:
            if binding.system or (binding.action, binding.description) in seen or not binding.description:
                return
            seen.add((binding.action, binding.description))
            # Declared in English (N_), said in the language in use; the id stays as the keymap names it.
            what = (key_tooltip(binding) or key_description(binding)) + (f"  ({binding.id})" if binding.id else "")
            rank = 2 if not binding.id else 1 if binding.id in app_keys else 0
            rows.append((self.get_key_display(binding), what, enabled, rank))

        for active in self.screen.active_bindings.values():
            add(active.binding, active.enabled)
        # The screen's keys that do not apply now (`r` with nothing to re-plan, `p` before set-up)
        # are listed too, dimmed: a key left out of the help is a key a new user never finds.
        # As declared, so under the key the user's keymap gave them, as the live ones are.
        keymap = self.settings.keymap
        for cls in type(self.screen).__mro__:
            for binding in cls.__dict__.get("BINDINGS", ()):
                if isinstance(binding, Binding):
                    remapped = keymap.get(binding.id) if binding.id else None
                    add(replace(binding, key=remapped) if remapped else binding, False)
        # Keys a screen's widgets handle (Enter on a row) are described by the screen.
        rows += [(keys, _(what), True, 0) for keys, what in getattr(self.screen, "HELP_EXTRA", ())]
        rows.sort(key=lambda row: row[3])
        # A screen's name is marked N_ where declared; one without a name is called by its class.
        title = getattr(self.screen, "HELP_TITLE", None)
        name = _(title) if title else type(self.screen).__name__.removesuffix("Screen")
        self.push_screen(HelpScreen(name, [(keys, what, enabled) for keys, what, enabled, _rank in rows]))

    def on_unmount(self) -> None:
        if self._store is not None:
            self._store.close()
        elif self._opening is not None:
            self._opening.close()


# For low vision and bright rooms: pure black and white with saturated accents.
HIGH_CONTRAST = Theme(
    name="dtlab-high-contrast", primary="#ffff00", secondary="#00ffff", accent="#ff00ff", foreground="#ffffff",
    background="#000000", surface="#000000", panel="#202020", boost="#303030", error="#ff6060",
    success="#60ff60", warning="#ffff60", dark=True,
)


if TYPE_CHECKING:
    from dtlab.screens.base import DeskApp

    def _is_a_desk_app(app: DtlabApp) -> DeskApp:
        return app  # the type checker's proof that the app has all the screens ask of it


def _screen(name: str) -> Screen[Any]:
    # Imported when first shown, so start-up loads only the first screen's code.
    if name == "dashboard":
        from dtlab.screens.dashboard import DashboardScreen

        return DashboardScreen()
    if name == "milestones":
        from dtlab.screens.milestones import MilestonesScreen

        return MilestonesScreen()
    if name == "sync":
        from dtlab.screens.sync import SyncScreen

        return SyncScreen()
    if name == "calls":
        from dtlab.screens.calls import CallsScreen

        return CallsScreen()
    if name == "board":
        from dtlab.screens.board import BoardScreen

        return BoardScreen()
    from dtlab.screens.case_list import CaseListScreen

    return CaseListScreen()


def _commands() -> type[Provider]:
    from dtlab.screens.palette import DtlabCommands

    return DtlabCommands


def _languages() -> type[Provider]:
    from dtlab.screens.language import LanguageCommands

    return LanguageCommands


def make_app(database: str, settings: Settings, start: str = "dashboard") -> DtlabApp:
    """The app on `database`. Started on the case list or the dashboard, it shows the first page
    or the figures read with sqlite3 and opens the store in the background (see
    `db.dialects.read_first_page`, `read_first_dashboard`); otherwise it opens the store first,
    and a database it cannot open raises `StoreError` here."""
    first: FirstPage | FirstDashboard | None = None
    if start == "cases":
        from dtlab.db.dialects import read_first_page
        from dtlab.screens.case_list import PAGE

        first = read_first_page(database, PAGE)
    elif start == "dashboard":
        from dtlab.db.dialects import read_first_dashboard
        from dtlab.screens.dashboard import LISTED

        first = read_first_dashboard(database, LISTED)
    if first is not None:
        def open_store() -> Store:
            from dtlab.db.store import Store

            return Store.open(database, settings.actor)

        return DtlabApp(StoreOpening(open_store), settings, start, first_page=first)
    from dtlab.db.store import Store

    return DtlabApp(Store.open(database, settings.actor), settings, start)


def run_app(database: str, settings: Settings, start: str = "dashboard") -> int:
    # A database that cannot be used raises StoreError, a UsageError: the command line prints it
    # and exits 2, without this module naming the store (and importing SQLAlchemy) first.
    app = make_app(database, settings, start)
    app.run()
    return app.return_code or errors.OK
