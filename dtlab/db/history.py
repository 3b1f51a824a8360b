"""A case's history, read from the change log: every field change, transition and note."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.markup import escape
from sqlmodel import Session, col, select

from ..domain.words import HIDDEN_FIELDS, MOVE_FIELDS, TABLE_NOUNS, describe_move, field_label, value_words
from .cases import get_case
from .models import (
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
from .sync import site_names


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


def _evaluation_subjects(session: Session, case_id: str) -> dict[str, str]:
    """Row id → "amina's evaluation (revision 1)" for the case's evaluations and their scores,
    with the criterion for a score, since a score's own entry may name neither."""
    evaluations = {e.id: f"{e.evaluator}'s evaluation (revision {e.revision})"
                   for e in session.scalars(select(Evaluation).where(Evaluation.case_id == case_id))}
    subjects = dict(evaluations)
    for score in session.scalars(select(EvaluationScore).where(EvaluationScore.case_id == case_id)):
        subjects[score.id] = f"{evaluations.get(score.evaluation_id, 'an evaluation')}|{score.criterion}"
    return subjects


def _plan_subjects(session: Session, case_id: str) -> dict[str, str]:
    """Row id → what a plan record is called in the history: 'the milestone "…"', 'year 2 of the
    KPI "…"', 'evidence for …', so an entry says which item it is about."""
    def mine(model: type[Any]) -> list[Any]:
        return list(session.scalars(select(model).where(model.case_id == case_id)))

    subjects = {r.id: f'the {r.level} "{r.title}"' for r in mine(Result)}
    kpis = {k.id: k.name for k in mine(Kpi)}
    subjects |= {k_id: f'the KPI "{name}"' for k_id, name in kpis.items()}
    subjects |= {y.id: f'year {y.year} of the KPI "{kpis.get(y.kpi_id, "?")}"' for y in mine(KpiYear)}
    subjects |= {m.id: f'the milestone "{m.title}"' for m in mine(Milestone)}
    for e in mine(Evidence):
        subject = subjects.get(e.milestone_id or e.kpi_year_id or "", "a plan item")
        subjects[e.id] = f"evidence for {subject}"
    return subjects


# Keys that hold the id of another record, shown by that record's name.
LINKS: dict[str, tuple[str, type[Organisation] | type[Contact], str]] = {
    "applicant_id": ("applicant", Organisation, "name"),
    "contact_id": ("contact", Contact, "name"),
    "host_id": ("host", Organisation, "name"),
}


def _linked_names(session: Session, rows: list[ChangeLog]) -> dict[str, str]:
    wanted: dict[type[Organisation] | type[Contact], set[str]] = {}
    for r in rows:
        for key, (_label, model, _attr) in LINKS.items():
            for value in r.changes.get(key, []):
                if value:
                    wanted.setdefault(model, set()).add(value)
    names: dict[str, str] = {}
    for model, ids in wanted.items():
        for row_id, name in session.execute(select(model.id, model.name).where(col(model.id).in_(ids))):
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


def history_lines(entries: list[HistoryEntry], newest_first: bool = True, width: int = 60) -> list[str]:
    """The history as Rich markup lines, in words: one heading per change, then what changed.

    Moves and overrides are highlighted; the stage and status changes a move makes on the case
    are folded into the move's own line."""
    lines: list[str] = []
    order = list(reversed(entries)) if newest_first else list(entries)
    for i, e in enumerate(order):
        neighbours = [order[j] for j in (i - 1, i + 1) if 0 <= j < len(order)]
        visible = {k: v for k, v in e.changes.items() if k not in HIDDEN_FIELDS}
        if (e.table == "cases" and e.op == "update"
                and any(n.table == "transitions" and n.at == e.at for n in neighbours)):
            # The move's own line says the stage and status; what else it cleared is still shown.
            visible = {k: v for k, v in visible.items() if k not in MOVE_FIELDS}
            if not visible:
                continue
        head = f"[dim]{e.at:%Y-%m-%d %H:%M} UTC · {escape(e.actor)} · {e.origin}#{e.seq}[/]"
        new = {k: v[1] for k, v in e.changes.items()}
        if e.table == "transitions":
            style = "bold red" if e.kind == "override" else "bold"
            sentence = describe_move(str(new.get("kind")), new.get("from_stage"), str(new.get("to_stage")),
                                     str(new.get("status")), overridden=e.kind == "override")
            lines.append(head)
            lines.append(f"  [{style}]{escape(sentence)}[/]")
            if new.get("reason"):
                lines.append(f"    reason: {escape(str(new['reason']))}")
            for text in str(new.get("overridden") or "").splitlines():
                lines.append(f"    [red]not met:[/] {escape(text)}")
            continue
        if e.table == "notes":
            lines.append(head)
            lines.append(f"  [b]Note:[/] {escape(str(new.get('body')))}")
            continue
        if e.table == "evaluation_scores":
            # One block per evaluation and write, not one entry per criterion.
            whose, _sep, criterion = (e.about or "an evaluation|?").partition("|")
            previous = order[i - 1] if i else None
            if not (previous and previous.table == e.table and previous.at == e.at
                    and (previous.about or "").partition("|")[0] == whose):
                lines.append(head)
                lines.append(f"  [b]Scored {escape(whose)}[/]")
            for key, (old, value) in visible.items():
                if key in ("criterion",) or (e.op == "insert" and value in (None, "")):
                    continue
                label = value_words("criterion", criterion).capitalize() + ("" if key == "score" else " (why)")
                was = "" if e.op == "insert" else f"{escape(_short(key, old, width))} → "
                lines.append(f"    {escape(label)}: {was}{escape(_short(key, value, width))}")
            continue
        noun = TABLE_NOUNS.get(e.table, e.table)
        if e.about:
            noun = escape(e.about)  # a title typed by a user
        lines.append(head)
        if e.op == "insert":
            lines.append(f"  [b]Recorded {noun if e.about else 'the ' + noun}[/]")
            for key, (_old, value) in visible.items():
                if value not in (None, ""):
                    lines.append(f"    {field_label(key)}: {escape(_short(key, value, width))}")
        elif e.op == "delete":
            lines.append(f"  [b]Deleted {noun if e.about else 'the ' + noun}[/]")
        else:
            lines.append(f"  [b]Changed {noun if e.about else 'the ' + noun}[/]")
            for key, (old, value) in visible.items():
                lines.append(f"    {field_label(key)}: {escape(_short(key, old, width))} → "
                             f"{escape(_short(key, value, width))}")
    return lines


def _short(name: str, value: Any, width: int) -> str:
    text = value_words(name, value).replace("\n", " ⏎ ")
    return text if len(text) <= width else text[: width - 1] + "…"
