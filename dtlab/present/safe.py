"""Text from outside shown as data: never markup, never terminal control.

Everything a user typed or a bundle carried (titles, names, notes, site codes, key ids, refusal
reasons that quote a bundle) goes through here before any front end shows it. Two dangers:

- **Markup.** Rich and Textual read `[b]`, `[/]` and `[@click=app.…]` in a string as styles and
  actions; `[/]` alone raises. So outside text is handed over as `rich.text.Text` (never parsed),
  or, inside a markup template of our own, escaped with `shown`.
- **Terminal control.** ESC starts sequences that move the cursor, clear the screen, set the
  window title or write the clipboard (OSC 52); C1 bytes (U+0080-U+009F) do the same on some
  terminals; NUL, BEL, backspace and CR hide or overwrite what is shown; bidi overrides and
  isolates (U+202A-U+202E, U+2066-U+2069, and the marks U+200E, U+200F, U+061C) reorder what
  follows so a line reads other than it is; U+2028/U+2029 break lines where a row expects none;
  a lone surrogate cannot be encoded and would stop the output.

Each of these characters is shown as its Python escape (`\\x1b`, `\\x00`, `\\u202e`): plain
ASCII that every terminal and font can draw, that names the character exactly (a user can report
it or search for it), and that is what `repr`, `--json` and the change log show for it. In
styled output (`plain`, `shown`) the escape is drawn in reverse video, apart from a backslash a
user typed; uncoloured output (a pipe) shows the same characters without the style.

Newlines and tabs depend on where the text is shown:
- **one line** (a table cell, a heading, a notification line, a history value, a refusal line):
  a line break is shown as ` ⏎ ` and a tab as one space, so a row stays one row;
- **multi-line** (a note, a comment, a notification that lists problems): line breaks are kept
  (CR LF read as one break), tabs are kept; a lone CR is shown as `\\r`, since it would return to
  the start of the line and overwrite it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rich.markup import escape
from rich.text import Text

from dtlab.i18n import is_rtl
from dtlab.present.bidi import FSI, PDI, isolated

# The style that sets an escape apart from the text around it.
ESCAPE_STYLE = "reverse"
# A line break in one-line text.
BREAK_MARK = " ⏎ "

_BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_UNSAFE_POINTS = [*range(0x00, 0x20), *range(0x7F, 0xA0), *_BIDI, 0x2028, 0x2029, *range(0xD800, 0xE000)]
UNSAFE = frozenset(chr(c) for c in _UNSAFE_POINTS)


BACKSLASH = "\\"
_SHORT = {"\r": "\\r", "\n": "\\n", "\t": "\\t"}


def escape_form(char: str) -> str:
    """`\\r` for CR, `\\x1b` for another character up to U+00FF, `\\u202e` above: Python's own
    spelling, as `repr` writes it."""
    if char in _SHORT:
        return _SHORT[char]
    point = ord(char)
    return f"\\x{point:02x}" if point <= 0xFF else f"\\u{point:04x}"


_ESCAPES = {c: escape_form(chr(c)) for c in _UNSAFE_POINTS}
_ONE_LINE = _ESCAPES | {ord("\n"): BREAK_MARK, ord("\t"): " "}
_MULTI_LINE = {c: v for c, v in _ESCAPES.items() if c not in (ord("\n"), ord("\t"))}
_UNSAFE_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in _UNSAFE_POINTS) + "]")
# What `plain` and `shown` split on: the characters shown as escapes (not the breaks and tabs
# turned into a mark or a space, nor those kept).
_ESCAPED_ONE = re.compile("[" + "".join(re.escape(chr(c)) for c in _UNSAFE_POINTS if c not in (9, 10)) + "]")


def visible(text: object, multiline: bool = False) -> str:
    """The text with every control, bidi and separator character written out as its escape, so
    that showing it can neither act on the terminal nor change how the line reads."""
    s = text if isinstance(text, str) else str(text)
    if multiline:
        return s.replace("\r\n", "\n").translate(_MULTI_LINE)
    return s.replace("\r\n", "\n").translate(_ONE_LINE)


def is_visible(text: str, multiline: bool = False) -> bool:
    """Whether the text holds nothing `visible` would change."""
    found = _UNSAFE_RE.search(text)
    if not multiline:
        return found is None
    return not any(c not in "\n\t" for c in _UNSAFE_RE.findall(text))


def _pieces(text: object, multiline: bool) -> list[tuple[str, bool]]:
    """The text in runs, each (shown form, whether it is an escape)."""
    s = (text if isinstance(text, str) else str(text)).replace("\r\n", "\n")
    out: list[tuple[str, bool]] = []
    at = 0
    for m in _ESCAPED_ONE.finditer(s):
        if m.start() > at:
            out.append((visible(s[at:m.start()], multiline), False))
        out.append((escape_form(m.group()), True))
        at = m.end()
    if at < len(s):
        out.append((visible(s[at:], multiline), False))
    return out


def plain(text: object, style: str = "", multiline: bool = False) -> Text:
    """The text as a Rich `Text` (never read as markup), its escapes in reverse video; in a
    right-to-left language, isolated (bidi.py), so that a bidi terminal orders it on its own."""
    out = Text(style=style)
    pieces = _pieces(text, multiline)
    rtl = bool(pieces) and is_rtl()
    if rtl:
        out.append(FSI)
    for piece, escaped in pieces:
        out.append(piece, style=ESCAPE_STYLE if escaped else None)
    if rtl:
        out.append(PDI)
    return out


def cell(text: object, style: str = "") -> Text:
    """A one-line table cell that ends in … when its column is too narrow."""
    out = plain(text, style)
    out.no_wrap = True
    out.overflow = "ellipsis"
    return out


def _escaped(piece: str) -> str:
    """`piece` as markup that reads as itself wherever it is put. Rich's `escape` doubles a
    trailing backslash, which is right before a tag (two backslashes and a tag read as one
    backslash and the tag) but shows two where plain text or the end follows; so a trailing run
    is closed by a tag of its own (the null style), and is then always followed by one."""
    body = piece.rstrip(BACKSLASH)
    if len(body) == len(piece):
        return escape(piece)
    doubled = BACKSLASH * 2 * (len(piece) - len(body))
    return f"{escape(body)}[none]{doubled}[/none]"


def shown(text: object, multiline: bool = False) -> str:
    """The text for a place inside a Rich markup template of our own: escapes made visible,
    brackets escaped so that nothing in it reads as a tag; isolated in a right-to-left language."""
    markup = "".join(f"[{ESCAPE_STYLE}]{escape(piece)}[/]" if escaped else _escaped(piece)
                     for piece, escaped in _pieces(text, multiline))
    return isolated(markup)


def from_markup(markup: str) -> Text:
    """A markup template of our own (outside text in it through `shown`) as a `Text`, so that no
    front end parses it again: Textual's markup is not Rich's, and a Text is never parsed.
    Emoji codes stay as typed (`:warning:` in a title is not a picture)."""
    return Text.from_markup(markup, emoji=False)


def json_text(data: Any, **options: Any) -> str:
    """`json.dumps`, then every character a terminal would act on written as a JSON escape.

    `ensure_ascii=False` keeps names readable ("Genève", "加速中心") but lets DEL, C1, bidi and
    separator characters through raw (json escapes only C0 itself), and a lone surrogate would
    stop the printing. Outside the strings JSON is ASCII, so the only unsafe characters left are
    inside strings, where `\\uXXXX` means the same character: the data is unchanged."""
    dumped = json.dumps(data, ensure_ascii=False, **options)
    return _UNSAFE_RE.sub(lambda m: "\n" if m.group() == "\n" else f"\\u{ord(m.group()):04x}", dumped)
