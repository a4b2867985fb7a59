"""A field's terms held in memory, and the terms within a few edits of a word.

Fuzzy terms and "did you mean" look words up in the field's lexicon held in memory
(`field_lexicon`, 0.3 s once per open searcher) with Whoosh's Levenshtein automaton (see
`terms_within`): walking the whole lexicon took 3 s per query at 100 MB.
"""

from __future__ import annotations

import logging
import threading
import weakref
from bisect import bisect_left
from collections.abc import Iterator

from whoosh.automata import lev

from index.whoosh_internals import fallback, segment_terms

log = logging.getLogger(__name__)

LEXICONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
LEXICONS_LOCK = threading.Lock()


def field_lexicon(reader, field: str) -> list[str]:
    """Every term of `field` in the index, sorted, read once per open reader (0.3 s for body
    and title at 100 MB) and kept with it: fuzzy lookups then step through memory."""
    with LEXICONS_LOCK:
        fields = LEXICONS.get(reader)
        if fields is None:
            fields = LEXICONS[reader] = {}
        terms = fields.get(field)
        if terms is None:
            fieldobj = reader.schema[field]
            found: set[bytes] = set()
            for leaf, _ in reader.leaf_readers():
                if leaf.doc_count_all() and field in leaf.indexed_field_names():
                    found.update(_segment_lexicon(leaf, field))
            terms = fields[field] = sorted(fieldobj.from_bytes(b) for b in found)
        return terms


def _segment_lexicon(leaf, field: str):
    """One segment's terms of `field` as bytes: read from its term table in one pass, or
    through Whoosh's public `lexicon()` (the same terms, slower) when the layout is not W3's."""
    try:
        return segment_terms(leaf, field)
    except Exception as exc:
        fallback(log, "a segment's lexicon from the term table", exc)
        return leaf.lexicon(field)


def _automaton_terms(dfa, terms: list[str]) -> Iterator[str]:
    """The terms a DFA accepts, jumping through the sorted list as Whoosh's
    `Automata.find_matches` jumps through a segment's term file."""
    if not terms:
        return
    i = 0
    match = dfa.next_valid_string(terms[0])
    while match:
        i = bisect_left(terms, match, i)
        if i >= len(terms):
            return
        term = terms[i]
        if match == term:
            yield term
            term += "\0"
        match = dfa.next_valid_string(term)


def terms_within(reader, field: str, word: str, maxdist: int, prefix: int) -> set[str]:
    """Terms of `field` within `maxdist` edits of `word` sharing its first `prefix` letters.

    Found with Whoosh's Levenshtein automaton walked over the field's whole lexicon held in
    memory (`field_lexicon`): asked of each segment on disk it cost ~70 ms per field at 100 MB
    (a hash-table seek per step), and the whole index's reader (a MultiReader) has no such
    method and falls back to a Python edit distance for every term (3 s per fuzzy query).
    """
    try:
        terms = field_lexicon(reader, field)
    except Exception as exc:  # a reader that cannot list its terms: ask each segment
        fallback(log, "fuzzy terms from the lexicon in memory", exc)
        terms = None
    found: set[str] = set()
    if terms is not None:
        dfa = lev.levenshtein_automaton(word, maxdist, prefix).to_dfa()
        found.update(_automaton_terms(dfa, terms))
    else:
        for leaf, _ in reader.leaf_readers():
            if leaf.doc_count_all() == 0 or field not in leaf.indexed_field_names():
                continue
            found.update(leaf.terms_within(field, word, maxdist, prefix=prefix))
    # The automaton counts a swap of two neighbours ("teh") as two edits; Whoosh's own
    # Damerau-Levenshtein (and a typist) count one. Look the swaps up directly.
    for i in range(max(prefix, 0), len(word) - 1):
        if word[i] != word[i + 1]:
            swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
            if swapped not in found and (field, swapped) in reader:
                found.add(swapped)
    return found
