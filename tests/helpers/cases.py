"""Cases brought to a given point through the public operations, for tests that need one there:
walked along the path, at concept design with evaluations, or a centre with its plan."""

from __future__ import annotations

from dtlab.db.reference import current_rubric
from dtlab.db.store import Store
from dtlab.domain.stages import MoveKind, Stage
from dtlab.services.cases import create_case, move_case, update_case
from dtlab.services.evaluations import save_scores, start_evaluation, submit_evaluation
from dtlab.services.plans import add_kpi_to_plan, instantiate_plan


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


def walk_to(store: Store, ref: str, stage: Stage) -> None:
    """Meet each gate through the public operations and advance, up to `stage`."""
    steps = {
        Stage.INTEREST: lambda: update_case(store, ref, {"applicant": "Kenya ICT Authority", "channel": "letter",
                                                         "received_on": "2025-02-01"}),
        Stage.ASSESSMENT: lambda: update_case(store, ref, {"findings": "Ready", "human_resources": "4 staff",
                                                           "financial_resources": "USD 200k"}),
        Stage.CONCEPT_DESIGN: lambda: (
            update_case(store, ref, {"proposed_type": "digital_transformation", "scope": "national",
                                     "ownership": "country", "goals": "ecosystem"}),
            evaluate(store, ref, "L. Chen")),
        Stage.AGREEMENT: lambda: update_case(store, ref, {"agreement_ref": "BDT/JS/2026/001",
                                                          "signed_on": "2025-05-01"}),
        Stage.IMPLEMENTATION: lambda: (update_case(store, ref, {"launch_on": "2024-01-15"}),
                                       add_kpi_to_plan(store, ref, "Start-ups supported", "count", 0, 40)),
        Stage.OPERATION: lambda: update_case(store, ref, {"period_evaluated_on": "2026-06-01"}),
    }
    for current in list(Stage)[: stage.position]:
        steps[current]()
        move_case(store, ref, MoveKind.ADVANCE)


def planned_centre(store: Store, launch: str = "2025-01-15", accredited: str | None = "2025-03-01") -> str:
    ref = create_case(store, {"title": "Andes hub", "country": "PE"})
    walk_to(store, ref, Stage.IMPLEMENTATION)
    fields = {"launch_on": launch}
    if accredited:
        fields["accredited_on"] = accredited
    update_case(store, ref, fields)
    instantiate_plan(store, ref)
    return ref
