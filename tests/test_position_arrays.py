"""Phrases found from the position arrays of a segment's common words
(index/position_arrays.py, index/search/phrase_arrays.py) are exactly the phrases found from the
postings: the same documents and start positions per segment, with and without a selection of
documents, deleted documents left out; the same hits, scores, highlights and totals through
the search; and a segment whose arrays are missing or unreadable is read the old way."""

from __future__ import annotations

import io
import random
import re

import pytest
from whoosh.formats import Characters, Positions

import index.position_arrays as position_arrays
import index.search.phrase_arrays as phrase_arrays
from index.indexer import CorpusIndex
from index.search import close_searcher, count_hits, search
from index.search.phrase import FastPhrase

from conftest import SEEDS, segmented_index

FIXED = ['"of the"', '"in the"', '"the the"', '"said the"', '"United States"', '"Iraqi security forces"']


@pytest.fixture(scope="module")
def ci(tmp_path_factory) -> CorpusIndex:
    """The 200 rotated seed documents in several segments, every term with 8 postings or
    more in a segment given arrays (at the default 128 these segments would have none)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(position_arrays, "MIN_POSTINGS", 8)
        index = segmented_index(tmp_path_factory.mktemp("position-arrays"))
    yield index
    close_searcher(index)


def _phrases(count: int) -> list[str]:
    """Adjacent words of the seeds, 2 to 4 at a time, drawn with a fixed seed."""
    rng = random.Random(19)
    words = []
    for seed in sorted(SEEDS.glob("*.txt")):
        words.extend(re.findall(r"[A-Za-z]+", seed.read_text("utf-8")))
    phrases = []
    for _ in range(count):
        at = rng.randrange(len(words) - 4)
        phrases.append('"' + " ".join(words[at : at + rng.randint(2, 4)]) + '"')
    return phrases


@pytest.fixture()
def without_arrays(monkeypatch):
    """Within the test, no segment has arrays: phrases are found from the postings."""
    monkeypatch.setattr(phrase_arrays, "segment_positions", lambda leaf: None)


def _leaves(ci: CorpusIndex):
    searcher = ci.whoosh().searcher()
    return searcher, [leaf for leaf, _base in searcher.reader().leaf_readers()]


def _starts_both_ways(ci: CorpusIndex, monkeypatch, phrase: FastPhrase, only=None) -> tuple[list, list]:
    searcher, leaves = _leaves(ci)
    try:
        fast = [phrase.query_contains(leaf, only)[0] for leaf in leaves]
        with monkeypatch.context() as patch:
            patch.setattr(phrase_arrays, "segment_positions", lambda leaf: None)
            slow = [phrase.query_contains(leaf, only)[0] for leaf in leaves]
    finally:
        searcher.close()
    return fast, slow


def test_every_segment_has_arrays_and_they_are_used(ci, monkeypatch):
    searcher, leaves = _leaves(ci)
    try:
        assert len(leaves) >= 3
        with_arrays = [position_arrays.segment_positions(leaf) is not None for leaf in leaves]
        # All but the segments that Whoosh merged (its own writer: read the old way).
        assert sum(with_arrays) >= 3 and sum(with_arrays) >= len(leaves) - 1
    finally:
        searcher.close()
    used = []
    real = phrase_arrays.phrase_starts
    monkeypatch.setattr("index.search.phrase.phrase_starts", lambda *a: used.append(1) or real(*a))
    assert search(ci, '"of the"').total > 20
    assert used


def test_the_same_starts_as_from_the_postings(ci, monkeypatch):
    """Per segment, for every document and for a selection (the hits' highlights ask for
    the shown documents alone), including a phrase of one word repeated and words that open
    a document (position 0)."""
    parsed = 0
    field = ci.whoosh().schema["body"]
    for text in FIXED + _phrases(80):
        words = [t.text for t in field.analyzer(text.strip('"'), mode="query")]
        phrase = FastPhrase("body", words)
        fast, slow = _starts_both_ways(ci, monkeypatch, phrase)
        assert fast == slow, text
        parsed += any(fast)
        some = sorted({d for found in slow for d in found})[::2]
        if some:
            fast_some, slow_some = _starts_both_ways(ci, monkeypatch, phrase, only=some)
            assert fast_some == slow_some, text
    assert parsed > 40  # most phrases are found (unstemmed words can miss the terms)


def _shown(results) -> list[tuple]:
    return [(h.doc_id, h.score, h.spans, h.units, h.snippet) for h in results.hits]


def test_the_same_search_results(ci, monkeypatch):
    queries = FIXED + _phrases(40) + ['"of the" AND attack*', '"in the" OR Babil', '"of the" NOT Syria']
    fast = [(search(ci, q).total, _shown(search(ci, q, page=2, pagelen=7))) for q in queries]
    counts = [count_hits(ci, q) for q in queries]
    close_searcher(ci)
    with monkeypatch.context() as patch:
        patch.setattr(phrase_arrays, "segment_positions", lambda leaf: None)
        slow = [(search(ci, q).total, _shown(search(ci, q, page=2, pagelen=7))) for q in queries]
        slow_counts = [count_hits(ci, q) for q in queries]
    close_searcher(ci)
    for q, a, b in zip(queries, fast, slow):
        assert a == b, q
    assert counts == slow_counts
    assert sum(1 for total, _ in fast if total) > 30


def test_deleted_documents_are_left_out(ci, monkeypatch):
    """A document deleted in a segment with arrays (which still hold it) is not found, with
    or without a selection; the same as from the postings."""
    before = search(ci, '"of the"', pagelen=100)
    gone = before.hits[0].doc_id
    close_searcher(ci)
    writer = ci.whoosh().writer()
    writer.delete_by_term("id", gone)
    writer.commit(merge=False)
    try:
        searcher, leaves = _leaves(ci)
        try:
            deleted = [leaf for leaf in leaves if leaf.has_deletions()]
            assert deleted and all(position_arrays.segment_positions(leaf) for leaf in deleted)
        finally:
            searcher.close()
        after = search(ci, '"of the"', pagelen=100)
        assert gone not in {h.doc_id for h in after.hits}
        assert after.total == before.total - 1 == count_hits(ci, '"of the"')
        phrase = FastPhrase("body", ["of", "the"])
        fast, slow = _starts_both_ways(ci, monkeypatch, phrase)
        assert fast == slow
        every = sorted({d for found in slow for d in found} | set(range(0, 400, 3)))
        fast_some, slow_some = _starts_both_ways(ci, monkeypatch, phrase, only=every)
        assert fast_some == slow_some
    finally:
        close_searcher(ci)


class Leaf:
    """A segment reader as segment_positions sees one, over a file's bytes."""

    def __init__(self, data: bytes) -> None:
        self._segment = Segment(data)
        self._storage = object()


class Segment:
    """A segment whose arrays file holds `data`, or is written into it (PositionsWriter)."""

    def __init__(self, data: bytes = b"") -> None:
        self.data = data

    def open_file(self, storage, ext):
        return io.BytesIO(self.data)

    def create_file(self, storage, ext):
        segment = self

        class Written(io.BytesIO):
            def close(self) -> None:
                segment.data = self.getvalue()
                super().close()

        return Written()


def test_arrays_hold_the_positions_whoosh_decodes():
    """Each term's arrays give, per document, the positions Whoosh's own formats decode from
    its postings: Characters and Positions values, with and without their pickle's STOP (as
    Whoosh's encoders and ours write them), one posting or many per document, positions past
    65,535 (stored 4 bytes wide), and more postings than one decoding chunk."""
    rng = random.Random(7)
    characters, plain = Characters(), Positions()
    cases = {}
    for n, (docs, widest) in enumerate([(128, 300), (1300, 90_000), (700, 5), (128, 2)]):
        postings = []
        for doc in sorted(rng.sample(range(5 * docs), docs)):
            poses = sorted(rng.sample(range(widest), rng.randint(1, min(widest, 40))))
            postings.append((doc, poses))
        cases[(f"t{n}".encode(), n % 2 == 0)] = postings
    segment = Segment()
    writer = position_arrays.PositionsWriter(object(), segment)
    for (term, chars), postings in cases.items():
        values = []
        for k, (_doc, poses) in enumerate(postings):
            if chars:
                value = characters.encode([(p, 3 * p, 3 * p + 2) for p in poses])
            else:
                value = plain.encode(poses)
            values.append(value[:-1] if k % 3 == 0 and value.endswith(b".") else value)
        writer.add("body", term, [doc for doc, _ in postings], values, chars)
    writer.add("body", b"rare", [1, 2], [plain.encode([1]), plain.encode([2])], False)  # too few: none
    writer.close()
    found = position_arrays.segment_positions(Leaf(segment.data))
    assert found is not None and found.get("body", b"rare") is None
    for (term, _chars), postings in cases.items():
        arrays = found.get("body", term)
        assert arrays is not None and arrays.docs.tolist() == [doc for doc, _ in postings]
        got = [arrays.positions[a:b].tolist() for a, b in zip(arrays.starts[:-1], arrays.starts[1:])]
        assert got == [poses for _, poses in postings]
        assert arrays.positions.dtype.itemsize == (4 if max(max(p) for _, p in postings) >= 1 << 16 else 2)


def test_unreadable_arrays_are_read_from_the_postings(caplog):
    """A file that is not one this code wrote is logged and ignored (the postings are read)."""
    # On the logger itself: once reader.logs.setup() has run in this process (another test of the
    # same worker), the `index` loggers no longer propagate to the root logger caplog listens on.
    position_arrays.log.addHandler(caplog.handler)
    try:
        for data in (b"", b"garbage" * 10, position_arrays.MAGIC + b"\0" * 40 + position_arrays.MAGIC):
            assert position_arrays.segment_positions(Leaf(data)) is None
    finally:
        position_arrays.log.removeHandler(caplog.handler)
    unreadable = {id(r) for r in caplog.records if "unreadable" in r.getMessage()}  # once or twice each
    assert len(unreadable) == 3


def test_reader_index_rebuild_gives_an_old_index_its_arrays(tmp_path, monkeypatch):
    """An index written without arrays (an older version) keeps being read the old way by
    `reader index`, which has nothing to update; `reader index --rebuild` builds it afresh,
    with them, and says so."""
    from click.testing import CliRunner

    from conftest import seed_copies
    from reader.cli import main

    corpus = seed_copies(tmp_path, 8)
    args = ["index", "--corpus", str(corpus), "--index", str(tmp_path / "ix"), "--annotations", str(tmp_path / "a")]

    def arrays() -> list[bool]:
        ci = CorpusIndex(corpus, tmp_path / "ix")
        searcher, leaves = _leaves(ci)
        try:
            return [position_arrays.segment_positions(leaf) is not None for leaf in leaves]
        finally:
            searcher.close()
            close_searcher(ci)

    hints: list[str] = []

    def reader_index(*extra: str) -> str:
        result = CliRunner().invoke(main, [*args, *extra], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert "index --rebuild" not in result.stdout  # the hint goes to stderr, the summary as it was
        hints.append(result.stderr)
        return result.stdout

    monkeypatch.setattr(position_arrays, "EXPECTED_FROM_DOCS", 10)  # these segments: 40 documents
    monkeypatch.setattr(position_arrays, "MIN_POSTINGS", 10**9)  # as an older version wrote it
    assert "40 indexed (40 added" in reader_index()
    assert arrays() and not any(arrays())
    monkeypatch.setattr(position_arrays, "MIN_POSTINGS", 8)
    assert "0 indexed" in reader_index() and not any(arrays())
    out = reader_index("--rebuild")
    assert "Index rebuilt: asked for with --rebuild" in out and "40 indexed (40 added" in out
    assert all(arrays())
    assert "0 indexed" in reader_index()
    # the old index is told how to get them, twice; neither the rebuild nor the index after it
    told = ["made by an earlier version: `reader index --rebuild`" in err for err in hints]
    assert told == [True, True, False, False]
    assert search(CorpusIndex(corpus, tmp_path / "ix"), '"of the"').total > 0
