from __future__ import annotations

from pathlib import Path

import pytest

# The shared helpers assert too: their failures should say what differed, as a test's do.
pytest.register_assert_rewrite("tests.helpers")

from dtlab.db.store import Store  # noqa: E402
from dtlab.i18n import use_language  # noqa: E402
from tests.helpers.database import fresh_database, make_template  # noqa: E402

KINDS = ("unit", "functional")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test whose module does not say what kind it is is kept in `-m unit` and `-m functional`
    runs alike, so that `kind_declared` fails it there instead of it vanishing from both. Then
    the order the tests are handed out in."""
    for item in items:
        if len({m.name for m in item.iter_markers() if m.name in KINDS}) != 1:
            for kind in KINDS:
                item.add_marker(kind)
    # Functional tests first: the long ones start while there is work left for the other worker,
    # and the short unit tests fill the end of a parallel run instead of one long test alone.
    items.sort(key=lambda item: item.get_closest_marker("functional") is None)


@pytest.fixture(autouse=True)
def kind_declared(request: pytest.FixtureRequest) -> None:
    """Each test module says what kind its tests are, with `pytestmark = pytest.mark.unit` (pure
    rules, or one store in this process) or `pytest.mark.functional` (the app driven by Pilot,
    other processes, several databases or files), so `pytest -m unit` is the whole fast loop."""
    kinds = {m.name for m in request.node.iter_markers() if m.name in KINDS}
    if len(kinds) != 1:
        pytest.fail(f"{request.node.path.name}: mark the module `pytestmark = pytest.mark.unit` or "
                    "`pytest.mark.functional`, one of them", pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def template_database(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The migrated database every fresh one is copied from: one per test process (each xdist
    worker has its own temporary directory). The PostgreSQL one, made when first asked for, is
    dropped at the end."""
    yield make_template(tmp_path_factory.mktemp("template") / "template.db")
    from tests.helpers import postgres

    if postgres._template is not None:
        postgres.drop_template()


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the real config or data directories, or inherits DTLAB_* settings."""
    home = tmp_path_factory.mktemp("home")
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    for var in ("DTLAB_DB", "DTLAB_USER", "DTLAB_HQ_SITE", "DTLAB_THEME", "DTLAB_KEY_DIR", "NO_COLOR",
                "DTLAB_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DTLAB_USER", "tester")
    # English unless a test asks for another language: the machine's locale must not decide.
    monkeypatch.setenv("LANG", "C.UTF-8")
    use_language("en")
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's database goes; nothing is there until the test or a fixture puts it there."""
    return tmp_path / "test.db"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test marked `both_databases` (or in a module so marked) runs once on SQLite and once on
    PostgreSQL: its `store`, and the `database_kind` it may ask for, are of each in turn."""
    if "database_kind" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_databases"):
        metafunc.parametrize("database_kind", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def database_kind(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def fresh_target(database_kind: str, db_path: Path):
    """Where a test's fresh database is: a copy of the SQLite template at `db_path`, or a clone
    of the PostgreSQL template (its URL), dropped after the test."""
    if database_kind == "sqlite":
        yield str(fresh_database(db_path))
        return
    from tests.helpers.postgres import drop_database, fresh_pg_database

    url, name = fresh_pg_database()
    yield url
    drop_database(name)


@pytest.fixture
def store(fresh_target: str):
    """A fresh database of site GVA, opened as user `tester` (on SQLite, or on each database for
    a test marked `both_databases`)."""
    s = Store.open(fresh_target, "tester")
    s.init_site("GVA")
    yield s
    s.close()


@pytest.fixture
def exported(tmp_path: Path):  # type: ignore[no-untyped-def]
    """HQ trusting a field site, and a bundle the field site wrote of one case: what the hostile
    bundle tests alter."""
    from dtlab.services.cases import create_case
    from tests.helpers.sites import Site

    hq, field = Site(tmp_path, "HQ", "hq"), Site(tmp_path, "NBO", "amina")
    hq.trusts(field)
    create_case(field.store, {"title": "Field case", "country": "KE"})
    yield hq, field, field.export()
    hq.store.close()
    field.store.close()


@pytest.fixture
def trusting(tmp_path: Path):  # type: ignore[no-untyped-def]
    """HQ and a field site that trust each other, the field site with one case of its own: what
    the trusted-laptop tests forge bundles from."""
    from dtlab.services.cases import create_case
    from tests.helpers.sites import Site

    hq, field = Site(tmp_path, "HQ", "hq"), Site(tmp_path, "NBO", "amina")
    hq.trusts(field)
    field.trusts(hq)
    create_case(field.store, {"title": "Field case", "country": "KE"})
    yield hq, field
    hq.store.close()
    field.store.close()
