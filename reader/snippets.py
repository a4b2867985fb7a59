"""A match in a line of its context, for previews (the auto-code confirmation lists them).

The context is cut at word boundaries (never mid-word), an ellipsis marks each cut, and line
breaks and runs of blanks become one space, so a preview line reads as prose; the match's span
is moved along. Sanitizing for the terminal is left to whoever draws it.
"""

from __future__ import annotations

import re

__all__ = ["match_context"]

CONTEXT = 40
"""Characters of context wanted on each side of the match (a word boundary may take a few off)."""

_BLANKS = re.compile(r"\s+")


def match_context(text: str, start: int, end: int, width: int = CONTEXT) -> tuple[str, tuple[int, int]]:
    """`text[start:end]` with about `width` characters either side, cut at word boundaries and
    flattened to one line; returns the context and the match's span in it."""
    lead = max(0, start - width)
    if lead:
        blank = _BLANKS.search(text, lead, start)
        lead = blank.end() if blank else start  # from the first whole word
    tail = min(len(text), end + width)
    if tail < len(text) and not text[tail].isspace():
        blanks = list(_BLANKS.finditer(text, end, tail))
        tail = blanks[-1].start() if blanks else end  # up to the last whole word
    before = _BLANKS.sub(" ", text[lead:start])
    match = _BLANKS.sub(" ", text[start:end])
    after = _BLANKS.sub(" ", text[end:tail])
    if lead:
        before = "…" + before.lstrip()
    if tail < len(text):
        after = after.rstrip() + "…"
    return before + match + after, (len(before), len(before) + len(match))
