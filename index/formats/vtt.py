"""WebVTT (.vtt) transcripts. Library: webvtt-py (MIT; parses cues, settings and voice tags
per the W3C format, tolerant of the NOTE and STYLE blocks captioning tools write).
See transcript.py."""

from __future__ import annotations

import io

from index.formats.decoding_text import text_of
from index.formats.model import ExtractionError
from index.formats.transcript import assemble_cues

VERSION = 1
FORMAT = "WebVTT"


def extract(data: bytes):
    import webvtt
    from webvtt.errors import MalformedFileError

    try:
        vtt = webvtt.from_buffer(io.StringIO(text_of(data)))
    except MalformedFileError as exc:
        raise ExtractionError(f"not a valid WebVTT file ({exc})") from None
    cues = [(c.start_in_seconds, c.end_in_seconds, c.raw_text) for c in vtt.captions]
    return assemble_cues(cues)
