"""index/collector.py: the cycle collector paused while many acyclic records are made, and
back exactly as it was after, whoever else paused it meanwhile."""

from __future__ import annotations

import gc
import threading

import pytest

from index import collector


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_paused_turns_the_collector_off_and_back_on(collector_on):
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_pauses_end_with_the_outer_one(collector_on):
    with collector.paused():
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner end does not turn it back on under the outer
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    was = gc.isenabled()
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


def test_back_on_after_an_exception(collector_on):
    with pytest.raises(RuntimeError):
        with collector.paused():
            raise RuntimeError("boom")
    assert gc.isenabled()


def test_two_threads_overlapping(collector_on):
    """A worker thread's pause that ends first leaves it off for the other still in its own."""
    inside, release, seen = threading.Event(), threading.Event(), []

    def other():
        with collector.paused():
            inside.set()
            release.wait()

    thread = threading.Thread(target=other)
    with collector.paused():
        thread.start()
        inside.wait()
    seen.append(gc.isenabled())  # this one ended, the other thread's pause goes on
    release.set()
    thread.join()
    assert seen == [False]
    assert gc.isenabled()


def test_rare_full_passes_keeps_the_young_collections():
    before = gc.get_threshold()
    try:
        collector.rare_full_passes()
        young, middle, full = gc.get_threshold()
        assert (young, middle) == before[:2]
        assert full == collector.FULL_PASS_EVERY > before[2]
    finally:
        gc.set_threshold(*before)


@pytest.fixture
def thawed():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_what_lives_on_is_frozen_when_it_is_many(collector_on, thawed):
    """A big read's records are left out of every later pass; still freed by refcounting."""
    with collector.paused(live_on=True):
        kept = [[i] for i in range(collector.FREEZE_FROM + 100)]  # a few die meanwhile
    assert gc.get_freeze_count() >= collector.FREEZE_FROM
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    del kept
    assert gc.get_freeze_count() <= frozen - collector.FREEZE_FROM  # freed all the same


def test_a_small_block_is_not_frozen(collector_on, thawed):
    with collector.paused(live_on=True):
        kept = [[i] for i in range(100)]
    assert gc.get_freeze_count() == 0
    assert len(kept) == 100


def test_a_block_that_does_not_live_on_is_never_frozen(collector_on, thawed):
    with collector.paused():
        kept = [[i] for i in range(collector.FREEZE_FROM)]
    assert gc.get_freeze_count() == 0
    assert len(kept) == collector.FREEZE_FROM


def test_a_small_block_inside_a_big_pause_is_not_frozen(collector_on, thawed):
    """A store's refresh of one file while an export (paused) has made a million objects:
    what counts is what the small block made, not all that is young."""
    with collector.paused():
        big = [[i] for i in range(collector.FREEZE_FROM)]
        with collector.paused(live_on=True):
            small = [[i] for i in range(10)]
        assert gc.get_freeze_count() == 0
    assert len(big) + len(small) == collector.FREEZE_FROM + 10
