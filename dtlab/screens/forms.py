"""Forms that save in the background: asked with a ValuesDialog, saved in the screen's write
worker, and, when a rule refuses the save (any refusal, not only a field's), reopened as they were
typed with every reason and the cursor in the first field the reasons name. Nothing typed is lost."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from textual.app import App
from textual.message import Message

from dtlab.errors import Invalid, NotFound, Refused
from dtlab.present.errors import as_sentence
from dtlab.screens.messages import Retry
from dtlab.widgets.dialogs import ValuesDialog

# A form's fields: (name, label, options of a select, or the text an input starts with).
Fields = list[tuple[str, str, list[tuple[str, str]] | str]]


def said(problems: Sequence[str]) -> str | None:
    """A form's problems, one a line, each a sentence; None when there are none."""
    return "\n".join(as_sentence(p) for p in problems) or None


def field_named(problem: str, fields: Fields) -> str | None:
    """The form's field a data-layer problem ("initiative results: …") is about, to put the cursor
    there: by its name or its label, as the data layer words it."""
    said = problem.partition(":")[0].strip().lower()
    if not said:
        return None
    # The closest reading first: "title" is the field named so, though another's label is "Result".
    for matches in (lambda name, label: said in (label, name.replace("_", " ")),
                    lambda name, label: label.startswith(said.split()[0]),
                    lambda name, label: label in said):
        found = next((name for name, label, _spec in fields if matches(name, label.lower())), None)
        if found is not None:
            return found
    return None


def ask(app: App[Any], write: Callable[[Callable[[], Message]], object], title: str, fields: Fields,
        save: Callable[[dict[str, str]], Message], *, required: tuple[str, ...] = (),
        check: Callable[[dict[str, str]], str | None] | None = None, explanation: str = "",
        initial: dict[str, str] | None = None, typed: dict[str, str] | None = None, error: str = "",
        focus: str | None = None, missing_said_by_save: bool = False, ok: str | None = None,
        dialog: Callable[..., ValuesDialog] = ValuesDialog) -> None:
    """Ask with `dialog`; `save` (run by `write`, in the background) returns the message the screen
    handles (Written, or its own). Refused, the form comes back as typed (`Retry`)."""
    prefilled, chosen = fields, dict(initial or {})
    if typed is not None:
        prefilled = [(n, label, spec if isinstance(spec, list) else typed.get(n, spec)) for n, label, spec in fields]
        chosen |= {n: typed[n] for n, _label, spec in fields if isinstance(spec, list) and n in typed}

    def done(values: dict[str, str] | None) -> None:
        if values is None:
            return

        def job() -> Message:
            try:
                return save(values)
            except (Refused, NotFound) as exc:  # refused, or the item went meanwhile
                problems = exc.problems if isinstance(exc, Invalid) and exc.problems else (str(exc),)
                named = [n for n in (field_named(p, fields) for p in problems) if n]
                return Retry(lambda: ask(app, write, title, fields, save, required=required, check=check,
                                         explanation=explanation, initial=initial, typed=values,
                                         error=said(problems) or "", focus=named[0] if named else None,
                                         missing_said_by_save=missing_said_by_save, ok=ok, dialog=dialog))

        write(job)

    app.push_screen(dialog(title, prefilled, required=required, check=check, explanation=explanation,
                           initial=chosen, error=error, focus=focus, missing_said_by_save=missing_said_by_save,
                           ok=ok), done)
