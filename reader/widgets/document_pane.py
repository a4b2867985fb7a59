"""The reader pane's state and drawing: the document shown, its cursor, selection, search
matches and annotated spans, the layout at the current width, and the rows on screen (Textual's
Line API, toolong's pattern).

Only the rows on screen are ever built. What it draws and where its cursor goes are worked out
headless, beside it: `reader.widgets.document_layout` (source lines, wrapping per width, offset
<-> row and column), `reader.widgets.document_motions` (word, sentence and paragraph motions,
the selection rule) and `reader.widgets.document_marks` (the annotated spans and search
matches, indexed by offset); `reader.widgets.document_paint` draws a row. Strips are kept in an
LRU cache keyed by what can change on a row (cursor, selection, focus), and a cursor move
repaints only the rows it touches. `reader.widgets.document_view` is the widget the app mounts
(this class with its keys, mouse and styles).

Offsets are code points into the document text, as everywhere in the project.
"""

from __future__ import annotations

import gc
from typing import Any, Sequence

from textual import events
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.highlight import Highlight
from reader.messages import CursorMoved, MatchChanged, SelectionChanged
from reader.widgets.document_layout import DocumentLines, Layout
from reader.widgets.document_marks import Highlights, Matches
from reader.widgets.document_motions import Motions, SpanLike
from reader.widgets.document_paint import GUTTER, RowPainter
from reader.widgets.page_breaks import PageBreaks

__all__ = ["FREEZE_CHARS", "DocumentPane"]


# From this size on, loading a document ends with `gc.freeze()`. A full (generation 2)
# collection walks every object the collector tracks; with the layout of a big document held
# (the 4.3 MB Bible: 73,811 lines) one took ~20 ms and fell on a random keystroke: next-match
# p95 24 ms instead of 5 ms (bench/bench_reader_view.py). Frozen objects are left out of
# those walks but are still freed by reference counting when the next document replaces them.
FREEZE_CHARS = 1_000_000


class DocumentPane(ScrollView):
    """A read-only, wrapped, cursor-driven view of one document's text: its state, what the
    front end asks of it, and its rows. `DocumentView` adds the keys, the mouse and the styles."""

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.doc_id = ""
        self._doc = DocumentLines("")
        self._motions = Motions(self._doc)
        self._layout: Layout | None = None
        self._strip_cache: LRUCache[tuple, Strip] = LRUCache(1024)
        self._painter = RowPainter(self)
        self._highlights = Highlights()
        self._pages = PageBreaks("", ())  # where a PDF's pages start (page_breaks.py)
        self._matches = Matches()
        self._cursor = 0
        self._goal_column: int | None = None
        self._anchor: int | None = None  # selection anchor (visual mode when set)
        self._end_at_cursor = False  # the last motion went to a unit's start: see `selection`
        self._drag_anchor: int | None = None
        self._frozen = False  # this view called gc.freeze(): undone when its document goes

    # ------------------------------------------------------------------ public API

    def load(
        self,
        doc_id: str,
        text: str,
        *,
        annotations: Sequence[Highlight] = (),
        matches: Sequence[tuple[int, int]] = (),
        cursor: int = 0,
        paragraphs: Sequence[SpanLike] = (),
        sentences: Sequence[SpanLike] = (),
        pages: Sequence[tuple[int, str]] = (),
    ) -> None:
        """Show a document. Cheap for large texts: wrapping is per line and only rows on screen
        are drawn. `paragraphs` / `sentences` (objects with .start/.end, e.g. index.document.Span)
        drive the paragraph and sentence motions; without them blank lines and sentence
        punctuation are used. `pages` (offset, label) marks where a PDF's pages start."""
        self._thaw()
        self._pages = PageBreaks(text, pages)
        self.doc_id = doc_id
        self._doc = DocumentLines(text)
        self._layout = None
        self._motions = Motions(self._doc, paragraphs, sentences)
        self._anchor = None
        self._drag_anchor = None
        self._goal_column = None
        self._cursor = self._doc.clamp(cursor)
        self._highlights = Highlights(annotations)
        self._matches = Matches(matches, None)
        self._relayout(keep_top=False)
        self._strip_cache.clear()
        if len(text) >= FREEZE_CHARS:
            gc.freeze()  # see FREEZE_CHARS
            self._frozen = True
        self.scroll_to_offset(self._cursor, center=True)
        self.refresh()
        self._post_cursor()

    def _thaw(self) -> None:
        """Undo this view's gc.freeze(): the document it froze is being replaced or closed, and
        frozen objects are never collected (a cycle in them would live forever)."""
        if self._frozen:
            gc.unfreeze()
            self._frozen = False

    def on_unmount(self) -> None:
        self._thaw()

    @property
    def text(self) -> str:
        return self._doc.text

    @property
    def cursor(self) -> int:
        """The cursor's code-point offset into the text."""
        return self._cursor

    @cursor.setter
    def cursor(self, offset: int) -> None:
        self.move_cursor(offset)

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected [start, end) offsets, or None. The cursor's character is included, except
        after a forward motion to the start of the next word, sentence or paragraph (`w` `)` `}`):
        that start is where the selection stops (its trailing blanks dropped), not its last character."""
        return self._motions.selection(self._anchor, self._cursor, self._end_at_cursor)

    @property
    def selecting(self) -> bool:
        """True in visual mode (motions extend the selection)."""
        return self._anchor is not None

    @property
    def current_match(self) -> int | None:
        return self._matches.current

    @property
    def match_count(self) -> int:
        return len(self._matches)

    @property
    def matches(self) -> list[tuple[int, int]]:
        return list(self._matches.spans)

    @property
    def paragraph_index(self) -> int:
        return self._motions.paragraph_index(self._cursor)

    @property
    def highlights(self) -> list[Highlight]:
        """The annotated spans drawn, by (start, end)."""
        return list(self._highlights.spans)

    def highlights_at(self, offset: int) -> list[Highlight]:
        """The annotated spans covering `offset`, innermost (shortest) first."""
        return self._highlights.at(offset)

    def set_annotations(self, highlights: Sequence[Highlight]) -> None:
        """Replace the annotated spans drawn."""
        self._highlights = Highlights(highlights)
        self._strip_cache.clear()
        self.refresh()

    def set_matches(self, spans: Sequence[tuple[int, int]], current: int | None = 0) -> None:
        """Replace the search matches; when `current` is given, jump to that match."""
        self._matches = Matches(spans, current)
        self._strip_cache.clear()
        self.refresh()
        if self._matches.current is not None:
            self._go_to_match(self._matches.current)
        self.post_message(MatchChanged(self.doc_id, self._matches.current, len(self._matches)))

    def next_match(self) -> int | None:
        """Go to the first match after the cursor (wrapping around); returns its index."""
        index = self._matches.next_index(self._cursor)
        return None if index is None else self._go_to_match(index, announce=True)

    def prev_match(self) -> int | None:
        """Go to the last match before the cursor (wrapping around); returns its index."""
        index = self._matches.prev_index(self._cursor)
        return None if index is None else self._go_to_match(index, announce=True)

    def move_cursor(
        self, offset: int, *, keep_goal: bool = False, scroll: bool = True, end_at_cursor: bool = False
    ) -> None:
        """Put the cursor at `offset` (clamped), extending the selection in visual mode
        (`end_at_cursor`: up to the cursor, not through its character; see `selection`)."""
        offset = self._doc.clamp(offset)
        if not keep_goal:
            self._goal_column = None
        old = self._cursor
        changed, self._end_at_cursor = end_at_cursor != self._end_at_cursor, end_at_cursor
        if offset == old:
            if changed and self._anchor is not None:
                self._refresh_cursor_row()
                self._post_selection()
            if scroll:
                self._scroll_offset_into_view(offset)
            return
        self._cursor = offset
        layout = self._layout
        if layout is not None:
            old_row = self._row_of(old)
            new_row = self._row_of(offset)
            if self._anchor is not None:
                low, high = min(old_row, new_row), max(old_row, new_row)
                self.refresh_lines(low, high - low + 1)
            else:
                self.refresh_line(old_row)
                self.refresh_line(new_row)
            if scroll:
                self._scroll_row_into_view(new_row)
        if self._anchor is not None:
            self._post_selection()
        self._post_cursor()

    def scroll_to_offset(self, offset: int, center: bool = True) -> None:
        """Scroll so that `offset` is visible (in the middle of the view when `center`)."""
        if self._layout is None:
            return
        row = self._row_of(self._doc.clamp(offset))
        if center:
            height = self.scrollable_content_region.height
            self.scroll_to(y=max(0, row - height // 2), animate=False, force=True)
        else:
            self._scroll_row_into_view(row)

    def start_selection(self, anchor: int | None = None) -> None:
        """Enter visual mode: the selection runs from `anchor` (default: the cursor) to the cursor."""
        self._anchor = self._doc.clamp(self._cursor if anchor is None else anchor)
        self._strip_cache.clear()
        self.refresh()
        self._post_selection()

    def clear_selection(self) -> None:
        """Leave visual mode, dropping the selection."""
        if self._anchor is None:
            return
        self._anchor = None
        self._strip_cache.clear()
        self.refresh()
        self._post_selection()

    def select(self, start: int, end: int) -> None:
        """Select [start, end) (end exclusive); the cursor goes to the last selected character."""
        start, end = self._doc.clamp(start), self._doc.clamp(max(start, end - 1))
        self._anchor = start
        self._cursor = end
        self._goal_column = None
        self._strip_cache.clear()
        self.refresh()
        self._scroll_offset_into_view(end)
        self._post_selection()
        self._post_cursor()

    def select_sentence(self) -> None:
        """Select the sentence around the cursor."""
        self.select(*self._motions.sentence_around(self._cursor))

    def select_match(self) -> bool:
        """Select the current search match (the one the cursor is on, else the current one).
        Returns False when there is no match to select."""
        index = self._matches.index_at(self._cursor)
        if index is None:
            return False
        self.select(*self._matches.spans[index])
        return True

    def next_highlight(self) -> Highlight | None:
        """Move the cursor to the start of the next annotated span (wrapping around)."""
        start = self._highlights.next_start(self._cursor)
        return None if start is None else self._go_to_highlight(start)

    def prev_highlight(self) -> Highlight | None:
        """Move the cursor to the start of the previous annotated span (wrapping around)."""
        start = self._highlights.prev_start(self._cursor)
        return None if start is None else self._go_to_highlight(start)

    def _go_to_highlight(self, start: int) -> Highlight | None:
        self.move_cursor(start, scroll=False)
        self.scroll_to_offset(start, center=not self._offset_visible(start))
        at = self.highlights_at(start)
        return at[0] if at else None

    def select_paragraph(self) -> None:
        """Select the paragraph around the cursor."""
        self.select(*self._motions.paragraph_around(self._cursor))

    # ------------------------------------------------------------------ events

    def on_resize(self, event: events.Resize) -> None:
        self._relayout(keep_top=True)

    def on_focus(self, event: events.Focus) -> None:
        self._refresh_cursor_row()

    def on_blur(self, event: events.Blur) -> None:
        self._refresh_cursor_row()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._painter.reset()
        self._strip_cache.clear()

    # ------------------------------------------------------------------ rendering

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        layout = self._layout
        row = self.scroll_offset.y + y
        if layout is None or row >= layout.total_rows or width <= 0:
            return Strip.blank(width, self._painter.base_style())
        line_index, start, end, last = layout.row_span(row)
        row_end = end + 1 if last else end  # the end-of-line cell belongs to the last row
        cursor = self._cursor
        cursor_key = cursor if start <= cursor < row_end else -1
        selection = self.selection
        selection_key = None
        if selection is not None and selection[0] < row_end and selection[1] > start:
            selection_key = (max(selection[0], start), min(selection[1], row_end))
        key = (row, width, cursor_key, selection_key, self.has_focus)
        strip = self._strip_cache.get(key)
        if strip is None:
            strip = self._painter.paint(
                self._doc,
                self._highlights,
                self._matches,
                line_index,
                start,
                end,
                last,
                cursor_key,
                selection_key,
                width,
                self._pages,
            )
            self._strip_cache[key] = strip
        return strip

    # ------------------------------------------------------------------ layout

    def _relayout(self, keep_top: bool) -> None:
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        top_offset = None
        if keep_top and self._layout is not None and self._layout.total_rows:
            top_row = min(self.scroll_offset.y, self._layout.total_rows - 1)
            top_offset = self._layout.row_span(top_row)[1]
        layout = self._doc.layout(max(1, width - GUTTER - 1))
        if layout is self._layout:
            return
        self._layout = layout
        self._strip_cache.clear()
        self.virtual_size = Size(width, layout.total_rows)
        if top_offset is not None:
            self.scroll_to(y=self._row_of(top_offset), animate=False, force=True)
            self._scroll_offset_into_view(self._cursor)
        self.refresh()

    def _row_of(self, offset: int) -> int:
        layout = self._layout
        assert layout is not None
        return layout.row_of(offset)

    def _offset_at_point(self, point: Any) -> int | None:
        if point is None or self._layout is None or not self._layout.total_rows:
            return None
        row = min(max(0, self.scroll_offset.y + point.y), self._layout.total_rows - 1)
        return self._layout.offset_in_row(row, point.x - GUTTER)

    # ------------------------------------------------------------------ matches

    def _go_to_match(self, index: int, announce: bool = False) -> int:
        old = self._matches.current
        self._matches.current = index
        start, _ = self._matches.spans[index]
        if old != index:
            self._strip_cache.clear()
            self.refresh()  # old and new current match restyle; cheap (visible rows only)
        self.move_cursor(start, scroll=False)
        self.scroll_to_offset(start, center=not self._offset_visible(start))
        if announce:
            self.post_message(MatchChanged(self.doc_id, index, len(self._matches)))
        return index

    # ------------------------------------------------------------------ helpers

    def _offset_visible(self, offset: int) -> bool:
        if self._layout is None:
            return False
        row = self._row_of(offset)
        top = self.scroll_offset.y
        return top <= row < top + self.scrollable_content_region.height

    def _scroll_offset_into_view(self, offset: int) -> None:
        if self._layout is not None:
            self._scroll_row_into_view(self._row_of(offset))

    def _scroll_row_into_view(self, row: int) -> None:
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        if row < top:
            self.scroll_to(y=row, animate=False, force=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, force=True)

    def _refresh_cursor_row(self) -> None:
        if self._layout is not None:
            self.refresh_line(self._row_of(self._cursor))

    def _post_cursor(self) -> None:
        count = self._motions.paragraph_count
        last = self._doc.last_character
        percent = 100.0 * min(self._cursor, last) / last if last else 0.0
        self.post_message(CursorMoved(self.doc_id, self._cursor, self.paragraph_index, count, percent))

    def _post_selection(self) -> None:
        selection = self.selection
        start, end = selection if selection is not None else (None, None)
        self.post_message(SelectionChanged(self.doc_id, start, end))
