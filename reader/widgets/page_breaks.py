"""Where a PDF's pages start, drawn in the reader without touching the text or its offsets.

A page that starts a paragraph has the blank line before it, a row with no text: that row
shows a dim rule with the page, "──── p. 12 ────". A page that starts inside a paragraph
(the paragraph runs over the page break) marks the row it starts in: the gutter shows "┄"
in both cells, and the status bar names the page under the cursor as everywhere. Nothing
is inserted into the text, so the cursor, selections, searches and annotations keep their
offsets; the rule sits on a row that is already there.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style

from reader.safe_text import sanitize

__all__ = ["PageBreaks", "RULE", "ROW_MARK"]

RULE = "\u2500"  # '─'
ROW_MARK = "\u2504"  # '┄'


class PageBreaks:
    """The pages after the first of one document: (offset where it starts, its label)."""

    def __init__(self, text: str, pages: Iterable[tuple[int, str]]) -> None:
        self._rules: dict[int, str] = {}  # offset of a blank line -> the label of the page after
        inside: list[int] = []
        for start, label in pages:
            if start <= 0:
                continue  # the first page needs no mark
            if text[start - 2 : start] == "\n\n":
                self._rules[start - 1] = sanitize(f"p. {label}")
            else:
                inside.append(start)
        self._inside = sorted(inside)

    def __bool__(self) -> bool:
        return bool(self._rules or self._inside)

    def rule_at(self, line_start: int) -> str | None:
        """The page named on the blank line starting at `line_start`, if one follows it."""
        return self._rules.get(line_start)

    def starts_within(self, start: int, end: int) -> bool:
        """Whether a page starts inside a paragraph in the row [start, end)."""
        i = bisect_left(self._inside, start)
        return i < len(self._inside) and self._inside[i] < end

    @staticmethod
    def rule_segments(label: str, width: int, gutter: int, style: Style, cursor: Style | None = None) -> list[Segment]:
        """The blank row before a page: gutter, then "──── p. 12 ──────" across the row; its
        first cell in `cursor`'s style when the cursor is on the row (its only cell)."""
        text_width = max(0, width - gutter)
        rule = RULE * 4 + f" {label} "
        if cell_len(rule) > text_width:
            rule = set_cell_size(rule, text_width)
        rule += RULE * (text_width - cell_len(rule))
        dim = style + Style(dim=True)
        segments = [Segment(" " * gutter, style)]
        if cursor is not None and rule:
            segments += [Segment(rule[0], cursor), Segment(rule[1:], dim)]
        else:
            segments.append(Segment(rule, dim))
        return segments

    @staticmethod
    def row_mark(gutter: int, style: Style) -> list[Segment]:
        """The gutter of a row where a page starts inside a paragraph."""
        return [Segment(ROW_MARK * gutter, style + Style(dim=True))]
