"""The sync screen by keyboard: write a bundle, import one, decide a conflict."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from textual.widgets import DataTable, Input, Select, Static

from dtlab.app import DtlabApp
from dtlab.config import Settings
from dtlab.db.cases import get_case
from dtlab.db.models import BundleRecord
from dtlab.screens.sync import SyncScreen
from dtlab.services.cases import create_case, update_case
from dtlab.sync.conflicts import open_conflicts
from dtlab.sync.export import bundles
from dtlab.sync.sealing import is_sealed
from dtlab.widgets.dialogs import ConfirmDialog
from tests.helpers.pilot import dialog_shown, settle
from tests.helpers.sites import Sealing

pytestmark = pytest.mark.functional


async def open_sync(pilot) -> None:  # type: ignore[no-untyped-def]
    """F5, and wait until the sync screen has read its history."""
    await pilot.press("f5")
    await settle(pilot, lambda: isinstance(pilot.app.screen, SyncScreen) and pilot.app.screen.loaded is not None)


async def test_export_import_and_decide_a_conflict(tmp_path: Path) -> None:
    hq, field = Sealing(tmp_path, "HQ", "hq"), Sealing(tmp_path, "NBO", "amina")
    hq.knows(field)
    field.knows(hq)
    ref = create_case(hq.store, {"title": "Shared hub", "country": "KE"})
    field.take(hq.export("NBO"))
    with field.store.write() as s:
        # Bundles are timed to the second, newest first: received a minute before, HQ's bundle
        # cannot tie with the one the field writes below, however quickly that comes.
        for record in s.scalars(select(BundleRecord)):
            record.at -= timedelta(minutes=1)
    update_case(hq.store, ref, {"purpose": "As HQ sees it"})
    update_case(field.store, ref, {"purpose": "As the field sees it"})
    out = tmp_path / "from-field.dtlab"

    # In the field: write the bundle for HQ from the sync screen.
    app = DtlabApp(field.store, Settings(user="amina", hq_site="HQ"))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sync(pilot)
        await pilot.press("e")
        await dialog_shown(pilot)
        dialog = app.screen
        assert dialog.query_one("#v-to", Input).value == "HQ"
        assert dialog.query_one("#v-seal", Select).value == "yes"  # HQ's encryption key is known here
        # A site whose encryption key is not known: the dialog says so and stays open.
        dialog.query_one("#v-to", Input).value = "LIM"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        assert "No encryption key for LIM" in str(dialog.query_one(".dialog-error", Static).render())
        dialog.query_one("#v-to", Input).value = "HQ"
        dialog.query_one("#v-file", Input).value = str(out)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: out.exists() and isinstance(app.screen, SyncScreen)
                     and app.screen.query_one("#bundle-table", DataTable).row_count == 2)
        screen = app.screen
        assert is_sealed(out)
        assert not screen.query_one("#sync-progress").display  # the bar is gone once the file is written
        assert [str(c) for c in screen.query_one("#bundle-table", DataTable).get_row_at(0)][1:3] == ["for HQ", "yes"]

    # At HQ: import it, see the conflict, keep HQ's value.
    app = DtlabApp(hq.store, Settings(user="hq", hq_site="HQ"))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sync(pilot)
        await pilot.press("i")
        await dialog_shown(pilot)
        app.screen.query_one("#v-file", Input).value = str(out)
        await pilot.press("ctrl+s")
        screen = app.screen
        await settle(pilot, lambda: isinstance(app.screen, SyncScreen) and screen.loaded is not None
                     and len(screen.loaded.conflicts) == 1)
        assert "1 open conflict" in str(screen.query_one("#sync-summary").render())
        await pilot.press("2")  # the conflicts tab, its table focused: Enter decides at once
        await pilot.pause()
        await pilot.press("enter")
        await dialog_shown(pilot)
        dialog = app.screen
        dialog.query_one("#v-how", Select).value = "edit"
        await pilot.press("ctrl+s")  # "write another value" with no value: the dialog says so and stays
        await pilot.pause()
        assert app.screen is dialog
        assert "Write the value to keep" in str(dialog.query_one(".dialog-error", Static).render())
        dialog.query_one("#v-how", Select).value = "keep"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: screen.loaded is not None and screen.loaded.conflicts == [])

    with hq.store.read() as s:
        assert get_case(s, ref).purpose == "As HQ sees it" and open_conflicts(s) == []

    # The dashboard says when conflicts wait for a decision.
    update_case(hq.store, ref, {"purpose": "HQ, again"})
    update_case(field.store, ref, {"purpose": "The field, again"})
    hq.take(field.export())
    app = DtlabApp(hq.store, Settings(user="hq", hq_site="HQ"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, lambda: "1 open sync conflict" in str(
            app.screen.query_one("#panel-recent").border_subtitle))
    hq.store.close()
    field.store.close()


async def test_export_asks_before_writing_over_an_existing_file(tmp_path: Path) -> None:
    """The rule of `dtlab export` (an existing file is written over only when asked to), asked in
    words: "keep the file" leaves it as it was; "write over it" replaces it."""
    hq, field = Sealing(tmp_path, "HQ", "hq"), Sealing(tmp_path, "NBO", "amina")
    field.knows(hq)
    create_case(field.store, {"title": "Field hub", "country": "KE"})
    out = tmp_path / "for-hq.dtlab"
    out.write_bytes(b"a bundle not yet delivered")

    app = DtlabApp(field.store, Settings(user="amina", hq_site="HQ"))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sync(pilot)
        screen = app.screen

        async def export_to_the_existing_file() -> ConfirmDialog:
            await pilot.press("e")
            await dialog_shown(pilot)
            app.screen.query_one("#v-file", Input).value = str(out)
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
            assert isinstance(app.screen, ConfirmDialog)
            return app.screen

        dialog = await export_to_the_existing_file()
        question = str(dialog.query_one(".dialog-text", Static).render())
        assert str(out) in question and "exists already" in question
        await pilot.click("#no")
        await settle(pilot, lambda: app.screen is screen)
        assert out.read_bytes() == b"a bundle not yet delivered"
        assert screen.query_one("#bundle-table", DataTable).row_count == 0

        await export_to_the_existing_file()
        await pilot.click("#yes")
        await settle(pilot, lambda: app.screen is screen
                     and screen.query_one("#bundle-table", DataTable).row_count == 1)
        assert is_sealed(out)
    with field.store.read() as s:
        assert len(bundles(s)) == 1  # "keep the file" wrote nothing, not even later
    hq.store.close()
    field.store.close()


async def test_bundles_go_to_one_known_folder_and_are_found_there_by_name(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Left empty, the file is written to the bundles folder under the user's data directory,
    never into the directory dtlab started in; a bare name is read from there too."""
    from dtlab import paths

    started_in = tmp_path / "checkout"
    started_in.mkdir()
    monkeypatch.chdir(started_in)
    hq, field = Sealing(tmp_path, "HQ", "hq"), Sealing(tmp_path, "NBO", "amina")
    hq.knows(field)
    field.knows(hq)
    create_case(field.store, {"title": "Field hub", "country": "KE"})
    app = DtlabApp(field.store, Settings(user="amina", hq_site="HQ"))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sync(pilot)
        await pilot.press("e")
        await dialog_shown(pilot)
        assert str(paths.bundles_dir()) in str(app.screen.query_one(".dialog-text", Static).render())
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, SyncScreen) and paths.bundles_dir().is_dir()
                     and any(paths.bundles_dir().iterdir()))
    assert list(started_in.iterdir()) == []
    (written,) = paths.bundles_dir().iterdir()
    assert written.name.startswith("nbo-to-hq-") and is_sealed(written)
    app = DtlabApp(hq.store, Settings(user="hq", hq_site="HQ"))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sync(pilot)
        await pilot.press("i")
        await dialog_shown(pilot)
        app.screen.query_one("#v-file", Input).value = written.name
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, SyncScreen)
                     and app.screen.query_one("#bundle-table", DataTable).row_count == 1)
