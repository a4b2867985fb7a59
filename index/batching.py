"""How an update's work is divided: into commits, and between processes.

A first build of a big corpus is committed in batches of growing size (`batches`), each
with the manifest of what it holds: the app searches what is indexed while the rest is read,
and a build that is stopped keeps what it finished. Large batches (a full build) run in two
worker processes (index/parallel.py); small ones in the updating process, where starting
workers would cost more than it saves (`wants_multiprocess`).

Its own module because these are policy, not mechanism: a handful of thresholds and the two
decisions made from them, which CorpusIndex (index/indexer.py) asks and tests tune
(`monkeypatch.setattr(batching, "FIRST_BATCH_BYTES", ...)`) without touching the indexer.
"""

from __future__ import annotations

import os

from index.corpus import CorpusFile

__all__ = [
    "BATCH_MIN_BYTES",
    "FIRST_BATCH_BYTES",
    "GROWTH",
    "MULTIPROCESS_MIN_BYTES",
    "MULTIPROCESS_MIN_DOCS",
    "WORKERS",
    "batches",
    "wants_multiprocess",
    "workers",
]

# A first build of more than this many bytes is committed in batches (`batches`): the first
# holds FIRST_BATCH_BYTES, each next one GROWTH times the previous, so the first results are
# searchable within a few seconds and a 100 MB build makes three commits (each batch ends
# with a core idle while the slower worker finishes: more batches cost throughput).
BATCH_MIN_BYTES = 8 * 1024 * 1024
FIRST_BATCH_BYTES = 2 * 1024 * 1024
GROWTH = 4
# Below this many documents (or bytes) to index, starting workers costs more than it saves.
MULTIPROCESS_MIN_DOCS = 64
MULTIPROCESS_MIN_BYTES = 1024 * 1024
WORKERS = 2  # the target machine has two cores; never more workers than cores


def batches(work: list[tuple[CorpusFile, str]]) -> list[list[tuple[CorpusFile, str]]]:
    """`work` cut into consecutive batches of FIRST_BATCH_BYTES, then GROWTH times more; one
    batch when the whole is under BATCH_MIN_BYTES. A last batch smaller than the one before
    it is joined to it."""
    if sum(f.size for f, _ in work) < BATCH_MIN_BYTES:
        return [work]
    cut: list[list[tuple[CorpusFile, str]]] = [[]]
    limit, size = FIRST_BATCH_BYTES, 0
    for item in work:
        if size >= limit:
            cut.append([])
            limit, size = limit * GROWTH, 0
        cut[-1].append(item)
        size += item[0].size
    if len(cut) > 1 and size < limit // 2:
        cut[-2].extend(cut.pop())
    return cut


def wants_multiprocess(work: list[tuple[CorpusFile, str]]) -> bool:
    """Whether `work` is big enough to pay for starting worker processes."""
    return (
        workers() > 1 and len(work) >= MULTIPROCESS_MIN_DOCS and sum(f.size for f, _ in work) >= MULTIPROCESS_MIN_BYTES
    )


def workers() -> int:
    """How many worker processes a build uses: WORKERS, never more than the machine's cores."""
    return max(1, min(WORKERS, os.cpu_count() or 1))
