"""Two staff, one case (issue 17, point 4): a save based on a value someone else has changed
since is refused with who changed it and when; different fields of one case merge; saving again,
knowingly, replaces the value. On SQLite and on PostgreSQL, two staff each with their own
connection to one database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dtlab.db.cases import case_detail
from dtlab.db.store import Store
from dtlab.services.cases import create_case, update_case
from dtlab.services.meanwhile import ChangedMeanwhile

pytestmark = [pytest.mark.unit, pytest.mark.both_databases]


@pytest.fixture
def staff(fresh_target: str) -> Iterator[tuple[Store, Store]]:
    amina = Store.open(fresh_target, "amina")
    amina.init_site("GVA")
    bob = Store.open(fresh_target, "bob")
    yield amina, bob
    amina.close()
    bob.close()


def detail(store: Store, ref: str) -> dict[str, object]:
    with store.read() as s:
        return case_detail(s, ref)


def test_the_second_save_of_one_field_is_refused_with_who_and_when(staff: tuple[Store, Store]) -> None:
    amina, bob = staff
    ref = create_case(amina, {"title": "Innovation hub", "country": "KE", "applicant": "Kenya ICT Authority"})
    shown = {"title": "Innovation hub", "applicant": "Kenya ICT Authority", "received_on": "", "purpose": ""}
    # Both read the case; amina saves first.
    update_case(amina, ref, {"title": "Digital hub", "received_on": "2026-01-05"}, based_on=shown)
    with pytest.raises(ChangedMeanwhile) as refused:
        update_case(bob, ref, {"title": "Smart hub", "purpose": "Skills"}, based_on=shown)
    (overtaken,) = refused.value.overtaken
    assert (overtaken.field, overtaken.actor, overtaken.now) == ("title", "amina", "Digital hub")
    assert overtaken.at is not None
    assert str(refused.value).startswith("title: changed by amina at ")
    assert "'Digital hub'" in str(refused.value)
    # Nothing of bob's save was written: the refusal is of the whole save.
    assert (detail(amina, ref)["title"], detail(amina, ref)["purpose"]) == ("Digital hub", None)
    # A field amina did not touch merges: bob's save of it alone goes through.
    assert update_case(bob, ref, {"purpose": "Skills"}, based_on=shown) == {"purpose": "Skills"}
    # Saving again on the value now seen replaces it, knowingly.
    update_case(bob, ref, {"title": "Smart hub"}, based_on={"title": "Digital hub"})
    assert detail(amina, ref)["title"] == "Smart hub"


def test_every_kind_of_field_is_compared_where_it_is_kept(staff: tuple[Store, Store]) -> None:
    """The applicant (an organisation), a contact's e-mail, an assessment field, a date and the
    goals (a list), each changed by amina, refuse bob's save based on the old value; clearing a
    value is said as cleared."""
    amina, bob = staff
    ref = create_case(amina, {"title": "Hub", "country": "KE", "applicant": "Kenya ICT Authority",
                              "contact": "Jane", "contact_email": "jane@example.org"})
    update_case(amina, ref, {"needs": "connectivity", "goals": "trends"})
    seen = {name: str(value) for name, value in {
        "applicant": "Kenya ICT Authority", "contact_email": "jane@example.org", "needs": "connectivity",
        "received_on": "", "goals": "trends"}.items()}
    assert update_case(bob, ref, {"country": "KE"}, based_on=seen) == {}  # same values: nothing overtaken
    update_case(amina, ref, {"applicant": "Communications Authority", "contact_email": "",
                             "needs": "skills", "received_on": "2026-02-01", "goals": "trends,policy"})
    with pytest.raises(ChangedMeanwhile) as refused:
        update_case(bob, ref, {name: "x" for name in seen}, based_on=seen)
    by_field = {o.field: o for o in refused.value.overtaken}
    assert set(by_field) == set(seen)
    assert by_field["applicant"].now == "Communications Authority"
    assert by_field["received_on"].now == "2026-02-01"
    assert by_field["goals"].now == "trends,policy"
    assert all(o.actor == "amina" for o in by_field.values())
    assert "contact_email: cleared by amina" in str(refused.value)


def test_a_save_without_what_it_was_based_on_sets_the_value_as_before(staff: tuple[Store, Store]) -> None:
    """`dtlab case set` states a value outright: no form, nothing it was based on."""
    amina, bob = staff
    ref = create_case(amina, {"title": "Hub", "country": "KE"})
    update_case(amina, ref, {"title": "Digital hub"})
    assert update_case(bob, ref, {"title": "Smart hub"}) == {"title": "Smart hub"}


def plan_of(store: Store, ref: str) -> dict[str, object]:
    from datetime import date

    from dtlab.db.cases import get_case
    from dtlab.db.plans import case_plan

    with store.read() as s:
        return case_plan(s, get_case(s, ref), date(2026, 6, 1))


def test_a_plan_record_changed_meanwhile_is_refused_then_replaced_knowingly(staff: tuple[Store, Store]) -> None:
    """A milestone, a result, a KPI and a year's figure: each dialog writes its whole record, so a
    save whose record changed since the dialog was filled is refused, naming who changed it."""
    from dtlab.domain.stages import Stage
    from dtlab.services.meanwhile import RowChanged, Seen
    from dtlab.services.plans import instantiate_plan, record_actual, save_milestone, update_kpi
    from dtlab.services.results import save_result
    from tests.helpers.cases import walk_to

    amina, bob = staff
    ref = create_case(amina, {"title": "Hub", "country": "KE"})
    walk_to(amina, ref, Stage.OPERATION)
    update_case(amina, ref, {"accredited_on": "2025-01-10"})  # reporting years count from it
    instantiate_plan(amina, ref)
    shown = plan_of(bob, ref)  # what bob's dialogs are filled from
    m, r, k = shown["milestones"][0], shown["results"][0], shown["kpis"][0]  # type: ignore[index]
    year = k["years"][0]
    # amina changes each record first.
    save_milestone(amina, ref, m["id"], m["title"], "", "Amina", m["status"])
    save_result(amina, ref, r["id"], r["level"], "Amina's result")
    update_kpi(amina, ref, k["id"], k["name"], "people", "", {})
    record_actual(amina, ref, k["id"], year["year"], "7")
    refusals = {
        "this milestone": lambda seen: save_milestone(bob, ref, m["id"], "Bob's", "", "Bob", m["status"], seen=seen),
        "this result": lambda seen: save_result(bob, ref, r["id"], r["level"], "Bob's result", seen=seen),
        "this KPI": lambda seen: update_kpi(bob, ref, k["id"], "Bob's KPI", "", "", {}, seen),
        f"year {year['year']} of this KPI": lambda seen: record_actual(bob, ref, k["id"], year["year"], "9",
                                                                       seen=seen),
    }
    versions = {"this milestone": m["version"], "this result": r["version"], "this KPI": k["version"],
                f"year {year['year']} of this KPI": year["version"]}
    for what, save in refusals.items():
        with pytest.raises(RowChanged, match=f"^{what} was changed by amina at ") as refused:
            save(Seen(versions[what]))
        save(Seen(refused.value.version))  # again, on what is there now: it replaces it
    after = plan_of(amina, ref)

    def item(kind: str, item_id: str) -> dict[str, Any]:
        return next(i for i in after[kind] if i["id"] == item_id)  # type: ignore[attr-defined]

    assert item("milestones", m["id"])["owner"] == "Bob" and item("results", r["id"])["title"] == "Bob's result"
    assert item("kpis", k["id"])["name"] == "Bob's KPI" and item("kpis", k["id"])["years"][0]["actual"] == 9
