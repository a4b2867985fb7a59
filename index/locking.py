"""The index folder's lock: one update at a time, and never stuck behind a build that died.

An `flock` on `index_dir/lock`, which the kernel releases when the holder dies, held for the
whole of an update. While it is held, the file names the holder (pid, start time, command), so a
process that finds the lock taken can tell a live build (it waits, and says so) from a dead one.

A dead build can still "hold" an flock: the lock belongs to the open file, and any process that
inherited the descriptor keeps it. Builds before the spawned workers of index/parallel.py forked
their workers, and a killed `reader index` left them running with the lock: every later command
on that corpus waited forever. So when the named holder is gone but the lock is still taken, the
processes that have the lock file open (found in /proc) are leftovers of that build: they are
stopped, the lock is taken over, and the notice callback says so. When the lock is free but its
file still names another process, that build was interrupted; the notice says it resumes.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["Holder", "index_lock", "IndexLockError"]

Notice = Callable[[str], None]

POLL_SECONDS = 0.2  # how often a waiting process looks at the lock again
STALE_SECONDS = 1.0  # a dead holder's record must stay this long before its lock is taken over
KILL_WAIT_SECONDS = 10.0  # how long leftovers get to disappear after SIGKILL


class IndexLockError(OSError):
    """The lock file cannot be opened or locked (a read-only or missing index folder)."""


@dataclass(frozen=True)
class Holder:
    """Who holds (or last held) the lock, as written into the lock file."""

    pid: int
    started: float
    command: str

    def describe(self) -> str:
        when = time.strftime("%H:%M:%S", time.localtime(self.started))
        return f"process {self.pid} ({self.command}, started {when})"


@contextmanager
def index_lock(path: Path, notice: Notice | None = None) -> Iterator[None]:
    """Hold the lock at `path` for the duration of the block (see the module docstring)."""
    say = notice or (lambda message: None)
    try:
        handle = open(path, "a+b")
    except OSError as exc:
        raise IndexLockError(exc.errno, f"cannot lock the index ({exc.strerror})", str(path)) from None
    with handle:
        fd = handle.fileno()
        _acquire(fd, path, say)
        previous = _read_holder(fd)
        if previous is not None and previous.pid != os.getpid() and not _alive(previous.pid):
            say(f"the last update of this index, by {previous.describe()}, was interrupted; resuming it")
        _write_holder(fd, Holder(os.getpid(), time.time(), _command()))
        try:
            yield
        finally:
            try:
                os.ftruncate(fd, 0)  # a clean end: nobody to report as interrupted
            except OSError:
                pass
            fcntl.flock(fd, fcntl.LOCK_UN)


def _acquire(fd: int, path: Path, say: Notice) -> None:
    announced: Holder | None = None
    stale: tuple[Holder | None, float] | None = None  # a dead holder's record, and since when seen
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = _read_holder(fd)
        owners = _processes_with_open(path)  # None where /proc cannot tell
        others = set() if owners is None else owners - {os.getpid()}
        if holder is None:
            dead = False  # nobody named (a lock file we could not write): wait
        elif owners is None:
            dead = not _alive(holder.pid)
        else:  # not `_alive`: a reused pid must not pass for the holder
            dead = holder.pid not in owners
        if not dead or not others:
            stale = None
            if announced is None or announced != holder:
                announced = holder or Holder(0, 0.0, "")
                who = holder.describe() if holder is not None else "another process"
                say(f"waiting for {who}, which is updating this index")
        elif stale is None or stale[0] != holder:
            stale = (holder, time.monotonic())
        elif time.monotonic() - stale[1] >= STALE_SECONDS:
            # The record outlived its writer: a new holder writes its own within microseconds
            # of locking, so this is not a build that has just started.
            leftovers = sorted(others)
            assert holder is not None  # only a named holder is found dead
            say(
                f"the index was locked by {len(leftovers)} leftover process(es) "
                f"({', '.join(map(str, leftovers))}) of a build by {holder.describe()} "
                "that died; stopped them and took the lock over"
            )
            _kill(leftovers)
            stale = None
            continue
        time.sleep(POLL_SECONDS)


def _read_holder(fd: int) -> Holder | None:
    try:
        data = os.pread(fd, 4096, 0)
        record = json.loads(data.decode("utf-8"))
        return Holder(int(record["pid"]), float(record["started"]), str(record["command"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write_holder(fd: int, holder: Holder) -> None:
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(asdict(holder)).encode("utf-8"), 0)
    except OSError:  # a read-only lock file: the lock works, the holder stays unnamed
        pass


def _command() -> str:
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    return " ".join([name, *sys.argv[1:2]])[:80]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _processes_with_open(path: Path) -> set[int] | None:
    """Pids of the processes (that we may inspect) with `path` open, from Linux's /proc; None
    where there is no /proc to ask."""
    try:
        target = os.stat(path)
        entries = os.listdir("/proc")
    except OSError:
        return None
    key = (target.st_dev, target.st_ino)
    found: set[int] = set()
    for entry in entries:
        if not entry.isdigit():
            continue
        fd_dir = f"/proc/{entry}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                st = os.stat(f"{fd_dir}/{fd}")
            except OSError:
                continue
            if (st.st_dev, st.st_ino) == key:
                found.add(int(entry))
                break
    return found


def _kill(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    deadline = time.monotonic() + KILL_WAIT_SECONDS
    while time.monotonic() < deadline and any(_alive(pid) and not _zombie(pid) for pid in pids):
        time.sleep(0.05)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] == "Z"
    except OSError:
        return True
