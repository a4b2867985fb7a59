"""Messages the reader's widgets post, in one place (toolong's pattern).

Each is a dataclass so it prints and compares well in tests (`message_hook=messages.append`).
High-rate messages set `can_replace` so Textual's queue coalesces a burst of them into the last.
Handlers are named after the class: `on_cursor_moved`, `on_match_changed`, `on_selection_changed`.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class CursorMoved(Message):
    """The reader's cursor moved (or a document was loaded).

    `offset` is a code-point offset into the document text; `paragraph_index` is 0-based (the
    paragraph containing the cursor) out of `paragraph_count`; `percent` is the cursor's position
    through the document, 0.0 to 100.0.
    """

    doc_id: str
    offset: int
    paragraph_index: int
    paragraph_count: int
    percent: float

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CursorMoved)


@dataclass
class MatchChanged(Message):
    """The current match changed: `index` is 0-based (None when there are no matches) of `total`."""

    doc_id: str
    index: int | None
    total: int


@dataclass
class SelectionChanged(Message):
    """The selection changed: half-open [start, end) offsets, or both None when it was cleared."""

    doc_id: str
    start: int | None
    end: int | None

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SelectionChanged)


@dataclass
class AnnotationRequest(Message):
    """The annotation panel asks for something done to one annotation: `action` is "jump",
    "edit" (tags and note), "delete", "reattach" (to the reader's selection) or "walk" (every
    passage of its tag)."""

    annotation_id: str
    action: str
