"""Text from outside is data, through every command and screen: a portfolio whose titles, names,
notes, evaluator, KPI and milestone carry markup, terminal escapes, NUL, C1 and bidi overrides,
and bundles refused for a key id made of the same, are shown literally (control characters as
their escapes), with no raw control character on stdout or stderr, no crash, no link or action,
and every notification handed to Textual as plain text."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable, OptionList, Static

from dtlab.app import DtlabApp
from dtlab.config import Settings
from dtlab.db.models.exchange import BundleRecord
from dtlab.launch import main
from dtlab.present.safe import visible
from dtlab.screens.case_list import CaseListScreen
from dtlab.screens.concept_review import ConceptReviewScreen
from dtlab.screens.dashboard import DashboardScreen
from dtlab.screens.sync import SyncScreen
from tests.helpers.hostile_text import CLICK, HOSTILE, SEEN, World, flat, hostile_world, leaks, unknown_key_bundle
from tests.helpers.pilot import dialog_shown, open_case, open_centre, settle

pytestmark = pytest.mark.functional


# --- the command line ----------------------------------------------------------------------------

@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = hostile_world(tmp_path)
    yield w
    w.close()


def cli(world: World, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    world.hq.store.close()  # the command opens the file itself
    code = main(["--db", str(world.hq.tmp / "HQ.db"), *args])
    out, err = capsys.readouterr()
    return code, out, err


def strings(data: Any) -> Iterator[str]:
    """Every string in parsed JSON, keys and values."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from strings(item)


@pytest.mark.parametrize("command", [
    ["cases"], ["case", "show", "{case}"], ["case", "history", "{case}"], ["conflicts"],
    ["evaluations", "{design}"], ["kpis", "{centre}"], ["case", "show", "{centre}"], ["milestones"], ["centres"],
], ids=" ".join)
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_every_command_shows_the_text_and_prints_no_control(world: World, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch, command: list[str],
                                                           as_json: bool) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # lines long enough not to wrap a title
    args = [a.format(case=world.case, design=world.design, centre=world.centre) for a in command]
    code, out, err = cli(world, capsys, *args, *(["--json"] if as_json else []))
    assert code == 0, err
    assert not leaks(out) and not leaks(err)
    if as_json:
        assert any(HOSTILE in s for s in strings(json.loads(out)))  # the data itself, unchanged
    else:
        # Away from a terminal every value is whole, tables included (cli/tables.py).
        assert flat(SEEN) in flat(out), out


def test_a_refusal_quoting_the_bundle_is_one_visible_line(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = unknown_key_bundle(world.field, world.hq.tmp / "eve.dtlab", "k" + HOSTILE)
    code, out, err = cli(world, capsys, "import", str(bundle))
    assert code == 4
    assert not leaks(out) and not leaks(err)
    assert err.startswith("dtlab: ") and err.count("\n") == 1


def test_a_user_typed_reference_is_shown_too(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = cli(world, capsys, "case", "show", "X\x1b]0;pwn\x07[/]")
    assert code == 2 and not leaks(err)


# --- the screens ---------------------------------------------------------------------------------

@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Every notification as Textual receives it: its message and whether it would be read as
    markup."""
    seen: list[tuple[str, bool]] = []
    original = App.notify

    def keep(self: App[Any], message: str, **kwargs: Any) -> None:
        seen.append((message, kwargs.get("markup", True)))
        original(self, message, **kwargs)

    monkeypatch.setattr(App, "notify", keep)
    return seen


def static_text(widget: Static) -> str:
    """A Static's text: a string or Text as Textual renders it, another Rich renderable (a group
    of tables) as a console prints it."""
    if isinstance(widget.content, (str, Text)):
        return str(widget.render())
    buffer = io.StringIO()
    Console(file=buffer, width=200, color_system=None).print(widget.content)
    return buffer.getvalue()


def screen_text(screen: Any) -> str:
    """What the screen shows in its texts, tables and lists."""
    parts = [static_text(w) for w in screen.query(Static)]
    for table in screen.query(DataTable):
        parts += [str(c) for i in range(table.row_count) for c in table.get_row_at(i)]
    for options in screen.query(OptionList):
        parts += [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    return "\n".join(parts)


def shows_literally(screen: Any) -> None:
    text = screen_text(screen)
    assert not leaks(text), sorted(leaks(text))
    assert flat(SEEN) in flat(text) or flat(visible(HOSTILE + " (field)")) in flat(text), text[:2000]


def app_for(world: World) -> DtlabApp:
    return DtlabApp(world.hq.store, Settings(user="hq", hq_site="HQ"))


async def test_case_list_dashboard_and_case_screen(world: World, told: list[tuple[str, bool]]) -> None:
    app = app_for(world)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen)
                     and app.screen.query_one("#waiting", OptionList).option_count >= 3)
        await settle(pilot, lambda: HOSTILE[:3] in screen_text(app.screen))
        shows_literally(app.screen)
        await pilot.press("f3")
        await settle(pilot, lambda: isinstance(app.screen, CaseListScreen)
                     and app.screen.query_one(DataTable).row_count >= 3)
        shows_literally(app.screen)
        screen = await open_case(pilot, world.case)
        shows_literally(screen)
        notes = str(screen.query_one("#notes-text", Static).render())
        assert f"{SEEN}\nsecond line" in notes  # a note keeps its line break
        assert CLICK in str(screen.query_one("#history-text", Static).render())
    assert all(markup is False and not leaks(message) for message, markup in told)


async def test_concept_review_and_centre(world: World, told: list[tuple[str, bool]]) -> None:
    app = app_for(world)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_case(pilot, world.design)
        shows_literally(screen)
        screen.action_review()
        await settle(pilot, lambda: isinstance(app.screen, ConceptReviewScreen))
        await pilot.pause()
        review = screen_text(app.screen)
        assert not leaks(review) and flat(visible("Eve " + HOSTILE)[:20]) in flat(review)
        assert flat(SEEN) in flat(review)
        app.pop_screen()
        await open_centre(pilot, world.centre, "milestones")
        await pilot.pause()
        shows_literally(app.screen)
        assert CLICK in screen_text(app.screen)
    assert all(markup is False and not leaks(message) for message, markup in told)


@pytest.mark.parametrize("key_id", ["[/]", CLICK, "k" + HOSTILE])
async def test_a_refused_bundle_on_the_sync_screen(world: World, told: list[tuple[str, bool]], key_id: str) -> None:
    bundle = unknown_key_bundle(world.field, world.hq.tmp / "eve.dtlab", key_id)
    app = app_for(world)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5")
        await settle(pilot, lambda: isinstance(app.screen, SyncScreen) and app.screen.loaded is not None)
        sync = app.screen
        shows_literally(sync)  # the conflict over the title, both values
        await pilot.press("i")
        await dialog_shown(pilot)
        app.screen.query_one("#v-file").value = str(bundle)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: any("rejected" in m for m, _markup in told))
        await pilot.pause()
        assert app.screen is sync and app.is_running
    refusal = next(m for m, _markup in told if "rejected" in m)
    assert all(markup is False and not leaks(message) for message, markup in told)
    assert "[@click" not in refusal or visible(CLICK) in refusal


async def test_the_sync_screen_survives_any_bundle_record(world: World, told: list[tuple[str, bool]]) -> None:
    """A bundle recorded with an id, peer and file name of markup (the parser refuses such ids
    now; a database written before, or any text at all, must still open the screen)."""
    with world.hq.store.write() as s:
        s.add(BundleRecord(id="[/]", direction="received", peer=HOSTILE, operations=1, file="[/]" + CLICK,
                           at=datetime(2030, 1, 1, tzinfo=timezone.utc)))
    app = app_for(world)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("f5")
        await settle(pilot, lambda: isinstance(app.screen, SyncScreen) and app.screen.loaded is not None)
        sync = app.screen
        await pilot.pause()
        table = sync.query_one("#bundle-table", DataTable)
        assert table.row_count >= 1
        assert flat(SEEN)[:20] in flat(str(table.get_row_at(0)[1]))
        detail = screen_text(sync)
        assert not leaks(detail)
        assert "Bundle id [/]" in detail and flat(visible(CLICK)) in flat(detail)
        assert app.is_running
    assert all(markup is False for _message, markup in told)


async def test_the_palette_finds_a_case_by_its_title_and_shows_it_as_data(world: World) -> None:
    app = app_for(world)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("ctrl+p")
        await settle(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Hub")
        commands = app.screen.query_one(CommandList)
        await settle(pilot, lambda: any(world.case in str(commands.get_option_at_index(i).prompt)
                                        for i in range(commands.option_count)))
        prompts = [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]
        found = next(p for p in prompts if world.case in p)
        assert not leaks(found) and flat(SEEN) in flat(found)
        assert app.is_running
