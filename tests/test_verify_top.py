"""The hits first, the count after (index/search/verify_top.py): a search that leaves its total
uncounted gives exactly the hits, scores, order and highlights of the full search, page after
page, with a selection, with the helper process, ties included; `count_hits` gives the full
search's total; and both ways of ending (the ranking settled early, or so few candidates held
the phrase that all were checked) are taken."""

from __future__ import annotations

import pytest

import index.search.session as session
import index.search.verify_top as verify_top
from index.indexer import CorpusIndex
from index.search import close_searcher, count_hits, search, searching, warm

from conftest import segmented_index

QUERIES = [
    '"of the"',
    '"in the"',
    '"the withdrawal"',
    '"United States"',
    '"said the"',
    '"the" AND "of the"',
    '"in the" OR Babil',
    '"to the" OR "in the"',
    '"of the" AND attack*',
    '"Iraqi security forces"',
    '"the the"',
    'title:"the"',
    '"of the" NOT Syria',
    '"no such phrase here"',
]


@pytest.fixture(scope="module")
def ci(tmp_path_factory) -> CorpusIndex:
    """200 documents, the seeds' paragraphs rotated (so many score the same: ties), committed
    in batches: several segments."""
    index = segmented_index(tmp_path_factory.mktemp("verify-top"))
    yield index
    close_searcher(index)


@pytest.fixture()
def endings(monkeypatch) -> dict[str, int]:
    """Every candidate set is checked lazily (no minimum), a few at a time; counts how each
    lazy scoring ended."""
    monkeypatch.setattr(verify_top, "ALL_BELOW", 0)
    monkeypatch.setattr(verify_top, "FIRST_BATCH", 0.2)
    seen = {"all checked": 0}
    real = verify_top._all_checked

    def all_checked(*args, **kwargs):
        seen["all checked"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(verify_top, "_all_checked", all_checked)
    return seen


def _shown(results) -> list[tuple]:
    return [(h.doc_id, h.score, h.spans, h.units, h.snippet) for h in results.hits]


def _compare(ci: CorpusIndex) -> int:
    """Every query, page and selection both ways; the number of searches left uncounted."""
    uncounted = 0
    some = sorted(ci.documents())[::3]
    for query in QUERIES:
        for doc_ids in (None, some):
            full_total = count_hits(ci, query, doc_ids=doc_ids)
            for pagelen in (1, 4, 20):
                for page in (1, 3):
                    full = search(ci, query, page=page, pagelen=pagelen, doc_ids=doc_ids)
                    first = search(ci, query, page=page, pagelen=pagelen, doc_ids=doc_ids, count=False)
                    where = f"{query} page {page} of {pagelen}, selection: {doc_ids is not None}"
                    assert full.counted and full.total == full_total, where
                    assert _shown(first) == _shown(full), where
                    if first.counted:
                        assert first.total == full.total, where
                    else:
                        uncounted += 1
                        assert len(first.hits) <= first.total < full.total, where
                        assert len(first.hits) == pagelen, where
    return uncounted


def test_the_hits_first_are_the_full_searchs(ci, endings):
    uncounted = _compare(ci)
    assert uncounted > 25  # the lazy path was taken, and settled early
    assert endings["all checked"] > 0  # and some phrases were checked in full after all


def test_the_same_with_the_helper_process(ci, endings, monkeypatch):
    """The helper scores half of the segments (with the default `ALL_BELOW`: its half is
    counted while this process's is not, and the merged total is left to count)."""
    monkeypatch.setattr(session, "HELPER_MIN_DOCS", 0)
    warm(ci, helper=True)
    with searching(ci) as (_searcher, entry):
        assert entry.helper is not None and entry.helper.wait_ready()
    try:
        assert _compare(ci) > 25
    finally:
        close_searcher(ci)


def test_few_candidates_are_counted_at_once(ci):
    """Below `ALL_BELOW` candidates the search counts as before: nothing is left to count."""
    for query in QUERIES:
        assert search(ci, query, count=False).counted, query


def test_a_count_stops_when_asked(ci, endings):
    """`count_hits` asks `cancelled` between segments: told to stop it gives None (and lets go of
    the searcher: a search right after it works); never told, it gives the full total."""
    asked: list[int] = []

    def after_two() -> bool:
        asked.append(1)
        return len(asked) > 2

    assert count_hits(ci, '"of the"', cancelled=after_two) is None
    assert len(asked) == 3  # asked before each segment, stopped at the third
    full = search(ci, '"of the"')
    assert count_hits(ci, '"of the"', cancelled=lambda: False) == full.total > 20
