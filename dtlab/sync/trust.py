"""The keys this site trusts (whose bundles it accepts) and the age keys it seals bundles to.

A key is trusted for one site code; the bundles it signs are taken as that site's. The keys on
disk (this site's own) are in keys.py."""

from __future__ import annotations

import base64

from sqlalchemy import select
from sqlmodel import Session, col

from dtlab.db.models import SiteRecipient, TrustedKey
from dtlab.domain.clock import utc_now
from dtlab.errors import NotFound, Refused, UsageError
from dtlab.i18n import _
from dtlab.sync.keys import key_id


def trust(session: Session, public: bytes, site_code: str) -> str:
    """Accept the bundles signed by `public` as `site_code`'s; returns its key id. A key trusted
    before and revoked is trusted again; one trusted for another site is refused."""
    kid = key_id(public)
    existing = session.get(TrustedKey, kid)
    if existing is not None:
        if existing.site_code != site_code:
            raise Refused(_("key {key} is already trusted for site {site}").format(key=kid, site=existing.site_code))
        existing.revoked_at = None
        return kid
    session.add(TrustedKey(key_id=kid, site_code=site_code, public_key=base64.b64encode(public).decode(),
                           added_at=utc_now()))
    return kid


def revoke(session: Session, kid: str) -> TrustedKey:
    """Refuse the key's bundles from now on."""
    row = session.get(TrustedKey, kid)
    if row is None:
        raise NotFound(_("no trusted key {key}").format(key=kid))
    row.revoked_at = row.revoked_at or utc_now()
    return row


def trusted_keys(session: Session) -> list[TrustedKey]:
    return list(session.scalars(select(TrustedKey).order_by(col(TrustedKey.site_code), col(TrustedKey.added_at))))


def set_recipient(session: Session, recipient: str, site_code: str) -> None:
    """The age key that bundles for `site_code` are sealed to from now on (a new one replaces
    the old: a site that lost its key makes a new one and hands it over again)."""
    row = session.get(SiteRecipient, site_code)
    if row is None:
        session.add(SiteRecipient(site_code=site_code, recipient=recipient, added_at=utc_now()))
    elif row.recipient != recipient:
        row.recipient, row.added_at = recipient, utc_now()


def recipients(session: Session) -> dict[str, SiteRecipient]:
    return {r.site_code: r for r in session.scalars(select(SiteRecipient))}


def recipient_for(session: Session, site_code: str) -> str:
    """The age key to seal a bundle for `site_code` to; a usage error until its key file is trusted."""
    row = session.get(SiteRecipient, site_code)
    if row is None:
        raise UsageError(_("no encryption key for site {site}: trust its key file, which carries a dtlab-age line "
                           "(dtlab keys trust FILE --site {site})").format(site=site_code))
    return row.recipient
