"""What a translated catalogue must be: every entry translated, none fuzzy, every plural form of the
language filled, the English's {placeholders} (and %-formats) kept, Rich markup tags neither added
nor lost; and the committed .mo the compilation of its .po, the .po's entries those of the code."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from dtlab.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, SOURCE_LANGUAGE

TRANSLATED = tuple(code for code in LANGUAGES if code != SOURCE_LANGUAGE)
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%(?:\([^)]*\))?[sdrif]")
MARKUP = re.compile(r"\[/?[a-z][a-z #0-9_.=-]*\]")
REPO = Path(__file__).resolve().parents[2]


def po_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(code: str) -> Catalog:
    with po_path(code).open("rb") as po:
        return read_po(po, locale=code)


def _forms(value: object) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else (str(value),)


def problems(catalogue: Catalog) -> Iterator[str]:
    """Every way the catalogue falls short, one line each."""
    for message in catalogue:
        if not message.id:
            continue
        ids, strings = _forms(message.id), _forms(message.string)
        where = f"{catalogue.locale}: {ids[0]!r}"
        plural = isinstance(message.id, (list, tuple))
        if message.fuzzy:
            yield f"{where}: fuzzy"
        if plural and len(strings) != catalogue.num_plurals:
            yield f"{where}: {len(strings)} plural forms, the language has {catalogue.num_plurals}"
        want = set(PLACEHOLDER.findall(ids[0])) | set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            if not text:
                yield f"{where}: untranslated"
                continue
            got = set(PLACEHOLDER.findall(text))
            # A plural form may say the number in words (Arabic's "one" and "two" forms), so
            # may leave {n} out; it may never bring a placeholder the English does not have.
            if (not got <= want) if plural else (got != want):
                yield f"{where}: placeholders {sorted(got)}, the English has {sorted(want)}"
            if sorted(MARKUP.findall(text)) != sorted(MARKUP.findall(ids[0])):
                yield f"{where}: markup tags differ from the English"


def compiled(code: str) -> bytes:
    """The .mo the committed .po compiles to (as `make messages` compiles it)."""
    out = io.BytesIO()
    write_mo(out, read_catalogue(code))
    return out.getvalue()


def code_messages() -> set[tuple[str | None, str | tuple[str, ...]]]:
    """The (context, msgid) of every message marked in dtlab's code, as `make messages` extracts
    them (tools/babel.cfg)."""
    found: set[tuple[str | None, str | tuple[str, ...]]] = set()
    method_map = [("db/migrations/**", "ignore"), ("**.py", "python")]
    for _file, _line, message, _comments, context in extract_from_dir(str(REPO / "dtlab"), method_map):
        found.add((context, tuple(message) if isinstance(message, (list, tuple)) else message))
    return found


def catalogue_messages(catalogue: Catalog) -> set[tuple[str | None, str | tuple[str, ...]]]:
    return {(m.context, tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id) for m in catalogue if m.id}
