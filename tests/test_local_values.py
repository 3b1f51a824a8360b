"""Values as the reader's language writes them (dtlab.present.local_values): English as dtlab has
always printed them, the five others as the Unicode CLDR (Babel) has them, in Western digits,
never a bidi mark safe.py would write out, and names sorted with case and accents folded."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from dtlab.collation import sort_key
from dtlab.domain.fields import number_words
from dtlab.i18n import LANGUAGES, use_language
from dtlab.present.local_values import count_text, date_text, number_text, percent_text
from dtlab.present.safe import is_visible

pytestmark = pytest.mark.unit

OTHERS = [code for code in LANGUAGES if code != "en"]


@pytest.fixture
def speaking() -> Iterator[object]:
    """Switch the language for the test; English again after."""
    try:
        yield use_language
    finally:
        use_language("en")


# --- English: what dtlab has always printed ------------------------------------------------------

def test_english_days_are_iso() -> None:
    assert date_text(date(2026, 3, 5)) == "2026-03-05"
    assert date_text(datetime(2026, 12, 31, 23, 59)) == "2026-12-31"


@given(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False))
def test_english_figures_are_number_words(value: float) -> None:
    assert number_text(value) == number_words(value)


@given(st.integers(min_value=0, max_value=10**9))
def test_english_counts_are_grouped_as_before(n: int) -> None:
    assert count_text(n) == f"{n:,}"


@given(st.floats(min_value=0, max_value=2, allow_nan=False), st.integers(min_value=0, max_value=2))
def test_english_fractions_are_pythons_percent(value: float, decimals: int) -> None:
    assert percent_text(value, decimals) == f"{value:.{decimals}%}"


@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test_english_points_are_written_as_points(value: float) -> None:
    assert percent_text(value, points=True) == f"{value:.0f}%"


def test_english_examples() -> None:
    assert (number_text(2.5), number_text(3.0), number_text(1204.0), number_text(2.25, 2)) == ("2.5", "3", "1204",
                                                                                                "2.25")
    assert (percent_text(0.875), percent_text(54.5, points=True), count_text(1204)) == ("88%", "54%", "1,204")


# --- the other languages ------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "day", "figure", "count", "share"), [
    ("fr", "05/03/2026", "1\u202f204,5", "1\u202f204", "88\u00a0%"),
    ("es", "5/3/2026", "1.204,5", "1.204", "88\u00a0%"),
    ("ru", "05.03.2026", "1\u00a0204,5", "1\u00a0204", "88\u00a0%"),
    ("zh", "2026/3/5", "1,204.5", "1,204", "88%"),
    ("ar", "5/3/2026", "1,204.5", "1,204", "88%"),
])
def test_each_language_writes_values_its_own_way(speaking, code: str, day: str, figure: str, count: str,
                                                 share: str) -> None:
    speaking(code)
    assert date_text(date(2026, 3, 5)) == day
    assert number_text(1204.5) == figure
    assert count_text(1204) == count
    assert percent_text(0.875) == share
    assert percent_text(87.5, points=True) == share


@pytest.mark.parametrize("code", OTHERS)
def test_values_fit_a_column_and_are_safe_to_show(speaking, code: str) -> None:
    """A day is never wider than the ISO form the columns are sized for; no value carries a bidi
    mark or another character safe.py would write out as an escape; digits are Western."""
    speaking(code)
    for day in (date(2026, 12, 31), date(2026, 1, 1), date(1999, 10, 10)):
        text = date_text(day)
        assert cell_len(text) <= 10, text
        assert is_visible(text)
    for text in (number_text(-2.5), number_text(1234567.0), count_text(1234567), percent_text(-0.125, 1),
                 number_text(3, 2)):
        assert is_visible(text), ascii(text)
        assert all(not c.isdigit() or "0" <= c <= "9" for c in text), ascii(text)


@pytest.mark.parametrize("code", OTHERS)
def test_figures_keep_their_decimals(speaking, code: str) -> None:
    speaking(code)
    decimal_sign = number_text(2.5)[1]
    assert number_text(3.0) == "3"
    assert number_text(71.94) == f"71{decimal_sign}9"
    assert number_text(2, 2) == f"2{decimal_sign}00"
    assert percent_text(Decimal("0.8765"), 1).startswith(f"87{decimal_sign}6")
    # a half rounds to the even figure, from the figure as written (0.545 as a float is just above)
    assert percent_text(54.5, points=True).startswith("54")
    assert percent_text(55.5, points=True).startswith("56")


def test_a_switch_reaches_the_values(speaking) -> None:
    speaking("ru")
    assert date_text(date(2026, 3, 5)) == "05.03.2026"
    speaking("en")
    assert date_text(date(2026, 3, 5)) == "2026-03-05"


# --- sorting ------------------------------------------------------------------------------------

def test_case_and_accents_fold() -> None:
    names = ["Zoé", "éclair", "Eclat", "abc", "Émile", "emile", "Çelik", "cote"]
    assert sorted(names, key=sort_key) == ["abc", "Çelik", "cote", "éclair", "Eclat", "emile", "Émile", "Zoé"]
    assert sort_key("Émile")[0] == sort_key("emile")[0]
    assert sort_key("ＡＢＣ")[0] == "abc"  # full-width forms read as the letters they are


def test_the_order_is_total() -> None:
    assert sorted(["émile", "Emile", "emile", "Émile"], key=sort_key) == ["Emile", "emile", "Émile", "émile"]


def test_spanish_keeps_n_tilde_a_letter_of_its_own(speaking) -> None:
    names = ["oso", "ñandú", "nube", "Nuñez", "Núñez"]
    assert sorted(names, key=sort_key)[:3] == ["ñandú", "nube", "Nuñez"]  # English folds ñ into n
    speaking("es")
    assert sorted(names, key=sort_key) == ["nube", "Nuñez", "Núñez", "ñandú", "oso"]


def test_russian_keeps_short_i_and_reads_yo_as_ye(speaking) -> None:
    speaking("ru")
    assert sorted(["йод", "иней", "ель", "ёж", "Ёлка", "кот"], key=sort_key) == ["ёж", "Ёлка", "ель", "иней",
                                                                                 "йод", "кот"]


def test_arabic_ignores_vowel_marks_tatweel_and_hamza_carriers(speaking) -> None:
    speaking("ar")
    assert sort_key("أحمد")[0] == sort_key("احمد")[0] == sort_key("اَحْمَد")[0] == sort_key("احـمد")[0]
    assert sorted(["باسم", "أحمد", "تامر"], key=sort_key) == ["أحمد", "باسم", "تامر"]


def test_chinese_is_by_code_point(speaking) -> None:
    """The documented limit: no pinyin order without a collation library."""
    speaking("zh")
    names = ["王", "李", "张"]
    assert sorted(names, key=sort_key) == sorted(names)


# --- start-up ------------------------------------------------------------------------------------

def test_babel_is_not_loaded_at_import() -> None:
    """Babel's locale data is loaded on the first value said in another language, not when the
    words are imported (the first screen opens without it)."""
    code = ("import sys, dtlab.present.words, dtlab.present.history, dtlab.present.charts, "
            "dtlab.present.local_values as v; v.date_text(__import__('datetime').date(2026, 1, 1)); "
            "print('babel' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_text_is_padded_and_cut_by_the_cells_a_terminal_gives_it() -> None:
    from rich.cells import cell_len

    from dtlab.present.cells import clip, ljust, rjust

    assert ljust("案例", 6) == "案例  " and cell_len(ljust("案例", 6)) == 6
    assert rjust("ab", 4) == "  ab"
    assert cell_len(clip("评估和重新认证", 8)) <= 8 and clip("评估和重新认证", 8).endswith("…")
    assert clip("Preliminary assessment", 10) == "Prelimina…"
    assert clip("short", 10) == "short"
