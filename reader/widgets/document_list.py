"""The document list: a DataTable of title, source, date, words and annotation count.

The title column takes the width the other columns leave; when that is too little, source, date
and words are left out in that order, so the list reads well from a 24-column sidebar to a wide
one. A column with no value in the listed documents (no sources, no dates, nothing annotated) is
left out, and the others are no wider than their widest value: the room goes to the title.
Titles too long are cut with an ellipsis. Titles and
sources are untrusted: they are sanitized and given to the table as `Text` (a plain `str` cell
would be parsed as markup). Row keys are document ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import DataTable

from reader.safe_text import sanitize

if TYPE_CHECKING:
    from reader.services import DocumentRow

#: (key, label, widest) of the columns after the title.
FIXED_COLUMNS = (("source", "Source", 10), ("date", "Date", 10), ("words", "Words", 6),
                 ("annotations", "✎", 3))
MIN_TITLE = 12
GOOD_TITLE = 24


def _cell(value: str | None) -> Text:
    return Text(sanitize(value or ""), no_wrap=True, overflow="ellipsis")


def _values(row: DocumentRow) -> dict[str, str]:
    """The text of each column after the title (an empty string where there is no value)."""
    return {
        "source": sanitize(row.source or ""),
        "date": sanitize(row.date or ""),
        "words": f"{row.words:,}",
        "annotations": str(row.annotation_count or ""),
    }


def _columns_for(rows: list[DocumentRow]) -> tuple[tuple[str, str, int], ...]:
    """The columns worth showing for `rows`: those with a value somewhere, each as wide as its
    widest value or label, at most its width in FIXED_COLUMNS."""
    widest: dict[str, int] = {}
    for row in rows:
        for key, value in _values(row).items():
            if value:
                widest[key] = max(widest.get(key, 0), cell_len(value))
    return tuple((key, label, max(cell_len(label), widest[key]) if key == "words"  # never "823,35"
                  else min(width, max(cell_len(label), widest[key])))
                 for key, label, width in FIXED_COLUMNS if key in widest)


class DocumentList(DataTable):
    """One row per document, keyed by document id."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._rows: list[DocumentRow] = []
        self._columns = FIXED_COLUMNS
        self._title_width = 0

    def show(self, rows: list[DocumentRow]) -> None:
        """Replace the rows, keeping the cursor on the same document."""
        current = self.current_id
        self._rows = rows
        self._columns = _columns_for(rows)
        self._fill(current)
        self.border_title = f"Documents ({len(rows)})"

    @property
    def current_id(self) -> str | None:
        if not self.row_count:
            return None
        return str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)

    def _layout(self) -> tuple[int, tuple[tuple[str, str, int], ...]]:
        """The title's width and the fixed columns shown: the ones that leave the title at
        least `GOOD_TITLE` cells, dropping source, then date, then words on narrow screens."""
        available = (self.scrollable_content_region.width or self.size.width) - 1
        pad = 2 * self.cell_padding
        columns = self._columns
        while True:
            title = available - pad - sum(width + pad for _, _, width in columns)
            if title >= GOOD_TITLE or not columns:
                return max(MIN_TITLE, title), columns
            columns = columns[1:]

    def _fill(self, current: str | None = None) -> None:
        """(Re)build columns and rows; put the cursor back on document `current` if listed."""
        self._title_width, columns = self._layout()
        self.clear(columns=True)
        self.add_column("Title", key="title", width=self._title_width)
        for key, label, width in columns:
            self.add_column(label, key=key, width=width)
        right = {"words", "annotations"}
        for row in self._rows:
            values = _values(row)
            cells = [Text(values[key], justify="right" if key in right else "left", no_wrap=True,
                          overflow="ellipsis") for key, _, _ in columns]
            self.add_row(_cell(row.title), *cells, key=row.id)
        if current is not None and current in self.rows:
            self.move_cursor(row=self.get_row_index(current), animate=False)

    def on_resize(self, event: events.Resize) -> None:
        if self._layout()[0] != self._title_width:
            self._fill(self.current_id)
