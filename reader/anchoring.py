"""Re-anchoring: place an annotation again in a document whose text may have changed.

The order follows the Hypothesis client (position, then exact quote, then fuzzy), and nothing is
ever dropped:

1. `anchored`: the stored position, if the text there still equals the quote.
2. `moved`: the exact quote elsewhere. Between repeats, the occurrence whose surroundings agree
   most with the stored prefix/suffix wins; ties go to the one nearest the old position.
3. `fuzzy`: the best approximate match of the quote (rapidfuzz), first in a window around the old
   position, then in the whole document, with its boundaries refined and scored on quote, context
   and distance; accepted above thresholds, and flagged so the user can check it.
4. `orphan`: no place found. The annotation is kept, listed and re-attachable.

Offsets are code points into the text as given; the text is never normalised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from index.document import Span
from reader.model import CONTEXT_CHARS, Annotation
from reader.wording import plural

Status = Literal["anchored", "moved", "fuzzy", "orphan"]
STATUSES: tuple[Status, ...] = ("anchored", "moved", "fuzzy", "orphan")
STATUS_SHOWS: dict[Status, str] = {
    "anchored": "in place: the text tagged, where it was tagged",
    "moved": "the same text, found elsewhere in the changed document",
    "fuzzy": "the nearest text now (it differs from the quote tagged: check it)",
    "orphan": "not found: kept with the quote tagged, no position (re-attach it)",
}
"""What each status means and what is shown for it: one vocabulary for the app, the CLI and
the exports."""

DOCUMENT_GONE = "the document is gone"
"""Why an annotation of a document whose file was removed is an orphan (no other word for it)."""


def status_label(status: Status, document_gone: bool = False) -> str:
    """The status as a person reads it: the word, and for an orphan whose document is gone, why
    (`orphan (the document is gone)`). Programs get the bare word (`status` fields)."""
    return f"{status} ({DOCUMENT_GONE})" if document_gone else status


def status_legend(statuses: Iterable[str]) -> str:
    """One sentence saying what the placements among `statuses` that are not simply in place
    show ("" when all are anchored or moved): a report's reader meets the word once, explained."""
    present = set(statuses)
    used = [s for s in ("fuzzy", "orphan") if s in present]
    return "; ".join(f"{s}: {STATUS_SHOWS[s]}" for s in used)


QUOTE_THRESHOLD = 75.0
"""Minimum rapidfuzz `ratio` (0-100) between the stored quote and a fuzzy candidate."""
SCORE_THRESHOLD = 70.0
"""Minimum combined score (quote, context, proximity) for a fuzzy candidate."""
SHORT_QUOTE = 12
"""Quotes shorter than this also need their context to agree (short strings match anything)."""
SHORT_CONTEXT_THRESHOLD = 60.0
WINDOW = 2_000
"""Characters searched either side of the old position before searching the whole document."""
MAX_WHOLE_DOC = 2_000_000
"""Documents longer than this are not searched whole for a fuzzy match (it would be slow)."""


@dataclass(frozen=True)
class Anchored:
    """Where an annotation is now. `span` is None for an orphan."""

    annotation: Annotation
    status: Status
    span: Span | None
    score: float = 100.0  # fuzzy: the combined score; exact: 100


@dataclass(frozen=True)
class AnchorReport:
    anchored: int = 0
    moved: int = 0
    fuzzy: int = 0
    orphaned: int = 0

    @property
    def total(self) -> int:
        return self.anchored + self.moved + self.fuzzy + self.orphaned

    def __str__(self) -> str:
        return (
            f"{plural(self.total)}: {self.anchored} in place, {self.moved} moved, "
            f"{self.fuzzy} fuzzy, {self.orphaned} orphaned"
        )


def report(results: Iterable[Anchored]) -> AnchorReport:
    counts = {s: 0 for s in STATUSES}
    for r in results:
        counts[r.status] += 1
    return AnchorReport(counts["anchored"], counts["moved"], counts["fuzzy"], counts["orphan"])


def anchor(annotation: Annotation, text: str) -> Anchored:
    """Place one annotation in `text` (see the module docstring for the order)."""
    exact = annotation.quote.exact
    start, end = annotation.position.start, annotation.position.end
    if not exact:
        return Anchored(annotation, "orphan", None, 0.0)
    if end <= len(text) and text[start:end] == exact:
        return Anchored(annotation, "anchored", Span(start, end))

    found = _exact(annotation, text)
    if found is not None:
        return Anchored(annotation, "moved", found)

    fuzzy = _fuzzy(annotation, text)
    if fuzzy is not None:
        span, score = fuzzy
        return Anchored(annotation, "fuzzy", span, score)
    return Anchored(annotation, "orphan", None, 0.0)


def anchor_all(annotations: Iterable[Annotation], text: str) -> list[Anchored]:
    return [anchor(a, text) for a in annotations]


# --- exact --------------------------------------------------------------------------------------


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b)):
        if x != y:
            break
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _context_agreement(annotation: Annotation, text: str, start: int, end: int) -> int:
    """How many characters of stored prefix/suffix match the text next to [start, end)."""
    prefix, suffix = annotation.quote.prefix, annotation.quote.suffix
    before = text[max(0, start - len(prefix)) : start]
    after = text[end : end + len(suffix)]
    return _common_suffix(before, prefix) + _common_prefix(after, suffix)


def occurrences(text: str, quote: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of `quote` in `text`."""
    found: list[int] = []
    if not quote:
        return found
    i = text.find(quote)
    while i != -1:
        found.append(i)
        i = text.find(quote, i + 1)
    return found


def _exact(annotation: Annotation, text: str) -> Span | None:
    exact = annotation.quote.exact
    starts = occurrences(text, exact)
    if not starts:
        return None
    old = annotation.position.start
    best = max(
        starts,
        key=lambda i: (_context_agreement(annotation, text, i, i + len(exact)), -abs(i - old)),
    )
    return Span(best, best + len(exact))


# --- fuzzy --------------------------------------------------------------------------------------


def _context_score(annotation: Annotation, text: str, start: int, end: int) -> float:
    prefix, suffix = annotation.quote.prefix, annotation.quote.suffix
    scores = []
    if prefix:
        scores.append(fuzz.ratio(prefix, text[max(0, start - len(prefix)) : start]))
    if suffix:
        scores.append(fuzz.ratio(suffix, text[end : end + len(suffix)]))
    return sum(scores) / len(scores) if scores else 100.0


def _refine(annotation: Annotation, text: str, start: int, end: int) -> tuple[int, int]:
    """Move the candidate's boundaries to where quote and context together differ least.

    The cost is the Indel distance of the quote to text[s:e] plus that of the stored prefix
    and suffix to the text either side, so an insertion just inside the passage is not mistaken
    for one just outside it (the context would then disagree).
    """
    exact, prefix, suffix = annotation.quote.exact, annotation.quote.prefix, annotation.quote.suffix
    n = len(text)
    slack = max(4, len(exact) // 3)
    before, after = max(len(prefix), CONTEXT_CHARS), max(len(suffix), CONTEXT_CHARS)

    def cost(s: int, e: int) -> int:
        # the context as stored is CONTEXT_CHARS long unless the passage was that near an end
        # of the document: a shorter one says the document started (ended) there, so the text
        # beside a candidate is compared over the full width (a passage that ended the
        # document, edited near its end, was cut short: nothing told it to reach the end)
        return (
            Indel.distance(exact, text[s:e])
            + Indel.distance(prefix, text[max(0, s - before) : s])
            + Indel.distance(suffix, text[e : e + after])
        )

    best = (cost(start, end), start, end)
    for _ in range(2):  # coordinate descent: the start with the end fixed, then the end
        _c, s0, e0 = best
        for s in range(max(0, s0 - slack), min(e0 - 1, s0 + slack) + 1):
            best = min(best, (cost(s, e0), s, e0), key=lambda b: (b[0], abs(b[1] - start)))
        _c, s0, e0 = best
        for e in range(max(s0 + 1, e0 - slack), min(n, e0 + slack) + 1):
            best = min(best, (cost(s0, e), s0, e), key=lambda b: (b[0], abs(b[2] - end)))
    return best[1], best[2]


def _candidate(annotation: Annotation, text: str, lo: int, hi: int) -> tuple[Span, float, float] | None:
    exact = annotation.quote.exact
    region = text[lo:hi]
    if not region.strip():
        return None
    if len(region) <= len(exact):
        s, e = lo, hi
    else:
        alignment = fuzz.partial_ratio_alignment(exact, region)
        if alignment is None or alignment.score == 0:
            return None
        s, e = lo + alignment.dest_start, lo + alignment.dest_end
    if s >= e:
        return None
    s, e = _refine(annotation, text, s, e)
    quote_score = fuzz.ratio(exact, text[s:e])
    if quote_score < QUOTE_THRESHOLD:
        return None
    context = _context_score(annotation, text, s, e)
    distance = abs(s - annotation.position.start)
    proximity = 100.0 * max(0.0, 1.0 - distance / max(len(text), 1))
    combined = 0.6 * quote_score + 0.3 * context + 0.1 * proximity
    if combined < SCORE_THRESHOLD:
        return None
    if len(exact) < SHORT_QUOTE and context < SHORT_CONTEXT_THRESHOLD:
        return None
    return Span(s, e), quote_score, combined


def _fuzzy(annotation: Annotation, text: str) -> tuple[Span, float] | None:
    exact = annotation.quote.exact
    if not text:
        return None
    old_start = min(annotation.position.start, len(text))
    old_end = min(annotation.position.end, len(text))
    pad = WINDOW + len(exact)
    lo, hi = max(0, old_start - pad), min(len(text), old_end + pad)
    found = _candidate(annotation, text, lo, hi)
    if found is None and (lo > 0 or hi < len(text)) and len(text) <= MAX_WHOLE_DOC:
        found = _candidate(annotation, text, 0, len(text))
    if found is None:
        return None
    span, _quote_score, combined = found
    return span, combined
