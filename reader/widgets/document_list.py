"""The document list: a DataTable of title, source, date, words, annotation count and merge
conflicts (⚠, a column only when some document has them).

The title column takes the width the other columns leave; when that is too little, source, date
and words are left out in that order, so the list reads well from a 24-column sidebar to a wide
one. A column with no value in the listed documents (no sources, no dates, nothing annotated) is
left out, and the others are no wider than their widest value: the room goes to the title.
Titles too long are cut with an ellipsis. Titles and
sources are untrusted: they are sanitized and given to the table as `Text` (a plain `str` cell
would be parsed as markup). Row keys are document ids.

A virtual list: DataTable's own rows (`add_row`) cost a fraction of a millisecond each to add
and measure, so 100,000 documents took tens of seconds to list even when added in steps after
the first frame, and until then the bottom of the list could not be reached. Here the table's
row structures (`rows`, `_data`, `_row_locations`, `ordered_rows`, `_y_offsets`) are views of
the list of documents last shown, and a row's cells are made only when DataTable asks for them,
which it does for the rows it paints (and a few it looks at, such as the cursor's): showing a
list costs the same at 5 and at 100,000 documents, and every row is there at once. DataTable
draws, scrolls, moves the cursor and posts its messages as before; the few of its methods that
walk every row above a given one (the region of a row or cell) are computed here instead, since
every row is one line. The rows are shown (`show`) or not at all: adding, removing, sorting or
updating one row through DataTable's own methods is refused rather than silently lost. These
are DataTable's private parts (Textual is pinned in pyproject.toml): tests/test_document_list.py
compares the views with what DataTable computes from them and the painted lines with a
DataTable filled with `add_row`, so a Textual that changes them fails there first.

The columns are set when the list has its size (the first resize); the same rows shown again
change nothing; a resize that only changes the title's width changes the column in place. Rows
shown again with the same documents in the same order and the same columns (the counts of a
first start filled in after the files were read, a count changed by tagging) keep the cursor and
the scroll where they are.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.coordinate import Coordinate
from textual.geometry import Region, Size
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, Row, RowKey, StringKey

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
CELLS_KEPT = 2_000
"""Rows whose cells are kept once made (more than a tall terminal shows); DataTable keeps its
own caches of what it drew on top of these."""
PENDING = "…"
"""The count of a row whose annotation files are still being read (a first start)."""
RIGHT = frozenset({"words", "annotations", "conflicts"})
_V = TypeVar("_V")


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


def _value_cell(key: str, value: str) -> Text:
    return Text(value, justify="right" if key in RIGHT else "left", no_wrap=True, overflow="ellipsis")


def _key_value(key: object) -> str | None:
    """A row key's document id (DataTable passes `RowKey`s, callers also plain strings)."""
    if isinstance(key, StringKey):
        return key.value
    return key if isinstance(key, str) else None


class _Key(RowKey):
    """A listed row's key, which knows its row: DataTable asks for the row of each key it
    paints, and a dictionary of 100,000 ids made for that would cost more than the paint."""

    def __init__(self, value: str, index: int, generation: int) -> None:
        super().__init__(value)
        self.index, self.generation = index, generation


class _ByRow(Mapping[RowKey, _V]):
    """A DataTable mapping by row key over the documents shown: `_value(index)` is a row's."""

    def __init__(self, table: DocumentList) -> None:
        self._table = table

    def _value(self, index: int) -> _V:
        raise NotImplementedError

    def __getitem__(self, key: object) -> _V:
        index = self._table._index_of(key)
        if index is None:
            raise KeyError(key)
        return self._value(index)

    def __contains__(self, key: object) -> bool:
        return self._table._index_of(key) is not None

    def __len__(self) -> int:
        return len(self._table._shown)

    def __iter__(self) -> Iterator[RowKey]:
        return map(self._table._key, range(len(self._table._shown)))

    def clear(self) -> None:
        """DataTable's `clear` empties its rows and cells; here `show` replaces them."""


class _Locations(_ByRow[int]):
    """DataTable's `_row_locations` (row key to index and back) over the documents shown."""

    def _value(self, index: int) -> int:
        return index

    def get(self, key: object, default: Any = None) -> Any:
        index = self._table._index_of(key)
        return default if index is None else index

    def get_key(self, index: int) -> RowKey | None:
        shown = self._table._shown
        return self._table._key(index) if 0 <= index < len(shown) else None


class _Rows(_ByRow[Row]):
    """DataTable's `rows` (each row's key and height) over the documents shown: one line each."""

    def _value(self, index: int) -> Row:
        return Row(self._table._key(index), 1)


class _Cells(_ByRow[dict[ColumnKey, Text]]):
    """DataTable's `_data` (each row's cells by column), made when asked for."""

    def _value(self, index: int) -> dict[ColumnKey, Text]:
        return self._table._cells_at(index)


class _InOrder:
    """DataTable's `ordered_rows` (its rows in screen order), or a slice of them, made one at a
    time as they are read: DataTable walks from the cursor for a page up or down and stops."""

    def __init__(self, table: DocumentList, indices: range) -> None:
        self._table, self._indices = table, indices

    def __len__(self) -> int:
        return len(self._indices)

    def __getitem__(self, at: Any) -> Any:
        if isinstance(at, slice):
            return _InOrder(self._table, self._indices[at])
        return Row(self._table._key(self._indices[at]), 1)

    def __iter__(self) -> Iterator[Row]:
        key = self._table._key
        return (Row(key(i), 1) for i in self._indices)


class _Offsets:
    """DataTable's `_y_offsets`: for each line, its row's key and the line within the row (0:
    every row is one line)."""

    def __init__(self, table: DocumentList) -> None:
        self._table = table

    def __len__(self) -> int:
        return len(self._table._shown)

    def __getitem__(self, y: int) -> tuple[RowKey, int]:
        if not 0 <= y < len(self._table._shown):
            raise IndexError(y)
        return self._table._key(y), 0

    def __iter__(self) -> Iterator[tuple[RowKey, int]]:
        return ((self._table._key(y), 0) for y in range(len(self._table._shown)))

    def clear(self) -> None:
        """As `_Rows.clear`."""


def _view(index: int, what: str) -> Any:
    """A DataTable row structure as the list's view `_views[index]`: read from the view, and
    DataTable's own assignments to it (when it clears or adds rows) ignored."""
    return property(lambda self: self._views[index], lambda self, value: None, doc=what)


class DocumentList(DataTable):
    """One row per document, keyed by document id, in the services' order: a view of the
    documents last shown (the module docstring says why and how)."""

    def __init__(self, *, id: str | None = None) -> None:
        # before DataTable's own set-up, which assigns (and here leaves) its row structures
        self._shown: list[DocumentRow] = []  # the documents the table lists, under `_shown_columns`
        self._positions: dict[str, int] | None = None  # document id -> row, made when first asked
        self._made: dict[int, dict[ColumnKey, Text]] = {}  # the cells of rows asked for
        self._generation = 0  # of `_shown`: a key of an older list is looked up by its id
        self._views = (_Rows(self), _Cells(self), _Locations(self), _Offsets(self))
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._rows: list[DocumentRow] = []
        self._columns: tuple[tuple[str, str, int], ...] = FIXED_COLUMNS
        self._shown_columns: tuple[tuple[str, str, int], ...] = ()
        self._title_width = 0
        self._filled = False  # the table shows `_rows` under its current columns
        self._laid_out = False  # has had a size once (a hidden list has none, and still fills)
        self._cursor_on: str | None = None  # a document to put the cursor on once it is listed
        self.rows_made = 0
        """Rows whose cells were made since the widget was made (what the tests count)."""

    # DataTable's row structures, as views of `_shown` (its own assignments are ignored)
    rows = _view(0, "the rows (_Rows)")
    _data = _view(1, "the cells (_Cells)")
    _row_locations = _view(2, "rows' keys and indexes (_Locations)")

    @property
    def _y_offsets(self) -> _Offsets:  # type: ignore[override]
        return self._views[3]

    @property
    def ordered_rows(self) -> _InOrder:  # type: ignore[override]
        return _InOrder(self, range(len(self._shown)))

    def _key(self, index: int) -> _Key:
        return _Key(self._shown[index].id, index, self._generation)

    def _index_of(self, key: object) -> int | None:
        if isinstance(key, _Key) and key.generation == self._generation:
            return key.index
        if self._positions is None:
            self._positions = {row.id: i for i, row in enumerate(self._shown)}
        value = _key_value(key)
        return None if value is None else self._positions.get(value)

    def _cells_at(self, index: int) -> dict[ColumnKey, Text]:
        cells = self._made.get(index)
        if cells is None:
            if len(self._made) >= CELLS_KEPT:
                self._made.clear()
            row = self._shown[index]
            values = _values(row)
            cells = {ColumnKey("title"): _cell(row.title)}
            for key, _, _ in self._shown_columns:
                cells[ColumnKey(key)] = _value_cell(key, values[key])
            self._made[index] = cells
            self.rows_made += 1
        return cells

    def add_row(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("DocumentList lists the rows given to show()")

    add_rows = remove_row = update_cell = update_cell_at = sort = add_row

    def _update_dimensions(self, new_rows: object) -> None:
        """The virtual size, as DataTable computes it, without measuring the cells: every
        column has a set width and every row one line."""
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width + self._row_label_column_width, len(self._shown) + header)

    def _get_row_region(self, row_index: int) -> Region:
        """DataTable's, without adding up the heights of the rows above (one line each)."""
        if not self.is_valid_row_index(row_index):
            return Region(0, 0, 0, 0)
        width = sum(column.get_render_width(self) for column in self.columns.values())
        y = row_index + (self.header_height if self.show_header else 0)
        return Region(0, y, max(self.size.width, width + self._row_label_column_width), 1)

    def _get_cell_region(self, coordinate: Coordinate) -> Region:
        """As `_get_row_region`, for one cell."""
        if not self.is_valid_coordinate(coordinate):
            return Region(0, 0, 0, 0)
        row_index, column_index = coordinate
        columns = self.ordered_columns
        x = sum(column.get_render_width(self) for column in columns[:column_index]) + self._row_label_column_width
        y = row_index + (self.header_height if self.show_header else 0)
        return Region(x, y, columns[column_index].get_render_width(self), 1)

    def show(self, rows: list[DocumentRow]) -> None:
        """Replace the rows, keeping the cursor on the same document. The same rows again
        change nothing."""
        self.border_title = f"Documents ({len(rows)})"
        if self._filled and rows == self._rows:
            return
        current = self.current_id or self._cursor_on
        self._rows = rows
        self._columns = _columns_for(rows)
        if not self._laid_out:  # filled on the first resize, when the title's width is known
            self._filled = False
            self._cursor_on = current
            return
        self._fill(current)

    @property
    def complete(self) -> bool:
        """Every row of the last `show` is in the table (at once, once it has its size)."""
        return self._filled and self._shown is self._rows

    @property
    def current_id(self) -> str | None:
        if not 0 <= self.cursor_row < len(self._shown):
            return None
        return self._shown[self.cursor_row].id

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
        """List `_rows`. The same documents in the same order under the same columns keep the
        cursor's row and the scroll (only the cells and the widths change); otherwise the
        columns are made again, the list starts at its top and the cursor goes on document
        `current` (the first row when it is not listed)."""
        title_width, shown = self._layout()
        old, rows = self._shown, self._rows
        in_place = (
            self._filled
            and [key for key, _, _ in shown] == [key for key, _, _ in self._shown_columns]
            and len(rows) == len(old)
            and all(a.id == b.id for a, b in zip(rows, old))
        )
        self._title_width, self._shown_columns = title_width, shown
        if in_place:
            for key, width in (("title", title_width), *((key, width) for key, _, width in shown)):
                self.columns[ColumnKey(key)].width = width
        else:
            self._shown, self._positions = [], None  # DataTable's clear and add_column walk the rows: none yet
            self._generation += 1
            self.clear(columns=True)
            self.add_column("Title", key="title", width=title_width)
            for key, label, width in shown:
                self.add_column(label, key=key, width=width)
        self._shown, self._positions, self._made = rows, None, {}
        self._generation += 1
        self._filled = True
        self._cursor_on = None
        self._changed()
        if not in_place and rows:
            index = self._index_of(current) if current is not None else None
            if index:
                self.move_cursor(row=index, animate=False)
            else:
                self._highlight_cursor()  # as DataTable does when its first row comes

    def _changed(self) -> None:
        """What DataTable drew and measured is out of date."""
        self._update_count += 1
        self._clear_caches()
        self._update_dimensions(())
        self._require_update_dimensions = False
        self.refresh()

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
        elif title_width != self._title_width:  # the title's width alone: no row made again
            self._title_width = title_width
            self.columns[ColumnKey("title")].width = title_width
            self._changed()
