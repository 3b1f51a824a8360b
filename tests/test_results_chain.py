"""The full results chain (issue 18, point 6): three levels of results linked upward within one
plan, links to SDGs and WSIS action lines, KPIs of an impact rated like any other, an Arab States
centre linking to a whole initiative, and the priority areas' objectives, outcomes and products,
the SDGs and the WSIS action lines loaded as reference data."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from dtlab.db.cases import get_case
from dtlab.db.history import case_history
from dtlab.db.models import GroupOutcome, PriorityGroup, Product, Result, Sdg, WsisLine
from dtlab.db.plans import case_plan, kpis_off_track
from dtlab.db.store import Store
from dtlab.domain.monitoring import PARENT_LEVEL, RESULT_LEVELS, parent_problem, result_chain, wsis_codes
from dtlab.domain.stages import Stage
from dtlab.errors import Invalid
from dtlab.launch import main
from dtlab.present.history import history_lines
from dtlab.services.cases import create_case
from dtlab.services.plans import add_kpi_to_plan, record_actual, remove_plan_item, update_kpi
from dtlab.services.results import save_result
from tests.helpers.cases import planned_centre, walk_to

TODAY = date(2026, 6, 1)  # year 1 of a centre accredited on 2025-03-01 has ended


def plan(store: Store, ref: str) -> dict:  # type: ignore[type-arg]
    with store.read() as s:
        return case_plan(s, get_case(s, ref), TODAY)


# --- the domain -----------------------------------------------------------------------------------


@pytest.mark.unit
def test_a_result_links_up_one_level_only() -> None:
    assert RESULT_LEVELS == ("output", "outcome", "impact")
    assert parent_problem("output", "outcome") is None and parent_problem("outcome", "impact") is None
    assert parent_problem("output", None) is None and parent_problem("impact", None) is None
    assert parent_problem("output", "impact") == "an output links up to an outcome, not to an impact"
    assert parent_problem("output", "output") == "an output links up to an outcome, not to an output"
    assert parent_problem("outcome", "output") is not None  # never down
    assert "top of the results chain" in str(parent_problem("impact", "impact"))
    assert "same centre" in str(parent_problem("output", "outcome", same_case=False))


@pytest.mark.unit
def test_wsis_lines_are_c1_to_c11() -> None:
    assert wsis_codes("c7, C1 C7") == (["C7", "C1"], [])
    assert wsis_codes("C0 C12 C11 X") == (["C11"], ["C0", "C12", "X"])


@pytest.mark.unit
def test_the_chain_reads_impact_then_its_outcomes_then_their_outputs() -> None:
    results = [("out1", "output", "oc1"), ("oc2", "outcome", None), ("imp", "impact", None),
               ("oc1", "outcome", "imp"), ("out2", "output", "imp"), ("out3", "output", None)]
    chain = result_chain(results)
    assert [(c.id, c.depth, c.broken) for c in chain] == [
        ("imp", 0, False), ("oc1", 1, False), ("out1", 2, False),
        ("oc2", 0, False), ("out2", 0, True), ("out3", 0, False)]


ids = st.sampled_from([f"r{n}" for n in range(8)])


@pytest.mark.unit
@given(st.dictionaries(ids, st.tuples(st.sampled_from(RESULT_LEVELS), st.none() | ids), max_size=8))
def test_every_result_appears_once_under_a_parent_one_level_up(plan: dict[str, tuple[str, str | None]]) -> None:
    results = [(rid, level, parent) for rid, (level, parent) in plan.items()]
    chain = result_chain(results)
    assert sorted(c.id for c in chain) == sorted(plan)
    seen: list[tuple[str, int]] = []
    for item in chain:
        level, parent = plan[item.id]
        if item.depth:
            assert parent is not None and PARENT_LEVEL[level] == plan[parent][0]
            # The nearest result above it one level shallower is its parent.
            above = next(rid for rid, depth in reversed(seen) if depth == item.depth - 1)
            assert above == parent
        linked = parent in plan and parent_problem(level, plan[parent][0]) is None if parent else False
        assert item.broken == (parent is not None and not linked)
        assert item.depth == (0 if not linked else item.depth) and item.depth <= 2
        seen.append((item.id, item.depth))


# --- the use cases --------------------------------------------------------------------------------


@pytest.mark.unit
@pytest.mark.both_databases
def test_an_impact_result_with_a_kpi_is_rated_like_any_other(store: Store) -> None:
    ref = planned_centre(store)
    impact = save_result(store, ref, None, "impact", "Digital divide reduced in the Andes", sdgs="9 17",
                         wsis="c2 C7")
    output = plan(store, ref)["results"][-1]["id"]
    for name, result in (("Households online", impact), ("Households online (unlinked)", None),
                         ("Households online (output)", output)):
        add_kpi_to_plan(store, ref, name, "households", 0, 300, result=result)
        record_actual(store, ref, name, 1, "50", today=TODAY)  # year 1 target 100: 50 % of the way, red
    p = plan(store, ref)
    kpis = {k["name"]: k for k in p["kpis"]}
    assert kpis["Households online"]["result_id"] == impact
    statuses = {kpis[n]["status"] for n in ("Households online", "Households online (unlinked)",
                                            "Households online (output)")}
    assert statuses == {"red"}
    with store.read() as s:
        off = [k["kpi"] for k in kpis_off_track(s, TODAY) if k["ref"] == ref]
    assert "Households online" in off
    added = next(r for r in p["results"] if r["id"] == impact)
    assert (added["level"], added["sdgs"], added["wsis"]) == ("impact", [9, 17], ["C2", "C7"])


@pytest.mark.unit
@pytest.mark.both_databases
def test_outputs_and_outcomes_link_upward_within_their_plan(store: Store) -> None:
    ref = planned_centre(store)
    other = planned_centre(store)
    impact = save_result(store, ref, None, "impact", "Impact")
    outcome = save_result(store, ref, None, "outcome", "Outcome", parent=impact)
    output = save_result(store, ref, None, "output", "Output", parent=outcome)
    chain = [(r["title"], r["depth"]) for r in plan(store, ref)["results"]]
    assert chain[-3:] == [("Impact", 0), ("Outcome", 1), ("Output", 2)]  # after the template's own impact
    with pytest.raises(Invalid, match="an output links up to an outcome, not to an impact"):
        save_result(store, ref, None, "output", "Skips a level", parent=impact)
    with pytest.raises(Invalid, match="an outcome links up to an impact, not to an output"):
        save_result(store, ref, None, "outcome", "Downward", parent=output)
    with pytest.raises(Invalid, match="top of the results chain"):
        save_result(store, ref, None, "impact", "Sideways", parent=impact)
    foreign = save_result(store, other, None, "outcome", "Another centre's outcome")
    with pytest.raises(Invalid, match="only its own plan's results"):
        save_result(store, ref, None, "output", "Across plans", parent=foreign)
    with pytest.raises(Invalid, match="'C12' is not a WSIS action line"):
        save_result(store, ref, None, "output", "x", wsis="C1 C12")
    # A level change that would leave its children a level apart is refused; the link stays.
    with pytest.raises(Invalid, match="1 result links up to this one"):
        save_result(store, ref, outcome, "impact", "Outcome")
    # None keeps the parent as it is; editing the title alone keeps the link.
    save_result(store, ref, output, "output", "Output renamed", parent=None)
    with store.read() as s:
        assert s.get(Result, output).parent_id == outcome  # type: ignore[union-attr]
    # Taking the outcome out of the plan leaves its output linked to nothing.
    remove_plan_item(store, ref, "result", outcome)
    with store.read() as s:
        assert s.get(Result, output).parent_id is None  # type: ignore[union-attr]
    with pytest.raises(Invalid, match="no such result"):
        save_result(store, ref, output, "output", "Output", parent=outcome)
    with store.read() as s:
        lines = "\n".join(history_lines(case_history(s, ref)))
    assert "Contributes to: Outcome" in lines


@pytest.mark.unit
def test_an_arab_states_centre_links_a_result_to_arb4(store: Store) -> None:
    ref = create_case(store, {"title": "Cairo innovation hub", "country": "EG"})
    walk_to(store, ref, Stage.IMPLEMENTATION)
    outcome = save_result(store, ref, None, "outcome", "Digital inclusion of the region", priority="digital_inclusion",
                          initiative_results="arb4")
    result = plan(store, ref)["results"][0]
    assert (result["id"], result["initiative_results"], result["priority_group"]) == (
        outcome, ["ARB4"], "enabling_environment")
    with store.read() as s:
        assert get_case(s, ref).region == "ARB"


@pytest.mark.unit
def test_a_kpi_measures_only_a_result_of_its_own_plan(store: Store) -> None:
    ref, other = planned_centre(store), planned_centre(store)
    foreign = save_result(store, other, None, "impact", "Elsewhere")
    with pytest.raises(Invalid, match="measures: .* has no such result"):
        add_kpi_to_plan(store, ref, "Reach", result=foreign)
    impact = save_result(store, ref, None, "impact", "Here")
    kpi = plan(store, ref)["kpis"][0]
    update_kpi(store, ref, kpi["id"], kpi["name"], "", "", {}, result=impact)
    assert plan(store, ref)["kpis"][0]["result_id"] == impact
    update_kpi(store, ref, kpi["id"], kpi["name"], "", "", {}, result="")
    assert plan(store, ref)["kpis"][0]["result_id"] is None


# --- the reference data ---------------------------------------------------------------------------


@pytest.mark.unit
def test_the_priority_areas_objectives_outcomes_and_products_are_loaded(store: Store) -> None:
    with store.read() as s:
        groups = {g.id: g for g in s.scalars(select(PriorityGroup))}
        outcomes = s.execute(select(GroupOutcome.group_id, func.count()).group_by(GroupOutcome.group_id)).all()
        products = list(s.scalars(select(Product)))
        sdgs = {g.number: g.name_en for g in s.scalars(select(Sdg))}
        wsis = [w.code for w in s.scalars(select(WsisLine).order_by(WsisLine.position))]
        increased = s.get(GroupOutcome, ("connectivity", 4))
    assert len(groups) == 4 and all(g.objective_en and g.objective_zh for g in groups.values())
    assert "Digital divide reduced" in groups["connectivity"].impact_en
    assert dict(outcomes) == {"connectivity": 4, "digital_transformation": 3, "enabling_environment": 4,
                              "resource_mobilization_and_international_cooperation": 4}
    assert increased is not None and increased.title_zh == "增加可靠的连接"
    # Every product of Figures 4-7; the twelve no priority's list holds stay at area level.
    assert len(products) == 50
    unattributed = [p for p in products if p.priority_id is None]
    assert len(unattributed) == 12
    assert {p.group_id for p in unattributed} == {"connectivity", "enabling_environment",
                                                  "resource_mobilization_and_international_cooperation"}
    assert any(p.title_zh == "普惠金融" for p in unattributed)
    assert sorted(sdgs) == list(range(1, 18)) and sdgs[9] == "Industry, innovation and infrastructure"
    assert wsis == [f"C{n}" for n in range(1, 12)]


@pytest.mark.unit
def test_the_seed_says_the_names_are_not_from_the_source() -> None:
    from dtlab.db.reference import seeds_dir

    text = (seeds_dir() / "sdgs_and_wsis.toml").read_text(encoding="utf-8")
    assert "NOT FROM THE SOURCE" in text and "names: public standard lists, NOT from the source" in text


# --- the command line -----------------------------------------------------------------------------


def _run(db: str, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--db", db, *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.functional
def test_the_chain_on_the_command_line(store: Store, fresh_target: str, capsys: pytest.CaptureFixture[str]) -> None:
    ref = planned_centre(store)
    db = fresh_target
    # The template's chain: 1 its impact, 2 and 3 outcomes, 4 and 5 outputs; a result added is 6.
    code, out, _err = _run(db, capsys, "case", "result", ref, "--level", "impact", "--title",
                           "Digital divide reduced", "--sdgs", "9 17", "--wsis", "C1 c7")
    assert code == 0 and out.strip() == f"{ref}: result 6 (impact) added: Digital divide reduced"
    code, out, err = _run(db, capsys, "case", "result", ref, "2", "--parent", "6")  # the template's outcome
    assert code == 0, err
    code, _out, err = _run(db, capsys, "case", "result", ref, "--title", "x", "--parent", "6")
    assert code == 3 and err.strip() == "dtlab: contributes to: an output links up to an outcome, not to an impact"
    code, _out, err = _run(db, capsys, "case", "result", ref, "--title", "x", "--wsis", "C12")
    assert code == 3 and "'C12' is not a WSIS action line (C1 to C11)" in err
    added = _run(db, capsys, "case", "kpi", ref, "--name", "Households online", "--target", "300", "--result", "6")
    assert added[0] == 0 and added[1].strip() == f"{ref}: KPI 3 added: Households online"
    code, out, _err = _run(db, capsys, "results", ref, "--json")
    chain = json.loads(out)["results"]
    assert [(r["number"], r["level"], r["depth"]) for r in chain] == [
        (1, "impact", 0), (3, "outcome", 1), (5, "output", 2), (6, "impact", 0), (2, "outcome", 1), (4, "output", 2)]
    assert chain[3]["wsis"] == ["C1", "C7"] and chain[3]["kpis"][0]["name"] == "Households online"
    code, out, _err = _run(db, capsys, "case", "show", ref)
    assert "Results (impact → outcomes → outputs)" in out
    assert "  6. Impact  Digital divide reduced" in out and "    └ 2. Outcome" in out
    assert "serves SDG 9, SDG 17, WSIS C1, WSIS C7" in out


@pytest.mark.functional
def test_the_reference_lists(store: Store, fresh_target: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = fresh_target
    code, out, _err = _run(db, capsys, "reference", "priorities", "--json")
    areas = json.loads(out)
    assert code == 0 and areas[0]["id"] == "connectivity" and len(areas[0]["outcomes"]) == 4
    assert areas[-1]["id"] is None  # the priorities of Figure 2 in no area
    code, out, _err = _run(db, capsys, "reference", "products", "--json")
    assert len(json.loads(out)) == 50
    assert len(json.loads(_run(db, capsys, "reference", "sdgs", "--json")[1])) == 17
    code, out, _err = _run(db, capsys, "reference", "wsis")
    lines = out.splitlines()
    assert lines[0].split() == ["line", "name", "name", "in", "Chinese"]
    assert re.match(r"C1 +The role of public governance .* +政府和所有利益攸关方", lines[1])
    assert lines[-1] == ("Note: these names are not from the source documents; they are the WSIS action lines of "
                         "the Geneva Plan of Action (2003).")
    code, out, _err = _run(db, capsys, "reference", "sdgs")
    assert re.search(r"^1 +No poverty +无贫穷$", out, re.M) and "not from the source documents" in out
    code, out, _err = _run(db, capsys, "reference", "priorities")
    assert "Objective: Promote the development of infrastructure" in out and "Outcome 4: More reliable" in out
    code, out, _err = _run(db, capsys, "reference")
    assert re.search(r"^wsis action lines +11$", out, re.M)
