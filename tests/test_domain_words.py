"""The domain's sentences in another language: read in it, kept in English. A gate's conditions,
a due rule, the guide's reasons are shown in the language in use, while what is stored (an
override's conditions) and what a form reads back (a due rule) stays English."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from dtlab.db.models import Transition
from dtlab.db.store import Store
from dtlab.domain import gates
from dtlab.domain.board import DECISION_LABELS, Decision
from dtlab.domain.fields import FieldError, parse_date
from dtlab.domain.guide import CentreTypeRule, consistency_problems
from dtlab.domain.monitoring import Anchor, DueRule, parse_rule, rag_rule
from dtlab.domain.said import Said, _, english, ngettext
from dtlab.domain.stages import STAGE_LABELS, MoveKind, Stage
from dtlab.services.cases import create_case, move_case
from dtlab.services.plans import due_text
from tests.helpers.pseudo_language import shout, speak

pytestmark = pytest.mark.unit


@pytest.fixture
def shouting(monkeypatch: pytest.MonkeyPatch) -> None:
    speak(monkeypatch, shout)


def test_said_keeps_its_english_through_format(shouting: None) -> None:
    said = _("{n} is {what}").format(n=3, what=_("many"))
    assert said == "3 IS MANY" and english(said) == "3 is many"
    days = ngettext("{n} day", "{n} days", 2).format(n=2)
    assert (days, english(days)) == ("2 DAYS", "2 days")
    assert english("typed by a user") == "typed by a user"
    assert isinstance(said.lower(), Said) and said.lower().english == "3 is many"


def test_labels_are_read_in_the_language_in_use(shouting: None) -> None:
    assert STAGE_LABELS[Stage.INTEREST] == "EXPRESSION OF INTEREST"
    assert english(STAGE_LABELS[Stage.INTEREST]) == "Expression of interest"
    assert DECISION_LABELS[Decision.NOT_APPROVED] == "NOT APPROVED"
    with pytest.raises(FieldError, match="received_on: 'soon' IS NOT A DATE"):
        parse_date("soon", "received_on")  # the field's name is the form's: never translated


def test_a_condition_is_shown_translated_and_kept_in_english(shouting: None) -> None:
    rule = CentreTypeRule("hub", "Hub", ("itu",), ("global",), (), "high")
    facts = gates.CaseFacts(stage=Stage.CONCEPT_DESIGN, proposed_type="hub", recommended_type="lab",
                            recommended_name="Lab", type_problems=tuple(consistency_problems(rule, "national", "itu")),
                            evaluations_counted=2, consolidated_classification="revise")
    evaluation, proposed, fit = gates.checklist(facts)
    assert evaluation.text.startswith("THE SUBMITTED EVALUATIONS")
    assert evaluation.english == ("the submitted evaluations, consolidated, recommend the concept design "
                                  "(2 evaluators: revise and resubmit)")
    assert fit.text == ("THE PROPOSED TYPE DIFFERS FROM THE RECOMMENDATION: RECORD WHY (THE BEST FIT IS Lab; "
                        "Hub NEEDS GLOBAL SCOPE; THIS REQUEST IS NATIONAL)")  # names are data
    assert fit.english == ("the proposed type differs from the recommendation: record why (the best fit is Lab; "
                           "Hub needs global scope; this request is national)")


def test_a_due_rule_is_read_translated_and_typed_in_english(shouting: None) -> None:
    rule = DueRule(anchor=Anchor.ACCREDITATION, months=-1, days=-5)
    assert rule.words == "1 MONTH AND 5 DAYS BEFORE THE START OF ACCREDITATION"
    assert parse_rule(rule.words.english) == rule
    assert DueRule(fixed=date(2027, 3, 31)).words == "ON 2027-03-31"
    milestone = {"anchor": "launch", "months": 6, "days": 0, "due_on": None, "rule": "6 MONTHS AFTER LAUNCH"}
    assert due_text(milestone) == "6 months after launch"


def test_the_kpi_rule_is_read_translated_and_given_in_english(shouting: None) -> None:
    assert rag_rule().startswith("PROGRESS FOR A REPORTING YEAR") and "GREEN: 90\u00a0% OF THE WAY" in rag_rule()
    assert english(rag_rule()).startswith("Progress for a reporting year")
    assert "Red: less than 60\u00a0%." in english(rag_rule())


def test_an_override_stores_the_conditions_in_english(store: Store, shouting: None) -> None:
    ref = create_case(store, {"title": "Innovation hub", "country": "KE"})
    result = move_case(store, ref, MoveKind.ADVANCE, reason="fast-track", override=True)
    assert "AN APPLICANT ORGANISATION IS RECORDED" in result.overridden
    with store.read() as session:
        stored = session.scalars(select(Transition).where(Transition.kind == "advance")).one().overridden
    assert stored is not None and "an applicant organisation is recorded" in stored.splitlines()
