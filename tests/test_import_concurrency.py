"""HQ staff working while a bundle is imported (issue 17, points 3 and 7): readers never wait for
it; writers wait for it, are told what they wait for, and all succeed after it with a gap-free
log and unique refs; a write that waits too long gives up with a clear message and writes
nothing; a bundle with a bad operation is refused before the write lock is taken. On SQLite and
on PostgreSQL. The import is held at its apply step by its own progress callback, so the tests
wait on conditions, not on time."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from dtlab.db.cases import list_cases
from dtlab.db.dialects import LockWaitedTooLong
from dtlab.db.models import Case, ChangeLog
from dtlab.db.store import Store
from dtlab.services.cases import create_case
from dtlab.sync.bundle import Rejected
from dtlab.sync.exchange import import_file
from tests.helpers.sites import Site, hq_with_laptops

pytestmark = [pytest.mark.functional, pytest.mark.both_databases]


@pytest.fixture
def hq_and_bundle(tmp_path: Path, database_kind: str) -> Iterator[tuple[Site, Path]]:
    with hq_with_laptops(tmp_path, database_kind, ("NBO", "amina")) as (hq, laptop):
        for n in range(20):
            create_case(laptop.store, {"title": f"Field case {n}", "country": "KE"})
        yield hq, laptop.export("HQ")


class HeldImport:
    """An import by `importer` run in a thread and held once it has the write lock (at its first
    "applying" progress), until `release`."""

    def __init__(self, target: str, bundle: Path):
        self.store = Store.open(target, "importer")
        self.applying, self.proceed = threading.Event(), threading.Event()
        self.errors: list[BaseException] = []

        def progress(stage: str, _done: int, _total: int) -> None:
            if stage == "applying" and not self.applying.is_set():
                self.applying.set()
                self.proceed.wait(60)

        def run() -> None:
            try:
                import_file(self.store, bundle, "HQ", progress=progress)
            except BaseException as error:  # noqa: BLE001 (the test reports it)
                self.errors.append(error)

        self.thread = threading.Thread(target=run)

    def __enter__(self) -> HeldImport:
        self.thread.start()
        assert self.applying.wait(60), self.errors
        return self

    def __exit__(self, *exc: object) -> None:
        self.proceed.set()
        self.thread.join(60)
        self.store.close()


def in_thread(action: Callable[[], None]) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            action()
        except BaseException as error:  # noqa: BLE001 (the test reports it)
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def test_readers_do_not_wait_and_writers_wait_then_all_succeed(hq_and_bundle: tuple[Site, Path],
                                                                database_kind: str) -> None:
    hq, bundle = hq_and_bundle
    create_case(hq.store, {"title": "HQ before", "country": "CH"})
    staff = [Store.open(hq.target, name) for name in ("alice", "bob", "chen")]
    told: dict[str, list[str]] = {s.actor: [] for s in staff}
    for s in staff:
        s.on_wait = told[s.actor].append
    try:
        with HeldImport(hq.target, bundle) as held:
            # A reader while the import holds the write lock: answered at once.
            read: list[list[str]] = []

            def reader() -> None:
                with staff[0].read() as s:
                    read.append([r["title"] for r in list_cases(s)])

            reading, reading_errors = in_thread(reader)
            reading.join(20)
            assert not reading.is_alive() and not reading_errors, "a reader waited for the import"
            assert read == [["HQ before"]]
            # Writers meanwhile: each waits, told for what (where the database can say).
            writers = [in_thread(lambda s=s: [create_case(s, {"title": f"{s.actor} {n}", "country": "FR"})
                                              for n in range(5)]) for s in staff]
            if database_kind == "postgresql":
                for s in staff:
                    assert wait_until(lambda s=s: told[s.actor])
                    assert told[s.actor][0].startswith("an import by importer (since ")
            assert held.thread.is_alive()
        assert not held.errors
        for thread, errors in writers:
            thread.join(60)
            assert not errors
        with hq.store.read() as s:
            entries = list(s.scalars(select(ChangeLog).where(ChangeLog.origin == hq.store.require_site().id)
                                     .order_by(ChangeLog.seq)))
            refs = list(s.scalars(select(Case.ref)))
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))  # HQ's own: gap-free
        assert len(refs) == len(set(refs)) == 1 + 20 + 15  # nothing lost, every ref unique
    finally:
        for s in staff:
            s.close()


def wait_until(condition: Callable[[], object], timeout: float = 30) -> bool:
    event = threading.Event()
    while not condition():
        if event.wait(0.02) or timeout <= 0:
            return False
        timeout -= 0.02
    return True


def test_a_write_that_waits_too_long_says_why_and_writes_nothing(hq_and_bundle: tuple[Site, Path],
                                                                 database_kind: str) -> None:
    if database_kind == "sqlite":
        pytest.skip("SQLite's own busy timeout says 'database is locked' (a laptop has one user)")
    hq, bundle = hq_and_bundle
    impatient = Store.open(hq.target, "bob")
    try:
        busy = re.escape("the database is busy: an import by importer (since ")
        with HeldImport(hq.target, bundle):
            for seconds in (0.3, 0):  # 0: give up at once (PostgreSQL's own 0 would wait for ever)
                impatient.lock_wait = seconds
                with pytest.raises(LockWaitedTooLong, match=busy):
                    create_case(impatient, {"title": "Too soon", "country": "FR"})
        with hq.store.read() as s:
            assert "Too soon" not in set(s.scalars(select(Case.title)))
    finally:
        impatient.close()


def test_a_bad_operation_is_refused_before_the_write_lock(hq_and_bundle: tuple[Site, Path], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The pre-check reads every operation without the lock: a bundle with a bad operation
    never takes it (the store's write, which takes the lock, is never called)."""
    hq, bundle = hq_and_bundle
    from dtlab.sync import exchange

    def bad_last(op: dict[str, object]) -> None:
        if op["seq"] == 20 and op["table"] == "cases":
            raise Rejected("a bad operation")

    locked: list[str] = []
    monkeypatch.setattr(exchange, "check_against_schema", bad_last)
    real_write = hq.store.write

    def write(doing: str = "a save"):  # type: ignore[no-untyped-def]
        locked.append(doing)
        return real_write(doing)

    monkeypatch.setattr(hq.store, "write", write)
    with pytest.raises(Rejected, match="a bad operation"):
        import_file(hq.store, bundle, "HQ")
    assert locked == []


def test_the_command_line_says_what_a_write_waits_for(hq_and_bundle: tuple[Site, Path], database_kind: str) -> None:
    if database_kind == "sqlite":
        pytest.skip("SQLite cannot say who holds its lock")
    import os
    import select
    import subprocess
    import sys

    hq, bundle = hq_and_bundle
    with HeldImport(hq.target, bundle):
        proc = subprocess.Popen([sys.executable, "-m", "dtlab", "--db", hq.target, "case", "new", "--title",
                                 "While importing", "--country", "FR"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env={**os.environ, "DTLAB_USER": "bob"})
        assert proc.stderr is not None
        seen = b""
        while b"\n" not in seen:  # its first line, before the import lets go
            ready, _, _ = select.select([proc.stderr], [], [], 60)
            assert ready, "the command said nothing while it waited"
            seen += os.read(proc.stderr.fileno(), 4096)
        assert seen.decode().startswith("Waiting for an import by importer (since ")
        assert proc.poll() is None  # still waiting: the import holds the lock
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.decode().startswith("HQ-")


async def test_the_screen_says_what_a_save_waits_for(hq_and_bundle: tuple[Site, Path], database_kind: str) -> None:
    if database_kind == "sqlite":
        pytest.skip("SQLite cannot say who holds its lock")
    from dtlab.app import make_app
    from dtlab.config import Settings
    from dtlab.widgets.dialogs import ReasonDialog
    from tests.helpers.pilot import notices, open_case, paste, settle

    hq, bundle = hq_and_bundle
    ref = create_case(hq.store, {"title": "HQ case", "country": "CH"})
    app = make_app(hq.target, Settings(user="bob"))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_case(pilot, ref)
        told = notices(app)
        with HeldImport(hq.target, bundle):
            await pilot.press("n")
            await settle(pilot, lambda: isinstance(app.screen, ReasonDialog))
            await paste(pilot, "Called the ministry")
            await pilot.press("enter")
            await settle(pilot, lambda: any(t.startswith("Waiting for an import by importer") for t in told))
            assert detail(hq.store, ref)["notes"] == []  # not before the import lets go
        await settle(pilot, lambda: [n["body"] for n in detail(hq.store, ref)["notes"]] == ["Called the ministry"])


def detail(store: Store, ref: str) -> dict[str, object]:
    from dtlab.db.cases import case_detail

    with store.read() as s:
        return case_detail(s, ref)
