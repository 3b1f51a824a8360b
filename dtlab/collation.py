"""The order of names as a reader of the language in use expects them: the one sort key of the
forms' choices (the countries, in the reader's language) and of any list of names.

A bottom utility beside i18n.py (stdlib only), so that storage, which reads the choices, can
sort with it."""

from __future__ import annotations

import unicodedata

from dtlab.i18n import language

# Letters that are letters of their own in a language, not an accented form of another: kept
# apart, just after the letter they would fold into (ñ after n in Spanish; й after и in Russian,
# where ё, as dictionaries do, sorts as е).
_OWN_LETTERS: dict[str, dict[str, str]] = {
    "es": {"ñ": "n\U0010ffff"},
    "ru": {"й": "и\U0010ffff"},
}
_TATWEEL = "\u0640"  # Arabic's stretching of a line: no letter


def sort_key(text: str) -> tuple[str, str]:
    """A key that sorts names as a reader of the language in use expects, where Babel, which has
    no collation, cannot: case and accents folded (Émile with emile, Çelik among the c's), the
    Arabic vowel marks and tatweel ignored and hamza's carriers read as alef, the letters a
    language holds apart kept apart (ñ in Spanish, й in Russian); the text itself then breaks
    ties, so the order is total and stable.

    The limit: letters are otherwise ordered by their code points. That is the alphabet's order
    for Latin, Cyrillic and Arabic letters, but not a full collation: Chinese is ordered by code
    point, not by pinyin or strokes, and no language's special rules beyond those above apply
    (ICU would give them, a compiled library on every field laptop: left out)."""
    folded = unicodedata.normalize("NFC", text).casefold()
    for letter, kept in _OWN_LETTERS.get(language(), {}).items():
        folded = folded.replace(letter, kept)
    folded = "".join(c for c in unicodedata.normalize("NFKD", folded)
                     if not unicodedata.combining(c) and c != _TATWEEL)
    return folded, text
