"""Opening a database: engine, migrations, reference data, and the site this installation is."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, exc
from sqlmodel import Session

from dtlab import paths
from dtlab.db import dialects, migrate
from dtlab.db.changelog import begin_logging
from dtlab.db.dialects import database_file, database_url
from dtlab.db.engine import LOCK_WAIT_SECONDS, make_engine, read_session, write_session
from dtlab.db.head import SCHEMA_HEAD
from dtlab.db.models import Meta
from dtlab.db.reference import load_reference, stale_reference
from dtlab.db.search import rebuild_index, refresh_index
from dtlab.domain.ids import check_site_code, new_id
from dtlab.errors import Refused, StoreError, UsageError, describe_error
from dtlab.i18n import _

__all__ = ["NoSite", "Site", "Store", "StoreError"]


class NoSite(StoreError):
    pass


@dataclass(frozen=True)
class Site:
    id: str
    code: str


def _describe(error: BaseException, where: str, kind: dialects.DatabaseKind) -> StoreError:
    text = describe_error(error)
    if kind.means_damaged(text):
        return StoreError(_("{database} is not a dtlab database or is damaged ({error})").format(
            database=where, error=text))
    return StoreError(_("cannot open {database}: {error}").format(database=where, error=text))

@contextmanager
def _opened(target: str | Path, keep: bool = False) -> Iterator[tuple[Engine, str, Path | None]]:
    """An engine on `target`, disposed of when the block ends (kept, with `keep`, by the store
    that goes on using it; a failure disposes of it always). Failures a user can act on are said
    as one line naming the database. A database file's directory must exist (the default
    database's is made)."""
    url = database_url(target)
    path = database_file(url)
    if path is not None and not path.parent.is_dir():
        if path != paths.default_database():
            raise StoreError(_("cannot open {database}: the directory {directory} does not exist").format(
                database=path, directory=path.parent))
        path.parent.mkdir(parents=True, exist_ok=True)
    if path is not None and path.is_dir():
        raise StoreError(_("cannot open {database}: it is a directory").format(database=path))
    try:
        engine = make_engine(url)
    except (exc.ArgumentError, exc.NoSuchModuleError, ImportError, dialects.UnsupportedDatabase) as error:
        raise StoreError(_("cannot use the database {database}: {error}").format(
            database=target, error=_with_hint(error, url))) from None
    where = str(path or engine.url.render_as_string(hide_password=True))
    kind = dialects.of(engine)
    try:
        yield engine, url, path
        if not keep:
            engine.dispose()
    except BaseException as error:
        engine.dispose()
        if isinstance(error, (migrate.SchemaError, dialects.UnsupportedDatabase)):
            raise StoreError(f"{where}: {error}") from None
        if isinstance(error, (exc.DatabaseError, *kind.DRIVER_ERRORS)):
            raise _describe(error, where, kind) from None
        if isinstance(error, ImportError):  # a driver that is not installed, met on first connect
            raise StoreError(_("cannot use the database {database}: {error}").format(
                database=where, error=_with_hint(error, url))) from None
        raise


def _with_hint(error: Exception, url: str) -> str:
    """What failed, and for a driver that is not installed, how its dialect says to install it."""
    text = describe_error(error)
    if isinstance(error, ImportError):
        try:
            hint = dialects.for_url(url).MISSING_DRIVER
        except (exc.ArgumentError, dialects.UnsupportedDatabase):
            hint = ""
        return f"{text} ({_(hint)})" if hint else text  # (marked N_ where the dialect says it)
    return text


class Store:
    def __init__(self, engine: Engine, url: str, actor: str):
        self.engine = engine
        self.url = url
        self.actor = actor
        self._site: Site | None = None
        # Told what holds the write lock when a write must wait for it (a front end shows it).
        self.on_wait: Callable[[str], None] | None = None
        self.lock_wait = LOCK_WAIT_SECONDS  # seconds a write waits for the lock at most

    @property
    def label(self) -> str:
        path = database_file(self.url)
        return str(path) if path else self.engine.url.render_as_string(hide_password=True)

    @classmethod
    def open(cls, target: str | Path, actor: str) -> Store:
        """Open (creating if need be) and migrate the database. Only the default database's
        directory is created: a mistyped `--db` path should not leave directories behind."""
        with _opened(target, keep=True) as (engine, url, path):
            migrate.upgrade(engine, path)
            store = cls(engine, url, actor)
            # Read first: the write lock only when there is reference data to load. Opening dtlab
            # then never waits for another user's import, nor holds up anyone else's write.
            with read_session(engine) as session:
                stale = stale_reference(session)
            if stale:
                with write_session(engine) as session:
                    if "countries.toml" in load_reference(session, names=stale):
                        rebuild_index(session)  # country names are part of each case's index entry
        return store

    @staticmethod
    def upgrade_schema(target: str | Path) -> tuple[str | None, str, Path | None]:
        """Migrate the database to this dtlab's schema when asked to (`dtlab db upgrade`): the one
        way a shared database is upgraded. Returns the schema before, after, and the backup made
        of a database file. A newer schema than this dtlab's is refused untouched."""
        with _opened(target) as (engine, _url, path):
            before = migrate.current_revision(engine)
            backup = migrate.upgrade(engine, path, explicit=True)
            after = migrate.current_revision(engine) or "none"
        return before, after, backup

    @staticmethod
    def grant_application_role(target: str | Path, role: str) -> dict[str, tuple[str, ...]]:
        """Give `role` the application's privileges on every table (`db/roles.py`); run by the
        database's owner. Refused on a database whose schema is not this dtlab's."""
        from dtlab.db.roles import grant_application_role

        with _opened(target) as (engine, _url, _path):
            revision = migrate.current_revision(engine)
            if revision != SCHEMA_HEAD:
                raise StoreError(_("this database is at schema {schema}, not {head}: run `dtlab db upgrade` first, "
                                   "then grant").format(schema=revision or "none", head=SCHEMA_HEAD))
            with engine.begin() as conn:
                granted = grant_application_role(conn, role)
        return granted

    @staticmethod
    def schema_of(target: str | Path) -> str | None:
        """The schema revision the database is at (None: not a dtlab database yet). A database
        file that does not exist is not made by asking."""
        path = database_file(database_url(target))
        if path is not None and not path.exists():
            return None
        with _opened(target) as (engine, _url, _path):
            revision = migrate.current_revision(engine)
        return revision

    def close(self) -> None:
        self.engine.dispose()

    # --- site ------------------------------------------------------------------------------------

    def site(self) -> Site | None:
        if self._site is None:
            with self._usable(), read_session(self.engine) as session:
                site_id = session.get(Meta, "site_id")
                code = session.get(Meta, "site_code")
            if site_id and code:
                self._site = Site(site_id.value, code.value)
        return self._site

    def require_site(self) -> Site:
        site = self.site()
        if site is None:
            # Named: a shared database's user whose settings fell back to the default file
            # must see that this is not the database they meant, before making a second site.
            raise NoSite(_("{database} has no site code yet: run `dtlab init --site CODE` (e.g. GVA) if this is the "
                           "database you meant (--db, $DTLAB_DB or the config file's `database` names "
                           "another)").format(database=self.label))
        return site

    def init_site(self, code: str) -> tuple[Site, bool]:
        """Give the database its site code; returns (site, created). Refuses to change a code."""
        try:
            code = check_site_code(code)
        except ValueError as error:
            raise UsageError(str(error)) from None
        with self._usable(), write_session(self.engine) as session:
            existing = session.get(Meta, "site_code")
            if existing is not None:
                if existing.value != code:
                    raise Refused(_("this database already belongs to site {site}; a site code never changes").format(
                        site=existing.value))
                site_id = session.get(Meta, "site_id")
                assert site_id is not None
                self._site = Site(site_id.value, existing.value)
                return self._site, False
            site = Site(new_id(), code)
            session.add(Meta(key="site_id", value=site.id))
            session.add(Meta(key="site_code", value=site.code))
        self._site = site
        return site, True

    # --- sessions --------------------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._usable(), read_session(self.engine) as session:
            yield session

    @contextmanager
    def write(self, doing: str = "a save") -> Iterator[Session]:
        """A logged write transaction: every synchronised change in it lands in the change log.
        `doing` names it to another writer who must wait for it ("an import", a code in English
        that `dialects.holder_words` words for whoever reads it), with this
        store's actor; `on_wait` (set by a front end) hears when this one must wait."""
        site = self.require_site()
        # Named in English (a code the waiting writer words: `dialects.holder_words`), never translated.
        named = f"{doing} by {self.actor}"  # i18n: not shown (a code, worded where read)
        with self._usable(), write_session(self.engine, named, self.on_wait, self.lock_wait) as session:
            begin_logging(session, site.id, self.actor)
            yield session
            session.flush()
            refresh_index(session)

    @contextmanager
    def _usable(self) -> Iterator[None]:
        """A read-only file, a full disk or a lock held too long, said as one line naming the
        database, for the command line and the screens alike."""
        try:
            yield
        except exc.OperationalError as error:
            raise StoreError(f"{self.label}: {describe_error(error)}") from None
        except exc.ProgrammingError as error:
            if not dialects.of(self.engine).not_permitted(error.orig):
                raise
            raise StoreError(_("{database}: your database role may not do this ({error}); on a shared database it "
                               "is the administrator's (docs/hq-postgresql.md)").format(
                database=self.label, error=describe_error(error))) from None
