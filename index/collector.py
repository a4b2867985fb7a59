"""How the project tunes Python's cycle collector, in one place (no Textual, no rich).

Reference counting frees almost everything this project allocates; the cycle collector exists
for the rest, and its full (generation 2) passes walk every object it tracks. Work that builds a
large structure that lives on (a store's 100,000 annotations, an export's rows, a build
worker's postings) pays for those passes again and again while it grows: a full pass runs each
time the long-lived objects have grown by a quarter. Measured (docs/benchmarks.md, "The cycle
collector"): a sixth of a first `reader agree`, a fifth of an export of 100,000 annotations, a
tenth of a build worker's CPU. Two tools:

- `paused()`: the collector off while records without cycles are made (annotations parsed from
  JSON, export rows): nothing is left for it to find, so nothing is lost by not looking. It is
  process-wide (Python has one collector), so it counts its users: it is back on when the last
  one ends, and only if it was on when the first began. Pausing alone only defers the cost of
  what lives on: everything made meanwhile is still young when the collector comes back, and
  its next three passes walk it all (reading 100,000 annotations paused, then sorting them,
  took as long as without the pause). So `paused(live_on=True)` ends with `gc.freeze()` when
  the block made many objects: frozen objects are left out of every later pass, and reference
  counting still frees them (a store's annotations replaced by a re-read, say). What a freeze
  costs: a cycle among objects alive at that moment that later becomes garbage is never
  collected, which for a process's long-lived state (an app's screens) is a few of them.
- `rare_full_passes()`: for a process that runs code it does not control for a long time (a
  build worker runs PDF and Word extractors, which may well leave cycles), the young
  collections stay as they are, so short-lived cycles are still freed, and only the full
  passes over the whole heap become rare.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["FREEZE_FROM", "FULL_PASS_EVERY", "paused", "rare_full_passes"]

FULL_PASS_EVERY = 1000
"""Generation-1 collections between two full passes in `rare_full_passes` (Python's default
is 10). At 10, a build worker made 13 full passes per 2,000 documents, 0.5 s of its 7.4 s;
at 1,000 it made 1."""

_lock = threading.Lock()
_users = 0
_was_enabled = False


FREEZE_FROM = 100_000
"""Objects a `paused(live_on=True)` block must have made for it to end with a freeze: a
store's read of a few files is not worth one (100,000 annotations made about 600,000)."""


@contextmanager
def paused(live_on: bool = False) -> Iterator[None]:
    """The cycle collector off for the block (reference counting still frees everything).

    Only for work that allocates many objects without reference cycles, or whose cycles live
    to the end anyway: cyclic garbage made meanwhile is collected only after the block.
    `live_on`: what the block made is kept for long (see the module's docstring), so a block
    that made FREEZE_FROM objects or more ends with `gc.freeze()`."""
    global _users, _was_enabled
    with _lock:
        if _users == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _users += 1
        young = gc.get_count()[0]  # counted while paused too: what this block (and any other
        # thread meanwhile) made is the difference at its end
    try:
        yield
    finally:
        with _lock:
            if live_on and gc.get_count()[0] - young >= FREEZE_FROM:
                gc.freeze()
            _users -= 1
            if _users == 0 and _was_enabled:
                gc.enable()


def rare_full_passes() -> None:
    """Make the collector's full passes rare in this process, for its whole life (see the
    module's docstring): meant for a worker process, never for the app's."""
    young, middle, _full = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_PASS_EVERY)
