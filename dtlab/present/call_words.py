"""Calls for expressions of interest in words: where a call stands against its deadline, and its
expressions of interest counted on time and late apart. The command line and the screens say it
alike."""

from __future__ import annotations

from datetime import date

from dtlab.domain.calls import CallStatus, days_to_deadline
from dtlab.present.words import plural

CALL_STATUS_WORDS = {CallStatus.OPEN.value: "open", CallStatus.CLOSED.value: "closed",
                     CallStatus.CANCELLED.value: "cancelled"}
CALL_STATUS_CHOICES = {s.value: CALL_STATUS_WORDS[s.value].capitalize() for s in CallStatus}


def deadline_words(deadline: date, status: str, today: date, opens_on: date | None = None) -> str:
    """"opens in 5 days", "12 days left", "last day today", "passed 3 days ago" — for a call still
    open; a closed or cancelled call says so. Short enough for a table's column."""
    if status != CallStatus.OPEN.value:
        return CALL_STATUS_WORDS.get(status, status)
    if opens_on is not None and opens_on > today:
        return f"opens in {plural((opens_on - today).days, 'day')}"
    left = days_to_deadline(deadline, today)
    if left > 0:
        return plural(left, "day") + " left"
    if left == 0:
        return "last day today"
    return f"passed {plural(-left, 'day')} ago"


def late_words(days: int) -> str:
    return f"{plural(days, 'day')} late" if days else "on time"


def eoi_words(on_time: int, late: int) -> str:
    """"3 on time, 1 late": late ones counted apart."""
    if not on_time and not late:
        return "none yet"
    return f"{on_time} on time" + (f", {late} late" if late else "")
