"""What is marked on a document's text, indexed for drawing one row at a time: the annotated
spans and the search matches (no Textual, no rich).

Drawing a row asks "what covers [start, end)?" for the few dozen characters on it, so both
answer by offset without scanning the document: highlights by fixed-size buckets of offsets
(an annotation may span many rows and overlap others), matches by a bisect on their sorted
starts (matches rarely overlap and are many).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Iterable

from reader.highlight import Highlight

__all__ = ["BUCKET", "Highlights", "Matches"]

BUCKET = 2048  # annotation index granularity (characters)


class Highlights:
    """The annotated spans drawn, sorted by (start, end), and found by offset."""

    def __init__(self, highlights: Iterable[Highlight] = ()) -> None:
        self.spans: list[Highlight] = sorted(highlights, key=lambda h: (h.start, h.end))
        buckets: dict[int, list[Highlight]] = {}
        for h in self.spans:
            if h.end <= h.start:
                continue
            for bucket in range(h.start // BUCKET, (h.end - 1) // BUCKET + 1):
                buckets.setdefault(bucket, []).append(h)
        self._buckets = buckets

    def within(self, start: int, end: int) -> list[Highlight]:
        """The spans overlapping [start, end)."""
        if not self._buckets:
            return []
        found: dict[int, Highlight] = {}
        for bucket in range(start // BUCKET, max(start, end - 1) // BUCKET + 1):
            for h in self._buckets.get(bucket, ()):
                if h.start < end and h.end > start:
                    found[id(h)] = h
        return list(found.values())

    def at(self, offset: int) -> list[Highlight]:
        """The spans covering `offset`, innermost (shortest) first."""
        found = [h for h in self.within(offset, offset + 1) if h.start <= offset < h.end]
        return sorted(found, key=lambda h: (h.end - h.start, h.start))

    def next_start(self, cursor: int) -> int | None:
        """The start of the next span after `cursor` (wrapping around), None without spans."""
        starts = sorted({h.start for h in self.spans})
        if not starts:
            return None
        return starts[bisect_right(starts, cursor) % len(starts)]

    def prev_start(self, cursor: int) -> int | None:
        """The start of the previous span before `cursor` (wrapping around)."""
        starts = sorted({h.start for h in self.spans})
        if not starts:
            return None
        return starts[(bisect_left(starts, cursor) - 1) % len(starts)]


class Matches:
    """The search matches as sorted [start, end) pairs, with the current one."""

    def __init__(self, spans: Iterable[tuple[int, int]] = (), current: int | None = None) -> None:
        self.spans = sorted((int(s), int(e)) for s, e in spans if e > s)
        self._starts = [s for s, _ in self.spans]
        if current is None or not self.spans:
            self.current: int | None = None
        else:
            self.current = max(0, min(current, len(self.spans) - 1))

    def __len__(self) -> int:
        return len(self.spans)

    @property
    def current_span(self) -> tuple[int, int] | None:
        return self.spans[self.current] if self.current is not None else None

    def next_index(self, cursor: int) -> int | None:
        """The first match after `cursor` (wrapping around), None without matches."""
        if not self.spans:
            return None
        return bisect_right(self._starts, cursor) % len(self.spans)

    def prev_index(self, cursor: int) -> int | None:
        """The last match before `cursor` (wrapping around)."""
        if not self.spans:
            return None
        return (bisect_left(self._starts, cursor) - 1) % len(self.spans)

    def index_at(self, cursor: int) -> int | None:
        """The match the cursor is on, else the current one (None when neither)."""
        if not self.spans:
            return None
        index = bisect_right(self._starts, cursor) - 1
        if index >= 0 and self.spans[index][0] <= cursor < self.spans[index][1]:
            return index
        return self.current

    def within(self, start: int, end: int) -> list[tuple[int, int]]:
        """The matches overlapping [start, end)."""
        matches = self.spans
        if not matches:
            return []
        index = bisect_right(self._starts, start) - 1
        while index > 0 and matches[index - 1][1] > start:
            index -= 1
        index = max(0, index)
        found = []
        while index < len(matches) and matches[index][0] < end:
            if matches[index][1] > start:
                found.append(matches[index])
            index += 1
        return found
