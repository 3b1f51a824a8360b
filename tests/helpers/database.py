"""Fresh databases without running the migrations each time.

Opening a new file runs all of Alembic's migrations and loads the reference data, a third of a
second or more; most tests only need an empty database at today's schema. So each test process
makes one such database, the template, and every test that needs a fresh database gets a copy of
its file. A copy opens at the schema head with the reference data's digests unchanged, so
`Store.open` finds nothing to do. The tests of migrations themselves open new files as before.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from dtlab.db.store import Store

_template: Path | None = None


def make_template(path: Path) -> Path:
    """Migrate a new database at `path` and load its reference data, leaving one self-contained
    file: the write-ahead log checkpointed into it and removed, so copying the file copies it all.
    Later `fresh_database` calls in this process copy it."""
    global _template
    Store.open(path, "template").close()
    con = sqlite3.connect(path)
    try:
        busy, _frames, _done = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        con.close()  # the last connection to close removes the -wal and -shm files
    leftovers = [p.name for p in path.parent.iterdir() if p != path and p.name.startswith(path.name)]
    assert not busy and not leftovers, f"the template {path} is not one closed file: {leftovers}"
    _template = path
    return path


def fresh_database(target: Path) -> Path:
    """A new database file at `target`: migrated, with the reference data and no site yet, as
    `Store.open` would make it, copied from this process's template."""
    if _template is None:
        raise RuntimeError("no template database: the session fixture `template_database` makes it")
    if target.exists():
        raise FileExistsError(f"{target} exists: a fresh database never replaces one")
    shutil.copyfile(_template, target)
    return target


def make_at_previous_revision(db_path: Path) -> str:
    """A database at the revision before head, with cases, history and notes: written at head
    (today's code writes today's schema), then migrated down."""
    from alembic import command

    from dtlab.db import migrate
    from dtlab.db.engine import make_engine
    from dtlab.services.cases import add_note, create_case

    store = Store.open(db_path, "tester")
    store.init_site("GVA")
    ref = create_case(store, {"title": "Regulatory sandbox", "country": "KE", "applicant": "Kenya ICT Authority"})
    add_note(store, ref, "focal point named")
    store.close()
    engine = make_engine(f"sqlite:///{db_path}")
    cfg = migrate._alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, migrate.known_revisions()[1])
    engine.dispose()
    return ref
