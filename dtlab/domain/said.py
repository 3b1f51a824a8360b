"""Sentences the domain makes that are read in the language in use AND kept or handed on in
English: a gate's conditions (an override stores those it passed), the selection guide's reasons
and the cost tier's drivers, a rubric's caps, a milestone's due rule.

Each is a `dtlab.i18n.Said`: the sentence in the language in use that can also say itself in
English (`english(text)`), values and nested sentences included, for what is stored or
synchronised: those must be the same bytes whatever language their writer used. Here are the few
ways of putting sentences together the domain needs beyond the catalogue's own."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar, cast

from dtlab.i18n import Said, Translated, english, said, say_in, verbatim
from dtlab.i18n import _ as _lookup
from dtlab.i18n import ngettext as _ngettext_lookup

__all__ = ["Said", "_", "either", "english", "join", "label", "ngettext", "verbatim"]

Key = TypeVar("Key")

# The catalogue's lookups, typed as the Said they return (the front ends take them as str).
_ = cast(Callable[[str], Said], _lookup)
ngettext = cast(Callable[[str, str, int], Said], _ngettext_lookup)


def label(table: Translated[Key], key: Key) -> Said:
    """A label of a `Translated` table (it says itself in English too)."""
    return cast(Said, table[key])


def join(separator: str, parts: Iterable[str]) -> Said:
    """Parts joined by punctuation (a list in a sentence), each part in its own form."""
    items = list(parts)
    return said(lambda t: separator.join(say_in(p, t) for p in items))


def either(words: Sequence[str]) -> Said:
    """Alternatives in a sentence: "A", "A or B", "A, B or C"."""
    if len(words) == 1:
        return words[0] if isinstance(words[0], Said) else verbatim(words[0])
    return _("{items} or {last}").format(items=join(", ", words[:-1]), last=words[-1])
