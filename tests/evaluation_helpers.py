"""Submitting a scored evaluation through the public operations, for tests that need one."""

from __future__ import annotations

from dtlab.db.reference import current_rubric
from dtlab.db.store import Store
from dtlab.domain.stages import Stage
from dtlab.services.cases import create_case, update_case
from dtlab.services.evaluations import save_scores, start_evaluation, submit_evaluation


def design_case(store: Store) -> str:
    """A case at concept design whose request the Initiative type fits best."""
    ref = create_case(store, {"title": "Innovation hub", "country": "KE"}, entry_stage=Stage.CONCEPT_DESIGN,
                      entry_reason="assessed offline")
    update_case(store, ref, {"proposed_type": "initiative", "scope": "national", "ownership": "host_institution",
                             "goals": "ecosystem"})
    return ref


def evaluate(store: Store, ref: str, evaluator: str, each: int = 3, **scores: int) -> str:
    """Score every criterion `each` (or as given) and submit; returns the classification."""
    with store.read() as s:
        _rubric_id, rubric = current_rubric(s)
    evaluation = start_evaluation(store, ref, evaluator)
    save_scores(store, evaluation, {c.id: scores.get(c.id, each) for c in rubric.criteria})
    return submit_evaluation(store, evaluation)
