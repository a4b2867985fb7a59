"""One open Whoosh searcher per CorpusIndex, shared by every search until the index changes.

Opening a searcher costs more than a search, so it is opened once and reused
(`OpenSearcher`); `warm` also reads the lexicons and may start the helper process
(index/search/helper.py) so that no search the user types pays for them.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from whoosh.qparser import MultifieldParser
from whoosh.searching import Searcher

from index.indexer import CorpusIndex
from index.schema import DEFAULT_FIELDS
from index.search.helper import SegmentHelper
from index.search.lexicon import field_lexicon
from index.search.syntax import query_parser
from index.whoosh_internals import Unsupported, fallback, segments

log = logging.getLogger(__name__)

# From this many documents on, `warm(index, helper=True)` starts a helper process: below it
# searches are fast enough that a second process (its memory, its half second of start-up)
# is not worth it.
HELPER_MIN_DOCS = 3000


class OpenSearcher:
    """The Whoosh searcher kept open for one CorpusIndex, reopened when the index changes.

    Opening a searcher costs ~180 ms on 100 MB (every segment's term files are read), more
    than a whole search, so it is opened once and reused. Before each use the index's latest
    generation (a directory listing) is compared with the searcher's; when the index has been
    committed since, the searcher is replaced by a fresh one. Whoosh's own `refresh()` is not
    used: with `reuse=` it keeps readers of segments whose deletions changed (a changed
    document would then be found twice) and re-adds merged-away segments.

    A Whoosh searcher is not safe for concurrent use (its files are shared handles), so the
    whole of a search runs under `lock`; searches of one index therefore take turns. A writer
    in another thread or process may commit meanwhile: the open searcher keeps reading the
    files it opened (POSIX keeps deleted files alive) and the next search sees the new state.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._ix = None
        self._searcher: Searcher | None = None
        self.query_parser: MultifieldParser | None = None
        self.helper: SegmentHelper | None = None  # a SegmentHelper once `warm(index, helper=True)` started one

    def current(self, index: CorpusIndex) -> Searcher:
        """The open searcher, up to date with the index on disk (call with `lock` held)."""
        ix = index.whoosh()
        searcher = self._searcher
        if searcher is not None and not self._fresh(searcher, ix):
            self.close()
            searcher = None
        if searcher is None:
            searcher = ix.searcher()
            self._searcher, self.query_parser = searcher, None
        self._ix = ix
        return searcher

    def parser(self, searcher: Searcher) -> MultifieldParser:
        if self.query_parser is None:
            self.query_parser = query_parser(searcher.schema)
        return self.query_parser

    def _fresh(self, searcher: Searcher, ix) -> bool:
        try:
            if ix.latest_generation() != searcher.reader().generation():
                return False
            if ix is self._ix:
                return True
            # The CorpusIndex reopened its Whoosh index (every update() does): same files?
            try:
                current = segments(ix)
            except Unsupported as exc:
                fallback(log, "reusing the open searcher", exc)
                return False
            return _segment_state(current) == _segment_state(
                reader.segment() for reader, _ in searcher.reader().leaf_readers()
            )
        except Exception:  # index files replaced or gone: open anew
            return False

    def close(self) -> None:
        searcher, self._searcher, self.query_parser = self._searcher, None, None
        if searcher is not None:
            try:
                searcher.close()
            except Exception:
                pass


def _segment_state(segments) -> set[tuple[str, int]]:
    return {(seg.segment_id(), seg.deleted_count()) for seg in segments if seg is not None}


_OPEN: weakref.WeakKeyDictionary[CorpusIndex, OpenSearcher] = weakref.WeakKeyDictionary()
_OPEN_LOCK = threading.Lock()


@contextmanager
def searching(index: CorpusIndex) -> Iterator[tuple[Searcher, OpenSearcher]]:
    """The index's shared searcher, held exclusively for the duration of the block."""
    with _OPEN_LOCK:
        entry = _OPEN.get(index)
        if entry is None:
            entry = _OPEN[index] = OpenSearcher()
            weakref.finalize(index, entry.close)
    with entry.lock:
        yield entry.current(index), entry


def close_searcher(index: CorpusIndex) -> None:
    """Close the searcher kept open for `index` (it reopens on the next search) and stop
    its helper process, if any."""
    with _OPEN_LOCK:
        entry = _OPEN.get(index)
    if entry is not None:
        with entry.lock:
            entry.close()
            helper, entry.helper = entry.helper, None
            if helper is not None:
                helper.close()


def warm(index: CorpusIndex, helper: bool = False) -> None:
    """Open the searcher and read the term lists that fuzzy terms and "did you mean" walk
    (`field_lexicon`: 0.3 to 0.5 s at 100 MB), so that no search the user types pays for them.
    With `helper`, and an index of HELPER_MIN_DOCS documents or more, also start a helper
    process that scores half of the segments of the slow queries (index/search/helper.py;
    used once it has started). The app calls this in its indexing worker once the index is
    up to date."""
    with searching(index) as (searcher, entry):
        big = searcher.doc_count_all() >= HELPER_MIN_DOCS
        if helper and big and (entry.helper is None or not entry.helper.alive):
            entry.helper = started = SegmentHelper(index.whoosh_dir)
            weakref.finalize(index, started.close)
        reader = searcher.reader()
        for field in DEFAULT_FIELDS:
            if field in reader.schema:
                field_lexicon(reader, field)
