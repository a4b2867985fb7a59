"""Postings read without their values (index/whoosh_internals.py `ids_weights_of`,
index/search/blocks.py `term_weights`): exactly what Whoosh decodes, and what scoring and
totals read, so that a common word's positions are not decoded for them."""

from __future__ import annotations

import pickle
import zlib

import pytest
from whoosh import query as wq

import index.search.block_cache as block_cache
from index.indexer import CorpusIndex
from index.search import close_searcher, search
from index.whoosh_internals import PostingBlocks, ids_weights_of, unfiltered

from conftest import seed_variations


@pytest.fixture()
def ci(tmp_path) -> CorpusIndex:
    seed_variations(tmp_path / "corpus", 20)
    index = CorpusIndex(tmp_path / "corpus", tmp_path / "index")
    index.update()
    return index


def _whole(blocks: PostingBlocks) -> tuple:
    return tuple(blocks.ids()), tuple(blocks.weights())


def test_every_block_read_without_values_gives_whoosh_s_ids_and_weights(ci):
    with ci.whoosh().searcher() as searcher:
        reader = searcher.reader()
        seen = {"prefix": 0, "whole": 0}
        for leaf, _base in reader.leaf_readers():
            for field in ("body", "title"):
                for btext in list(leaf.lexicon(field))[:400]:
                    matcher, _ = unfiltered(leaf, leaf.postings(field, btext))
                    if type(matcher).__name__ != "W3LeafMatcher":
                        continue
                    fast, slow = PostingBlocks(matcher), PostingBlocks(unfiltered(leaf, leaf.postings(field, btext))[0])
                    while fast.active():
                        m = fast._matcher
                        raw = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
                        seen["prefix" if ids_weights_of(raw, bool(m._compression), m._blocklength) else "whole"] += 1
                        ids, weights = fast.ids_weights()
                        assert (tuple(ids), tuple(weights)) == _whole(slow)
                        assert [type(w) for w in weights] == [type(w) for w in slow.weights()]
                        fast.next()
                        slow.next()
                    assert not slow.active()
    assert seen["prefix"] > 0 and seen["whole"] > 0  # both roads were taken


@pytest.mark.parametrize("weights", [None, 2.0, (1.0, 3.0, 2.0, 7.0, 1.0)])
@pytest.mark.parametrize("compressed", [True, False])
def test_a_block_s_prefix_is_cut_after_its_weights(weights, compressed):
    ids = (3, 1, 300, 70000, 2)
    values = tuple(bytes([k]) * 40 for k in range(5))
    data = pickle.dumps((ids, weights, values), 2)
    raw = zlib.compress(data, 3) if compressed else data
    assert ids_weights_of(raw, compressed, 5) == (ids, weights)
    assert ids_weights_of(raw, compressed, 4) is None  # not the block's count: read it whole
    short = pickle.dumps(((1, 2), None, (b"a", b"b")), 2)  # TUPLE2, no MARK: read it whole
    assert ids_weights_of(short, False, 2) is None
    assert ids_weights_of(b"\x80\x02(K\x01", False, 1) is None  # cut short


def test_scoring_and_totals_decode_no_values(ci, monkeypatch):
    """An Or of many terms, an And and a term's total read ids and weights only: no block's
    values (positions, characters) are decoded until the shown hits' highlights, which read
    only the blocks of those hits; the results stay those of a full read."""
    import index.search.run as run

    queries = ["s*", "a*", "Iraq AND troops", "the", "security OR truce"]
    monkeypatch.setattr(block_cache, "CACHE", block_cache.BlockCache(budget=0))
    full = PostingBlocks.ids_weights
    monkeypatch.setattr(PostingBlocks, "ids_weights", lambda self: (self.ids(), self.weights()))
    expected = {q: _shown(search(ci, q, pagelen=5)) for q in queries}
    monkeypatch.setattr(PostingBlocks, "ids_weights", full)
    close_searcher(ci)
    assert {q: _shown(search(ci, q, pagelen=5)) for q in queries} == expected
    decoded = []
    values = PostingBlocks.values
    monkeypatch.setattr(PostingBlocks, "values", lambda self: decoded.append(1) or values(self))
    monkeypatch.setattr(run, "shown_spans", lambda q, searcher, docnums, helper: {d: [] for d in docnums})
    for query in queries:
        res = search(ci, query, pagelen=5)
        assert res.total == expected[query][0]
        assert decoded == [], query


def _shown(res) -> tuple:
    return res.total, [(h.doc_id, h.score, h.spans, h.units, h.snippet) for h in res.hits]


def test_a_word_and_a_not_are_scored_from_postings_as_whoosh_s_collector_scores_them(ci, monkeypatch):
    """A word (its body and title terms) and `a NOT b` are scored from ids and weights, with
    b's documents left out, not through Whoosh's collector: the same totals, scores to the
    last bit, ranking and highlights as the collector gives."""
    import index.search.blockwise as blockwise
    import index.search.negation as negation
    from whoosh.searching import Searcher

    queries = ["the", "Iraq", "truce", "title:Iraq", "Iraq NOT truce", "the NOT Babil", '"of the" NOT Babil']
    monkeypatch.setattr(negation, "block_wise", lambda q, split=False: False)
    real_block_wise = blockwise.block_wise
    monkeypatch.setattr(
        blockwise, "block_wise", lambda q, split=False: real_block_wise(q, split) and type(q) not in (wq.Term, wq.Or)
    )
    by_collector = {q: _shown(search(ci, q, pagelen=30)) for q in queries}
    monkeypatch.undo()
    close_searcher(ci)
    collector = Searcher.search
    used = []
    monkeypatch.setattr(Searcher, "search", lambda self, *a, **k: used.append(a) or collector(self, *a, **k))
    assert {q: _shown(search(ci, q, pagelen=30)) for q in queries} == by_collector
    assert used == []  # no query went through Whoosh's collector
    assert all(by_collector[q][0] > 0 for q in queries)


def test_highlights_skip_the_expanded_words_no_shown_hit_has(ci, monkeypatch):
    """A prefix's highlights open the postings of the words the shown hits have, known from
    the scoring's ids, not of all its expansions; the spans are those of a search that knew
    nothing (every word's postings read for the shown hits)."""
    import index.search.blocks as blocks
    import index.search.spans as spans

    opened = []
    term_postings = spans.term_postings
    monkeypatch.setattr(spans, "term_postings", lambda *a: opened.append(a[2]) or term_postings(*a))
    fast = _shown(search(ci, "s*", pagelen=3))
    skipping = len(opened)
    opened.clear()
    monkeypatch.setattr(spans, "scored_among", lambda leaf, field, btext, wanted: wanted)
    close_searcher(ci)
    assert _shown(search(ci, "s*", pagelen=3)) == fast
    assert skipping < len(opened)
    blocks.forget_scored()
