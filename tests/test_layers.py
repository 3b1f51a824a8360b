"""The layers of the layout hold: the import-linter contracts in pyproject.toml (the domain is
pure, storage imports only the domain, the use cases only storage and the domain, the front ends
never each other, Textual and Rich only where they belong, no cycle between dtlab's packages)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_hold(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # import-linter finds the package from the working directory
    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), cache_dir=str(tmp_path), no_logo=True)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "BROKEN" not in out


def test_every_package_of_dtlab_is_under_a_contract() -> None:
    """A new package cannot slip past the layering by not being named."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    sources = {m for c in contracts["contracts"] for m in c.get("source_modules", [])}
    packages = {f"dtlab.{p.parent.name}" for p in (ROOT / "dtlab").glob("*/__init__.py")} - {"dtlab.seeds"}
    assert packages - sources == set()
