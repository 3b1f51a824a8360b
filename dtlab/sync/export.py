"""Export: the operations a peer lacks, as the bundle's stream of NDJSON lines and its manifest.

A peer is sent the operations beyond what it has acknowledged (its vector, sent back in its own
bundles), from every origin at headquarters, so HQ relays what the field sent; a field site sends
only its own."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session, col

from dtlab import __version__
from dtlab.db import dialects
from dtlab.db.dialects import stored_time_iso
from dtlab.db.head import SCHEMA_HEAD
from dtlab.db.models import BundleRecord, ChangeLog
from dtlab.db.sites import site_names
from dtlab.db.store import Site
from dtlab.domain.clock import utc_now
from dtlab.domain.ids import new_id
from dtlab.sync.manifest import CAPABILITIES, FORMAT, FORMAT_VERSION
from dtlab.sync.vector import acknowledged, vector

_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
BATCH = 5000  # rows fetched at a time: the stream never holds the whole log


class Export:
    """The operations `to` has not acknowledged (all of them when `full`), in the order this
    site applied them, read as a stream inside the caller's read transaction, so the bundle is
    one consistent snapshot however long it takes to write. Each operation is written straight
    from its stored row: the change log already holds its changes as JSON."""

    def __init__(self, session: Session, site: Site, key: str, to_site: str, full: bool = False,
                 relay: bool = True):
        self.session = session
        known = {} if full else acknowledged(session, to_site)
        held = vector(session)
        wanted = {origin: known.get(origin, 0) for origin, high in held.items() if high > known.get(origin, 0)
                  and (relay or origin == site.id)}  # only headquarters passes on other sites' work
        # Each origin's log runs 1, 2, 3, … without gaps, so what the peer lacks is counted, not read.
        self.total = sum(held[origin] - after for origin, after in wanted.items())
        self.wanted = wanted
        # A few operations: each term a range of the (origin, seq) index, then sorted by id; ten
        # new operations are found without reading the whole log. Most of the log: read it in id
        # order and skip what the peer holds (sorting most of the log by id costs more than
        # reading it all, so the origin index is kept out of it).
        self.most = self.total * 4 >= sum(held.values())
        self.ranges: dict[str, list[int]] = {}
        self.header = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "capabilities": list(CAPABILITIES),
            "bundle_id": new_id(), "origin": {"id": site.id, "code": site.code}, "to": to_site, "key_id": key,
            "schema_version": SCHEMA_HEAD, "app_version": __version__, "created_at": utc_now().isoformat(),
            "release": next_release(session), "full": full, "vector": held, "sites": site_names(session),
        }

    def _rows(self) -> Any:
        log = ChangeLog.__table__  # type: ignore[attr-defined]
        kind = dialects.of(self.session)
        origin = kind.unindexed(log.c.origin) if self.most else log.c.origin
        return self.session.connection().execute(
            select(log.c.origin, log.c.seq, log.c.hlc, log.c.actor, kind.stored_text(log.c.at), log.c.table_name,
                   log.c.row_id, log.c.op, log.c.case_id, kind.stored_text(log.c.changes))
            .where(or_(*(and_(origin == name, log.c.seq > after) for name, after in self.wanted.items())))
            .order_by(log.c.id))

    def lines(self, progress: Callable[[int, int], None] | None = None) -> Iterator[bytes]:
        """One NDJSON line per operation (keys in sorted order, as `canonical` writes them)."""
        if not self.wanted:
            return
        rows = self._rows()
        ranges, encode, total, done = self.ranges, _ENCODE, self.total, 0
        while batch := rows.fetchmany(BATCH):
            for origin, seq, clock, actor, at, table, row_id, op, case_id, changes in batch:
                span = ranges.get(origin)
                if span is None:
                    ranges[origin] = [seq, seq]
                else:
                    span[0], span[1] = min(span[0], seq), max(span[1], seq)
                yield (f'{{"actor":{encode(actor)},"at":"{stored_time_iso(at)}","case_id":{encode(case_id)},'
                       f'"changes":{changes},"hlc":{int(clock)},"op":{encode(op)},"origin":{encode(origin)},'
                       f'"row_id":{encode(row_id)},"seq":{int(seq)},"table":{encode(table)}}}\n').encode()
            done += len(batch)
            if progress is not None:
                progress(done, total)

    def manifest(self) -> dict[str, Any]:
        """The manifest without its members: complete once `lines` has run to its end."""
        return {**self.header, "ranges": {origin: list(span) for origin, span in self.ranges.items()}}


def next_release(session: Session) -> int:
    """The number of the next bundle this site writes: receivers refuse an older release from
    headquarters than one they applied."""
    return (session.scalar(select(func.count()).select_from(BundleRecord)
                           .where(col(BundleRecord.direction) == "sent")) or 0) + 1


def record_sent(session: Session, export: Export, file: str, sealed: bool = False) -> None:
    """The bundle is written: recorded as sent (its release number is now taken)."""
    m = export.header
    session.add(BundleRecord(id=m["bundle_id"], direction="sent", peer=m["to"], at=utc_now(),
                             operations=export.total, release=m["release"], file=file, sealed=sealed))


def bundles(session: Session) -> list[BundleRecord]:
    """Every bundle sent and received, the newest first."""
    return list(session.scalars(select(BundleRecord).order_by(col(BundleRecord.at).desc())))
