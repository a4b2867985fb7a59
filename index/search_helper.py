"""The search helper process: `python -m index.search_helper WHOOSH_DIR`.

It answers the requests of index/search/helper.py (which says why a second process, and how
it is started and retired): it scores the segments it is given, or reads the spans of the
documents it is given, with its own searcher on the same index files, and answers None when
its view of the index differs from the caller's. This module imports the search package; the
search package never imports it (it starts it as a program), so there is no import cycle.
"""

from __future__ import annotations

import os
import sys
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from index.search.helper import Request


def main(argv: list[str]) -> None:
    """The helper process: `python -m index.search_helper WHOOSH_DIR`."""
    receive = Connection(os.dup(0), writable=False)
    send = Connection(os.dup(1), readable=False)
    devnull = os.open(os.devnull, os.O_RDWR)  # a stray print must not corrupt the pipe
    for fd in (0, 1):
        os.dup2(devnull, fd)
    os.close(devnull)
    _serve(receive, send, argv[0])


def _serve(receive, send, whoosh_dir: str) -> None:
    """The helper's loop: answer requests until the pipe closes."""
    from whoosh import index as whoosh_index

    from index.search import blockwise, spans  # the slow import, done here before saying ready

    state: dict[str, Any] = {"searcher": None}
    try:  # open the searcher now (0.1 to 0.2 s at 100 MB), not on the first request
        state["searcher"] = whoosh_index.open_dir(whoosh_dir).searcher()
    except Exception:  # noqa: BLE001 - the first request tries again and answers None
        pass
    send.send("ready")
    while True:
        try:
            request = receive.recv()
        except (EOFError, OSError):
            break
        try:
            reply = _handle(request, whoosh_dir, state, blockwise, spans)
        except Exception as exc:  # noqa: BLE001 - reported, and the caller computes itself
            reply = ("error", f"{type(exc).__name__}: {exc}")
        try:
            send.send(reply)
        except (EOFError, OSError):
            break
    searcher = state["searcher"]
    if searcher is not None:
        searcher.close()


def _handle(request: Request, whoosh_dir: str, state: dict, blockwise, spans) -> tuple | None:
    from whoosh import index as whoosh_index

    searcher = state["searcher"]
    if searcher is None or searcher.reader().generation() != request.generation:
        if searcher is not None:
            searcher.close()
            state["searcher"] = None
        ix = whoosh_index.open_dir(whoosh_dir)
        if ix.latest_generation() != request.generation:
            return None
        searcher = state["searcher"] = ix.searcher()
    leaves = {(sub.reader().segment().segment_id(), base): sub for sub, base in searcher.leaf_searchers()}
    if any(key not in leaves for key in request.segments):
        return None
    segments = [(leaves[key], key[1]) for key in request.segments]
    if request.spans_of is not None:
        return ("spans", spans.spans_by_doc(request.query, searcher, list(request.spans_of), segments))
    total, top = blockwise._score_segments(
        request.query,
        searcher,
        segments,
        request.allowed,
        request.limit,
        excluded=request.excluded,
        lazy=request.lazy,
    )
    return ("ok", total, top)


if __name__ == "__main__":
    main(sys.argv[1:])
