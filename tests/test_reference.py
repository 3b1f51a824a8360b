"""Reference data from seeds/: complete, consistent, and loaded idempotently."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dtlab.db.models import (
    CentreType,
    Country,
    ExpectedResult,
    Goal,
    PriorityInitiative,
    RefVersion,
    RegionalInitiative,
    ThematicPriority,
)
from dtlab.db.queries import reference_summary
from dtlab.db.reference import SEEDS, SeedError, load_reference, seeds_dir
from dtlab.db.store import Store

pytestmark = pytest.mark.unit

EXPECTED_INITIATIVES = {
    "AFR": 4, "AMS": 4, "ARB": 5, "ASP": 5, "CIS": 5, "EUR": 5,
}


def test_counts(store: Store) -> None:
    with store.read() as s:
        summary = reference_summary(s)
    assert summary["goals"] == 5
    assert summary["centre_types"] == 4
    assert summary["regional_initiatives"] == 28
    assert summary["regions"] == 6
    # 193 UN members plus the Holy See (Vatican City State) and Palau (194th ITU Member State, 2024)
    assert summary["member_states"] == 194


def test_goal_and_type_ids_are_the_design_ids(store: Store) -> None:
    with store.read() as s:
        assert list(s.scalars(select(Goal.id).order_by(Goal.position))) == [
            "trends", "open_tech", "entrepreneurship", "policy", "ecosystem"]
        assert list(s.scalars(select(CentreType.id).order_by(CentreType.position))) == [
            "technology", "research_entrepreneurship", "digital_transformation", "initiative"]


def test_selection_guide_rows_and_inferred_cells(store: Store) -> None:
    with store.read() as s:
        types = {t.id: t for t in s.scalars(select(CentreType))}
    assert types["technology"].ownership == ["itu"] and types["technology"].scopes == ["global", "regional"]
    assert types["technology"].goals == ["trends", "open_tech", "policy"]
    assert types["initiative"].cost_tier == "low"
    assert types["research_entrepreneurship"].inferred == ["goals"]
    assert "lost" in types["research_entrepreneurship"].inference_note


def test_every_member_state_in_exactly_one_known_region(store: Store) -> None:
    with store.read() as s:
        rows = s.execute(select(Country.code, Country.region)).all()
    codes = [c for c, _ in rows]
    assert len(codes) == len(set(codes))
    assert {r for _, r in rows} == set(EXPECTED_INITIATIVES)
    regions = dict(rows)
    assert regions["EG"] == "ARB" and regions["KE"] == "AFR" and regions["KZ"] == "CIS"
    assert regions["BR"] == "AMS" and regions["IN"] == "ASP" and regions["FR"] == "EUR"


def test_all_28_initiatives_with_their_numbered_results(store: Store) -> None:
    with store.read() as s:
        per_region = dict(s.execute(
            select(RegionalInitiative.region, func.count()).group_by(RegionalInitiative.region)).all())
        assert per_region == EXPECTED_INITIATIVES
        results = s.execute(select(ExpectedResult.code, ExpectedResult.number)).all()
        cycles = set(s.scalars(select(RegionalInitiative.cycle)))
    assert cycles == {"WTDC-22"}
    by_code: dict[str, list[int]] = {}
    for code, number in results:
        by_code.setdefault(code, []).append(number)
    # Numbered 1..n without gaps; counts as printed in the source document.
    for numbers in by_code.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
    assert len(by_code["AFR2"]) == 12 and len(by_code["AFR4"]) == 6 and len(by_code["EUR1"]) == 6
    # The Arab States initiatives carry no numbered results in the source: none are invented.
    assert not any(code.startswith("ARB") for code in by_code)
    assert len(results) == 133


def test_results_have_english_and_chinese_text(store: Store) -> None:
    with store.read() as s:
        result = s.get(ExpectedResult, ("WTDC-22", "AFR4", 3))
    assert result is not None
    assert "innovation" in result.text_en.lower()
    assert "创新" in result.text_zh


def test_priorities_link_to_results_and_whole_initiatives(store: Store) -> None:
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(ThematicPriority)) == 23
        arb = set(s.scalars(select(PriorityInitiative.code)))
    assert arb <= {"ARB1", "ARB2", "ARB3", "ARB4", "ARB5"} and arb


def test_reload_of_unchanged_seeds_is_a_no_op(store: Store) -> None:
    with store.write() as s:
        assert load_reference(s) == []


def seed_version(path: Path) -> int:
    from dtlab.db.reference import tomllib  # tomli on Python 3.10

    return int(tomllib.loads(path.read_text(encoding="utf-8")).get("version", 1))


def copy_seeds(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), target)
    return target


def test_edited_seed_updates_rows_without_duplicates(store: Store, tmp_path: Path) -> None:
    seeds = copy_seeds(tmp_path)
    goals = seeds / "goals.toml"
    goals.write_text(goals.read_text(encoding="utf-8").replace("Policy experimentation", "Policy labs"),
                     encoding="utf-8")
    with store.write() as s:
        assert load_reference(s, seeds) == ["goals.toml"]
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Goal)) == 5
        goal = s.get(Goal, "policy")
        assert goal is not None and goal.name_en == "Policy labs"
        assert s.get(RefVersion, "goals.toml") is not None
    with store.write() as s:
        assert load_reference(s, seeds) == []


def test_a_seed_that_changes_gets_a_new_version() -> None:
    """Staff on two dtlab releases share HQ's database, and a seed is loaded over what the
    database holds only from a version as new or newer: two releases carrying one version of a
    seed with different contents would reload it at each other's every start. Each version's
    digest is recorded here once; a changed seed needs a higher `version` and its digest added."""
    import hashlib
    import json

    from dtlab.db.reference import tomllib  # tomli on Python 3.10

    recorded = json.loads((Path(__file__).parent / "seed_versions.json").read_text(encoding="utf-8"))
    for name in SEEDS:
        raw = (seeds_dir() / name).read_bytes()
        version = str(tomllib.loads(raw.decode("utf-8")).get("version", 1))
        digest = hashlib.sha256(raw).hexdigest()
        known = recorded.get(name, {})
        assert known.get(version) in (None, digest), (
            f"seeds/{name} changed but is still version {version}: raise its version and record "
            f"{digest} for it in tests/seed_versions.json")
        assert version in known, f"record seeds/{name} version {version}: {digest} in tests/seed_versions.json"


def test_an_older_dtlab_never_loads_its_reference_data_over_a_newer_ones(store: Store, tmp_path: Path) -> None:
    """Two staff on different dtlab versions share HQ's database: the newer one's seeds, once
    loaded, stay; the older one's, of a lower version, are neither loaded nor reported stale
    (so opening the database takes no write lock for them)."""
    from dtlab.db.reference import stale_reference

    newer, older = copy_seeds(tmp_path / "newer"), copy_seeds(tmp_path / "older")
    goals = newer / "goals.toml"
    current = seed_version(goals)
    goals.write_text(goals.read_text(encoding="utf-8").replace(f"version = {current}", f"version = {current + 1}", 1)
                     .replace("Policy experimentation", "Policy labs"), encoding="utf-8")
    with store.write() as s:
        assert load_reference(s, newer) == ["goals.toml"]
    with store.read() as s:
        assert stale_reference(s, older) == [] and stale_reference(s, newer) == []
    with store.write() as s:
        assert load_reference(s, older) == []
    with store.read() as s:
        goal = s.get(Goal, "policy")
        version = s.get(RefVersion, "goals.toml")
        assert goal is not None and goal.name_en == "Policy labs"
        assert version is not None and version.version == current + 1


def test_a_row_removed_from_a_seed_is_removed(store: Store, tmp_path: Path) -> None:
    seeds = copy_seeds(tmp_path)
    path = seeds / "membership_categories.toml"
    text = path.read_text(encoding="utf-8")
    cut = text.index('[[category]]\nid = "other"')
    path.write_text(text[:cut], encoding="utf-8")
    with store.write() as s:
        load_reference(s, seeds, ["membership_categories.toml"])
    with store.read() as s:
        assert reference_summary(s)["membership_categories"] == 6


def test_a_broken_seed_is_reported_with_its_file(store: Store, tmp_path: Path) -> None:
    seeds = copy_seeds(tmp_path)
    newer = seed_version(seeds / "countries.toml") + 1  # an older version is not loaded at all
    (seeds / "countries.toml").write_text(f'version = {newer}\n[[country]]\ncode = "XX"\nname_en = "X"\n'
                                         'name_zh = "X"\nregion = "MARS"\n', encoding="utf-8")
    with pytest.raises(SeedError, match="countries.toml: XX: unknown region 'MARS'"), store.write() as s:
        load_reference(s, seeds)


def test_every_centre_type_has_a_monitoring_plan_template(store: Store) -> None:
    from dtlab.db.models import CentreType, TemplateItem

    with store.read() as s:
        types = set(s.scalars(select(CentreType.id)))
        items = list(s.scalars(select(TemplateItem)))
    for centre_type in types:
        mine = [i for i in items if i.centre_type == centre_type]
        kinds = {i.kind for i in mine}
        assert kinds == {"result", "kpi", "milestone"}, centre_type
        assert {"output", "outcome"} <= {i.level for i in mine if i.kind == "result"}, centre_type
        # A target for each year of the three-year accreditation period.
        assert all(i.targets and len(i.targets) == 3 and i.unit for i in mine if i.kind == "kpi"), centre_type
        assert all(i.anchor in ("launch", "accreditation") and i.months is not None
                   for i in mine if i.kind == "milestone"), centre_type
    assert all(1 <= i.task <= 9 for i in items)


def test_a_template_with_an_unknown_anchor_or_type_is_refused(store: Store, tmp_path: Path) -> None:
    seeds = copy_seeds(tmp_path)
    path = seeds / "monitoring_templates.toml"
    original = path.read_text("utf-8")
    path.write_text(original.replace('anchor = "launch"', 'anchor = "lunch"', 1), encoding="utf-8")
    with pytest.raises(SeedError, match="technology milestone 1: anchor 'lunch'"), store.write() as s:
        load_reference(s, seeds)
    path.write_text(original.replace('centre_type = "initiative"', 'centre_type = "spaceport"'), encoding="utf-8")
    with pytest.raises(SeedError, match="unknown centre type 'spaceport'"), store.write() as s:
        load_reference(s, seeds)
