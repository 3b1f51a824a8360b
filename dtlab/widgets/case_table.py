"""The table of the case list: a DataTable whose Home and End go to the first and last row read,
and which says when its first rows are on screen."""

from __future__ import annotations

from typing import Any

from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widgets import DataTable


class CaseTable(DataTable[Any]):
    """The rows. Home and End move the cursor to the first and the last row read (not only the
    view); at the last row the next page is read, so repeated End walks to the end of the list."""

    class Drawn(Message):
        """Rows were drawn for the first time (a table's rows are laid out a frame after they
        are added, so the screen's first refresh does not show them yet)."""

    drawn = False

    def render_lines(self, crop: Region) -> list[Strip]:
        lines = super().render_lines(crop)
        if not self.drawn and self.row_count:
            self.drawn = True
            self.post_message(self.Drawn())
        return lines

    def action_scroll_home(self) -> None:
        self.move_cursor(row=0)

    def action_scroll_top(self) -> None:
        self.move_cursor(row=0)

    def action_scroll_end(self) -> None:
        self.move_cursor(row=max(0, self.row_count - 1))

    def action_scroll_bottom(self) -> None:
        self.move_cursor(row=max(0, self.row_count - 1))
