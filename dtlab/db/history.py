"""A case's history, read from the change log: every field change, transition and note."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from dtlab.db.calls import get_call
from dtlab.db.cases import get_case
from dtlab.db.models import (
    BoardMeeting,
    Call,
    ChangeLog,
    Contact,
    Evaluation,
    EvaluationScore,
    Evidence,
    Kpi,
    KpiYear,
    Milestone,
    Organisation,
    Result,
)
from dtlab.db.sites import site_names
from dtlab.domain.history import HistoryEntry
from dtlab.i18n import N_, Translated, _


def case_history(session: Session, ref: str) -> list[HistoryEntry]:
    case = get_case(session, ref)
    site_codes = site_names(session)  # the other sites' codes, as bundles have named them
    # The case's own records, and the applicant organisation and contact person it points to.
    belongs = col(ChangeLog.case_id) == case.id
    for table, row_id in (("organisations", case.applicant_id), ("contacts", case.contact_id)):
        if row_id:
            belongs = belongs | ((col(ChangeLog.table_name) == table) & (col(ChangeLog.row_id) == row_id))
    # In the order things happened: entries merged from other sites (or loaded in bulk) arrive out
    # of that order; the log's own number breaks ties within one write.
    rows = list(session.scalars(select(ChangeLog).where(belongs).order_by(col(ChangeLog.at), col(ChangeLog.id))))
    names = _linked_names(session, rows)
    about = _evaluation_subjects(session, case.id) | _plan_subjects(session, case.id)
    return [
        HistoryEntry(r.seq, site_codes.get(r.origin, r.origin), r.at, r.actor, r.table_name, r.op,
                     _readable(r.changes, names), about.get(r.row_id))
        for r in rows
    ]


def record_history(session: Session, table: str, row_id: str) -> list[HistoryEntry]:
    """The history of one record of no case (a call, an organisation), in the order it happened."""
    site_codes = site_names(session)
    rows = list(session.scalars(select(ChangeLog).where(
        col(ChangeLog.table_name) == table, col(ChangeLog.row_id) == row_id).order_by(
        col(ChangeLog.at), col(ChangeLog.id))))
    return [HistoryEntry(r.seq, site_codes.get(r.origin, r.origin), r.at, r.actor, r.table_name, r.op,
                         r.changes) for r in rows]


def call_history(session: Session, ref: str) -> list[HistoryEntry]:
    """A call's history; a call of the reference data has none here (its seed file is its record)."""
    call = get_call(session, ref)  # NotFound names the calls there are
    return record_history(session, "calls", call.id) if isinstance(call, Call) else []


def _evaluation_subjects(session: Session, case_id: str) -> dict[str, str]:
    """Row id → "amina's evaluation (revision 1)" for the case's evaluations and their scores,
    with the criterion for a score, since a score's own entry may name neither."""
    # Words for the reader (`HistoryEntry.about` is never stored nor in --json): in the language in use.
    evaluations = {e.id: _("{evaluator}'s evaluation (revision {revision})").format(evaluator=e.evaluator,
                                                                                  revision=e.revision)
                   for e in session.scalars(select(Evaluation).where(Evaluation.case_id == case_id))}
    subjects = dict(evaluations)
    for score in session.scalars(select(EvaluationScore).where(EvaluationScore.case_id == case_id)):
        evaluation = evaluations.get(score.evaluation_id) or _("an evaluation")
        subjects[score.id] = f"{evaluation}|{score.criterion}"
    return subjects


def _plan_subjects(session: Session, case_id: str) -> dict[str, str]:
    """Row id → what a plan record is called in the history: 'the milestone "…"', 'year 2 of the
    KPI "…"', 'evidence for …', so an entry says which item it is about."""
    def mine(model: type[Any]) -> list[Any]:
        return list(session.scalars(select(model).where(model.case_id == case_id)))

    subjects = {r.id: _result_subject(r.level, r.title) for r in mine(Result)}
    kpis = {k.id: k.name for k in mine(Kpi)}
    subjects |= {k_id: _('the KPI "{name}"').format(name=name) for k_id, name in kpis.items()}
    subjects |= {y.id: _('year {year} of the KPI "{name}"').format(year=y.year, name=kpis.get(y.kpi_id, "?"))
                 for y in mine(KpiYear)}
    subjects |= {m.id: _('the milestone "{title}"').format(title=m.title) for m in mine(Milestone)}
    for e in mine(Evidence):
        subject = subjects.get(e.milestone_id or e.kpi_year_id or "") or _("a plan item")
        subjects[e.id] = _("evidence for {item}").format(item=subject)
    return subjects


# A result named by its level (`monitoring.RESULT_LEVELS`), each a whole phrase for the translator.
_RESULT_SUBJECTS = Translated({"output": N_('the output "{title}"'), "outcome": N_('the outcome "{title}"'),
                               "impact": N_('the impact "{title}"')})


def _result_subject(level: str, title: str) -> str:
    if level in _RESULT_SUBJECTS:
        return _RESULT_SUBJECTS[level].format(title=title)
    return f'the {level} "{title}"'  # i18n: not shown (a level no dtlab writes)


# Keys that hold the id of another record, shown by that record's name.
LINKS: dict[str, tuple[str, type[Organisation] | type[Contact] | type[BoardMeeting] | type[Result], str]] = {
    "applicant_id": ("applicant", Organisation, "name"),
    "contact_id": ("contact", Contact, "name"),
    "host_id": ("host", Organisation, "name"),
    "meeting_id": ("meeting", BoardMeeting, "title"),
    "parent_id": ("parent", Result, "title"),  # the result one level up a result contributes to
}


def _linked_names(session: Session, rows: list[ChangeLog]) -> dict[str, str]:
    wanted: dict[tuple[type[Organisation] | type[Contact] | type[BoardMeeting] | type[Result], str], set[str]] = {}
    for r in rows:
        for key, (_label, model, attr) in LINKS.items():
            for value in r.changes.get(key, []):
                if value:
                    wanted.setdefault((model, attr), set()).add(value)
    names: dict[str, str] = {}
    for (model, attr), ids in wanted.items():
        for row_id, name in session.execute(select(col(model.id), col(getattr(model, attr))).where(
                col(model.id).in_(ids))):
            names[row_id] = name
    return names


def _readable(changes: dict[str, list[Any]], names: dict[str, str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for key, pair in changes.items():
        if key in LINKS:
            out[LINKS[key][0]] = [names.get(v, v) if v else v for v in pair]
        else:
            out[key] = pair
    return out


def last_change(session: Session, places: list[tuple[str, str, str]]) -> ChangeLog | None:
    """The latest change-log entry that wrote any of `places` (table, row id, column): who last
    set a field, and when, wherever its value is kept."""
    latest: ChangeLog | None = None
    for table, row_id, column in places:
        entries = session.scalars(select(ChangeLog).where(col(ChangeLog.table_name) == table,
                                                          col(ChangeLog.row_id) == row_id)
                                  .order_by(col(ChangeLog.id).desc()))
        # A row's entries are few (one per save); newest first, the first that set the column.
        found = next((e for e in entries if column in e.changes), None)
        if found is not None and (latest is None or (found.id or 0) > (latest.id or 0)):
            latest = found
    return latest
