"""Made-up languages for tests: every message said in a way a test can see (in capitals, or in
⟦brackets⟧), its {placeholders} and markup kept, installed after the modules loaded, so that what
they marked at import must come out in it too."""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable

import pytest

from dtlab import i18n


def shout(message: str) -> str:
    """The message in capitals, its {placeholders} and [markup] as they are."""
    return "".join(piece if piece[:1] in "{[" else piece.upper()
                   for piece in re.split(r"(\{[^{}]*\}|\[[^\[\]]*\])", message))


def bracket(message: str) -> str:
    """The message as ⟦its English⟧."""
    return f"⟦{message}⟧"


class PseudoLanguage(gettext.NullTranslations):
    def __init__(self, say: Callable[[str], str]) -> None:
        super().__init__()
        self.say = say

    def gettext(self, message: str) -> str:
        return self.say(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.say(msgid1 if n == 1 else msgid2)

    def pgettext(self, context: str, message: str) -> str:
        return self.say(message)


def speak(monkeypatch: pytest.MonkeyPatch, say: Callable[[str], str]) -> None:
    """From now on (to the end of the test), every message is said by `say`."""
    monkeypatch.setattr(i18n, "_translations", PseudoLanguage(say))
