"""Concordance (keyword in context): every match of a query as one line, left | match | right.

The matches come from the search layer: `index.search.search` returns, for each hit, every
matched span in that document (read from the postings, variant-tolerant, the same spans
`match_spans` gives), so one paged search yields whole documents' lines without a second query
per document. Pages grow geometrically (50, 50, 100, 200, ...) so the first lines arrive after
one small search and a long result costs a handful of searches, not one per page.

Streaming: `concordance_stream` yields one tuple of lines per document, in rank order, and can
be abandoned at any point (a Textual worker checks `is_cancelled` between documents).
`concordance` collects everything and sorts it.

Context is cut from the document text as written; newlines and other control characters become
spaces one for one (display only): `start`/`end` are real offsets into the document.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from index.analysis import WORD_RE, fold
from index.indexer import CorpusIndex
from index.search import parse_query, search
from reader.analytics.texts import read_text

__all__ = ["KwicLine", "ConcordanceStream", "concordance", "concordance_stream", "sort_lines"]

Sort = Literal["doc", "left", "right"]
SORTS: tuple[str, ...] = ("doc", "left", "right")
FIRST_PAGE = 50
SORT_WORDS = 3  # words of context compared when sorting by left or right


def _flat_table() -> dict[int, str]:
    table = {code: " " for code in range(0x20)}
    table.update({code: " " for code in range(0x7F, 0xA0)})
    table[0x2028] = table[0x2029] = " "
    return table


_FLAT = _flat_table()


def flatten(text: str) -> str:
    """Control characters (newlines, tabs, ESC...) as spaces, one for one (same length)."""
    return text.translate(_FLAT)


@dataclass(frozen=True)
class KwicLine:
    """One match: `text[start:end]` of document `doc_id`, with up to `width` characters around."""

    doc_id: str
    title: str
    start: int
    end: int
    left: str  # the characters before the match (at most `width`), flattened
    match: str  # the matched text, flattened
    right: str  # the characters after the match (at most `width`), flattened
    variant_of: tuple[str, ...] = ()  # typed words this match respells; () when spelled as typed

    @property
    def exact(self) -> bool:
        return not self.variant_of

    def left_words(self) -> tuple[str, ...]:
        """Folded words of the left context, nearest first (the sort key for `left`)."""
        return tuple(fold(w) for w in reversed(WORD_RE.findall(self.left)))[:SORT_WORDS]

    def right_words(self) -> tuple[str, ...]:
        """Folded words of the right context, nearest first (the sort key for `right`)."""
        return tuple(fold(w) for w in WORD_RE.findall(self.right)[:SORT_WORDS])


def lines_for(doc_id: str, title: str, text: str, spans, width: int) -> tuple[KwicLine, ...]:
    """The concordance lines of one document's match units (`index.match_units.MatchUnit`,
    or plain spans: exact)."""
    out = []
    for span in spans:
        start, end = span.start, span.end
        out.append(
            KwicLine(
                doc_id=doc_id,
                title=title,
                start=start,
                end=end,
                left=flatten(text[max(0, start - width) : start]),
                match=flatten(text[start:end]),
                right=flatten(text[end : end + width]),
                variant_of=tuple(getattr(span, "variant_of", ())),
            )
        )
    return tuple(out)


@dataclass
class ConcordanceStream:
    """Iterate for one tuple of `KwicLine` per matching document, best-ranked documents first.

    `documents` (how many documents match) is known once the first page is searched; `notes`
    collects what the user should know (capped wildcard expansions, documents changed since
    they were indexed, which are left out).
    """

    index: CorpusIndex
    query: str
    width: int = 40
    documents: int | None = None
    notes: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[tuple[KwicLine, ...]]:
        seen: set[str] = set()
        page, pagelen = 1, FIRST_PAGE
        corpus = self.index.corpus
        while True:
            results = search(self.index, self.query, page=page, pagelen=pagelen)
            if self.documents is None:
                self.documents = results.total
            for note in results.notes:
                if note not in self.notes:
                    self.notes.append(note)
            for hit in results.hits:
                if hit.doc_id in seen or not hit.spans:
                    continue
                seen.add(hit.doc_id)
                # The search verified this file against the index's hash moments ago (a stale
                # hit has no spans); offsets past the end mean it changed since.
                found = read_text(corpus, hit.doc_id)
                if found is None or hit.spans[-1].end > len(found[0]):
                    note = f"{hit.doc_id} changed or vanished since it was indexed; update the index."
                    if note not in self.notes:
                        self.notes.append(note)
                    continue
                yield lines_for(hit.doc_id, hit.title, found[0], hit.units or hit.spans, self.width)
            if page * pagelen >= results.total or not results.hits:
                return
            # Next: hits [page*pagelen, 2*page*pagelen) as page 2 of a doubled page length.
            pagelen, page = page * pagelen, 2


def concordance_stream(index: CorpusIndex, query: str, width: int = 40) -> ConcordanceStream:
    """A lazy concordance; raises `index.search.QueryError` now for a query that cannot run."""
    if width < 0:
        raise ValueError("width must be >= 0")
    parse_query(index, query)  # fail early, before the caller starts iterating
    return ConcordanceStream(index, query, width)


def sort_lines(lines: list[KwicLine], sort: Sort = "doc") -> list[KwicLine]:
    """Lines by document then offset (`doc`), or by the words just left or right of the match.

    `left` compares the word right before the match, then the one before it, and so on; `right`
    the word right after, then the next. Ties fall back to document and offset, so the order is
    total and stable.
    """
    if sort == "doc":
        return sorted(lines, key=lambda l: (l.doc_id, l.start, l.end))
    if sort == "left":
        return sorted(lines, key=lambda l: (l.left_words(), l.doc_id, l.start, l.end))
    if sort == "right":
        return sorted(lines, key=lambda l: (l.right_words(), l.doc_id, l.start, l.end))
    raise ValueError(f"unknown sort {sort!r}; expected one of {', '.join(SORTS)}")


def concordance(index: CorpusIndex, query: str, width: int = 40, sort: Sort = "doc") -> list[KwicLine]:
    """Every match of `query` in the corpus as a `KwicLine`, sorted; QueryError if it cannot run."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; expected one of {', '.join(SORTS)}")
    stream = concordance_stream(index, query, width)
    return sort_lines([line for doc in stream for line in doc], sort)
