"""The evaluation use cases: start a draft on the current rubric, score it criterion by criterion,
submit it (then it is locked), amend a submitted one as a new revision, discard a draft."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session, col, select

from dtlab.db.cases import get_case
from dtlab.db.concept import (
    case_evaluations,
    created_after,
    upgrade_clock,
)
from dtlab.db.evaluations import evaluation_draft, evaluation_row
from dtlab.db.models import Case, Evaluation, EvaluationScore
from dtlab.db.reference import current_rubric
from dtlab.db.store import Store
from dtlab.domain.clock import utc_now
from dtlab.domain.ids import derived_id
from dtlab.domain.rubric import RubricError, check_scores, score
from dtlab.domain.stages import Stage
from dtlab.errors import Invalid
from dtlab.i18n import _


def _at_concept_design(session: Session, case_id: str) -> Case:
    case = session.get(Case, case_id)
    assert case is not None
    if case.stage != Stage.CONCEPT_DESIGN.value or case.status != "open":
        raise Invalid(_("{ref} is at {stage} ({status}); evaluations are written while the case is open at "
                        "{concept_design}").format(ref=case.ref, stage=Stage(case.stage).label, status=case.status,
                                                   concept_design=Stage.CONCEPT_DESIGN.label))
    return case


def _stale(session: Session, case: Case, row: Evaluation) -> bool:
    """A draft begun before the case's last upgrade judged the old type."""
    upgraded = upgrade_clock(session, case)
    return upgraded is not None and row.id not in created_after(session, case, upgraded)


def start_evaluation(store: Store, ref: str, evaluator: str, or_submitted: bool = False) -> str:
    """A new draft for this evaluator on the current rubric; an evaluator's open draft is reused,
    so that starting twice never leaves two. An evaluator who has submitted one is refused (a
    change is an amendment), or, with `or_submitted`, given that evaluation to read and amend."""
    evaluator = evaluator.strip()
    if not evaluator:
        raise Invalid("evaluator: " + _("name the evaluator"))
    with store.write() as session:
        case = _at_concept_design(session, get_case(session, ref).id)
        existing = session.scalars(select(Evaluation).where(
            Evaluation.case_id == case.id, Evaluation.evaluator == evaluator,
            col(Evaluation.submitted_at).is_(None), col(Evaluation.deleted_at).is_(None))).first()
        if existing is not None and _stale(session, case, existing):
            existing.deleted_at = utc_now()  # set aside (its history stays): it judged the old type
            existing = None
        if existing is not None:
            return existing.id
        counted = [v for v in case_evaluations(session, case).evaluations if v.counts and v.evaluator == evaluator]
        if counted and or_submitted:
            return counted[-1].id
        if counted:
            raise Invalid(_("{evaluator} has submitted an evaluation of {ref} (revision {revision}); amend it to "
                            "change it").format(evaluator=evaluator, ref=case.ref, revision=counted[-1].revision))
        rubric_id, _rubric = current_rubric(session)
        row = Evaluation(case_id=case.id, evaluator=evaluator, rubric_id=rubric_id)
        session.add(row)
        session.flush()
        return row.id


def save_scores(store: Store, evaluation_id: str, scores: Mapping[str, int | None],
                comments: Mapping[str, str | None] | None = None, comment: str | None = None) -> set[str]:
    """Write a draft's scores and comments; returns the criteria that changed. Only what is given
    changes: a criterion left out keeps its score."""
    comments = comments or {}
    changed: set[str] = set()
    with store.write() as session:
        row = evaluation_row(session, evaluation_id)
        if row.submitted_at is not None:
            raise Invalid(_("this evaluation is submitted and locked; amend it to change it (a new revision)"))
        _at_concept_design(session, row.case_id)
        draft = evaluation_draft(session, row)
        try:
            check_scores(draft.rubric, scores, comments)
        except RubricError as error:
            raise Invalid(str(error)) from None
        existing = {s.criterion: s for s in session.scalars(
            select(EvaluationScore).where(EvaluationScore.evaluation_id == row.id))}
        for cid in {*scores, *comments}:
            item = existing.get(cid)
            if item is None:
                # One per evaluation and criterion on every site: two sites scoring the same draft
                # make one record, which sync merges field by field instead of colliding.
                item = EvaluationScore(id=derived_id("score", row.id, cid), case_id=row.case_id,
                                       evaluation_id=row.id, criterion=cid)
                session.add(item)
            if cid in scores and item.score != scores[cid]:
                item.score = scores[cid]
                changed.add(cid)
            text = (comments.get(cid) or "").strip() or None
            if cid in comments and item.comment != text:
                item.comment = text
                changed.add(cid)
        if comment is not None and (comment.strip() or None) != row.comment:
            row.comment = comment.strip() or None
            changed.add("comment")
    return changed


def submit_evaluation(store: Store, evaluation_id: str) -> str:
    """Lock the draft with its total and classification; returns the classification. Every
    criterion must be scored."""
    with store.write() as session:
        row = evaluation_row(session, evaluation_id)
        if row.submitted_at is not None:
            raise Invalid(_("this evaluation is already submitted"))
        case = _at_concept_design(session, row.case_id)
        if _stale(session, case, row):
            raise Invalid(_("this draft was begun before the case's upgrade and judged the old type; start a new one"))
        draft = evaluation_draft(session, row)
        result = score(draft.rubric, draft.scores)
        if not result.complete:
            names = ", ".join(draft.rubric.criterion(c).name for c in result.missing)
            raise Invalid(_("score every criterion before submitting; not scored: {criteria}").format(criteria=names))
        row.classification = result.classification
        row.percent = result.percent
        row.submitted_at = utc_now()
        return str(result.classification)


def amend_evaluation(store: Store, evaluation_id: str) -> str:
    """A new draft revision of a submitted evaluation, with its scores and comments; the
    submitted one stays as it is, and stops counting once the amendment is submitted."""
    with store.write() as session:
        row = evaluation_row(session, evaluation_id)
        if row.submitted_at is None:
            raise Invalid(_("this evaluation is still a draft: edit it directly"))
        _at_concept_design(session, row.case_id)
        newer = session.scalars(select(Evaluation).where(Evaluation.supersedes == row.id,
                                                         col(Evaluation.deleted_at).is_(None))).first()
        if newer is not None:
            if newer.submitted_at is None:
                return newer.id  # the amendment already under way
            raise Invalid(_("revision {revision} already amends this one; amend that instead").format(
                revision=newer.revision))
        draft = evaluation_draft(session, row)
        amendment = Evaluation(case_id=row.case_id, evaluator=row.evaluator, rubric_id=row.rubric_id,
                               revision=row.revision + 1, supersedes=row.id, comment=row.comment)
        session.add(amendment)
        session.flush()
        for cid, value in draft.scores.items():
            session.add(EvaluationScore(id=derived_id("score", amendment.id, cid), case_id=row.case_id,
                                        evaluation_id=amendment.id, criterion=cid,
                                        score=value, comment=draft.comments.get(cid)))
        return amendment.id


def discard_draft(store: Store, evaluation_id: str) -> None:
    """Set a draft aside (a tombstone: its history stays)."""
    with store.write() as session:
        row = evaluation_row(session, evaluation_id)
        if row.submitted_at is not None:
            raise Invalid(_("a submitted evaluation cannot be discarded; amend it instead"))
        row.deleted_at = utc_now()
