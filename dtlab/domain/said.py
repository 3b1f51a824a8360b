"""Sentences the domain makes that are read in the language in use AND kept or handed on in
English: a gate's conditions (an override stores those it passed; `--json` lists them), the
selection guide's reasons and the cost tier's drivers, a rubric's caps, a milestone's due rule.

A `Said` is the sentence in the language in use (it IS that string, so a front end shows it as
any other) that also carries its English (`english(text)`), for what is stored, synchronised or
printed as JSON: those must be the same bytes whatever language their writer used. The English is
made beside the translation, not looked up afterwards: a sentence with values cannot be found in
the catalogue once they are in it.

`_` and `ngettext` here mark and look up like dtlab.i18n's (the extractor knows them by name), and
return a `Said`; `Said.format` fills each form with the values' own form, so a sentence made of
other domain sentences keeps its English whole."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from dtlab.i18n import Translated
from dtlab.i18n import _ as _in_use
from dtlab.i18n import ngettext as _ngettext_in_use

Key = TypeVar("Key")


class Said(str):
    """A sentence in the language in use that remembers its English."""

    english: str

    def __new__(cls, text: str, english: str | None = None) -> Said:
        said = super().__new__(cls, text)
        said.english = str(text) if english is None else english
        return said

    def format(self, *args: object, **kwargs: object) -> Said:
        return Said(str.format(self, *args, **kwargs),
                    self.english.format(*map(_english_of, args), **{k: _english_of(v) for k, v in kwargs.items()}))

    def lower(self) -> Said:
        return Said(str.lower(self), self.english.lower())


def english(text: str) -> str:
    """The English of a sentence the domain made; any other text as it is (data is not translated)."""
    return text.english if isinstance(text, Said) else text


def _english_of(value: object) -> object:
    return value.english if isinstance(value, Said) else value


def _(message: str) -> Said:
    """`message` (English, the msgid) in the language in use, with its English."""
    return Said(_in_use(message), message)


def ngettext(singular: str, plural: str, n: int) -> Said:
    """The form of a sentence for `n` things, with its English form."""
    return Said(_ngettext_in_use(singular, plural, n), singular if n == 1 else plural)


def label(table: Translated[Key], key: Key) -> Said:
    """A label of a `Translated` table, with its English."""
    return Said(table[key], table.english(key))


def join(separator: str, parts: Iterable[str]) -> Said:
    """Parts joined by punctuation (a list in a sentence), each part in its own form."""
    items = list(parts)
    return Said(separator.join(items), separator.join(english(p) for p in items))


def either(words: Sequence[str]) -> Said:
    """Alternatives in a sentence: "A", "A or B", "A, B or C"."""
    if len(words) == 1:
        return Said(words[0], english(words[0]))
    return _("{items} or {last}").format(items=join(", ", words[:-1]), last=words[-1])
