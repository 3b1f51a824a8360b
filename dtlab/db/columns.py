"""What an operation may write into each synchronised table, worked out once per table: its
content fields, a check per field that a JSON value fits the column, the Python-side defaults,
and (per database dialect) how a JSON value becomes what the driver stores.

The importer runs these for every value of every operation: millions in a large bundle, so the
decisions that depend only on the column's type are taken here, once, not per value."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Numeric, String, TypeDecorator, inspect
from sqlalchemy.engine import Dialect

from dtlab.db.models import Synced
from dtlab.i18n import _

Check = Callable[[Any], object]  # raises when the value does not fit; what it returns is unused
Convert = Callable[[Any], Any]


def compact_json(value: Any) -> str:
    """JSON as dtlab stores it (JSON columns, the change log's values): the change log holds every
    value ever written, so no spaces, and no \\u escapes for non-ASCII text."""
    # Never NaN or Infinity: they are not JSON, and a log holding one would make every bundle
    # written from it unreadable for good (the log is append-only). Raises ValueError instead.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def moment(text: str) -> datetime:
    """A time as operations carry it: ISO 8601 with its offset, within the years a database
    keeps once turned to UTC."""
    value = datetime.fromisoformat(text)
    if value.utcoffset() is None:
        raise ValueError(_("{value} has no time zone").format(value=repr(text)))
    value.astimezone(timezone.utc)  # raises OverflowError at the ends of the calendar
    return value


def _stored(kind: Any) -> Any:
    return kind.impl if isinstance(kind, TypeDecorator) else kind


def _is_text(value: Any) -> None:
    # Every string of a bundle is valid Unicode already (`bundle.BundleReader` refuses a lone
    # surrogate, the one thing JSON text can hold that a database cannot).
    if not isinstance(value, str):
        raise ValueError(_("{value} is not text").format(value=repr(value)))


def _is_bool(value: Any) -> None:
    if not isinstance(value, bool):
        raise ValueError(_("{value} is not true or false").format(value=repr(value)))


def _is_int(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not -(2**63) <= value < 2**63:
        raise ValueError(_("{value} is not a whole number that fits").format(value=repr(value)))


def _is_number(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(_("{value} is not a number").format(value=repr(value)))


def _anything(_value: Any) -> None:
    return None


def check_for(kind: Any) -> Check:
    """Raises ValueError (or TypeError, OverflowError) when a non-null JSON value cannot be
    stored in a column of this type as the column means it."""
    stored = _stored(kind)
    if isinstance(stored, DateTime):
        return moment
    if isinstance(stored, Date):
        return date.fromisoformat
    if isinstance(stored, Boolean):
        return _is_bool
    if isinstance(stored, Integer):
        return _is_int
    if isinstance(stored, Float | Numeric):
        return _is_number
    if isinstance(stored, String):
        return _is_text
    return _anything  # (a JSON column takes any value a JSON line can carry)


def from_json(kind: Any, value: Any) -> Any:
    """A value as the change log carries it (JSON) back into what the column holds."""
    if value is None:
        return None
    stored = _stored(kind)
    if isinstance(stored, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(stored, Date):
        return date.fromisoformat(value)
    return value


@dataclass(frozen=True)
class Shape:
    kinds: dict[str, Any]  # every column's type, bookkeeping included
    content: frozenset[str]  # what an operation may write
    checks: dict[str, Check]  # per content field, for non-null values
    defaults: dict[str, Any]  # Python-side scalar defaults, for fields an insert leaves out


@functools.cache
def shape(model: type[Synced]) -> Shape:
    kinds = {c.key: c.columns[0].type for c in inspect(model).column_attrs}
    content = frozenset(kinds) - Synced.BOOKKEEPING
    table = model.__table__  # type: ignore[attr-defined]
    defaults = {c.name: c.default.arg for c in table.columns
                if c.default is not None and c.default.is_scalar and c.name in content}
    return Shape(kinds, content, {name: check_for(kinds[name]) for name in content}, defaults)


@functools.lru_cache(maxsize=64)  # per engine's dialect: a process rarely has more than one
def storage(model: type[Synced], dialect: Dialect) -> dict[str, Convert | None]:
    """Per column, how a non-null JSON value becomes the value the driver is given: what
    SQLAlchemy would do on insert (the column type's own bind processing), done without it, so
    a bulk insert can hand the driver plain tuples. None where the value goes as it is."""
    converters: dict[str, Convert | None] = {}
    for name, kind in shape(model).kinds.items():
        process = kind.dialect_impl(dialect).bind_processor(dialect)
        stored = _stored(kind)
        parse: Convert | None = (datetime.fromisoformat if isinstance(stored, DateTime) else
                                 date.fromisoformat if isinstance(stored, Date) else None)
        if parse is not None and process is not None:
            converters[name] = functools.partial(_parse_then, parse, process)
        else:
            converters[name] = parse or process
    return converters


def _parse_then(parse: Convert, process: Convert, value: Any) -> Any:
    return process(parse(value))
