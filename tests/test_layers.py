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

pytestmark = pytest.mark.functional  # one test runs a fresh interpreter

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


def test_the_command_path_never_loads_textual(tmp_path: Path) -> None:
    """Every command, from parsing to printing, runs without the terminal UI's library: a fresh
    interpreter runs init, demo, a listing, a case and an export, then lists what it loaded."""
    import subprocess

    db = tmp_path / "cli.db"
    code = (
        "import contextlib, io, json, sys\n"
        "from dtlab.launch import main\n"
        f"db = {str(db)!r}\n"
        "def run(*argv):\n"
        "    out = io.StringIO()\n"
        "    with contextlib.redirect_stdout(out):\n"
        "        assert main(['--db', db, *argv]) == 0, argv\n"
        "    return out.getvalue()\n"
        "run('init', '--site', 'GVA'); run('demo', '--cases', '5')\n"
        "ref = json.loads(run('case', 'new', '--title', 'Hub', '--country', 'KE', '--json'))['ref']\n"
        "for argv in (['cases', '--json'], ['case', 'show', ref], ['case', 'history', ref], ['centres'],\n"
        "             ['milestones'], ['keys', 'show'], ['case', 'note', ref, 'seen'],\n"
        "             ['recommend', '--goals', 'trends', '--scope', 'global', '--ownership', 'itu'],\n"
        f"             ['export', {str(tmp_path / 'b.dtlab')!r}, '--to', 'HQ']):\n"
        "    run(*argv)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'textual' or m.startswith('dtlab.screens'))\n"
        "print('LOADED', loaded)\n"
    )
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "c"), "XDG_DATA_HOME": str(tmp_path / "d"),
           "PATH": "/usr/bin:/bin", "DTLAB_USER": "tester"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "LOADED []" in done.stdout, done.stdout[-2000:]
