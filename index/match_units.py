"""Match units: the one place where matched words become the matches a user steps through.

A query of several words typed without quotes (`Ain al-Asad`) matches each word on its own,
but where the words stand next to each other in the text they are one occurrence of what the
user typed: one hit in the status count, one stop of n/N, one selection for `m`, one line of
the concordance, one passage for auto-code. Every consumer reads `Hit.spans` or
`index.search.match_spans`, and both are made here, from the postings, so no front end
joins spans on its own.

"Next to each other" is decided by word positions, not by the characters between: word `i`
and word `i + 1` of the tokenizer have only spaces or punctuation between them by
construction. A piece joins the unit before it when it starts at the position right after
the unit's last word and it comes from a query word (`group`) that the unit does not hold yet,
so a one-word query never joins repeats of itself ("holy, holy, holy" stays three matches,
as grep counts them), and `Ain al-Asad Ain` is one unit and a second "Ain". Pieces that
overlap (a word matched by two leaves) are merged as before.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from whoosh import query as wq

from index.document import Span

__all__ = ["MatchUnit", "Piece", "match_units", "together_first"]

# A phrase of the typed words adds this much (times its own score) to a document that has
# them side by side, so such documents rank above those that only have them apart.
TOGETHER_BOOST = 4.0
MAX_TOGETHER_WORDS = 8
_NOT_PLAIN = re.compile(r'["():*?~^\[\]{}]|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE|TO)\b')


@dataclass(frozen=True, order=True)
class Piece:
    """One matched stretch from the postings: characters [start, end), words first..last."""

    start: int
    end: int
    first: int  # position (word index) of its first word; -1 when unknown
    last: int  # position of its last word
    group: Hashable = 0  # which query word it matched (see `index.search.spans._grouped_leaves`)
    variant_of: tuple[str, ...] = ()  # typed words it respells; () when spelled as typed


@dataclass(frozen=True)
class MatchUnit:
    """One match as the user sees it: `text[start:end]`, spelled as typed (`exact`) or with
    a variant spelling of the typed words `variant_of` (index/variants.py)."""

    start: int
    end: int
    variant_of: tuple[str, ...] = ()
    text: str = ""  # the matched text as written, where the text was at hand (search hits)

    def as_json(self) -> dict:
        """The fields `--json` output prints for a match (add fields, never rename)."""
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "exact": self.exact,
            "variant_of": list(self.variant_of),
        }

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)

    @property
    def exact(self) -> bool:
        return not self.variant_of


def match_units(pieces: Iterable[Piece]) -> list[MatchUnit]:
    """The match units of one document's pieces, in text order.

    A unit is a variant when one of its words was found only by a variant spelling: where an
    exact piece covers the same characters as a variant piece (`Babil Babel` typed), the
    exact one wins."""
    units: list[list] = []  # [start, end, last position, groups, pieces]
    for piece in sorted(pieces, key=lambda p: (p.start, p.end)):
        if units:
            unit = units[-1]
            overlapping = piece.start < unit[1]  # the same words found twice
            if overlapping or (piece.first >= 0 and piece.first == unit[2] + 1 and piece.group not in unit[3]):
                unit[1] = max(unit[1], piece.end)
                unit[2] = max(unit[2], piece.last)
                unit[3].add(piece.group)
                unit[4].append(piece)
                continue
        units.append([piece.start, piece.end, piece.last, {piece.group}, [piece]])
    return [MatchUnit(start, end, _variant_of(found)) for start, end, _, _, found in units]


def _variant_of(pieces: list[Piece]) -> tuple[str, ...]:
    exact = {(p.start, p.end) for p in pieces if not p.variant_of}
    words: list[str] = []
    for piece in pieces:
        if (piece.start, piece.end) not in exact:
            words.extend(w for w in piece.variant_of if w not in words)
    return tuple(words)


def together_first(q: wq.Query, text: str) -> wq.Query:
    """For words typed without quotes or operators (`Ain al-Asad`), `q` or'ed with the phrase
    of their own spellings, boosted: the phrase matches only documents `q` matches, so the
    total stays the same and the documents where the words stand together rank first.
    Anything else (operators, fields, phrases typed, one word) is returned as it is."""
    if type(q) is not wq.And or _NOT_PLAIN.search(text):
        return q
    words: list[str] = []
    for child in q.children():
        leaf = _body_leaf(child)
        if leaf is None:
            return q
        words.extend(leaf.words if isinstance(leaf, wq.Phrase) else [leaf.text])
    if not 2 <= len(words) <= MAX_TOGETHER_WORDS:
        return q
    return wq.Or([q, wq.Phrase("body", words, boost=TOGETHER_BOOST)])


def _body_leaf(q: wq.Query):
    if isinstance(q, (wq.Term, wq.Phrase)) and type(q) in (wq.Term, wq.Phrase):
        return q if q.fieldname == "body" and not getattr(q, "variant_of", ()) else None
    if type(q) is wq.Or:
        return next((leaf for leaf in map(_body_leaf, q.children()) if leaf is not None), None)
    return None
