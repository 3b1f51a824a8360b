"""Arabic in a terminal that implements bidirectional text (issue 19, point 5): such a terminal
orders each line by the Unicode Bidirectional Algorithm (python-bidi runs the same algorithm
here). Each value placed in a line is isolated, so neither two table cells nor a ref, a number
or a date and the Arabic beside them change places."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from bidi import get_display
from textual.widgets import DataTable

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.store import Store
from dtlab.i18n import use_language
from dtlab.present.bidi import FSI, PDI, isolated
from dtlab.present.safe import cell, plain, shown
from dtlab.screens.case_list import CaseListScreen
from dtlab.services.cases import create_case
from tests.helpers.pilot import settle
from tests.helpers.screen_words import drawn_lines

REF = re.compile(r"[A-Z]{2,8}-\d{4}-\d{4}")
ISOLATES = str.maketrans("", "", FSI + PDI)


@pytest.fixture(autouse=True)
def english_after() -> Any:
    yield
    use_language("en")


def shown_as(line: str) -> str:
    """The line as a bidi terminal shows it, left to right (isolates take no cell)."""
    return get_display(line).translate(ISOLATES)


@pytest.mark.unit
def test_values_are_isolated_in_arabic_only() -> None:
    assert isolated("GVA-2026-0001") == "GVA-2026-0001"
    assert plain("Kenya").plain == "Kenya"
    use_language("ar")
    assert isolated("GVA-2026-0001") == f"{FSI}GVA-2026-0001{PDI}"
    assert isolated("") == ""
    assert cell("Kenya").plain == f"{FSI}Kenya{PDI}"
    assert plain("Kenya").plain == f"{FSI}Kenya{PDI}"
    assert shown("a [b] c") == f"{FSI}a \\[b] c{PDI}"


@pytest.mark.unit
def test_neighbouring_cells_keep_their_order_in_a_bidi_terminal() -> None:
    use_language("ar")
    cells = ["GVA-2026-0001", "كينيا", "3", "التقييم الأولي", "12.5%", "2026/3/5"]
    line = " │ ".join(cell(c).plain for c in cells)
    seen = shown_as(line)
    # Each cell shown whole (Arabic letters in their display order), and the cells left to right.
    at = [seen.index(get_display(c)) for c in cells]
    assert at == sorted(at), seen
    assert "GVA-2026-0001" in seen and "12.5%" in seen and "2026/3/5" in seen
    # Without the isolates, the terminal swaps the two Arabic cells around the number.
    bare = shown_as(" │ ".join(cells))
    assert bare.index(get_display("كينيا")) > bare.index(get_display("التقييم الأولي")), bare


@pytest.mark.functional
async def test_the_case_list_in_arabic_keeps_refs_and_cells_in_order(store: Store, db_path: Path) -> None:
    for title, country in (("مركز الابتكار الرقمي", "EG"), ("Hub 2030 (phase 2)", "KE"), ("منصة 5G", "JO")):
        create_case(store, {"title": title, "country": country})
    use_language("ar")
    app = make_app(str(db_path), Settings(user="tester"))
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.press("f3")
        await settle(pilot, lambda: isinstance(app.screen, CaseListScreen)
                     and app.screen.query_one(DataTable).row_count == 3)
        rows = [line for line in drawn_lines(app) if REF.search(line)]
        assert len(rows) == 3, drawn_lines(app)
        for line in rows:
            assert FSI in line, line
            seen = shown_as(line)
            ref = REF.search(line)
            assert ref is not None and ref.group() in seen, seen  # never reversed or split
            # The cells in their order, or all mirrored (a line the terminal reads right to left
            # starts at the right edge): never one cell carried past another.
            country = next(c for c in ("EG", "KE", "JO") if f" {c} " in line.translate(ISOLATES))
            title = next(t for t in ("مركز الابتكار الرقمي", "Hub 2030 (phase 2)", "منصة 5G")
                         if t in line.translate(ISOLATES) or t[:8] in line)
            at = [seen.index(ref.group()), seen.index(get_display(title)[:6] if "Hub" not in title else "Hub 2030"),
                  seen.index(country)]
            assert at in (sorted(at), sorted(at, reverse=True)), seen
