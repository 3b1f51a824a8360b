"""What a screen draws, as lines of text: read from Textual's own screenshot (its SVG), so that
every word on the screen counts, the footer, tab labels, column headers, borders' titles and
placeholders included, not only the texts a query finds. And the words on it a reader of another
language would take for English."""

from __future__ import annotations

import html
import re
from typing import Any

CELL = 12.2  # the width of one cell in Textual's SVG
_TEXT = re.compile(r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
                   r'clip-path="url\(#[^)]*-line-(\d+)\)">(.*?)</text>', re.S)


def drawn_lines(app: Any) -> list[str]:
    """The screen's lines as drawn, each cell in its column (wide characters take two)."""
    lines: dict[int, list[tuple[float, str]]] = {}
    for x, line, content in _TEXT.findall(app.export_screenshot()):
        lines.setdefault(int(line), []).append((float(x), html.unescape(content).replace("\xa0", " ")))
    out = []
    for number in sorted(lines):
        row = ""
        for x, text in sorted(lines[number]):
            column = round(float(x) / CELL)
            width = _cells(row)
            if column > width:
                row += " " * (column - width)
            row += text.rstrip("\n")
        out.append(row.rstrip())
    return out


def _cells(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


# What stays in Latin letters in every language: codes and names the interface never translates.
KEPT = {
    "dtlab", "ITU", "BDT", "ITU-D", "KPI", "KPIs", "SDG", "SDGs", "WSIS", "HQ", "ctrl", "shift", "esc", "tab",
    "enter", "space", "pgup", "pgdn", "home", "end", "up", "down", "left", "right", "backspace", "delete",
    "csv", "tsv", "json", "toml", "CSV", "JSON", "TOML", "age", "SQLite", "PostgreSQL", "ok", "OK",
}
_EMAIL = re.compile(r"\S+@\S+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")


def latin_words(lines: list[str], kept: set[str] = KEPT) -> list[str]:
    """Words in Latin letters on the screen that are neither kept codes, nor refs and ids (capital
    codes such as GVA, AFR), nor e-mail addresses: in a language that is not written in Latin
    letters, what is left is English the catalogue did not translate."""
    found = []
    for line in lines:
        for word in _WORD.findall(_EMAIL.sub(" ", line)):
            if word in kept or word.isupper() or len(word) < 3:
                continue
            found.append(word)
    return found
