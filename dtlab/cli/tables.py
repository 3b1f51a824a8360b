"""The command line's tables, for a person and for a script alike.

At a terminal a table fits the window: long values end in "…" and the least needed columns are
left out of a narrow one. Anywhere else (a file, a pipe, a script) nothing depends on the window
or on `COLUMNS`: every column, every value whole, so `dtlab cases > f` keeps what the database
holds. `--format csv` and `--format tsv` give the same rows for a spreadsheet or for awk.

A column's name is its English id, marked for the catalogue where the column is made: a table
shows it translated, CSV and TSV keep the id as their header in every language (a script reads a
column by that name, as it reads a JSON key). Widths are counted in terminal cells, never in
characters: a Chinese character takes two.

Every value passes `dtlab.present.safe` first, whatever the format: outside text may hold
characters a terminal acts on, and a file is often shown in one later (`cat`, `less -R`)."""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from dtlab.cli.output import out_console
from dtlab.i18n import _
from dtlab.present.cells import ljust as ljust
from dtlab.present.cells import rjust as rjust
from dtlab.present.safe import plain, visible

# Columns marked `wide` are shown at a terminal only from this many columns on.
WIDE_TERMINAL = 120
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): such a
# text cell is written with a leading apostrophe, which spreadsheets take as "this is text".
FORMULA_STARTS = ("=", "+", "-", "@")
FORMATS = ("table", "csv", "tsv")


@dataclass(frozen=True)
class Column:
    name: str  # the English id (marked with N_ where the column is made), translated in a table
    min_width: int = 0
    max_width: int | None = None  # at a terminal only
    ratio: int | None = None  # a share of the room left, at a terminal
    wide: bool = False  # left out of a terminal narrower than WIDE_TERMINAL
    text: bool = True  # outside text (guarded against formulas in CSV), not a number or a date


def print_table(columns: Sequence[Column], rows: Sequence[Sequence[object]], summary: str = "",
                fmt: str = "table") -> None:
    """The rows under their columns in `fmt`, then (as a table only) the one-line summary. A cell
    is a value, shown as text, or a `Text` the command has styled."""
    if fmt in ("csv", "tsv"):
        _delimited(columns, rows, fmt)
        return
    console = out_console(highlight=False)
    terminal = console.is_terminal
    shown = [i for i, c in enumerate(columns) if not terminal or not c.wide or console.width >= WIDE_TERMINAL]
    table = Table(box=None, header_style="bold", padding=(0, 1), pad_edge=False, collapse_padding=True)
    headers = {i: _(columns[i].name) for i in shown}
    for i in shown:
        c = columns[i]
        if terminal:
            table.add_column(headers[i], no_wrap=True, overflow="ellipsis", min_width=c.min_width,
                             max_width=c.max_width, ratio=c.ratio)
        else:
            table.add_column(headers[i], no_wrap=True)
    cells = [[_text(row[i]) for i in shown] for row in rows]
    for row_cells in cells:
        table.add_row(*row_cells)
    if terminal:
        console.print(table)
    else:
        # As wide as the widest row, so that no value is cut whatever COLUMNS says; without the
        # padding after the last column, which a script would have to strip.
        widths = [max([cell_len(headers[i])] + [r[n].cell_len for r in cells]) for n, i in enumerate(shown)]
        console = out_console(highlight=False, width=max(sum(widths) + len(widths), 1))
        with console.capture() as captured:
            console.print(table)
        for line in captured.get().splitlines():
            print(line.rstrip())
    if summary:
        # Away from a terminal the console above is as wide as the table: a longer summary would
        # wrap mid-sentence there, so it is one line, whole.
        console.print(plain(summary), soft_wrap=not terminal)


def _text(value: object) -> Text:
    if isinstance(value, Text):
        return value
    return plain("" if value is None else value)


def _delimited(columns: Sequence[Column], rows: Sequence[Sequence[object]], fmt: str) -> None:
    if fmt == "csv":
        # Line breaks stay in a quoted CSV field; only what a terminal acts on is escaped.
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([c.name for c in columns])
        for row in rows:
            writer.writerow([_csv_value(c, v) for c, v in zip(columns, row, strict=True)])
        return
    print("\t".join(c.name for c in columns))
    for row in rows:
        print("\t".join(_tsv_value(v) for v in row))


def _raw(value: object) -> str:
    if isinstance(value, Text):
        return value.plain
    return "" if value is None else str(value)


def _csv_value(column: Column, value: object) -> str:
    text = visible(_raw(value), multiline=True)
    if column.text and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _tsv_value(value: object) -> str:
    # TSV has no quoting: a tab or a line break inside a value is written as its escape, and so
    # is the backslash that starts one (the convention of PostgreSQL's text format and `cut`).
    text = _raw(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")
    return visible(text)
