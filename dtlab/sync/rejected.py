"""The refusal of a bundle: one printable line, whatever the file put in it."""

from __future__ import annotations

from typing import Any

from dtlab.errors import BundleRejected
from dtlab.i18n import _


class Rejected(BundleRejected):
    """The bundle is refused (exit 4); the message is the one-line reason."""

    def __init__(self, reason: str):
        # One printable line whatever a reason quotes (a name with a newline, a library's own
        # message): whitespace runs become one space, any other control character its escape.
        super().__init__(printable(" ".join(str(reason).split())))


def printable(text: str) -> str:
    """`text` with every character that is not printable (control characters, DEL, bidi
    overrides, lone surrogates) written as its escape, so a terminal shows it and obeys none."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def quoted(value: object, limit: int = 80) -> str:
    """A value from the bundle, for a refusal's message: its repr, cut to `limit` characters
    (enough to recognise a value, not enough for a megabyte of it to fill the line)."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def op_name(op: dict[str, Any]) -> str:
    """An operation as a refusal names it: its origin and number."""
    return _("operation {origin}#{seq}").format(origin=op["origin"], seq=op["seq"])
