"""What the side-by-side view asks of an alignment, without Textual: pair navigation, the passage
under a cursor, a one-line summary, and similar passages with a snippet to list.

`reader.align` computes; this module answers the screen's questions about the result, so the
screen (reader/screens/compare.py) only wires keys to them and every rule here is tested headless.
Sides are "a" (left or top pane) and "b".
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from index.document import Span
from reader.align import Alignment, Pair, similar_passages
from reader.safe_text import sanitize
from reader.wording import ellipsize, plural

__all__ = [
    "SimilarRow",
    "Side",
    "find_similar",
    "other",
    "passage_at",
    "span_on",
    "step",
    "summary",
]

Side = Literal["a", "b"]

SNIPPET_CHARS = 160


def other(side: Side) -> Side:
    return "b" if side == "a" else "a"


def span_on(pair: Pair, side: Side) -> Span | None:
    return pair.a if side == "a" else pair.b


def summary(alignment: Alignment) -> str:
    """`13 pairs (1 out of order) · 39 only in A · 0 only in B · 24 ms`."""
    paired = alignment.paired
    out_of_order = sum(1 for p in paired if not p.in_order)
    only_a = sum(1 for p in alignment.pairs if p.b is None)
    only_b = sum(1 for p in alignment.pairs if p.a is None)
    text = plural(len(paired), "pair")
    if out_of_order:
        text += f" ({out_of_order} out of order)"
    return f"{text} · {only_a} only in A · {only_b} only in B · {alignment.seconds * 1000:.0f} ms"


def step(alignment: Alignment, side: Side, offset: int, direction: int, *, paired: bool = True) -> Pair | None:
    """The next (direction 1) or previous (-1) passage on `side` from `offset`, in that side's
    reading order, wrapping around: a pair when `paired`, else a passage with no counterpart.

    "Next" starts after the passage holding `offset`, "previous" before it, so repeated steps
    visit every passage once.
    """
    wanted = [p for p in alignment.pairs if span_on(p, side) is not None and p.paired == paired]
    if not wanted:
        return None
    wanted.sort(key=lambda p: span_on(p, side).start)  # type: ignore[union-attr]
    starts = [span_on(p, side).start for p in wanted]  # type: ignore[union-attr]
    current = alignment.pair_at(side, offset)
    here = span_on(current, side) if current is not None else None
    inside = here is not None and here.start <= offset < here.end
    if direction > 0:
        index = bisect_right(starts, here.start if inside else offset)  # type: ignore[union-attr]
        if not inside and index > 0 and starts[index - 1] == offset:
            index -= 1  # offset sits on a passage start in a gap: that passage is next
        return wanted[index % len(wanted)]
    anchor = here.start if inside else offset  # type: ignore[union-attr]
    index = bisect_right(starts, anchor - 1) - 1
    return wanted[index % len(wanted)]


def passage_at(paragraphs: Sequence[Span], offset: int, text_length: int) -> Span:
    """The paragraph holding `offset` (or the next one when it falls between two); the whole
    text when the document has no paragraphs."""
    if not paragraphs:
        return Span(0, text_length)
    starts = [p.start for p in paragraphs]
    index = max(0, bisect_right(starts, offset) - 1)
    paragraph = paragraphs[index]
    if offset >= paragraph.end and index + 1 < len(paragraphs):
        return paragraphs[index + 1]
    return paragraph


@dataclass(frozen=True)
class SimilarRow:
    """A similar passage with a one-line snippet of it (sanitized), ready to list."""

    doc_id: str
    span: Span
    score: float
    snippet: str


def find_similar(corpus_or_index, doc_id: str, span: Span, limit: int = 10) -> list[SimilarRow]:
    """`similar_passages` with each passage's opening words (a thread worker calls this).

    Raises index.corpus.UnreadableDocument when `doc_id` cannot be read."""
    rows = []
    texts: dict[str, str] = {}
    for found in similar_passages(corpus_or_index, doc_id, span, limit):
        if found.doc_id not in texts:
            try:
                texts[found.doc_id] = corpus_or_index.load(found.doc_id).text
            except Exception:  # vanished since: list it without a snippet
                texts[found.doc_id] = ""
        passage = texts[found.doc_id][found.span.start : found.span.end]
        flat = ellipsize(" ".join(sanitize(passage).split()), SNIPPET_CHARS)
        rows.append(SimilarRow(found.doc_id, found.span, found.score, flat))
    return rows
