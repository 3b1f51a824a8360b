"""The evaluation form, driven by keyboard alone: score, read the levels, see the total and caps
change, submit, and see the case's gate turn from unmet to met; a submitted evaluation is locked."""

from __future__ import annotations

import pytest
from sqlmodel import select
from textual.widgets import Select

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.models import Evaluation, EvaluationScore
from dtlab.db.store import Store
from dtlab.screens.evaluation import CriterionRow, EvaluationScreen
from dtlab.widgets.dialogs import ConfirmDialog, ReasonDialog, ValuesDialog
from tests.helpers.cases import design_case
from tests.helpers.pilot import dialog_shown, evaluate_by_keyboard, notices, open_case, paste, settle, text_of

pytestmark = [pytest.mark.functional, pytest.mark.both_databases]  # the screens on either database


async def open_new_evaluation(pilot, ref: str) -> EvaluationScreen:  # type: ignore[no-untyped-def]
    screen = await open_case(pilot, ref)
    await pilot.press("e")
    await settle(pilot, lambda: isinstance(pilot.app.screen, ValuesDialog))
    await pilot.press("enter")
    await settle(pilot, lambda: isinstance(pilot.app.screen, EvaluationScreen)
                 and bool(pilot.app.screen.query(CriterionRow)))
    assert screen is not pilot.app.screen
    return pilot.app.screen


def total(screen: EvaluationScreen) -> str:
    return text_of(screen, "#evaluation-total")


async def test_an_evaluation_by_keyboard_turns_the_gate_from_unmet_to_met(store: Store, fresh_target: str) -> None:
    ref = design_case(store)
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        case_screen = await open_case(pilot, ref)
        assert "✗ the submitted evaluations, consolidated, recommend the concept design (none submitted)" in (
            text_of(case_screen, "#gate-concept_design"))
        app.pop_screen()
        screen = await open_new_evaluation(pilot, ref)
        case_screen = app.screen_stack[-2]
        rows = list(screen.query(CriterionRow))
        assert len(rows) == 7 and rows[0].has_focus
        assert "Fit with national needs and priorities" in rows[0].shown
        # l shows what every level means; the chosen level's words stay once scored.
        await pilot.press("l")
        assert "Built on a documented national strategy" in rows[0].shown
        await pilot.press("l", "4")
        assert "evidence of demand from stakeholders" in rows[0].shown
        assert rows[1].has_focus and total(screen).startswith("1 of 7 criteria scored")
        await pilot.press("3", "3", "3", "3", "3", "3")
        # 15*4 + 85*3 = 315 of 400.
        assert "Total 78.8% → Recommend" in total(screen)
        await pilot.press("w")
        await settle(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await paste(pilot, "two flagships designed")
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is screen)
        assert "why: two flagships designed" in rows[6].shown
        await pilot.press("ctrl+u")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("enter")  # the highlighted answer is the one asked for: Submit
        await settle(pilot, lambda: app.screen is case_screen
                     and "✓ the submitted evaluations" in text_of(case_screen, "#gate-concept_design"))
        assert "(1 evaluator: recommend)" in text_of(case_screen, "#gate-concept_design")
        assert "Evaluators (1): Recommend 78.8%" in text_of(case_screen, "#extra-concept_design")
    with store.read() as s:
        (evaluation,) = s.scalars(select(Evaluation)).all()
        assert evaluation.submitted_at is not None and evaluation.classification == "recommend"
        assert evaluation.percent == 78.8 and evaluation.evaluator == "tester"
        comments = {e.criterion: e.comment for e in s.scalars(select(EvaluationScore))}
        assert comments["flagships"] == "two flagships designed"


async def test_caps_show_live_and_submitting_an_incomplete_one_is_refused(store: Store, fresh_target: str) -> None:
    ref = design_case(store)
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_new_evaluation(pilot, ref)
        await pilot.press("4", "4", "0")
        assert "capped: Committed human and financial resources scored 0, below 1" in total(screen)
        told = notices(app)
        await pilot.press("ctrl+u")
        await settle(pilot, lambda: told)
        assert app.screen is screen  # no confirmation: four criteria are not scored yet
        assert told[0].startswith("Score every criterion first; not yet: ")
        await pilot.press("4", "4", "4", "4")
        assert "→ Decline" in total(screen) and "at most “decline”" in total(screen)
        # Leaving with unsaved scores asks first; saving keeps a draft.
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("enter")  # "Keep editing" has the focus
        await settle(pilot, lambda: app.screen is screen)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not screen.dirty)
    with store.read() as s:
        (evaluation,) = s.scalars(select(Evaluation)).all()
        assert evaluation.submitted_at is None
        assert {e.criterion: e.score for e in s.scalars(select(EvaluationScore))}["resources"] == 0


async def test_a_submitted_evaluation_is_read_only_and_amending_opens_a_new_revision(store: Store,
                                                                                     fresh_target: str) -> None:
    ref = design_case(store)
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        case_screen = await open_case(pilot, ref)
        await evaluate_by_keyboard(pilot, case_screen, "3333333")
        await settle(pilot, lambda: "Evaluators (1)" in text_of(case_screen, "#extra-concept_design"))
        await pilot.press("e")
        await dialog_shown(pilot)
        dialog = app.screen
        select_widget = dialog.query_one("#v-open", Select)
        assert select_widget.has_focus
        await pilot.press("enter", "down", "enter")  # open the list, pick the evaluation
        await settle(pilot, lambda: select_widget.value is not Select.NULL)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, EvaluationScreen) and app.screen.draft is not None)
        screen = app.screen
        assert "submitted: read-only" in text_of(screen, "#evaluation-head")
        told: list[str] = []
        notify = app.notify
        app.notify = lambda message, **kw: (told.append(str(message)), notify(message, **kw))[1]  # type: ignore[method-assign]
        await pilot.press("1")
        assert "Total 75% → Recommend" in total(screen)  # unchanged: locked, and the user is told
        assert any("locked; a amends it" in m for m in told)
        await pilot.press("a")
        await settle(pilot, lambda: screen.draft is not None and screen.draft.revision == 2)
        assert "revision 2" in text_of(screen, "#evaluation-head") and "draft" in text_of(screen, "#evaluation-head")
        with store.read() as s:
            revisions = sorted((e.revision, e.submitted_at is not None) for e in s.scalars(select(Evaluation)))
        assert revisions == [(1, True), (2, False)]
        # Left without a change, the amendment is set aside: no empty copy lingers.
        await pilot.press("escape")

        def set_aside() -> bool:
            with store.read() as s:
                return s.scalars(select(Evaluation).where(Evaluation.revision == 2)).one().deleted_at is not None

        await settle(pilot, lambda: app.screen is case_screen and set_aside())
