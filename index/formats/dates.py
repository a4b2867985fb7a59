"""Dates as the formats write them, as ISO 8601 dates (YYYY-MM-DD) for the document list."""

from __future__ import annotations

import re

_PDF = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")
_ISO = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


def pdf_date(value: str) -> str | None:
    """A PDF date string ("D:20240512093000+02'00'") as "2024-05-12"."""
    m = _PDF.match(value.strip())
    return _iso(m.group(1), m.group(2), m.group(3)) if m else None


def iso_date(value: str | None) -> str | None:
    """The date at the start of an ISO 8601 / W3CDTF value ("2024-05-12T09:30Z", "2024-05")."""
    if not value:
        return None
    m = _ISO.search(str(value))
    if m:
        return _iso(m.group(1), m.group(2), m.group(3))
    m = re.fullmatch(r"\s*(\d{4})\s*", str(value))
    return m.group(1) if m else None


def _iso(year: str, month: str | None, day: str | None) -> str | None:
    if month and not 1 <= int(month) <= 12:
        return year
    if day and not 1 <= int(day) <= 31:
        day = None
    return "-".join(part for part in (year, month, day if month else None) if part)
