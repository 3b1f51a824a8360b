"""Values as the reader's language writes them: a day, a figure, a percentage, a count (the
order of names is dtlab.collation's). Babel (the Unicode CLDR's data) writes them for the language in use
(`dtlab.i18n.language()`), asked on each call, so a switch in the running app reaches them.

English keeps the forms dtlab has always printed, which its tests, its users and their scripts
read: ISO days (2026-03-05), counts grouped (1,204), figures as `number_words` writes them (3, 2.5,
1204), percentages as Python's `%` format (88%). A count is what Babel's English writes too.

Digits are the Western ones in every language, Arabic included (CLDR's "latn" numbering, Babel's
default): refs, ids and years are written in them, and a screen should not mix two sets. The bidi
marks CLDR puts in some patterns (the RLM of the Arabic date) are taken out: a value is isolated
where it is placed (present/bidi.py), and safe.py would write the marks out as escapes.

Babel is imported inside the functions: its locale data loads on first use, which start-up (in
English, the case list first) need not wait for."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

from dtlab.domain.fields import number_words
from dtlab.i18n import SOURCE_LANGUAGE, language

# LRM, RLM and ALM: direction marks of CLDR's patterns, taken out (see the module's docstring).
_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c"))


def _unmarked(text: str) -> str:
    return text.translate(_MARKS)


def _english() -> bool:
    return language() == SOURCE_LANGUAGE


def date_text(day: date) -> str:
    """A day as the language writes it, short enough for a table's column: CLDR's numeric date
    with the year in full (the skeleton yMd: 05/03/2026 in French, 5/3/2026 in Spanish and Arabic,
    05.03.2026 in Russian, 2026/3/5 in Chinese), never wider than the ISO form English keeps
    (2026-03-05). Not the medium format: "5 мар. 2026 г." takes 15 cells, "2026年3月5日" 13; nor the
    short one, whose Spanish year has two digits (5/3/26). A date-time is said by its day."""
    if isinstance(day, datetime):
        day = day.date()
    if _english():
        return day.isoformat()
    from babel.dates import format_skeleton

    return _unmarked(format_skeleton("yMd", day, locale=language()))


def number_text(value: float | int | Decimal, decimals: int | None = None) -> str:
    """A measured figure (a KPI's target or actual, a score, a mean): with `decimals` decimals, or,
    when None, none for a whole number and one otherwise (3, 2.5, 71.9). English writes it as
    `number_words` always has (no grouping: 1204); the other languages with their decimal sign and
    grouping (1 204,5 in French)."""
    if _english():
        return number_words(float(value)) if decimals is None else f"{value:.{decimals}f}"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if decimals is None:
        decimals = 0 if value == int(value) else 1
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return _unmarked(format_decimal(value, format=pattern, locale=language()))


def percent_text(value: float | Decimal, decimals: int = 0, *, points: bool = False) -> str:
    """A percentage. `value` is a fraction of one (0.875 is 88%, as a KPI's progress is held),
    or, with `points=True`, already in points out of a hundred (87.5 is 88%, as an evaluation's
    total is held). Rounded to `decimals`, a half to the even figure (54.5 points is 54%) in every
    language. English writes it as Python's formats do (88%); the others with their sign and
    spacing (88 % in French)."""
    if _english():
        return f"{value:.{decimals}f}%" if points else f"{value:.{decimals}%}"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    # In decimal, from the figure as written: a half stays a half (0.545 as a float is just above).
    fraction = Decimal(str(value)) / 100 if points else Decimal(str(value))
    from babel import Locale
    from babel.numbers import format_percent

    pattern = Locale.parse(language()).percent_formats[None].pattern.split(";")[0]
    if decimals:
        # The locale's pattern (its sign, and where and how spaced) with the decimals asked for.
        at = pattern.rindex("0") + 1
        pattern = pattern[:at] + "." + "0" * decimals + pattern[at:]
    return _unmarked(format_percent(fraction, format=pattern, locale=language()))


def count_text(n: int) -> str:
    """A count of things (cases, milestones), grouped as the language groups digits: 1,204 in
    English, 1 204 in French and Russian, 1.204 in Spanish."""
    if _english():
        return f"{n:,}"
    from babel.numbers import format_decimal

    return _unmarked(format_decimal(n, locale=language()))
