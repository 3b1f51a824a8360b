"""Right-to-left text in a terminal. dtlab writes every line in logical order; a terminal that
implements bidirectional text (docs/first-steps: mlterm, Konsole, VTE terminals with BiDi) orders
each line for display by the Unicode Bidirectional Algorithm. Left alone, that algorithm joins
the Arabic of two neighbouring table cells into one run and shows them swapped, and carries a
number that follows Arabic into the Arabic run. So, when the language in use is written right to
left, each value placed in a line (a cell, a name, a ref, a figure) is wrapped in a first-strong
isolate (FSI … PDI): it is ordered on its own and never reorders what stands beside it. The
isolates take no cell on screen. In a left-to-right language nothing is added.

Outside text never brings its own controls to the screen (safe.py writes them out as escapes):
these are dtlab's, added after."""

from __future__ import annotations

from dtlab.i18n import is_rtl

FSI = "\u2068"  # first strong isolate: the value takes the direction of its own first letter
PDI = "\u2069"  # pop directional isolate


def isolated(text: str) -> str:
    """`text` as one unit in a right-to-left line; unchanged in a left-to-right language."""
    if not text or not is_rtl():
        return text
    return f"{FSI}{text}{PDI}"
