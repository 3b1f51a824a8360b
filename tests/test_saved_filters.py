from __future__ import annotations

from pathlib import Path

import pytest

from dtlab.db.listing import CaseFilter
from dtlab.saved_filters import load_all, save

pytestmark = pytest.mark.unit


def test_save_and_reload(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    assert load_all(path) == {}
    save("Africa, set-up", CaseFilter(region="AFR", stage="implementation"), path)
    save("Mine", CaseFilter(assignee="amina", search="sandbox"), path)
    save("Mine", CaseFilter(assignee="amina"), path)
    assert load_all(path) == {"Africa, set-up": CaseFilter(region="AFR", stage="implementation"),
                              "Mine": CaseFilter(assignee="amina")}
    with pytest.raises(ValueError, match="needs a name"):
        save(" ", CaseFilter(), path)


def test_a_damaged_file_means_no_filters(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text("{not json", encoding="utf-8")
    assert load_all(path) == {}
    path.write_text('{"x": {"stage": 3, "colour": "red", "region": "EUR"}}', encoding="utf-8")
    assert load_all(path) == {"x": CaseFilter(region="EUR")}
