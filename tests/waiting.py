"""Waiting in tests: for the event a test needs, never for a time.

A test on this 2-core machine may run with both cores busy, so no test asks for N events
within T seconds or asserts how long something took. It waits for what it needs, and the only
time limit is `HANG`: generous enough that reaching it means something hangs (or went
quadratic), never that the machine is slow.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, TypeVar

HANG = 180.0
"""Seconds after which a wait is declared a hang."""

POLL = 0.05

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], what: str, timeout: float = HANG) -> T:
    """Poll `predicate` until it returns something true, and return that; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: still not true after {timeout:.0f} s (a hang?)")
        time.sleep(POLL)


async def pilot_wait_until(pilot, predicate: Callable[[], T], what: str, timeout: float = HANG) -> T:
    """`wait_until` for a Textual pilot test: the app keeps running while the test waits."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: still not true after {timeout:.0f} s (a hang?)")
        await pilot.pause(POLL)


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
