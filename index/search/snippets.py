"""A hit's snippet: about 200 characters of its text around the densest cluster of matches.

Only the document text is read, from the corpus file (the source of truth; the body is not
stored in the index), and only when it is still the text that was indexed.
"""

from __future__ import annotations

from dataclasses import replace

from index.document import Span
from index.indexer import CorpusIndex
from index.match_units import MatchUnit
from index.search.results import Hit

SNIPPET_CHARS = 200


def snippet(text: str, spans: list[Span], width: int = SNIPPET_CHARS) -> tuple[str, tuple[Span, ...]]:
    """About `width` characters around the densest cluster of spans, whitespace collapsed.

    Returns the snippet and the spans inside it as offsets into the snippet. An ellipsis
    marks each end that cuts the text.
    """
    start = 0
    if spans:
        best, best_count, j = 0, 0, 0
        for i, span in enumerate(spans):  # the window starting at spans[i] covering most spans
            j = max(j, i)
            while j + 1 < len(spans) and spans[j + 1].end - span.start <= width:
                j += 1
            if j - i + 1 > best_count:
                best, best_count = i, j - i + 1
        first, last = spans[best], spans[best + best_count - 1]
        slack = max(0, width - (last.end - first.start))
        start = max(0, first.start - slack // 3)
        if start > 0:  # begin at a word boundary, never after the first match
            space = text.rfind(" ", start - 20 if start >= 20 else 0, start)
            start = space + 1 if space >= 0 else start
    end = min(len(text), start + width)
    if end < len(text):  # end at a word boundary
        space = text.rfind(" ", end - 30, end)
        end = space if space > start else end
    pieces: list[str] = ["…"] if start > 0 else []
    length = len(pieces)
    where: dict[int, int] = {}
    pending_space = False
    for i in range(start, end):
        char = text[i]
        if char.isspace():
            pending_space = length > 0
            continue
        if pending_space:
            pieces.append(" ")
            length += 1
            pending_space = False
        where[i] = length
        pieces.append(char)
        length += 1
    if end < len(text):
        pieces.append("…")
    inside = []
    for span in spans:
        s, e = max(span.start, start), min(span.end, end)
        if s < e and s in where and (e - 1) in where:
            inside.append(Span(where[s], where[e - 1] + 1))
    return "".join(pieces), tuple(inside)


def build_hit(index: CorpusIndex, fields: dict, score: float, units: list[MatchUnit], notes: list[str]) -> Hit:
    doc_id = fields["id"]
    title = fields.get("title", doc_id)
    text = read_document_text(index, doc_id, fields.get("sha256"))
    if text is None:
        notes.append(f"{doc_id} changed or vanished since it was indexed; update the index.")
        return Hit(doc_id, title, score, (), "", ())
    spans = [unit.span for unit in units]
    snip, snip_spans = snippet(text, spans)
    units = [replace(unit, text=text[unit.start : unit.end]) for unit in units]
    return Hit(doc_id, title, score, tuple(spans), snip, snip_spans, tuple(units))


def read_document_text(index: CorpusIndex, doc_id: str, sha256: str | None) -> str | None:
    """The text the index was built from, or None when the file changed since."""
    try:
        text, now = index.corpus.read_text(doc_id)
    except Exception:  # vanished, unreadable: the hit stays, without a snippet
        return None
    if sha256 and now != sha256:
        return None
    return text
