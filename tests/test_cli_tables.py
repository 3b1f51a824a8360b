"""The command line's tables with wide characters: a Chinese character takes two terminal cells,
so widths are counted in cells, never in characters."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.unit


def test_a_table_away_from_a_terminal_fits_wide_characters_whole(capsys: pytest.CaptureFixture[str]) -> None:
    """Chinese takes two cells a character: widths are counted in cells, so no header or value is
    cut and the columns line up (away from a terminal the table is as wide as they make it)."""
    from rich.cells import cell_len

    from dtlab.cli.tables import Column, ljust, print_table, rjust

    print_table([Column("案例编号"), Column("阶段"), Column("x")],
                [["GVA-1", "概念设计和评估", "q1"], ["数字", "ab", "q2"]], "两个案例")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["案例编号", "阶段", "x"]
    assert lines[1].split() == ["GVA-1", "概念设计和评估", "q1"] and lines[2].split() == ["数字", "ab", "q2"]
    assert len({cell_len(line[:line.index(last)]) for line, last in zip(lines, ("x", "q1", "q2"), strict=False)}) == 1
    assert lines[-1] == "两个案例"
    assert ljust("中文", 6) == "中文  " and rjust("中文", 5) == " 中文"
