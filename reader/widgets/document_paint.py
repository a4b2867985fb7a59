"""Drawing one visual row of the reader pane as a Strip: the gutter's annotation markers, then
the text cut where its style changes (annotations tinted, the innermost on top; search matches;
the selection; the cursor).

Every piece comes from `safe_text` output as plain Segments: corpus text is never parsed as
markup and no control character reaches the terminal. Styles come from the widget's component
classes and are cached by what decides them; `reset` drops them when the theme or focus styles
change.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip
from textual.widget import Widget

from reader.highlight import Highlight
from reader.safe_text import DisplayLine, sanitize
from reader.widgets.document_layout import DocumentLines
from reader.widgets.document_marks import Highlights, Matches
from reader.widgets.page_breaks import PageBreaks

__all__ = ["GUTTER", "MARKER", "RowPainter"]

GUTTER = 2  # left margin: annotation markers
MARKER = "\u258c"  # '▌'


class RowPainter:
    """Builds the strips of one document view, with the styles it caches."""

    def __init__(self, widget: Widget) -> None:
        self._widget = widget
        self._base: Style | None = None
        self._style_cache: dict[tuple, Style] = {}
        self._gutter_cache: dict[tuple, list[Segment]] = {}

    def reset(self) -> None:
        """Forget the cached styles (the widget's styles changed)."""
        self._base = None
        self._gutter_cache.clear()
        self._style_cache.clear()

    def paint(
        self,
        doc: DocumentLines,
        highlights_index: Highlights,
        matches_index: Matches,
        line_index: int,
        start: int,
        end: int,
        last: bool,
        cursor: int,
        selection: tuple[int, int] | None,
        width: int,
        pages: PageBreaks | None = None,
    ) -> Strip:
        """The strip of the visual row [start, end) of source line `line_index` (`last`: the
        line's last row, which also draws the end-of-line cell); `cursor` is -1 when the cursor
        is not on this row, `selection` the part of the selection on it."""
        base = self.base_style()
        line = doc.lines[line_index]
        line_start = doc.line_starts[line_index]
        row_end = end + 1 if last else end
        highlights = highlights_index.within(start, row_end)
        matches = matches_index.within(start, row_end)

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

        if line_index in doc.complex:
            display: DisplayLine | None = doc.display_line(line_index)
        else:
            display = None
        rel = line_start  # offsets in this row are relative to the source line for slicing
        cr_at = len(line) - 1 if line.endswith("\r") else -1
        current = matches_index.current_span

        rule = pages.rule_at(line_start) if pages and not line else None
        if pages and rule:  # the blank line before a page
            on_row = self._style([], 0, False, True) if cursor >= 0 else None
            return Strip(pages.rule_segments(rule, width, GUTTER, base, on_row), width)
        if pages and not highlights and pages.starts_within(start, row_end):
            segments: list[Segment] = pages.row_mark(GUTTER, base)
        else:
            segments = self._gutter(highlights, base)
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
        """The margin of a row: a marker per tag colour, or per coder (their letter, in the tag's
        colour: readable without colour) when several coders' annotations are shown."""
        cells: list[tuple[str, str, bool]] = []  # (glyph, colour, a coder's letter)
        seen: set[str] = set()
        for h in highlights:
            who = h.mark or h.color
            if who not in seen:
                seen.add(who)
                cells.append((h.mark or MARKER, h.color, bool(h.mark)))
                if len(cells) == GUTTER:
                    break
        key = tuple(cells)
        segments = self._gutter_cache.get(key)
        if segments is None:
            segments = [Segment(glyph, base + Style(color=color, bold=letter)) for glyph, color, letter in cells]
            if len(cells) < GUTTER:
                segments.append(Segment(" " * (GUTTER - len(cells)), base))
            self._gutter_cache[key] = segments
        return segments.copy()

    def base_style(self) -> Style:
        style = self._base
        if style is None:
            style = self._base = self._widget.rich_style
        return style

    def _style(self, covering: list[Highlight], match_state: int, selected: bool, cursor: bool) -> Style:
        if covering:
            top = min(covering, key=lambda h: (h.end - h.start, -h.start))  # innermost on top
            color, depth = top.color, len(covering)
        else:
            color, depth = "", 0
        focused = self._widget.has_focus
        key = (color, depth > 1, match_state, selected, cursor, focused)
        style = self._style_cache.get(key)
        if style is None:
            style = self.base_style()
            if color:
                style += Style(bgcolor=self._tint(color))
                if depth > 1:
                    style += Style(underline=True)
            if match_state:
                name = "document-view--match-current" if match_state == 2 else "document-view--match"
                style += self._widget.get_component_rich_style(name, partial=True)
            if selected:
                style += self._widget.get_component_rich_style("document-view--selection", partial=True)
            if cursor:
                name = "document-view--cursor" if focused else "document-view--cursor-blurred"
                style += self._widget.get_component_rich_style(name, partial=True)
            self._style_cache[key] = style
        return style

    def _tint(self, color: str) -> str:
        try:
            tag = Color.parse(color)
        except Exception:
            tag = Color.parse("#888888")
        background = self._widget.background_colors[1]
        return background.blend(tag, 0.45).hex
