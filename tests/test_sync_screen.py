"""The sync screen by keyboard: write a bundle, import one, decide a conflict."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input

from dtlab.app import DtlabApp
from dtlab.config import Settings
from dtlab.db.cases import create_case, get_case, update_case
from dtlab.db.sync import open_conflicts
from dtlab.screens.sync import SyncScreen
from dtlab.widgets.dialogs import ValuesDialog
from tests.pilot_helpers import settle
from tests.test_sync import Site


async def test_export_import_and_decide_a_conflict(tmp_path: Path) -> None:
    hq, field = Site(tmp_path, "HQ", "hq"), Site(tmp_path, "NBO", "amina")
    hq.trusts(field)
    field.trusts(hq)
    ref = create_case(hq.store, {"title": "Shared hub", "country": "KE"})
    field.take(hq.export("NBO"))
    update_case(hq.store, ref, {"purpose": "As HQ sees it"})
    update_case(field.store, ref, {"purpose": "As the field sees it"})
    out = tmp_path / "from-field.dtlab"

    # In the field: write the bundle for HQ from the sync screen.
    app = DtlabApp(field.store, Settings(user="amina", hq_site="HQ"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5")
        await settle(pilot, lambda: isinstance(app.screen, SyncScreen) and app.screen.loaded is not None)
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, ValuesDialog))
        assert app.screen.query_one("#v-to", Input).value == "HQ"
        app.screen.query_one("#v-file", Input).value = str(out)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: out.exists() and isinstance(app.screen, SyncScreen)
                     and app.screen.query_one("#bundle-table", DataTable).row_count == 2)

    # At HQ: import it, see the conflict, keep HQ's value.
    app = DtlabApp(hq.store, Settings(user="hq", hq_site="HQ"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5")
        await settle(pilot, lambda: isinstance(app.screen, SyncScreen) and app.screen.loaded is not None)
        await pilot.press("i")
        await settle(pilot, lambda: isinstance(app.screen, ValuesDialog))
        app.screen.query_one("#v-file", Input).value = str(out)
        await pilot.press("ctrl+s")
        screen = app.screen
        await settle(pilot, lambda: isinstance(app.screen, SyncScreen) and screen.loaded is not None
                     and len(screen.loaded.conflicts) == 1)
        assert "1 open conflict" in str(screen.query_one("#sync-summary").render())
        screen.query_one("TabbedContent").active = "pane-conflicts"
        table = screen.query_one("#conflict-table", DataTable)
        await pilot.pause()
        table.focus()
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ValuesDialog))
        app.screen.query_one("#v-how").value = "keep"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: screen.loaded is not None and screen.loaded.conflicts == [])
    with hq.store.read() as s:
        assert get_case(s, ref).purpose == "As HQ sees it" and open_conflicts(s) == []
    hq.store.close()
    field.store.close()
