"""The reference data's six languages: how a seed gives a text in each, where the countries'
names come from (CLDR, through Babel: never written by hand), which translations are the
project's own, and finding a country by its name in any language.

A seed gives a text field `name` as `name_en`, `name_zh`, `name_fr`…: English and Chinese from
the source documents (the Chinese verbatim), the others the project's translations, which each
seed declares at its top (`translated_by_project`, and `by_project` for the fields of a language
only partly the project's), so that the interface can say so (`project_translations`)."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from dtlab.db.models import Country
from dtlab.db.models.reference import SixLanguages
from dtlab.i18n import LANGUAGES, SOURCE_LANGUAGE, language

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# The six, in a fixed order (a JSON column written twice from one seed is written alike).
LANGS: tuple[str, ...] = tuple(sorted(LANGUAGES))
TRANSLATED = tuple(lang for lang in LANGS if lang != SOURCE_LANGUAGE)
# A seed's keys that say whose its translations are: not reference data.
MARKERS = ("translated_by_project", "by_project")


def in_languages(item: Mapping[str, Any], field: str) -> dict[str, Any]:
    """`field` in every language `item` gives it in ({"en": …, "zh": …, "fr": …})."""
    return {lang: item[f"{field}_{lang}"] for lang in LANGS if f"{field}_{lang}" in item}


def texts_of(item: Mapping[str, Any], *fields: str) -> dict[str, dict[str, Any]]:
    """The `texts` column of a row made from `item`: each of `fields` in every language given."""
    return {field: in_languages(item, field) for field in fields}


def nth_texts(item: Mapping[str, Any], field: str, index: int, as_field: str) -> dict[str, dict[str, Any]]:
    """The `texts` of one element of a list a seed gives per language (`products_en = [...]`)."""
    return {as_field: {lang: values[index] for lang, values in in_languages(item, field).items()
                       if index < len(values)}}


def english_only(value: Any) -> Any:
    """`value` without its translations and the markers of whose they are: what a seed means,
    which its translations do not change (the rubric is named by it)."""
    if isinstance(value, dict):
        return {k: english_only(v) for k, v in value.items()
                if k not in MARKERS and not any(k.endswith(f"_{lang}") for lang in TRANSLATED)}
    if isinstance(value, list):
        return [english_only(v) for v in value]
    return value


# The order a row's texts are written out in, one key per language ("name_en", "name_zh", …): the
# two the tables always had first, as their JSON always had them.
KEYED = (SOURCE_LANGUAGE, "zh", *(lang for lang in LANGS if lang not in (SOURCE_LANGUAGE, "zh")))


def keyed(row: SixLanguages, field: str) -> dict[str, Any]:
    """`field` of `row` in every language, one key per language (`name_en`, `name_zh`, `name_fr`…):
    how the command line's JSON gives reference texts, the same whatever the reader's language."""
    return {f"{field}_{lang}": row.localized(field, lang) for lang in KEYED}


def said(item: Mapping[str, Any], field: str) -> Any:
    """`field` of a `keyed` item in the language in use, else in English."""
    return item.get(f"{field}_{language()}") or item[f"{field}_{SOURCE_LANGUAGE}"]


# --- countries: CLDR's names ------------------------------------------------------------------------


@cache
def _territories(lang: str) -> Mapping[str, str]:
    from babel import Locale  # only when a seed is loaded: Babel's locale data is large

    return dict(Locale.parse(lang).territories)


def cldr_names(code: str) -> dict[str, str]:
    """A country's names in the six languages, as CLDR writes them; empty for a code CLDR does
    not name (a State newer than the installed Babel's data)."""
    found = {lang: _territories(lang).get(code) for lang in LANGS}
    return {lang: name for lang, name in found.items() if name} if all(found.values()) else {}


def fold(name: str) -> str:
    """A name compared without case, accents or punctuation, in any script ("Côte d’Ivoire" =
    "cote divoire"; "Кения" = "кения")."""
    plain = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in plain.casefold() if ch.isalnum() and not unicodedata.combining(ch))


def country_named(session: Session, text: str) -> Country | None:
    """The Member State `text` names, in any of the six languages (any case, accents or not)."""
    wanted = fold(text)
    if not wanted:
        return None
    for country in session.scalars(select(Country)):
        if any(fold(name) == wanted for name in (country.names or country.name_en).splitlines()):
            return country
    return None


def search_names(names: Iterable[str]) -> str:
    """The names a case search finds a country by, one a line, each once."""
    return "\n".join(dict.fromkeys(names))


# --- whose translations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectTranslation:
    """The texts of one seed that are the project's own translations (not the sources')."""

    seed: str  # the file, e.g. "goals.toml"
    languages: tuple[str, ...]  # every text of the seed in these languages
    fields: dict[str, tuple[str, ...]]  # language → the fields ("goal.why") that are, in it


def project_translations(directory: Path | None = None) -> list[ProjectTranslation]:
    """For each seed with translations of the project's own, which: what an about or help screen
    says ("French, Spanish, Russian and Arabic are the project's translations…")."""
    directory = directory or Path(str(files("dtlab.seeds")))
    out = []
    for path in sorted(directory.glob("*.toml")):
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        languages = tuple(doc.get("translated_by_project", ()))
        fields = {lang: tuple(names) for lang, names in doc.get("by_project", {}).items()}
        if languages or fields:
            out.append(ProjectTranslation(path.name, languages, fields))
    return out
