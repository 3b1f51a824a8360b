"""An error as the one line a person reads, the same from the command line and the terminal UI."""

from __future__ import annotations

from dtlab.errors import BundleRejected, DtlabError, describe_error
from dtlab.i18n import _, language

# Where a line already ends as a sentence ends, in each script: nothing is added.
_ENDS = (".", "!", "?", ")", "。", "！", "？", "）", "؟")


def error_line(error: BaseException | None) -> str:
    """"bundle rejected: not a zip file", "no case GVA-2026-0099", or the driver's own first line
    for an error no rule of dtlab raised."""
    if isinstance(error, BundleRejected):
        return _("bundle rejected: {reason}").format(reason=str(error))
    if isinstance(error, DtlabError):
        return str(error)
    return describe_error(error)


def as_sentence(line: str) -> str:
    """A line as a notice on screen says it: a capital first, a full stop last (the Chinese full
    stop in Chinese)."""
    text = line[:1].upper() + line[1:]
    if text.endswith(_ENDS):
        return text
    return text + ("。" if language() == "zh" else ".")
