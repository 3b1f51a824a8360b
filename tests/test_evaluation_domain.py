"""The rubric's arithmetic, the centre-type recommendation and the cost tier, against examples
worked out by hand."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dtlab.db.reference import seeds_dir
from dtlab.domain.guide import CentreTypeRule
from dtlab.domain.recommend import Request, cost_tier, recommend
from dtlab.domain.rubric import Rubric, RubricError, consolidate, score

pytestmark = pytest.mark.unit

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def seed_rubric() -> Rubric:
    return Rubric.from_doc(tomllib.loads((seeds_dir() / "rubric.toml").read_text("utf-8")))


def seed_rules() -> list[CentreTypeRule]:
    doc = tomllib.loads((seeds_dir() / "centre_types.toml").read_text("utf-8"))
    return [CentreTypeRule(t["id"], t["name_en"], tuple(t["ownership"]), tuple(t["scopes"]), tuple(t["goals"]),
                           t["cost_tier"]) for t in doc["centre_type"]]


ALL_THREE = {c: 3 for c in ("national_fit", "goal_fit", "resources", "stakeholders", "building_blocks",
                            "sustainability", "flagships")}


def test_the_seed_rubric_weights_add_to_100_and_every_level_is_described() -> None:
    rubric = seed_rubric()
    assert sum(c.weight for c in rubric.criteria) == 100
    assert all(len(c.levels) == 5 and all(text.strip() for text in c.levels) for c in rubric.criteria)
    assert {c.id for c in rubric.criteria if c.critical} == {"resources", "sustainability"}


def test_weighted_total_and_threshold() -> None:
    # 3 everywhere: 300 of 400 points = 75 %, exactly the recommend threshold.
    result = score(seed_rubric(), ALL_THREE)
    assert (result.percent, result.classification, result.caps) == (75.0, "recommend", ())


def test_a_critical_criterion_caps_the_classification() -> None:
    scores = {**ALL_THREE, "national_fit": 4, "resources": 1, "building_blocks": 2, "flagships": 2}
    # 15*4 + 15*3 + 20*1 + 15*3 + 10*2 + 15*3 + 10*2 = 255 of 400 = 63.75 %: with conditions,
    # but resources below 2 caps it at revise.
    result = score(seed_rubric(), scores)
    assert result.percent == 63.8 and result.uncapped == "recommend_with_conditions"
    assert result.classification == "revise"
    assert [a.criterion for a in result.caps] == ["resources"]
    assert "no resources are committed" in result.caps[0].text(seed_rubric())


def test_no_resources_means_no_recommendation_however_high_the_rest() -> None:
    scores = {c: 4 for c in ALL_THREE} | {"resources": 0}
    result = score(seed_rubric(), scores)
    # 320 of 400 = 80 %, but both caps of the resources criterion apply; the more severe is the one
    # that counts, and the one reported.
    assert result.percent == 80.0 and result.uncapped == "recommend"
    assert result.classification == "decline"
    assert [a.cap.at_most for a in result.caps] == ["decline"]


def test_an_incomplete_evaluation_has_no_total_yet() -> None:
    result = score(seed_rubric(), {"national_fit": 2})
    assert result.percent is None and result.classification is None
    assert "resources" in result.missing and not result.complete


def test_out_of_range_scores_are_refused() -> None:
    with pytest.raises(RubricError, match="0 to 4"):
        score(seed_rubric(), {**ALL_THREE, "resources": 5})


def test_consolidation_means_and_flags_wide_disagreement() -> None:
    rubric = seed_rubric()
    amina = {**ALL_THREE, "stakeholders": 1}
    bob = {**ALL_THREE, "stakeholders": 4, "flagships": 2}
    merged = consolidate(rubric, [("amina", amina), ("bob", bob)])
    views = {v.criterion: v for v in merged.criteria}
    assert views["stakeholders"].mean == 2.5 and views["stakeholders"].spread == 3
    assert merged.disagreements == ("stakeholders",)  # flagships differ by 1 only
    # Means: all 3 except stakeholders 2.5 and flagships 2.5: 300 - 7.5 - 5 = 287.5 of 400 = 71.875 %.
    assert merged.result is not None
    assert merged.result.percent == 71.9 and merged.result.classification == "recommend_with_conditions"


def test_one_evaluator_below_a_critical_threshold_caps_the_consolidated_verdict() -> None:
    merged = consolidate(seed_rubric(), [("a", {**ALL_THREE, "resources": 1}), ("b", {**ALL_THREE, "resources": 3})])
    # The mean of 2 would pass the cap (70 %: with conditions); a's 1 (no resources committed)
    # withholds the recommendation.
    assert merged.result is not None
    assert merged.result.percent == 70.0 and merged.result.uncapped == "recommend_with_conditions"
    assert merged.result.classification == "revise"
    assert merged.result.caps[0].score == 1


def test_nothing_submitted_consolidates_to_nothing() -> None:
    assert consolidate(seed_rubric(), []).result is None


def test_a_rubric_with_a_missing_level_or_bad_cap_is_refused() -> None:
    doc: dict[str, Any] = tomllib.loads((seeds_dir() / "rubric.toml").read_text("utf-8"))
    doc["criterion"][0]["levels_en"] = doc["criterion"][0]["levels_en"][:4]
    with pytest.raises(RubricError, match="national_fit: needs 5 level descriptions"):
        Rubric.from_doc(doc)
    doc = tomllib.loads((seeds_dir() / "rubric.toml").read_text("utf-8"))
    doc["criterion"][2]["caps"][0]["at_most"] = "maybe"
    with pytest.raises(RubricError, match="resources: cap at_most 'maybe'"):
        Rubric.from_doc(doc)


@given(st.dictionaries(st.sampled_from(sorted(ALL_THREE)), st.integers(0, 4), min_size=7, max_size=7))
def test_caps_never_improve_a_classification(scores: dict[str, int]) -> None:
    from dtlab.domain.gates import CLASSIFICATIONS

    result = score(seed_rubric(), scores)
    assert result.uncapped is not None and result.classification is not None
    assert CLASSIFICATIONS.index(result.classification) >= CLASSIFICATIONS.index(result.uncapped)
    assert 0 <= (result.percent or 0) <= 100


# --- recommendation -------------------------------------------------------------------------------


def seed_row_requests() -> list[tuple[str, Request]]:
    """Every row of the selection table, as a request: each of its scopes and ownerships, its
    goals, and the cost its row names."""
    return [
        (rule.id, Request(goals=rule.goals, scope=scope, ownership=own, cost_capacity=rule.cost_tier))
        for rule in seed_rules() for scope in rule.scopes for own in rule.ownership
    ]


@pytest.mark.parametrize(("type_id", "request_"), seed_row_requests())
def test_every_row_of_the_selection_table_recommends_its_own_type(type_id: str, request_: Request) -> None:
    ranked = recommend(seed_rules(), request_)
    assert ranked[0].type_id == type_id and ranked[0].fits
    assert ranked[0].points > ranked[1].points


def test_the_explanations_name_the_deciding_facts() -> None:
    ranked = recommend(seed_rules(), Request(goals=("trends", "open_tech"), scope="national", ownership="itu"),
                       {"trends": "trend research"})
    tech = next(v for v in ranked if v.type_id == "technology")
    assert not tech.fits
    assert "needs global or regional scope; this request is national" in tech.summary
    ecosystem = next(v for v in ranked if v.type_id == "initiative")
    assert "needs an existing host institution; this request proposes ITU ownership" in ecosystem.summary
    assert "not meant for trend research, open_tech" in ecosystem.summary


@given(goals=st.lists(st.sampled_from(["trends", "open_tech", "entrepreneurship", "policy", "ecosystem"]),
                      unique=True, max_size=5),
       ownership=st.sampled_from(["itu", "country", "host_institution", None]),
       capacity=st.sampled_from(["low", "medium", "high", None]))
def test_a_national_request_never_gets_the_technology_type_first(goals: list[str], ownership: str | None,
                                                                 capacity: str | None) -> None:
    ranked = recommend(seed_rules(), Request(tuple(goals), "national", ownership, capacity))
    assert ranked[0].type_id != "technology"


def test_a_cost_beyond_the_host_is_said_and_ranks_lower() -> None:
    request = Request(goals=("ecosystem",), scope="national", ownership="country", cost_capacity="low")
    ranked = recommend(seed_rules(), request)
    dt = next(v for v in ranked if v.type_id == "digital_transformation")
    assert "a medium-cost model, above the host's low capacity" in dt.reasons


# --- cost tier ------------------------------------------------------------------------------------


def test_cost_tier_of_each_guide_row_matches_the_guide() -> None:
    for rule in seed_rules():
        for scope in rule.scopes:
            estimate = cost_tier(rule.goals, scope, rule.ownership[0], flagships=1)
            assert estimate.tier == rule.cost_tier, (rule.id, scope, estimate)


def test_cost_tier_names_its_drivers() -> None:
    # country +2, regional +1, 2 goals +1, 4 flagships +2 = 6: high.
    estimate = cost_tier(("trends", "entrepreneurship"), "regional", "country", flagships=4)
    assert estimate.tier == "high" and estimate.points == 6
    assert estimate.drivers == ("country ownership +2", "regional scope +1", "2 strategic goals +1",
                                "4 flagship initiatives +2")
    unknown = cost_tier((), None, "itu", 0)
    assert unknown.tier is None and "needs scope" in unknown.summary
