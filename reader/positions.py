"""Where a reader of the original finds an offset of an extracted document: "p. 12", "00:14:03"."""

from __future__ import annotations

from index.document import position_at
from reader.safe_text import sanitize


def position_of(opened, offset: int) -> str | None:
    """The page or cue time at `offset` of an opened document (anything with `.document`),
    made safe to show (a PDF's page label is untrusted text); None for text files.

    A cue time says the transcript's length ("00:14:03 of 00:41:10"); a page whose text
    Tesseract read says so ("p. 3, OCR").
    """
    document = getattr(opened, "document", None)
    found = position_at(getattr(document, "positions", ()), offset) if document is not None else None
    if found is None or document is None:
        return None
    meta = document.meta
    shown = found.cite()
    if found.kind == "time" and meta.duration:
        shown += f" of {meta.duration}"
    elif found.kind == "page" and found.label in meta.ocr_pages:
        shown += ", OCR"
    return sanitize(shown)


def page_starts(document) -> list[tuple[int, str]]:
    """(offset, label) of each page of an extracted PDF, for the reader's page marks; none
    for other documents."""
    return [(p.start, p.label) for p in getattr(document, "positions", ()) if p.kind == "page"]
