"""The body postings of a document, computed in one pass over its words.

This is the hot loop of a build. The fields' analyzers (index/analysis.py) remain the reference
and serve queries; here the same terms, positions and character offsets are produced with as
little Python per word as possible, and tests/test_analysis.py proves the result equals
`TEXT.index()` through the analyzers, posting for posting:

* the text is cut into words once (`index.words.words_of`), with spans and positions (a
  dotted word adds its parts, a CJK run its bigrams, so a word's position is not always its
  index in the list; `positions` is None when it is);
* words become terms through the memoised `body_term` mapped at C speed;
* each term's postings are encoded exactly as Whoosh's `Characters` format does
  (`pack_uint(count) + pickle.dumps(deltas, 2)`; the test compares bytes with `format.encode`).

A posting item is `(term_bytes, frequency, weight, valuestring)`, which is what a Whoosh
`FieldType.index()` yields. `PreAnalyzed` carries such a list to `add_document`: the schema's
fields yield it unchanged (index/schema.py), so the analysis can run anywhere, e.g. in a worker
process (index/parallel.py), and the writer only writes.
"""

from __future__ import annotations

from pickle import dumps

from whoosh.system import pack_uint

from index.analysis import body_term
from index.words import words_of

__all__ = ["PreAnalyzed", "analyze", "body_items", "split_words"]

Item = tuple[bytes, int, float, bytes]


class PreAnalyzed:
    """Posting items computed ahead of `add_document`; the schema's fields yield them as-is."""

    __slots__ = ("items",)

    def __init__(self, items: list[Item]) -> None:
        self.items = items

    def __reduce__(self):
        return (PreAnalyzed, (self.items,))

    def __repr__(self) -> str:
        return f"PreAnalyzed({len(self.items)} terms)"


def split_words(text: str) -> tuple[list[str], list[tuple[int, int]], list[int] | None]:
    """The words of `text`, their (start, end) spans and positions (see `words_of`)."""
    return words_of(text)


def _encode(
    groups: dict[str, list[int]],
    spans: list[tuple[int, int]],
    boost: float,
    positions: list[int] | None = None,
) -> list[Item]:
    """Whoosh `Characters.encode` of each term's words (indices into `spans`), as posting
    items; a word's position is `positions[index]` (the index itself when None)."""
    out: list = []
    append = out.append
    for term, indices in groups.items():
        n = len(indices)
        if n == 1:
            index = indices[0]
            start, end = spans[index]
            deltas = [(index if positions is None else positions[index], start, end - start)]
        else:
            deltas = []
            add = deltas.append
            last_pos = last_end = 0
            for index in indices:
                start, end = spans[index]
                pos = index if positions is None else positions[index]
                add((pos - last_pos, start - last_end, end - start))
                last_pos = pos
                last_end = end
        append((term.encode("utf-8"), n, n * boost, pack_uint(n) + dumps(deltas, 2)))
    return out


def body_items(
    words: list[str],
    spans: list[tuple[int, int]],
    boost: float = 1.0,
    positions: list[int] | None = None,
) -> list[Item]:
    """The body field's postings: every word's `body_term` (see `_encode` for positions)."""
    groups: dict[str, list[int]] = {}
    get = groups.get
    for pos, term in enumerate(map(body_term, words)):
        found = get(term)
        if found is None:
            groups[term] = [pos]
        else:
            found.append(pos)
    return _encode(groups, spans, boost, positions)


def analyze(text: str) -> PreAnalyzed:
    """The body postings of a document text, ready for `add_document`."""
    words, spans, positions = split_words(text)
    return PreAnalyzed(body_items(words, spans, 1.0, positions))
