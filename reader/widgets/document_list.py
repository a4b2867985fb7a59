"""The document list: a DataTable of title, source, date, words, annotation count and merge
conflicts (⚠, a column only when some document has them).

The title column takes the width the other columns leave; when that is too little, source, date
and words are left out in that order, so the list reads well from a 24-column sidebar to a wide
one. A column with no value in the listed documents (no sources, no dates, nothing annotated) is
left out, and the others are no wider than their widest value: the room goes to the title.
Titles too long are cut with an ellipsis. Titles and
sources are untrusted: they are sanitized and given to the table as `Text` (a plain `str` cell
would be parsed as markup). Row keys are document ids.

Filled once, lazily, so that start-up does not grow with the corpus: a DataTable row costs a
fraction of a millisecond to add and measure, so 10,000 rows filled before the first frame
(and again after the first layout and after the start-up index check, as before) held the
first paint for seconds. Now the rows are added when the list has its size (the first
resize), the first `FIRST_ROWS` at once and the rest `ROWS_PER_STEP` after each refresh; the
same rows shown again add nothing; a resize that only changes the title's width changes the
column in place. Every row is added once per change of the list. Rows shown again with the
same documents in the same order and the same columns (the counts of a first start filled in
after the files were read, a count changed by tagging) change the listed rows' cells in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import DataTable
from textual.geometry import Size
from textual.widgets.data_table import ColumnKey, Row, RowKey
from typing_extensions import Self

from reader.safe_text import sanitize

if TYPE_CHECKING:
    from reader.services import DocumentRow

#: (key, label, widest) of the columns after the title.
FIXED_COLUMNS = (
    ("source", "Source", 10),
    ("date", "Date", 10),
    ("words", "Words", 6),
    ("annotations", "✎", 3),
    ("conflicts", "⚠", 3),  # merge conflicts to resolve (`X`); shown only when there are some
)
MIN_TITLE = 12
GOOD_TITLE = 24
FIRST_ROWS = 200
"""Rows added before the first frame: more than a tall terminal shows."""
ROWS_PER_STEP = 500
"""Rows added after each refresh until the list is complete (a few tens of milliseconds)."""
PENDING = "…"
"""The count of a row whose annotation files are still being read (a first start)."""
RIGHT = frozenset({"words", "annotations", "conflicts"})


def _cell(value: str | None) -> Text:
    return Text(sanitize(value or ""), no_wrap=True, overflow="ellipsis")


def _values(row: DocumentRow) -> dict[str, str]:
    """The text of each column after the title (an empty string where there is no value)."""
    return {
        "source": sanitize(row.source or ""),
        "date": sanitize(row.date or ""),
        "words": f"{row.words:,}",
        "annotations": str(row.annotation_count or "") if row.counted else PENDING,
        "conflicts": str(row.conflicts or ""),
    }


def _columns_for(rows: list[DocumentRow]) -> tuple[tuple[str, str, int], ...]:
    """The columns worth showing for `rows`: those with a value somewhere, each as wide as its
    widest value or label, at most its width in FIXED_COLUMNS. What `_values` would give each
    row, measured per column over the distinct texts and the largest numbers (at 10,000 rows,
    row by row was 36 ms of the main thread's work before the first rows, profiled)."""
    widest: dict[str, int] = {}
    for key, texts in (("source", {r.source for r in rows}), ("date", {r.date for r in rows})):
        widths = [cell_len(v) for v in (sanitize(t) for t in texts if t) if v]
        if widths:
            widest[key] = max(widths)
    if rows:
        widest["words"] = cell_len(f"{max(r.words for r in rows):,}")
    counts = [len(str(r.annotation_count)) for r in rows if r.counted and r.annotation_count]
    counts += [cell_len(PENDING)] if any(not r.counted for r in rows) else []
    if counts:
        widest["annotations"] = max(counts)
    conflicts = max((r.conflicts for r in rows), default=0)
    if conflicts:
        widest["conflicts"] = len(str(conflicts))
    return tuple(
        (
            key,
            label,
            max(cell_len(label), widest[key])
            if key == "words"  # never "823,35"
            else min(width, max(cell_len(label), widest[key])),
        )
        for key, label, width in FIXED_COLUMNS
        if key in widest
    )


class DocumentList(DataTable):
    """One row per document, keyed by document id.

    Rows are only ever appended (in the services' order) or all cleared: never sorted or
    removed one by one. That is what lets three of DataTable's costs go, which grew with the
    list and made filling it quadratic (46-58 s for 100,000 documents, docs/benchmarks.md):
    its list of rows in screen order and its line offsets, rebuilt over every row after each
    change, are kept here and appended to (`ordered_rows`, `_y_offsets`); and the new cells
    are not measured through Rich (`_update_dimensions`), since every column has a set width
    and every row one line.
    """

    def __init__(self, *, id: str | None = None) -> None:
        self._in_order: list[Row] = []  # before DataTable's own set-up, which reads them
        self._offsets: list[tuple[RowKey, int]] = []
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._rows: list[DocumentRow] = []
        self._columns: tuple[tuple[str, str, int], ...] = FIXED_COLUMNS
        self._shown_columns: tuple[tuple[str, str, int], ...] = ()
        self._title_width = 0
        self._filled = False  # the table holds (part of) `_rows` under its current columns
        self._laid_out = False  # has had a size once (a hidden list has none, and still fills)
        self._listed = 0  # how many of `_rows` are in the table
        self._generation = 0  # a newer fill stops the steps of an older one
        self._cursor_on: str | None = None  # a document to put the cursor on once it is listed
        self.rows_added = 0
        """Rows added since the widget was made (what the start-up test counts)."""

    @property
    def ordered_rows(self) -> list[Row]:
        return self._in_order

    @property
    def _y_offsets(self) -> list[tuple[RowKey, int]]:
        return self._offsets

    def clear(self, columns: bool = False) -> Self:
        self._in_order, self._offsets = [], []
        return super().clear(columns)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """The virtual size, as DataTable computes it, without measuring the new cells."""
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width + self._row_label_column_width, len(self._offsets) + header)

    def show(self, rows: list[DocumentRow]) -> None:
        """Replace the rows, keeping the cursor on the same document. The same rows again
        change nothing."""
        self.border_title = f"Documents ({len(rows)})"
        if self._filled and rows == self._rows:
            return
        current = self.current_id or self._cursor_on
        columns = _columns_for(rows)
        if self._filled and self._laid_out and self._update_in_place(rows, columns):
            return
        self._rows = rows
        self._columns = columns
        if not self._laid_out:  # filled on the first resize, when the title's width is known
            self._filled = False
            self._cursor_on = current
            return
        self._fill(current)

    def _update_in_place(self, rows: list[DocumentRow], columns: tuple[tuple[str, str, int], ...]) -> bool:
        """The same documents in the same order with the same columns shown (counts filled
        in, a title or a count changed): the listed rows' changed cells are updated, the rows
        still to add come from `rows`. False when the list must be filled again."""
        old = self._rows
        if len(rows) != len(old) or any(a.id != b.id for a, b in zip(rows, old)):
            return False
        before = self._columns
        self._columns = columns
        title_width, shown = self._layout()
        if [key for key, _, _ in shown] != [key for key, _, _ in self._shown_columns]:
            self._columns = before
            return False
        self._rows = rows
        for i in range(self._listed):
            if rows[i] == old[i]:
                continue
            row = rows[i]
            if row.title != old[i].title:
                self.update_cell(row.id, "title", _cell(row.title))
            values, was = _values(row), _values(old[i])
            for key, _, _ in shown:
                if values[key] != was[key]:
                    self.update_cell(row.id, key, self._value_cell(key, values[key]))
        widths = {"title": title_width, **{key: width for key, _, width in shown}}
        if (title_width, shown) != (self._title_width, self._shown_columns):
            self._title_width, self._shown_columns = title_width, shown
            for key, width in widths.items():
                self.columns[ColumnKey(key)].width = width
            self._clear_caches()
            self._require_update_dimensions = True
            self.refresh()
        return True

    @staticmethod
    def _value_cell(key: str, value: str) -> Text:
        return Text(value, justify="right" if key in RIGHT else "left", no_wrap=True, overflow="ellipsis")

    @property
    def complete(self) -> bool:
        """Every row of the last `show` is in the table."""
        return self._filled and self._listed == len(self._rows)

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
        """(Re)build the columns and start adding the rows; the cursor goes back on document
        `current` when its row is added."""
        self._title_width, self._shown_columns = self._layout()
        self.clear(columns=True)
        self.add_column("Title", key="title", width=self._title_width)
        for key, label, width in self._shown_columns:
            self.add_column(label, key=key, width=width)
        self._filled = True
        self._listed = 0
        self._generation += 1
        self._cursor_on = current
        self._add_rows(FIRST_ROWS)

    def _add_rows(self, count: int) -> None:
        columns = self._shown_columns
        batch = self._rows[self._listed : self._listed + count]
        for row in batch:
            values = _values(row)
            cells = [self._value_cell(key, values[key]) for key, _, _ in columns]
            key = self.add_row(_cell(row.title), *cells, key=row.id)
            self._in_order.append(self.rows[key])
            self._offsets.append((key, 0))
        self._listed += len(batch)
        self.rows_added += len(batch)
        if self._cursor_on is not None and self._cursor_on in self.rows:
            self.move_cursor(row=self.get_row_index(self._cursor_on), animate=False)
            self._cursor_on = None
        if self._listed < len(self._rows):
            generation = self._generation
            self.call_after_refresh(self._add_more, generation)
        else:
            self._cursor_on = None

    def _add_more(self, generation: int) -> None:
        if generation == self._generation and self._filled:
            self._add_rows(ROWS_PER_STEP)

    def on_resize(self, event: events.Resize) -> None:
        if not self.size.width:  # hidden: laid out again when shown
            return
        self._laid_out = True
        if not self._filled:
            self._fill(self._cursor_on)
            return
        title_width, columns = self._layout()
        if columns != self._shown_columns:
            self._fill(self.current_id or self._cursor_on)
        elif title_width != self._title_width:  # the title's width alone: no row added again
            self._title_width = title_width
            self.columns[ColumnKey("title")].width = title_width
            self._clear_caches()
            self._require_update_dimensions = True
            self.refresh()
