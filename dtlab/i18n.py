"""The one catalogue's lookup: every word a user reads passes through `_` (or `ngettext`, `pgettext`)
here, and is found in the gettext catalogue of the language in use (`dtlab/locale/<lang>/
LC_MESSAGES/dtlab.mo`, compiled from the `.po` beside it by `make messages`, with Babel).

A bottom utility, like errors.py: stdlib only, so the domain's own sentences (a gate's condition, a
refused move) can be translated where they are made. Constants defined when a module loads (a
binding's description, a table of labels) are marked with `N_` and translated where they are shown,
so a language switched in the running app reaches them too; `Translated` does that for a table.

English is the source language: the msgids are the English text, so English needs no catalogue.
The language in use is process-wide, set by `use_language` at start-up (from --lang, the config
file or the environment's locale: `choose_language`) and again by the palette's switch."""

from __future__ import annotations

import gettext
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

# The six official languages of the Union, each named in itself (how a chooser offers them).
LANGUAGES: dict[str, str] = {
    "ar": "العربية", "zh": "中文", "en": "English",  # i18n: not shown (each name is in its own language)
    "fr": "Français", "ru": "Русский", "es": "Español",
}
SOURCE_LANGUAGE = "en"
# Written right to left: the front ends isolate refs and numbers inside its sentences (see bidi).
RTL_LANGUAGES = frozenset({"ar"})
DOMAIN = "dtlab"
LOCALE_DIR = Path(__file__).parent / "locale"

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = SOURCE_LANGUAGE
_loaded: dict[str, gettext.NullTranslations] = {}


def _load(code: str) -> gettext.NullTranslations:
    if code not in _loaded:
        if code == SOURCE_LANGUAGE:
            _loaded[code] = gettext.NullTranslations()
        else:
            # No fallback: a language offered must have its catalogue, and a missing one is a
            # broken install that should say so (a test checks every catalogue is there).
            with (LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as mo:
                _loaded[code] = gettext.GNUTranslations(mo)
    return _loaded[code]


def use_language(code: str) -> None:
    """Speak `code` from now on (one of LANGUAGES)."""
    global _translations, _language
    if code not in LANGUAGES:
        # i18n: not shown (--lang and the config file refuse an unknown language in their words)
        raise ValueError(f"unknown language {code!r} (known: {', '.join(LANGUAGES)})")
    _translations = _load(code)
    _language = code


def language() -> str:
    """The code of the language in use."""
    return _language


def is_rtl() -> bool:
    return _language in RTL_LANGUAGES


Saying = Callable[[gettext.NullTranslations], str]  # how a text is said, given a language's catalogue


class Said(str):
    """A text in the language in use that remembers how it was said (its message and the values
    put into it). So a screen drawn in one language can say it again in another (`again`), and
    what is stored or sent can be kept in English whatever its writer's language (`english`).
    It is a str in every other way; concatenating it or putting it in an f-string makes a plain
    str, which is why sentences are whole messages with placeholders."""

    _saying: Saying

    def format(self, *args: Any, **kwargs: Any) -> Said:
        saying = self._saying
        return said(lambda t: saying(t).format(*(say_in(a, t) for a in args),
                                               **{k: say_in(v, t) for k, v in kwargs.items()}))

    def lower(self) -> Said:
        saying = self._saying
        return said(lambda t: saying(t).lower())

    def again(self) -> Said:
        """This text in the language in use now."""
        return said(self._saying)

    @property
    def english(self) -> str:
        """This text in the source language (what is stored, synchronised or printed as JSON)."""
        return self._saying(_SOURCE)


_SOURCE = gettext.NullTranslations()  # the source language: each message is its own English


def said(saying: Saying) -> Said:
    """The text `saying` makes in the language in use, remembering how it was made."""
    out = Said(saying(_translations))
    out._saying = saying
    return out


def say_in(value: Any, translations: gettext.NullTranslations) -> Any:
    """`value` said with `translations` if dtlab said it; any other value (data) as it is."""
    return value._saying(translations) if isinstance(value, Said) else value


def verbatim(text: str) -> Said:
    """`text` as it is in every language (a code, a name), where a Said is expected."""
    return said(lambda _t: text)


def again(value: Any) -> Any:
    """`value` with every text in it said again in the language in use: a Said, or a list, tuple
    or dict holding some (a form's fields, a dialog's choices). Anything else is returned as is."""
    if isinstance(value, Said):
        return value.again()
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        return type(value)(again(v) for v in value)
    if isinstance(value, dict):
        return {k: again(v) for k, v in value.items()}
    return value


def english(value: str) -> str:
    """A text dtlab said, in English; any other text (data) as it is."""
    return value.english if isinstance(value, Said) else value


def _(message: str) -> str:
    """`message` (English, the msgid) in the language in use (a `Said`, typed as the str it is)."""
    return said(lambda t: t.gettext(message))


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a sentence for `n` things, by the language's own plural rule (Arabic has six)."""
    return said(lambda t: t.ngettext(singular, plural, n))


def pgettext(context: str, message: str) -> str:
    """`message` where the same English needs different words: `context` says which ("short" for
    the narrow form of a label that must fit a column, a tab or a footer at 80 columns)."""
    return said(lambda t: t.pgettext(context, message))


def N_(message: str) -> str:
    """Mark `message` for the catalogue without translating it now: a constant made when a module
    loads is translated with `_` where it is shown, in the language of that moment."""
    return message


Key = TypeVar("Key")


class Translated(Mapping[Key, str]):
    """A table of English labels (the msgids) that answers in the language in use. Its values are
    marked for extraction where the table is written (N_), looked up here on every read."""

    def __init__(self, labels: Mapping[Key, str], context: str | None = None) -> None:
        self._labels = dict(labels)
        self._context = context

    def __getitem__(self, key: Key) -> str:
        message = self._labels[key]
        return pgettext(self._context, message) if self._context else _(message)

    def __iter__(self) -> Iterator[Key]:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)


def locale_language(environ: Mapping[str, str] | None = None) -> str | None:
    """The language the environment's locale asks for, as POSIX reads it (LC_ALL, then
    LC_MESSAGES, then LANG; LANGUAGE's list first when set), if it is one of the six."""
    env = os.environ if environ is None else environ
    candidates: list[str] = []
    if env.get("LANGUAGE"):
        candidates += env["LANGUAGE"].split(":")
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(var):
            candidates.append(env[var])
            break
    for value in candidates:
        code = value.split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()
        if code in ("c", "posix"):
            return None
        if code in LANGUAGES:
            return code
    return None


def choose_language(flag: str | None, configured: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The language to start in: --lang, then the config file's `language`, then the locale's,
    then English."""
    return flag or configured or locale_language(environ) or SOURCE_LANGUAGE
