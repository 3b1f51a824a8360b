"""Text measured as a terminal shows it, in cells: a Chinese character takes two, a combining
mark or an isolate none. Padding and cutting by `len` put translated labels out of their columns,
so every front end pads and cuts with these."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size


def ljust(text: str, width: int) -> str:
    """`text` followed by spaces, to `width` cells."""
    return text + " " * max(0, width - cell_len(text))


def rjust(text: str, width: int) -> str:
    """`text` after spaces, to `width` cells."""
    return " " * max(0, width - cell_len(text)) + text


def clip(text: str, width: int) -> str:
    """`text` within `width` cells, ending in … when it is cut."""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(0, width - 1)) + "…"
