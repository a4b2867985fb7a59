"""Live changes: LISTEN on the project's channel, catch up from the change log.

Every change a client commits sends `NOTIFY reader_changes, '<its sequence number>'` in its
transaction (reader/store/postgres/__init__.py). A `ChangeListener` is one thread with its own
connection that LISTENs; on each notification it calls `on_event(Event("change", seq))`, and the
client catches up by reading the change log from the last sequence number it has (`refresh`),
so nothing depends on the notification's payload or on notifications being replayed: they are
not, after a disconnect, and the log is. When the connection drops the listener says so
(`Event("disconnected")`), reconnects with a growing pause (at most `MAX_PAUSE` seconds), and
says `Event("reconnected")`, after which the client catches up from the log.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable, Literal

from reader.store.postgres.schema import CHANNEL

log = logging.getLogger(__name__)

MAX_PAUSE = 2.0
POLL = 0.5
"""Seconds the thread waits for a notification before it checks whether it should stop."""


@dataclass(frozen=True)
class Event:
    kind: Literal["change", "disconnected", "reconnected"]
    seq: int | None = None
    reason: str = ""


class ChangeListener:
    """A daemon thread LISTENing to a project's changes until `stop()`."""

    def __init__(self, address: str, on_event: Callable[[Event], None]):
        self.address = address
        self.on_event = on_event
        self._stop = threading.Event()
        self._conn = None
        self.listening = threading.Event()
        """Set while LISTEN is in place (tests wait on it)."""
        self._thread = threading.Thread(target=self._run, name="reader-listen", daemon=True)

    def start(self) -> "ChangeListener":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    @property
    def backend_pid(self) -> int | None:
        """The server process of the listening connection (tests drop it)."""
        conn = self._conn
        return conn.info.backend_pid if conn is not None and not conn.closed else None

    def _run(self) -> None:
        self._pause, was_down = 0.2, False
        while not self._stop.is_set():
            try:
                self._listen(was_down)
                return
            except Exception as exc:  # the server went away, refused us...
                self.listening.clear()
                reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                if not was_down:
                    log.warning("lost the live connection to the store: %s", reason)
                    self._emit(Event("disconnected", reason=reason))
                was_down = True
                self._close()
                self._stop.wait(self._pause)
                self._pause = min(self._pause * 2, MAX_PAUSE)

    def _listen(self, was_down: bool) -> None:
        from reader.store.postgres import connect

        self._conn = connect(self.address)
        self._conn.execute(f"LISTEN {CHANNEL}")  # type: ignore[attr-defined]  # just connected
        self.listening.set()
        self._pause = 0.2
        if was_down:
            self._emit(Event("reconnected"))
        try:
            while not self._stop.is_set():
                for note in self._conn.notifies(timeout=POLL):  # type: ignore[attr-defined]
                    self._emit(Event("change", int(note.payload) if note.payload.isdigit() else None))
                    if self._stop.is_set():
                        break
        finally:
            self.listening.clear()
            self._close()

    def _emit(self, event: Event) -> None:
        try:
            self.on_event(event)
        except Exception:  # a failing handler must not stop the listening
            log.exception("handling a store event failed")

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass
