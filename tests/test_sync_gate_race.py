"""A field site advances a case, its gate met on what it holds, while headquarters changes what
that gate reads. Both are honest; neither saw the other. The advance must not be refused for
good (the laptop's log keeps it, so every later bundle of the laptop would be refused too): HQ
keeps it, as every site must end the same, and records a conflict for someone to decide."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from dtlab.db.models import Case, Conflict, Transition
from dtlab.domain.stages import MoveKind, Stage
from dtlab.errors import Refused
from dtlab.services.cases import create_case, move_case, update_case
from dtlab.sync.conflicts import conflict_rows, resolve_conflict
from tests.helpers.sites import Site, hq_with_laptops

pytestmark = [pytest.mark.functional, pytest.mark.both_databases]

READY = {"applicant": "Kenya ICT Authority", "channel": "letter", "received_on": "2026-01-05"}


@pytest.fixture
def sites(tmp_path: Path, database_kind: str):  # type: ignore[no-untyped-def]
    """HQ (on each database in turn: the conflict is recorded there) and two laptops."""
    with hq_with_laptops(tmp_path, database_kind, ("NBO", "amina"), ("ADD", "abebe")) as three:
        yield three


def _raced(hq: Site, field: Site, other: Site) -> str:
    """A case ready to leave interest at every site; then HQ blanks its channel while the
    laptop, unaware, advances it. Returns the ref."""
    ref = create_case(hq.store, {"title": "Hub", "country": "KE", **READY})
    field.take(hq.export("NBO"))
    other.take(hq.export("ADD"))
    hq.take(field.export())
    update_case(hq.store, ref, {"channel": ""})
    move_case(field.store, ref, MoveKind.ADVANCE)
    return ref


def _stage(site: Site, ref: str) -> str:
    with site.store.read() as s:
        return s.scalars(select(Case.stage).where(Case.ref == ref)).one()


def test_the_advance_is_kept_with_a_conflict_that_says_why(sites: tuple[Site, Site, Site]) -> None:
    hq, field, other = sites
    ref = _raced(hq, field, other)
    summary = hq.take(field.export())
    assert summary.conflicts == 1
    assert _stage(hq, ref) == Stage.ASSESSMENT.value
    with hq.store.read() as s:
        (row,) = conflict_rows(s)
    assert (row["ref"], row["field"], row["local"], row["incoming"]) == (ref, "stage", "interest", "assessment")
    assert (row["local_actor"], row["incoming_actor"], row["incoming_site"]) == ("hq", "amina", "NBO")
    assert "leaves unmet" in row["reason"] and "the channel" in row["reason"]
    # Every site HQ relays the move to takes it, and the laptop's next bundles go through.
    assert field.take(hq.export("NBO")).applied > 0
    assert other.take(hq.export("ADD")).applied > 0
    assert _stage(other, ref) == _stage(field, ref) == Stage.ASSESSMENT.value
    update_case(field.store, ref, {"title": "Hub, renamed"})
    assert hq.take(field.export()).applied > 0


def test_keeping_the_stage_before_sends_the_case_back_by_a_move(sites: tuple[Site, Site, Site]) -> None:
    hq, field, other = sites
    ref = _raced(hq, field, other)
    hq.take(field.export())
    with hq.store.read() as s:
        conflict_id = s.scalars(select(Conflict.id)).one()
    resolve_conflict(hq.store, conflict_id, "keep")
    assert _stage(hq, ref) == Stage.INTEREST.value
    with hq.store.read() as s:
        back = s.scalars(select(Transition).where(Transition.kind == "back")).one()
    assert (back.from_stage, back.to_stage) == ("assessment", "interest")
    assert f"conflict #{conflict_id}" in (back.reason or "")
    # The decision and its move travel: both other sites take them and end where HQ is.
    assert field.take(hq.export("NBO")).applied > 0
    assert other.take(hq.export("ADD")).applied > 0
    assert _stage(field, ref) == _stage(other, ref) == Stage.INTEREST.value


def test_a_stage_no_single_move_reaches_is_refused_with_what_to_do(sites: tuple[Site, Site, Site]) -> None:
    hq, field, other = sites
    ref = _raced(hq, field, other)
    hq.take(field.export())
    update_case(hq.store, ref, {"channel": "letter"})
    move_case(hq.store, ref, MoveKind.WITHDRAW, reason="the applicant withdrew")
    with hq.store.read() as s:
        conflict_id = s.scalars(select(Conflict.id)).one()
    with pytest.raises(Refused, match="changes by a move on its path"):
        resolve_conflict(hq.store, conflict_id, "keep")
    resolve_conflict(hq.store, conflict_id, "take")
    assert field.take(hq.export("NBO")).applied > 0


async def test_the_sync_screen_says_why_and_sends_the_case_back(sites: tuple[Site, Site, Site]) -> None:
    from textual.widgets import DataTable, Select, Static, TabbedContent

    from dtlab.app import DtlabApp
    from dtlab.config import Settings
    from dtlab.screens.sync import SyncScreen
    from tests.helpers.pilot import dialog_shown, settle, text_of

    hq, field, other = sites
    ref = _raced(hq, field, other)
    hq.take(field.export())
    app = DtlabApp(hq.store, Settings(user="hq", hq_site="HQ"))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f5")
        await settle(pilot, lambda: isinstance(app.screen, SyncScreen) and app.screen.loaded is not None)
        screen = app.screen
        await pilot.press("2")
        # The conflicts tab in front, its table focused (the detail is filled on load, whichever tab
        # is in front: waiting for it waited for nothing).
        conflicts = screen.query_one("#pane-conflicts DataTable", DataTable)
        await settle(pilot, lambda: screen.query_one(TabbedContent).active == "pane-conflicts" and conflicts.has_focus)
        detail = str(screen.query_one("#conflict-detail", Static).render())
        assert "leaves unmet" in detail and "move the case back" in detail
        await pilot.press("enter")
        await dialog_shown(pilot)
        dialog = app.screen
        assert text_of(dialog, "#v-how Static") == "Leave it at: Preliminary assessment"
        dialog.query_one("#v-how", Select).value = "keep"
        await settle(pilot, lambda: text_of(dialog, "#v-how Static") == "Move it back: Expression of interest")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: screen.loaded is not None and screen.loaded.conflicts == [])
    assert _stage(hq, ref) == Stage.INTEREST.value
