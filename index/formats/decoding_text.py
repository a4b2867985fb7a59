"""Text-based formats (SRT, WebVTT, RTF) decoded the one way the corpus decodes text files."""

from __future__ import annotations

from index.decoding import DecodeError, decode
from index.formats.model import ExtractionError


def text_of(data: bytes) -> str:
    try:
        return decode(data)[0]
    except DecodeError as exc:
        raise ExtractionError(exc.reason) from None
