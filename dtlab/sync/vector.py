"""What each site holds: this database's vector (the highest sequence held from each origin),
what a peer has acknowledged, and the sites' codes bundles make known.

Each origin's operations are held without gaps (imports refuse a gap), so a vector says exactly
which operations a site holds, and what a peer lacks is counted, not read."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlmodel import Session, col

from dtlab.db.models import ChangeLog, PeerVector, SiteName


def vector(session: Session) -> dict[str, int]:
    """The highest sequence held from each origin."""
    return {origin: seq for origin, seq in session.connection().execute(_vector_query())}


@functools.cache
def _vector_query() -> Select[Any]:
    """One index probe per origin (there are a handful) instead of a scan of the whole log: the
    next origin after the last one found, and its highest sequence, both from (origin, seq)'s
    index. Built once: an incremental export is a few milliseconds, and this is asked each time."""
    log = ChangeLog.__table__  # type: ignore[attr-defined]
    first = select(func.min(log.c.origin).label("origin")).cte("origins", recursive=True)
    after = select(func.min(log.c.origin)).where(log.c.origin > first.c.origin).scalar_subquery()
    origins = first.union_all(select(after).where(first.c.origin.is_not(None)))
    highest = select(func.max(log.c.seq)).where(log.c.origin == origins.c.origin).scalar_subquery()
    return select(origins.c.origin, highest).where(origins.c.origin.is_not(None))


def acknowledged(session: Session, peer: str) -> dict[str, int]:
    """What `peer` said it holds, by origin, in the last bundle it sent here."""
    return {v.origin: v.seq for v in session.scalars(select(PeerVector).where(col(PeerVector.peer) == peer))}


def acknowledge(session: Session, peer: str, held: dict[str, int]) -> None:
    """The sender holds everything up to its vector: export need not send it that again."""
    for origin, seq in held.items():
        row = session.get(PeerVector, (peer, origin))
        if row is None:
            session.add(PeerVector(peer=peer, origin=origin, seq=seq))
        elif seq > row.seq:
            row.seq = seq


def learn_names(session: Session, manifest: dict[str, Any], relay: bool) -> None:
    """The codes of sites not known here yet: the sender's own, and those headquarters passes
    on. A known site is never renamed (a code once given to an id stays; see verify.check_signer)."""
    origin = manifest["origin"]
    known = {n.id for n in session.scalars(select(SiteName))}
    relayed = manifest.get("sites", {}) if relay else {}  # only headquarters speaks for other sites
    for site_id, code in {**relayed, origin["id"]: origin["code"]}.items():
        if site_id not in known:
            session.add(SiteName(id=site_id, code=code))


def not_seen_by(knows: dict[str, int]) -> ColumnElement[bool]:
    """A log entry a site whose vector is `knows` had not seen: of an origin it does not know,
    or past the last of that origin it holds."""
    return or_(col(ChangeLog.origin).not_in(list(knows)),
               *(and_(col(ChangeLog.origin) == origin, col(ChangeLog.seq) > seq) for origin, seq in knows.items()))
