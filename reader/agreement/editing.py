"""Editing the boundaries of a difference before accepting it into the consensus.

Two coders often agree on what a passage is and disagree by a word on where it starts or ends;
the team then settles on boundaries of its own. An `Edit` is that proposal: a span of the
document, the tags it will carry (one coder's version, to start from) and which boundary the
keys move. Moves are by a character or by a word, never past the other boundary nor out of the
text, so a proposal is always a non-empty span. Accepting it creates one consensus annotation
(`settling.edited_item`). Headless: the worklist screen draws it and sends the keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from reader.agreement.differences import Difference, Version

_WORD_START = re.compile(r"(?<!\w)\w")
_WORD_END = re.compile(r"\w(?!\w)")


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    tags: frozenset[str]
    coder: str  # whose version it started from
    moving: str = "start"  # "start" or "end": the boundary the keys move

    def switched(self) -> Edit:
        return replace(self, moving="end" if self.moving == "start" else "start")

    def moved(self, text: str, step: int, by_word: bool = False) -> Edit:
        """The proposal with its moving boundary `step` characters (or words) on; clamped."""
        at = self.start if self.moving == "start" else self.end
        if by_word:
            at = _word_boundary(text, at, step, starts=self.moving == "start")
        else:
            at += step
        if self.moving == "start":
            return replace(self, start=max(0, min(at, self.end - 1)))
        return replace(self, end=min(len(text), max(at, self.start + 1)))


def start_edit(difference: Difference, coder: str | None = None) -> Edit | None:
    """A proposal from `coder`'s version (else the first coder who coded the place): the extent
    of their spans there and their tags. None when nobody's version has a span."""
    versions: list[Version] = [v for v in difference.versions if v.spans]
    if coder is not None:
        versions = [v for v in versions if v.coder == coder]
    if not versions:
        return None
    version = versions[0]
    return Edit(min(s.start for s in version.spans), max(s.end for s in version.spans), version.tags, version.coder)


def _word_boundary(text: str, at: int, step: int, starts: bool) -> int:
    """The `step`-th word start (or end) after `at` (before it when step < 0), looking only
    near `at`: a key press costs the same in a long document."""
    pattern = _WORD_START if starts else _WORD_END
    for _ in range(abs(step)):
        if step > 0:
            found = pattern.search(text, at + 1 if starts else at)
            at = (found.start() if starts else found.end()) if found else len(text)
            continue
        edge = None
        low = at
        while edge is None and low > 0:
            low = max(0, low - 4096)
            edges = [m.start() if starts else m.end() for m in pattern.finditer(text, low, at)]
            edges = [e for e in edges if e < at]
            edge = edges[-1] if edges else None
        at = edge if edge is not None else 0
    return at
