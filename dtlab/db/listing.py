"""What the case list asks for and what it shows of each case: plain data, importable without
SQLAlchemy, so the terminal UI can draw its first page before the ORM has loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LIST_FIELDS = ("ref", "title", "country", "region", "stage", "status", "centre_type", "applicant", "assignee",
               "received_on", "updated_at")


@dataclass(frozen=True)
class CaseFilter:
    stage: str | None = None
    region: str | None = None
    status: str | None = None
    centre_type: str | None = None
    assignee: str | None = None  # matched without regard to case, as a prefix
    search: str | None = None


@dataclass(frozen=True)
class FirstPage:
    """The case list's first page, read before the store is open (`dialects.read_first_page`)."""

    site_id: str
    site_code: str
    label: str  # the database, as the store names it
    rows: list[dict[str, Any]]  # as `list_cases` gives them, `position` included
