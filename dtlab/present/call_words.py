"""Calls for expressions of interest in words: where a call stands against its deadline, and its
expressions of interest counted on time and late apart. The command line and the screens say it
alike."""

from __future__ import annotations

from datetime import date

from dtlab.domain.calls import CallStatus, days_to_deadline
from dtlab.i18n import N_, Translated, _, ngettext
from dtlab.present.labels import mark
from dtlab.present.local_values import count_text, number_text

# Where a call stands, inside a line ("closed") and as a select's choice ("Closed").
CALL_STATUS_WORDS: Translated[str] = Translated({
    CallStatus.OPEN.value: N_("open"), CallStatus.CLOSED.value: N_("closed"),
    CallStatus.CANCELLED.value: N_("cancelled"),
})
CALL_STATUS_CHOICES: Translated[str] = Translated({  # the status's words, not the command "Open"
    CallStatus.OPEN.value: mark.pgettext("status", "Open"), CallStatus.CLOSED.value: mark.pgettext("status", "Closed"),
    CallStatus.CANCELLED.value: mark.pgettext("status", "Cancelled"),
}, context="status")


def deadline_words(deadline: date, status: str, today: date, opens_on: date | None = None) -> str:
    """"opens in 5 days", "12 days left", "last day today", "passed 3 days ago" — for a call still
    open; a closed or cancelled call says so. Short enough for a table's column."""
    if status != CallStatus.OPEN.value:
        return CALL_STATUS_WORDS.get(status) or status
    if opens_on is not None and opens_on > today:
        days = (opens_on - today).days
        return ngettext("opens in {n} day", "opens in {n} days", days).format(n=count_text(days))
    left = days_to_deadline(deadline, today)
    if left > 0:
        return ngettext("{n} day left", "{n} days left", left).format(n=count_text(left))
    if left == 0:
        return _("last day today")
    return ngettext("passed {n} day ago", "passed {n} days ago", -left).format(n=count_text(-left))


def late_words(days: int) -> str:
    if not days:
        return _("on time")
    return ngettext("{n} day late", "{n} days late", days).format(n=count_text(days))


def eoi_words(on_time: int, late: int) -> str:
    """"3 on time, 1 late": late ones counted apart."""
    if not on_time and not late:
        return _("none yet")
    # Figures written as they always were in English (ungrouped), as figures in the other languages.
    if not late:
        return _("{on_time} on time").format(on_time=number_text(on_time))
    return _("{on_time} on time, {late} late").format(on_time=number_text(on_time), late=number_text(late))
