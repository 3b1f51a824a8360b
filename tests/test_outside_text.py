"""Text from outside is data: the helper that shows it (`dtlab.present.safe`) and every renderer
of present/ given markup, terminal escapes, NUL, C1 and bidi overrides, or any text at all, print
them as they are (control characters as their escapes), never acting on them. The commands and
screens are in test_outside_text_shown.py."""

from __future__ import annotations

import io
import json
import unicodedata
from datetime import date, datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from dtlab.domain.history import HistoryEntry
from dtlab.present import charts, concept_text, conflicts, errors, history, words
from dtlab.present.safe import cell, from_markup, json_text, plain, shown, visible
from dtlab.sync.bundle import Rejected
from tests.helpers.hostile_text import (
    CLICK,
    HOSTILE,
    PIECES,
    SEEN,
    flat,
    leaks,
)

pytestmark = pytest.mark.unit

BIDI = {"\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))}


def acts(char: str) -> bool:
    """A character a terminal acts on or that changes how a line reads."""
    return (unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or char in BIDI)


# --- the helper ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "seen"), [
    ("\x1b]52;c;ZXZpbA==\x07", "\\x1b]52;c;ZXZpbA==\\x07"),
    ("\x1b[2J", "\\x1b[2J"),
    ("a\x00b", "a\\x00b"),
    ("\u202eevil", "\\u202eevil"),
    ("\x9b\x7f", "\\x9b\\x7f"),
    ("line\nnext\tcol", "line ⏎ next col"),
    ("win\r\nline\rover", "win ⏎ line\\rover"),
    ("[/] [b] " + CLICK, "[/] [b] " + CLICK),
    ("Genève 加速中心", "Genève 加速中心"),
    ("C:\\dir\\", "C:\\dir\\"),  # a trailing backslash, once (Rich's escape doubles it)
    ("\\[b]x\\\x1b\\", "\\[b]x\\\\x1b\\"),
])
def test_visible_writes_out_what_would_act(raw: str, seen: str) -> None:
    assert visible(raw) == seen
    assert plain(raw).plain == seen
    assert from_markup(shown(raw)).plain == seen


def test_multi_line_text_keeps_its_breaks_and_tabs() -> None:
    assert visible("a\r\nb\n\tc\rd\x1b", multiline=True) == "a\nb\n\tc\\rd\\x1b"
    assert plain("a\nb", multiline=True).plain == "a\nb"


def test_escapes_are_set_apart_and_nothing_else_is_styled() -> None:
    text = from_markup(f"[b]{shown(HOSTILE)}[/b]")
    assert text.plain == SEEN
    styles = {str(span.style) for span in text.spans}
    assert styles <= {"b", "bold", "reverse"}  # no link, no @click meta, no style the text asked for
    assert all(not getattr(span.style, "meta", None) for span in text.spans)
    escaped = [text.plain[s.start:s.end] for s in text.spans if str(s.style) == "reverse"]
    assert escaped and all(e.startswith("\\") for e in escaped)
    assert cell(HOSTILE).no_wrap and cell(HOSTILE).overflow == "ellipsis"


def test_json_keeps_the_data_and_escapes_what_would_act() -> None:
    data = {"title": HOSTILE + "\ud800\u2028", "name": "Genève"}
    out = json_text(data, indent=2)
    assert not leaks(out)
    assert "Genève" in out and "\\u202e" in out and "\\u009b" in out
    assert json.loads(out) == data


# --- every renderer, arbitrary text --------------------------------------------------------------

any_text = st.text(st.characters(exclude_categories=()), max_size=60) | st.sampled_from(PIECES + [HOSTILE])


@settings(max_examples=300, deadline=None)
@given(any_text, st.booleans())
def test_the_helper_never_lets_a_control_or_bidi_character_through(text: str, multiline: bool) -> None:
    allowed = {"\n", "\t"} if multiline else set()
    for out in (visible(text, multiline), plain(text, multiline=multiline).plain,
                from_markup(shown(text, multiline)).plain):
        assert not any(acts(c) and c not in allowed for c in out), repr(out)
    assert from_markup(shown(text, multiline)).plain == visible(text, multiline)
    assert json.loads(json_text(text)) == text and not leaks(json_text(text))


def _print(renderable: Any) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=100, color_system=None, emoji=True).print(renderable)
    return buffer.getvalue()


def _render_all(text: str) -> list[Any]:
    """Every renderer of present/ given `text` wherever outside text can be."""
    at = datetime(2026, 1, 2, tzinfo=timezone.utc)
    entries = [
        HistoryEntry(at=at, actor=text, origin=text, seq=1, table="cases", op="update", about=text,
                     changes={"title": (text, text), text: (None, text)}),
        HistoryEntry(at=at, actor=text, origin="HQ", seq=2, table="notes", op="insert", changes={"body": (None, text)}),
        HistoryEntry(at=at, actor=text, origin="HQ", seq=3, table="transitions", op="insert",
                     changes={"kind": (None, text), "to_stage": (None, text), "status": (None, text),
                              "reason": (None, text), "overridden": (None, text)}),
        HistoryEntry(at=at, actor=text, origin="HQ", seq=4, table="evaluation_scores", op="update",
                     about=f"{text}|{text}", changes={"score": (1, 2), "comment": (text, text)}),
    ]
    evaluation = {"evaluator": text, "counts": True, "scores": {"c": {"score": 3, "comment": text}},
                  "revision": 1, "standing": text, "classification": text, "percent": 50.0}
    evaluations = {"evaluations": [evaluation, {**evaluation, "counts": False}],
                   "consolidated": {"criteria": [{"criterion": "c", "name": text, "short": text, "spread": 1,
                                                  "disagree": True, "mean": 3.0}],
                                    "percent": 50.0, "classification": text, "caps": [text],
                                    "disagreements": ["c"], "evaluators": [text]}}
    recommendation = {"request": {"goals": [text], "scope": text, "ownership": text, "cost_capacity": text},
                      "ranking": [{"type": text, "name": text, "fits": True, "reasons": [text]}], "best": text,
                      "cost": {"tier": text, "points": 3, "drivers": [text]}}
    kpi = {"name": text, "unit": text, "baseline": 1.0, "status": text,
           "years": [{"year": 1, "ends_on": date(2026, 1, 1), "target": 4.0, "actual": 2.0, "progress": 0.5,
                      "status": text}]}
    period = {"number": 1, "starts_on": date(2025, 1, 1), "ends_on": date(2028, 1, 1),
              "renewal_due_on": date(2027, 7, 1), "type_name": text, "state": text, "days_left": 3}
    return [
        concept_text.renderable(history.history_lines(entries)),
        concept_text.renderable(concept_text.evaluations_text(evaluations)),
        concept_text.renderable(concept_text.recommendation_text(recommendation)),
        charts.kpi_chart(kpi, 80), charts.timeline([period], date(2025, 1, 1), date(2026, 1, 1), 80),
        charts.rag_text(text), charts.cut(text),
        plain(words.attention_text({"kind": "overdue", "due_on": text, "title": text})),
        plain(errors.error_line(Rejected(text))),
        plain(str(conflicts.labelled({"table": text, "field": text}))),
    ]


@settings(max_examples=60, deadline=None)
@given(any_text)
def test_every_renderer_takes_any_text_and_prints_none_of_it_raw(text: str) -> None:
    for renderable in _render_all(text):
        out = _print(renderable)
        assert not leaks(out), (repr(out), renderable)


def test_the_renderers_show_the_hostile_text_literally() -> None:
    for renderable in _render_all(HOSTILE):
        out = _print(renderable)
        assert not leaks(out)
        assert "[@click" not in out or flat(CLICK) in flat(out), out
    assert flat(SEEN) in flat(_print(_render_all(HOSTILE)[0]))


