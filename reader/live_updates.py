"""The app's live view of a shared store: other coders' changes appear as they are made.

On a store that can `listen` (the PostgreSQL backend), `LiveUpdates` starts the store's
listener (reader/store/postgres/listener.py). Each event is handled in the listener's thread,
off the UI: the store catches up from the change log (`refresh`), and only when that changed
something is the app asked to redraw (the open document's highlights, the panel, the counts).
A dropped connection is said at once, in plain words, and so is its return (after which the
app has caught up with everything it missed). The JSON folder has no listener: nothing starts.
"""

from __future__ import annotations

import logging
import threading

from reader.safe_text import sanitize
from reader.store.errors import StoreError

log = logging.getLogger(__name__)


class LiveUpdates:
    def __init__(self, app) -> None:
        self.app = app
        self.listener = None
        self.caught_up = threading.Condition()
        self.applied_seq = 0
        """The store's sequence number when the app last redrew for a change (tests wait on it)."""

    def start(self) -> None:
        if not self.app.library.is_server:  # a folder store has no listener: not opened here
            return
        listen = getattr(self.app.library.store, "listen", None)
        if listen is not None:
            self.listener = listen(self._on_event)

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.stop()
            self.listener = None

    def _on_event(self, event) -> None:
        """In the listener's thread."""
        store = self.app.library.store
        if event.kind == "disconnected":
            self._tell(
                f"Lost the live connection to the shared store ({event.reason}). "
                "Other coders' changes will show when it is back; a change you make while "
                "the server cannot be reached is saved on this machine and sent when it is back.",
                "warning",
            )
            return
        try:
            changed = store.refresh()
        except StoreError as exc:
            self._tell(f"Cannot read the shared store's changes: {exc}", "error")
            return
        for notice in getattr(store, "take_notices", list)():  # changes kept locally, now sent
            self._tell(notice, "warning" if "conflicted" in notice else "information")
        if event.kind == "reconnected":
            self._tell("Connected to the shared store again; every change made meanwhile is shown.", "information")
        if changed or event.kind == "reconnected":
            self._call(self.app.refresh_annotations)
        self.applied_seq = getattr(store, "seq", 0)

    def _tell(self, message: str, severity: str) -> None:
        self._call(
            lambda: self.app.notify(
                sanitize(message), title="Shared store", severity=severity, markup=False, timeout=10
            )
        )

    def _call(self, callback) -> None:
        try:
            self.app.call_from_thread(callback)
        except Exception:  # the app is closing
            log.debug("the app did not take a live update", exc_info=True)
