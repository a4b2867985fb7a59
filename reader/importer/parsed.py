"""What an annotation file holds once parsed, whatever its format: sources, their annotations,
codes (no Textual, no rich). `reader.importer.qde` and `reader.importer.w3c` build it; matching
and importing read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from reader.model import validate_tag_name
from reader.safe_text import UNSAFE

__all__ = [
    "ImportFileError",
    "OnConflict",
    "ParsedAnnotation",
    "ParsedCode",
    "ParsedFile",
    "ParsedSource",
    "clean_tag",
    "lf",
]

OnConflict = Literal["skip", "add"] | None


class ImportFileError(Exception):
    """The file cannot be imported at all (unreadable, not a format we know); message for users."""


# --- what a file holds --------------------------------------------------------------------------


@dataclass
class ParsedAnnotation:
    start: int | None
    end: int | None
    exact: str
    prefix: str
    suffix: str
    tags: tuple[str, ...]
    note: str = ""
    id: str | None = None  # what the file says (REFI-QDA, see reader.importer.refi); None: the store decides
    creator: str | None = None
    created: str | None = None
    modified: str | None = None


@dataclass
class ParsedSource:
    name: str
    text: str | None = None  # shipped text (REFI-QDA), LF line endings; None for W3C
    raw_sha256: str | None = None
    doc_hint: str | None = None
    annotations: list[ParsedAnnotation] = field(default_factory=list)


@dataclass
class ParsedCode:
    name: str  # hierarchical tag name
    color: str | None = None
    description: str = ""
    implicit: bool = False  # our export's mark of a tag not in the codebook itself


@dataclass
class ParsedFile:
    format: str  # "qdpx" | "w3c"
    codes: list[ParsedCode] = field(default_factory=list)
    sources: list[ParsedSource] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    merged: int = 0  # selections folded into another of the same span (one per code: QualCoder)


def lf(text: str) -> str:
    """CRLF and CR as LF; a leading BOM removed."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def clean_tag(name: str) -> str | None:
    """A code's or tag's name from a file as a valid tag name, or None when none is left."""
    name = UNSAFE.sub(" ", name)  # what a tag name refuses (control characters) -> a space
    parts = [p.strip() for p in name.split("/")]
    cleaned = "/".join(p for p in parts if p)
    try:
        return validate_tag_name(cleaned)
    except ValueError:
        return None
