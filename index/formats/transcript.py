"""Transcripts (SRT, WebVTT): one paragraph per cue, its start time and speaker kept.

A cue becomes the paragraph "Speaker: what was said" (the speaker from a WebVTT <v> voice tag,
or an SRT/VTT line that starts with a name and a colon), and a `Position` of kind "time"
at the paragraph's start, so the reader and the exports can give "00:14:03".
The time is not written into the text: searching and quoting see only what was said.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.formats.model import Block, assemble

_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")
_TAGS = re.compile(r"</?[^>]*>")


def clock(seconds: float) -> str:
    """ "00:14:03" for 843.2 seconds."""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def cue_text(raw: str) -> str:
    """A cue's payload as plain text, a WebVTT voice as "Speaker: "."""
    voice = _VOICE.search(raw)
    text = _TAGS.sub("", raw)
    text = " ".join(text.split())
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", " ")
    if voice:
        speaker = " ".join(voice.group(1).split())
        if not text.startswith(speaker + ":"):
            text = f"{speaker}: {text}"
    return text


def assemble_cues(cues: Sequence[tuple[float, float, str]]):
    """(start seconds, end seconds, payload) in order, as the document."""
    blocks = [Block(cue_text(text), ("time", clock(start))) for start, end, text in cues]
    duration = clock(max((end for _s, end, _t in cues), default=0.0))
    return assemble(blocks, empty_reason="no cues with text in the transcript", extra={"duration": duration})
