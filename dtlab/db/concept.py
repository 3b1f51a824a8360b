"""What the concept-design stage reads: a case's evaluations with their scores and results, the
evaluators consolidated, and the centre-type recommendation and cost tier for its request.

Reads only; writing evaluations is in services/evaluations.py. Kept apart from db/cases.py, which
uses it to gather the facts the gates look at."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from dtlab.db.models import Assessment, Case, ChangeLog, Evaluation, EvaluationScore, Goal, Transition
from dtlab.db.reference import centre_type_rules, rubric_version
from dtlab.domain.gates import CLASSIFICATION_LABELS
from dtlab.domain.guide import CentreTypeRule
from dtlab.domain.recommend import (
    CostEstimate,
    Request,
    Verdict,
    against_model,
    cost_tier,
    inferred_note,
    recommend,
)
from dtlab.domain.rubric import Consolidated, Result, Rubric, consolidate, score
from dtlab.domain.stages import Stage


@dataclass(frozen=True)
class EvaluationView:
    id: str
    evaluator: str
    revision: int
    supersedes: str | None
    rubric_id: str | None
    scores: dict[str, int | None]
    comments: dict[str, str | None]
    comment: str | None
    submitted_at: datetime | None
    result: Result | None  # None for verdicts recorded before rubrics existed
    classification: str | None
    # "counts" (consolidated), or why not: "draft", "amended", "before upgrade", "other rubric",
    # "no rubric" (a verdict recorded before rubrics existed)
    standing: str

    @property
    def counts(self) -> bool:
        return self.standing == "counts"

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None

    def as_json(self, rubric: Rubric | None) -> dict[str, Any]:
        return {
            "id": self.id, "evaluator": self.evaluator, "revision": self.revision,
            "supersedes": self.supersedes, "rubric": self.rubric_id,
            "state": "submitted" if self.submitted else "draft",
            "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
            "counts": self.counts, "standing": self.standing,
            "scores": {c: {"score": self.scores.get(c), "comment": self.comments.get(c)} for c in self.scores},
            "comment": self.comment,
            "percent": self.result.percent if self.result else None,
            "classification": self.classification,
            "caps": [a.text(rubric) for a in self.result.caps] if self.result and rubric else [],
        }


@dataclass(frozen=True)
class CaseEvaluations:
    evaluations: list[EvaluationView]  # every revision, oldest first
    rubric_id: str | None  # the rubric the consolidation uses
    rubric: Rubric | None
    consolidated: Consolidated | None

    @property
    def classification(self) -> str | None:
        c = self.consolidated
        return c.result.classification if c and c.result else None


def upgrade_clock(session: Session, case: Case) -> int | None:
    """The clock value of the case's last move from renewal back to concept design (an upgrade).

    Compared by the change log's clock, not by wall time: seconds are too coarse, and the clock
    orders events across sites."""
    return session.scalar(
        select(func.max(ChangeLog.hlc)).join(Transition, col(Transition.change_id) == ChangeLog.id).where(
            Transition.case_id == case.id, Transition.from_stage == Stage.RENEWAL.value,
            Transition.to_stage == Stage.CONCEPT_DESIGN.value))


def case_evaluations(session: Session, case: Case) -> CaseEvaluations:
    rows = list(session.scalars(
        select(Evaluation).where(Evaluation.case_id == case.id, col(Evaluation.deleted_at).is_(None))
        .order_by(col(Evaluation.created_at), col(Evaluation.id))))
    scores: dict[str, list[EvaluationScore]] = {}
    for s in session.scalars(select(EvaluationScore).where(EvaluationScore.case_id == case.id,
                                                           col(EvaluationScore.deleted_at).is_(None))):
        scores.setdefault(s.evaluation_id, []).append(s)
    upgraded = upgrade_clock(session, case)
    after_upgrade = None if upgraded is None else created_after(session, case, upgraded)
    amended = {r.supersedes for r in rows if r.supersedes and r.submitted_at is not None}
    rubrics: dict[str, Rubric] = {}
    for r in rows:
        if r.rubric_id and r.rubric_id not in rubrics:
            rubrics[r.rubric_id] = rubric_version(session, r.rubric_id)

    def standing(r: Evaluation) -> str:
        if r.submitted_at is None:
            return "draft"
        if r.rubric_id is None:
            return "no rubric"  # i18n: not shown (a standing code, worded in present.concept_text)
        if r.id in amended:
            return "amended"
        if after_upgrade is not None and r.id not in after_upgrade:
            # After an upgrade the new type needs its own evaluation: earlier ones judged the old one.
            return "before upgrade"  # i18n: not shown (a standing code, as above)
        return "candidate"

    standings = {r.id: standing(r) for r in rows}
    candidates = [r for r in rows if standings[r.id] == "candidate"]
    # Evaluators are consolidated under one rubric, the one the latest submission used, so that
    # every evaluation is read with its own version; any scored with another stand apart.
    chosen = max(candidates, key=lambda r: (r.submitted_at, r.id)).rubric_id if candidates else None
    for r in candidates:
        standings[r.id] = "counts" if r.rubric_id == chosen else "other rubric"  # i18n: not shown (a standing code)
    views = []
    for r in rows:
        rubric = rubrics.get(r.rubric_id or "")
        given = {s.criterion: s.score for s in scores.get(r.id, [])}
        ordered = {c.id: given.get(c.id) for c in rubric.criteria} if rubric else given
        comments = {s.criterion: s.comment for s in scores.get(r.id, [])}
        result = score(rubric, ordered) if rubric else None
        classification = r.classification if r.submitted_at is not None else (result.classification if result else None)
        views.append(EvaluationView(r.id, r.evaluator, r.revision, r.supersedes, r.rubric_id, ordered, comments,
                                    r.comment, r.submitted_at, result, classification, standings[r.id]))
    counting = [v for v in views if v.counts]
    if chosen is None:
        return CaseEvaluations(views, None, None, None)
    consolidated = consolidate(rubrics[chosen], [(v.evaluator, v.scores) for v in counting])
    return CaseEvaluations(views, chosen, rubrics[chosen], consolidated)


def created_after(session: Session, case: Case, clock: int) -> set[str]:
    """The case's evaluations first written after this clock value."""
    return set(session.scalars(select(ChangeLog.row_id).where(
        ChangeLog.case_id == case.id, ChangeLog.table_name == "evaluations", ChangeLog.op == "insert",
        col(ChangeLog.hlc) > clock)))


def goal_names(session: Session) -> dict[str, str]:
    return {g.id: g.localized("name") for g in session.scalars(select(Goal))}


@dataclass(frozen=True)
class Recommendation:
    request: Request
    verdicts: list[Verdict]  # best fit first
    cost: CostEstimate
    rules: dict[str, CentreTypeRule] = field(default_factory=dict)  # the guide's rows, by type
    proposed: str | None = None  # the type the case proposes, if any

    @property
    def notes(self) -> list[str]:
        """What the recommendation and the cost tier rest on, said where it matters: the tier
        against the guide's cost model of the proposed type (else the best fit), and the guide's
        inferred cells behind the best fit or the proposed type."""
        best = self.best
        shown_types = [t for t in (self.proposed, best.type_id if best else None) if t]
        out = []
        model = self.rules.get(shown_types[0]) if shown_types else None
        if model is not None:
            said = against_model(self.cost, model)
            if said:
                out.append(said)
        for type_id in dict.fromkeys(shown_types):
            rule = self.rules.get(type_id)
            said = inferred_note(rule) if rule else None
            if said:
                out.append(said)
        return out

    @property
    def best(self) -> Verdict | None:
        """The first-ranked type, once the guide's rules can be checked (scope and ownership known)."""
        if not (self.request.scope and self.request.ownership):
            return None
        first = self.verdicts[0] if self.verdicts else None
        return first if first and first.fits else None


def flagship_count(flagships: str | None) -> int:
    return len([line for line in (flagships or "").splitlines() if line.strip()])


def case_recommendation(session: Session, case: Case, assessment: Assessment | None = None) -> Recommendation:
    """The recommendation for the case's request as it stands: its goals, scope, ownership, the
    host's cost capacity and whether the assessment found resources committed."""
    if assessment is None:
        assessment = session.scalars(select(Assessment).where(Assessment.case_id == case.id)).first()
    committed = None
    if assessment is not None:
        committed = bool((assessment.human_resources or "").strip() and (assessment.financial_resources or "").strip())
    goals = tuple(g for g in (case.goals or "").split(",") if g)
    request = Request(goals, case.scope, case.ownership, case.cost_capacity, committed)
    rules = centre_type_rules(session)
    return Recommendation(request, recommend(list(rules.values()), request, goal_names(session)),
                          cost_tier(goals, case.scope, case.ownership, flagship_count(case.flagships)),
                          rules, case.proposed_type)


# --- as JSON, for the command line and the screens --------------------------------------------------


def evaluations_json(view: CaseEvaluations, session: Session) -> dict[str, Any]:
    rubrics: dict[str, Rubric] = {}

    def rubric_of(rubric_id: str | None) -> Rubric | None:
        if rubric_id is None:
            return None
        if rubric_id not in rubrics:
            rubrics[rubric_id] = rubric_version(session, rubric_id)
        return rubrics[rubric_id]

    out: dict[str, Any] = {"evaluations": [v.as_json(rubric_of(v.rubric_id)) for v in view.evaluations]}
    c, rubric = view.consolidated, view.rubric
    if c is None or rubric is None:
        out["consolidated"] = None
        return out
    result = c.result
    out["consolidated"] = {
        "rubric": view.rubric_id,
        "evaluators": list(c.evaluators),
        "criteria": [
            {"criterion": v.criterion, "name": rubric.criterion(v.criterion).name,
             "short": rubric.criterion(v.criterion).short,
             "weight": rubric.criterion(v.criterion).weight, "scores": list(v.scores), "mean": v.mean,
             "spread": v.spread, "disagree": v.disagree}
            for v in c.criteria
        ],
        "percent": result.percent if result else None,
        "classification": result.classification if result else None,
        "classification_label": CLASSIFICATION_LABELS.get(result.classification or "") if result else None,
        "caps": [a.text(rubric) for a in result.caps] if result else [],
        "disagreements": list(c.disagreements),
    }
    return out


def recommendation_json(rec: Recommendation) -> dict[str, Any]:
    r = rec.request
    return {
        "request": {"goals": list(r.goals), "scope": r.scope, "ownership": r.ownership,
                    "cost_capacity": r.cost_capacity, "resources_committed": r.resources_committed},
        "best": rec.best.type_id if rec.best else None,
        "ranking": [{"type": v.type_id, "name": v.name, "fits": v.fits, "points": v.points,
                     "reasons": list(v.reasons), "summary": v.summary} for v in rec.verdicts],
        "cost": {"tier": rec.cost.tier, "points": rec.cost.points, "drivers": list(rec.cost.drivers),
                 "summary": rec.cost.summary},
        "notes": rec.notes,
    }
