"""What searches keep and reuse (index/search/block_cache.py): the results are exactly those
of a search that keeps nothing, before and after the index changes."""

from __future__ import annotations

import pytest

import index.search.block_cache as block_cache
from index.indexer import CorpusIndex
from index.search import close_searcher, search

from conftest import seed_variations

QUERIES = [
    '"of the"',
    '"the truce"',
    '"the the"',
    '"in a US drone strike"',
    "Iraq AND troops",
    '"of the" NOT Babil',
    "s*",
    "a*",
    "Nujabba~",
    "Iraq",
    "security OR truce",
]


@pytest.fixture()
def ci(tmp_path) -> CorpusIndex:
    """A hundred documents: "the" and "of" fill postings blocks big enough to be kept."""
    seed_variations(tmp_path / "corpus", 20)
    index = CorpusIndex(tmp_path / "corpus", tmp_path / "index")
    index.update()
    return index


def _results(index: CorpusIndex) -> dict:
    out = {}
    for query in QUERIES:
        res = search(index, query, pagelen=30)
        out[query] = (res.total, [(h.doc_id, round(h.score, 9), h.spans, h.units, h.snippet) for h in res.hits])
    return out


def _keeping_nothing(index: CorpusIndex, monkeypatch) -> dict:
    with monkeypatch.context() as m:
        m.setattr(block_cache, "CACHE", block_cache.BlockCache(budget=0))
        close_searcher(index)
        return _results(index)


def test_kept_blocks_give_the_results_of_a_search_keeping_nothing(ci, monkeypatch):
    cache = block_cache.BlockCache()
    monkeypatch.setattr(block_cache, "CACHE", cache)
    cold = _results(ci)
    assert cache.size > 0  # the common words' blocks were kept
    assert _results(ci) == cold  # and read from there the second time
    assert _keeping_nothing(ci, monkeypatch) == cold


def test_nothing_kept_outlives_a_change_of_the_index(ci, monkeypatch):
    monkeypatch.setattr(block_cache, "CACHE", block_cache.BlockCache())
    _results(ci)
    changed = sorted(ci.corpus_root.rglob("*.txt"))[0]
    changed.write_text("Of the truce of the security, of the the Iraq troops.\n" * 3, "utf-8")
    ci.update()  # a new segment; the file's old version is a deleted document
    after = _results(ci)
    assert after['"of the"'][0] > 0
    assert after == _keeping_nothing(ci, monkeypatch)


def test_the_budget_bounds_what_is_kept():
    cache = block_cache.BlockCache(budget=1000)

    class Leaf:  # any object a weak reference can point to
        pass

    leaf = Leaf()
    block = (tuple(range(5)), None, (b"x" * 100,) * 5)  # 5 * 120 + 500 = 1100 bytes: over
    cache.put(leaf, ("body", b"the", 0), block)
    assert cache.get(leaf, ("body", b"the", 0)) is None and cache.size == 0
    small = (tuple(range(2)), None, (b"x" * 10,) * 2)  # 260 bytes
    for number in range(5):
        cache.put(leaf, ("body", b"the", number), small)
    assert cache.size <= 1000
    assert cache.get(leaf, ("body", b"the", 0)) is None  # the least recently used went first
    assert cache.get(leaf, ("body", b"the", 4)) == small
    assert cache.get(Leaf(), ("body", b"the", 4)) is None  # another reader: not its blocks


def test_a_term_s_formula_made_once_for_all_segments_scores_as_one_made_per_segment(tmp_path, monkeypatch):
    import index.search.blockwise as blockwise

    seed_variations(tmp_path / "corpus", 12, folders=3)
    index = CorpusIndex(tmp_path / "corpus", tmp_path / "index")
    index.update()
    changed = min((tmp_path / "corpus" / "set1").iterdir())
    changed.write_text(changed.read_text("utf-8") + "\n\nof the truce, strikes and bases.\n", "utf-8")
    index.update()  # two segments: the formulas are shared between them
    made = []
    segment_free = blockwise.segment_free
    monkeypatch.setattr(blockwise, "segment_free", lambda scorer: made.append(scorer) or segment_free(scorer))
    shared = _results(index)
    assert made and all(segment_free(scorer) for scorer in made)  # Whoosh's BM25F: shared
    monkeypatch.setattr(blockwise, "segment_free", lambda scorer: False)
    assert _results(index) == shared


def test_an_or_of_terms_scored_with_numpy_scores_as_posting_by_posting(ci, monkeypatch):
    """Prefixes and fuzzy terms (Ors of 8 terms or more) are scored by `_or_of_terms`; the
    same scores to the last bit, totals and ranking as the posting-by-posting scoring."""
    import index.search.blockwise as blockwise

    used = []
    or_of_terms = blockwise._or_of_terms
    monkeypatch.setattr(blockwise, "_or_of_terms", lambda *args: used.append(1) or or_of_terms(*args))
    fast = _results(ci)
    assert used  # "s*" and "a*" took it
    monkeypatch.setattr(blockwise, "bm25_parameters", lambda scorer: None)
    close_searcher(ci)
    slow = {}
    for query in QUERIES:
        res = search(ci, query, pagelen=30)
        slow[query] = (res.total, [(h.doc_id, h.score, h.spans, h.units, h.snippet) for h in res.hits])
    close_searcher(ci)
    monkeypatch.undo()
    for query in QUERIES:
        res = search(ci, query, pagelen=30)
        assert slow[query] == (res.total, [(h.doc_id, h.score, h.spans, h.units, h.snippet) for h in res.hits])
    assert fast == _results(ci)
