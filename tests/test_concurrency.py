"""Two processes writing one SQLite file at once: both succeed, the log stays gap-free."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from dtlab.db.models import ChangeLog
from dtlab.db.store import Store

pytestmark = pytest.mark.functional

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


def test_two_processes_write_at_once(store: Store, db_path: Path) -> None:
    n = 40
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), who, str(n)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for who in ("alice", "bob")]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with store.read() as s:
        entries = list(s.scalars(select(ChangeLog).order_by(ChangeLog.id)))
    assert len(entries) == 2 * n * 2  # each case: an insert and an update
    seqs = sorted(e.seq for e in entries)
    assert seqs == list(range(1, len(entries) + 1))
    clocks = [e.hlc for e in entries]
    assert len(set(clocks)) == len(clocks)
    assert {e.actor for e in entries} == {"alice", "bob"}


def test_case_new_while_a_demo_load_runs(store: Store, db_path: Path) -> None:
    from dtlab.services.cases import create_case

    demo = subprocess.Popen([sys.executable, "-m", "dtlab", "--db", str(db_path), "demo", "--cases", "6000",
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
