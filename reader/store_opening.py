"""The annotation store, opened on first use in whichever thread asks first (issue 19).

Opening a folder store of 100,000 annotations scans its 10,000 files and reads the summaries
kept beside the index; a first start without summaries then reads every file for the
document list's counts. The app's first frame needs none of it, so `Library` no longer opens
its store when it is made: the start-up worker that lists the documents asks first, after the
first frame, and a caller on another thread that asks meanwhile waits for that one opening
(never a second one). The coder of a folder store is known without opening it (the rule of
reader/coders.py), so the status bar can say who codes before the store is open.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reader.store import AnnotationStore


class StoreOpening:
    """One store, opened once by `open` when `get` is first called."""

    def __init__(self, open: Callable[[], AnnotationStore]) -> None:
        self._open = open
        self._store: AnnotationStore | None = None
        self._lock = threading.Lock()

    @property
    def opened(self) -> bool:
        return self._store is not None

    def get(self) -> AnnotationStore:
        store = self._store
        if store is not None:
            return store
        with self._lock:  # a second caller waits for the first's opening
            if self._store is None:
                self._store = self._open()
            return self._store
