"""Several processes writing one database at once (a SQLite file; HQ's PostgreSQL database):
every write succeeds, the log stays gap-free, refs stay unique, and a reader never waits."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import select

from dtlab.db.models import ChangeLog
from dtlab.db.store import Store

pytestmark = [pytest.mark.functional, pytest.mark.both_databases]

WRITER = """
import sys
from dtlab.services.cases import create_case, update_case
from dtlab.db.store import Store
store = Store.open(sys.argv[1], sys.argv[2])
for i in range(int(sys.argv[3])):
    ref = create_case(store, {"title": f"{sys.argv[2]} case {i}", "country": "KE"})
    update_case(store, ref, {"assignee": sys.argv[2]})
store.close()
"""


def test_several_processes_write_at_once(store: Store, fresh_target: str) -> None:
    n = 30
    writers = ("alice", "bob", "chen")
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, fresh_target, who, str(n)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for who in writers]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with store.read() as s:
        entries = list(s.scalars(select(ChangeLog).order_by(ChangeLog.id)))
    assert len(entries) == len(writers) * n * 2  # each case: an insert and an update
    seqs = sorted(e.seq for e in entries)
    assert seqs == list(range(1, len(entries) + 1))
    clocks = [e.hlc for e in entries]
    assert len(set(clocks)) == len(clocks)
    assert {e.actor for e in entries} == set(writers)
    assert [e.id for e in entries] == list(range(entries[0].id, entries[0].id + len(entries)))
    with store.read() as s:
        from dtlab.db.models import Case

        refs = list(s.scalars(select(Case.ref)))
    assert len(refs) == len(set(refs)) == len(writers) * n


def test_case_new_while_a_demo_load_runs(store: Store, fresh_target: str) -> None:
    from dtlab.services.cases import create_case

    demo = subprocess.Popen([sys.executable, "-m", "dtlab", "--db", fresh_target, "demo", "--cases", "6000",
                             "--seed", "4", "--today", "2026-11-01"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    made = []
    while demo.poll() is None and len(made) < 200:
        made.append(create_case(store, {"title": "Walk-in request", "country": "KE", "received_on": "2025-06-01"}))
    _out, err = demo.communicate(timeout=300)
    assert demo.returncode == 0, err
    assert made, "the demo finished before any case was created alongside it"
    with store.read() as s:
        from dtlab.db.models import Case

        refs = list(s.scalars(select(Case.ref)))
    assert len(refs) == len(set(refs)) == 6000 + len(made)


def test_opening_and_reading_never_wait_for_a_writer(store: Store, fresh_target: str) -> None:
    """A write transaction held open (as a long import holds it): another user opens the
    database and lists its cases meanwhile, without waiting for it."""
    import threading

    from dtlab.db.cases import list_cases
    from dtlab.services.cases import create_case

    create_case(store, {"title": "Before the import", "country": "KE"})
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with store.write() as session:
            session.connection()  # the transaction begins, and takes the write lock, at first use
            holding.set()
            release.wait(60)

    held = threading.Thread(target=writer)
    held.start()
    try:
        assert holding.wait(30)
        read: list[list[str]] = []

        def reader() -> None:
            other = Store.open(fresh_target, "reader")
            try:
                with other.read() as s:
                    read.append([row["title"] for row in list_cases(s)])
            finally:
                other.close()

        reading = threading.Thread(target=reader)
        reading.start()
        reading.join(20)  # the writer still holds its lock all this time
        assert not reading.is_alive(), "opening or reading waited for the writer"
        assert read == [["Before the import"]]
    finally:
        release.set()
        held.join(30)
