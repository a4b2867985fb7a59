"""Passages of other documents like a given one, scored with the alignment's similarity.

The candidate documents come from the index (index/similar.py: the passage's rarest words and
its names' respellings as one query), or are every document of a plain corpus.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from index.document import Document, Span
from index.indexer import CorpusIndex
from index.similar import candidate_documents
from reader.align.terms import _passages, _Side, _Token, _tokens, _variant_map, _Vocab

SIMILAR_MIN_SCORE = 0.15
SIMILAR_CANDIDATE_DOCS = 40
SIMILAR_QUERY_TERMS = 16


@dataclass(frozen=True)
class SimilarPassage:
    doc_id: str
    span: Span
    score: float


def similar_passages(corpus_or_index, doc_id: str, span: Span, limit: int = 10) -> list[SimilarPassage]:
    """The passages of other documents most like `span` of `doc_id`, best first.

    With a `CorpusIndex`, candidate documents are the top hits of an OR query of the passage's
    rarest terms (plus the respellings of its names, so other spellings are found); with a
    plain `Corpus`, every document is a candidate. Each paragraph of a candidate is then scored
    with the alignment's similarity (IDF over the candidates' paragraphs). Raises
    index.corpus.UnreadableDocument when `doc_id` cannot be loaded.
    """
    source = corpus_or_index.load(doc_id)
    passage = _tokens(source.text, span.start, span.end)
    if not passage:
        return []
    candidates = list(_candidate_documents(corpus_or_index, doc_id, passage))
    docs: list[Document] = []
    for cid in candidates:
        try:
            docs.append(corpus_or_index.load(cid))
        except Exception:  # vanished or unreadable since indexing: skip it
            continue
    sides = [(_Side(d.text), d) for d in docs]
    vocab = _Vocab(_variant_map([*passage, *(t for s, _ in sides for t in s.tokens)]))
    query = frozenset(vocab.id(t.term) for t in passage)
    pool: list[tuple[str, Span, frozenset[int]]] = []
    for side, doc in sides:
        for p in _passages(doc):
            pool.append((doc.id, p, side.terms(p, vocab)))
    vocab.weigh([query, *(terms for _, _, terms in pool)])
    scored = []
    for cid, p, terms in pool:
        shared = query & terms
        if len(shared) < 2:
            continue
        score = vocab.cosine(query, terms)
        if score >= SIMILAR_MIN_SCORE:
            scored.append(SimilarPassage(cid, p, round(score, 6)))
    scored.sort(key=lambda s: (-s.score, s.doc_id, s.span.start))
    return scored[:limit]


def _candidate_documents(corpus_or_index, doc_id: str, passage: list[_Token]) -> Iterable[str]:
    if not isinstance(corpus_or_index, CorpusIndex):  # a plain Corpus: every other document
        files, _ = corpus_or_index.scan()
        return [f.id for f in files if f.id != doc_id]
    return candidate_documents(
        corpus_or_index,
        doc_id,
        [t.folded for t in passage],
        [t.folded for t in passage if t.name],
        SIMILAR_QUERY_TERMS,
        SIMILAR_CANDIDATE_DOCS,
    )
