"""What a record is stays what it was written as (a case's ref, an evaluation's rubric, a figure's
KPI and year), here and from a bundle; and an evaluation without a rubric, a verdict recorded
before rubrics, is kept in its legacy form only and never counted."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from dtlab.db.changelog import LogError
from dtlab.db.concept import case_evaluations
from dtlab.db.models import Case, Evaluation
from dtlab.db.reference import current_rubric
from dtlab.domain.ids import new_id
from tests.helpers.cases import design_case, evaluate
from tests.helpers.forge import Forger, own_forger, seen_hq_case
from tests.helpers.sites import Site, refused

pytestmark = pytest.mark.functional


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


_field_case, _own = seen_hq_case, own_forger


def _verdict(forger: Forger, case_id: str, **extra: Any) -> str:
    evaluation = new_id()
    forger.add("evaluations", evaluation, "insert", {k: [None, v] for k, v in {
        "case_id": case_id, "evaluator": "mallory", "classification": "recommend",
        "submitted_at": _now(), **extra}.items()}, case_id)
    return evaluation


def test_a_verdict_before_rubrics_is_kept_as_such_and_never_counted(trusting: tuple[Site, Site],
                                                                    tmp_path: Path) -> None:
    hq, field = trusting
    case_id = _field_case(hq, field)
    forger = _own(field)
    evaluation = _verdict(forger, case_id)
    assert hq.take(forger.bundle(tmp_path / "legacy.dtlab")).applied > 0
    with hq.store.read() as s:
        view = case_evaluations(s, s.get(Case, case_id))
    (only,) = view.evaluations
    assert (only.id, only.standing, only.classification) == (evaluation, "no rubric", "recommend")
    assert view.classification is None  # it counts for nothing


@pytest.mark.parametrize("extra, why", [
    ({"percent": 97.5}, "it has no percentage"),
    ({"supersedes": "x" * 32, "revision": 2}, "only rubric evaluations are amended"),
    ({"revision": 3}, "only rubric evaluations are amended"),
])
def test_a_verdict_before_rubrics_has_the_legacy_form_only(trusting: tuple[Site, Site], tmp_path: Path,
                                                           extra: dict[str, Any], why: str) -> None:
    hq, field = trusting
    case_id = _field_case(hq, field)
    forger = _own(field)
    _verdict(forger, case_id, **extra)
    refused(hq, forger.bundle(tmp_path / "forged.dtlab"), why)


def test_an_evaluation_cannot_be_stripped_of_its_rubric_by_a_bundle(trusting: tuple[Site, Site],
                                                                   tmp_path: Path) -> None:
    """Without this, a draft stripped of its rubric would then be submitted with any verdict."""
    hq, field = trusting
    ref = design_case(field.store)
    with field.store.read() as s:
        case_id = s.scalars(select(Case.id).where(Case.ref == ref)).one()
    hq.take(field.export())
    forger = _own(field)
    with hq.store.read() as s:
        rubric_id = current_rubric(s)[0]
    evaluation = new_id()
    forger.add("evaluations", evaluation, "insert", {k: [None, v] for k, v in {
        "case_id": case_id, "evaluator": "mallory", "rubric_id": rubric_id}.items()}, case_id)
    forger.add("evaluations", evaluation, "update", {"rubric_id": [rubric_id, None]}, case_id)
    refused(hq, forger.bundle(tmp_path / "stripped.dtlab"), "keep the rubric_id they were written with")


def test_what_a_record_is_never_changes_here_either(trusting: tuple[Site, Site]) -> None:
    hq, _field = trusting
    ref = design_case(hq.store)
    evaluate(hq.store, ref, "hq")
    with pytest.raises(LogError, match="keep the ref"), hq.store.write() as s:
        s.scalars(select(Case).where(Case.ref == ref)).one().ref = "HQ-2026-9999"
    with pytest.raises(LogError, match="keep the rubric_id"), hq.store.write() as s:
        s.scalars(select(Evaluation)).one().rubric_id = None
