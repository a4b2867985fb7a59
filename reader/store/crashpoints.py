"""Numbered kill points in the store's write path, so crash tests can stop a writer exactly there.

Every step of a write that matters for crash consistency (creating, writing and fsyncing a temp
file, writing the journal, each rename or removal, each folder fsync, removing the journal,
unlocking) calls `point(name)` before and after itself. Normally that is one global check.

- `READER_CRASH_AT=N` in the environment: the process SIGKILLs itself at the Nth point (counted
  from process start, or from `arm()`). A kill at a random time almost always lands during
  interpreter start-up; a kill at point N lands exactly where N is.
- `READER_CRASH_TRACE=FILE`: each point's number and name is appended to FILE (one line, written
  before the kill), so a test can count the points of an operation and name the one it hit.

No signal handler, cleanup or buffered output runs after the kill: that is the point.
"""

from __future__ import annotations

import os
import signal

CRASH_AT_ENV = "READER_CRASH_AT"
TRACE_ENV = "READER_CRASH_TRACE"

_target = 0
_trace: str | None = None
_count = 0


def arm(crash_at: int = 0, trace: str | None = None) -> None:
    """Start counting from zero: kill at point `crash_at` (0: never), append names to `trace`."""
    global _target, _trace, _count
    _target, _trace, _count = crash_at, trace, 0


def point(name: str) -> None:
    """One kill point. Cheap when no crash test is running."""
    global _count
    if not _target and _trace is None:
        return
    _count += 1
    if _trace is not None:
        fd = os.open(_trace, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{_count} {name}\n".encode("utf-8", "replace"))
        finally:
            os.close(fd)
    if _count == _target:
        os.kill(os.getpid(), signal.SIGKILL)


def _from_environment() -> None:
    try:
        crash_at = int(os.environ.get(CRASH_AT_ENV) or 0)
    except ValueError:
        crash_at = 0
    trace = os.environ.get(TRACE_ENV) or None
    if crash_at or trace:
        arm(crash_at, trace)


_from_environment()
