"""The document list: a DataTable of title, source, date, words and annotation count.

The title column takes the width the other columns leave (they are fixed); when that is too little,
source, date and words are left out in that order, so the list reads well from a 24-column
sidebar to a wide one. Titles too long are cut with an ellipsis. Titles and
sources are untrusted: they are sanitized and given to the table as `Text` (a plain `str` cell
would be parsed as markup). Row keys are document ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.widgets import DataTable

from reader.safe_text import sanitize

if TYPE_CHECKING:
    from reader.services import DocumentRow

#: (key, label, width) of the fixed columns after the title.
FIXED_COLUMNS = (("source", "Source", 10), ("date", "Date", 10), ("words", "Words", 6),
                 ("annotations", "✎", 3))
MIN_TITLE = 12
GOOD_TITLE = 18


def _cell(value: str | None) -> Text:
    return Text(sanitize(value or ""), no_wrap=True, overflow="ellipsis")


class DocumentList(DataTable):
    """One row per document, keyed by document id."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._rows: list[DocumentRow] = []
        self._title_width = 0

    def show(self, rows: list[DocumentRow]) -> None:
        """Replace the rows, keeping the cursor on the same document."""
        current = self.current_id
        self._rows = rows
        self._fill(current)
        self.border_title = f"Documents ({len(rows)})"

    @property
    def current_id(self) -> str | None:
        if not self.row_count:
            return None
        return str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)

    def _fixed_columns(self) -> tuple[tuple[str, str, int], ...]:
        """FIXED_COLUMNS, with Words as wide as the largest count (never "823,35" for 823,350)."""
        widest = max((len(f"{row.words:,}") for row in self._rows), default=0)
        return tuple((key, label, max(width, widest) if key == "words" else width)
                     for key, label, width in FIXED_COLUMNS)

    def _layout(self) -> tuple[int, tuple[tuple[str, str, int], ...]]:
        """The title's width and the fixed columns shown: the ones that leave the title at
        least `GOOD_TITLE` cells, dropping source, then date, then words on narrow screens."""
        available = (self.scrollable_content_region.width or self.size.width) - 1
        pad = 2 * self.cell_padding
        columns = self._fixed_columns()
        while True:
            title = available - pad - sum(width + pad for _, _, width in columns)
            if title >= GOOD_TITLE or len(columns) == 1:
                return max(MIN_TITLE, title), columns
            columns = columns[1:]

    def _fill(self, current: str | None = None) -> None:
        """(Re)build columns and rows; put the cursor back on document `current` if listed."""
        self._title_width, columns = self._layout()
        self.clear(columns=True)
        self.add_column("Title", key="title", width=self._title_width)
        for key, label, width in columns:
            self.add_column(label, key=key, width=width)
        shown = {key for key, _, _ in columns}
        for row in self._rows:
            cells = {
                "source": _cell(row.source),
                "date": _cell(row.date),
                "words": Text(f"{row.words:,}", justify="right", no_wrap=True),
                "annotations": Text(str(row.annotation_count or ""), justify="right", no_wrap=True),
            }
            self.add_row(_cell(row.title), *(cells[k] for k in cells if k in shown), key=row.id)
        if current is not None and current in self.rows:
            self.move_cursor(row=self.get_row_index(current), animate=False)

    def on_resize(self, event: events.Resize) -> None:
        if self._layout()[0] != self._title_width:
            self._fill(self.current_id)
