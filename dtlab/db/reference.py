"""Reference data from seeds/*.toml: loaded idempotently and versioned.

Each file is loaded when its content digest differs from the one recorded in `ref_version`; rows
are upserted by their natural key and rows that left the file are removed, so a re-load of an
unchanged file writes nothing and an edited file never duplicates."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from sqlalchemy import delete, tuple_
from sqlmodel import Session, SQLModel, col, select

from dtlab.db.models import (
    CentreType,
    Country,
    ExpectedResult,
    Goal,
    GroupOutcome,
    MembershipCategory,
    Meta,
    PriorityGroup,
    PriorityInitiative,
    PriorityResult,
    Product,
    RefCall,
    RefVersion,
    Region,
    RegionalInitiative,
    RubricVersion,
    Sdg,
    TemplateItem,
    ThematicPriority,
    WsisLine,
)
from dtlab.db.ref_languages import cldr_names, english_only, nth_texts, search_names, texts_of
from dtlab.domain.calls import CallFacts, call_problems, split_codes
from dtlab.domain.clock import utc_now
from dtlab.domain.guide import OWNERSHIPS, SCOPES, CentreTypeRule
from dtlab.domain.monitoring import RESULT_LEVELS, SDG_NUMBERS, WSIS_LINES, Anchor, parent_problem
from dtlab.domain.rubric import Rubric, RubricError
from dtlab.i18n import _, language

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class SeedError(Exception):
    """A seed file that cannot be loaded, or reference data missing from the database: a fault of
    the installation, not of the command, so it stays an unexpected error (exit 1)."""


def seeds_dir() -> Path:
    return Path(str(files("dtlab.seeds")))


@dataclass
class Rows:
    model: type[SQLModel]
    keys: tuple[str, ...]
    rows: list[dict[str, Any]]
    keep_others: bool = False  # rows that left the file stay (older rubric versions)


def _need(doc: dict[str, Any], name: str, key: str) -> list[dict[str, Any]]:
    items = doc.get(key)
    if not isinstance(items, list) or not items:
        raise SeedError(f"seeds/{name}: no [[{key}]] entries")
    return items


def _goals(doc: dict[str, Any]) -> list[Rows]:
    items = _need(doc, "goals.toml", "goal")
    return [Rows(Goal, ("id",), [dict(position=i, why_en=g.get("why_en", ""), id=g["id"], name_en=g["name_en"],
                                      name_zh=g["name_zh"], texts=texts_of(g, "name", "why"))
                                 for i, g in enumerate(items)])]


def _centre_types(doc: dict[str, Any]) -> list[Rows]:
    rows = []
    for i, t in enumerate(_need(doc, "centre_types.toml", "centre_type")):
        for scope in t["scopes"]:
            if scope not in SCOPES:
                raise SeedError(f"seeds/centre_types.toml: "  # i18n: not shown (seed bug)
                                f"{t['id']}: unknown scope {scope!r}")
        for own in t["ownership"]:
            if own not in OWNERSHIPS:
                raise SeedError(f"seeds/centre_types.toml: "  # i18n: not shown (seed bug)
                                f"{t['id']}: unknown ownership {own!r}")
        rows.append(dict(
            id=t["id"], position=i, name_en=t["name_en"], name_zh=t["name_zh"], ownership=t["ownership"],
            ownership_text_en=t["ownership_text_en"], scopes=t["scopes"], goals=t["goals"],
            resources_en=t["resources_en"], cost_tier=t["cost_tier"], comment_en=t["comment_en"],
            inferred=t.get("inferred", []), inference_note=t.get("inference_note_en", ""),
            texts=texts_of(t, "name", "short", "ownership_text", "resources", "comment", "inference_note"),
        ))
    return [Rows(CentreType, ("id",), rows)]


def _regions(doc: dict[str, Any]) -> list[Rows]:
    items = _need(doc, "regions.toml", "region")
    return [Rows(Region, ("id",), [{**{k: r[k] for k in ("id", "name_en", "name_zh")}, "texts": texts_of(r, "name")}
                                   for r in items])]


def _countries(doc: dict[str, Any]) -> list[Rows]:
    """Each Member State's region from the seed, its names from CLDR in the six languages (a code
    CLDR does not name yet keeps the seed's English name, in every language)."""
    rows = []
    for c in _need(doc, "countries.toml", "country"):
        names = cldr_names(c["code"])
        if not names:
            if "name_en" not in c:
                raise SeedError(f"seeds/countries.toml: "  # i18n: not shown (seed bug)
                                f"{c['code']}: CLDR names no such country (give it a name_en)")
            names = {"en": c["name_en"], "zh": c.get("name_zh") or c["name_en"]}
        rows.append(dict(code=c["code"], region=c["region"], name_en=names["en"], name_zh=names["zh"],
                         names=search_names(names.values()), texts={"name": names}))
    return [Rows(Country, ("code",), rows)]


def _categories(doc: dict[str, Any]) -> list[Rows]:
    items = _need(doc, "membership_categories.toml", "category")
    return [Rows(MembershipCategory, ("id",),
                 [dict(id=c["id"], position=i, name_en=c["name_en"], name_zh=c["name_zh"], texts=texts_of(c, "name"))
                  for i, c in enumerate(items)])]


def _initiatives(doc: dict[str, Any]) -> list[Rows]:
    cycle = doc["cycle"]
    inits, results = [], []
    for item in _need(doc, "regional_initiatives.toml", "initiative"):
        inits.append(dict(cycle=cycle, code=item["code"], region=item["region"], title_en=item["title_en"],
                          title_zh=item["title_zh"], objective_en=item.get("objective_en", ""),
                          objective_zh=item.get("objective_zh", ""),
                          texts=texts_of(item, "title", "objective", "results_intro", "bdt_priorities")))
        for r in item.get("result", []):
            results.append(dict(cycle=cycle, code=item["code"], number=r["number"], text_en=r["text_en"],
                                text_zh=r["text_zh"], texts=texts_of(r, "text")))
    return [Rows(RegionalInitiative, ("cycle", "code"), inits),
            Rows(ExpectedResult, ("cycle", "code", "number"), results)]


def _group_parts(doc: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Each priority area's row, its outcomes, and its products: the area's list is the source's
    (authoritative); a product a priority's list also holds is attributed to that priority."""
    name = "seeds/thematic_priorities.toml"
    groups: list[dict[str, Any]] = []
    outcomes: list[dict[str, Any]] = []
    products: list[dict[str, Any]] = []
    attributed: dict[tuple[str, str], str] = {}  # (group, English title) → priority
    for p in doc.get("priority", []):
        for title in p.get("products_en", []):
            key = (p.get("group") or "", title)
            if key in attributed:
                raise SeedError(f"{name}: "  # i18n: not shown (seed bug)
                                f"product {title!r} is attributed to {attributed[key]} and {p['id']}")
            attributed[key] = p["id"]
    for i, g in enumerate(doc.get("group", [])):
        groups.append(dict(id=g["id"], position=i, title_en=g["title_en"], title_zh=g["title_zh"],
                           objective_en=g.get("objective_en", ""), objective_zh=g.get("objective_zh", ""),
                           impact_en=doc.get("impact_en", ""),
                           texts={**texts_of(g, "title", "objective"), **texts_of(doc, "impact")}))
        for kind, rows in (("outcomes", outcomes), ("products", products)):
            en, zh = g.get(f"{kind}_en", []), g.get(f"{kind}_zh", [])
            if len(en) != len(zh):
                raise SeedError(f"{name}: "  # i18n: not shown (seed bug)
                                f"{g['id']}: {kind}_en and {kind}_zh differ in length")
            for n, (title_en, title_zh) in enumerate(zip(en, zh, strict=True), 1):
                row = dict(group_id=g["id"], number=n, title_en=title_en, title_zh=title_zh,
                           texts=nth_texts(g, kind, n - 1, "title"))
                if kind == "products":
                    row["priority_id"] = attributed.pop((g["id"], title_en), None)
                rows.append(row)
    if attributed:
        (group, title), priority = next(iter(attributed.items()))
        raise SeedError(f"{name}: "  # i18n: not shown (seed bug)
                        f"{priority}: product {title!r} is not among the products of its group {group!r}")
    return groups, outcomes, products


def _priorities(doc: dict[str, Any]) -> list[Rows]:
    cycle = doc["cycle"]
    groups, outcomes, products = _group_parts(doc)
    prios, links, whole = [], [], []
    for i, p in enumerate(_need(doc, "thematic_priorities.toml", "priority")):
        prios.append(dict(id=p["id"], position=i, cycle=cycle, group_id=p.get("group"), title_en=p["title_en"],
                          title_zh=p["title_zh"], products_en=p.get("products_en", []),
                          products_zh=p.get("products_zh", []), texts=texts_of(p, "title", "products")))
        for link in sorted(set(p.get("results", []))):
            code, _dot, number = link.partition(".")
            links.append(dict(priority_id=p["id"], cycle=cycle, code=code, number=int(number)))
        for code in sorted(set(p.get("initiatives", []))):
            whole.append(dict(priority_id=p["id"], cycle=cycle, code=code))
    return [Rows(PriorityGroup, ("id",), groups), Rows(ThematicPriority, ("id",), prios),
            Rows(PriorityResult, ("priority_id", "cycle", "code", "number"), links),
            Rows(PriorityInitiative, ("priority_id", "cycle", "code"), whole),
            Rows(GroupOutcome, ("group_id", "number"), outcomes), Rows(Product, ("group_id", "number"), products)]


def _sdgs_and_wsis(doc: dict[str, Any]) -> list[Rows]:
    """The 17 SDGs and the 11 WSIS action lines, every one of them: a result's links are checked
    against the domain's numbers and codes, and each must have its name here."""
    name = "seeds/sdgs_and_wsis.toml"
    sdgs = [dict(number=int(g["number"]), name_en=g["name_en"], name_zh=g["name_zh"], texts=texts_of(g, "name"))
            for g in _need(doc, name, "sdg")]
    lines = [dict(code=w["code"], position=i, name_en=w["name_en"], name_zh=w["name_zh"], texts=texts_of(w, "name"))
             for i, w in enumerate(_need(doc, name, "wsis"))]
    if sorted(g["number"] for g in sdgs) != list(SDG_NUMBERS):
        raise SeedError(f"{name}: the SDGs are not 1 to 17, each once")  # i18n: not shown (seed bug)
    if [w["code"] for w in lines] != list(WSIS_LINES):
        raise SeedError(f"{name}: "  # i18n: not shown (seed bug)
                        f"the WSIS action lines are not C1 to C11, in order, each once")
    return [Rows(Sdg, ("number",), sdgs), Rows(WsisLine, ("code",), lines)]


# Order matters only for readability; there are no foreign keys between reference tables.
TEMPLATE_KINDS = ("result", "kpi", "milestone")
CONCEPT_NOTE_TASKS = range(1, 10)  # the nine centre tasks listed in the concept note


def _templates(doc: dict[str, Any]) -> list[Rows]:
    name = "monitoring_templates.toml"
    rows = []
    for template in _need(doc, name, "template"):
        centre_type = template["centre_type"]
        for kind in TEMPLATE_KINDS:
            for n, item in enumerate(template.get(kind, []), 1):
                where = f"seeds/{name}: {centre_type} {kind} {n}"
                if int(item["task"]) not in CONCEPT_NOTE_TASKS:
                    raise SeedError(f"{where}: "  # i18n: not shown (seed bug)
                                    f"task {item['task']} is not one of the concept note's 1-9")
                # A KPI's title is its `name`: one field, `title`, for the three kinds in `texts`.
                title = "title" if "title_en" in item else "name"
                row: dict[str, Any] = dict(
                    id=f"{centre_type}/{kind}/{n}", centre_type=centre_type, kind=kind, position=n,
                    title_en=item[f"{title}_en"], task=int(item["task"]),
                    level=None, unit=None, targets=None, anchor=None, months=None, parent=None,
                    texts={"title": texts_of(item, title)[title], **(texts_of(item, "unit") if kind == "kpi" else {})})
                if kind == "result":
                    if item["level"] not in RESULT_LEVELS:
                        raise SeedError(f"{where}: "  # i18n: not shown (seed bug)
                                        f"level {item['level']!r} is not one of {', '.join(RESULT_LEVELS)}")
                    row["level"] = item["level"]
                    row["parent"] = _template_parent(where, template.get(kind, []), n, item)
                elif kind == "kpi":
                    row["unit"] = item["unit_en"]
                    row["targets"] = [float(t) for t in item["targets"]]
                else:
                    if item["anchor"] not in [a.value for a in Anchor]:
                        raise SeedError(f"{where}: "  # i18n: not shown (seed bug)
                                        f"anchor {item['anchor']!r} is not launch or accreditation")
                    if int(item["months"]) < 0:
                        raise SeedError(f"{where}: months cannot be negative")  # i18n: not shown (seed bug)
                    row["anchor"], row["months"] = item["anchor"], int(item["months"])
                rows.append(row)
    return [Rows(TemplateItem, ("id",), rows)]


def _template_parent(where: str, results: list[dict[str, Any]], n: int, item: dict[str, Any]) -> int | None:
    """The position of the template's result that result `n` contributes to (`contributes_to`),
    checked: an earlier result of the same template (a plan makes them in order, each parent
    before what links to it), one level up."""
    parent = item.get("contributes_to")
    if parent is None:
        return None
    if not isinstance(parent, int) or not 1 <= parent < n:
        raise SeedError(f"{where}: "  # i18n: not shown (seed bug)
                        f"contributes_to {parent!r} is not the position of an earlier result of its "
                        "template")
    problem = parent_problem(item["level"], results[parent - 1]["level"])
    if problem:
        raise SeedError(f"{where}: contributes_to {parent}: {problem}")
    return parent


def _rubric(doc: dict[str, Any]) -> list[Rows]:
    try:
        rubric = Rubric.from_doc(doc)
    except RubricError as exc:
        raise SeedError(f"seeds/rubric.toml: {exc}") from None
    # Named by its meaning, not by file bytes: neither a comment or spacing edit nor a translation
    # is a new rubric, so evaluations scored before a translation came stay consolidated with the
    # later ones, and sites on either dtlab name the rubric alike. The meaning is the English, and
    # the rubric's own version (`rubric_version`, when the seed's `version` moved on without it).
    meaning = {**english_only(doc), "version": rubric.version}
    meaning.pop("rubric_version", None)
    digest = hashlib.sha256(json.dumps(meaning, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    row = dict(id=f"v{rubric.version}-{digest[:12]}", version=rubric.version, digest=digest, body=doc,
               loaded_at=utc_now())
    return [Rows(RubricVersion, ("id",), [row], keep_others=True)]


def _calls(doc: dict[str, Any]) -> list[Rows]:
    rows = []
    for i, c in enumerate(_need(doc, "calls.toml", "call")):
        facts = CallFacts(title=c["title_en"], deadline=c["deadline"], opens_on=c.get("opens_on"),
                          regions=split_codes(c.get("regions")), scope=c.get("scope"), status=c["status"])
        problems = call_problems(facts)
        if problems:
            raise SeedError(f"seeds/calls.toml: {c['ref']}: " + "; ".join(problems.values()))
        rows.append(dict(id=c["ref"], ref=c["ref"], position=i, title=c["title_en"], regions=c.get("regions"),
                         scope=c.get("scope"), centre_types=c.get("centre_types"), opens_on=c.get("opens_on"),
                         deadline=c["deadline"], status=c["status"], announcement=c.get("announcement_en"),
                         texts=texts_of(c, "title", "announcement")))
    return [Rows(RefCall, ("id",), rows)]


SEEDS: dict[str, Callable[[dict[str, Any]], list[Rows]]] = {
    "goals.toml": _goals,
    "centre_types.toml": _centre_types,
    "regions.toml": _regions,
    "countries.toml": _countries,
    "membership_categories.toml": _categories,
    "regional_initiatives.toml": _initiatives,
    "thematic_priorities.toml": _priorities,
    "rubric.toml": _rubric,
    "monitoring_templates.toml": _templates,
    "calls.toml": _calls,
    "sdgs_and_wsis.toml": _sdgs_and_wsis,
}


def _sync_rows(session: Session, spec: Rows) -> None:
    table = spec.model.__table__  # type: ignore[attr-defined]
    key_cols = [table.c[k] for k in spec.keys]
    wanted = {tuple(r[k] for k in spec.keys): r for r in spec.rows}
    if len(wanted) != len(spec.rows):
        raise SeedError(f"{spec.model.__tablename__}: duplicate keys in the seed file")  # i18n: not shown (seed bug)
    existing = set(session.execute(select(*key_cols)).all())
    gone = [k for k in existing if k not in wanted]
    if gone and not spec.keep_others:
        session.execute(delete(table).where(tuple_(*key_cols).in_(gone)))
    for key, row in wanted.items():
        obj = session.get(spec.model, key if len(key) > 1 else key[0])
        if obj is None:
            session.add(spec.model(**row))
        else:
            for k, v in row.items():
                if getattr(obj, k) != v:
                    setattr(obj, k, v)


def _check_links(session: Session) -> None:
    regions = set(session.scalars(select(Region.id)))
    for code, region in session.execute(select(Country.code, Country.region)):
        if region not in regions:
            raise SeedError(f"seeds/countries.toml: {code}: unknown region {region!r}")  # i18n: not shown (seed bug)
    results = set(session.execute(select(ExpectedResult.cycle, ExpectedResult.code, ExpectedResult.number)))
    for link in session.execute(select(PriorityResult)).scalars():
        if (link.cycle, link.code, link.number) not in results:
            raise SeedError(
                f"seeds/thematic_priorities.toml: "  # i18n: not shown (seed bug)
                f"{link.priority_id}: no expected result {link.code}.{link.number}"
            )
    types = set(session.scalars(select(CentreType.id)))
    for item_id, centre_type in session.execute(select(TemplateItem.id, TemplateItem.centre_type)):
        if centre_type not in types:
            raise SeedError(f"seeds/monitoring_templates.toml: "  # i18n: not shown (seed bug)
                            f"{item_id}: unknown centre type {centre_type!r}")
    priorities = {pid: group for pid, group in session.execute(select(ThematicPriority.id, ThematicPriority.group_id))}
    for product in session.scalars(select(Product).where(col(Product.priority_id).is_not(None))):
        if priorities.get(product.priority_id or "", "") != product.group_id:
            raise SeedError(f"seeds/thematic_priorities.toml: "  # i18n: not shown (seed bug)
                            f"product {product.title_en!r}: its priority "
                            f"{product.priority_id!r} is not one of its group {product.group_id!r}")
    for ref, wanted in session.execute(select(RefCall.ref, RefCall.centre_types)):
        for centre_type in split_codes(wanted):
            if centre_type not in types:
                raise SeedError(f"seeds/calls.toml: "  # i18n: not shown (seed bug)
                                f"{ref}: unknown centre type {centre_type!r}")
    initiatives = set(session.execute(select(RegionalInitiative.cycle, RegionalInitiative.code)))
    for whole in session.execute(select(PriorityInitiative)).scalars():
        if (whole.cycle, whole.code) not in initiatives:
            raise SeedError(f"seeds/thematic_priorities.toml: "  # i18n: not shown (seed bug)
                            f"{whole.priority_id}: no initiative {whole.code}")


def _to_load(session: Session, name: str, raw: bytes) -> tuple[str, dict[str, Any]] | None:
    """(digest, parsed document) of a seed file to load, or None when the database holds it, or
    holds a newer version of it: several dtlab versions may share one database (HQ staff), and
    an older one never loads its older reference data over a newer one's."""
    digest = hashlib.sha256(raw).hexdigest()
    version = session.get(RefVersion, name)
    if version is not None and version.digest == digest:
        return None
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SeedError(f"seeds/{name}: {type(exc).__name__}: {exc}") from None
    if version is not None and int(doc.get("version", 1)) < version.version:
        return None
    return digest, doc


def stale_reference(session: Session, directory: Path | None = None) -> list[str]:
    """The seed files `load_reference` would load: read without writing, so that opening a
    database whose reference data is current never waits for (or holds up) a writer."""
    directory = directory or seeds_dir()
    return [name for name in SEEDS if _to_load(session, name, (directory / name).read_bytes()) is not None]


def load_reference(session: Session, directory: Path | None = None, names: Iterable[str] | None = None) -> list[str]:
    """Load every seed file whose content changed (and is not older than what the database
    holds); return the names loaded."""
    directory = directory or seeds_dir()
    loaded = []
    for name in names or SEEDS:
        found = _to_load(session, name, (directory / name).read_bytes())
        if found is None:
            continue
        digest, doc = found
        try:
            specs = SEEDS[name](doc)
        except (KeyError, TypeError, ValueError) as exc:
            raise SeedError(f"seeds/{name}: {type(exc).__name__}: {exc}") from None
        for spec in specs:
            _sync_rows(session, spec)
        if name == "rubric.toml":
            # Which version is current is recorded, not inferred from load times (they tie within a second).
            session.merge(Meta(key=CURRENT_RUBRIC, value=specs[0].rows[0]["id"]))
        session.merge(RefVersion(name=name, version=int(doc.get("version", 1)), digest=digest, loaded_at=utc_now()))
        loaded.append(name)
    if loaded:
        session.flush()
        _check_links(session)
    return loaded


def centre_type_rules(session: Session) -> dict[str, CentreTypeRule]:
    """The selection guide's rows, by type, their words in the language in use."""
    return {
        t.id: CentreTypeRule(t.id, t.localized("name"), tuple(t.ownership), tuple(t.scopes), tuple(t.goals),
                             t.cost_tier, tuple(t.inferred), t.localized("inference_note") or "")
        for t in session.scalars(select(CentreType).order_by(col(CentreType.position)))
    }


CURRENT_RUBRIC = "current_rubric"


def current_rubric(session: Session) -> tuple[str, Rubric]:
    """The rubric new evaluations are scored with: the version in seeds/rubric.toml when it was
    last loaded."""
    current = session.get(Meta, CURRENT_RUBRIC)
    row = session.get(RubricVersion, current.value) if current else None
    if row is None:  # loaded before the current one was recorded: the latest load
        row = session.scalars(select(RubricVersion).order_by(col(RubricVersion.loaded_at).desc()).limit(1)).first()
    if row is None:
        raise SeedError(_("no evaluation rubric is loaded (seeds/rubric.toml)"))
    return row.id, Rubric.from_doc(row.body, language())


def rubric_version(session: Session, rubric_id: str) -> Rubric:
    row = session.get(RubricVersion, rubric_id)
    if row is None:
        raise SeedError(_("rubric version {rubric} is not in this database").format(rubric=rubric_id))
    return Rubric.from_doc(row.body, language())


def reference_tables(directory: Path | None = None) -> set[str]:
    """The tables the seed files fill (and the record of their versions): a newer dtlab reloads
    them, deleting the rows a seed no longer holds, so they alone take deletes."""
    directory = directory or seeds_dir()
    tables = {str(RefVersion.__table__.name)}  # type: ignore[attr-defined]
    for name, parse in SEEDS.items():
        doc = tomllib.loads((directory / name).read_text(encoding="utf-8"))
        tables |= {str(spec.model.__table__.name) for spec in parse(doc)}  # type: ignore[attr-defined]
    return tables
