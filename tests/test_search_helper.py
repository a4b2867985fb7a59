"""The search helper process (index/search_helper.py): with it, searches give exactly what they
give without it (it only moves half of the scoring and highlighting to another core), and
when it is gone, stale or slow the searching process does the work itself."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import index.search as search_module
import index.search.session as session
from index.indexer import CorpusIndex
from index.search import close_searcher, search, warm
from index.search.helper import merge_top

from conftest import segmented_index
from waiting import HANG

QUERIES = [
    '"United States"',
    '"Ain al-Asad"',
    '"the withdrawal"',
    "Iraq AND troops",
    "s*",
    "a*",
    "Nujabba~",
    "attack*",
    "Iraq OR Syria OR Baghdad",
    "militia OR militias",
    "Babil",
    "Iraq NOT Syria",
    "security",
    '"drone attack" OR Babil',
    "title:Iraq",
]


@pytest.fixture(scope="module")
def ci(tmp_path_factory) -> CorpusIndex:
    """A few hundred documents committed in batches: several segments to split."""
    index = segmented_index(tmp_path_factory.mktemp("helper"))
    return index


def _results(index: CorpusIndex) -> dict:
    out = {}
    some = sorted(index.documents())[::3]  # a selection: the helper filters by it too
    for query in QUERIES:
        for page, doc_ids in ((1, None), (2, None), (1, some)):
            res = search(index, query, page=page, pagelen=15, doc_ids=doc_ids)
            out[query, page, doc_ids is None] = (
                res.total,
                [(h.doc_id, round(h.score, 9), h.spans, h.snippet, h.snippet_spans) for h in res.hits],
            )
    return out


def _helper(index: CorpusIndex):
    with search_module.searching(index) as (_searcher, entry):
        return entry.helper


@pytest.fixture()
def helped(ci, monkeypatch):
    monkeypatch.setattr(session, "HELPER_MIN_DOCS", 0)
    close_searcher(ci)
    warm(ci, helper=True)
    helper = _helper(ci)
    assert helper is not None and helper.wait_ready()
    yield ci
    close_searcher(ci)


def test_searches_with_the_helper_equal_those_without(ci, helped):
    with_helper = _results(helped)
    helper = _helper(helped)
    assert helper.requests >= len(QUERIES) // 2  # scoring and spans went to the helper
    close_searcher(ci)  # stops the helper
    assert _helper(ci) is None
    assert _results(ci) == with_helper


def test_a_dead_helper_is_replaced_by_local_work(ci, helped):
    expected = _results(helped)
    helper = _helper(helped)
    helper._process.kill()
    helper._process.wait(HANG)
    assert _results(helped) == expected
    assert not helper.alive and not helper.ready()


def test_the_helper_follows_a_changed_index(ci, helped, tmp_path):
    before = search(helped, '"United States" OR zanzibarquux').total
    new = Path(ci.corpus_root) / "zz_new.txt"
    new.write_text("United States zanzibarquux " * 20 + "\n", "utf-8")
    try:
        ci.update()
        requests = _helper(helped).requests
        res = search(helped, '"United States" OR zanzibarquux', pagelen=50)
        assert res.total == before + 1
        assert "zz_new.txt" in [h.doc_id for h in res.hits]
        assert _helper(helped).requests > requests
    finally:
        new.unlink()
        ci.update()


def test_small_indexes_start_no_helper(ci):
    close_searcher(ci)
    warm(ci, helper=True)  # HELPER_MIN_DOCS is 3,000: this index has a few hundred
    assert _helper(ci) is None


def test_a_phrase_pickles_without_its_readers():
    phrase = search_module.FastPhrase("body", ["united", "states"])
    phrase._cache[1] = (object(), {}, {})
    copy = pickle.loads(pickle.dumps(phrase))
    assert copy._cache == {} and copy.words == ["united", "states"]


def test_merge_top_ranks_by_score_then_document():
    total, top = merge_top([(5, [(3, 2.0), (7, 1.0)]), (4, [(1, 2.0), (9, 1.5)])], 3)
    assert total == 9
    assert top == [(1, 2.0), (3, 2.0), (9, 1.5)]


def test_a_helper_that_stops_answering_is_retired(ci, helped, monkeypatch):
    import os
    import signal

    import index.search.helper as helper_module

    expected = _results(helped)
    helper = _helper(helped)
    monkeypatch.setattr(helper_module, "TIMEOUT", 0.3)
    os.kill(helper.pid, signal.SIGSTOP)  # alive, but silent
    assert _results(helped) == expected
    assert not helper.alive


def test_an_index_py_in_the_working_directory_does_not_shadow_the_helper(ci, tmp_path, monkeypatch):
    (tmp_path / "index.py").write_text("raise SystemExit('shadowed')\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    close_searcher(ci)
    monkeypatch.setattr(session, "HELPER_MIN_DOCS", 1)
    warm(ci, helper=True)
    helper = _helper(ci)
    assert helper is not None and helper.wait_ready()
    close_searcher(ci)
