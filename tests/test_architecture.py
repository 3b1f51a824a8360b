"""The dependency rule of DESIGN.md, enforced on the source: domain imports nothing of the
project; db never imports Textual; screens never touch SQL; no module does work on import."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.functional

ROOT = Path(__file__).resolve().parent.parent / "dtlab"


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            prefix = "." * node.level
            found.add(prefix + (node.module or ""))
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_domain_imports_nothing_of_the_project_and_no_io_libraries() -> None:
    for path in modules("domain"):
        for name in imports(path):
            if name == "dtlab.i18n":  # the catalogue's lookup: the domain's sentences are read
                continue
            assert not name.startswith("dtlab") and not name.startswith(".."), (path, name)
            assert name.split(".")[0] not in {"sqlalchemy", "sqlmodel", "textual", "alembic", "rich"}, (path, name)


def test_db_and_domain_never_import_textual() -> None:
    for path in modules("db") + modules("domain") + [ROOT / "saved_filters.py", ROOT / "config.py"]:
        assert not any(n.split(".")[0] == "textual" for n in imports(path)), path


def test_screens_and_widgets_never_touch_sql() -> None:
    for path in modules("screens") + modules("widgets"):
        for name in imports(path):
            assert name.split(".")[0] not in {"sqlalchemy", "sqlmodel", "sqlite3", "alembic"}, (path, name)
        source = path.read_text(encoding="utf-8")
        # SQLAlchemy's select() and a connection's execute(); a widget's own .select() is not SQL.
        assert not re.search(r"(?<![\w.])select\(|execute\(", source), path


def test_importing_the_app_creates_no_files(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "c"), "XDG_DATA_HOME": str(tmp_path / "d"),
           "PATH": "/usr/bin:/bin"}
    # Every module of the package, migrations included.
    code = ("import importlib, pkgutil, dtlab\n"
            "for info in pkgutil.walk_packages(dtlab.__path__, 'dtlab.'):\n"
            "    if info.name != 'dtlab.__main__' and not info.name.endswith('migrations.env'):\n"
            "        importlib.import_module(info.name)")
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
    assert list(tmp_path.iterdir()) == []


def test_version_and_help_do_not_import_the_database_layer() -> None:
    code = ("import sys; from dtlab.launch import main; main(['--version']);"
            "assert 'sqlalchemy' not in sys.modules, 'sqlalchemy imported'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


TESTS = Path(__file__).resolve().parent


def imported_modules(path: Path) -> set[str]:
    """Every module an import names, `from x import y` counted as both x and x.y (y may be a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def test_no_test_module_imports_another() -> None:
    """What tests share lives in tests/helpers/ or conftest.py: a test module that imports
    another drags in that module's tests and cannot be moved or deleted alone."""
    for path in sorted(TESTS.rglob("*.py")):
        for name in imported_modules(path):
            parts = [part for part in name.split(".") if part]
            assert not any(part.startswith("test_") for part in parts), (
                f"{path.relative_to(TESTS)} imports the test module {name}")
