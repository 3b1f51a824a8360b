"""Identifiers that need no coordination between sites: UUIDv7 keys, site codes, case refs."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from dtlab.i18n import _

# The ITU-D regions, as the design guide fixes their ids (names live in seeds/regions.toml).
REGIONS = ("AFR", "AMS", "ARB", "ASP", "CIS", "EUR")

SITE_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")
REF_RE = re.compile(r"^([A-Z][A-Z0-9]{1,7})-(\d{4})-(\d{4,})$")
# The most cases one site can number in a year. The lab takes in tens of cases a year, so this is
# far beyond any real use; and it keeps every ref within the column's 24 characters (an 8-letter
# code, the year, five digits) and its number a small integer wherever it is parsed or sorted.
MAX_CASE_NUMBER = 99_999


def derived_id(kind: str, *parts: str | int) -> str:
    """The same id on every site for a record that is one per something (a KPI's reporting
    year), so two sites that make it independently make the same record, and sync merges them
    field by field instead of colliding."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "dtlab:" + kind + ":" + ":".join(str(p) for p in parts)))


def new_id() -> str:
    """A UUIDv7 as text: time-ordered, so new rows land at the end of the primary-key index."""
    # Imported on first use: uuid6 reads its package metadata on import (30 ms), which the
    # terminal UI's start does not need to pay.
    from uuid6 import uuid7

    return str(uuid7())


def check_site_code(code: str) -> str:
    normal = code.strip().upper()
    if not SITE_CODE_RE.match(normal):
        raise ValueError(
            _("site code {code} must be 2 to 8 letters or digits, starting with a letter (e.g. GVA, NBO1)").format(
                code=repr(code))
        )
    return normal


@dataclass(frozen=True)
class CaseRef:
    site: str
    year: int
    number: int

    def __str__(self) -> str:
        return f"{self.site}-{self.year:04d}-{self.number:04d}"

    @property
    def prefix(self) -> str:
        return f"{self.site}-{self.year:04d}-"


def parse_ref(text: str) -> CaseRef:
    match = REF_RE.match(text.strip().upper())
    if not match:
        raise ValueError(_("{text} is not a case reference (expected SITE-YEAR-NNNN, e.g. GVA-2026-0042)").format(
            text=repr(text)))
    return CaseRef(match.group(1), int(match.group(2)), int(match.group(3)))
