"""Every path dtlab uses, from platformdirs (which honours the XDG variables)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP = "dtlab"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def config_file() -> Path:
    return config_dir() / "config.toml"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def default_database() -> Path:
    return data_dir() / "dtlab.db"


def bundles_dir() -> Path:
    """Where the terminal UI writes bundles, and reads a bundle named without a folder: one known
    place, never whichever directory dtlab happened to start in (a checkout, a system folder)."""
    return data_dir() / "bundles"


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP, appauthor=False))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP, appauthor=False))
