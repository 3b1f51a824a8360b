"""Reading concept-design evaluations: one evaluation as its form shows it, and a case's
evaluations and recommendation as the command line and the screens read them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from dtlab.db.cases import get_case
from dtlab.db.concept import case_evaluations, case_recommendation, evaluations_json, recommendation_json
from dtlab.db.models import Case, Evaluation, EvaluationScore
from dtlab.db.reference import rubric_version
from dtlab.domain.rubric import Rubric
from dtlab.errors import Invalid, NotFound
from dtlab.i18n import _


@dataclass(frozen=True)
class Draft:
    """An evaluation as its form shows it: the rubric it is scored with and what is filled in."""

    id: str
    ref: str
    evaluator: str
    revision: int
    rubric_id: str
    rubric: Rubric
    scores: dict[str, int | None]
    comments: dict[str, str | None]
    comment: str | None
    submitted: bool


def evaluation_row(session: Session, evaluation_id: str) -> Evaluation:
    row = session.get(Evaluation, evaluation_id)
    if row is None or row.deleted_at is not None:
        raise NotFound(_("no evaluation {id}").format(id=evaluation_id))
    return row


def evaluation_draft(session: Session, row: Evaluation) -> Draft:
    if row.rubric_id is None:
        raise Invalid(_("this verdict was recorded before rubrics existed and has no scores to show"))
    rubric = rubric_version(session, row.rubric_id)
    scores = {s.criterion: s for s in session.scalars(
        select(EvaluationScore).where(EvaluationScore.evaluation_id == row.id,
                                      col(EvaluationScore.deleted_at).is_(None)))}
    case = session.get(Case, row.case_id)
    return Draft(row.id, case.ref if case else "?", row.evaluator, row.revision, row.rubric_id, rubric,
                 {c.id: scores[c.id].score if c.id in scores else None for c in rubric.criteria},
                 {c.id: scores[c.id].comment if c.id in scores else None for c in rubric.criteria},
                 row.comment, row.submitted_at is not None)


def load_draft(session: Session, evaluation_id: str) -> Draft:
    return evaluation_draft(session, evaluation_row(session, evaluation_id))


def case_evaluations_json(session: Session, ref: str) -> dict[str, Any]:
    case = get_case(session, ref)
    return {"ref": case.ref, **evaluations_json(case_evaluations(session, case), session),
            "recommendation": recommendation_json(case_recommendation(session, case))}
