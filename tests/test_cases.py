"""Case operations: create, edit, move through every gate, overrides, search."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dtlab.db.cases import case_detail, count_cases, get_case, list_cases
from dtlab.db.history import case_history
from dtlab.db.listing import CaseFilter
from dtlab.db.models import Transition
from dtlab.db.store import Store
from dtlab.domain.clock import utc_now
from dtlab.domain.stages import MoveKind, Stage
from dtlab.errors import Invalid, NotFound
from dtlab.services.cases import GateRefused, add_note, create_case, move_case, update_case
from tests.helpers.cases import evaluate, walk_to

pytestmark = [pytest.mark.unit, pytest.mark.both_databases]


def new(store: Store, **fields: str) -> str:
    return create_case(store, {"title": "Innovation hub", "country": "KE", **fields})


def stage_of(store: Store, ref: str) -> tuple[str, str]:
    with store.read() as s:
        d = case_detail(s, ref)
    return d["stage"], d["status"]


def test_refs_count_per_site_and_year(store: Store) -> None:
    assert new(store, received_on="2025-05-01") == "GVA-2025-0001"
    assert new(store, received_on="2025-06-01") == "GVA-2025-0002"
    assert new(store, received_on="2024-01-01") == "GVA-2024-0001"


def test_country_sets_region_and_bad_values_are_named(store: Store) -> None:
    ref = new(store, country="eg")
    with store.read() as s:
        assert case_detail(s, ref)["region"] == "ARB"
    with pytest.raises(Invalid, match="country: 'XX' is neither"):
        new(store, country="XX")
    with pytest.raises(Invalid, match="received_on: '2026-13-01' is not a date"):
        new(store, received_on="2026-13-01")
    with pytest.raises(Invalid, match="goals: 'fun' is not one of"):
        new(store, goals="trends,fun")
    with pytest.raises(Invalid, match="title"):
        create_case(store, {"title": " ", "country": "KE"})


def test_unknown_ref(store: Store) -> None:
    with pytest.raises(NotFound, match="no case GVA-2026-0099"), store.read() as s:
        case_detail(s, "GVA-2026-0099")
    with pytest.raises(NotFound, match="not a case reference"), store.read() as s:
        case_detail(s, "nonsense")


def test_walk_the_whole_path(store: Store) -> None:
    ref = new(store)
    walk_to(store, ref, Stage.RENEWAL)
    assert stage_of(store, ref) == ("renewal", "open")
    with pytest.raises(GateRefused):
        move_case(store, ref, MoveKind.ADVANCE)
    update_case(store, ref, {"renewal_outcome": "renewed"})
    move_case(store, ref, MoveKind.ADVANCE)
    # Renewed: a new operation period starts, with its own end-of-period evaluation to come.
    assert stage_of(store, ref) == ("operation", "open")
    with store.read() as s:
        detail = case_detail(s, ref)
    assert detail["period_evaluated_on"] is None and detail["renewal_outcome"] is None


def test_renewal_closed_ends_the_case(store: Store) -> None:
    ref = new(store)
    walk_to(store, ref, Stage.RENEWAL)
    update_case(store, ref, {"renewal_outcome": "closed"})
    move_case(store, ref, MoveKind.ADVANCE)
    assert stage_of(store, ref) == ("renewal", "closed")


def test_gate_refusal_lists_conditions_and_writes_nothing(store: Store) -> None:
    ref = new(store)
    with store.read() as s:
        before = len(case_history(s, ref))
    with pytest.raises(GateRefused) as info:
        move_case(store, ref, MoveKind.ADVANCE)
    assert [c.code for c in info.value.unmet] == ["applicant", "channel", "received_on"]
    with store.read() as s:
        assert len(case_history(s, ref)) == before
    assert stage_of(store, ref) == ("interest", "open")


def test_type_that_does_not_fit_the_guide_blocks_concept_design(store: Store) -> None:
    ref = new(store)
    walk_to(store, ref, Stage.CONCEPT_DESIGN)
    update_case(store, ref, {"proposed_type": "technology", "scope": "national", "ownership": "country"})
    evaluate(store, ref, "L. Chen")
    with pytest.raises(GateRefused) as info:
        move_case(store, ref, MoveKind.ADVANCE)
    (cond,) = info.value.unmet
    assert cond.code == "type_fit" and "record why" in cond.text
    assert "Technology Acceleration Centre needs global or regional scope; this request is national" in cond.text
    # A written reason for the choice lets the case move on.
    update_case(store, ref, {"type_reason": "A regional remit is planned for the second period"})
    move_case(store, ref, MoveKind.ADVANCE)
    assert stage_of(store, ref) == ("agreement", "open")


def test_override_needs_a_reason_and_is_recorded(store: Store) -> None:
    ref = new(store)
    with pytest.raises(Invalid, match="override needs a written reason"):
        move_case(store, ref, MoveKind.ADVANCE, reason=" ", override=True)
    result = move_case(store, ref, MoveKind.ADVANCE, reason="Director asked to fast-track", override=True)
    assert result.to_stage is Stage.ASSESSMENT
    assert "an applicant organisation is recorded" in result.overridden
    with store.read() as s:
        t = s.scalars(select(Transition).where(Transition.kind == "advance")).one()
        history = case_history(s, ref)
    assert t.reason == "Director asked to fast-track" and "applicant" in (t.overridden or "")
    assert [h.kind for h in history if h.table == "transitions"] == ["override"]


def test_back_withdraw_reopen(store: Store) -> None:
    ref = new(store)
    walk_to(store, ref, Stage.ASSESSMENT)
    move_case(store, ref, MoveKind.BACK)
    assert stage_of(store, ref) == ("interest", "open")
    with pytest.raises(Invalid, match="give a reason"):
        move_case(store, ref, MoveKind.WITHDRAW)
    move_case(store, ref, MoveKind.WITHDRAW, reason="Applicant withdrew")
    assert stage_of(store, ref) == ("interest", "withdrawn")
    with pytest.raises(Invalid, match="reopen it first"):
        move_case(store, ref, MoveKind.ADVANCE)
    move_case(store, ref, MoveKind.REOPEN, reason="Applicant came back")
    assert stage_of(store, ref) == ("interest", "open")


def test_entering_at_a_later_stage_is_recorded(store: Store) -> None:
    ref = create_case(store, {"title": "Existing centre", "country": "FR"}, Stage.OPERATION, "existing partner",
                      entry_override=True)
    assert stage_of(store, ref) == ("operation", "open")
    with store.read() as s:
        (t,) = s.scalars(select(Transition)).all()
    assert (t.kind, t.to_stage, t.reason) == ("enter", "operation", "existing partner")
    assert t.overridden is not None and "concept design and its evaluation" in t.overridden


def test_a_partner_centre_enters_at_concept_design_and_passes_its_evaluation(store: Store) -> None:
    """An existing centre becomes a partner "through the design and evaluation process": it
    enters at concept design at the latest, and cannot leave it without a submitted evaluation
    (or an override); entering later is itself an override, with its reason."""
    partner = create_case(store, {"title": "Existing hub", "country": "KE"}, Stage.CONCEPT_DESIGN,
                          "an existing partner centre")
    with pytest.raises(GateRefused) as refused:
        move_case(store, partner, MoveKind.ADVANCE)
    assert "evaluation" in [c.code for c in refused.value.unmet]
    for later in (Stage.AGREEMENT, Stage.IMPLEMENTATION, Stage.OPERATION, Stage.RENEWAL):
        with pytest.raises(Invalid, match=f"stage: a partner centre enters at .* entering at {later.label} skips"):
            create_case(store, {"title": "Skipping", "country": "KE"}, later, "an existing partner centre")
    with store.read() as s:
        assert count_cases(s, CaseFilter(search="Skipping")) == 0


def test_search_finds_title_fragments_applicants_countries_and_notes(store: Store) -> None:
    a = new(store, title="Regulatory sandbox for fintech", applicant="Central Bank of Kenya")
    b = new(store, title="AI readiness study", country="CL")
    add_note(store, b, "Minister confirmed interest in a regional scope")
    with store.read() as s:
        def refs(q: str) -> list[str]:
            return [r["ref"] for r in list_cases(s, CaseFilter(search=q))]
        assert refs("sandbox") == [a]
        assert refs("ndbox fin") == [a]
        assert refs("central bank") == [a]
        assert refs("chile") == [b]
        assert refs("minister") == [b]
        assert refs("GVA") == sorted([a, b])
        assert refs("nothing-like-this") == []
        assert count_cases(s, CaseFilter(search="sandbox")) == 1
    update_case(store, a, {"title": "Open innovation lab"})
    with store.read() as s:
        assert [r["ref"] for r in list_cases(s, CaseFilter(search="sandbox"))] == []
        assert [r["ref"] for r in list_cases(s, CaseFilter(search="innovation lab"))] == [a]


def test_search_answers_alike_on_every_database(store: Store) -> None:
    """Each database's index (SQLite's FTS5, PostgreSQL's trigrams) finds a case by a fragment of
    its ref, title, applicant, country code or name, and by the words of one of its notes."""
    kenya = create_case(store, {"title": "Regulatory sandbox", "country": "KE", "applicant": "Kenya ICT Authority"})
    france = create_case(store, {"title": "Smart villages", "country": "FR", "applicant": "Agence du numérique"})
    senegal = create_case(store, {"title": "AI for health", "country": "SN"})
    add_note(store, senegal, "focal point named by the ministry")
    expected = {"sandbox": [kenya], "kenya": [kenya], "ict auth": [kenya], "France": [france], "KE": [kenya],
                "AI": [senegal], "focal": [senegal], "focal ministry": [senegal], "AI focal": [senegal],
                "numérique": [france], "NUMÉR": [france], france[-7:]: [france], "nothing at all": [],
                "100%": [], "ministry health": []}  # the last: words of one case, not all in one place
    with store.read() as s:
        found = {q: sorted(r["ref"] for r in list_cases(s, CaseFilter(search=q))) for q in expected}
    assert found == expected
    # The index follows a renamed applicant, as it follows the case's own fields.
    update_case(store, kenya, {"applicant": "Communications Authority"})
    with store.read() as s:
        assert [r["ref"] for r in list_cases(s, CaseFilter(search="kenya"))] == [kenya]  # the country's name
        assert [r["ref"] for r in list_cases(s, CaseFilter(search="ict auth"))] == []
        assert [r["ref"] for r in list_cases(s, CaseFilter(search="communications"))] == [kenya]


def test_filters(store: Store) -> None:
    a = new(store)
    new(store, country="FR")
    walk_to(store, a, Stage.ASSESSMENT)
    with store.read() as s:
        assert [r["ref"] for r in list_cases(s, CaseFilter(stage="assessment"))] == [a]
        assert [r["ref"] for r in list_cases(s, CaseFilter(region="AFR"))] == [a]
        assert count_cases(s, CaseFilter(status="open")) == 2


def test_contact_person_is_recorded_edited_and_unlinked(store: Store) -> None:
    ref = new(store, applicant="Kenya ICT Authority", contact="Jane Wanjiru", contact_email="jane@example.org")
    with store.read() as s:
        assert case_detail(s, ref)["contact"] == {"name": "Jane Wanjiru", "email": "jane@example.org",
                                                  "phone": None, "role": None}
    assert update_case(store, ref, {"contact_role": "Director"}) == {"contact_role": "Director"}
    with pytest.raises(Invalid, match="name the contact person first"):
        update_case(store, new(store), {"contact_email": "x@example.org"})
    update_case(store, ref, {"contact": ""})
    with store.read() as s:
        assert case_detail(s, ref)["contact"] is None


def test_required_fields_cannot_be_cleared(store: Store) -> None:
    ref = new(store)
    for field in ("title", "country"):
        with pytest.raises(Invalid, match=f"{field}: a case needs"):
            update_case(store, ref, {field: " "})


def test_an_upgrade_goes_through_concept_design_agreement_and_set_up_again(store: Store) -> None:
    ref = new(store)
    walk_to(store, ref, Stage.RENEWAL)
    update_case(store, ref, {"renewal_outcome": "upgraded"})
    move_case(store, ref, MoveKind.ADVANCE)
    assert stage_of(store, ref) == ("concept_design", "open")
    # The old type's recommendation does not carry the new type through.
    with pytest.raises(GateRefused) as info:
        move_case(store, ref, MoveKind.ADVANCE)
    assert [c.code for c in info.value.unmet] == ["evaluation"]
    evaluate(store, ref, "R. Okafor")
    move_case(store, ref, MoveKind.ADVANCE)
    with pytest.raises(GateRefused) as info:
        move_case(store, ref, MoveKind.ADVANCE)
    assert [c.code for c in info.value.unmet] == ["agreement_ref", "signed_on"]


def test_applicant_and_contact_changes_show_in_the_case_history(store: Store) -> None:
    ref = new(store, applicant="Kenya ICT Authority", category="member_state", contact="Jane")
    update_case(store, ref, {"category": "academia", "contact_role": "Director"})
    update_case(store, ref, {"category": ""})
    with store.read() as s:
        history = case_history(s, ref)
        assert case_detail(s, ref)["category"] is None
    tables = [h.table for h in history]
    assert "organisations" in tables and "contacts" in tables
    categories = [h.changes["category"] for h in history if "category" in h.changes]
    assert categories == [[None, "member_state"], ["member_state", "academia"], ["academia", None]]


def test_one_and_two_letter_words_are_found(store: Store) -> None:
    a = new(store, title="AI readiness lab")
    b = new(store, title="5G testbed", country="FR")
    new(store, title="100% pure_text", country="CL")
    with store.read() as s:
        def refs(q: str) -> list[str]:
            return [r["ref"] for r in list_cases(s, CaseFilter(search=q))]
        assert refs("AI") == [a]
        assert refs("5g") == [b]
        assert refs("fr") == [b]
        assert refs("ai lab") == [a]
        assert len(refs("%")) == 1 and len(refs("_")) == 1


def test_refs_sort_by_number_not_as_text(store: Store) -> None:
    from dtlab.db.models import Case

    with store.write() as s:
        for ref in ("GVA-2024-10000", "GVA-2024-9999", "GVA-2025-0001", "GVA-2024-0002"):
            s.add(Case(ref=ref, title=ref, country="KE", stage_since=utc_now()))
    with store.read() as s:
        assert [r["ref"] for r in list_cases(s)] == [
            "GVA-2024-0002", "GVA-2024-9999", "GVA-2024-10000", "GVA-2025-0001"]


def test_sorting_and_the_assignee_filter(store: Store) -> None:
    a = new(store, title="Beta", assignee="Amina")
    b = new(store, title="Alpha", assignee="bob")
    walk_to(store, b, Stage.ASSESSMENT)
    with store.read() as s:
        assert [r["ref"] for r in list_cases(s, sort="title")] == [b, a]
        assert [r["ref"] for r in list_cases(s, sort="title", descending=True)] == [a, b]
        assert [r["ref"] for r in list_cases(s, sort="stage", descending=True)] == [b, a]
        assert [r["ref"] for r in list_cases(s, CaseFilter(assignee="ami"))] == [a]
        page = list_cases(s, limit=1, offset=1)
        assert [r["ref"] for r in page] == [b]
        with pytest.raises(Invalid, match="sort"):
            list_cases(s, sort="colour")


@pytest.mark.parametrize("sort", ["ref", "title", "stage", "centre_type", "applicant", "assignee", "received_on",
                                  "updated_at"])
def test_keyset_pages_add_up_to_the_whole_list_in_every_sort(store: Store, sort: str) -> None:
    from datetime import date

    from dtlab.services.demo import generate

    generate(store, cases=120, seed=7, today=date(2026, 11, 1))
    # A hand-made case too, with the optional sort columns empty: NULLs must not end the paging.
    new(store, title="Zeta")
    for descending in (False, True):
        with store.read() as s:
            whole = [r["ref"] for r in list_cases(s, sort=sort, descending=descending)]
            paged: list[str] = []
            after = None
            while page := list_cases(s, limit=17, sort=sort, descending=descending, after=after):
                paged += [r["ref"] for r in page]
                after = page[-1]["position"]
        assert paged == whole and len(whole) == 121


def test_dates_of_past_events_cannot_be_in_the_future(store: Store) -> None:
    from datetime import date, timedelta

    ref = new(store)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    with pytest.raises(Invalid, match="received_on: .* is in the future"):
        update_case(store, ref, {"received_on": tomorrow})
    with pytest.raises(Invalid, match="signed_on: .* is in the future"):
        update_case(store, ref, {"signed_on": tomorrow})
    # A launch can be planned ahead.
    update_case(store, ref, {"launch_on": tomorrow})
    with store.read() as s:
        assert str(get_case(s, ref).launch_on) == tomorrow


def test_a_country_is_found_by_its_code_or_its_name(store: Store) -> None:
    ref = create_case(store, {"title": "Hub", "country": "kenya"})
    with store.read() as s:
        assert get_case(s, ref).country == "KE" and get_case(s, ref).region == "AFR"
    accented = create_case(store, {"title": "Hub", "country": "cote d'ivoire"})
    with store.read() as s:
        assert get_case(s, accented).country == "CI"
    with pytest.raises(Invalid, match="'Kenyaa' is neither"):
        create_case(store, {"title": "Hub", "country": "Kenyaa"})


def test_goals_by_id_or_name_and_a_checked_email(store: Store) -> None:
    ref = new(store)
    update_case(store, ref, {"goals": "policy trends"})
    update_case(store, ref, {"goals": "Policy experimentation, ecosystem"})
    with store.read() as s:
        assert get_case(s, ref).goals == "policy,ecosystem"
    with pytest.raises(Invalid, match="goals: 'nonsense' is not one of"):
        update_case(store, ref, {"goals": "policy nonsense"})
    with pytest.raises(Invalid, match="contact_email: 'notanemail' is not an email address"):
        update_case(store, ref, {"contact": "A. Otieno", "contact_email": "notanemail"})
    update_case(store, ref, {"contact": "A. Otieno", "contact_email": "a.otieno@ict.go.ke"})


def test_renewal_cannot_be_overridden_without_an_outcome(store: Store) -> None:
    ref = new(store)
    walk_to(store, ref, Stage.RENEWAL)
    with pytest.raises(GateRefused):
        move_case(store, ref, MoveKind.ADVANCE)
    # The outcome decides where the case goes; an override cannot choose it (it used to close the case).
    with pytest.raises(Invalid, match="record the renewal outcome first"):
        move_case(store, ref, MoveKind.ADVANCE, reason="board pending", override=True)
    assert stage_of(store, ref) == ("renewal", "open")


def test_a_gate_judged_alone_reads_what_it_needs(store: Store) -> None:
    """`case_facts(gate=stage)` reads only what that stage's gate reads (`gates.GATE_READS`), and
    judges it as the full facts do: for every case of a demo portfolio and every stage."""
    import dataclasses

    from dtlab.db.cases import case_facts
    from dtlab.db.models import Case
    from dtlab.domain import gates
    from dtlab.services.demo import generate

    generate(store, cases=80, seed=11)
    with store.read() as s:
        cases = list(s.scalars(select(Case)))
        judged = 0
        for case in cases:
            full = case_facts(s, case)
            for stage in Stage:
                alone = case_facts(s, case, gate=stage)
                assert gates.unmet(dataclasses.replace(alone, stage=stage)) == \
                    gates.unmet(dataclasses.replace(full, stage=stage)), (case.ref, stage)
                judged += 1
    assert judged == len(cases) * len(Stage)


def test_a_gate_judged_alone_does_not_read_what_it_does_not_need(store: Store,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The evaluations and the recommendation, the costly reads, are read for the concept
    design's gate only (an import judges every advance of a full bundle this way)."""
    from dtlab.db import cases as case_reads
    from dtlab.db.cases import case_facts
    from dtlab.db.models import Case

    ref = new(store)

    def not_needed(*_args: object) -> None:
        raise AssertionError("read for a gate that does not need it")

    monkeypatch.setattr(case_reads, "case_evaluations", not_needed)
    monkeypatch.setattr(case_reads, "case_recommendation", not_needed)
    with store.read() as s:
        case = s.scalars(select(Case).where(Case.ref == ref)).one()
        for stage in Stage:
            if stage is not Stage.CONCEPT_DESIGN:
                case_facts(s, case, gate=stage)
        with pytest.raises(AssertionError, match="does not need it"):
            case_facts(s, case, gate=Stage.CONCEPT_DESIGN)


def test_an_applicant_outside_itu_membership_needs_a_justification_at_assessment(store: Store) -> None:
    """Centres are "mainly for ITU members": an applicant recorded as a UN agency, a regional
    organisation or "other" is shown as not a member, and the assessment gate asks why it is taken
    on; a member, or an applicant of unknown category, is not asked."""
    outsider, member, unknown = new(store), new(store), new(store)
    for ref, applicant, category in ((outsider, "Acme Ltd", "other"), (member, "Ministry of ICT", "member_state"),
                                     (unknown, "Someone", "")):
        walk_to(store, ref, Stage.ASSESSMENT)
        update_case(store, ref, {"applicant": applicant, "category": category, "findings": "ready",
                                 "human_resources": "4", "financial_resources": "USD 1"})
    with pytest.raises(GateRefused) as refused:
        move_case(store, outsider, MoveKind.ADVANCE)
    assert [c.code for c in refused.value.unmet] == ["membership_reason"]
    assert "not an ITU member" in refused.value.unmet[0].text
    update_case(store, outsider, {"membership_reason": "a UN-system partner the Director invited"})
    for ref in (outsider, member, unknown):
        move_case(store, ref, MoveKind.ADVANCE)
        assert stage_of(store, ref) == ("concept_design", "open")
    from dtlab.present.case_text import case_sections

    with store.read() as s:
        shown = dict(case_sections(case_detail(s, outsider))[0][1])
        assert shown["Category"].endswith("(not an ITU member)")
        assert "not an ITU member" not in dict(case_sections(case_detail(s, member))[0][1])["Category"]


def test_a_case_says_its_tier_against_the_proposed_types_cost_model_and_inferred_cells(store: Store) -> None:
    """An Initiative request (the guide's low-cost model) whose drivers score high says so in its
    recommendation, which the review screen and `case show` print; a Research & Entrepreneurship
    fit says its goals in the guide are inferred."""
    ref = new(store, title="Ecosystem hub")
    update_case(store, ref, {"proposed_type": "initiative", "scope": "regional", "ownership": "host_institution",
                             "goals": "trends,open_tech,policy,ecosystem",
                             "flagships": "AI\nIoT\nBlockchain\nCybersecurity"})
    with store.read() as s:
        rec = case_detail(s, ref)["recommendation"]
    assert rec["cost"]["tier"] == "high"
    assert rec["notes"][0].startswith("Initiative Acceleration Centre: the guide's low-cost model; this request's "
                                      "drivers score high: ")
    update_case(store, ref, {"proposed_type": "", "ownership": "country", "goals": "trends,entrepreneurship",
                             "flagships": ""})
    with store.read() as s:
        rec = case_detail(s, ref)["recommendation"]
    assert rec["best"] == "research_entrepreneurship"
    assert any("its goals in the guide are inferred" in n for n in rec["notes"])
