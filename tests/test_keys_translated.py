"""The keys a screen shows (its footer, F1's help) and the palette's commands are said in the
language in use when they are drawn, not in the one of the moment their module was loaded: a
stand-in catalogue that marks every word it translates shows which words went through it."""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.app import App

from dtlab import i18n
from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.store import Store
from dtlab.domain.monitoring import DUE_SOON_DAYS
from dtlab.screens.dashboard import DashboardScreen
from dtlab.screens.help import HelpScreen
from dtlab.screens.milestones import MilestonesScreen
from tests.helpers.pilot import settle

pytestmark = pytest.mark.functional


class Marked(gettext.NullTranslations):
    """A catalogue that translates every word as itself between ‹ ›."""

    def gettext(self, message: str) -> str:
        return f"‹{message}›"

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return f"‹{msgid1 if n == 1 else msgid2}›"

    def pgettext(self, context: str, message: str) -> str:
        return f"‹{message}›"


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The stand-in catalogue in use from now on, as a language switched in the running app is."""
    monkeypatch.setattr(i18n, "_translations", Marked())
    monkeypatch.setattr(i18n, "_language", "fr")
    yield


def shown(screen) -> str:  # type: ignore[no-untyped-def]
    """The text of a screen's Statics as a terminal shows it (tables included)."""
    import io

    from rich.console import Console
    from textual.widgets import Static

    console = Console(width=120, file=io.StringIO(), color_system=None)
    for widget in screen.query(Static):
        console.print(widget.content)
    return console.file.getvalue()  # type: ignore[attr-defined]


def footer_words(app: App) -> list[str]:  # type: ignore[type-arg]
    return [str(key.description) for key in app.screen.query("FooterKey")]


async def test_footer_help_and_palette_speak_the_language_in_use(store: Store, db_path: Path,
                                                                 marked: None) -> None:
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen) and footer_words(app))
        words = footer_words(app)
        assert "‹New case›" in words and "‹Help›" in words, words
        assert "‹palette›" in words, words  # Textual's own key, by the words listed for it
        await pilot.press("f1")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = shown(app.screen)
        assert "‹Keys: ‹Dashboard››" in text  # the title and the screen's name, both
        assert "‹Record a new request›  (dashboard.new)" in text  # a tooltip, and the id as is
        assert "‹Leave dtlab›  (app.quit)" in text
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "‹Theme›" in commands and "‹Screenshot›" in commands and "‹Keys›" in commands


async def test_the_footer_is_drawn_again_when_the_language_changes(store: Store, db_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen) and "New case" in footer_words(app))
        monkeypatch.setattr(i18n, "_translations", Marked())
        monkeypatch.setattr(i18n, "_language", "fr")
        app.screen.refresh_bindings()
        await settle(pilot, lambda: "‹New case›" in footer_words(app), lambda: str(footer_words(app)))


def test_the_soon_view_key_names_the_days_the_domain_counts() -> None:
    """A binding's words are a msgid written whole (never formatted): they must say the domain's
    number of days."""
    soon = next(b for b in MilestonesScreen.BINDINGS if getattr(b, "id", None) == "milestones.soon")
    assert soon.description == f"≤{DUE_SOON_DAYS} days"  # type: ignore[union-attr]
    assert f"within {DUE_SOON_DAYS} days" in soon.tooltip  # type: ignore[union-attr]
