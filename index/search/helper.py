"""Helper coordination, the caller's side: a second process scores part of the segments.

Why: the queries that stay slow at 100 MB (phrases of common words, short prefixes, fuzzy
terms) spend most of their time in `index.search.blockwise._score_map`, one segment after
another, in pure Python: one core works, the other waits. A helper process with its own
searcher on the same index files scores the segments it is given while this process scores
the others; the two top lists and totals are merged (`merge_top`). Everything else (parsing,
expansion, spans, snippets) stays in this process. The helper's own loop is
index/search_helper.py; this module never imports it (it is started as a program).

The helper is started on request only (`index.search.warm(index, helper=True)`, which the app
calls once indexing is done): starting it costs about half a second of imports in the new
process, more than a single command-line search would save. It is a fresh interpreter
(`python -m index.search_helper`: never fork a process that runs threads, as the app does)
talking pickles over its stdin and stdout, in a session of its own with its stderr on
/dev/null, so nothing of it reaches the terminal the app draws on and a ctrl+c there does
not reach it. It exits when its stdin closes, so it does not outlive its parent.
(`multiprocessing` could not start it from the app: its spawn hands `sys.stderr.fileno()`
to a resource tracker, and inside a Textual app stderr is a capture without a descriptor.)

A request carries the query object (pickled), the index generation the caller searched, the
ids and document-number bases of the segments to score, the number of hits wanted and the
documents allowed. The helper answers None when its view of the index differs (another
generation, other segments): the caller then scores those segments itself. Any error or
silence beyond `TIMEOUT` does the same and retires the helper. Results are therefore always
the caller's own, computed in two places.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from operator import itemgetter
from pathlib import Path
from typing import Any

from whoosh import query as wq

from index.whoosh_internals import fallback

__all__ = ["Request", "SegmentHelper", "merge_top"]

log = logging.getLogger(__name__)

TIMEOUT = 10.0  # seconds a helper may take to answer before it is retired


@dataclass(frozen=True)
class Request:
    generation: int
    query: Any  # a whoosh.query.Query, as index.search prepared it
    segments: tuple[tuple[str, int], ...]  # (segment id, document-number base), to score
    limit: int
    allowed: frozenset[int] | None
    spans_of: tuple[int, ...] | None = None  # instead of scoring: the spans of these documents
    excluded: frozenset[int] | None = None  # documents left out of the scoring (`a NOT b`'s b)
    lazy: bool = False  # positions checked only as far as the ranking needs; the total may be None


def merge_top(
    parts: Sequence[tuple[int | None, list[tuple[int, float]]]], limit: int
) -> tuple[int | None, list[tuple[int, float]]]:
    """(total, [(docnum, score)] best first) of several disjoint parts, each (total, its own
    best `limit`); ties by document number, as Whoosh ranks them. A part not counted (None)
    leaves the total not counted."""
    totals = [part_total for part_total, _ in parts]
    total = None if None in totals else sum(totals)  # type: ignore[arg-type]
    ranked = sorted((item for _, top in parts for item in top), key=lambda item: (-item[1], item[0]))
    return total, ranked[:limit]


class SegmentHelper:
    """The caller's side: start the process, send a request, collect the answer."""

    def __init__(self, whoosh_dir: Path) -> None:
        paths = [p for p in sys.path if p and Path(p).is_dir()]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
        self._process: subprocess.Popen | None = subprocess.Popen(
            # -P: the working directory is not put first on sys.path, so an index.py in the
            # folder the app was started from cannot shadow the package (it killed the helper)
            [sys.executable, "-P", "-m", "index.search_helper", str(whoosh_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._send = Connection(os.dup(self._process.stdin.fileno()), readable=False)
        self._recv = Connection(os.dup(self._process.stdout.fileno()), writable=False)
        self._process.stdin.close()
        self._process.stdout.close()
        self._ready = False
        self._pending = False
        self._lock = threading.Lock()
        self.requests = 0  # requests sent (tests check that the helper did take part)

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def ready(self) -> bool:
        """Whether the helper has started and is still there (never waits)."""
        return self.wait_ready(0.0)

    def wait_ready(self, timeout: float = TIMEOUT) -> bool:
        """Whether the helper has started, waiting up to `timeout` seconds for it."""
        if not self.alive:
            self._ready = False
            return False
        if not self._ready:
            try:
                if self._recv.poll(timeout):
                    self._ready = self._recv.recv() == "ready"
            except (EOFError, OSError):
                self.close()
        return self._ready

    def ask(self, request: Request) -> bool:
        """Send a request; False when the helper cannot take it (not ready, gone, busy)."""
        with self._lock:
            if self._pending or not self.ready():
                return False
            try:
                self._send.send(request)
            except Exception as exc:  # a query that does not pickle, or a closed pipe
                fallback(log, "asking the helper process", exc)
                return False
            self._pending = True
            self.requests += 1
            return True

    def answer(self) -> tuple[int, list[tuple[int, float]]] | None:
        """The answer to a scoring request: (total, top), or None (the caller scores those
        segments itself)."""
        reply = self._reply()
        if isinstance(reply, tuple) and len(reply) == 3 and reply[0] == "ok":
            return reply[1], reply[2]
        return None

    def spans(self) -> dict | None:
        """The answer to a spans request: {docnum: [MatchUnit]}, or None (the caller reads them)."""
        reply = self._reply()
        if isinstance(reply, tuple) and len(reply) == 2 and reply[0] == "spans":
            return reply[1]
        return None

    def _reply(self):
        """The helper's reply, or None. Its errors are logged here: its own stderr goes
        nowhere (see the module docstring), so this is where they are told."""
        with self._lock:
            if not self._pending:
                return None
            self._pending = False
            try:
                if not self._recv.poll(TIMEOUT):
                    raise TimeoutError(f"no answer within {TIMEOUT} s")
                reply = self._recv.recv()
            except (EOFError, OSError, TimeoutError) as exc:
                self.close()
                fallback(log, "the helper process (retired)", exc)
                return None
        if isinstance(reply, tuple) and reply and reply[0] == "error":
            fallback(log, "the helper process", reply[1] if len(reply) > 1 else "an error")
        elif reply is None:  # its view of the index differs (a commit since): not a failure
            log.debug("the helper's view of the index differs; its segments are done here")
        return reply

    def close(self) -> None:
        process, self._process = self._process, None
        self._ready = False
        for conn in (self._send, self._recv):
            try:
                conn.close()
            except OSError:
                pass
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(1.0)
            except subprocess.TimeoutExpired:  # stopped, or ignoring SIGTERM
                process.kill()
                process.wait(1.0)


def split_leaves(leaves: list) -> tuple[list, list]:
    """The segments in two groups of about equal document counts (the helper takes the
    second). Segment order is kept in each group; only totals and scores are merged."""
    groups: tuple[list, list] = ([], [])
    counts = [0, 0]
    for leaf in sorted(leaves, key=lambda item: -item[0].doc_count_all()):
        side = 0 if counts[0] <= counts[1] else 1
        groups[side].append(leaf)
        counts[side] += leaf[0].doc_count_all()
    return sorted(groups[0], key=_BASE), sorted(groups[1], key=_BASE)


_BASE = itemgetter(1)


def helper_request(q: wq.Query, searcher, segments, **fields):
    """A helper request about `segments` ((leaf searcher, base) pairs) of this searcher."""
    return Request(
        generation=searcher.reader().generation(),
        query=q,
        segments=tuple((sub.reader().segment().segment_id(), base) for sub, base in segments),
        **fields,
    )
