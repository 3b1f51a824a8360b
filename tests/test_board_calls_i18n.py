"""The Board screen, its forms, the case's Board key and the calls screen speak through the
catalogue: every word they write is found by the extraction (none hidden in an f-string, where
Babel does not look on this Python), and shown in the language in use when the screen is drawn,
not when its module was loaded."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from textual.widgets import DataTable, Label, Tab

from dtlab.app import make_app
from dtlab.config import Settings
from dtlab.db.store import Store
from dtlab.screens import board_forms
from dtlab.screens import calls as calls_screen
from dtlab.screens.calls import CallsScreen
from dtlab.services import board
from dtlab.services.calls import create_call
from tests.helpers.pilot import board_shown, dialog_shown, settle, text_of
from tests.helpers.pseudo_language import shout, speak

pytestmark = pytest.mark.functional

ROOT = Path(__file__).resolve().parents[1] / "dtlab" / "screens"
FILES = ("board.py", "board_forms.py", "calls.py", "case_board.py")
CATALOGUE = {"_": (0,), "N_": (0,), "ngettext": (0, 1), "pgettext": (1,)}
TODAY = date(2025, 3, 1)


def _catalogue_calls(tree: ast.AST) -> list[tuple[ast.Call, list[tuple[str | None, str]]]]:
    """Each catalogue call with the (context, msgid) pairs it looks up."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CATALOGUE:
            args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
            context = args[0] if node.func.id == "pgettext" else None
            found.append((node, [(context, args[i]) for i in CATALOGUE[node.func.id]
                                 if i < len(args) and isinstance(args[i], str)]))
    return found


@pytest.mark.parametrize("name", FILES)
def test_every_word_of_the_screen_is_extracted(name: str) -> None:
    path = ROOT / name
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden = [f"{name}:{call.lineno}: {ast.unparse(call)}" for joined in ast.walk(tree)
              if isinstance(joined, ast.JoinedStr) for call, _words in _catalogue_calls(joined)]
    assert not hidden, "catalogue calls inside f-strings are not extracted:\n" + "\n".join(hidden)
    # A table looked up in a context has its N_ entries extracted without it: never found.
    in_context = [f"{name}:{call.lineno}" for call in ast.walk(tree) if isinstance(call, ast.Call)
                  and isinstance(call.func, ast.Name) and call.func.id == "Translated"
                  and (len(call.args) > 1 or any(k.arg == "context" for k in call.keywords))]
    assert not in_context, in_context
    extracted = set()
    for _line, message, _comments, context in extract_from_file("python", str(path)):
        extracted.update((context, m) for m in ([message] if isinstance(message, str) else message))
    written = {w for _call, words in _catalogue_calls(tree) for w in words}
    assert written and written <= extracted, sorted(written - extracted, key=str)


@pytest.fixture
def shouting(monkeypatch: pytest.MonkeyPatch) -> None:
    # After the modules loaded: what they marked at import must still come out in this language.
    speak(monkeypatch, shout)
    monkeypatch.setattr(board_forms, "current_day", lambda: TODAY)
    monkeypatch.setattr(calls_screen, "current_day", lambda: TODAY)


def _headers(table: DataTable) -> list[str]:  # type: ignore[type-arg]
    return [str(c.label) for c in table.columns.values()]


async def test_the_board_is_drawn_in_the_language_in_use(store: Store, fresh_target: str, shouting: None) -> None:
    board.nominate(store, "Aminata Touré", "official", country="SN", nominated_on="2025-02-01")
    board.new_meeting(store, "First meeting", "2025-04-01", "Geneva", "")
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await board_shown(pilot)
        assert [str(t.label) for t in screen.query(Tab)] == ["1 MEMBERS", "2 MEETINGS", "3 MATTERS"]
        summary = text_of(screen, "#board-summary")
        assert "DIGITAL INNOVATION BOARD · 0 SERVING · 1 TO APPROVE · 0 MATTERS UNDECIDED" in summary
        assert "POLICY (P)" in summary
        assert _headers(screen.query_one("#members-table", DataTable)) == [
            "ID", "NAME", "TRACK", "STATUS", "NOMINATED BY", "INSTITUTION", "TERM"]
        assert "NOMINATED" in str(screen.query_one("#members-table", DataTable).get_row_at(0)[3])
        member = text_of(screen, "#member-detail")
        assert "NOMINATED ON 2025-02-01 BY" in member and "AWAITING THE BDT DIRECTOR'S APPROVAL" in member
        assert "Aminata Touré" in member  # what was typed stays as typed
        assert _headers(screen.query_one("#meetings-table", DataTable)) == ["ID", "DATE", "STATUS", "MEETING",
                                                                          "ITEMS"]
        assert str(screen.query_one("#meetings-table", DataTable).get_row_at(0)[2]) == "PLANNED"
        assert "NO MATTERS PUT TO THE BOARD YET" in text_of(screen, "#item-detail")
        await pilot.press("1", "a")  # the track-1 nomination's approval: its form in the language too
        dialog = await dialog_shown(pilot)
        assert dialog.title_text == "APPROVE: Aminata Touré"
        assert [str(label.render()) for label in dialog.query(Label)][:2] == ["APPROVED ON *", "TERM STARTS"]


async def test_the_calls_are_drawn_in_the_language_in_use(store: Store, fresh_target: str, shouting: None) -> None:
    create_call(store, {"title": "Regional centres 2025", "deadline": "2025-03-31", "regions": ""})
    app = make_app(fresh_target, Settings(user="tester"))
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.press("f6")
        await settle(pilot, lambda: isinstance(app.screen, CallsScreen) and app.screen.loaded is not None)
        screen = app.screen
        summary = text_of(screen, "#calls-summary")
        assert summary.startswith("CALLS FOR EXPRESSIONS OF INTEREST: ")
        assert "N NEW CALL · E EDIT" in summary
        assert _headers(screen.query_one("#calls-table", DataTable)) == [
            "CALL", "DEADLINE", "WHERE IT STANDS", "ON TIME", "LATE", "REGIONS", "TITLE"]
        facts = text_of(screen, "#call-facts")
        assert "DEADLINE 2025-03-31" in facts and "ANY REGION" in facts and "ANY SCOPE" in facts
        assert _headers(screen.query_one("#eois-table", DataTable))[:2] == ["REF", "RECEIVED"]
