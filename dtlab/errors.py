"""The errors a person reads, each with the exit code of the command-line contract.

Every layer raises one of these (or a subclass of its own), so the exit code is decided where the
error is raised, once, and the command line and the terminal UI show the same one line for it."""

from __future__ import annotations

from dtlab.i18n import _

OK = 0
UNEXPECTED = 1
USAGE = 2
REFUSED = 3  # a gate or a validation rule refused the request
BUNDLE_REJECTED = 4
# The reader of the output went away (`dtlab cases | head`): the shell's code for a process that
# SIGPIPE ended, which is how any Unix tool ends there. Nothing is printed.
PIPE_CLOSED = 141


class DtlabError(Exception):
    """An error meant for a person: its message is one line; `code` is the exit code."""

    code = UNEXPECTED  # each subclass says its own; a caller never chooses it


class UsageError(DtlabError):
    """The command line or its setting is wrong: an unknown ref, a database that cannot be used."""

    code = USAGE


class NotFound(UsageError):
    """No such case, key, conflict or item."""


class StoreError(UsageError):
    """The database cannot be used: damaged, newer, unreachable, read-only, without a site, or of
    a kind dtlab does not run on."""


class Refused(DtlabError):
    """A rule refused the request: a gate, a value the data rules refuse, a move not allowed."""

    code = REFUSED


class Invalid(Refused, ValueError):
    """A value a rule refuses; the message names the field ("country: 'XX' is not …"). A form
    refused for several fields at once says each (`problems`), joined in one line."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()):
        super().__init__(message)
        self.problems = problems or (message,)


class Problems:
    """The field checks of one save, each run whatever the others found, so that a form says
    everything wrong with it at once rather than one refusal per try:

        problems = Problems()
        with problems.check():
            title = checked_title(...)
        ...
        problems.raise_any()
    """

    def __init__(self) -> None:
        self.found: list[str] = []

    def check(self) -> _Check:
        return _Check(self.found)

    def raise_any(self) -> None:
        if self.found:
            raise Invalid("; ".join(self.found), tuple(self.found))


class _Check:
    def __init__(self, found: list[str]):
        self.found = found

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, _tb: object) -> bool:
        if isinstance(error, Invalid):
            self.found.extend(error.problems)
            return True
        return False


class BundleRejected(DtlabError):
    """A sync bundle that is refused whole: nothing of it is written."""

    code = BUNDLE_REJECTED


def exit_code(error: BaseException) -> int:
    """The exit code for any error: its own for a DtlabError, 1 (unexpected) for anything else."""
    return error.code if isinstance(error, DtlabError) else UNEXPECTED


def describe_error(error: BaseException | None) -> str:
    """One line for a person: the driver's own message rather than a statement dump."""
    if error is None:
        return _("unknown error")
    inner = getattr(error, "orig", None) or error
    text = str(inner).strip().splitlines()
    return text[0] if text else type(inner).__name__
