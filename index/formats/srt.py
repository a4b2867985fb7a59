"""SubRip (.srt) transcripts. Library: srt (MIT; small, strict about timestamps, lenient
about the blank-line and numbering mistakes real subtitle files make). See transcript.py."""

from __future__ import annotations

from index.formats.decoding_text import text_of
from index.formats.model import ExtractionError
from index.formats.transcript import assemble_cues

VERSION = 1
FORMAT = "SRT"


def extract(data: bytes):
    import srt

    try:
        subtitles = list(srt.parse(text_of(data), ignore_errors=True))
    except srt.SRTParseError as exc:
        raise ExtractionError(f"not a valid SRT file ({exc})") from None
    cues = [(s.start.total_seconds(), s.end.total_seconds(), s.content) for s in subtitles]
    return assemble_cues(cues)
