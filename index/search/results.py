"""What a search returns: plain frozen dataclasses, copied out of Whoosh inside the searcher.

Whoosh's `Results` die with the searcher that made them (`ReaderClosed`), so every hit is
copied into a `Hit` while the searcher is held (index/search/run.py) and front ends never see
a Whoosh object.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.document import Span
from index.match_units import MatchUnit
from index.variants import AddedSpelling


@dataclass(frozen=True)
class Hit:
    doc_id: str
    title: str
    score: float
    spans: tuple[Span, ...]  # matched text, offsets into the document text
    snippet: str  # ~200 characters of plain text around the best match
    snippet_spans: tuple[Span, ...]  # matched text, offsets into `snippet`
    units: tuple[MatchUnit, ...] = ()  # `spans` with what each matched (exact or a variant)


@dataclass(frozen=True)
class SearchResults:
    query: str
    total: int
    page: int
    pagelen: int
    hits: tuple[Hit, ...]
    suggestions: tuple[str, ...]  # corrected query strings ("did you mean")
    seconds: float
    notes: tuple[str, ...]  # things the user should know (capped expansions, stale files)
    added: tuple[AddedSpelling, ...] = ()  # variant spellings searched besides the typed ones
    counted: bool = True  # False: `total` is the hits found so far, the rest not yet counted

    @property
    def pages(self) -> int:
        """Pages of `pagelen` hits (of those found so far when not `counted`)."""
        return -(-self.total // self.pagelen) if self.pagelen else 0
