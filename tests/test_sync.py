"""Sync between sites: two field laptops and headquarters exchange signed bundles and end in the
same state, with one conflict where both laptops edited the same field."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dtlab.db.cases import get_case
from dtlab.db.store import Store
from dtlab.errors import Refused
from dtlab.services.cases import create_case, update_case
from dtlab.sync.bundle import Rejected
from dtlab.sync.conflicts import open_conflicts
from dtlab.sync.exchange import export_file, import_file
from dtlab.sync.trust import trust
from tests.helpers.sites import Site, hq_with_laptops

pytestmark = [pytest.mark.functional, pytest.mark.both_databases]


def hq_sends(hq: Site, *laptops: Site) -> None:
    """HQ writes a bundle for each laptop, which imports it."""
    for laptop in laptops:
        laptop.take(hq.export(laptop.code))


def shared_case(hq: Site, *laptops: Site) -> str:
    """A case made at HQ and sent to each laptop; returns its ref."""
    ref = create_case(hq.store, {"title": "Shared hub", "country": "KE"})
    hq_sends(hq, *laptops)
    return ref


@pytest.fixture
def sites(tmp_path: Path, database_kind: str) -> Iterator[tuple[Site, ...]]:
    """HQ (on each database in turn) and two laptops (SQLite, as laptops are)."""
    with hq_with_laptops(tmp_path, database_kind, ("NBO", "amina"), ("LIM", "diego")) as three:
        yield three


def test_two_laptops_and_hq_converge_with_one_conflict(sites: tuple[Site, Site, Site]) -> None:
    hq, nairobi, lima = sites
    # HQ starts the portfolio and sends it to both laptops.
    ref = create_case(hq.store, {"title": "Kenya innovation hub", "country": "KE"})
    start = hq.export("NBO")
    nairobi.take(start)
    lima.take(hq.export("LIM"))
    # In the field: each laptop edits the shared case (the purpose on both) and makes a case.
    update_case(nairobi.store, ref, {"purpose": "Scale the start-up programme", "assignee": "Amina"})
    update_case(lima.store, ref, {"purpose": "Regional reach first", "channel": "letter"})
    nbo_ref = create_case(nairobi.store, {"title": "Mombasa port digital twin", "country": "KE"})
    lim_ref = create_case(lima.store, {"title": "Andes smart farming", "country": "PE"})
    from_nairobi, from_lima = nairobi.export(), lima.export()

    # HQ imports both, in either order: the same state, one conflict (the purpose).
    one, other = _both_orders(hq, from_nairobi, from_lima)
    assert one == other
    with hq.store.read() as s:
        from dtlab.sync.export import bundles

        assert {b.peer: b.conflicts for b in bundles(s) if b.direction == "received"} == {"NBO": 0, "LIM": 1}
    with hq.store.read() as s:
        case = get_case(s, ref)
        assert (case.assignee, case.channel) == ("Amina", "letter")  # different fields both arrive
        (conflict,) = open_conflicts(s)
        assert conflict.field == "purpose" and conflict.base is None
        from dtlab.present.conflicts import labelled
        from dtlab.sync.conflicts import conflict_rows

        (shown,) = [labelled(r) for r in conflict_rows(s)]  # as people read it: the case's ref and the field's label
        assert (shown["ref"], shown["title"], shown["label"]) == (ref, "Kenya innovation hub", "Purpose")
        assert {conflict.local, conflict.incoming} == {"Scale the start-up programme", "Regional reach first"}
        assert case.purpose == (conflict.incoming if conflict.winner == "incoming" else conflict.local)
        assert get_case(s, nbo_ref) and get_case(s, lim_ref)

    # Someone at HQ takes the value the conflict set aside; the decision travels like any edit.
    from dtlab.sync.conflicts import resolve_conflict

    with hq.store.read() as s:
        (conflict,) = open_conflicts(s)
        other_value = conflict.local if conflict.winner == "incoming" else conflict.incoming
    resolve_conflict(hq.store, conflict.id, "keep" if conflict.winner == "incoming" else "take")
    with hq.store.read() as s:
        assert get_case(s, ref).purpose == other_value and open_conflicts(s) == []
    with pytest.raises(Refused, match="was resolved"):
        resolve_conflict(hq.store, conflict.id, "take")

    # HQ's bundles bring both laptops to the merged state.
    hq_sends(hq, nairobi, lima)
    assert nairobi.state() == hq.state() == lima.state()

    # Re-importing any bundle changes nothing, and says so.
    before = hq.state()
    again = hq.take(from_nairobi)
    assert again.already and again.applied == 0 and hq.state() == before
    assert nairobi.take(start).already


def test_an_untrusted_or_tampered_bundle_is_refused_with_nothing_written(sites: tuple[Site, Site, Site],
                                                                          tmp_path: Path) -> None:
    hq, nairobi, lima = sites
    create_case(nairobi.store, {"title": "Laptop case", "country": "KE"})
    bundle = nairobi.export()
    stranger = Site(tmp_path, "XYZ", "eve")
    before = stranger.state()
    with pytest.raises(Rejected, match="unknown key"):
        stranger.take(bundle)
    assert stranger.state() == before
    with pytest.raises(Rejected, match="this site"):
        nairobi.take(bundle)
    # Lima trusts Nairobi's key for the wrong site code.
    with lima.store.write() as s:
        trust(s, nairobi.key.public, "LIMA2")
    with pytest.raises(Rejected, match="belongs to site LIMA2"):
        lima.take(bundle)
    stranger.store.close()


def test_a_sequence_gap_is_refused(sites: tuple[Site, Site, Site]) -> None:
    hq, nairobi, _lima = sites
    create_case(nairobi.store, {"title": "First", "country": "KE"})
    nairobi.export()  # lost on the way
    # Nairobi believes HQ has its first bundle only if HQ says so; a later bundle with only the
    # new operations leaves a gap.
    with nairobi.store.write() as s:
        from dtlab.db.models import PeerVector
        from dtlab.sync.vector import vector

        for origin, seq in vector(s).items():
            s.add(PeerVector(peer="HQ", origin=origin, seq=seq))
    create_case(nairobi.store, {"title": "Second", "country": "KE"})
    with pytest.raises(Rejected, match="sequence gap"):
        hq.take(nairobi.export())


def test_the_manifest_follows_its_documented_schema(sites: tuple[Site, Site, Site]) -> None:
    import json
    import zipfile

    hq, nairobi, _lima = sites
    create_case(nairobi.store, {"title": "Documented", "country": "KE"})
    with zipfile.ZipFile(nairobi.export()) as z:
        manifest = json.loads(z.read("manifest.json"))
    schema = json.loads((Path(__file__).parent.parent / "docs" / "bundle-manifest.schema.json").read_text())
    assert set(manifest) == set(schema["properties"])  # every field written is documented
    assert set(schema["required"]) <= set(manifest)
    assert manifest["sites"] == {nairobi.store.require_site().id: "NBO"}
    assert set(manifest["origin"]) == set(schema["properties"]["origin"]["required"])
    assert set(manifest["members"]["operations.ndjson"]) == {"size", "rows", "sha256"}
    assert manifest["format"] == schema["properties"]["format"]["const"]


def test_a_kpi_year_made_on_two_sites_is_one_record(sites: tuple[Site, Site, Site]) -> None:
    """Both sites report year 4 of the same KPI (a year neither had): the year has one id
    everywhere, so the two reports merge into one record with a conflict, not a collision."""
    from dtlab.db.plans import case_plan
    from dtlab.domain.stages import Stage
    from dtlab.services.plans import instantiate_plan, record_actual
    from tests.helpers.cases import walk_to

    hq, nairobi, _lima = sites
    ref = create_case(hq.store, {"title": "Planned hub", "country": "KE"})
    walk_to(hq.store, ref, Stage.IMPLEMENTATION)
    # Accredited long enough ago that reporting year 4 has begun (an actual waits for its year).
    update_case(hq.store, ref, {"launch_on": "2022-01-10", "accredited_on": "2022-06-01"})
    instantiate_plan(hq.store, ref)
    nairobi.take(hq.export("NBO"))
    with hq.store.read() as s:
        kpi = case_plan(s, get_case(s, ref), date.today())["kpis"][1]
    record_actual(hq.store, ref, kpi["id"], 4, "30")
    record_actual(nairobi.store, ref, kpi["id"], 4, "31")
    summary = hq.take(nairobi.export())
    assert summary.conflicts == 1
    nairobi.take(hq.export("NBO"))
    assert nairobi.state() == hq.state()
    with hq.store.read() as s:
        years = [y for y in case_plan(s, get_case(s, ref), date.today())["kpis"][1]["years"] if y["year"] == 4]
    assert len(years) == 1 and years[0]["actual"] in (30, 31)


def _both_orders(hq: Site, first: Path, second: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """HQ's state after importing two bundles in one order, and (on a copy) in the other."""
    copy = hq.copy_database(f"copy-{first.stem}")
    hq.take(first)
    hq.take(second)
    other = Store.open(copy, "hq")
    try:
        import_file(other, second, "HQ")
        import_file(other, first, "HQ")
        twin = Site.__new__(Site)
        twin.store = other
        return hq.state(), Site.state(twin)
    finally:
        other.close()


def test_a_value_set_back_converges(sites: tuple[Site, Site, Site]) -> None:
    """A→B then B→A on one laptop, A→C on the other: the latest write (back to A) wins in every
    order and everywhere, not whichever bundle came last."""
    hq, nairobi, lima = sites
    ref = create_case(hq.store, {"title": "Shared", "country": "KE", "purpose": "A"})
    hq_sends(hq, nairobi, lima)
    update_case(lima.store, ref, {"purpose": "C"})
    update_case(nairobi.store, ref, {"purpose": "B"})
    update_case(nairobi.store, ref, {"purpose": "A"})
    one, other = _both_orders(hq, nairobi.export(), lima.export())
    assert one == other
    hq_sends(hq, nairobi, lima)
    assert nairobi.state() == hq.state() == lima.state()
    with hq.store.read() as s:
        assert get_case(s, ref).purpose == "A"


def test_a_delete_against_a_later_edit_converges(sites: tuple[Site, Site, Site]) -> None:
    """Lima removes a milestone, Nairobi edits it later without knowing: the later write decides
    for everyone (the edit keeps it), and HQ records the conflict."""
    from dtlab.db.plans import case_plan
    from dtlab.domain.stages import Stage
    from dtlab.services.plans import instantiate_plan, remove_plan_item, save_milestone
    from tests.helpers.cases import walk_to

    hq, nairobi, lima = sites
    ref = create_case(hq.store, {"title": "Planned", "country": "KE"})
    walk_to(hq.store, ref, Stage.IMPLEMENTATION)
    instantiate_plan(hq.store, ref)
    hq_sends(hq, nairobi, lima)
    with hq.store.read() as s:
        m = case_plan(s, get_case(s, ref), date.today())["milestones"][0]
    remove_plan_item(lima.store, ref, "milestone", m["id"])
    save_milestone(nairobi.store, ref, m["id"], m["title"], m["rule"], "Amina", "in_progress")
    one, other = _both_orders(hq, lima.export(), nairobi.export())
    assert one == other
    hq_sends(hq, nairobi, lima)
    assert nairobi.state() == hq.state() == lima.state()
    with hq.store.read() as s:
        assert any(x["id"] == m["id"] for x in case_plan(s, get_case(s, ref), date.today())["milestones"])
        assert any(c.field == "deleted_at" for c in open_conflicts(s))


def test_a_conflict_decided_at_one_site_is_closed_at_the_others(sites: tuple[Site, Site, Site]) -> None:
    """HQ's bundle for Nairobi (with Lima's edit) and Nairobi's for HQ (with its own edit of the
    same field) cross: both HQ and Nairobi hold the conflict. Deciding it at HQ closes it at
    Nairobi too, and no site opens it again."""
    from dtlab.db.models import Conflict
    from dtlab.sync.conflicts import resolve_conflict

    hq, nairobi, lima = sites
    ref = shared_case(hq, nairobi, lima)
    update_case(nairobi.store, ref, {"purpose": "Nairobi's purpose"})
    update_case(lima.store, ref, {"purpose": "Lima's purpose"})
    hq.take(lima.export())
    to_nairobi, from_nairobi = hq.export("NBO"), nairobi.export()
    nairobi.take(to_nairobi)
    hq.take(from_nairobi)
    with nairobi.store.read() as s:
        (at_nairobi,) = open_conflicts(s)
    with hq.store.read() as s:
        (at_hq,) = open_conflicts(s)
    assert {at_hq.local, at_hq.incoming} == {at_nairobi.local, at_nairobi.incoming}

    resolve_conflict(hq.store, at_hq.id, "edit", "Both: Nairobi first, then the region")
    with hq.store.read() as s:
        assert open_conflicts(s) == []
    summary = nairobi.take(hq.export("NBO"))
    assert (summary.closed, summary.conflicts) == (1, 0)
    lima.take(hq.export("LIM"))
    hq.take(nairobi.export())
    hq.take(lima.export())
    for site in (hq, nairobi, lima):
        with site.store.read() as s:
            assert open_conflicts(s) == [], site.code
            assert get_case(s, ref).purpose == "Both: Nairobi first, then the region"
    with nairobi.store.read() as s:
        closed = s.get(Conflict, at_nairobi.id)
        assert closed is not None and closed.resolution == "decided at HQ by hq: edited"
    assert nairobi.state() == hq.state() == lima.state()


def test_a_decision_covers_only_the_writes_its_site_had_seen(sites: tuple[Site, Site, Site]) -> None:
    """HQ decides between Nairobi and Lima; meanwhile Nairobi edits the field again. The new edit
    was not part of the decision, so the conflict it makes stays open for someone to decide."""
    from dtlab.sync.conflicts import resolve_conflict

    hq, nairobi, lima = sites
    ref = shared_case(hq, nairobi, lima)
    update_case(nairobi.store, ref, {"purpose": "Nairobi's purpose"})
    update_case(lima.store, ref, {"purpose": "Lima's purpose"})
    hq.take(lima.export())
    hq.take(nairobi.export())
    with hq.store.read() as s:
        (conflict,) = open_conflicts(s)
    resolve_conflict(hq.store, conflict.id, "take")
    update_case(nairobi.store, ref, {"purpose": "Nairobi, second thoughts"})
    to_nairobi, from_nairobi = hq.export("NBO"), nairobi.export()
    assert nairobi.take(to_nairobi).closed == 0
    hq.take(from_nairobi)
    open_somewhere = []
    for site in (hq, nairobi):
        with site.store.read() as s:
            open_somewhere += [(site.code, c.field) for c in open_conflicts(s)]
    assert open_somewhere and all(field == "purpose" for _code, field in open_somewhere)


def test_a_site_learns_the_codes_of_the_sites_it_hears_of(sites: tuple[Site, Site, Site]) -> None:
    """Lima's work reaches Nairobi through HQ; Nairobi's history names Lima, not its site id."""
    from dtlab.db.history import case_history
    from dtlab.db.sites import site_names

    hq, nairobi, lima = sites
    ref = create_case(lima.store, {"title": "Andes smart farming", "country": "PE"})
    hq.take(lima.export())
    nairobi.take(hq.export("NBO"))
    with nairobi.store.read() as s:
        names = site_names(s)
        assert names[lima.store.require_site().id] == "LIM" and names[hq.store.require_site().id] == "HQ"
        assert {entry.origin for entry in case_history(s, ref)} == {"LIM"}


def test_two_sites_filling_in_one_cases_assessment_make_one_record(sites: tuple[Site, Site, Site]) -> None:
    """The assessment is one per case: made on two laptops, it merges field by field."""
    hq, nairobi, lima = sites
    ref = shared_case(hq, nairobi, lima)
    update_case(nairobi.store, ref, {"needs": "Broadband for the incubator"})
    update_case(lima.store, ref, {"findings": "Strong policy support"})
    hq.take(nairobi.export())
    hq.take(lima.export())
    hq_sends(hq, nairobi, lima)
    assert nairobi.state() == hq.state() == lima.state()
    assert len(hq.state()["assessments"]) == 1


def test_an_edit_of_a_draft_made_elsewhere_still_merges_after_the_submission(tmp_path: Path) -> None:
    """HQ submits an evaluation while Nairobi, not yet told, edits the draft's comment. The
    submission locks edits made at HQ, not Nairobi's earlier one: it arrives, as a conflict, and
    both sites end the same."""
    from dtlab.db.reference import current_rubric
    from dtlab.services.evaluations import save_scores, start_evaluation, submit_evaluation
    from tests.helpers.cases import design_case

    hq, nairobi = Site(tmp_path, "HQ", "hq"), Site(tmp_path, "NBO", "amina")
    hq.trusts(nairobi)
    nairobi.trusts(hq)
    ref = design_case(hq.store)
    with hq.store.read() as s:
        _rubric_id, rubric = current_rubric(s)
    evaluation = start_evaluation(hq.store, ref, "hq")
    save_scores(hq.store, evaluation, {c.id: 3 for c in rubric.criteria})
    nairobi.take(hq.export("NBO"))
    save_scores(nairobi.store, evaluation, {}, comment="Seen on the site visit: strong host")
    save_scores(nairobi.store, evaluation, {rubric.criteria[0].id: 4})
    submit_evaluation(hq.store, evaluation)
    to_nairobi, from_nairobi = hq.export("NBO"), nairobi.export()
    summary = hq.take(from_nairobi)
    nairobi.take(to_nairobi)
    assert summary.applied > 0
    assert nairobi.state() == hq.state()
    for site in (hq, nairobi):
        site.store.close()


def test_a_field_sites_full_bundle_carries_only_its_own_work(sites: tuple[Site, Site, Site]) -> None:
    """What the gap message advises (ask the site for a full bundle) works: a laptop that has
    received HQ's work sends only its own, which HQ accepts."""
    hq, nairobi, _lima = sites
    create_case(hq.store, {"title": "From HQ", "country": "KE"})
    nairobi.take(hq.export("NBO"))
    ref = create_case(nairobi.store, {"title": "From the field", "country": "KE"})
    full = nairobi.tmp / "nbo-full.dtlab"
    _manifest, count, _size = export_file(nairobi.store, full, "HQ", full=True, hq_site="HQ")
    assert set(_manifest["ranges"]) == {nairobi.store.require_site().id}
    assert hq.take(full).applied == count
    with hq.store.read() as s:
        assert get_case(s, ref).title == "From the field"
