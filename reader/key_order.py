"""The terminal's keys handled one at a time, each in the world the one before it left.

Textual hands each key to the widget focused *when the key arrives*. Typed fast (tmux
send-keys, a paste of keystrokes, a quick typist, a slow machine), a whole burst arrives before
the first key is handled: `t` then "actor/fast" queued all eleven keys to the document view
before `t` opened the tag dialog, so the view got the name's letters after the dialog was up and
they were lost ("ctor/fast" in tmux, nothing at all in a pilot burst). The same happened to every
key typed after one that opens a dialog or a screen (`c`, `E`, `C`, `i`, ...).

`KeyOrder` holds the keys that come while one is being handled and hands the next over only when
the one before is done: the key has reached every widget it bubbles through (a callback follows
it up the same queues, so it runs after the key at each of them) and, if the key pushed or
popped a screen, that screen is mounted and its focus set (one refresh, then one turn of the
app's queue, where Textual's deferred `focus()` waits). A screen can also say that the next
key must wait for work a key started in a thread (`keys_must_wait()`: Enter on a query whose
results are still coming, a document being opened), so "Haniyeh", Enter, `m`, `t` typed at once
selects in the opened document, not in the list. Keys wait at most `WAIT_SECONDS` (a handler
awaiting something long, a slow open): then they go on as Textual would have sent them, so a
held key is late at worst, never lost and never stuck. ctrl+q and ctrl+c never wait.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import TYPE_CHECKING, Awaitable, Callable

from textual import events
from textual.app import ScreenStackError

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump
    from textual.screen import Screen

log = logging.getLogger(__name__)

WAIT_SECONDS = 3.0
POLL_SECONDS = 0.02  # how often a screen's keys_must_wait() is asked again
NEVER_HELD = frozenset({"ctrl+q", "ctrl+c"})


class KeyOrder:
    """The app's gate for keys from the terminal (see the module docstring)."""

    def __init__(self, app: App, handle: Callable[[events.Key], Awaitable[None]]) -> None:
        self.app = app
        self.handle = handle  # hands a key to the app as Textual would (then calls `handed`)
        self.held: deque[events.Key] = deque()
        self.busy = False
        self.serial = 0  # which key is in hand: a late callback of an earlier one is ignored
        self.deadline = 0.0  # when the key in hand stops holding the others back
        self.watched = -1  # the key in hand whose watchdog is set (only while keys are held)

    def admit(self, event: events.Key) -> bool:
        """True: handle `event` now (then call `handed`). False: it waits its turn."""
        if event.key in NEVER_HELD:
            return True
        if self.busy or self.held:
            self.held.append(event)
            self._watch()
            return False
        self._take()
        return True

    def _watch(self) -> None:
        """Keys are held behind the one in hand: let them go if its handling never comes
        back. Set only then, not for every key typed one at a time."""
        if self.watched != self.serial:
            self.watched = serial = self.serial
            self.app.set_timer(WAIT_SECONDS, lambda: self._watchdog(serial))

    def _take(self) -> None:
        self.busy = True
        self.serial += 1
        self.deadline = time.monotonic() + WAIT_SECONDS

    def handed(self, target: MessagePump, screen_before: Screen | None) -> None:
        """The key was given to `target` (the focused widget, or the screen): follow it up
        to the app, then let the next key go."""
        serial = self.serial
        chain: list[MessagePump] = [target]
        node = getattr(target, "_parent", None)
        while node is not None:
            chain.append(node)
            node = getattr(node, "_parent", None)
        if chain[-1] is not self.app:
            chain.append(self.app)
        self._follow(serial, chain, 0, screen_before)

    def _follow(self, serial: int, chain: list[MessagePump], at: int, screen_before: Screen | None) -> None:
        if serial != self.serial:
            return
        if at == len(chain):
            self._settle(serial, screen_before)
            return
        if not chain[at].call_later(self._follow, serial, chain, at + 1, screen_before):
            self._follow(serial, chain, at + 1, screen_before)  # that queue is closed: skip it

    def _settle(self, serial: int, screen_before: Screen | None) -> None:
        """The key is handled. A new screen on top gets its first refresh (it is mounted) and
        then one turn of the app's queue (its `focus()` calls) before the next key."""
        if serial != self.serial:
            return
        if screen_before is None or self.app.screen is screen_before:
            self._release(serial)
            return
        screen = self.app.screen
        screen.call_after_refresh(lambda: self.app.call_later(self._release, serial))

    def _watchdog(self, serial: int) -> None:
        if serial == self.serial and self.busy:
            log.debug("a key's handling did not come back in %.1f s: the next keys go", WAIT_SECONDS)
            self.deadline = 0.0
            self._release(serial)

    def _screen_waits(self) -> bool:
        try:
            must_wait = getattr(self.app.screen, "keys_must_wait", None)
        except ScreenStackError:  # no screen (closing)
            return False
        return bool(must_wait is not None and must_wait())

    def _release(self, serial: int) -> None:
        if serial != self.serial:
            return
        if self.held and time.monotonic() < self.deadline and self._screen_waits():
            self.app.set_timer(POLL_SECONDS, lambda: self._release(serial))
            return
        self.busy = False
        self.serial += 1
        if self.held:
            self.app.call_later(self._next)

    async def _next(self) -> None:
        if self.busy or not self.held:
            return
        event = self.held.popleft()
        self._take()
        if self.held:
            self._watch()
        await self.handle(event)
