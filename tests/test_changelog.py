"""Every write path lands in the change log, and no path can skip it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from dtlab.db.cases import get_case
from dtlab.db.changelog import LogError, bulk_insert
from dtlab.db.history import case_history
from dtlab.db.models import Case, ChangeLog, Note, Organisation
from dtlab.db.store import Store
from dtlab.services.cases import add_note, create_case, update_case

pytestmark = pytest.mark.unit


def log_rows(store: Store) -> list[ChangeLog]:
    with store.read() as s:
        return list(s.scalars(select(ChangeLog).order_by(ChangeLog.id)))


def test_orm_insert_logs_every_set_field(store: Store) -> None:
    ref = create_case(store, {"title": "Hub", "country": "KE"})
    entries = log_rows(store)
    case_entry = next(e for e in entries if e.table_name == "cases")
    assert case_entry.op == "insert"
    assert case_entry.changes["title"] == [None, "Hub"]
    assert case_entry.changes["region"] == [None, "AFR"]
    assert case_entry.actor == "tester"
    with store.read() as s:
        case = get_case(s, ref)
        assert case.change_id == case_entry.id


def test_orm_update_logs_base_and_new_values_only_for_changed_fields(store: Store) -> None:
    ref = create_case(store, {"title": "Hub", "country": "KE"})
    before = len(log_rows(store))
    update_case(store, ref, {"title": "Innovation hub", "country": "KE"})
    entries = log_rows(store)[before:]
    assert [(e.table_name, e.op) for e in entries] == [("cases", "update")]
    assert entries[0].changes == {"title": ["Hub", "Innovation hub"]}


def test_setting_a_field_to_its_value_writes_nothing(store: Store) -> None:
    ref = create_case(store, {"title": "Hub", "country": "KE"})
    before = len(log_rows(store))
    with store.write() as s:
        case = get_case(s, ref)
        case.title = "Hub"
    assert len(log_rows(store)) == before


def test_update_of_an_unloaded_attribute_reads_its_stored_base(store: Store) -> None:
    ref = create_case(store, {"title": "Hub", "country": "KE"})
    with store.write() as s:
        case = get_case(s, ref)
        s.expire(case, ["title"])
        case.title = "Renamed"
    assert log_rows(store)[-1].changes == {"title": ["Hub", "Renamed"]}


def test_soft_delete_is_logged_as_delete(store: Store) -> None:
    ref = create_case(store, {"title": "Hub", "country": "KE"})
    with store.write() as s:
        case = get_case(s, ref)
        case.deleted_at = case.created_at
    assert log_rows(store)[-1].op == "delete"


def test_hard_delete_through_the_orm_is_refused(store: Store) -> None:
    ref = create_case(store, {"title": "Hub", "country": "KE"})
    with pytest.raises(LogError, match="never deleted"), store.write() as s:
        s.delete(get_case(s, ref))


def test_bulk_insert_logs_each_row(store: Store) -> None:
    with store.write() as s:
        n = bulk_insert(s, Organisation, [{"name": f"Org {i}", "country": "KE"} for i in range(50)])
    assert n == 50
    entries = [e for e in log_rows(store) if e.table_name == "organisations"]
    assert len(entries) == 50
    assert entries[0].changes["name"] == [None, "Org 0"]


def test_notes_are_append_only(store: Store) -> None:
    ref = create_case(store, {"title": "Hub", "country": "KE"})
    add_note(store, ref, "first call")
    with pytest.raises(LogError, match="append-only"), store.write() as s:
        note = s.scalars(select(Note)).one()
        note.body = "rewritten"


def test_a_write_outside_a_logged_session_is_refused(store: Store) -> None:
    from dtlab.db.engine import write_session

    with pytest.raises(LogError, match="outside a logged write session"), write_session(store.engine) as s:
        s.add(Organisation(name="Sneaky"))


def test_only_dtlab_sessions_write_the_change_log(store: Store) -> None:
    """The log's hooks are on dtlab's own session class: a plain SQLModel session on the same
    engine, even marked as a logged one, writes no entry (and the guard then refuses its row),
    while the store's sessions log as ever."""
    from sqlmodel import Session

    from dtlab.db.changelog import begin_logging
    from dtlab.db.engine import DtlabSession
    from dtlab.domain.ids import new_id

    site = store.require_site()
    with Session(store.engine) as plain:
        begin_logging(plain, site.id, "outsider")
        plain.add(Organisation(id=new_id(), name="Unlogged"))
        with pytest.raises(IntegrityError, match="without a change-log entry"):
            plain.flush()
    assert log_rows(store) == []
    with store.write() as s:
        assert isinstance(s, DtlabSession)
        s.add(Organisation(name="Logged"))
    with store.read() as s:
        assert isinstance(s, DtlabSession)
        assert list(s.scalars(select(Organisation.name))) == ["Logged"]
    assert [(e.table_name, e.op, e.actor) for e in log_rows(store)] == [("organisations", "insert", "tester")]


def test_sequence_numbers_are_per_site_and_gap_free(store: Store) -> None:
    for i in range(5):
        ref = create_case(store, {"title": f"Case {i}", "country": "FR"})
        update_case(store, ref, {"assignee": "someone"})
    seqs = [e.seq for e in log_rows(store)]
    assert seqs == list(range(1, len(seqs) + 1))


def test_clock_values_increase(store: Store) -> None:
    for i in range(3):
        create_case(store, {"title": f"Case {i}", "country": "FR"})
    clocks = [e.hlc for e in log_rows(store)]
    assert clocks == sorted(clocks) and len(set(clocks)) == len(clocks)


def test_a_failed_transaction_leaves_no_log_entry(store: Store) -> None:
    create_case(store, {"title": "Hub", "country": "KE"})
    before = len(log_rows(store))
    with pytest.raises(IntegrityError), store.write() as s:
        s.add(Organisation(name="Org"))
        s.flush()
        s.execute(text("INSERT INTO meta (key, value) VALUES ('site_id', 'duplicate')"))
    assert len(log_rows(store)) == before


def test_history_shows_changes_and_transitions_in_order(store: Store) -> None:
    ref = create_case(store, {"title": "Hub", "country": "KE"})
    update_case(store, ref, {"applicant": "Kenya ICT Authority", "channel": "letter"})
    add_note(store, ref, "called the focal point")
    with store.read() as s:
        history = case_history(s, ref)
        count = s.scalar(select(func.count()).select_from(Case))
    assert count == 1
    kinds = [(h.table, h.kind) for h in history]
    assert kinds == [("cases", "change"), ("organisations", "change"), ("cases", "change"), ("notes", "note")]
    assert history[1].changes["name"] == [None, "Kenya ICT Authority"]
    assert history[2].changes["applicant"] == [None, "Kenya ICT Authority"]
    assert history[-1].origin == "GVA"


def test_replaying_an_older_entry_or_replacing_a_row_is_refused(store: Store, db_path: Path) -> None:
    ref = create_case(store, {"title": "Hub", "country": "KE"})
    update_case(store, ref, {"title": "Hub two"})
    add_note(store, ref, "original")
    conn = sqlite3.connect(db_path)
    try:
        first = conn.execute("SELECT min(id) FROM change_log WHERE table_name = 'cases'").fetchone()[0]
        with pytest.raises(sqlite3.IntegrityError, match="dtlab:"):
            conn.execute("UPDATE cases SET title = 'HACKED', change_id = ?", (first,))
        note = conn.execute("SELECT id, case_id, created_at, updated_at, updated_by, change_id FROM notes").fetchone()
        with pytest.raises(sqlite3.IntegrityError, match="dtlab:"):
            conn.execute("INSERT OR REPLACE INTO notes (id, case_id, created_at, updated_at, updated_by, "
                         "change_id, body) VALUES (?, ?, ?, ?, ?, ?, 'REWRITTEN')", note)
    finally:
        conn.close()
    with store.read() as s:
        assert s.scalars(select(Note.body)).one() == "original"


def test_history_lines_name_fields_and_fold_a_move_into_one_line(store: Store) -> None:
    from dtlab.domain.stages import MoveKind
    from dtlab.present.history import history_lines
    from dtlab.services.cases import move_case

    ref = create_case(store, {"title": "Hub", "country": "KE"})
    update_case(store, ref, {"channel": "letter", "assignee": "mira"})
    move_case(store, ref, MoveKind.ADVANCE, reason="letter on file", override=True)
    with store.read() as s:
        lines = history_lines(case_history(s, ref), newest_first=False)
    text = "\n".join(lines)
    assert "Recorded the case" in text and "Title: Hub" in text
    assert "Channel: — → Letter of interest" in text
    assert "Assignee: — → mira" in text
    assert "[bold red]Advanced from Expression of interest to Preliminary assessment (gate overridden)[/]" in text
    assert "reason: letter on file" in text
    # The stage change on the case row is the move itself, said once.
    assert "Stage: Expression of interest → Preliminary assessment" not in text
    assert "stage_since" not in text and "Stage since" not in text


def test_bulk_and_orm_rows_store_times_in_the_same_text_form(store: Store, db_path: Path) -> None:
    from datetime import datetime, timezone

    at = datetime(2026, 3, 9, 8, 46, tzinfo=timezone.utc)
    with store.write() as s:
        bulk_insert(s, Organisation, [{"name": "Bulk", "created_at": at, "updated_at": at}])
    with store.write() as s:
        s.add(Organisation(name="Orm"))
    conn = sqlite3.connect(db_path)
    stored = dict(conn.execute("SELECT name, updated_at FROM organisations").fetchall())
    log_times = [row[0] for row in conn.execute("SELECT at FROM change_log WHERE table_name = 'organisations'")]
    conn.close()
    # One form for every row, so sorting and comparing by time is sound whichever path wrote it.
    assert stored["Bulk"] == "2026-03-09 08:46:00.000000"
    assert len(stored["Orm"]) == len(stored["Bulk"]) and "+" not in stored["Orm"]
    assert all(len(t) == len(stored["Bulk"]) for t in log_times)


def test_a_renewal_says_its_move_once_and_what_it_cleared(store: Store) -> None:
    from dtlab.domain.stages import MoveKind, Stage
    from dtlab.present.history import history_lines
    from dtlab.services.cases import move_case
    from tests.helpers.cases import walk_to

    ref = create_case(store, {"title": "Hub", "country": "KE"})
    walk_to(store, ref, Stage.RENEWAL)
    update_case(store, ref, {"renewal_outcome": "renewed"})
    move_case(store, ref, MoveKind.ADVANCE)
    with store.read() as s:
        text = "\n".join(history_lines(case_history(s, ref), newest_first=False))
    assert "Advanced from Evaluation & re-accreditation to Accredited operation" in text
    assert "Renewal outcome: renewed → —" in text  # cleared for the new period, and said so
    assert "Stage: Evaluation & re-accreditation → Accredited operation" not in text


def test_every_python_side_default_of_a_synchronised_column_is_a_plain_value() -> None:
    """The bulk import (`changelog.write_received`) fills a field an insert leaves out with its
    column's default, as SQLAlchemy would; it knows plain values only. A default made by a
    function, or a date, needs it taught first."""
    from dtlab.db.models import SYNCED_MODELS

    for model in SYNCED_MODELS:
        for column in model.__table__.columns:  # type: ignore[attr-defined]
            if column.default is not None:
                assert column.default.is_scalar, (model.__tablename__, column.name)
                assert isinstance(column.default.arg, (str, int, float, bool)), (model.__tablename__, column.name)
