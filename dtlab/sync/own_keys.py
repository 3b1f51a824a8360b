"""This site's own keys, checked against the ones its database records: one signing key and one
age identity per site, whoever of its staff uses them.

HQ is one site for all its staff, who share one database from several machines. Each site key
used to be made on first use in the user's own key directory, so a second staff member's
export made a second HQ key that the laptops refused, and bundles sealed to HQ opened for one
person only. Now the database records the site's key id and age recipient the first time either
is made or used (in the write lock, so two staff starting at once agree on one). From then on a
person without that key is told to install the site's keys (a key directory an administrator
deploys, docs/hq-postgresql.md), never given a new one, and a key that is not the recorded one
is refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pyrage import x25519
from sqlmodel import select

from dtlab.db.models import BundleRecord, Meta
from dtlab.db.store import Site, Store
from dtlab.i18n import N_, _
from dtlab.sync.keys import (
    DECRYPTION,
    SIGNING,
    KeyProblem,
    KeyWords,
    SiteKey,
    identity_path,
    key_path,
    present,
    site_identity,
    site_key,
)

SIGNING_RECORD = "site_signing_key"  # meta key: the id of the site's signing key
SEALING_RECORD = "site_recipient"  # meta key: the age recipient of the site's identity
GUIDE = N_("the HQ guide, docs/hq-postgresql.md in dtlab's source, steps 4 and 5")

K = TypeVar("K")


def _recorded(store: Store, record: str) -> str | None:
    with store.read() as session:
        row = session.get(Meta, record)
        return row.value if row else None


def _own(store: Store, site: Site, record: str, path: Path, words: KeyWords, load: Callable[[bool], K],
         name: Callable[[K], str], create: bool) -> K:
    """The site's key of one kind, made (and recorded) only if the database records none yet."""
    recorded = _recorded(store, record)
    if recorded is None:
        if not present(path) and not create:
            raise KeyProblem(_(words.missing).format(path=path))
        if not present(path) and _has_exchanged(store):
            # A database from before keys were recorded: its key is somewhere, and a new one
            # would be refused by every site that trusts the old.
            raise KeyProblem(_(words.not_installed).format(site=site.code, file=path.name, where=_where(path),
                                                           todo=_what_to_do()))
        with store.write() as session:  # the write lock: one staff member records the site's key
            row = session.get(Meta, record)
            if row is None:
                key = load(True)
                session.add(Meta(key=record, value=name(key)))
                return key
            recorded = row.value
    if not present(path):
        raise KeyProblem(_(words.not_here).format(site=site.code, key=_short(recorded), file=path.name,
                                                  where=_where(path), todo=_what_to_do()))
    key = load(False)
    if name(key) != recorded:
        raise KeyProblem(_(words.another).format(path=path, key=_short(name(key)), site=site.code,
                                                 recorded=_short(recorded), guide=_(GUIDE)))
    return key


WHAT_TO_DO = N_("set DTLAB_KEY_DIR to the key directory your administrator gave you, or install the site's key "
                "files in yours ({guide}); dtlab never makes a second key for a site")


def _what_to_do() -> str:
    return _(WHAT_TO_DO).format(guide=_(GUIDE))


def _where(path: Path) -> str:
    directory = path.parent
    return (_("your key directory ({path})") if directory.is_dir() else _("{path}, which does not exist")).format(
        path=directory)


def _has_exchanged(store: Store) -> bool:
    with store.read() as session:
        return session.scalars(select(BundleRecord.id).limit(1)).first() is not None


def _short(name: str) -> str:
    return name if len(name) <= 20 else name[:14] + "…"


def signing_key(store: Store) -> SiteKey:
    """The site's key that signs its bundles; made and recorded on the site's first use only."""
    site = store.require_site()
    return _own(store, site, SIGNING_RECORD, key_path(site.id), SIGNING,
                lambda create: site_key(site.id, create), lambda key: key.id, True)


def identity(store: Store, create: bool = True) -> x25519.Identity:
    """The site's age identity, which opens the bundles sealed to it; made and recorded on the
    site's first use only (and, with `create` false, never)."""
    site = store.require_site()
    return _own(store, site, SEALING_RECORD, identity_path(site.id), DECRYPTION,
                lambda make: site_identity(site.id, make), lambda ident: str(ident.to_public()), create)
