"""No failure in the app is silent (issue 13, items 2 and 5), with the real app under Textual's
pilot and real worker processes.

* the first build of a corpus big enough for the parallel workers and for several batches,
  started from the app's indexing thread, finishes: every document listed;
* the workers are spawned: they hold no copy of the index lock (a forked worker inherited it);
* an indexing failure is shown, logged with its traceback in the user's state folder, retried
  once; a second failure says what to do; a failed worker with no handler of its own (undo) is
  shown and logged too;
* a search that fails again on the index rebuilt for it says what to do (the CLI's words),
  sanitised, and the app goes on.
"""

from __future__ import annotations

import os
import signal
import threading

import index.batching as batching
from index.indexer import CorpusIndex
from index.parallel import PAUSE_ENV
from reader.app import create_app
from reader.logs import log_file
from reader.services import Library

from app_helpers import toasts
from conftest import make_paths, seed_variations
from waiting import HANG, pilot_wait_until, settle, wait_until


async def test_the_first_build_in_batches_from_the_app_thread_finishes(tmp_path, monkeypatch):
    n = seed_variations(tmp_path / "corpus", 24)
    monkeypatch.setattr(batching, "MULTIPROCESS_MIN_DOCS", 8)
    monkeypatch.setattr(batching, "MULTIPROCESS_MIN_BYTES", 1)
    monkeypatch.setattr(batching, "BATCH_MIN_BYTES", 1)
    monkeypatch.setattr(batching, "FIRST_BATCH_BYTES", 100_000)
    monkeypatch.setattr(batching, "workers", lambda: 2)
    app = create_app(make_paths(tmp_path, tmp_path / "corpus"))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("slash", *"Babel")  # a search runs while the batches are built
        await pilot_wait_until(
            pilot,
            lambda: len(app.screen.rows) == n and not app.screen.query_one("#indexing").display,
            "the build",
            explain=lambda: toasts(app),
        )
        assert not app.screen.query_one("#indexing").display
        assert not [t for t in toasts(app) if "fail" in t.lower() or "stopped" in t.lower()]
    assert CorpusIndex(tmp_path / "corpus", tmp_path / "index").update().unchanged == n


def test_workers_hold_no_copy_of_the_index_lock(tmp_path, monkeypatch):
    seed_variations(tmp_path / "corpus", 24)
    pause = tmp_path / "pause"
    pause.mkdir()
    monkeypatch.setenv(PAUSE_ENV, str(pause))
    monkeypatch.setattr(batching, "MULTIPROCESS_MIN_DOCS", 8)
    monkeypatch.setattr(batching, "MULTIPROCESS_MIN_BYTES", 1)
    monkeypatch.setattr(batching, "workers", lambda: 2)
    ci = CorpusIndex(tmp_path / "corpus", tmp_path / "index")
    outcome: list[BaseException] = []

    def build() -> None:  # from a thread, as the app does
        try:
            ci.update(progress=lambda done, total, doc_id: None)
        except BaseException as exc:  # the workers are killed below
            outcome.append(exc)

    thread = threading.Thread(target=build)
    thread.start()
    try:
        markers = wait_until(lambda: list(pause.iterdir()), "a worker pauses")
        lock = os.stat(ci.index_dir / "lock")
        for marker in markers:
            pid = int(marker.name.split("-")[1])
            fds = os.listdir(f"/proc/{pid}/fd")
            inodes = set()
            for fd in fds:
                try:
                    st = os.stat(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                inodes.add((st.st_dev, st.st_ino))
            assert (lock.st_dev, lock.st_ino) not in inodes
    finally:
        for marker in pause.iterdir():
            try:
                os.kill(int(marker.name.split("-")[1]), signal.SIGKILL)
            except ProcessLookupError:
                pass
        thread.join(HANG)
    assert not thread.is_alive()
    assert outcome  # the killed workers failed the build: nothing half-committed is kept


async def test_an_indexing_failure_is_shown_logged_and_retried(seed_paths, monkeypatch):
    real = Library.update_index
    calls = []

    def failing_once(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("disk on fire")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Library, "update_index", failing_once)
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot_wait_until(
            pilot, lambda: len(calls) == 2 and len(app.screen.rows) == 5, "the retry", explain=lambda: toasts(app)
        )
        shown = " ".join(toasts(app))
        assert "Indexing stopped: disk on fire. Trying again" in shown
    logged = log_file().read_text("utf-8")
    assert "disk on fire" in logged and "Traceback" in logged and "failing_once" in logged


async def test_a_second_indexing_failure_says_what_to_do(seed_paths, monkeypatch):
    def failing(self, *args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Library, "update_index", failing)
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot_wait_until(
            pilot,
            lambda: "Indexing stopped again" in " ".join(toasts(app)),
            "the second failure",
            explain=lambda: toasts(app),
        )
        shown = " ".join(toasts(app))
        assert "Indexing stopped again: disk on fire" in shown
        assert "reader index" in shown and not app.screen.query_one("#indexing").display


async def test_a_failed_worker_without_a_handler_is_shown_and_logged(seed_paths, monkeypatch):
    def broken_undo(self):
        raise ValueError("undo journal unreadable")

    monkeypatch.setattr(Library, "undo", broken_undo)
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot, failures_ok=True)
        app.replay("undo")
        await pilot_wait_until(
            pilot,
            lambda: any("A task failed" in t for t in toasts(app)),
            "the notification",
            explain=lambda: toasts(app),
        )
        assert any("A task failed (undo): undo journal unreadable" in t for t in toasts(app))
    assert "undo journal unreadable" in log_file().read_text("utf-8")


async def test_a_search_that_fails_again_after_the_rebuild_says_what_to_do(seed_paths, monkeypatch):
    calls = []

    def failing(self, *args, **kwargs):
        calls.append(1)
        raise TypeError("unsupported operand \x1b[2J for +")

    monkeypatch.setattr(Library, "search", failing)
    app = create_app(seed_paths)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"Babel")
        await pilot_wait_until(
            pilot,
            lambda: "Searching failed again" in " ".join(toasts(app)),
            "the second failure",
            explain=lambda: toasts(app),
        )
        shown = " ".join(toasts(app))
        assert "Searching failed: index damaged (TypeError: unsupported operand ␛[2J for +)" in shown
        assert (
            "Searching failed again after rebuilding the index (TypeError: unsupported operand ␛[2J for +); "
            f"delete the index folder {seed_paths.index} " in shown
        )
        assert "--index" in shown and "report a bug" in shown and "\x1b" not in shown
        assert app.is_running and len(app.screen.rows) == 5  # the app goes on; the corpus is listed
    assert len(calls) >= 2
    logged = log_file().read_text("utf-8")
    assert "unsupported operand" in logged and "Traceback" in logged
