"""A plan's items keep their numbers: a result, KPI or milestone is numbered by the order it was
added (those removed still counted), the same in `dtlab case show`, `dtlab results` and the centre
screen, so that a second command still reaches the item the first one named. Also: a result the
plan already has is refused, removing a result says what it unlinks, the Results tab gives what a
result serves the room there is and says "none" so that it is not read as the chain's link, the
SDGs and WSIS lines are listed in columns, and the templates make a linked chain."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from textual.widgets import DataTable

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.cases import get_case
from dtlab.db.models import Result
from dtlab.db.plans import case_plan
from dtlab.db.reference import SeedError, _templates
from dtlab.db.store import Store
from dtlab.errors import Invalid
from dtlab.launch import main
from dtlab.screens import centre
from dtlab.screens.centre import CentreScreen
from dtlab.services.demo import generate
from dtlab.services.results import save_result
from dtlab.widgets.dialogs import ConfirmDialog
from tests.helpers.cases import planned_centre
from tests.helpers.pilot import notices, open_centre, settle, text_of

TODAY = date(2026, 6, 1)


def plan(store: Store, ref: str) -> dict[str, Any]:
    with store.read() as s:
        return case_plan(s, get_case(s, ref), TODAY)


def cli(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> tuple[int, str, str]:
    code = main(["--db", db, *args])
    out, err = capsys.readouterr()
    return code, out, err


def numbered(out: str, heading: str) -> dict[int, str]:
    """The items under one heading of `dtlab case show` (or the chain of `dtlab results`), by
    the number printed beside each: number → its line without the number."""
    part = out.split(heading, 1)[1]
    found = {}
    for line in part.splitlines()[1:]:
        if line and not line.startswith(" "):
            break
        m = re.match(r"^[ └]*(\d+)\. (.*)$", line)
        if m:
            found[int(m[1])] = m[2]
    return found


@pytest.mark.functional
def test_numbers_stay_with_their_items_whatever_is_added_or_removed(
        store: Store, fresh_target: str, capsys: pytest.CaptureFixture[str]) -> None:
    ref = planned_centre(store)  # the template: 1 impact, 2 and 3 outcomes, 4 and 5 outputs
    db = fresh_target
    before = numbered(cli(capsys, db, "case", "show", ref)[1], "Results (impact")
    assert sorted(before) == [1, 2, 3, 4, 5] and before[2].startswith("Outcome")
    # A new impact goes to the top of the chain, and takes the next number: nothing moves.
    code, out, err = cli(capsys, db, "case", "result", ref, "--level", "impact", "--title", "Digital divide reduced")
    assert code == 0 and out.strip() == f"{ref}: result 6 (impact) added: Digital divide reduced", err
    after = numbered(cli(capsys, db, "case", "show", ref)[1], "Results (impact")
    assert {n: after[n] for n in before} == before and after[6] == "Impact  Digital divide reduced"
    # `dtlab results` lists the chain with the same numbers.
    chain = numbered(cli(capsys, db, "results", ref)[1], "results chain")
    assert chain == after
    # Removing result 2 moves nothing either: 3 is still the same outcome, 2 reaches nothing.
    code, out, err = cli(capsys, db, "case", "remove", ref, "result", "2")
    assert code == 0, err
    left = numbered(cli(capsys, db, "case", "show", ref)[1], "Results (impact")
    assert sorted(left) == [1, 3, 4, 5, 6] and all(left[n] == after[n] for n in left)
    code, _out, err = cli(capsys, db, "case", "result", ref, "2", "--title", "Hits the wrong result")
    assert code == 3 and err.strip() == (f"dtlab: {ref} has no result 2: its results are numbered 1, 3-6 "
                                         f"(dtlab case show {ref})")
    code, _out, err = cli(capsys, db, "case", "result", ref, "4", "--parent", "3")
    assert code == 0, err
    output = next(r for r in plan(store, ref)["results"] if r["number"] == 4)
    outcome = next(r for r in plan(store, ref)["results"] if r["number"] == 3)
    assert output["parent_id"] == outcome["id"] and output["title"] == after[4].split("  ", 1)[1]


@pytest.mark.functional
def test_kpis_and_milestones_keep_their_numbers_too(
        store: Store, fresh_target: str, capsys: pytest.CaptureFixture[str]) -> None:
    ref = planned_centre(store, launch="2025-01-15", accredited="2025-03-01")
    db = fresh_target
    shown = cli(capsys, db, "case", "show", ref)[1]
    milestones = numbered(shown, "\nMilestones")
    # A milestone due before all the others is listed first, yet numbered after them.
    code, out, err = cli(capsys, db, "case", "milestone", ref, "--title", "Kick-off", "--due", "2025-01-20")
    assert code == 0 and out.strip() == f"{ref}: milestone 4 added: Kick-off", err
    shown = cli(capsys, db, "case", "show", ref)[1]
    now = numbered(shown, "\nMilestones")
    assert {n: now[n] for n in milestones} == milestones and now[4].startswith("2025-01-20")
    assert list(now)[0] == 4  # listed by date, numbered by when it was added
    code, _out, err = cli(capsys, db, "case", "milestone", ref, "1", "--owner", "A. Mensah")
    assert code == 0, err
    first = next(m for m in plan(store, ref)["milestones"] if m["number"] == 1)
    assert first["owner"] == "A. Mensah" and first["title"] == milestones[1].split("  ")[2]
    # KPI 1 removed, KPI 2 is still KPI 2 for an actual, and the KPIs list says so.
    kpis = numbered(shown, "KPIs (dtlab kpis")
    assert cli(capsys, db, "case", "remove", ref, "kpi", "1")[0] == 0
    code, out, err = cli(capsys, db, "case", "actual", ref, "2", "1", "9", "--today", "2026-06-01")
    assert code == 0, err
    assert out.split(": ")[1].split(",")[0] == kpis[2].split("  ")[0]
    assert "2. " + kpis[2].split("  ")[0] in cli(capsys, db, "kpis", ref)[1]
    code, _out, err = cli(capsys, db, "case", "kpi", ref, "1", "--unit", "x")
    assert code == 2 and "has no KPI numbered 1" in err


@pytest.mark.unit
def test_a_result_the_plan_already_has_is_refused(store: Store) -> None:
    ref = planned_centre(store)
    outcome = next(r for r in plan(store, ref)["results"] if r["level"] == "outcome")
    with pytest.raises(Invalid, match=rf"title: {ref} already has the outcome .* \(result {outcome['number']}\): "
                                      "edit that one"):
        save_result(store, ref, None, "outcome", "  " + outcome["title"].upper().replace(" ", "  "))
    # The same title at another level is another result; an edit of the result itself is not refused.
    save_result(store, ref, None, "output", outcome["title"])
    save_result(store, ref, outcome["id"], "outcome", outcome["title"], sdgs="9")
    other = next(r for r in plan(store, ref)["results"] if r["level"] == "outcome" and r["id"] != outcome["id"])
    with pytest.raises(Invalid, match="already has the outcome"):
        save_result(store, ref, other["id"], "outcome", outcome["title"])


@pytest.mark.functional
def test_removing_a_result_says_what_it_unlinks(store: Store, fresh_target: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    ref = planned_centre(store)
    code, out, err = cli(capsys, fresh_target, "case", "remove", ref, "result", "1")  # the impact, over 2 outcomes
    assert code == 0, err
    assert out.strip().endswith("(its history stays); 2 results that linked up to it are now linked to nothing")
    code, out, err = cli(capsys, fresh_target, "case", "remove", ref, "result", "4")  # an output a KPI measures
    assert out.strip().endswith("; 1 KPI that measured it is now linked to nothing"), err
    code, out, err = cli(capsys, fresh_target, "case", "remove", ref, "milestone", "1")
    assert out.strip().endswith("(its history stays)"), err


@pytest.mark.functional
async def test_the_results_tab_numbers_results_and_gives_serves_the_room(
        store: Store, fresh_target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(centre, "current_day", lambda: TODAY)
    ref = planned_centre(store)
    output = next(r for r in plan(store, ref)["results"] if r["level"] == "output")
    save_result(store, ref, output["id"], "output", output["title"], parent=output["parent_id"],
                priority="digital_innovation_ecosystem", sdgs="9 17", wsis="C2 C7")
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(200, 50)) as pilot:
        await open_centre(pilot, ref, "results")
        screen = app.screen
        table = screen.query_one("#results-table", DataTable)
        await settle(pilot, lambda: table.row_count == 5)
        rows = [[str(getattr(c, "plain", c)) for c in table.get_row_at(n)] for n in range(table.row_count)]
        assert [r[0] for r in rows] == ["1", "2", "4", "3", "5"]  # as `dtlab case show` numbers them
        serves = table.columns[next(k for k in table.columns if k.value == "Serves")]
        # The room a wide screen leaves: the links whole, and the heading saying what they are.
        assert serves.width > 60 and str(serves.label) == "Serves (priority, initiatives, SDGs, WSIS)"
        assert rows[2][3] == "digital innovation ecosystem, SDG 9, SDG 17, WSIS C2, WSIS C7"
        # An outcome linked to its impact, serving nothing: "none", never "not linked".
        assert rows[1][3] == "none"
        table.focus()
        table.move_cursor(row=1)
        await settle(pilot, lambda: "Serves (priority, initiatives, SDGs, WSIS): none"
                     in text_of(screen, "#result-detail"))
        detail = text_of(screen, "#result-detail")
        assert "Contributes to: 1. A more competitive digital sector" in detail and "not linked" not in detail


@pytest.mark.functional
async def test_removing_a_result_in_the_screen_says_how_many_link_to_it(store: Store, fresh_target: str,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(centre, "current_day", lambda: TODAY)
    ref = planned_centre(store)
    app = make_app(fresh_target, Settings(user="tester"))
    told = notices(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_centre(pilot, ref, "results")
        await pilot.press("2")
        table = app.screen.query_one("#results-table", DataTable)
        await settle(pilot, lambda: table.row_count == 5 and app.focused is table)
        table.move_cursor(row=1)  # outcome 2, over output 4, which a KPI measures
        await pilot.press("x")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        question = " ".join(text_of(app.screen, ".dialog-text").split())
        assert question.startswith("Remove result 2 (outcome), ")
        assert question.endswith("1 result links up to it: it stays in the plan, linked to nothing.")
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, CentreScreen))
        table.move_cursor(row=2)  # output 4
        await pilot.press("x")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert " ".join(text_of(app.screen, ".dialog-text").split()).endswith(
            "1 KPI measures it: it stays in the plan, linked to nothing.")
        await pilot.press("y")
        await settle(pilot, lambda: any("Now linked to nothing: 1 KPI that measured it." in t for t in told))
    assert [r["number"] for r in plan(store, ref)["results"]] == [1, 2, 3, 5]
    assert sum(1 for k in plan(store, ref)["kpis"] if k["result_id"] is None) == 1


@pytest.mark.functional
def test_the_sdgs_are_listed_in_columns_with_a_note(store: Store, fresh_target: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = cli(capsys, fresh_target, "reference", "sdgs")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["SDG", "name", "name", "in", "Chinese"]
    # The Chinese names start in one column, whatever the length of the English.
    starts = {line.index(zh) for line, zh in zip(lines[1:18], ("无贫穷", "零饥饿", "良好健康与福祉"), strict=False)}
    assert len(starts) == 1 and lines[1].split()[:3] == ["1", "No", "poverty"]
    assert lines[-1].startswith("Note: these names are not from the source documents")


# --- the templates' chain -----------------------------------------------------------------------


def template(*results: dict[str, Any]) -> dict[str, Any]:
    return {"version": 2, "template": [{"centre_type": "initiative", "result": list(results)}]}


@pytest.mark.unit
def test_a_templates_links_are_checked_as_it_loads() -> None:
    impact = {"level": "impact", "title_en": "I", "task": 8}
    outcome = {"level": "outcome", "title_en": "O", "task": 7, "contributes_to": 1}
    rows = _templates(template(impact, outcome, {"level": "output", "title_en": "P", "task": 6,
                                                 "contributes_to": 2}))[0].rows
    assert [r["parent"] for r in rows] == [None, 1, 2]
    with pytest.raises(SeedError, match="result 2: contributes_to 1: an output links up to an outcome, not to an "
                                        "impact"):
        _templates(template(impact, {"level": "output", "title_en": "P", "task": 6, "contributes_to": 1}))
    with pytest.raises(SeedError, match="contributes_to 2 is not the position of an earlier result"):
        _templates(template({**outcome, "contributes_to": 2}, impact))


@pytest.mark.unit
def test_the_demo_plans_come_linked_up_to_an_impact(store: Store, tmp_path: Path) -> None:
    generate(store, cases=60, seed=4, today=date(2026, 11, 1))
    with store.read() as s:
        rows = list(s.scalars(select(Result)))
    by_id = {r.id: r for r in rows}
    assert rows and {r.level for r in rows} == {"impact", "outcome", "output"}
    for r in rows:  # every outcome under an impact and every output under an outcome, of its own plan
        if r.level != "impact":
            parent = by_id[r.parent_id]
            assert (parent.case_id, parent.level) == (r.case_id, {"output": "outcome", "outcome": "impact"}[r.level])
