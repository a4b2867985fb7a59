"""The data an extractor hands back, and the one way blocks become a document's text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from index.document import Position

__all__ = ["ExtractionError", "Extracted", "Position", "Block", "assemble", "clean", "real"]


class ExtractionError(Exception):
    """The file cannot be read as its format says; `reason` is a short phrase for the report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Block:
    """One paragraph of extracted text, and the position it begins (when the format has one).

    `inner` holds positions that start inside the paragraph (a page break in the middle of
    a PDF paragraph), at offsets into its text; they need text that `clean` leaves as it is.
    """

    text: str
    position: tuple[str, str] | None = None  # (kind, label)
    inner: tuple[tuple[int, tuple[str, str]], ...] = ()  # (offset in text, (kind, label))


@dataclass(frozen=True)
class Extracted:
    text: str
    positions: tuple[Position, ...] = ()
    title: str | None = None
    author: str | None = None
    date: str | None = None
    source: str | None = None
    empty_reason: str | None = None  # why an empty text is empty ("scanned: no text layer")
    extra: dict = field(default_factory=dict)  # e.g. {"pages": 12} or {"duration": "00:41:10"}

    def __post_init__(self) -> None:
        # Here, not in each extractor: documents cached before the filter was added get it too.
        for name in ("title", "author", "source"):
            if not real(getattr(self, name)):
                object.__setattr__(self, name, None)


# What writers put where a document states no title or author: LibreOffice's EPUB export
# (libepubgen) "Unknown Title"/"Unknown Author", python-docx's defaults for a package it finds
# no core properties in ("Word Document", "python-docx"), and the generic placeholders of
# editors. Such a value is not the document's metadata: the list shows the file name instead.
PLACEHOLDERS = frozenset(
    {
        "unknown",
        "unknown author",
        "unknown title",
        "untitled",
        "untitled document",
        "no title",
        "word document",
        "python-docx",
    }
)


def real(value: str | None) -> bool:
    """Whether a title/author/source value says something (not empty, not a placeholder)."""
    if not value or not value.strip():
        return False
    return " ".join(value.split()).lower() not in PLACEHOLDERS


_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200b\u3000]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def clean(text: str) -> str:
    """One paragraph on one line: runs of spaces and line breaks become one space.

    Control characters from a damaged file go too: extracted text is shown in a terminal.
    Most lines need neither (printable, single spaces: no tab, no-break space, control or
    line break is printable): those skip the two substitutions, a tenth of a PDF's extraction.
    """
    if text.isprintable() and "  " not in text:
        return text.strip()
    return _SPACES.sub(" ", _CONTROLS.sub(" ", text.replace("\r", " ").replace("\n", " "))).strip()


def assemble(blocks: Iterable[Block], **meta) -> Extracted:
    """Blocks joined by blank lines, with a Position wherever a block starts a page or cue.

    A position whose page has no text is recorded where the next text starts, so every page
    that has text can be found; consecutive positions at one offset keep the last.
    """
    parts: list[str] = []
    positions: list[Position] = []
    offset = 0
    pending: tuple[str, str] | None = None
    for block in blocks:
        if block.position is not None:
            pending = block.position
        text = clean(block.text)
        if not text:
            continue
        if parts:
            offset += 2  # the blank line
        if pending is not None:
            positions.append(Position(offset, *pending))
            pending = None
        if block.inner and text == block.text:
            positions.extend(Position(offset + at, *where) for at, where in block.inner)
        parts.append(text)
        offset += len(text)
    return Extracted("\n\n".join(parts) + ("\n" if parts else ""), tuple(positions), **meta)
