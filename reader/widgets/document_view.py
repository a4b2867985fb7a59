"""The reader pane as the app mounts it: a read-only document view with vim-like keys, the
mouse, and its styles.

`DocumentPane` (reader.widgets.document_pane) holds the document, the cursor, the selection,
the matches and annotations, and draws the rows; this class adds what each key does (every
binding has the id the keymap remaps), clicking and dragging to select, and the component
classes its rows are styled with. Where a motion goes in the text is
`reader.widgets.document_motions`; rows and columns come from the pane's layout.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.actions import SkipAction
from textual.binding import Binding, BindingType

from reader.highlight import Highlight
from reader.widgets.document_paint import GUTTER
from reader.widgets.document_pane import FREEZE_CHARS, DocumentPane

__all__ = ["FREEZE_CHARS", "GUTTER", "DocumentView", "Highlight"]


class DocumentView(DocumentPane, can_focus=True):
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
        Binding(
            "right_parenthesis",
            "sentence_next",
            "Next sentence",
            show=False,
            key_display=")",
            id="reader.cursor.sentence_next",
        ),
        Binding(
            "left_parenthesis",
            "sentence_prev",
            "Previous sentence",
            show=False,
            key_display="(",
            id="reader.cursor.sentence_prev",
        ),
        Binding(
            "right_curly_bracket",
            "paragraph_next",
            "Next paragraph",
            show=False,
            key_display="}",
            id="reader.cursor.paragraph_next",
        ),
        Binding(
            "left_curly_bracket",
            "paragraph_prev",
            "Previous paragraph",
            show=False,
            key_display="{",
            id="reader.cursor.paragraph_prev",
        ),
        Binding("home", "line_start", "Line start", show=False, id="reader.cursor.line_start"),
        Binding("end", "line_end", "Line end", show=False, id="reader.cursor.line_end"),
        Binding("pagedown,ctrl+f,space", "page_down_cursor", "Page down", show=False, id="reader.page.down"),
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
        Binding(
            "right_square_bracket",
            "next_highlight",
            "Next annotation",
            show=False,
            key_display="]",
            id="reader.annotation.next",
        ),
        Binding(
            "left_square_bracket",
            "prev_highlight",
            "Previous annotation",
            show=False,
            key_display="[",
            id="reader.annotation.prev",
        ),
        Binding("escape", "clear_selection", "Clear selection", show=False, id="reader.select.clear"),
    ]

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
        target = self._motions.word_next(self._cursor)
        if target is None:
            self.move_cursor(self._doc.last_character)
        else:
            self._move_to_unit_start(target)

    def action_word_prev(self) -> None:
        self.move_cursor(self._motions.word_prev(self._cursor))

    def action_sentence_next(self) -> None:
        self._move_to_unit_start(self._motions.sentence_next(self._cursor))

    def action_sentence_prev(self) -> None:
        self.move_cursor(self._motions.sentence_prev(self._cursor))

    def action_paragraph_next(self) -> None:
        self._move_to_unit_start(self._motions.paragraph_next(self._cursor))

    def action_paragraph_prev(self) -> None:
        self.move_cursor(self._motions.paragraph_prev(self._cursor))

    def action_line_start(self) -> None:
        if self._layout is None:
            return
        _, start, _, _ = self._layout.row_span(self._row_of(self._cursor))
        self.move_cursor(start)

    def action_line_end(self) -> None:
        if self._layout is None:
            return
        self.move_cursor(self._layout.row_last_offset(self._row_of(self._cursor)))

    def action_page_down_cursor(self) -> None:
        self._page(1)

    def action_page_up_cursor(self) -> None:
        self._page(-1)

    def action_document_start(self) -> None:
        self.move_cursor(0)

    def action_document_end(self) -> None:
        self.move_cursor(self._doc.last_character)

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

    # ------------------------------------------------------------------ mouse

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

    # ------------------------------------------------------------------ motions by row

    def _move_to_unit_start(self, offset: int) -> None:
        """A forward motion to the start of the next unit: a selection ends before it."""
        self.move_cursor(offset, end_at_cursor=True)

    def _cursor_column(self) -> int:
        if self._goal_column is None:
            assert self._layout is not None
            line_index, start, _, _ = self._layout.row_span(self._row_of(self._cursor))
            self._goal_column = self._doc.column_of(self._cursor, start, line_index)
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
            self.move_cursor(self._doc.max_cursor)
            return
        self.move_cursor(layout.offset_in_row(row, column), keep_goal=True)

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
            target_offset = 0 if direction < 0 else self._doc.max_cursor
            self.move_cursor(target_offset)
        else:
            self.move_cursor(layout.offset_in_row(target, column), keep_goal=True)
