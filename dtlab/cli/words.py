"""Stored values the command line's text output says in words, where no label table of the domain
or of present/ names them: in English the word is the value itself, so the English output is
what it always was; JSON keeps the values, in every language."""

from __future__ import annotations

from collections.abc import Mapping

from dtlab.i18n import N_, Translated

# A track-1 nomination's decision (BoardMember.approval).
APPROVAL_WORDS = Translated({"pending": N_("pending"), "approved": N_("approved"), "declined": N_("declined")})
# A Board meeting's status (domain.board.MEETING_STATUSES).
MEETING_STATUS_WORDS = Translated({"planned": N_("planned"), "held": N_("held")})
# A KPI's or a KPI year's rating (domain.monitoring.Rag).
RAG_WORDS = Translated({"green": N_("green"), "amber": N_("amber"), "red": N_("red"), "no data": N_("no data"),
                        "not yet rated": N_("not yet rated")})
# A centre's accreditation as `dtlab centres` lists it (db.centres.list_centres): the state of its
# latest period, or the outcome that ended it.
ACCREDITATION_WORDS = Translated({
    "not accredited": N_("not accredited"), "upcoming": N_("upcoming"), "current": N_("current"),
    "renewal due": N_("renewal due"), "lapsed": N_("lapsed"), "renewed": N_("renewed"), "closed": N_("closed"),
    "upgraded": N_("upgraded"),
})

# How a conflict was decided here (sync.conflicts.resolve_conflict records it so).
RESOLUTION_WORDS = Translated({"kept": N_("kept"), "took incoming": N_("took incoming"), "edited": N_("edited")})


def word(words: Mapping[str, str], value: str) -> str:
    """`value` in words, or as it is when the table does not know it (a value written by a newer
    dtlab)."""
    return words.get(value, value)
