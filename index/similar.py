"""Which documents may hold a passage like a given one: the candidates that side by side's
"similar passages" then scores word by word (reader/align.py).

The passage's rarest words (by inverse document frequency) are searched in the body, and each
name in it also by its respellings among the corpus's words (index/variants.py: `Babil` finds
the document that writes `Babel`), at the variants boost so exact words rank first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from whoosh import query as wq

from index.analysis import body_term
from index.indexer import CorpusIndex
from index.schema import FIELD_BOOSTS, VARIANTS_FIELD
from index.search import field_lexicon, searching
from index.variants import variants_of

__all__ = ["candidate_documents"]


def candidate_documents(
    index: CorpusIndex,
    doc_id: str,
    words: Sequence[str],
    names: Sequence[str],
    query_terms: int,
    limit: int,
) -> list[str]:
    """Ids of up to `limit` documents other than `doc_id`, best first, found by the
    `query_terms` rarest of the folded `words` and the respellings of the folded `names`."""
    with searching(index) as (searcher, _entry):
        reader = searcher.reader()
        total = max(1, searcher.doc_count())
        weights: dict[str, float] = {}
        for word in words:
            term = body_term(word) if "." not in word else word
            frequency = searcher.doc_frequency("body", term)
            if frequency:
                weights[term] = math.log(1 + total / frequency)
        top = sorted(weights, key=lambda w: (-weights[w], w))[:query_terms]
        respelled: set[str] = set()
        for name in names:
            respelled.update(variants_of(reader, lambda: field_lexicon(reader, "body"), body_term(name)))
        boost = FIELD_BOOSTS[VARIANTS_FIELD]
        terms: list[wq.Query] = [wq.Term("body", w) for w in top]
        terms += [wq.Term("body", t, boost=boost) for t in sorted(respelled - set(top))]
        if not terms:
            return []
        results = searcher.search(wq.Or(terms), limit=limit, mask=wq.Term("id", doc_id))
        return [hit["id"] for hit in results]
