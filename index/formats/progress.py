"""Page-by-page progress of a long extraction (a 1,000-page PDF), for whoever is indexing.

The indexer's own progress counts documents, which leaves a bar standing still while one
big PDF is read. An extractor that works page by page reports each page here; the caller of
an index update (the app's indexing worker, `reader index` on a terminal) listens with
`page_progress` around the update, in the same thread.

Extractions in the indexer's worker processes (index/parallel.py) report too: a worker
listens with a `ThrottledPages`, which sends at most one report per `interval` (a few a
second: a message costs the parent a queue read) and always a document's last one, so the
receiving side knows the document is done; the parent hands them on with `FollowOne`, one
document at a time (two workers read two PDFs at once, and a bar that follows both would
jump back and forth), to `report` in its own thread, where the caller listens.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["FollowOne", "PageProgress", "ThrottledPages", "listen", "page_progress", "report"]

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


def listen(callback: PageProgress) -> None:
    """Calls `callback` after each page extracted in this thread from now on (a worker
    process's thread, which listens for the rest of its life)."""
    _listening.callback = callback


def report(doc_id: str, done: int, total: int) -> None:
    callback = getattr(_listening, "callback", None)
    if callback is not None:
        callback(doc_id, done, total)


class ThrottledPages:
    """A listener that passes on a page report to `send` when `interval` seconds have gone
    since the last one it passed; `finish()` (after each document) then passes on that
    document's end, (total, total), if its last report was held back or it stopped early
    (an extraction that failed half-way is done too)."""

    def __init__(self, send: PageProgress, interval: float) -> None:
        self._send = send
        self._interval = interval
        self._last_sent = float("-inf")
        self._open: tuple[str, int] | None = None  # a document whose end was not passed on yet

    def __call__(self, doc_id: str, done: int, total: int) -> None:
        if self._open is not None and self._open[0] != doc_id:
            self.finish()
        now = time.monotonic()
        if done >= total:
            if self._open is not None or now - self._last_sent >= self._interval:
                self._pass(doc_id, total, total, now)
            self._open = None
        elif now - self._last_sent >= self._interval:
            self._pass(doc_id, done, total, now)
            self._open = (doc_id, total)

    def finish(self) -> None:
        if self._open is not None:
            doc_id, total = self._open
            self._open = None
            self._pass(doc_id, total, total, time.monotonic())

    def _pass(self, doc_id: str, done: int, total: int, now: float) -> None:
        self._last_sent = now
        self._send(doc_id, done, total)


class FollowOne:
    """Hands page reports on to `report` for one document at a time: the first one heard
    from, until its last page; reports of other documents meanwhile are dropped."""

    def __init__(self) -> None:
        self._following: str | None = None

    def __call__(self, doc_id: str, done: int, total: int) -> None:
        if self._following not in (None, doc_id):
            return
        self._following = None if done >= total else doc_id
        report(doc_id, done, total)
