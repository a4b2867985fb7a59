"""Whoosh's private API behind index/whoosh_internals.py: when a fast path cannot use it (as
after a Whoosh upgrade), the slow public road gives exactly the same results and the log says
which fast path fell back and why."""

from __future__ import annotations

import logging
from contextlib import contextmanager

import pytest

import index.search.blocks as blocks
import index.search.blockwise as blockwise
import index.search.lexicon as lexicon
import index.search.session as session
import index.term_counts as term_counts
import index.whoosh_internals as internals
from index.indexer import CorpusIndex
from index.search import search
from index.whoosh_internals import Unsupported, fallback
from reader.analytics.frequencies import corpus_terms

from conftest import seed_variations

QUERIES = [
    '"United States"',
    '"Ain al-Asad"',
    "Iraq AND troops",
    "s*",
    "a*",
    "Nujabba~",
    "Babil",
    "Iraq NOT Syria",
    "security",
    '"drone attack" OR Babil',
    "title:Iraq",
]


@pytest.fixture(scope="module")
def ci(tmp_path_factory) -> CorpusIndex:
    """A hundred documents (postings of several blocks), one of them replaced since (a
    segment with a deleted document)."""
    root = tmp_path_factory.mktemp("internals")
    corpus = root / "corpus"
    seed_variations(corpus, 20)
    index = CorpusIndex(corpus, root / "index")
    index.update()
    changed = sorted(corpus.rglob("*.txt"))[0]
    changed.write_text(changed.read_text("utf-8") + "\n\nIraq troops security.\n", "utf-8")
    index.update()
    return index


def _results(index: CorpusIndex) -> dict:
    out = {}
    for query in QUERIES:
        res = search(index, query, pagelen=30)
        out[query] = (res.total, [(h.doc_id, round(h.score, 9), h.spans, h.snippet) for h in res.hits])
    return out


@contextmanager
def _logged():
    """The records of the `index` loggers while the block runs (and fallback's memory of what
    it already reported, emptied, so each reason is a warning again)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = records.append
    logger = logging.getLogger("index")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    saved = set(internals._REPORTED)
    internals._REPORTED.clear()
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        internals._REPORTED.clear()
        internals._REPORTED.update(saved)


def _warnings(records, what: str) -> list[str]:
    return [r.getMessage() for r in records if r.levelno == logging.WARNING and what in r.getMessage()]


def _unsupported(*_args, **_kwargs):
    raise Unsupported("forced by the test")


def test_postings_read_one_at_a_time_give_the_same_results_and_say_why(ci, monkeypatch):
    expected = _results(ci)
    monkeypatch.setattr(blocks, "posting_blocks", _unsupported)
    with _logged() as records:
        assert _results(ci) == expected
    [message] = _warnings(records, "postings by block")
    assert "forced by the test" in message


def test_scores_without_the_length_formula_are_the_same_and_say_why(ci, monkeypatch):
    expected = _results(ci)
    monkeypatch.setattr(blockwise, "length_score", _unsupported)
    with _logged() as records:
        assert _results(ci) == expected
    assert _warnings(records, "scoring from field lengths")


def test_a_searcher_reopened_for_want_of_the_segment_list_says_why(ci, monkeypatch):
    expected = _results(ci)  # the searcher is open
    ci.update()  # nothing changed, but the Whoosh index is reopened: same segments?
    monkeypatch.setattr(session, "segments", _unsupported)
    with _logged() as records:
        assert _results(ci) == expected
    assert _warnings(records, "reusing the open searcher")


def test_term_counts_through_the_public_api_are_the_same_and_say_why(ci, monkeypatch):
    term_counts._cache.clear()
    expected = corpus_terms(ci, limit=100)
    term_counts._cache.clear()
    monkeypatch.setattr(term_counts, "segment_term_weights", _unsupported)
    with _logged() as records:
        assert corpus_terms(ci, limit=100) == expected
    assert _warnings(records, "term counts from the term table")
    term_counts._cache.clear()


def test_a_segment_s_terms_from_its_term_table_are_whoosh_s_lexicon(ci):
    with ci.whoosh().searcher() as searcher:
        for leaf, _ in searcher.reader().leaf_readers():
            for field in leaf.indexed_field_names():
                assert internals.segment_terms(leaf, field) == list(leaf.lexicon(field)), field


def test_a_field_s_lexicon_through_the_public_api_is_the_same_and_says_why(ci, monkeypatch):
    with ci.whoosh().searcher() as searcher:
        reader = searcher.reader()
        expected = lexicon.field_lexicon(reader, "body")
        assert len(expected) > 500
        lexicon.LEXICONS.pop(reader, None)
        monkeypatch.setattr(lexicon, "segment_terms", _unsupported)
        with _logged() as records:
            assert lexicon.field_lexicon(reader, "body") == expected
        assert _warnings(records, "a segment's lexicon from the term table")
        lexicon.LEXICONS.pop(reader, None)


def test_a_fallback_is_a_warning_once_then_a_debug_line():
    logger = logging.getLogger("index.test")
    with _logged() as records:
        for _ in range(3):
            fallback(logger, "a path", Unsupported("a reason"))
        fallback(logger, "a path", "another reason")
    levels = [(r.levelno, r.getMessage()) for r in records]
    assert [lv for lv, _ in levels] == [logging.WARNING, logging.DEBUG, logging.DEBUG, logging.WARNING]
    assert "a path" in levels[0][1] and "Unsupported: a reason" in levels[0][1]


def test_an_index_fallback_reaches_the_app_log_file():
    from reader import logs

    path = logs.setup()  # the state folder is a tmp folder (conftest)
    assert path is not None
    fallback(logging.getLogger("index.search.blocks"), "a path the test takes", "its reason")
    for handler in logging.getLogger("index").handlers:
        handler.flush()
    logged = path.read_text(encoding="utf-8")
    assert "WARNING index.search.blocks: fast path a path the test takes" in logged
    assert "its reason" in logged
