"""A change in the history shows where its two values differ, however long they are (the
newcomer's walk: two long titles differing at their end read the same up to their "…")."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from dtlab.present.history import _change

pytestmark = pytest.mark.unit


@given(st.text(min_size=0, max_size=300), st.text(min_size=0, max_size=300), st.integers(min_value=12, max_value=120))
def test_two_different_values_never_read_the_same(old: str, new: str, width: int) -> None:
    before, after = _change("title", old, new, width)
    assert cell_len(before) <= width and cell_len(after) <= width  # the cells a terminal gives them
    if old.replace("\n", " ⏎ ") != new.replace("\n", " ⏎ "):
        assert before != after


def test_a_chinese_change_is_cut_to_the_columns_it_is_given() -> None:
    before, after = _change("title", "数字化转型加速中心" * 3, "数字化转型加速中心" * 2 + "技术加速中心", 16)
    assert cell_len(before) <= 16 and cell_len(after) <= 16 and before != after


def test_a_long_title_changed_at_its_end_shows_the_end() -> None:
    title = "A research and entrepreneurship acceleration centre in San Marino"
    before, after = _change("title", title, title + " (renamed)", 40)
    assert before.startswith("…") and after.endswith("(renamed)")
