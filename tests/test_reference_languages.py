"""Reference data in the six languages of the Union: every seed's every text in all six, the
sources' Chinese kept as it was, names read in the reader's language (countries' from CLDR), and
a case found by its country's name in any of the six."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from dtlab.db.cases import list_cases
from dtlab.db.listing import CaseFilter
from dtlab.db.models import Country
from dtlab.db.ref_languages import LANGS, project_translations
from dtlab.db.reference import SEEDS, seeds_dir, tomllib
from dtlab.db.store import Store
from dtlab.i18n import language, use_language
from dtlab.services.cases import create_case

pytestmark = pytest.mark.unit

# The commit before the reference data had its six languages: the sources' Chinese as it was.
BEFORE_TRANSLATION = "7eddb24eac4858129c56bc3b74db7c4d67f04883"
# Every Chinese text of the sources the seeds hold (not the project's translations into Chinese),
# digested: it changes only when a source text was misread, and knowingly.
SOURCES_CHINESE_COUNT = 341
SOURCES_CHINESE_DIGEST = "316eaba364b9cb54d88d6f1333979436906f8895304334312852626637ea31c6"


def _texts(value: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, the mapping) of every table of a seed, however deep (caps inside criteria)."""
    if isinstance(value, dict):
        yield where, value
        for key, inner in value.items():
            yield from _texts(inner, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            yield from _texts(inner, f"{where}[{n}]")


def _seed(name: str) -> dict[str, Any]:
    return tomllib.loads((seeds_dir() / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_every_text_of_every_seed_is_in_the_six_languages(name: str) -> None:
    """A text a seed gives in English (`name_en`) it gives in the five other languages too, none
    empty where the English is not, a list as long as the English one."""
    missing = []
    for where, table in _texts(_seed(name)):
        for key, english in table.items():
            if not key.endswith("_en"):
                continue
            field = key.removesuffix("_en")
            for lang in LANGS:
                given = table.get(f"{field}_{lang}")
                if isinstance(english, list):
                    ok = (isinstance(given, list) and len(given) == len(english)
                          and all(isinstance(g, str) and g.strip() for g in given))
                else:
                    ok = isinstance(given, str) and bool(given.strip()) == bool(english.strip())
                if not ok:
                    missing.append(f"{where}.{field}_{lang}")
    assert not missing, f"seeds/{name}: missing or empty: {', '.join(missing[:10])}"


def test_country_names_are_never_written_by_hand() -> None:
    countries = _seed("countries.toml")["country"]
    assert countries and not [c["code"] for c in countries if "name_en" in c or "name_zh" in c]


def _chinese(doc: dict[str, Any]) -> dict[str, str]:
    return {f"{where}.{key}": json.dumps(value, ensure_ascii=False)
            for where, table in _texts(doc) for key, value in table.items() if key.endswith("_zh")}


def _project_chinese(name: str) -> set[str]:
    """The Chinese fields of a seed that are the project's translation ("goal.why"), or "*"."""
    mine = next((p for p in project_translations() if p.seed == name), None)
    if mine is None:
        return set()
    return {"*"} if "zh" in mine.languages else set(mine.fields.get("zh", ()))


def _is_project(key: str, fields: set[str]) -> bool:
    """`key` ("goal[0].why_zh") one of `fields` ("goal.why")."""
    if "*" in fields:
        return True
    parts = [p.split("[")[0] for p in key.split(".")]
    return ".".join([*parts[:-1], parts[-1].removesuffix("_zh")]) in fields


def test_the_sources_chinese_is_as_it_was_before_the_translations() -> None:
    """Every Chinese text the seeds had before they were translated is there still, unchanged (the
    countries' names excepted: CLDR's now)."""
    changed = []
    for name in SEEDS:
        if name == "countries.toml":
            continue
        try:
            before = subprocess.run(["git", "show", f"{BEFORE_TRANSLATION}:dtlab/seeds/{name}"], cwd=seeds_dir(),
                                    capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            pytest.skip("the repository's history is not here")
        now = _chinese(_seed(name))
        changed += [f"{name}: {key}" for key, text in _chinese(tomllib.loads(before)).items() if now.get(key) != text]
    assert not changed, changed


def test_the_sources_chinese_is_recorded() -> None:
    """The sources' Chinese, all of it (what the seeds held before and what was taken from the
    sources since), digested: a change to any of it is a change to a source text, made knowingly."""
    texts = {}
    for name in sorted(SEEDS):
        project = _project_chinese(name)
        texts |= {f"{name}:{key}": text for key, text in _chinese(_seed(name)).items() if not _is_project(key, project)}
    digest = hashlib.sha256(json.dumps(texts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    assert (len(texts), digest) == (SOURCES_CHINESE_COUNT, SOURCES_CHINESE_DIGEST)


def test_which_translations_are_the_projects_own() -> None:
    found = {p.seed: p for p in project_translations()}
    assert set(found["goals.toml"].languages) == {"ar", "es", "fr", "ru"}
    assert set(found["rubric.toml"].languages) == {"ar", "es", "fr", "ru", "zh"}
    assert found["centre_types.toml"].fields["zh"] == ("centre_type.short", "centre_type.inference_note")
    assert "countries.toml" not in found  # CLDR's names
    for p in found.values():
        assert set(p.languages) | set(p.fields) <= set(LANGS) - {"en"}


@pytest.fixture
def speaking() -> Iterator[Any]:
    """`speaking("fr")` for the rest of the test; English again after it."""
    yield use_language
    use_language("en")


def test_names_come_out_in_the_language_in_use(store: Store, speaking: Any) -> None:
    from dtlab.db.concept import goal_names
    from dtlab.db.queries import centre_types, form_choices, monitoring_templates
    from dtlab.db.reference import centre_type_rules, current_rubric

    def names() -> dict[str, Any]:
        with store.read() as s:
            choices = form_choices(s)
            return {"country": dict(choices.countries)["KE"], "goal": goal_names(s)["policy"],
                    "type": dict(centre_types(s))["technology"], "rule": centre_type_rules(s)["initiative"].name,
                    "criterion": current_rubric(s)[1].criterion("resources").short,
                    "template": monitoring_templates(s, "technology")[0]["kpis"][0]["unit"],
                    "category": dict(choices.categories)["member_state"]}

    english = names()
    assert english == {"country": "Kenya", "goal": "Policy experimentation", "type": "Technology Acceleration Centre",
                       "rule": "Initiative Acceleration Centre", "criterion": "Resources", "template": "reports",
                       "category": "Member State"}
    speaking("fr")
    assert names() == {"country": "Kenya", "goal": "Expérimentation politique",
                       "type": "Centre d'accélération technologique", "rule": "Centre d'accélération des initiatives",
                       "criterion": "Ressources", "template": "rapports", "category": "État Membre"}
    speaking("zh")
    chinese = names()
    assert chinese["country"] == "肯尼亚" and chinese["goal"] == "政策实验" and chinese["type"] == "技术加速中心"
    speaking("ru")
    assert names()["country"] == "Кения"
    speaking("ar")
    assert names()["country"] == "كينيا"
    speaking("en")
    assert names() == english and language() == "en"


def test_json_keeps_english_when_asked(store: Store, speaking: Any) -> None:
    """What a command writes as JSON is the same in every language: the templates' words asked for
    in English, the results framework with every language under its own key."""
    from dtlab.db import framework
    from dtlab.db.queries import monitoring_templates

    with store.read() as s:
        before = (monitoring_templates(s, lang="en"), framework.sdgs(s), framework.priority_areas(s))
    speaking("es")
    with store.read() as s:
        after = (monitoring_templates(s, lang="en"), framework.sdgs(s), framework.priority_areas(s))
        assert framework.said(framework.sdgs(s)[0], "name") == "Fin de la pobreza"
    assert after == before
    assert before[1][0]["name_en"] == "No poverty" and before[1][0]["name_zh"] == "无贫穷"


def test_countries_are_cldrs_and_sorted_by_their_names_in_the_language(store: Store, speaking: Any) -> None:
    from dtlab.db.queries import form_choices

    with store.read() as s:
        kenya = s.get(Country, "KE")
        assert kenya is not None and kenya.name_en == "Kenya" and kenya.name_zh == "肯尼亚"
        assert set(kenya.names.splitlines()) == {"Kenya", "Kenia", "Кения", "كينيا", "肯尼亚"}
        english = [name for _code, name in form_choices(s).countries]
    speaking("fr")
    with store.read() as s:
        french = [name for _code, name in form_choices(s).countries]
    assert english[0] == "Afghanistan" and "Kenya" in english
    # Accents do not send a name to the end: "Égypte" among the E's, in French.
    assert french.index("Égypte") < french.index("Érythrée") < french.index("Espagne") < french.index("Fidji")


def test_a_country_is_named_in_any_of_the_six_languages(store: Store) -> None:
    from dtlab.services.cases import check_country

    with store.read() as s:
        for name in ("Kenya", "kenia", "Кения", "كينيا", "肯尼亚", "KE"):
            assert check_country(s, name).code == "KE", name
        assert check_country(s, "中国").code == "CN"
        assert check_country(s, "cote divoire").code == "CI"


def test_translations_do_not_make_a_new_rubric(store: Store) -> None:
    """The rubric is named by its meaning: the one scored before it was translated is the one
    scored after, so no evaluation stands apart for it, and sites name it alike."""
    from dtlab.db.reference import current_rubric

    with store.read() as s:
        rubric_id, rubric = current_rubric(s)
    assert rubric_id == "v1-c52d6d82b1f1" and rubric.version == 1


@pytest.mark.both_databases
@pytest.mark.parametrize("query", ["Kenya", "Kenia", "Кения", "كينيا", "肯尼亚", "kenya"])
def test_a_case_is_found_by_its_countrys_name_in_any_language(store: Store, query: str) -> None:
    kenya = create_case(store, {"title": "Innovation hub", "country": "KE"})
    create_case(store, {"title": "Innovation hub", "country": "SN"})
    with store.read() as s:
        assert [r["ref"] for r in list_cases(s, CaseFilter(search=query))] == [kenya]


@pytest.mark.both_databases
def test_a_two_character_name_finds_its_country(store: Store) -> None:
    """Many Chinese names are two characters, too short for a trigram: found whole."""
    china = create_case(store, {"title": "Lab", "country": "CN"})
    create_case(store, {"title": "Lab", "country": "IN"})
    with store.read() as s:
        assert [r["ref"] for r in list_cases(s, CaseFilter(search="中国"))] == [china]
        assert [r["ref"] for r in list_cases(s, CaseFilter(search="印度 Lab"))] != [china]
        # Part of a name is not a name: "中" alone finds nothing by country.
        assert list_cases(s, CaseFilter(search="中")) == []
