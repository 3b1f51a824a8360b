"""Two staff, one field: a save is refused when a field it changes was changed by someone else
after the form was read, rather than silently overwriting their value.

Dialogs that write a whole record at once (a milestone, a result, a KPI and its targets, a year's
figure) compare versions instead (`Seen`, `check_version`): the record's latest change-log entry
when the dialog was filled against its latest now, since such a save writes every field shown.

A form sends, beside the values typed, the value of each changed field as it was shown
(`based_on`). Inside the save's transaction, under the write lock, each is compared with what is
stored now; a difference refuses the whole save and names who changed the field and when (from
the change log) and its value now, so the screen can show it and a second save, knowingly based
on that value, replaces it. Fields the save does not change merge as before: two staff editing
different fields of one case both keep their work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlmodel import Session

from dtlab.db.cases import assessment_of
from dtlab.db.history import last_change
from dtlab.db.models import Case, ChangeLog, Contact, Organisation
from dtlab.domain.fields import ASSESSMENT_FIELDS, CASE_FIELDS, field_text
from dtlab.errors import Invalid
from dtlab.i18n import N_, _

# The case screen's contact fields, and the contact person's attribute each is stored in.
CONTACT_ATTRS = {"contact": "name", "contact_email": "email", "contact_phone": "phone", "contact_role": "role"}


@dataclass(frozen=True)
class Overtaken:
    """A field changed by someone else since the form was read."""

    field: str
    actor: str | None  # None: the log does not say (a record older than its log)
    at: datetime | None
    now: str  # its value now, as a form shows it


def _time(at: datetime | None) -> str | None:
    """When a change was made, in this computer's time: the hour today, else the day and hour."""
    if at is None:
        return None
    local = (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone()
    same_day = local.date() == datetime.now().astimezone().date()
    return local.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")


# What happened to a field, by whether the log says who (else "someone") and when (else
# "meanwhile"): each said whole, so that each language words it as it needs.
CHANGED = {
    (True, True): N_("changed by {who} at {time} to {value}"),
    (True, False): N_("changed by {who} meanwhile to {value}"),
    (False, True): N_("changed by someone at {time} to {value}"),
    (False, False): N_("changed by someone meanwhile to {value}"),
}
CLEARED = {
    (True, True): N_("cleared by {who} at {time}"),
    (True, False): N_("cleared by {who} meanwhile"),
    (False, True): N_("cleared by someone at {time}"),
    (False, False): N_("cleared by someone meanwhile"),
}
ROW_CHANGED = {
    (True, True): N_("{what} was changed by {who} at {time} since you opened it: save again to replace it with what "
                     "you typed, or Esc to keep theirs"),
    (True, False): N_("{what} was changed by {who} meanwhile since you opened it: save again to replace it with what "
                      "you typed, or Esc to keep theirs"),
    (False, True): N_("{what} was changed by someone at {time} since you opened it: save again to replace it with "
                      "what you typed, or Esc to keep theirs"),
    (False, False): N_("{what} was changed by someone meanwhile since you opened it: save again to replace it with "
                       "what you typed, or Esc to keep theirs"),
}


def _said(sentences: dict[tuple[bool, bool], str], who: str | None, at: datetime | None, **values: str) -> str:
    time = _time(at)
    return _(sentences[bool(who), time is not None]).format(who=who, time=time, **values)


class ChangedMeanwhile(Invalid):
    """A save based on values someone else has changed since: one problem per field, in the
    "field: …" form the screens put beside the field."""

    def __init__(self, overtaken: list[Overtaken]):
        self.overtaken = overtaken
        problems = tuple(
            f"{o.field}: " + (_said(CHANGED, o.actor, o.at, value=repr(o.now)) if o.now else
                              _said(CLEARED, o.actor, o.at))
            for o in overtaken)
        super().__init__(_("{problems}; save again to replace it with yours").format(problems="; ".join(problems)),
                         problems)


def _stored(session: Session, case: Case, field: str) -> tuple[Any, list[tuple[str, str, str]]]:
    """A field's value as stored now, and where it is kept (table, row id, column)."""
    if field == "applicant":
        org = session.get(Organisation, case.applicant_id) if case.applicant_id else None
        places = [("cases", case.id, "applicant_id")] + ([("organisations", org.id, "name")] if org else [])
        return (org.name if org else None), places
    if field == "category":
        org = session.get(Organisation, case.applicant_id) if case.applicant_id else None
        return (org.category if org else None), ([("organisations", org.id, "category")] if org else [])
    if field in CONTACT_ATTRS:
        contact = session.get(Contact, case.contact_id) if case.contact_id else None
        attr = CONTACT_ATTRS[field]
        places = [("cases", case.id, "contact_id")] + ([("contacts", contact.id, attr)] if contact else [])
        return (getattr(contact, attr) if contact else None), places
    if field in ASSESSMENT_FIELDS:
        assessment = assessment_of(session, case)
        return (getattr(assessment, field) if assessment else None), (
            [("assessments", assessment.id, field)] if assessment else [])
    if field in CASE_FIELDS:
        return getattr(case, field), [("cases", case.id, field)]
    raise Invalid(_("unknown field {field}").format(field=repr(field)))


def check_unchanged(session: Session, case: Case, based_on: dict[str, str]) -> None:
    """Refuse the save (ChangedMeanwhile) if any field of `based_on` no longer holds the value
    the form showed. Run inside the save's write transaction, before anything is written."""
    overtaken = []
    for field, shown in based_on.items():
        value, places = _stored(session, case, field)
        now = field_text(value)
        if now.strip() == shown.strip():
            continue
        entry = last_change(session, places)
        overtaken.append(Overtaken(field, entry.actor if entry else None, entry.at if entry else None, now))
    if overtaken:
        raise ChangedMeanwhile(overtaken)


@dataclass(frozen=True)
class Seen:
    """The version of a record a dialog was filled from: the id of the change-log entry that last
    wrote it (None: it did not exist yet)."""

    version: int | None


class RowChanged(Invalid):
    """A dialog's save refused: its record changed since the dialog was filled. `version` is the
    record's version now, to be taken as seen by a save that replaces it knowingly."""

    def __init__(self, what: str, entry: ChangeLog | None, version: int | None):
        self.version = version
        super().__init__(_said(ROW_CHANGED, entry.actor if entry is not None else None,
                               entry.at if entry is not None else None, what=what))


def check_version(session: Session, what: str, current: int | None, seen: Seen | None) -> None:
    """Refuse (RowChanged) a save of `what` whose record's version is not the one seen; nothing
    to compare when the caller saw none (the command line states values outright)."""
    if seen is None or current == seen.version:
        return
    raise RowChanged(what, session.get(ChangeLog, current) if current is not None else None, current)
