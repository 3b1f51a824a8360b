"""A theme chosen in the app is the one it starts with next time, and the config file takes every
theme the palette offers."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.theme import BUILTIN_THEMES

from dtlab import paths
from dtlab.app import HIGH_CONTRAST, make_app
from dtlab.config import THEMES, load_settings, remember_theme
from dtlab.db.store import Store
from dtlab.screens.dashboard import DashboardScreen
from tests.helpers.pilot import settle

pytestmark = pytest.mark.functional


def test_the_config_takes_every_theme_the_palette_offers() -> None:
    assert set(THEMES) == set(BUILTIN_THEMES) | {HIGH_CONTRAST.name}


def test_only_the_theme_line_changes_and_a_new_one_goes_before_the_tables(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('# my settings\nuser = "amina"\n\n[keymap]\n"app.quit" = "ctrl+x"\n', encoding="utf-8")
    remember_theme("nord", config)
    assert config.read_text(encoding="utf-8") == ('# my settings\nuser = "amina"\n\ntheme = "nord"\n'
                                                  '[keymap]\n"app.quit" = "ctrl+x"\n')
    remember_theme("tokyo-night", config)
    settings = load_settings(config, environ={})
    assert (settings.theme, settings.user, settings.keymap) == ("tokyo-night", "amina", {"app.quit": "ctrl+x"})


async def test_a_theme_chosen_in_the_app_is_kept_for_the_next_start(store: Store, db_path: Path) -> None:
    app = make_app(str(db_path), load_settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen))
        app.theme = "catppuccin-mocha"  # what the palette's "Change theme" does
        await settle(pilot, lambda: paths.config_file().exists())
    assert load_settings().theme == "catppuccin-mocha"
    again = make_app(str(db_path), load_settings())
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: isinstance(again.screen, DashboardScreen))
        assert again.theme == "catppuccin-mocha"
