"""More of what a trusted laptop (stolen, compromised or buggy) cannot do that its user could
not: forget, in its vector, what it had already acknowledged; delete what no local user deletes;
jump a case from a stage it is not at; score a criterion the rubric does not have; name an
actor of any length. Each bundle is refused (exit 4) with nothing written."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from dtlab.db.models import Case, Evaluation
from dtlab.db.reference import current_rubric
from dtlab.domain import clock
from dtlab.domain.ids import new_id
from dtlab.domain.rubric import score
from dtlab.services.cases import create_case, update_case
from tests.helpers.cases import design_case, evaluate
from tests.helpers.forge import Forger, own_forger, seen_hq_case
from tests.helpers.sites import Site, refused

pytestmark = pytest.mark.functional


@pytest.fixture
def pair(trusting: tuple[Site, Site]) -> tuple[Site, Site]:
    return trusting


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


_own = own_forger


def _forgetting(forger: Forger) -> dict[str, int]:
    """A vector that has forgotten every site but the sender."""
    return {forger.origin: forger.ops[-1]["seq"]}


_hq_case = seen_hq_case


def _later(forger: Forger) -> int:
    """A clock after every write so far, as the laptop's would be once it had seen HQ's."""
    return max(forger.ops[-1]["hlc"], clock.pack(clock.wall_ms(), 0)) + 1


def _advance(forger: Forger, case_id: str, before: str, after: str, **transition: Any) -> None:
    forger.add("cases", case_id, "update", {"stage": [before, after]}, case_id, hlc=_later(forger))
    forger.add("transitions", new_id(), "insert", {k: [None, v] for k, v in {
        "case_id": case_id, "kind": "advance", "from_stage": before, "to_stage": after, "status": "open",
        "at": _now(), **transition}.items()}, case_id, hlc=_later(forger))


def test_a_vector_that_forgets_what_it_acknowledged_cannot_skip_a_gate(pair: tuple[Site, Site],
                                                                       tmp_path: Path) -> None:
    """F1: with HQ left out of its vector, the laptop's advance would look concurrent with HQ's
    writes and its gate go unjudged; HQ would store a move every other site refuses."""
    hq, field = pair
    case_id = _hq_case(hq, field)
    forger = _own(field)
    _advance(forger, case_id, "interest", "assessment")
    refused(hq, forger.bundle(tmp_path / "honest.dtlab"), "unmet gate")
    refused(hq, forger.bundle(tmp_path / "lying.dtlab", vector=_forgetting(forger)),
            "vector goes back on what NBO acknowledged")
    assert hq.take(field.export()).operations > 0  # the laptop's own bundle still goes through


def test_a_vector_that_forgets_what_it_acknowledged_cannot_unlock_an_evaluation(pair: tuple[Site, Site],
                                                                               tmp_path: Path) -> None:
    """F2: a submitted evaluation, seen submitted, cannot be rescored by forgetting it was."""
    hq, field = pair
    ref = design_case(hq.store)
    evaluate(hq.store, ref, "hq")
    field.take(hq.export("NBO"))
    hq.take(field.export())  # its vector acknowledges HQ's operations, the submission among them
    forger = _own(field)
    with hq.store.read() as s:
        (evaluation,) = s.scalars(select(Evaluation)).all()
        case_id = evaluation.case_id
    forger.add("evaluations", evaluation.id, "update", {"comment": [None, "rewritten"]}, case_id)
    refused(hq, forger.bundle(tmp_path / "honest.dtlab"), "submitted and locked")
    refused(hq, forger.bundle(tmp_path / "lying.dtlab", vector=_forgetting(forger)),
            "vector goes back on what NBO acknowledged")


def test_a_gate_is_judged_on_the_facts_held_even_beside_an_unseen_write(pair: tuple[Site, Site],
                                                                        tmp_path: Path) -> None:
    """An advance that overrides nothing, of a case HQ has since renamed unseen by the laptop, is
    judged on HQ's facts all the same: a rename changes nothing a gate reads, so the laptop's facts
    were these, and a vector cannot pass the advance off as made past a concurrent edit (one of
    what the gate reads is `test_sync_gate_race`)."""
    hq, field = pair
    case_id = _hq_case(hq, field)
    with hq.store.read() as s:
        ref = s.get(Case, case_id).ref  # type: ignore[union-attr]
    update_case(hq.store, ref, {"title": "HQ case, renamed"})  # a write the laptop has not seen
    forger = _own(field)
    _advance(forger, case_id, "interest", "assessment")
    refused(hq, forger.bundle(tmp_path / "concurrent.dtlab"), "unmet gate")
    del forger.ops[-2:]
    _advance(forger, case_id, "interest", "assessment", overridden="the applicant", reason="agreed by phone")
    assert hq.take(forger.bundle(tmp_path / "override.dtlab")).applied > 0


def test_only_what_a_site_deletes_is_deleted(pair: tuple[Site, Site], tmp_path: Path) -> None:
    """F5: no local service deletes a case, so no bundle does; a plan item's removal still arrives."""
    hq, field = pair
    case_id = _hq_case(hq, field)
    forger = _own(field)
    forger.add("cases", case_id, "delete", {"deleted_at": [None, _now()]}, case_id)
    refused(hq, forger.bundle(tmp_path / "delete.dtlab"), "no site deletes cases records")
    forger.ops.pop()
    forger.add("notes", new_id(), "insert", {"case_id": [None, case_id], "body": [None, "gone"],
                                             "deleted_at": [None, _now()]}, case_id)
    refused(hq, forger.bundle(tmp_path / "note.dtlab"), "no site deletes notes records|delete, and only")
    forger.ops.pop()
    milestone = new_id()
    forger.add("milestones", milestone, "insert", {"case_id": [None, case_id], "title": [None, "Launch"]}, case_id)
    forger.add("milestones", milestone, "delete", {"deleted_at": [None, _now()]}, case_id)
    assert hq.take(forger.bundle(tmp_path / "removed.dtlab")).applied > 0


def test_a_move_leaves_the_stage_the_case_is_at(pair: tuple[Site, Site], tmp_path: Path) -> None:
    """F4: a stage change and an overriding move from a stage the case is not at would jump it
    along the path; refused whichever comes first. A move from where it is still goes through."""
    hq, field = pair
    case_id = _hq_case(hq, field)
    forger = _own(field)
    why = {"overridden": "everything", "reason": "because"}
    _advance(forger, case_id, "implementation", "operation", **why)
    refused(hq, forger.bundle(tmp_path / "update-first.dtlab"), "moves the case from implementation, but the "
            "case is at interest here")
    forger.ops[-2:] = forger.ops[-2:][::-1]
    forger.ops[-2]["seq"], forger.ops[-1]["seq"] = forger.ops[-1]["seq"], forger.ops[-2]["seq"]
    refused(hq, forger.bundle(tmp_path / "move-first.dtlab"), "leaves implementation, but the case is at "
            "interest here")
    del forger.ops[-2:]
    _advance(forger, case_id, "interest", "assessment", **why)
    _advance(forger, case_id, "assessment", "concept_design", **why)
    assert hq.take(forger.bundle(tmp_path / "walk.dtlab")).applied > 0
    with hq.store.read() as s:
        assert s.get(Case, case_id).stage == "concept_design"  # type: ignore[union-attr]


def test_a_score_is_of_the_rubric_and_never_added_to_a_locked_evaluation(pair: tuple[Site, Site],
                                                                        tmp_path: Path) -> None:
    """F6: a score of a criterion the rubric does not have, or a new score of an evaluation HQ
    submitted and the laptop had seen submitted, is refused."""
    hq, field = pair
    ref = design_case(hq.store)
    evaluate(hq.store, ref, "hq")
    field.take(hq.export("NBO"))
    hq.take(field.export())
    forger = _own(field)
    with hq.store.read() as s:
        (evaluation,) = s.scalars(select(Evaluation)).all()
        criterion = current_rubric(s)[1].criteria[0].id

    def add_score(of: str) -> None:
        forger.add("evaluation_scores", new_id(), "insert", {k: [None, v] for k, v in {
            "case_id": evaluation.case_id, "evaluation_id": evaluation.id, "criterion": of, "score": 0}.items()},
            evaluation.case_id)

    add_score("world_peace")
    refused(hq, forger.bundle(tmp_path / "unknown.dtlab"), "'world_peace' is not a criterion")
    forger.ops.pop()
    add_score(criterion)
    refused(hq, forger.bundle(tmp_path / "locked.dtlab"), "submitted and locked")


def test_an_actor_is_bounded_like_a_name(pair: tuple[Site, Site], tmp_path: Path) -> None:
    """F9: an actor of 400 KB would be logged and relayed to every site."""
    hq, field = pair
    case_id = _hq_case(hq, field)
    forger = _own(field)
    forger.add("notes", new_id(), "insert", {"case_id": [None, case_id], "body": [None, "hello"]}, case_id,
               actor="m" * 400_000)
    refused(hq, forger.bundle(tmp_path / "actor.dtlab"), "actor is longer than 200 characters")
    forger.ops[-1]["actor"] = "m" * 200
    assert hq.take(forger.bundle(tmp_path / "name.dtlab")).applied > 0


def _new_evaluation(forger: Any, case_id: str, rubric_id: str, **fields: Any) -> str:
    """An evaluation the forged bundle inserts, by mallory, with `fields` beside the required."""
    evaluation = new_id()
    forger.add("evaluations", evaluation, "insert", {k: [None, v] for k, v in {
        "case_id": case_id, "evaluator": "mallory", "rubric_id": rubric_id, "revision": 1, **fields}.items()},
        case_id)
    return evaluation


def _new_score(forger: Any, case_id: str, evaluation: str, criterion: str) -> None:
    forger.add("evaluation_scores", new_id(), "insert", {k: [None, v] for k, v in {
        "case_id": case_id, "evaluation_id": evaluation, "criterion": criterion, "score": 1}.items()}, case_id)


def test_an_evaluation_inserted_submitted_is_scored_and_classified_by_its_scores(pair: tuple[Site, Site],
                                                                                 tmp_path: Path) -> None:
    """F7: an evaluation inserted already submitted, its verdict the bundle's and no scores, is
    refused; with every criterion scored and the verdict they give, it goes through."""
    hq, field = pair
    case_id = _hq_case(hq, field)
    forger = _own(field)
    with hq.store.read() as s:
        rubric_id, rubric = current_rubric(s)
    evaluation = _new_evaluation(forger, case_id, rubric_id, classification="recommend", percent=100.0,
                                 submitted_at=_now())
    refused(hq, forger.bundle(tmp_path / "verdict.dtlab"), "submitted with criteria unscored")
    for criterion in rubric.criteria:
        _new_score(forger, case_id, evaluation, criterion.id)
    refused(hq, forger.bundle(tmp_path / "scored.dtlab"), "its scores give")
    result = score(rubric, {c.id: 1 for c in rubric.criteria})
    forger.ops[-1 - len(rubric.criteria)]["changes"].update(
        classification=[None, result.classification], percent=[None, result.percent])
    assert hq.take(forger.bundle(tmp_path / "honest.dtlab")).applied > 0


def test_a_score_of_an_evaluation_the_bundle_brings_is_of_its_rubric(pair: tuple[Site, Site],
                                                                     tmp_path: Path) -> None:
    """The scores of an evaluation new in the bundle are checked without reading the database
    (nothing held here can lock them), but still against the rubric the bundle gives it."""
    hq, field = pair
    case_id = _hq_case(hq, field)
    forger = _own(field)
    with hq.store.read() as s:
        rubric_id, rubric = current_rubric(s)
    evaluation = _new_evaluation(forger, case_id, rubric_id)
    _new_score(forger, case_id, evaluation, "world_peace")
    refused(hq, forger.bundle(tmp_path / "unknown.dtlab"), "'world_peace' is not a criterion")
    forger.ops.pop()
    _new_score(forger, case_id, evaluation, rubric.criteria[0].id)
    assert hq.take(forger.bundle(tmp_path / "scored.dtlab")).applied > 0


def test_judged_advances_of_one_case_are_bounded_per_bundle(pair: tuple[Site, Site], tmp_path: Path) -> None:
    """Each advance judged against its gate reads the case's facts; a bundle of thousands of
    round trips over thousands of records would cost their product under HQ's write lock. Past
    JUDGED_ADVANCES of one case in one bundle, the bundle is refused."""
    from dtlab.domain.stages import MoveKind
    from dtlab.services.cases import move_case
    from dtlab.sync.admit import JUDGED_ADVANCES

    hq, field = pair
    ref = create_case(field.store, {"title": "Round trips", "country": "KE"})
    update_case(field.store, ref, {"applicant": "Kenya ICT Authority", "channel": "letter",
                                   "received_on": "2025-02-01"})
    for _ in range(JUDGED_ADVANCES + 1):
        move_case(field.store, ref, MoveKind.ADVANCE)
        move_case(field.store, ref, MoveKind.BACK)
    refused(hq, field.export(), f"more than {JUDGED_ADVANCES} advances of one case")


def test_entering_past_the_first_stage_needs_a_reason_here_and_from_a_bundle(pair: tuple[Site, Site],
                                                                            tmp_path: Path) -> None:
    from dtlab.domain.stages import Stage
    from dtlab.errors import Invalid

    hq, field = pair
    with pytest.raises(Invalid, match="entering at .* needs a reason"):
        create_case(field.store, {"title": "Partner", "country": "KE"}, entry_stage=Stage.OPERATION)
    create_case(field.store, {"title": "Partner", "country": "KE"}, entry_stage=Stage.OPERATION,
                entry_reason="an existing partner centre", entry_override=True)
    forger = _own(field)
    entry = next(op for op in forger.ops if op["table"] == "transitions")
    entry["changes"]["reason"] = [None, None]
    refused(hq, forger.bundle(tmp_path / "no-reason.dtlab"), "an entry past the first stage needs a reason")
    # An entry past concept design that does not say it overrides the evaluation: refused, as here.
    entry["changes"]["reason"] = [None, "an existing partner centre"]
    entry["changes"].pop("overridden")
    refused(hq, forger.bundle(tmp_path / "no-override.dtlab"), "skips the concept design's evaluation")
    entry["changes"]["overridden"] = [None, "the evaluation"]
    assert hq.take(forger.bundle(tmp_path / "overridden.dtlab")).applied > 0
