"""The footer shows the keys the screen offers now, and is rebuilt only when they change."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.store import Store
from dtlab.services.cases import create_case
from dtlab.widgets.footer import KeysFooter
from tests.helpers.pilot import open_case, settle

pytestmark = pytest.mark.functional


def keys_shown(app: App) -> list[str]:  # type: ignore[type-arg]
    """The keys on offer in the footer, left to right (the palette's key at its right end aside)."""
    return [str(key.description) for key in app.screen.query("FooterKey")
            if not key.disabled and not key.has_class("-command-palette")]


class Toggling(App[None]):
    """A screen whose second key is on offer only while `offered` is set."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("f5", "flip", "Flip"), Binding("f6", "other", "Other")]

    def __init__(self) -> None:
        super().__init__()
        self.offered = False

    def compose(self) -> ComposeResult:
        yield Input(id="one")
        yield Input(id="two")
        yield KeysFooter()

    def action_flip(self) -> None:
        self.offered = not self.offered
        self.refresh_bindings()

    def action_other(self) -> None:
        pass

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.offered if action == "other" else True


async def test_a_key_appears_and_goes_with_what_the_screen_offers() -> None:
    app = Toggling()
    async with app.run_test(size=(60, 8)) as pilot:
        app.set_focus(None)
        await settle(pilot, lambda: keys_shown(app) == ["Flip"])
        await pilot.press("f5")
        await settle(pilot, lambda: keys_shown(app) == ["Flip", "Other"])
        await pilot.press("f5")
        await settle(pilot, lambda: keys_shown(app) == ["Flip"])


async def test_moving_the_focus_keeps_the_same_keys_without_a_rebuild() -> None:
    app = Toggling()
    async with app.run_test(size=(60, 8)) as pilot:
        app.set_focus(None)
        await settle(pilot, lambda: keys_shown(app) == ["Flip"])
        before = list(app.screen.query("FooterKey"))
        app.query_one("#one", Input).focus()
        await pilot.pause()
        app.query_one("#two", Input).focus()
        await pilot.pause()
        assert list(app.screen.query("FooterKey")) == before  # the very same widgets: not rebuilt
        assert keys_shown(app) == ["Flip"]


async def test_the_case_footer_follows_the_tab_in_front(store: Store, db_path: Path) -> None:
    ref = create_case(store, {"title": "Innovation hub", "country": "KE"})
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(120, 24)) as pilot:
        screen = await open_case(pilot, ref)
        await settle(pilot, lambda: "Save" in keys_shown(app) and "Advance" in keys_shown(app))
        assert screen.tabbed is not None
        screen.tabbed.active = "tab-history"  # no form there: nothing to save
        # Waited on together: while the footer recomposes it holds no keys at all for a moment.
        await settle(pilot, lambda: "Save" not in keys_shown(app) and "Advance" in keys_shown(app))
        screen.tabbed.active = "tab-interest"
        await settle(pilot, lambda: "Save" in keys_shown(app))
