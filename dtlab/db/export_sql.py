"""What reading the change log fast for an export needs to know of the database: how it stores
times and JSON, and how to keep its planner off an index. Everything else of the export is
portable SQLAlchemy Core (dtlab.sync.export); these few names are the part a dialect seam owns.

Today's store is SQLite, which keeps a datetime as text ("2026-11-23 09:15:02.000000", in UTC, as
SQLAlchemy writes it) and JSON as text. Reading those texts as they are, instead of letting the
column types parse every value into Python objects and the export serialise them back, is most
of what makes an export of a million operations take seconds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


def stored_text(column: ColumnElement[Any]) -> ColumnElement[str]:
    """A time or JSON column read as the text the database stores, without the column type's
    conversion on the way out."""
    return type_coerce(column, String)


def iso_time(stored: str) -> str:
    """A time as `stored_text` reads it ("2026-11-23 09:15:02.000000", UTC) written the way the
    change log's JSON writes times ("2026-11-23T09:15:02+00:00"), without a round trip through
    datetime."""
    text = stored[:10] + "T" + stored[11:19]
    micro = stored[20:26]
    return f"{text}.{micro}+00:00" if micro and micro != "000000" else f"{text}+00:00"


class unindexed(FunctionElement[Any]):  # noqa: N801 (used like a SQL function)
    """The column in a condition that the planner will not answer from an index: for reading
    most of a table in another order (the log by id), where SQLite would otherwise walk the
    index and sort, which costs more than reading it all. Elsewhere the column itself."""

    name = "unindexed"
    inherit_cache = True


@compiles(unindexed)
def _unindexed(element: unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element: unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return "+" + compiler.process(element.clauses, **kw)  # SQLite: a unary plus hides the index
