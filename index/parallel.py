"""Full builds on every core: worker processes that read, analyse *and write* their own segment.

Why this shape (measured, see docs/benchmarks.md and the build profile in bench/): a build is
about one third reading and analysing documents and two thirds Whoosh writing (the posting pool,
then sorting and encoding postings into the segment at commit). Whoosh's own two-process writer
(`procs=2, multisegment=True`) parallelises the writing, but its parent process still reads,
decodes and pickles every document to a job file for the children, so three processes share
two cores and the children wait on the parent. Sending pre-analysed postings to a single writer
in the parent instead leaves the whole commit (sorting and encoding) serial. Here the parent
sends only file names; each worker does everything for its documents into a segment of its own
(`FastSegmentWriter(ix, _lk=False)`, as Whoosh's `MpWriter` children do), and the parent adds
the finished segments to the index in one commit, like `MpWriter` with `multisegment=True`.

The parent keeps what must stay in one place: the report and manifest bookkeeping, deletions of
old versions of changed documents (its own writer, on the existing segments), the progress
callback (called once per document, in order of completion, as each chunk's outcomes
arrive in one message; a long PDF's pages as "pages" messages, a few a second at most, handed
on to index.formats.progress in the parent's thread) and the commit. If anything raises
in the parent (a cancelling progress callback) or in a worker, the workers are stopped, nothing
is committed, and the files of the abandoned segments are removed.

Workers are started with the 'spawn' method, never forked: the app builds from a worker thread,
and a process forked from a threaded one can inherit a lock another thread held at that moment
(Python's own warning), the index lock's file descriptor (so an orphaned worker kept the index
locked) and the terminal. A spawned worker imports this package afresh (about 0.15 s, in
parallel; docs/benchmarks.md has the measured cost) and receives only what it is given.

A worker dies with its parent, whatever kills the parent: on Linux the kernel sends it SIGKILL
when the parent goes (`PR_SET_PDEATHSIG`), and everywhere a watchdog thread reads a pipe whose
only write end the parent holds: end of file means the parent is gone. (Before, a killed
`reader index` left both workers running, holding the index lock: every later command waited.)
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex, clean_files

from index import collector
from index.formats import progress as page_reports
from index.whoosh_internals import close_segment, finish_segment
from index.writing import FastSegmentWriter

__all__ = ["ParallelBuild", "WorkerFailed", "chunked"]

# Documents are handed out in chunks of about this many bytes (or documents), so two workers
# stay balanced to the end while the job queue traffic stays negligible.
CHUNK_BYTES = 256 * 1024
CHUNK_DOCS = 64
# A worker sends at most one report of a long extraction's pages per this many seconds.
PAGE_INTERVAL = 0.25

# prepare(item) -> (outcome, fields or None): runs in a worker. `outcome` goes back to the
# parent (it must pickle); `fields`, when given, are added to the worker's segment.
Prepare = Callable[[Any], tuple[Any, dict | None]]


class WorkerFailed(RuntimeError):
    """A worker process raised or died; the build is abandoned (nothing committed)."""


def chunked(sizes: Sequence[int], max_bytes: int = CHUNK_BYTES, max_docs: int = CHUNK_DOCS):
    """Consecutive index ranges [(start, stop), ...] of about `max_bytes` or `max_docs` each."""
    chunks, start, total = [], 0, 0
    for i, size in enumerate(sizes):
        total += size
        if total >= max_bytes or i + 1 - start >= max_docs:
            chunks.append((start, i + 1))
            start, total = i + 1, 0
    if start < len(sizes):
        chunks.append((start, len(sizes)))
    return chunks


class ParallelBuild:
    """Index `items` in `procs` spawned workers; `run()` yields outcomes, `segments` holds results.

    Usage (see index/indexer.py)::

        build = ParallelBuild(ix, items, sizes, prepare)
        try:
            for i, (outcome, _) in build.run():   # in order of completion
                ...                           # bookkeeping, progress; may raise to cancel
            segments = build.segments         # add them to the TOC in the commit
        except BaseException:
            build.abandon()
            raise
    """

    def __init__(
        self,
        ix: FileIndex,
        items: Sequence[Any],
        sizes: Sequence[int],
        prepare: Prepare,
        procs: int = 2,
    ) -> None:
        self._ix = ix
        self._items = items
        self._sizes = sizes
        self._prepare = prepare  # must pickle: a spawned worker receives it
        self._procs = max(1, procs)
        self._ctx = multiprocessing.get_context("spawn")
        self._workers: list = []
        self._cancel = None
        self._jobs = None
        self._alive = None  # the write end of the workers' watchdog pipe; only we hold it
        self.segments: list = []

    def run(self):
        ctx = self._ctx
        _start_resource_tracker()
        jobs = self._jobs = ctx.Queue()
        results = ctx.Queue()
        self._cancel = ctx.Event()
        chunks = chunked(self._sizes)
        procs = min(self._procs, max(1, len(chunks)))
        for start, stop in chunks:  # each job carries its own items: nothing else is shared
            jobs.put((start, list(self._items[start:stop])))
        for _ in range(procs):
            jobs.put(None)
        watched, self._alive = ctx.Pipe(duplex=False)
        storage = (self._ix.storage.folder, self._ix.indexname)
        for n in range(procs):
            worker = ctx.Process(
                target=_worker_main,
                args=(storage, self._prepare, jobs, results, self._cancel, os.getpid(), watched, PAGE_INTERVAL),
                name=f"reader-index-{n}",
                daemon=True,
            )
            worker.start()
            self._workers.append(worker)
        watched.close()  # the workers hold the read end; when we die, they read end of file

        remaining_docs = len(self._items)
        remaining_workers = procs
        segments = []
        pages = page_reports.FollowOne()
        while remaining_docs or remaining_workers:
            try:
                message = results.get(timeout=1.0)
            except queue.Empty:
                dead = [w for w in self._workers if w.exitcode not in (None, 0)]
                if dead:
                    raise WorkerFailed(f"index worker died (exit code {dead[0].exitcode})") from None
                if all(w.exitcode == 0 for w in self._workers) and results.empty():
                    raise WorkerFailed("index workers stopped before finishing their work") from None
                continue
            kind = message[0]
            if kind == "docs":  # a chunk's outcomes; the fields are in the worker's segment
                for i, outcome in message[1]:
                    remaining_docs -= 1
                    yield i, (outcome, None)
            elif kind == "pages":  # (doc_id, done, total) of a long extraction
                pages(*message[1:])
            elif kind == "done":
                remaining_workers -= 1
                if message[1] is not None:
                    segments.append(message[1])
            else:  # "error"
                raise WorkerFailed(f"index worker failed:\n{message[1]}")
        for worker in self._workers:
            worker.join()
        self._close_alive()
        self.segments = segments

    def _close_alive(self) -> None:
        if self._alive is not None:
            self._alive.close()
            self._alive = None

    def abandon(self) -> None:
        """Stop the workers and delete the files of segments that will never be committed."""
        if self._cancel is not None:
            self._cancel.set()
        if self._jobs is not None:
            self._jobs.cancel_join_thread()  # unread chunks must not keep us from exiting
        for worker in self._workers:
            worker.join(5.0)
            if worker.exitcode is None:
                worker.terminate()
                worker.join(5.0)
        self._workers = []
        self._close_alive()
        self.segments = []
        try:  # files of unlisted segments; readers only ever open the TOC's segments
            toc = self._ix._read_toc()
            clean_files(self._ix.storage, self._ix.indexname, toc.generation, toc.segments)
        except Exception:  # best effort: the next commit cleans them anyway
            pass


def _worker_main(storage, prepare, jobs, results, cancel, parent, watched, page_interval) -> None:
    """One worker: documents from the job queue into its own segment, then report it."""
    _die_with_parent(parent, watched)
    _quiet_stdio()
    collector.rare_full_passes()  # its postings grow for the whole build: index/collector.py
    writer = None
    pages = page_reports.ThrottledPages(lambda *report: results.put(("pages", *report)), page_interval)
    page_reports.listen(pages)  # this process's thread, for the rest of its life
    try:
        folder, indexname = storage
        ix = FileIndex(FileStorage(folder), indexname=indexname)  # fresh handle, nothing shared
        writer = FastSegmentWriter(ix, _lk=False)
        while True:
            try:
                job = jobs.get(timeout=1.0)
            except queue.Empty:
                if cancel.is_set():
                    raise SystemExit(0) from None
                continue
            if job is None:
                break
            start, items = job
            done = []
            for i, item in enumerate(items, start):
                if cancel.is_set():
                    raise SystemExit(0)
                outcome, fields = prepare(item)
                pages.finish()
                if fields is not None:
                    writer.add_document(**fields)
                done.append((i, outcome))
            results.put(("docs", done))  # one message per chunk: 10,000 cost the parent ~1 s
            _pause_for_tests()
        segment = finish_segment(writer)
        writer = None
        results.put(("done", segment))
    except SystemExit:  # cancelled: the parent reads nothing more
        results.cancel_join_thread()
    except BaseException:
        results.put(("error", traceback.format_exc()))
    finally:
        if writer is not None:
            try:
                close_segment(writer)
            except Exception:
                pass
        results.close()
        results.join_thread()


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker (spawned queues need it) with a real stderr.

    It passes `sys.stderr.fileno()` to its process, and under Textual `sys.stderr` is the
    app's capture, whose descriptor is not valid: starting it there raised `ValueError: bad
    value(s) in fds_to_keep`. So it is started here, once, with stderr on /dev/null for that
    moment (its only output is warnings about leaked semaphores).
    """
    from multiprocessing import resource_tracker

    saved = sys.stderr
    with open(os.devnull, "w") as devnull:
        sys.stderr = devnull
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = saved


def _quiet_stdio() -> None:
    """A worker never writes to the terminal (the app's screen): stdout and stderr to
    /dev/null. Its failures go to the parent as ("error", traceback) messages."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent(parent: int, watched) -> None:
    """Make this worker end when the parent process ends, however it ends.

    Three layers, because each alone has a gap: the kernel's parent-death signal (Linux; it
    fires when the thread that started us exits, which is the parent's building thread, alive
    until the workers are joined), a check that the parent did not die before that was set,
    and a watchdog thread that exits on end of file of the parent's pipe or on a new parent pid.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watchdog alone
            pass
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_watchdog, args=(parent, watched), name="parent-watchdog", daemon=True).start()


def _watchdog(parent: int, watched) -> None:
    while True:
        try:
            if watched.poll(1.0):
                watched.recv_bytes()  # the parent never writes: this raises EOFError
        except (EOFError, OSError):
            os._exit(1)
        if os.getppid() != parent:
            os._exit(1)


PAUSE_ENV = "READER_INDEX_PAUSE_DIR"
"""Tests only: a worker that has sent its first chunk's outcomes writes `worker-<pid>` into this
folder and then waits forever, so a test can kill a build at a known point (mid-batch, with an
uncommitted segment open) without guessing a delay."""


def _pause_for_tests() -> None:
    folder = os.environ.get(PAUSE_ENV)
    if not folder:
        return
    marker = Path(folder) / f"worker-{os.getpid()}"
    marker.write_text(str(os.getppid()), encoding="utf-8")
    while True:
        time.sleep(60)
