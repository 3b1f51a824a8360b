"""Sync bookkeeping, local to each site and never synchronised: trusted keys, the keys bundles
are encrypted to, other sites' codes, what each peer acknowledged, bundles sent and received,
and the conflicts met while importing."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, Column, Text
from sqlmodel import Field, SQLModel


class TrustedKey(SQLModel, table=True):
    """A public key this site accepts bundles from, for one site code; revoked keys are kept."""

    __tablename__ = "trusted_keys"
    key_id: str = Field(primary_key=True)
    site_code: str = Field(index=True)
    public_key: str  # base64, 32 bytes
    added_at: datetime
    revoked_at: Optional[datetime] = None


class SiteRecipient(SQLModel, table=True):
    """The age key (age1…) a site's bundles can be sealed to, one per site code: what
    `dtlab export --encrypt` encrypts to."""

    __tablename__ = "site_recipients"
    site_code: str = Field(primary_key=True)
    recipient: str
    added_at: datetime


class SiteName(SQLModel, table=True):
    """The code of another site, by its id: learned from the bundles that name it, so that the
    history says "NBO" rather than a site id."""

    __tablename__ = "site_names"
    id: str = Field(primary_key=True)
    code: str


class PeerVector(SQLModel, table=True):
    """What a peer site is known to hold: the highest sequence number of each origin it has
    acknowledged (sent back in its own bundles). Export sends it only what lies beyond."""

    __tablename__ = "peer_vectors"
    peer: str = Field(primary_key=True)  # site code
    origin: str = Field(primary_key=True)  # site id
    seq: int = Field(sa_type=BigInteger)


class BundleRecord(SQLModel, table=True):
    """A bundle written or read: the history the sync screen and `dtlab bundles` show."""

    __tablename__ = "bundles"
    id: str = Field(primary_key=True)  # the bundle id from its manifest
    direction: str  # sent | received
    peer: str  # the site it went to or came from
    at: datetime
    operations: int
    applied: int = 0
    skipped: int = 0
    conflicts: int = 0
    release: int = 0
    file: Optional[str] = None
    sealed: bool = False  # encrypted to the receiving site


class Conflict(SQLModel, table=True):
    """A field edited on two sites without either seeing the other's edit (or a delete against
    an update). The provisional winner is in the row already; someone decides for good."""

    __tablename__ = "conflicts"
    id: Optional[int] = Field(default=None, primary_key=True)
    table_name: str
    row_id: str = Field(index=True)
    case_id: Optional[str] = None
    field: str
    base: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    local: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    incoming: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    winner: str  # local | incoming
    local_actor: Optional[str] = None
    local_at: Optional[datetime] = None
    local_origin: Optional[str] = None  # the local write's (origin, seq): with the incoming one,
    local_seq: Optional[int] = Field(default=None, sa_type=BigInteger)  # what names the conflict on every site
    incoming_actor: str
    incoming_at: datetime
    incoming_origin: str
    incoming_seq: int = Field(sa_type=BigInteger)
    bundle_id: str
    created_at: datetime
    resolved_at: Optional[datetime] = None
    resolution: Optional[str] = None  # kept | took incoming | edited
    # Why it is a conflict when it is more than two writes to one field: an advance past a gate
    # that a concurrent edit here unmet (`sync.admit`).
    reason: Optional[str] = Field(default=None, sa_type=Text)
