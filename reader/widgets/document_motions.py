"""The reader's motions by word, sentence and paragraph, and its selection rule, as offsets
(no Textual, no rich).

The document view (`reader.widgets.document_view`) maps keys to these and moves its cursor to
the offset they return; tests use them headless. Sentences and paragraphs come from the
document's analysis when the caller has it (`index.document.Span`s), else from blank lines and
sentence punctuation in the text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Any, Protocol, Sequence

from reader.widgets.document_layout import DocumentLines

__all__ = ["Motions", "SpanLike"]

WORD = re.compile(r"\w+|[^\w\s]+")
SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*\s+|\n[ \t\r]*\n\s*")
PARAGRAPH_BREAK = re.compile(r"\n(?:[ \t\r\f\v]*\n)+")


class SpanLike(Protocol):  # read-only: a frozen `Span` is one
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


class Motions:
    """Where each motion goes from a cursor, in one document."""

    def __init__(
        self,
        lines: DocumentLines,
        paragraphs: Sequence[SpanLike] = (),
        sentences: Sequence[SpanLike] = (),
    ) -> None:
        self.text = text = lines.text
        self.max_cursor = lines.max_cursor
        self.last_character = lines.last_character
        if paragraphs:
            self.para_starts = sorted(span.start for span in paragraphs) or [0]
        else:
            self.para_starts = [0, *(m.end() for m in PARAGRAPH_BREAK.finditer(text))]
        self.sent_starts = sorted(span.start for span in sentences) if sentences else None

    @property
    def paragraph_count(self) -> int:
        return len(self.para_starts)

    def paragraph_index(self, cursor: int) -> int:
        return max(0, bisect_right(self.para_starts, cursor) - 1)

    def word_next(self, cursor: int) -> int | None:
        """The start of the next word after `cursor`, or None when there is none."""
        for match in WORD.finditer(self.text, cursor):
            if match.start() > cursor:
                return match.start()
        return None

    def word_prev(self, cursor: int) -> int:
        return self.search_back(WORD, cursor, lambda m: m.start())

    def sentence_next(self, cursor: int) -> int:
        """The start of the next sentence (the end of the text after the last one)."""
        if self.sent_starts is not None:
            index = bisect_right(self.sent_starts, cursor)
            return self.sent_starts[index] if index < len(self.sent_starts) else self.max_cursor
        for match in SENTENCE_END.finditer(self.text, max(0, cursor - 16)):
            if match.end() > cursor:
                return min(match.end(), self.max_cursor)
        return self.max_cursor

    def sentence_prev(self, cursor: int) -> int:
        if self.sent_starts is not None:
            index = bisect_left(self.sent_starts, cursor) - 1
            return self.sent_starts[index] if index >= 0 else 0
        return self.search_back(SENTENCE_END, cursor, lambda m: m.end())

    def sentence_start_at(self, cursor: int) -> int:
        """The start of the sentence `cursor` is in."""
        if self.sent_starts is not None:
            index = bisect_right(self.sent_starts, cursor) - 1
            return self.sent_starts[index] if index >= 0 else 0
        return self.search_back(SENTENCE_END, cursor + 1, lambda m: m.end())

    def sentence_around(self, cursor: int) -> tuple[int, int]:
        """[start, end) of the sentence around `cursor`, its trailing blanks dropped."""
        start = self.sentence_start_at(cursor)
        return start, self.trim_end(start, self.sentence_next(cursor))

    def paragraph_next(self, cursor: int) -> int:
        index = bisect_right(self.para_starts, cursor)
        return self.para_starts[index] if index < len(self.para_starts) else self.max_cursor

    def paragraph_prev(self, cursor: int) -> int:
        index = bisect_left(self.para_starts, cursor) - 1
        return self.para_starts[index] if index >= 0 else 0

    def paragraph_around(self, cursor: int) -> tuple[int, int]:
        """[start, end) of the paragraph around `cursor`, its trailing blanks dropped."""
        index = self.paragraph_index(cursor)
        start = self.para_starts[index]
        end = self.para_starts[index + 1] if index + 1 < len(self.para_starts) else len(self.text)
        return start, self.trim_end(start, end)

    def selection(self, anchor: int | None, cursor: int, end_at_cursor: bool) -> tuple[int, int] | None:
        """The selected [start, end) between `anchor` and `cursor`, or None. The cursor's character
        is included, except after a forward motion to the start of the next word, sentence or
        paragraph (`end_at_cursor`): that start is where the selection stops (its trailing blanks
        dropped), not its last character."""
        if anchor is None:
            return None
        start = min(anchor, cursor)
        if end_at_cursor and cursor > anchor:
            end = self.trim_end(start, cursor)
        else:
            end = min(max(anchor, cursor) + 1, len(self.text))
        return (start, end) if end > start else None

    def search_back(self, pattern: re.Pattern[str], cursor: int, pick: Any) -> int:
        """The last position (`pick(match)`) of `pattern` strictly before `cursor`, or 0."""
        window = 512
        while True:
            low = max(0, cursor - window)
            best = None
            for match in pattern.finditer(self.text, low, cursor):
                position = pick(match)
                if position < cursor and (low == 0 or match.start() > low):
                    best = position
            if best is not None or low == 0:
                return best if best is not None else 0
            window *= 4

    def trim_end(self, start: int, end: int) -> int:
        """`end` moved back over trailing whitespace (but not before `start`)."""
        text = self.text
        while end > start + 1 and text[end - 1].isspace():
            end -= 1
        return end
