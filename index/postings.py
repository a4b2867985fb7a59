"""The body and variants postings of a document, computed in one pass over its words.

This is the hot loop of a build. The fields' analyzers (index/analysis.py) remain the reference
and serve queries; here the same terms, positions and character offsets are produced with as
little Python per word as possible, and tests/test_analysis.py proves the result equals
`TEXT.index()` through the analyzers, posting for posting:

* the text is cut into words once (`index.words.words_of`) and both fields share the words,
  spans and positions (a dotted word adds its parts, a CJK run its bigrams, so a word's
  position is not always its index in the list; `positions` is None when it is);
* words become terms through the memoised `body_term` / `variant_codes` mapped at C speed;
* name-likeness (which words the variants field codes) is decided from the first letters and
  from the few hyphen joins the text contains, not word by word in Python;
* each term's postings are encoded exactly as Whoosh's `Characters` format does
  (`pack_uint(count) + pickle.dumps(deltas, 2)`; the test compares bytes with `format.encode`).

A posting item is `(term_bytes, frequency, weight, valuestring)`, which is what a Whoosh
`FieldType.index()` yields. `PreAnalyzed` carries such a list to `add_document`: the schema's
fields yield it unchanged (index/schema.py), so the analysis can run anywhere, e.g. in a worker
process (index/parallel.py), and the writer only writes.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from pickle import dumps

from whoosh.system import pack_uint

from index.analysis import _JOINERS, body_term, variant_codes
from index.words import words_of

__all__ = ["PreAnalyzed", "analyze", "body_items", "variant_items", "split_words"]

Item = tuple[bytes, int, float, bytes]

# Every joiner: where name_like() can join two words into one hyphen group. Whether a word
# really ends right before it and another starts right after is checked against the spans (a
# word may end in a combining mark of any script, so no character class here can say it).
_JOIN_RE = re.compile("[" + "".join(sorted(_JOINERS)).replace("-", "\\-") + "]")


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
    out = []
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


def name_positions(text: str, words: list[str], spans: list[tuple[int, int]]) -> list[int]:
    """Indices of the name-like words, ascending: the same answer as `analysis.name_like`."""
    keep = {i for i, word in enumerate(words) if word[0].isupper()}
    # Hyphen groups: a joiner at offset o joins the word ending at o and the one starting at o+1.
    joined_to_next: set[int] = set()
    for m in _JOIN_RE.finditer(text):
        o = m.start()
        k = bisect_left(spans, (o + 1,))  # first word starting at or after o + 1
        if 0 < k < len(spans) and spans[k][0] == o + 1 and spans[k - 1][1] == o:
            joined_to_next.add(k - 1)
    if joined_to_next:
        for first in sorted(joined_to_next):
            if first - 1 in joined_to_next:
                continue  # not the start of its group
            last = first + 1
            while last in joined_to_next:
                last += 1
            group = range(first, last + 1)
            if any(i in keep for i in group):
                keep.update(group)
    return sorted(keep)


def variant_items(
    text: str,
    words: list[str],
    spans: list[tuple[int, int]],
    boost: float = 1.0,
    positions: list[int] | None = None,
) -> list[Item]:
    """The variants field's postings: metaphone codes of the name-like words."""
    groups: dict[str, list[int]] = {}
    get = groups.get
    for pos in name_positions(text, words, spans):
        for code in variant_codes(words[pos]):
            found = get(code)
            if found is None:
                groups[code] = [pos]
            else:
                found.append(pos)
    return _encode(groups, spans, boost, positions)


def analyze(text: str) -> tuple[PreAnalyzed, PreAnalyzed]:
    """The body and variants postings of a document text, ready for `add_document`."""
    words, spans, positions = split_words(text)
    return (
        PreAnalyzed(body_items(words, spans, 1.0, positions)),
        PreAnalyzed(variant_items(text, words, spans, 1.0, positions)),
    )
