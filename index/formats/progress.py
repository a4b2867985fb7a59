"""Page-by-page progress of a long extraction (a 1,000-page PDF), for whoever is indexing.

The indexer's own progress counts documents, which leaves a bar standing still while one
big PDF is read. An extractor that works page by page reports each page here; the caller of
an index update (the app's indexing worker, `reader index` on a terminal) listens with
`page_progress` around the update, in the same thread. Extractions in the indexer's worker
processes (large batches of many documents) report nothing: their documents are counted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["PageProgress", "page_progress", "report"]

PageProgress = Callable[[str, int, int], None]  # (document id, pages done, pages in all)

_listening = threading.local()


@contextmanager
def page_progress(callback: PageProgress) -> Iterator[None]:
    """Calls `callback(doc_id, done, total)` after each page extracted in this thread."""
    previous = getattr(_listening, "callback", None)
    _listening.callback = callback
    try:
        yield
    finally:
        _listening.callback = previous


def report(doc_id: str, done: int, total: int) -> None:
    callback = getattr(_listening, "callback", None)
    if callback is not None:
        callback(doc_id, done, total)
