"""The reader pane: a read-only document view on Textual's Line API (toolong's pattern).

Only the rows on screen are ever built. The text is split once into source lines (on "\\n" only);
a *layout* per width records, for every source line, how many visual rows it wraps to (a prefix sum
`row_prefix`, so row <-> offset is a bisect) and the row starts of the lines that wrap. Lines that
fit (most of them) cost nothing; the ones that do not are wrapped at word boundaries with
`str.rfind`, which keeps an eager wrap of a 5 MB text well under the open budget (see
bench/bench_reader_view.py). Lines with tabs, wide or zero-width characters go through
`safe_text.display_cells`, which also keeps the character <-> column mapping.

Every row is drawn from `safe_text` output as plain Segments: corpus text is never parsed as
markup and no control character reaches the terminal. Strips are kept in an LRU cache keyed by
what can change on a row (cursor, selection, focus), and a cursor move repaints only the rows it
touches.

Offsets are code points into the document text, as everywhere in the project.
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, ClassVar, Iterable, Protocol, Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.highlight import Highlight
from reader.messages import CursorMoved, MatchChanged, SelectionChanged
from reader.safe_text import DisplayLine, display_cells, is_simple, sanitize
from reader.widgets.wrapping import wrap_display, wrap_simple

__all__ = ["DocumentView", "Highlight"]

GUTTER = 2  # left margin: annotation markers
MARKER = "\u258c"  # '▌'
_BUCKET = 2048  # annotation index granularity (characters)
_TAB_SIZE = 4

_WORD = re.compile(r"\w+|[^\w\s]+")
_SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*\s+|\n[ \t\r]*\n\s*")
_PARAGRAPH_BREAK = re.compile(r"\n(?:[ \t\r\f\v]*\n)+")

# From this size on, loading a document ends with `gc.freeze()`. A full (generation 2)
# collection walks every object the collector tracks; with the layout of a big document held
# (the 4.3 MB Bible: 73,811 lines) one took ~20 ms and fell on a random keystroke: next-match
# p95 24 ms instead of 5 ms (bench/bench_reader_view.py). Frozen objects are left out of
# those walks but are still freed by reference counting when the next document replaces them.
FREEZE_CHARS = 1_000_000


class _SpanLike(Protocol):
    start: int
    end: int


@dataclass
class _Layout:
    """How the document wraps at one width."""

    width: int  # cells available for text (the widget width less the gutter and the EOL cell)
    row_prefix: list[int]  # row_prefix[i]: first visual row of source line i; [-1] = total rows
    breaks: dict[int, list[int]]  # source line -> row starts (relative) for lines of 2+ rows

    @property
    def total_rows(self) -> int:
        return self.row_prefix[-1]


class DocumentView(ScrollView, can_focus=True):
    """A read-only, wrapped, cursor-driven view of one document's text."""

    ALLOW_SELECT = False  # we draw our own selection, by offsets

    DEFAULT_CSS = """
    DocumentView {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
        background: $surface;
        color: $foreground;
    }
    DocumentView > .document-view--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    DocumentView > .document-view--cursor-blurred {
        text-style: underline;
    }
    DocumentView > .document-view--selection {
        text-style: reverse;
    }
    DocumentView > .document-view--match {
        background: $warning 40%;
    }
    DocumentView > .document-view--match-current {
        background: $warning;
        color: $text-warning;
        text-style: bold;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "document-view--cursor",
        "document-view--cursor-blurred",
        "document-view--selection",
        "document-view--match",
        "document-view--match-current",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "cursor_left", "Left", show=False, id="reader.cursor.left"),
        Binding("right,l", "cursor_right", "Right", show=False, id="reader.cursor.right"),
        Binding("up,k", "cursor_up", "Up", show=False, id="reader.cursor.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="reader.cursor.down"),
        Binding("w,ctrl+right", "word_next", "Next word", show=False, id="reader.cursor.word_next"),
        Binding("b,ctrl+left", "word_prev", "Previous word", show=False, id="reader.cursor.word_prev"),
        Binding("right_parenthesis", "sentence_next", "Next sentence", show=False,
                key_display=")", id="reader.cursor.sentence_next"),
        Binding("left_parenthesis", "sentence_prev", "Previous sentence", show=False,
                key_display="(", id="reader.cursor.sentence_prev"),
        Binding("right_curly_bracket", "paragraph_next", "Next paragraph", show=False,
                key_display="}", id="reader.cursor.paragraph_next"),
        Binding("left_curly_bracket", "paragraph_prev", "Previous paragraph", show=False,
                key_display="{", id="reader.cursor.paragraph_prev"),
        Binding("home", "line_start", "Line start", show=False, id="reader.cursor.line_start"),
        Binding("end", "line_end", "Line end", show=False, id="reader.cursor.line_end"),
        Binding("pagedown,ctrl+f,space", "page_down_cursor", "Page down", show=False,
                id="reader.page.down"),
        Binding("pageup,ctrl+b", "page_up_cursor", "Page up", show=False, id="reader.page.up"),
        Binding("g,ctrl+home", "document_start", "Start", show=False, id="reader.cursor.start"),
        Binding("G,ctrl+end", "document_end", "End", show=False, id="reader.cursor.end"),
        Binding("n", "next_match", "Next match", id="reader.match.next"),
        Binding("N", "prev_match", "Prev match", id="reader.match.prev"),
        Binding("v", "toggle_selection", "Select", id="reader.select.toggle"),
        Binding("o", "swap_selection_end", "Other end", show=False, id="reader.select.swap"),
        Binding("s", "select_sentence", "Sentence", show=False, id="reader.select.sentence"),
        Binding("p", "select_paragraph", "Paragraph", show=False, id="reader.select.paragraph"),
        Binding("m", "select_match", "Select match", show=False, id="reader.select.match"),
        Binding("right_square_bracket", "next_highlight", "Next annotation", show=False,
                key_display="]", id="reader.annotation.next"),
        Binding("left_square_bracket", "prev_highlight", "Previous annotation", show=False,
                key_display="[", id="reader.annotation.prev"),
        Binding("escape", "clear_selection", "Clear selection", show=False, id="reader.select.clear"),
    ]

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
        self._text = ""
        self._lines: list[str] = [""]
        self._line_starts: list[int] = [0]
        self._lens: list[int] = [0]
        self._complex: set[int] = set()
        self._max_cursor = 0
        self._layouts: dict[int, _Layout] = {}
        self._layout: _Layout | None = None
        self._display_cache: LRUCache[int, DisplayLine] = LRUCache(256)
        self._strip_cache: LRUCache[tuple, Strip] = LRUCache(1024)
        self._style_cache: dict[tuple, Style] = {}
        self._gutter_cache: dict[tuple, list[Segment]] = {}
        self._base: Style | None = None
        self._highlights: list[Highlight] = []
        self._hl_buckets: dict[int, list[Highlight]] = {}
        self._matches: list[tuple[int, int]] = []
        self._match_starts: list[int] = []
        self._current_match: int | None = None
        self._para_starts: list[int] = [0]
        self._sent_starts: list[int] | None = None
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
        paragraphs: Sequence[_SpanLike] = (),
        sentences: Sequence[_SpanLike] = (),
    ) -> None:
        """Show a document. Cheap for large texts: wrapping is per line and only rows on screen
        are drawn. `paragraphs` / `sentences` (objects with .start/.end, e.g. index.document.Span)
        drive the paragraph and sentence motions; without them blank lines and sentence
        punctuation are used."""
        self._thaw()
        self.doc_id = doc_id
        self._text = text
        lines = text.split("\n")
        if len(lines) > 1 and lines[-1] == "":
            lines.pop()  # a final newline does not start another (empty) line
        self._lines = lines
        self._lens = lens = [len(line) for line in lines]
        self._line_starts = [0, *accumulate(n + 1 for n in lens)][:-1]
        if text.isascii() and "\t" not in text:
            self._complex = set()
        else:
            self._complex = {i for i, line in enumerate(lines) if not is_simple(line)}
        self._max_cursor = self._line_starts[-1] + lens[-1]
        self._layouts.clear()
        self._layout = None
        self._display_cache.clear()
        if paragraphs:
            self._para_starts = sorted(span.start for span in paragraphs) or [0]
        else:
            self._para_starts = [0, *(m.end() for m in _PARAGRAPH_BREAK.finditer(text))]
        self._sent_starts = sorted(span.start for span in sentences) if sentences else None
        self._anchor = None
        self._drag_anchor = None
        self._goal_column = None
        self._cursor = self._clamp(cursor)
        self._set_highlights(annotations)
        self._set_matches(matches, None)
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
        return self._text

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
        if self._anchor is None:
            return None
        start = min(self._anchor, self._cursor)
        if self._end_at_cursor and self._cursor > self._anchor:
            end = self._trim_end(start, self._cursor)
        else:
            end = min(max(self._anchor, self._cursor) + 1, len(self._text))
        return (start, end) if end > start else None

    @property
    def selecting(self) -> bool:
        """True in visual mode (motions extend the selection)."""
        return self._anchor is not None

    @property
    def current_match(self) -> int | None:
        return self._current_match

    @property
    def match_count(self) -> int:
        return len(self._matches)

    @property
    def matches(self) -> list[tuple[int, int]]:
        return list(self._matches)

    @property
    def paragraph_index(self) -> int:
        return max(0, bisect_right(self._para_starts, self._cursor) - 1)

    @property
    def highlights(self) -> list[Highlight]:
        """The annotated spans drawn, by (start, end)."""
        return list(self._highlights)

    def highlights_at(self, offset: int) -> list[Highlight]:
        """The annotated spans covering `offset`, innermost (shortest) first."""
        found = [h for h in self._highlights_in(offset, offset + 1) if h.start <= offset < h.end]
        return sorted(found, key=lambda h: (h.end - h.start, h.start))

    def set_annotations(self, highlights: Sequence[Highlight]) -> None:
        """Replace the annotated spans drawn."""
        self._set_highlights(highlights)
        self._strip_cache.clear()
        self.refresh()

    def set_matches(self, spans: Sequence[tuple[int, int]], current: int | None = 0) -> None:
        """Replace the search matches; when `current` is given, jump to that match."""
        self._set_matches(spans, current)
        self._strip_cache.clear()
        self.refresh()
        if self._current_match is not None:
            self._go_to_match(self._current_match)
        self.post_message(MatchChanged(self.doc_id, self._current_match, len(self._matches)))

    def next_match(self) -> int | None:
        """Go to the first match after the cursor (wrapping around); returns its index."""
        if not self._matches:
            return None
        index = bisect_right(self._match_starts, self._cursor)
        return self._go_to_match(index % len(self._matches), announce=True)

    def prev_match(self) -> int | None:
        """Go to the last match before the cursor (wrapping around); returns its index."""
        if not self._matches:
            return None
        index = bisect_left(self._match_starts, self._cursor) - 1
        return self._go_to_match(index % len(self._matches), announce=True)

    def move_cursor(self, offset: int, *, keep_goal: bool = False, scroll: bool = True,
                    end_at_cursor: bool = False) -> None:
        """Put the cursor at `offset` (clamped), extending the selection in visual mode
        (`end_at_cursor`: up to the cursor, not through its character; see `selection`)."""
        offset = self._clamp(offset)
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
        row = self._row_of(self._clamp(offset))
        if center:
            height = self.scrollable_content_region.height
            self.scroll_to(y=max(0, row - height // 2), animate=False, force=True)
        else:
            self._scroll_row_into_view(row)

    def start_selection(self, anchor: int | None = None) -> None:
        """Enter visual mode: the selection runs from `anchor` (default: the cursor) to the cursor."""
        self._anchor = self._clamp(self._cursor if anchor is None else anchor)
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
        start, end = self._clamp(start), self._clamp(max(start, end - 1))
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
        start = self._sentence_start_at(self._cursor)
        end = self._sentence_next(self._cursor)
        self.select(start, self._trim_end(start, end))

    def select_match(self) -> bool:
        """Select the current search match (the one the cursor is on, else the current one).
        Returns False when there is no match to select."""
        if not self._matches:
            return False
        index = bisect_right(self._match_starts, self._cursor) - 1
        if not (index >= 0 and self._matches[index][0] <= self._cursor < self._matches[index][1]):
            if self._current_match is None:
                return False
            index = self._current_match
        start, end = self._matches[index]
        self.select(start, end)
        return True

    def next_highlight(self) -> Highlight | None:
        """Move the cursor to the start of the next annotated span (wrapping around)."""
        starts = sorted({h.start for h in self._highlights})
        if not starts:
            return None
        index = bisect_right(starts, self._cursor)
        return self._go_to_highlight(starts[index % len(starts)])

    def prev_highlight(self) -> Highlight | None:
        """Move the cursor to the start of the previous annotated span (wrapping around)."""
        starts = sorted({h.start for h in self._highlights})
        if not starts:
            return None
        index = bisect_left(starts, self._cursor) - 1
        return self._go_to_highlight(starts[index % len(starts)])

    def _go_to_highlight(self, start: int) -> Highlight | None:
        self.move_cursor(start, scroll=False)
        self.scroll_to_offset(start, center=not self._offset_visible(start))
        at = self.highlights_at(start)
        return at[0] if at else None

    def select_paragraph(self) -> None:
        """Select the paragraph around the cursor."""
        index = self.paragraph_index
        start = self._para_starts[index]
        end = self._para_starts[index + 1] if index + 1 < len(self._para_starts) else len(self._text)
        self.select(start, self._trim_end(start, end))

    # ------------------------------------------------------------------ actions

    def action_cursor_left(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_cursor_right(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self._move_rows(-1)

    def action_cursor_down(self) -> None:
        self._move_rows(1)

    def action_word_next(self) -> None:
        cursor = self._cursor
        for match in _WORD.finditer(self._text, cursor):
            if match.start() > cursor:
                self._move_to_unit_start(match.start())
                return
        self.move_cursor(self._last_character)

    def action_word_prev(self) -> None:
        self.move_cursor(self._search_back(_WORD, self._cursor, lambda m: m.start()))

    def action_sentence_next(self) -> None:
        self._move_to_unit_start(self._sentence_next(self._cursor))

    def action_sentence_prev(self) -> None:
        cursor = self._cursor
        if self._sent_starts is not None:
            index = bisect_left(self._sent_starts, cursor) - 1
            self.move_cursor(self._sent_starts[index] if index >= 0 else 0)
        else:
            self.move_cursor(self._search_back(_SENTENCE_END, cursor, lambda m: m.end()))

    def action_paragraph_next(self) -> None:
        index = bisect_right(self._para_starts, self._cursor)
        target = self._para_starts[index] if index < len(self._para_starts) else self._max_cursor
        self._move_to_unit_start(target)

    def action_paragraph_prev(self) -> None:
        index = bisect_left(self._para_starts, self._cursor) - 1
        self.move_cursor(self._para_starts[index] if index >= 0 else 0)

    def action_line_start(self) -> None:
        if self._layout is None:
            return
        _, start, _, _ = self._row_span(self._row_of(self._cursor))
        self.move_cursor(start)

    def action_line_end(self) -> None:
        if self._layout is None:
            return
        row = self._row_of(self._cursor)
        self.move_cursor(self._row_last_offset(row))

    def action_page_down_cursor(self) -> None:
        self._page(1)

    def action_page_up_cursor(self) -> None:
        self._page(-1)

    def action_document_start(self) -> None:
        self.move_cursor(0)

    def action_document_end(self) -> None:
        self.move_cursor(self._last_character)

    def action_next_match(self) -> None:
        self.next_match()

    def action_prev_match(self) -> None:
        self.prev_match()

    def action_toggle_selection(self) -> None:
        if self._anchor is None:
            self.start_selection()
        else:
            self.clear_selection()

    def action_swap_selection_end(self) -> None:
        if self._anchor is None:
            raise SkipAction()
        selection = self.selection
        anchor, self._anchor = self._anchor, self._cursor
        if self._end_at_cursor and selection is not None and anchor < self._anchor:
            self._anchor = selection[1] - 1  # the last selected character, not the one after
        self.move_cursor(anchor)

    def action_select_sentence(self) -> None:
        self.select_sentence()

    def action_select_paragraph(self) -> None:
        self.select_paragraph()

    def action_select_match(self) -> None:
        if not self.select_match():
            self.notify("No search match here: search with / first.", severity="warning")

    def action_next_highlight(self) -> None:
        if self.next_highlight() is None:
            self.notify("No annotations in this document.", severity="information")

    def action_prev_highlight(self) -> None:
        if self.prev_highlight() is None:
            self.notify("No annotations in this document.", severity="information")

    def action_clear_selection(self) -> None:
        if self._anchor is None:
            raise SkipAction()  # let escape reach the screen / app
        self.clear_selection()

    # ------------------------------------------------------------------ events

    def on_resize(self, event: events.Resize) -> None:
        self._relayout(keep_top=True)

    def on_focus(self, event: events.Focus) -> None:
        self._refresh_cursor_row()

    def on_blur(self, event: events.Blur) -> None:
        self._refresh_cursor_row()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        offset = self._offset_at_point(event.get_content_offset_capture(self))
        if offset is None:
            return
        self.focus()
        self._drag_anchor = offset
        if self._anchor is not None:
            self.clear_selection()
        self.move_cursor(offset)
        self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag_anchor is None or event.button != 1:
            return
        offset = self._offset_at_point(event.get_content_offset_capture(self))
        if offset is None or offset == self._cursor:
            return
        if self._anchor is None:
            self.start_selection(self._drag_anchor)
        self.move_cursor(offset)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag_anchor is not None:
            self._drag_anchor = None
            self.release_mouse()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base = None
        self._gutter_cache.clear()
        self._style_cache.clear()
        self._strip_cache.clear()

    # ------------------------------------------------------------------ rendering

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        layout = self._layout
        row = self.scroll_offset.y + y
        if layout is None or row >= layout.total_rows or width <= 0:
            return Strip.blank(width, self._base_style())
        line_index, start, end, last = self._row_span(row)
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
            strip = self._build_strip(line_index, start, end, last, cursor_key, selection_key, width)
            self._strip_cache[key] = strip
        return strip

    def _build_strip(
        self,
        line_index: int,
        start: int,
        end: int,
        last: bool,
        cursor: int,
        selection: tuple[int, int] | None,
        width: int,
    ) -> Strip:
        base = self._base_style()
        line = self._lines[line_index]
        line_start = self._line_starts[line_index]
        row_end = end + 1 if last else end
        highlights = self._highlights_in(start, row_end)
        matches = self._matches_in(start, row_end)

        # Boundaries where the style may change.
        points = {start, row_end}
        for h in highlights:
            points.add(max(h.start, start))
            points.add(min(h.end, row_end))
        for m_start, m_end in matches:
            points.add(max(m_start, start))
            points.add(min(m_end, row_end))
        if selection is not None:
            points.update(selection)
        if cursor >= 0:
            points.add(cursor)
            points.add(cursor + 1)
        cuts = sorted(p for p in points if start <= p <= row_end)

        if line_index in self._complex:
            display: DisplayLine | None = self._display_line(line_index)
        else:
            display = None
        rel = line_start  # offsets in this row are relative to the source line for slicing
        cr_at = len(line) - 1 if line.endswith("\r") else -1
        current = self._matches[self._current_match] if self._current_match is not None else None

        segments: list[Segment] = self._gutter(highlights, base)
        cells = GUTTER
        for a, b in zip(cuts, cuts[1:]):
            if a >= end:  # the end-of-line cell
                piece = " "
            else:
                b_text = min(b, end)
                if display is not None:
                    piece = display.display_slice(a - rel, b_text - rel)
                else:
                    piece = sanitize(line[a - rel : b_text - rel])
                if cr_at >= 0 and a - rel <= cr_at < b_text - rel:  # CRLF: the CR shows as a space
                    k = cr_at - (a - rel)
                    piece = piece[:k] + " " + piece[k + 1 :] if display is None else piece
                if b > end:
                    piece += " "
            covering = [h for h in highlights if h.start <= a < h.end]
            match_state = 0
            for m_start, m_end in matches:
                if m_start <= a < m_end:
                    match_state = 2 if current == (m_start, m_end) else max(match_state, 1)
            selected = selection is not None and selection[0] <= a < selection[1]
            is_cursor = a == cursor
            segments.append(Segment(piece, self._style(covering, match_state, selected, is_cursor)))
            cells += len(piece) if display is None else cell_len(piece)
        if cells < width:
            segments.append(Segment(" " * (width - cells), base))
        elif cells > width:
            return Strip(segments).adjust_cell_length(width, base)
        return Strip(segments, width)

    def _gutter(self, highlights: list[Highlight], base: Style) -> list[Segment]:
        colors: list[str] = []
        for h in highlights:
            if h.color not in colors:
                colors.append(h.color)
                if len(colors) == GUTTER:
                    break
        key = tuple(colors)
        segments = self._gutter_cache.get(key)
        if segments is None:
            segments = [Segment(MARKER, base + Style(color=color)) for color in colors]
            if len(colors) < GUTTER:
                segments.append(Segment(" " * (GUTTER - len(colors)), base))
            self._gutter_cache[key] = segments
        return segments.copy()

    def _base_style(self) -> Style:
        style = self._base
        if style is None:
            style = self._base = self.rich_style
        return style

    def _style(self, covering: list[Highlight], match_state: int, selected: bool, cursor: bool) -> Style:
        if covering:
            top = min(covering, key=lambda h: (h.end - h.start, -h.start))  # innermost on top
            color, depth = top.color, len(covering)
        else:
            color, depth = "", 0
        focused = self.has_focus
        key = (color, depth > 1, match_state, selected, cursor, focused)
        style = self._style_cache.get(key)
        if style is None:
            style = self._base_style()
            if color:
                style += Style(bgcolor=self._tint(color))
                if depth > 1:
                    style += Style(underline=True)
            if match_state:
                name = "document-view--match-current" if match_state == 2 else "document-view--match"
                style += self.get_component_rich_style(name, partial=True)
            if selected:
                style += self.get_component_rich_style("document-view--selection", partial=True)
            if cursor:
                name = "document-view--cursor" if focused else "document-view--cursor-blurred"
                style += self.get_component_rich_style(name, partial=True)
            self._style_cache[key] = style
        return style

    def _tint(self, color: str) -> str:
        try:
            tag = Color.parse(color)
        except Exception:
            tag = Color.parse("#888888")
        background = self.background_colors[1]
        return background.blend(tag, 0.45).hex

    # ------------------------------------------------------------------ layout

    def _relayout(self, keep_top: bool) -> None:
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        top_offset = None
        if keep_top and self._layout is not None and self._layout.total_rows:
            top_row = min(self.scroll_offset.y, self._layout.total_rows - 1)
            top_offset = self._row_span(top_row)[1]
        text_width = max(1, width - GUTTER - 1)
        layout = self._layouts.get(text_width)
        if layout is None:
            layout = self._compute_layout(text_width)
            if len(self._layouts) >= 4:
                self._layouts.clear()
            self._layouts[text_width] = layout
        if layout is self._layout:
            return
        self._layout = layout
        self._strip_cache.clear()
        self.virtual_size = Size(width, layout.total_rows)
        if top_offset is not None:
            self.scroll_to(y=self._row_of(top_offset), animate=False, force=True)
            self._scroll_offset_into_view(self._cursor)
        self.refresh()

    def _compute_layout(self, width: int) -> _Layout:
        lens = self._lens
        todo = {i for i, n in enumerate(lens) if n > width}
        todo |= self._complex
        if not todo:
            return _Layout(width, list(range(len(lens) + 1)), {})
        counts = [1] * len(lens)
        breaks: dict[int, list[int]] = {}
        lines = self._lines
        complex_lines = self._complex
        for i in todo:
            if i in complex_lines:
                starts = wrap_display(self._display_line(i), width)
            else:
                starts = wrap_simple(lines[i], width)
            if len(starts) > 1:
                breaks[i] = starts
                counts[i] = len(starts)
        return _Layout(width, [0, *accumulate(counts)], breaks)

    def _display_line(self, index: int) -> DisplayLine:
        display = self._display_cache.get(index)
        if display is None:
            line = self._lines[index]
            if line.endswith("\r"):
                line = line[:-1] + " "
            display = display_cells(line, tab_size=_TAB_SIZE)
            self._display_cache[index] = display
        return display

    def _row_span(self, row: int) -> tuple[int, int, int, bool]:
        """(source line, start offset, end offset, is the line's last row) of a visual row."""
        layout = self._layout
        assert layout is not None
        index = bisect_right(layout.row_prefix, row) - 1
        sub = row - layout.row_prefix[index]
        base = self._line_starts[index]
        starts = layout.breaks.get(index)
        if starts is None:
            return index, base, base + self._lens[index], True
        start = base + starts[sub]
        if sub + 1 < len(starts):
            return index, start, base + starts[sub + 1], False
        return index, start, base + self._lens[index], True

    def _row_of(self, offset: int) -> int:
        layout = self._layout
        assert layout is not None
        index = bisect_right(self._line_starts, offset) - 1
        starts = layout.breaks.get(index)
        if starts is None:
            return layout.row_prefix[index]
        rel = offset - self._line_starts[index]
        return layout.row_prefix[index] + bisect_right(starts, rel) - 1

    def _row_last_offset(self, row: int) -> int:
        _, start, end, last = self._row_span(row)
        return end if last else max(start, end - 1)

    def _column_of(self, offset: int, row_start: int, line_index: int) -> int:
        if line_index in self._complex:
            display = self._display_line(line_index)
            base = self._line_starts[line_index]
            rel_end = min(offset - base, len(display.source))
            extra = offset - base - rel_end  # the end-of-line cell
            return display.columns[rel_end] - display.columns[row_start - base] + extra
        return offset - row_start

    def _offset_in_row(self, row: int, column: int) -> int:
        line_index, start, end, last = self._row_span(row)
        last_offset = end if last else max(start, end - 1)
        column = max(0, column)
        if line_index in self._complex:
            display = self._display_line(line_index)
            base = self._line_starts[line_index]
            target = display.columns[start - base] + column
            offset = base + display.column_to_offset(target)
            if target >= display.columns[-1]:
                offset = end
        else:
            offset = start + column
        return max(start, min(offset, last_offset))

    def _offset_at_point(self, point: Any) -> int | None:
        if point is None or self._layout is None or not self._layout.total_rows:
            return None
        row = min(max(0, self.scroll_offset.y + point.y), self._layout.total_rows - 1)
        return self._offset_in_row(row, point.x - GUTTER)

    # ------------------------------------------------------------------ motions

    def _clamp(self, offset: int) -> int:
        return max(0, min(int(offset), self._max_cursor))

    @property
    def _last_character(self) -> int:
        """The document's last character (`_max_cursor` is the end-of-line cell after it)."""
        return self._max_cursor - 1 if self._max_cursor and self._lens[-1] else self._max_cursor

    def _move_to_unit_start(self, offset: int) -> None:
        """A forward motion to the start of the next unit: a selection ends before it."""
        self.move_cursor(offset, end_at_cursor=True)

    def _cursor_column(self) -> int:
        if self._goal_column is None:
            row = self._row_of(self._cursor)
            line_index, start, _, _ = self._row_span(row)
            self._goal_column = self._column_of(self._cursor, start, line_index)
        return self._goal_column

    def _move_rows(self, delta: int) -> None:
        layout = self._layout
        if layout is None:
            return
        column = self._cursor_column()
        row = self._row_of(self._cursor) + delta
        if row < 0:
            self.move_cursor(0)
            return
        if row >= layout.total_rows:
            self.move_cursor(self._max_cursor)
            return
        self.move_cursor(self._offset_in_row(row, column), keep_goal=True)

    def _page(self, direction: int) -> None:
        layout = self._layout
        if layout is None:
            return
        page = max(1, self.scrollable_content_region.height - 1)
        column = self._cursor_column()
        row = self._row_of(self._cursor)
        target = min(max(0, row + direction * page), layout.total_rows - 1)
        new_scroll = min(max(0, self.scroll_offset.y + direction * page), self.max_scroll_y)
        if new_scroll != self.scroll_offset.y:
            self.scroll_to(y=new_scroll, animate=False, force=True)
        if target == row:
            target_offset = 0 if direction < 0 else self._max_cursor
            self.move_cursor(target_offset)
        else:
            self.move_cursor(self._offset_in_row(target, column), keep_goal=True)

    def _search_back(self, pattern: re.Pattern[str], cursor: int, pick: Any) -> int:
        """The last position (`pick(match)`) of `pattern` strictly before `cursor`, or 0."""
        window = 512
        while True:
            low = max(0, cursor - window)
            best = None
            for match in pattern.finditer(self._text, low, cursor):
                position = pick(match)
                if position < cursor and (low == 0 or match.start() > low):
                    best = position
            if best is not None or low == 0:
                return best if best is not None else 0
            window *= 4

    def _sentence_next(self, cursor: int) -> int:
        if self._sent_starts is not None:
            index = bisect_right(self._sent_starts, cursor)
            return self._sent_starts[index] if index < len(self._sent_starts) else self._max_cursor
        for match in _SENTENCE_END.finditer(self._text, max(0, cursor - 16)):
            if match.end() > cursor:
                return min(match.end(), self._max_cursor)
        return self._max_cursor

    def _sentence_start_at(self, cursor: int) -> int:
        if self._sent_starts is not None:
            index = bisect_right(self._sent_starts, cursor) - 1
            return self._sent_starts[index] if index >= 0 else 0
        return self._search_back(_SENTENCE_END, cursor + 1, lambda m: m.end())

    def _trim_end(self, start: int, end: int) -> int:
        """`end` moved back over trailing whitespace (but not before `start`)."""
        text = self._text
        while end > start + 1 and text[end - 1].isspace():
            end -= 1
        return end

    def _go_to_match(self, index: int, announce: bool = False) -> int:
        old = self._current_match
        self._current_match = index
        start, _ = self._matches[index]
        if old != index:
            self._strip_cache.clear()
            self.refresh()  # old and new current match restyle; cheap (visible rows only)
        self.move_cursor(start, scroll=False)
        self.scroll_to_offset(start, center=not self._offset_visible(start))
        if announce:
            self.post_message(MatchChanged(self.doc_id, index, len(self._matches)))
        return index

    # ------------------------------------------------------------------ helpers

    def _set_highlights(self, highlights: Iterable[Highlight]) -> None:
        self._highlights = sorted(highlights, key=lambda h: (h.start, h.end))
        buckets: dict[int, list[Highlight]] = {}
        for h in self._highlights:
            if h.end <= h.start:
                continue
            for bucket in range(h.start // _BUCKET, (h.end - 1) // _BUCKET + 1):
                buckets.setdefault(bucket, []).append(h)
        self._hl_buckets = buckets

    def _set_matches(self, spans: Iterable[tuple[int, int]], current: int | None) -> None:
        self._matches = sorted((int(s), int(e)) for s, e in spans if e > s)
        self._match_starts = [s for s, _ in self._matches]
        if current is None or not self._matches:
            self._current_match = None
        else:
            self._current_match = max(0, min(current, len(self._matches) - 1))

    def _highlights_in(self, start: int, end: int) -> list[Highlight]:
        if not self._hl_buckets:
            return []
        found: dict[int, Highlight] = {}
        for bucket in range(start // _BUCKET, max(start, end - 1) // _BUCKET + 1):
            for h in self._hl_buckets.get(bucket, ()):
                if h.start < end and h.end > start:
                    found[id(h)] = h
        return list(found.values())

    def _matches_in(self, start: int, end: int) -> list[tuple[int, int]]:
        matches = self._matches
        if not matches:
            return []
        index = bisect_right(self._match_starts, start) - 1
        while index > 0 and matches[index - 1][1] > start:
            index -= 1
        index = max(0, index)
        found = []
        while index < len(matches) and matches[index][0] < end:
            if matches[index][1] > start:
                found.append(matches[index])
            index += 1
        return found

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
        count = len(self._para_starts)
        last = self._last_character
        percent = 100.0 * min(self._cursor, last) / last if last else 0.0
        self.post_message(
            CursorMoved(self.doc_id, self._cursor, self.paragraph_index, count, percent)
        )

    def _post_selection(self) -> None:
        selection = self.selection
        start, end = selection if selection is not None else (None, None)
        self.post_message(SelectionChanged(self.doc_id, start, end))

