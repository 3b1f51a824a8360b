"""The words of the keys a screen shows (its footer, F1's help, the palette's commands), in the
language in use when they are drawn.

dtlab's own bindings mark their description and tooltip with `N_` where they are declared (a
constant made when the module loads), so they are translated here, each time they are drawn, and a
language switched in the running app reaches them. Textual's widgets (a table's cursor keys, a text
field's editing keys, the palette's key) declare theirs in English, outside dtlab's catalogue: those
a dtlab screen can show are listed below, with the context "widget key", since the same English
can mean another thing in dtlab ("Home": Textual's top of a table, dtlab's dashboard)."""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding

from dtlab.i18n import _, pgettext

# Textual's own words, by their English. Looked up only for a binding without an id: every one of
# dtlab's has an id, and Textual's have none.
TEXTUAL_KEYS: dict[str, Callable[[], str]] = {
    "Bottom": lambda: pgettext("widget key", "Bottom"),
    "Copy": lambda: pgettext("widget key", "Copy"),
    "Copy selected text": lambda: pgettext("widget key", "Copy selected text"),
    "Cursor down": lambda: pgettext("widget key", "Cursor down"),
    "Cursor down select": lambda: pgettext("widget key", "Cursor down select"),
    "Cursor left": lambda: pgettext("widget key", "Cursor left"),
    "Cursor left select": lambda: pgettext("widget key", "Cursor left select"),
    "Cursor left word select": lambda: pgettext("widget key", "Cursor left word select"),
    "Cursor line end": lambda: pgettext("widget key", "Cursor line end"),
    "Cursor line end select": lambda: pgettext("widget key", "Cursor line end select"),
    "Cursor line start": lambda: pgettext("widget key", "Cursor line start"),
    "Cursor line start select": lambda: pgettext("widget key", "Cursor line start select"),
    "Cursor page down": lambda: pgettext("widget key", "Cursor page down"),
    "Cursor page up": lambda: pgettext("widget key", "Cursor page up"),
    "Cursor right": lambda: pgettext("widget key", "Cursor right"),
    "Cursor right select": lambda: pgettext("widget key", "Cursor right select"),
    "Cursor right word select": lambda: pgettext("widget key", "Cursor right word select"),
    "Cursor up": lambda: pgettext("widget key", "Cursor up"),
    "Cursor up select": lambda: pgettext("widget key", "Cursor up select"),
    "Cursor word left": lambda: pgettext("widget key", "Cursor word left"),
    "Cursor word right": lambda: pgettext("widget key", "Cursor word right"),
    "Cut": lambda: pgettext("widget key", "Cut"),
    "Cut selected text": lambda: pgettext("widget key", "Cut selected text"),
    "Delete all to the left": lambda: pgettext("widget key", "Delete all to the left"),
    "Delete all to the right": lambda: pgettext("widget key", "Delete all to the right"),
    "Delete character left": lambda: pgettext("widget key", "Delete character left"),
    "Delete character right": lambda: pgettext("widget key", "Delete character right"),
    "Delete left to start of word": lambda: pgettext("widget key", "Delete left to start of word"),
    "Delete line": lambda: pgettext("widget key", "Delete line"),
    "Delete right to start of word": lambda: pgettext("widget key", "Delete right to start of word"),
    "Delete to line end": lambda: pgettext("widget key", "Delete to line end"),
    "Delete to line start": lambda: pgettext("widget key", "Delete to line start"),
    "Dismiss menu": lambda: pgettext("widget key", "Dismiss menu"),
    "Down": lambda: pgettext("widget key", "Down"),
    "End": lambda: pgettext("widget key", "End"),
    "First": lambda: pgettext("widget key", "First"),
    "Focus Next": lambda: pgettext("widget key", "Focus Next"),
    "Focus Previous": lambda: pgettext("widget key", "Focus Previous"),
    "Go to end": lambda: pgettext("widget key", "Go to end"),
    "Go to start": lambda: pgettext("widget key", "Go to start"),
    "Home": lambda: pgettext("widget key", "Home"),
    "Last": lambda: pgettext("widget key", "Last"),
    "Move cursor left": lambda: pgettext("widget key", "Move cursor left"),
    "Move cursor left a word": lambda: pgettext("widget key", "Move cursor left a word"),
    "Move cursor left a word and select": lambda: pgettext("widget key", "Move cursor left a word and select"),
    "Move cursor left and select": lambda: pgettext("widget key", "Move cursor left and select"),
    "Move cursor right": lambda: pgettext("widget key", "Move cursor right"),
    "Move cursor right a word": lambda: pgettext("widget key", "Move cursor right a word"),
    "Move cursor right a word and select": lambda: pgettext("widget key", "Move cursor right a word and select"),
    "Move cursor right and select": lambda: pgettext("widget key", "Move cursor right and select"),
    "Move cursor right or accept the completion suggestion":
        lambda: pgettext("widget key", "Move cursor right or accept the completion suggestion"),
    "Next tab": lambda: pgettext("widget key", "Next tab"),
    "Open the command palette": lambda: pgettext("widget key", "Open the command palette"),
    "Page Down": lambda: pgettext("widget key", "Page Down"),
    "Page Left": lambda: pgettext("widget key", "Page Left"),
    "Page Right": lambda: pgettext("widget key", "Page Right"),
    "Page Up": lambda: pgettext("widget key", "Page Up"),
    "Page down": lambda: pgettext("widget key", "Page down"),
    "Page up": lambda: pgettext("widget key", "Page up"),
    "Paste": lambda: pgettext("widget key", "Paste"),
    "Paste text from the clipboard": lambda: pgettext("widget key", "Paste text from the clipboard"),
    "Press button": lambda: pgettext("widget key", "Press button"),
    "Previous tab": lambda: pgettext("widget key", "Previous tab"),
    "Quit": lambda: pgettext("widget key", "Quit"),
    "Quit the app and return to the command prompt.":
        lambda: pgettext("widget key", "Quit the app and return to the command prompt."),
    "Redo": lambda: pgettext("widget key", "Redo"),
    "Scroll Down": lambda: pgettext("widget key", "Scroll Down"),
    "Scroll End": lambda: pgettext("widget key", "Scroll End"),
    "Scroll Home": lambda: pgettext("widget key", "Scroll Home"),
    "Scroll Left": lambda: pgettext("widget key", "Scroll Left"),
    "Scroll Right": lambda: pgettext("widget key", "Scroll Right"),
    "Scroll Up": lambda: pgettext("widget key", "Scroll Up"),
    "Select": lambda: pgettext("widget key", "Select"),
    "Select all": lambda: pgettext("widget key", "Select all"),
    "Select line": lambda: pgettext("widget key", "Select line"),
    "Select line end": lambda: pgettext("widget key", "Select line end"),
    "Select line start": lambda: pgettext("widget key", "Select line start"),
    "Show menu": lambda: pgettext("widget key", "Show menu"),
    "Submit": lambda: pgettext("widget key", "Submit"),
    "Top": lambda: pgettext("widget key", "Top"),
    "Undo": lambda: pgettext("widget key", "Undo"),
    "Up": lambda: pgettext("widget key", "Up"),
    # The palette's key in the footer: at most as wide as "palette" (footer.PALETTE_WIDTH).
    "palette": lambda: pgettext("widget key", "palette"),
}


# dtlab's own words that mean another thing elsewhere in dtlab, by binding id and English: "Close"
# a window here, "Close" a case on the case screen (another word in most languages).
IN_CONTEXT: dict[tuple[str, str], Callable[[], str]] = {
    ("help.close", "Close"): lambda: pgettext("window", "Close"),
    ("reading.close", "Close"): lambda: pgettext("window", "Close"),
}


def key_text(binding: Binding, text: str) -> str:
    """`text`, the description or the tooltip of `binding`, in the language in use."""
    if not text:
        return text
    in_context = IN_CONTEXT.get((binding.id or "", text))
    if in_context is not None:
        return in_context()
    if binding.id is None:
        textual = TEXTUAL_KEYS.get(text)
        if textual is not None:
            return textual()
    return _(text)


def key_description(binding: Binding) -> str:
    return key_text(binding, binding.description)


def key_tooltip(binding: Binding) -> str:
    return key_text(binding, binding.tooltip)
