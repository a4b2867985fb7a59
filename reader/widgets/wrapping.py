"""Line wrapping for the document view: where each row of a source line starts.

Two paths, because nearly every line of a real corpus is plain one-cell-per-character text and
that case is a few `str.rfind` calls; lines with tabs, wide or zero-width characters go by the
cell columns `reader.safe_text.DisplayLine` computed for them.
"""

from __future__ import annotations

from bisect import bisect_right

from reader.safe_text import DisplayLine

__all__ = ["wrap_display", "wrap_simple"]


def wrap_simple(line: str, width: int) -> list[int]:
    """Row starts of a line whose characters are all one cell wide. A space may hang one cell
    past `width` (into the end-of-line cell) so a break never starts a row with it."""
    n = len(line)
    starts = [0]
    p = 0
    rfind = line.rfind
    while n - p > width:
        brk = rfind(" ", p + 1, p + width + 1)
        q = brk + 1 if brk != -1 else p + width
        starts.append(q)
        p = q
    return starts


def wrap_display(display: DisplayLine, width: int) -> list[int]:
    """Row starts of a line with tabs, wide or zero-width characters (by cell columns)."""
    source = display.source
    columns = display.columns
    n = len(source)
    starts = [0]
    p = 0
    while columns[n] - columns[p] > width:
        limit = columns[p] + width
        q = bisect_right(columns, limit, p) - 1  # chars [p, q) fit in `width` cells
        brk = source.rfind(" ", p + 1, q + 1)
        nq = brk + 1 if brk != -1 else max(q, p + 1)
        starts.append(nq)
        p = nq
    return starts
