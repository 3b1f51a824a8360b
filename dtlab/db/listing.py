"""What the case list asks for and what it shows of each case: plain data, importable without
SQLAlchemy, so the terminal UI can draw its first page before the ORM has loaded."""

from __future__ import annotations

from dataclasses import dataclass

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
