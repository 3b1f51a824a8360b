"""One entry of a case's history as the change log tells it: who changed what, when, where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class HistoryEntry:
    seq: int
    origin: str
    at: datetime
    actor: str
    table: str
    op: str
    changes: dict[str, list[Any]]
    about: str | None = None  # for an evaluation or a score: whose evaluation (and which criterion)

    @property
    def kind(self) -> str:
        """What a reader calls it: a transition, an override, a note, or a field change."""
        if self.table == "transitions":
            return "override" if self.changes.get("overridden", [None, None])[1] else "transition"
        if self.table == "notes":
            return "note"
        return "change"

    def as_json(self) -> dict[str, Any]:
        return {
            "origin": self.origin, "seq": self.seq, "at": self.at.isoformat(), "actor": self.actor,
            "table": self.table, "op": self.op, "kind": self.kind,
            "changes": {k: {"old": v[0], "new": v[1]} for k, v in self.changes.items()},
        }
