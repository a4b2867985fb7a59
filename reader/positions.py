"""Where a reader of the original finds an offset of an extracted document: "p. 12", "00:14:03"."""

from __future__ import annotations

from index.document import position_at
from reader.safe_text import sanitize


def position_of(opened, offset: int) -> str | None:
    """The page or cue time at `offset` of an opened document (anything with `.document`),
    made safe to show (a PDF's page label is untrusted text); None for text files."""
    document = getattr(opened, "document", None)
    found = position_at(getattr(document, "positions", ()), offset) if document is not None else None
    return sanitize(found.cite()) if found is not None else None
