"""Waiting in tests: for the event a test needs, never for a time.

A test on this 2-core machine may run with both cores busy, so no test asks for N events
within T seconds or asserts how long something took. It waits for what it needs, and the only
time limit is `HANG`: generous enough that reaching it means something hangs (or went
quadratic), never that the machine is slow.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Callable, TypeVar

from textual.worker import WorkerCancelled, WorkerFailed, WorkerState

HANG = 180.0
"""Seconds after which a wait is declared a hang."""

POLL = 0.05

T = TypeVar("T")


class _Deadline:
    """The moment a wait becomes a hang, and the failure that says so (with `explain()`, what
    the test saw then: the screen, the notifications)."""

    def __init__(self, what: str, timeout: float, explain: Callable[[], object] | None = None) -> None:
        self.what, self.timeout, self.explain = what, timeout, explain
        self.end = time.monotonic() + timeout

    def check(self) -> None:
        if time.monotonic() > self.end:
            seen = f"; seen:\n{self.explain()}" if self.explain is not None else ""
            raise AssertionError(f"{self.what}: still not true after {self.timeout:.0f} s (a hang?){seen}")


def wait_until(
    predicate: Callable[[], T],
    what: str,
    timeout: float = HANG,
    *,
    explain: Callable[[], object] | None = None,
    poll: float = POLL,
) -> T:
    """Poll `predicate` until it returns something true, and return that; fail after `timeout`."""
    deadline = _Deadline(what, timeout, explain)
    while not (value := predicate()):
        deadline.check()
        time.sleep(poll)
    return value


async def pilot_wait_until(
    pilot, predicate: Callable[[], T], what: str, timeout: float = HANG, *, explain: Callable[[], object] | None = None
) -> T:
    """`wait_until` for a Textual pilot test: the app keeps running while the test waits."""
    deadline = _Deadline(what, timeout, explain)
    while not (value := predicate()):
        deadline.check()
        await pilot.pause(POLL)
    return value


async def settle_workers(app, timeout: float = HANG, *, failures_ok: bool = False) -> None:
    """Wait until none of `app`'s workers is running.

    Unlike `app.workers.wait_for_complete()`, a worker cancelled on the way is no error: on a
    busy machine a debounced or exclusive job is often replaced by a newer run while the test
    waits, and the newer run is what this waits for. A worker that fails still fails the test,
    unless `failures_ok` (a test of how the app shows failures).
    """
    deadline = _Deadline("the app's workers finish", timeout)
    while unfinished := [w for w in app.workers if not w.is_finished]:
        deadline.check()
        started = [w for w in unfinished if w.state != WorkerState.PENDING]
        if not started:  # about to start: wait for them next round
            await asyncio.sleep(POLL)
            continue
        outcomes = await asyncio.gather(*(w.wait() for w in started), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(outcome, WorkerCancelled):
                if not (failures_ok and isinstance(outcome, WorkerFailed)):
                    raise outcome


async def settle(pilot, *, failures_ok: bool = False, timeout: float = HANG) -> None:
    """Let posted messages start their workers, wait until none runs, let their results show;
    twice, since a result often starts more work (a search's hits load the open document's
    matches). For a test that needs the app quiet; a test that needs one event waits for it
    with `pilot_wait_until`."""
    await pilot.pause()
    for _ in range(2):
        await settle_workers(pilot.app, timeout, failures_ok=failures_ok)
        await pilot.pause()


def finishes(call: Callable[[], T], what: str, timeout: float = HANG) -> T:
    """Run `call` and return its result; fail (instead of hanging the suite) when it does not end
    within `timeout`. For the "no quadratic blow-up" tests: such a blow-up on their inputs takes
    hours, so the limit tells it from a slow machine without measuring anything."""
    outcome: list = []

    def run() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            outcome.append((False, exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise AssertionError(f"{what}: not done after {timeout:.0f} s (quadratic or stuck)")
    ok, value = outcome[0]
    if not ok:
        raise value
    return value
