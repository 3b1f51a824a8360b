"""What `--json` prints: JSON only, dates as ISO text, non-ASCII kept as it is (but never a
character a terminal acts on: `dtlab.present.safe.json_text`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Collection
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console

from dtlab.i18n import _
from dtlab.present.safe import json_text, visible

if TYPE_CHECKING:
    from dtlab.db.store import Store

# A command's handler: the parsed arguments and the open store in, the exit code out.
Handler = Callable[[argparse.Namespace, "Store"], int]


class _Console(Console):
    def on_broken_pipe(self) -> None:
        # Rich would exit 1 here; `dtlab.launch` ends quietly with the shell's code for a closed
        # pipe, as any Unix tool does.
        self.quiet = True
        raise BrokenPipeError


def out_console(**options: Any) -> Console:
    """A Rich console for a command's output (the options are Console's)."""
    return _Console(**options)


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")  # i18n: not shown (programmer error)


def print_json(data: Any) -> None:
    print(json_text(data, indent=2, default=_json_default))


def say(line: str, err: bool = False) -> None:
    """One line of plain output (stdout, or stderr with `err`), with whatever it quotes of a
    user's or a bundle's text made visible: a control character printed raw would act on the
    terminal (`dtlab.present.safe`)."""
    print(visible(line), file=sys.stderr if err else sys.stdout)


def updated_words(ref: str, changed: Collection[str]) -> str:
    """What an edit changed, said after the record's ref: the fields by the names `case set` and
    the options take (ids, the same in every language)."""
    if not changed:
        return _("{ref}: nothing changed").format(ref=ref)
    return _("{ref}: {fields} updated").format(ref=ref, fields=", ".join(sorted(changed)))
