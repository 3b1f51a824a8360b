"""Every path dtlab uses, from platformdirs (which honours the XDG variables)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "dtlab"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def config_file() -> Path:
    return config_dir() / "config.toml"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


# A key directory an administrator deploys for every staff member of one site (HQ's shared keys,
# docs/hq-postgresql.md), named in the environment, in place of each person's own.
KEY_DIR_VARIABLE = "DTLAB_KEY_DIR"


def key_dir() -> Path:
    """Where this site's private keys are: $DTLAB_KEY_DIR, or the user's data directory."""
    shared = os.environ.get(KEY_DIR_VARIABLE, "").strip()
    return Path(shared).expanduser() if shared else data_dir() / "keys"


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
