"""Evaluations in the database: a submitted one is locked (by the data layer and by triggers), a
rubric change leaves old evaluations as they were, an upgrade needs new evaluations, and nothing
is written once the case has left concept design."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlmodel import select

from dtlab.db.cases import get_case
from dtlab.db.concept import case_evaluations
from dtlab.db.engine import write_session
from dtlab.db.models import Evaluation
from dtlab.db.reference import current_rubric, load_reference, seeds_dir
from dtlab.db.store import Store
from dtlab.domain.stages import MoveKind, Stage
from dtlab.errors import Invalid
from dtlab.services.cases import create_case, move_case, update_case
from dtlab.services.evaluations import amend_evaluation, save_scores, start_evaluation, submit_evaluation
from tests.helpers.cases import design_case, evaluate

pytestmark = pytest.mark.unit

CRITERIA = ("national_fit", "goal_fit", "resources", "stakeholders", "building_blocks", "sustainability",
            "flagships")



def evaluations_of(store: Store, ref: str):  # type: ignore[no-untyped-def]
    with store.read() as s:
        return case_evaluations(s, get_case(s, ref))


def test_a_submitted_evaluation_cannot_be_edited(store: Store, db_path: Path) -> None:
    ref = design_case(store)
    evaluate(store, ref, "amina")
    with store.read() as s:
        evaluation_id = s.scalars(select(Evaluation.id)).one()
    with pytest.raises(Invalid, match="submitted and locked"):
        save_scores(store, evaluation_id, {"resources": 0})
    with pytest.raises(Invalid, match="already submitted"):
        submit_evaluation(store, evaluation_id)
    # Below the data layer too: the triggers refuse an edit whatever writes it.
    conn = sqlite3.connect(db_path)
    try:
        for sql in ("UPDATE evaluations SET classification = 'decline'",
                    "UPDATE evaluation_scores SET score = 0 WHERE criterion = 'resources'",
                    "INSERT INTO evaluation_scores (id, created_at, updated_at, updated_by, change_id, case_id, "
                    "evaluation_id, criterion, score) SELECT 'x', '2999-01-01 00:00:00.000000', "
                    "'2999-01-01 00:00:00.000000', 'x', 1, case_id, id, 'extra', 4 FROM evaluations"):
            with pytest.raises(sqlite3.IntegrityError, match="locked|change-log"):
                conn.execute(sql)
    finally:
        conn.close()
    (view,) = evaluations_of(store, ref).evaluations
    assert view.classification == "recommend" and view.scores["resources"] == 3


def test_an_evaluator_who_submitted_is_refused_a_second_one_or_given_theirs(store: Store) -> None:
    ref = design_case(store)
    evaluate(store, ref, "amina")
    with store.read() as s:
        submitted = s.scalars(select(Evaluation.id)).one()
    with pytest.raises(Invalid, match="amina has submitted an evaluation .* amend it"):
        start_evaluation(store, ref, "amina")
    assert start_evaluation(store, ref, "amina", or_submitted=True) == submitted
    assert start_evaluation(store, ref, "bob", or_submitted=True) != submitted  # a new draft for bob


def test_an_amendment_keeps_the_old_revision_as_it_was(store: Store) -> None:
    ref = design_case(store)
    evaluate(store, ref, "amina")
    with store.read() as s:
        first = s.scalars(select(Evaluation.id)).one()
    second = amend_evaluation(store, first)
    assert amend_evaluation(store, first) == second  # the amendment under way, not a third
    save_scores(store, second, {"resources": 1})
    assert evaluations_of(store, ref).classification == "recommend"  # a draft amendment does not count yet
    submit_evaluation(store, second)
    views = evaluations_of(store, ref)
    assert [(v.revision, v.standing, v.scores["resources"]) for v in views.evaluations] == [
        (1, "amended", 3), (2, "counts", 1)]
    assert views.classification == "revise"
    with pytest.raises(Invalid, match="already amends"):
        amend_evaluation(store, first)


def test_a_rubric_change_leaves_submitted_evaluations_as_they_were(store: Store, tmp_path: Path) -> None:
    ref = design_case(store)
    evaluate(store, ref, "amina")
    with store.read() as s:
        old_id, _ = current_rubric(s)
    # A new rubric: flagships now weigh 30, and national fit below 4 caps at revise.
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), seeds)
    text = (seeds / "rubric.toml").read_text("utf-8")
    text = text.replace('id = "flagships"\nshort_en = "Flagships"', 'id = "flagships"\nshort_en = "Flagships"', 1)
    text = text.replace("weight = 10\nlevels_en = [\n  \"No flagship", "weight = 30\nlevels_en = [\n  \"No flagship", 1)
    text = text.replace('id = "national_fit"\nshort_en = "National fit"',
                        'id = "national_fit"\nshort_en = "National fit"\ncaps = [{ below = 4, at_most = "revise" }]', 1)
    (seeds / "rubric.toml").write_text(text, "utf-8")
    with write_session(store.engine) as s:
        assert load_reference(s, seeds) == ["rubric.toml"]
    with store.read() as s:
        new_id, new_rubric = current_rubric(s)
    assert new_id != old_id and new_rubric.criterion("flagships").weight == 30
    before = evaluations_of(store, ref)
    (amina,) = before.evaluations
    # Read with its own version: 75 %, recommend, as when it was submitted.
    assert amina.rubric_id == old_id and amina.result is not None and amina.result.percent == 75.0
    assert before.classification == "recommend"
    # A new evaluation is scored with the new rubric; evaluators are consolidated under one rubric.
    evaluate(store, ref, "bob")
    after = evaluations_of(store, ref)
    standings = {v.evaluator: (v.rubric_id, v.standing) for v in after.evaluations}
    assert standings == {"amina": (old_id, "other rubric"), "bob": (new_id, "counts")}
    assert after.rubric_id == new_id and after.classification == "revise"  # national fit 3 is below 4 now


def test_an_upgrade_needs_new_evaluations_and_sets_old_drafts_aside(store: Store) -> None:
    from tests.helpers.cases import walk_to

    ref = create_case(store, {"title": "Hub", "country": "KE"})
    walk_to(store, ref, Stage.RENEWAL)
    update_case(store, ref, {"renewal_outcome": "upgraded"})
    move_case(store, ref, MoveKind.ADVANCE)
    views = evaluations_of(store, ref)
    assert [v.standing for v in views.evaluations] == ["before upgrade"] and views.classification is None
    evaluate(store, ref, "L. Chen")  # the same evaluator, for the new type
    assert [v.standing for v in evaluations_of(store, ref).evaluations] == ["before upgrade", "counts"]


def test_nothing_is_written_once_the_case_has_left_concept_design(store: Store) -> None:
    ref = design_case(store)
    evaluate(store, ref, "amina")
    draft = start_evaluation(store, ref, "bob")
    move_case(store, ref, MoveKind.ADVANCE)
    with store.read() as s:
        submitted = s.scalars(select(Evaluation.id).where(Evaluation.evaluator == "amina")).one()
    for attempt in (lambda: save_scores(store, draft, {c: 0 for c in CRITERIA}),
                    lambda: submit_evaluation(store, draft),
                    lambda: amend_evaluation(store, submitted),
                    lambda: start_evaluation(store, ref, "carol")):
        with pytest.raises(Invalid, match="evaluations are written while the case is open at Concept design"):
            attempt()
    assert evaluations_of(store, ref).classification == "recommend"

