"""Where a document's text goes on screen, without a screen (no Textual, no rich).

The text is split once into source lines (on "\\n" only). A *layout* per width records, for
every source line, how many visual rows it wraps to (a prefix sum `row_prefix`, so row <-> offset
is a bisect) and the row starts of the lines that wrap. Lines that fit (most of them) cost
nothing; the ones that do not are wrapped at word boundaries (`reader.widgets.wrapping`), which
keeps an eager wrap of a 5 MB text well under the open budget (see bench/bench_reader_view.py).
Lines with tabs, wide or zero-width characters go through `safe_text.display_cells`, which also
keeps the character <-> column mapping.

The document view (`reader.widgets.document_view`) draws rows from these; tests and benchmarks
use them headless. Offsets are code points into the document text, as everywhere in the project.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from itertools import accumulate

from reader.safe_text import DisplayLine, display_cells, is_simple
from reader.widgets.wrapping import wrap_display, wrap_simple

__all__ = ["DocumentLines", "Layout"]

TAB_SIZE = 4
DISPLAY_CACHE_LINES = 256  # cell maps kept for lines with tabs, wide or zero-width characters
LAYOUT_WIDTHS = 4  # layouts kept (a resize back and forth does not wrap again)


class DocumentLines:
    """A document's text as source lines: their starts, lengths, and which need cell maps."""

    def __init__(self, text: str = "") -> None:
        self.text = text
        lines = text.split("\n")
        if len(lines) > 1 and lines[-1] == "":
            lines.pop()  # a final newline does not start another (empty) line
        self.lines = lines
        self.lens = lens = [len(line) for line in lines]
        self.line_starts = [0, *accumulate(n + 1 for n in lens)][:-1]
        if text.isascii() and "\t" not in text:
            self.complex: set[int] = set()
        else:
            self.complex = {i for i, line in enumerate(lines) if not is_simple(line)}
        self.max_cursor = self.line_starts[-1] + lens[-1]  # the end-of-line cell of the last line
        self._display_cache: OrderedDict[int, DisplayLine] = OrderedDict()
        self._layouts: dict[int, Layout] = {}

    @property
    def last_character(self) -> int:
        """The document's last character (`max_cursor` is the end-of-line cell after it)."""
        return self.max_cursor - 1 if self.max_cursor and self.lens[-1] else self.max_cursor

    def clamp(self, offset: int) -> int:
        return max(0, min(int(offset), self.max_cursor))

    def display_line(self, index: int) -> DisplayLine:
        """The cell map of source line `index` (a CR before the newline shows as a space)."""
        cache = self._display_cache
        display = cache.get(index)
        if display is None:
            line = self.lines[index]
            if line.endswith("\r"):
                line = line[:-1] + " "
            display = display_cells(line, tab_size=TAB_SIZE)
            cache[index] = display
            if len(cache) > DISPLAY_CACHE_LINES:
                cache.popitem(last=False)
        else:
            cache.move_to_end(index)
        return display

    def column_of(self, offset: int, row_start: int, line_index: int) -> int:
        """The cell column of `offset` in the row starting at `row_start` of line `line_index`."""
        if line_index in self.complex:
            display = self.display_line(line_index)
            base = self.line_starts[line_index]
            rel_end = min(offset - base, len(display.source))
            extra = offset - base - rel_end  # the end-of-line cell
            return display.columns[rel_end] - display.columns[row_start - base] + extra
        return offset - row_start

    def layout(self, width: int) -> Layout:
        """How the lines wrap at `width` cells of text (kept for a few widths)."""
        layout = self._layouts.get(width)
        if layout is None:
            layout = self._compute_layout(width)
            if len(self._layouts) >= LAYOUT_WIDTHS:
                self._layouts.clear()
            self._layouts[width] = layout
        return layout

    def _compute_layout(self, width: int) -> Layout:
        lens = self.lens
        todo = {i for i, n in enumerate(lens) if n > width}
        todo |= self.complex
        if not todo:
            return Layout(self, width, list(range(len(lens) + 1)), {})
        counts = [1] * len(lens)
        breaks: dict[int, list[int]] = {}
        lines = self.lines
        complex_lines = self.complex
        for i in todo:
            if i in complex_lines:
                starts = wrap_display(self.display_line(i), width)
            else:
                starts = wrap_simple(lines[i], width)
            if len(starts) > 1:
                breaks[i] = starts
                counts[i] = len(starts)
        return Layout(self, width, [0, *accumulate(counts)], breaks)


@dataclass(eq=False)
class Layout:
    """How the document wraps at one width, and the offset <-> (row, column) mapping it gives."""

    lines: DocumentLines
    width: int  # cells available for text (the widget width less the gutter and the EOL cell)
    row_prefix: list[int]  # row_prefix[i]: first visual row of source line i; [-1] = total rows
    breaks: dict[int, list[int]]  # source line -> row starts (relative) for lines of 2+ rows

    @property
    def total_rows(self) -> int:
        return self.row_prefix[-1]

    def row_span(self, row: int) -> tuple[int, int, int, bool]:
        """(source line, start offset, end offset, is the line's last row) of a visual row."""
        index = bisect_right(self.row_prefix, row) - 1
        sub = row - self.row_prefix[index]
        base = self.lines.line_starts[index]
        starts = self.breaks.get(index)
        if starts is None:
            return index, base, base + self.lines.lens[index], True
        start = base + starts[sub]
        if sub + 1 < len(starts):
            return index, start, base + starts[sub + 1], False
        return index, start, base + self.lines.lens[index], True

    def row_of(self, offset: int) -> int:
        """The visual row showing `offset`."""
        line_starts = self.lines.line_starts
        index = bisect_right(line_starts, offset) - 1
        starts = self.breaks.get(index)
        if starts is None:
            return self.row_prefix[index]
        rel = offset - line_starts[index]
        return self.row_prefix[index] + bisect_right(starts, rel) - 1

    def row_last_offset(self, row: int) -> int:
        """The last offset the cursor can take in `row` (a wrapped row's last character, or the
        end-of-line cell of a line's last row)."""
        _, start, end, last = self.row_span(row)
        return end if last else max(start, end - 1)

    def offset_in_row(self, row: int, column: int) -> int:
        """The offset under cell `column` of `row` (clamped to the row)."""
        line_index, start, end, last = self.row_span(row)
        last_offset = end if last else max(start, end - 1)
        column = max(0, column)
        lines = self.lines
        if line_index in lines.complex:
            display = lines.display_line(line_index)
            base = lines.line_starts[line_index]
            target = display.columns[start - base] + column
            offset = base + display.column_to_offset(target)
            if target >= display.columns[-1]:
                offset = end
        else:
            offset = start + column
        return max(start, min(offset, last_offset))
