"""Sites copied from databases made once: a test that needs the same starting point for many
Hypothesis examples builds the sites a single time, closes them, and opens a copy per example."""

from __future__ import annotations

import shutil
from pathlib import Path

from dtlab.db.store import Store
from dtlab.sync.keys import key_path
from dtlab.sync.own_keys import signing_key
from tests.helpers.sites import Site


def keys_dir(site: Site) -> Path:
    """Where the site's private keys are: copied into each test's own data directory."""
    return key_path(site.store.require_site().id).parent


def clone(made: Path, keys: Path, tmp: Path, code: str, actor: str) -> Site:
    """A copy of the closed site `code` in `made` (its database `made/CODE.db`), opened in `tmp`,
    its keys (made in `keys`) present in this test's data directory."""
    mine = key_path("x").parent
    if not mine.exists():
        shutil.copytree(keys, mine)
    shutil.copy(made / f"{code}.db", tmp / f"{code}.db")
    site = Site.__new__(Site)
    site.code, site.tmp, site.sent = code, tmp, 0
    site.store = Store.open(tmp / f"{code}.db", actor)
    site.key = signing_key(site.store)
    return site
